"""Exercise templates: a teacher's TOML file saying what every student's exercise looks like.

A template is TOML (or JSON) with the fields of ``BUILTIN_TEXT`` below (``stepgrad exercise
template`` prints it), each optional: a field left out keeps the built-in value. ``asked``
takes kinds, lecture.quantities' names for a quantity of every unit or weight (net, o, slope,
signal, delta, E, dEdo, dEdnet, dEdw, dw, w_new, net_new, o_new, signal_new, E_new; dw covers
the biases' Δb too), or names of single quantities (delta6, w46_new, in any spelling the
checker knows). Units are numbered as the lecture numbers them, inputs first: a 3-2-1 network
has inputs 1-3, hidden units 4, 5 and output 6. Limits (a hand exercise is small): 2 to 5 layers
of 1 to 6 units, ranges within [-10, 10], at most 3 decimals, targets the output activation can
reach (σ: [0, 1], tanh: [-1, 1], relu: ≥ 0; cross-entropy needs a σ output). ``BUILTIN`` is
the lecture's section 7 style.
"""

import math
import os
import pathlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import tomli

from lecture import (
    KINDS,
    PROBLEM_LOSSES,
    SIGN_NAMES,
    Catalog,
    DerivationError,
    Example,
    Names,
    Problem,
    describe,
    read_document,
)
from nn import ACTIVATIONS

__all__ = ["Template", "Range", "TemplateError", "load_template", "template_from_dict",
           "BUILTIN", "BUILTIN_TEXT", "shape_units"]

FIELDS = ("name", "title", "shapes", "activations", "loss", "eta", "delta", "asked", "digits",
          "min_delta", "zeros", "examples", "epochs", "mode", "frozen", "weights", "biases",
          "inputs", "targets")
_EXAMPLES, _EPOCHS = (1, 4), (1, 3)     # a hand exercise: a few examples and epochs at most
RANGES = ("weights", "biases", "inputs", "targets")
LAYERS, UNITS, MAGNITUDE, DECIMALS = (2, 5), (1, 6), 10, 3
DIGITS = (3, 8)
_REACH = {"sigmoid": (0, 1), "tanh": (-1, 1), "relu": (0, None), "identity": (None, None)}

BUILTIN_TEXT = '''\
# The built-in exercise template of stepgrad exercise new: the lecture's
# section 7 style. Every field is optional; one left out keeps this value.
name = "section7"               # in each exercise id: letters, digits, - and _
title = "One training step of backpropagation by hand"
shapes = ["3-2-1"]              # layer sizes, inputs first; one per student
activations = ["sigmoid"]       # choices: a name for every layer, or a list of
                                #   one per layer after the inputs, such as
                                #   [["tanh", "sigmoid"]]; sigmoid, tanh, relu,
                                #   identity
loss = "squared_error"          # or mean_squared_error, cross_entropy (a list:
                                #   one drawn per student)
eta = [0.9]                     # η: one drawn per student
delta = "-dE/dnet"              # the lecture's δ; "dE/dnet": the other sign
asked = ["net", "o", "E", "delta", "dw", "w_new", "net_new", "o_new", "E_new"]
                                # kinds (every unit or weight), names (w46_new)
digits = 4                      # significant digits of every answer, 3 to 8
min_delta = 0.001               # every |δ| at least this: no dead unit
examples = 1                    # examples per student, 1 to 4 (drawn each)
epochs = 1                      # passes over the examples, 1 to 3
mode = "online"                 # or "batch": Δw summed over the examples
frozen = []                     # parameters kept fixed: names (b4) or "biases"
zeros = false                   # no bias or input of exactly 0 (a weight is
                                #   never 0): a 0 hides typical mistakes (x = 0
                                #   hides η and the update's sign, b = 0 a
                                #   forgotten bias); true allows them

[weights]                       # multiples of 10^-decimals in range; never 0
range = [-0.5, 0.5]
decimals = 1

[biases]                        # the same for biases, inputs and targets
range = [-0.5, 0.5]
decimals = 1

[inputs]
range = [0.1, 1]
decimals = 1

[targets]
range = [0, 1]
decimals = 0
'''


class TemplateError(DerivationError):
    """A template that cannot be used: the message names the file, the line and the field."""


