"""Exercises drawn from a template, one per student: the same (template, class seed, student) always
gives the same numbers, on any machine.

A student's seed is the first 48 bits of SHA-256 over the class seed and the student id
(``exercise_seed``); every number is then drawn from SHA-256 in counter mode over that seed, so
nothing depends on Python's ``hash()`` or on ``random``'s algorithms. Weights, biases, inputs
and targets are short decimals (the template's ranges and decimals), so the hand arithmetic is
humane. A draw is thrown away and the next one taken when it is degenerate:

- a weight of 0 (a connection that carries nothing), or every input 0; unless the template
  allows zeros, a bias or an input of 0 (it hides typical mistakes: x = 0 hides η and the
  update's sign in Δw, b = 0 a forgotten bias);
- two units of a layer with the same weights and bias (the same arithmetic twice);
- a net within 10⁻⁹ of 0: at relu's kink the derivative is undefined, and a net that is 0 in
  decimal arithmetic is not quite 0 in binary (0.2 − 0.5 + 0.3), so its key would be noise;
- any |δ| below the template's ``min_delta``: a dead relu, a saturated σ or tanh whose δ is
  all but 0, an output already at its target, a hidden unit whose outgoing weights cancel;
- an update that does not lower E (the verification pass would show the error growing);
- an asked value that a student who rounds each asked value to the digits asked misses by
  more than ten units of its last digit (w_new = −0.1 + 0.1000 cancels to 0.000008455);
- an asked value within a millionth of a unit of a rounding tie at the digits asked, so the
  key reads the same whatever the last bit of the machine's exp().
"""

import hashlib
import math
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from lecture import KINDS, Catalog, Example, Names, Problem, exact_values
from nn import weight_label
from stepgrad._ground import decimal, quantum

from .template import Template, shape_units

__all__ = ["Exercise", "ExerciseError", "generate", "draw", "exercise_seed", "PARTS", "MAX_DRAWS"]

MAX_DRAWS = 2000
_DOMAIN = b"stepgrad.exercise/1"
# The lecture's parts, and the kinds each one computes.
PARTS = (("forward", "Forward pass", ("net", "o", "slope")),
         ("error", "Error", ("E",)),
         ("backward", "Backward pass: error terms", ("signal", "delta", "dEdo", "dEdnet", "dEdw")),
         ("updates", "Weight updates", ("dw", "w_new")),
         ("verification", "Verification: a forward pass with the new weights",
          ("net_new", "o_new", "signal_new", "E_new")))


class ExerciseError(ValueError):
    """A template that gives no usable exercise (every draw was degenerate)."""


@dataclass(frozen=True, eq=False)
class Exercise:
    """One student's exercise: the problem, what is asked, and to how many significant digits.

    ``asked`` holds canonical quantity names in the lecture's order; ``key`` maps each to its
    exact value rounded to ``digits`` significant digits, as text (``"-0.7000"``).
    """

    id: str
    student: str            # "" for an exercise made from a seed alone
    seed: int
    template: str
    problem: Problem
    asked: "tuple[str, ...]"
    digits: int
    catalog: Catalog = field(repr=False)
    values: "dict[str, float]" = field(repr=False)      # name → the engine's exact value (every quantity)

    @property
    def key(self) -> "dict[str, str]":
        """name → the exact value to the digits asked, as text, for every asked quantity."""
        return {name: decimal(self.values[name], self.digits) for name in self.asked}

    def table(self) -> "dict[str, str | int | list[str]]":
        """The [exercise] table of every file made for this exercise."""
        return {"id": self.id, "student": self.student, "seed": self.seed,
                "template": self.template, "asked": list(self.asked), "digits": self.digits}

    def parts(self, names: "Collection[str] | None" = None) -> "list[tuple[str, str, list[str]]]":
        """``names`` (the asked ones by default) grouped by the lecture's parts:
        [(part id, heading, [names in the lecture's order])], empty parts left out."""
        names = self.asked if names is None else names
        found = []
        for part, heading, kinds in PARTS:
            inside = [n for n in names if self.catalog.quantities[n].kind.name in kinds]
            if inside:
                found.append((part, heading, inside))
        return found


def exercise_seed(class_seed: int, student: str = "") -> int:
    """The seed of ``student``'s exercise in a class seeded ``class_seed``: 48 bits of SHA-256.

    >>> exercise_seed(2024, "alice")
    111775098698549
    """
    data = _DOMAIN + b"\0" + str(int(class_seed)).encode() + b"\0" + str(student).encode("utf-8")
    return int.from_bytes(hashlib.sha256(data).digest()[:6], "big")


def generate(template: Template, student: str = "", class_seed: int = 0) -> Exercise:
    """``student``'s exercise from ``template`` in the class seeded ``class_seed``."""
    return draw(template, exercise_seed(class_seed, student), student)


def draw(template: Template, seed: int, student: str = "") -> Exercise:
    """The exercise that ``seed`` gives: the first draw of the template that is not degenerate."""
    stream = _Stream(seed)
    reasons = Counter()
    ident = f"{template.name}-{seed:012x}"
    for _ in range(MAX_DRAWS):
        problem = _draw_problem(template, stream, student, ident)
        catalog = Catalog(problem)
        asked = _asked(template, catalog)
        reason, values = _degenerate(problem, catalog, template, asked)
        if reason is not None:
            reasons[reason] += 1
            continue
        assert values is not None   # a draw that is not degenerate has its values
        return Exercise(ident, student, seed, template.name, problem, asked, template.digits,
                        catalog, values)
    common = ", ".join(f"{why} ({n})" for why, n in reasons.most_common(3))
    raise ExerciseError(f"{template.source}: no usable exercise in {MAX_DRAWS} draws (seed "
                        f"{seed}); the draws were degenerate: {common}. Widen the ranges, add "
                        f"decimals or lower min_delta")