@dataclass(frozen=True)
class Range:
    """The values a number may take: the multiples of 10^-decimals in [lo, hi]."""

    lo: Decimal
    hi: Decimal
    decimals: int

    @property
    def steps(self):
        """The smallest and largest multiple of the unit, as integers: k·10^-decimals."""
        scale = Decimal(1).scaleb(self.decimals)
        return math.ceil(self.lo * scale), math.floor(self.hi * scale)

    def value(self, k):
        """The number k·10^-decimals as a Decimal (0.2, -0.5, 1)."""
        return Decimal(k).scaleb(-self.decimals)


@dataclass(frozen=True)
class Template:
    """What each student's exercise looks like (the module docstring has the file format)."""

    name: str
    title: str
    shapes: tuple            # tuples of units per layer, inputs first: (3, 2, 1)
    activations: tuple       # choices: tuples of one name per layer after the inputs
    losses: tuple
    etas: tuple              # Decimal
    sign: str
    asked: tuple             # kinds and names as written
    digits: int
    min_delta: float
    zeros: bool              # a bias or input may be exactly 0
    examples: int            # examples per student
    epochs: int
    mode: str                # online or batch
    frozen: tuple            # parameter names, or "biases"
    weights: Range
    biases: Range
    inputs: Range
    targets: Range
    source: str = "template"

    def choices(self, shape: "Sequence[int]") -> "list[tuple[str, ...]]":
        """The activation choices that fit ``shape`` (all of them: the file is checked)."""
        return [a if len(a) == len(shape) - 1 else a * (len(shape) - 1) for a in self.activations]


def shape_units(shape):
    """Unit names per layer, numbered as the lecture numbers them: (3, 2, 1) → 1-3, 4-5, 6."""
    names, first = [], 1
    for size in shape:
        names.append(tuple(str(first + k) for k in range(size)))
        first += size
    return tuple(names)


def load_template(source: "str | os.PathLike[str] | None" = None) -> Template:
    """The template in file ``source`` (TOML or JSON); the built-in one for None."""
    if source is None:
        return BUILTIN
    path = pathlib.Path(source)
    if path.suffix.lower() not in (".toml", ".json"):
        raise TemplateError(f"{path}: a template is a .toml or .json file")
    try:
        data, locate = read_document(path)
    except DerivationError as error:
        raise TemplateError(str(error)) from None
    return template_from_dict(data, str(path), locate, default_name=path.stem)


class _Where:
    def __init__(self, source, locate):
        self.source, self.locate = source, locate

    def error(self, table, key, problem):
        line = self.locate(table, key) if self.locate else None
        place = f"{self.source}:{line}" if line else self.source
        field = f"[{table}] {key}" if table else key
        return TemplateError(f"{place}: {field}: {problem}")


def template_from_dict(data, source="template", locate=None, default_name="template"):
    """Validate ``data`` (the format above) into a Template; the built-in's values fill the gaps."""
    where = _Where(source, locate)
    if not isinstance(data, dict):
        raise TemplateError(f"{source}: expected a table at the top")
    for key in data:
        if key not in FIELDS:
            raise where.error(None, key, f"unknown field; a template has {', '.join(FIELDS)}")
    base = _BUILTIN_DATA if data is not _BUILTIN_DATA else {}
    get = lambda key: data[key] if key in data else base.get(key)
    name = _text(data.get("name", default_name), where, "name", limit=40)
    if not name or not all(c.isascii() and (c.isalnum() or c in "-_") for c in name):
        told = "" if "name" in data else " (the file's name); set name in the file"
        raise where.error(None, "name", f"expected letters, digits, - and _ (it goes into "
                          f"exercise ids), got {name!r}{told}")
    title = _text(get("title"), where, "title", limit=200)
    shapes = _shapes(get("shapes"), where)
    activations = _activations(get("activations"), shapes, where)
    losses = tuple(_choices(get("loss"), where, "loss", lambda v: v in PROBLEM_LOSSES,
                            f"one of {', '.join(PROBLEM_LOSSES)}"))
    etas = tuple(_decimal(v, where, None, "eta") for v in _as_list(get("eta")))
    if not etas or any(not 0 < eta <= MAGNITUDE for eta in etas):
        raise where.error(None, "eta", f"expected η or a list of η, each in (0, {MAGNITUDE}]")
    delta = get("delta")
    sign = SIGN_NAMES.get(delta) if isinstance(delta, str) else None
    if sign is None:
        raise where.error(None, "delta", f"expected \"-dE/dnet\" (the lecture's δ) or "
                          f"\"dE/dnet\", got {get('delta')!r}")
    digits = get("digits")
    if isinstance(digits, bool) or not isinstance(digits, int) or not DIGITS[0] <= digits <= DIGITS[1]:
        raise where.error(None, "digits", f"expected a whole number of significant digits from "
                          f"{DIGITS[0]} to {DIGITS[1]}, got {digits!r}")
    min_delta = float(_decimal(get("min_delta"), where, None, "min_delta"))
    if not 0 <= min_delta < 1:
        raise where.error(None, "min_delta", f"expected a number in [0, 1), got {min_delta!r}")
    ranges = {key: _range(data.get(key, base.get(key)), where, key) for key in RANGES}
    lo, hi = ranges["weights"].steps
    if lo == hi == 0:
        raise where.error("weights", "range", "a weight is never 0: the range needs another value")
    examples, epochs = get("examples"), get("epochs")
    for key, value, (low, high) in (("examples", examples, _EXAMPLES), ("epochs", epochs, _EPOCHS)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise where.error(None, key, f"expected a whole number from {low} to {high}, got "
                              f"{value!r:.40}")
    assert isinstance(examples, int) and isinstance(epochs, int)   # checked just above
    mode = get("mode")
    if mode not in ("online", "batch"):
        raise where.error(None, "mode", f"expected \"online\" or \"batch\", got {mode!r:.40}")
    frozen = get("frozen")
    frozen = [frozen] if isinstance(frozen, str) else frozen
    if not isinstance(frozen, list) or not all(isinstance(f, str) and f.isascii()
                                               and f.replace(",", "").isalnum() for f in frozen):
        raise where.error(None, "frozen", "expected a list of parameter names (b4, w14) or "
                          "\"biases\"")
    zeros = get("zeros")
    if not isinstance(zeros, bool):
        raise where.error(None, "zeros", f"expected true or false, got {describe(zeros)}")
    for key in ("biases", "inputs"):
        if not zeros and ranges[key].steps == (0, 0):
            raise where.error(key, "range", "only 0 lies in it: widen it, or set zeros = true")
    if "cross_entropy" in losses and any(a[-1] != "sigmoid" for a in activations):
        raise where.error(None, "loss", "cross_entropy needs a sigmoid output in every "
                          "activation choice")
    targets = ranges["targets"]
    for choice in activations:
        low, high = _REACH[choice[-1]]
        if (low is not None and targets.lo < low) or (high is not None and targets.hi > high):
            reach = f"[{low if low is not None else '-∞'}, {high if high is not None else '∞'}]"
            raise where.error("targets", "range", f"a {choice[-1]} output reaches {reach}; the "
                              f"targets' range [{targets.lo}, {targets.hi}] goes beyond it")
    asked = _asked(get("asked"), shapes, where)
    return Template(name, title, shapes, activations, losses, etas, sign, asked, digits, min_delta,
                    zeros, examples, epochs, mode, tuple(frozen), ranges["weights"],
                    ranges["biases"], ranges["inputs"], ranges["targets"], source)


def _text(value, where, key, limit):
    if not isinstance(value, str):
        raise where.error(None, key, f"expected a string, got {describe(value)}")
    if len(value) > limit:
        raise where.error(None, key, f"at most {limit} characters, got {len(value)}")
    return value


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _choices(value, where, key, ok, expected):
    items = _as_list(value)
    if not items:
        raise where.error(None, key, f"expected {expected}, got an empty list")
    for item in items:
        if not isinstance(item, str) or not ok(item):
            raise where.error(None, key, f"expected {expected}, got {describe(item)}")
    return list(dict.fromkeys(items))


def _decimal(value, where, table, key):
    """A number as a Decimal, from its written text where the reader kept it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise where.error(table, key, f"expected a number, got {describe(value)}")
    number = Decimal(getattr(value, "text", None) or (repr(value) if isinstance(value, float)
                                                       else str(value)))
    if not number.is_finite():
        raise where.error(table, key, f"expected a finite number, got {value!r}")
    return number


def _shapes(value, where):
    items = [value] if isinstance(value, str) or (
        isinstance(value, list) and value and all(isinstance(v, int) for v in value)) else value
    if not isinstance(items, list) or not items:
        raise where.error(None, "shapes", "expected a shape such as \"3-2-1\" or a list of them")
    shapes = []
    for item in items:
        sizes = item.split("-") if isinstance(item, str) else item
        shape = None
        if isinstance(sizes, list):
            shape = tuple(int(s) if isinstance(s, str) and s.strip().isdigit() else
                          s if isinstance(s, int) and not isinstance(s, bool) else None
                          for s in sizes)
        if not shape or None in shape:
            raise where.error(None, "shapes", f"expected units per layer, inputs first, such as "
                              f"\"3-2-1\" or [3, 2, 1], got {describe(item)}")
        if not LAYERS[0] <= len(shape) <= LAYERS[1] or \
                not all(UNITS[0] <= s <= UNITS[1] for s in shape):  # pyright: ignore[reportOperatorIssue, reportOptionalOperand]  (no None: checked above)
            raise where.error(None, "shapes", f"{'-'.join(map(str, shape))}: a hand exercise has "
                              f"{LAYERS[0]} to {LAYERS[1]} layers of {UNITS[0]} to {UNITS[1]} units")
        shapes.append(shape)
    return tuple(dict.fromkeys(shapes))


def _activations(value, shapes, where):
    choices = []
    for item in _as_list(value):
        names = item if isinstance(item, list) else [item]
        if not names or not all(isinstance(n, str) and n in ACTIVATIONS for n in names):
            raise where.error(None, "activations", f"expected activation names ({', '.join(ACTIVATIONS)}),"
                              f" each a name or a list of one per layer, got {describe(item)}")
        if isinstance(item, list) and len(item) > 1:
            for shape in shapes:
                if len(item) != len(shape) - 1:
                    raise where.error(None, "activations", f"{item} names {len(item)} layers; "
                                      f"shape {'-'.join(map(str, shape))} has {len(shape) - 1} "
                                      f"after the inputs")
        choices.append(tuple(names))
    if not choices:
        raise where.error(None, "activations", "expected at least one choice")
    return tuple(dict.fromkeys(choices))


def _range(table, where, key):
    if not isinstance(table, dict):
        raise where.error(None, key, f"expected a table with range and decimals, got {describe(table)}")
    for field in table:
        if field not in ("range", "decimals"):
            raise where.error(key, field, f"unknown field; [{key}] has range, decimals")
    bounds = table.get("range")
    if not isinstance(bounds, list) or len(bounds) != 2:
        raise where.error(key, "range", "expected [lowest, highest]")
    lo, hi = (_decimal(b, where, key, "range") for b in bounds)
    if not -MAGNITUDE <= lo <= hi <= MAGNITUDE:
        raise where.error(key, "range", f"expected lowest ≤ highest within [-{MAGNITUDE}, "
                          f"{MAGNITUDE}], got [{lo}, {hi}]")
    decimals = table.get("decimals", 0)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= DECIMALS:
        raise where.error(key, "decimals", f"expected a whole number from 0 to {DECIMALS}, "
                          f"got {decimals!r}")
    found = Range(lo, hi, decimals)
    low, high = found.steps
    if low > high:
        raise where.error(key, "range", f"no multiple of {found.value(1)} lies in [{lo}, {hi}]")
    return found


def _asked(value, shapes, where):
    items = _as_list(value)
    if not items or not all(isinstance(i, str) and i.strip() for i in items):
        raise where.error(None, "asked", "expected a list of kinds (net, o, delta, dw, ...) or "
                          "quantity names (delta6, w46_new)")
    for shape in shapes:
        catalog = Catalog(_sketch(shape))
        names = Names(catalog)
        for item in items:
            if item in KINDS:
                continue
            if names.resolve(item) not in catalog.quantities:
                units = ", ".join(catalog.problem.units)
                raise where.error(None, "asked", f"{item!r} is neither a kind ({', '.join(KINDS)})"
                                  f" nor a quantity of the {'-'.join(map(str, shape))} network "
                                  f"(units {units})")
    return tuple(item.strip() for item in items)


def _sketch(shape):
    """A problem of ``shape`` with placeholder numbers: its quantities' names are every draw's."""
    units = shape_units(shape)
    probe = Problem("", units, ("sigmoid",) * (len(units) - 1), {}, (Example((0.5,) * shape[0],
                    (0.5,) * shape[-1]),), 0.5)
    weights = {c.label: 0.1 for c in probe.connections}
    return Problem("", units, probe.activations, weights, probe.examples, 0.5)


_BUILTIN_DATA = tomli.loads(BUILTIN_TEXT, parse_float=Decimal)
BUILTIN = template_from_dict(_BUILTIN_DATA, "built-in template")