class _Stream:
    """Whole numbers from SHA-256 in counter mode: the same on every machine and Python."""

    def __init__(self, seed):
        self.prefix = _DOMAIN + b"\0" + int(seed).to_bytes(8, "big")
        self.counter = 0

    def below(self, n):
        """A whole number in [0, n), uniformly (rejection sampling over 64 bits)."""
        limit = (1 << 64) - (1 << 64) % n
        while True:
            self.counter += 1
            block = hashlib.sha256(self.prefix + self.counter.to_bytes(8, "big")).digest()
            value = int.from_bytes(block[:8], "big")
            if value < limit:
                return value % n

    def choice(self, items):
        return items[self.below(len(items))]

    def number(self, allowed, nonzero=False):
        """A Decimal from a template Range (never 0 with ``nonzero``)."""
        lo, hi = allowed.steps
        while True:
            k = lo + self.below(hi - lo + 1)
            if k or not nonzero:
                return allowed.value(k)


def _draw_problem(template, stream, student, name):
    shape = stream.choice(template.shapes)
    activations = stream.choice(template.choices(shape))
    loss = stream.choice(template.losses)
    eta = stream.choice(template.etas)
    units = shape_units(shape)
    weights = {}
    for k in range(1, len(units)):
        for target in units[k]:
            for source in units[k - 1]:
                weights[weight_label(source, target)] = stream.number(template.weights, nonzero=True)
            weights[f"b{target}"] = stream.number(template.biases, nonzero=not template.zeros)
    drawn = []
    for _ in range(template.examples):
        x = tuple(stream.number(template.inputs, nonzero=not template.zeros) for _ in units[0])
        t = tuple(stream.number(template.targets) for _ in units[-1])
        drawn.append((x, t))
    # NOTE: floats made from the decimal text, exactly as a reader of the exercise file makes them
    as_float = lambda d: float(str(d))
    title = template.title + (f" ({student})" if student else "")
    frozen = set()
    for item in template.frozen:
        frozen.update(k for k in weights if k.startswith("b")) if item == "biases" else \
            frozen.add(item)
    return Problem(title, units, activations, {k: as_float(v) for k, v in weights.items()},
                   tuple(Example(tuple(map(as_float, x)), tuple(map(as_float, t)))
                         for x, t in drawn), as_float(eta),
                   loss=loss, mode=template.mode, epochs=template.epochs,
                   frozen=frozenset(frozen & set(weights)), sign=template.sign, name=name)


def _asked(template, catalog):
    """The asked kinds and names as canonical names, in the lecture's order."""
    names = Names(catalog)
    found = set()
    for item in template.asked:
        if item in KINDS:
            found.update(n for n, q in catalog.quantities.items() if q.kind.name == item
                         and not (q.frozen and q.kind.name in ("dw", "w_new")))
        else:
            found.add(names.resolve(item))
    return tuple(sorted(found, key=catalog.position))


def _degenerate(problem, catalog, template, asked):
    """(why this draw is not used, a short phrase, or None; the exact values, if computed)."""
    if not any(problem.x):
        return "every input 0", None
    for layer in problem.unit_names[1:]:
        rows = [tuple(problem.weights[c.label] for c in problem.connections if c.target == unit)
                for unit in layer]
        if len(set(rows)) < len(rows):
            return "two units with the same weights", None
    try:
        values = exact_values(problem, catalog)
    except (ArithmeticError, ValueError):
        return "a value out of range", None
    for name, q in catalog.quantities.items():
        value = values[name]
        if not math.isfinite(value):
            return "a value out of range", None
        if q.kind.name in ("net", "net_new") and abs(value) < 1e-9:
            return "a net of 0", None
        if q.kind.name == "delta" and abs(value) < template.min_delta:
            return "a δ below min_delta", None
    if "E_new" in values and "E" in values and values["E_new"] >= values["E"]:
        return "an update that does not lower E", None
    for name in asked:
        if _near_tie(values[name], template.digits):
            return "a value on a rounding tie", None
    if not _reachable(catalog, values, asked, template.digits):
        return "a value lost to cancellation", None
    return None, values


def _reachable(catalog, values, asked, digits):
    """True when each asked value, computed from the earlier asked values rounded to ``digits``
    (as a student writes them), lands within ten units of its last digit of the exact value."""
    asked = set(asked)
    path = dict(catalog.constants)
    for name, q in catalog.quantities.items():
        value = q.evaluate([path[i] for i in q.inputs])
        if name in asked:
            key = Decimal(decimal(values[name], digits))
            exponent = key.as_tuple().exponent
            assert isinstance(exponent, int)   # a finite key ('n', 'N', 'F': NaN, inf)
            if abs(Decimal(value) - Decimal(values[name])) > 10 * Decimal(1).scaleb(exponent):
                return False
            value = float(key)
        path[name] = value
    return True


def _near_tie(x, digits):
    """True when ``x`` is within 10⁻⁶ of a unit of the last digit from a rounding tie."""
    if x == 0:
        return False
    exact = abs(Decimal(x))
    scaled = exact / quantum(exact, digits)
    return abs(scaled - int(scaled) - Decimal("0.5")) < Decimal("1e-6")
