"""The problem and derivation schema: a dict (from TOML, JSON or Python) validated into a Problem and answers.

A file (or dict) states a problem, or names one, and may carry answers::

    title = "Section 7"                           # optional
    problem = "section7"                          # optional: a built-in problem, or a file
                                                  #   (relative to this one); then the tables
                                                  #   below only restate it (and are compared)
    [network]
    layers = [["1", "2", "3"], ["4", "5"], ["6"]] # unit names per layer, inputs first
    activation = "sigmoid"                        # one name, or one per layer
    [weights]                                     # every connection: w<from><to> (w14), or
    w14 = 0.2                                     #   w<from>,<to> when a name is longer
    [biases]                                      # optional; a bias left out is 0
    b4 = -0.4
    [example]                                     # one example ...
    x = [1, 0, 1]
    t = [1]
    [[examples]]                                  # ... or several (instead of [example])
    x = [1, 0, 1]
    t = [1]
    [training]                                    # η, and the rules of the exercise
    eta = 0.9                                     # (eta may also sit in [example])
    loss = "squared_error"                        # or mean_squared_error, cross_entropy
    mode = "online"                               # or batch: Δw summed over the examples
    epochs = 1
    frozen = ["b4", "b5", "b6"]                   # not updated; "biases" for every bias
    delta = "-dE/dnet"                            # the lecture's δ; "dE/dnet" for the other sign
    [given]                                       # quantities given outright (δ of an output …)
    delta6 = 0.032
    [notation]                                    # your names for quantities (see lecture.notation)
    h1 = "o1"
    [answers]                                     # what a person computed
    o4 = 0.332
    delta6 = "0.1311"                             # a string keeps trailing zeros in JSON too
    dw14 = [-0.0078, -0.008]                      # the same quantity written twice
    [answers.example2]                            # with several examples: per example (online),
    net4 = -0.69                                  #   [answers.epoch2.example1] with epochs

Numbers keep the text they were written with (``Written``): the digits decide how closely an
answer must agree. Limits (a hand derivation is small; a file past them is refused before
anything is built): ``LIMITS``.
"""

import math
import reprlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nn import ACTIVATIONS, weight_label
from stepgrad._ground import printable

from .problem import MODES, PROBLEM_LOSSES, Example, Problem
from .reading import Locate
from .written import Unreadable, Written, read_written

__all__ = ["DerivationError", "Answer", "Submission", "problem_from_dict", "submission_from_dict",
           "LIMITS", "TABLES", "SIGN_NAMES"]

TABLES = ("title", "problem", "network", "weights", "biases", "example", "examples", "training",
          "given", "notation", "answers", "exercise")
PROBLEM_TABLES = ("network", "weights", "biases", "example", "examples", "training", "given")
LIMITS = {"layers": 10, "units per layer": 100, "weights": 25_000, "examples": 100,
          "epochs": 100, "updates × weights": 50_000, "answers": 20_000}
SIGN_NAMES = {"-dE/dnet": "lecture", "−dE/dnet": "lecture", "dE/dnet": "gradient"}


class DerivationError(ValueError):
    """A problem or derivation that cannot be read: the message names the file, line, table and field."""


@dataclass(frozen=True)
class Answer:
    """One value a person wrote: the key as written (with its table: example2.net4), the number,
    and the line it is on."""

    key: str
    value: Written
    line: int | None = None


@dataclass(frozen=True, eq=False)
class Submission:
    """Someone's answers to a problem, in their own notation.

    ``restated`` holds the givens the file writes out itself (weights, x, t, η) when the problem
    comes from elsewhere: each is compared with the problem's.
    """

    problem: Problem
    answers: "tuple[Answer, ...]" = ()          # in the order written
    notation: "dict[str, str] | None" = None   # writer's name (or pattern) → canonical name
    restated: "tuple[Answer, ...]" = ()         # a given as the file writes it (w46, x1, t6, eta)
    title: str = ""
    source: str = "derivation"
    exercise: "dict[str, Any] | None" = None     # the [exercise] table of a classroom file: id, student, …
    extras: "tuple[tuple[str, str], ...]" = ()    # (field, text): what the file holds besides answers (notes = "…"),
                              #   kept and shown, not graded
    notes: "tuple[str, ...]" = ()     # how the file was read, when not as written (an encoding, a line)


class _Where:
    """Builds error messages that name the file, the line (when known), the table and the key."""

    def __init__(self, source, locate):
        self.source, self.locate = source, locate

    def line(self, table, key):
        return self.locate(table, key) if self.locate else None

    def error(self, table, key, problem):
        """An error about ``key`` in ``table``; with table None, ``key`` is a top-level key
        (a table shown as [key], or a plain key such as title)."""
        line = self.line(table, key)
        place = f"{self.source}:{line}" if line else self.source
        key = key if len(str(key)) <= MAX_NAME else f"{str(key)[:MAX_NAME - 1]}…"
        if table:
            field = f"[{table}] {key}"
        else:
            field = key if key in ("title", "problem") else f"[{key}]"
        return DerivationError(f"{place}: {field}: {problem}")


def describe(value: object) -> str:
    """How an error message names a value it did not expect: the string "abc", a table, int."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _number(value, where, table, key):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            raise where.error(table, key, "the number is too large for a float") from None
        if not math.isfinite(number):
            raise where.error(table, key, f"{value!r} is not a finite number")
        return number
    raise where.error(table, key, f"expected a number, got {describe(value)}")


def _table(data, name, where):
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise where.error(None, name, f"expected a table, got {describe(value)}")
    return value


def _only(table, name, fields, where):
    for key in table:
        if key not in fields:
            raise where.error(name, key, f"unknown field; [{name}] has {', '.join(fields)}")


def problem_from_dict(data: Any, source: str = "problem", locate: "Locate | None" = None) -> Problem:
    """Validate ``data`` (the schema above, answers ignored) into a Problem."""
    where = _Where(source, locate)
    _check_top(data, where)
    return _problem(data, where, source)


def _check_top(data, where):
    if not isinstance(data, dict):
        raise DerivationError(f"{where.source}: expected a table (an object) at the top, "
                              f"got {describe(data)}")
    for key in data:
        if key not in TABLES:
            raise where.error(None, key, f"unknown table; the tables are {', '.join(TABLES)}")
    title = data.get("title", "")
    if not isinstance(title, str):
        raise where.error(None, "title", f"expected a string, got {describe(title)}")


def _problem(data, where, name):
    for table in ("network", "weights"):
        if table not in data:
            raise DerivationError(f"{where.source}: missing table [{table}]")
    training = _table(data, "training", where)
    _only(training, "training", ("eta", "loss", "mode", "epochs", "frozen", "delta", "digits"), where)
    given = _given(_table(data, "given", where), where)
    names, activations = _network(_table(data, "network", where), where)
    weights = _weights(_table(data, "weights", where), _table(data, "biases", where), names,
                       where, partial=bool(given))
    examples, eta = _examples(data, names, where, partial=bool(given))
    if "eta" in training:
        if eta is not None:
            raise where.error("training", "eta", "η is given twice, in [example] and [training]")
        eta = training["eta"]
        eta = _number(eta, where, "training", "eta")
    if eta is None:
        raise where.error(None, "training", "missing eta (the learning rate η)")
    if not eta > 0:
        raise where.error("training" if "eta" in training else "example", "eta",
                          f"the learning rate must be positive, got {eta!r}")
    loss = _choice(training, "loss", PROBLEM_LOSSES, "squared_error", where)
    mode = _choice(training, "mode", MODES, "online", where)
    delta = training.get("delta", "-dE/dnet")
    sign = SIGN_NAMES.get(delta) if isinstance(delta, str) else None
    if sign is None:
        raise where.error("training", "delta", f"expected \"-dE/dnet\" (the lecture's δ) or "
                          f"\"dE/dnet\", got {describe(training['delta'])}")
    epochs = training.get("epochs", 1)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= LIMITS["epochs"]:
        raise where.error("training", "epochs", f"expected a whole number from 1 to "
                          f"{LIMITS['epochs']}, got {describe(epochs) if not isinstance(epochs, int) else epochs}")
    frozen = _frozen(training.get("frozen", []), weights, where)
    digits = training.get("digits")
    if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int)
                               or not 1 <= digits <= 17):
        raise where.error("training", "digits", f"expected the significant digits asked, a whole "
                          f"number from 1 to 17, got {describe(digits)}")
    updates = epochs * (len(examples) if mode == "online" else 1)
    if updates * len(weights) > LIMITS["updates × weights"]:
        raise where.error("training", "epochs", f"{updates} updates of {len(weights)} weights "
                          f"and biases is more than a hand derivation has (at most "
                          f"{LIMITS['updates × weights']:,} in all)")
    if given and (len(examples) > 1 or epochs > 1):
        raise where.error(None, "given", "given quantities need a problem with one example and "
                          "one epoch")
    if loss == "cross_entropy":
        for d, example in enumerate(examples):
            if any(t is not None and not 0.0 <= t <= 1.0 for t in example.t):
                raise where.error("example" if len(examples) == 1 else "examples", "t",
                                  f"example {d + 1}: cross-entropy needs targets in [0, 1]")
    return Problem(data.get("title", ""), names, activations, weights, examples, eta, loss, mode,
                   epochs, frozen, sign, given, name, digits)


def _choice(table, key, choices, default, where):
    value = table.get(key, default)
    if value not in choices:
        raise where.error("training", key, f"expected one of {', '.join(choices)}, got {describe(value)}")
    return value


def _network(table, where):
    _only(table, "network", ("layers", "activation"), where)
    layers = table.get("layers")
    if not isinstance(layers, list) or len(layers) < 2 or not all(isinstance(l, list) and l for l in layers):
        raise where.error("network", "layers", "expected a list of at least two non-empty lists "
                          "of unit names, inputs first: [[\"1\", \"2\", \"3\"], [\"4\", \"5\"], [\"6\"]]")
    if len(layers) > LIMITS["layers"]:
        raise where.error("network", "layers", f"{len(layers)} layers; at most {LIMITS['layers']}")
    names = []
    for k, layer in enumerate(layers):
        if len(layer) > LIMITS["units per layer"]:
            raise where.error("network", "layers", f"layer {k} has {len(layer)} units; at most "
                              f"{LIMITS['units per layer']}")
        row = []
        for name in layer:
            if isinstance(name, int) and not isinstance(name, bool) and 0 <= name < 10**6:
                name = str(name)
            if not isinstance(name, str) or not name.isascii() or not name.isalnum() or len(name) > 12:
                shown = repr(name[:20]) if isinstance(name, str) else describe(name)
                raise where.error("network", "layers", f"layer {k}: unit names are up to 12 ASCII "
                                  f"letters and digits, got {shown}")
            row.append(name)
        names.append(tuple(row))
    for k, layer in enumerate(names):
        if len(set(layer)) != len(layer):
            raise where.error("network", "layers", f"layer {k} names a unit twice: {list(layer)}")
    seen = {}
    for k, layer in enumerate(names[1:], 1):
        for name in layer:
            if name in seen:
                raise where.error("network", "layers", f"unit {name} is in layers {seen[name]} "
                                  f"and {k}; units after the inputs need distinct names")
            seen[name] = k
    count = sum(len(a) * len(b) + len(b) for a, b in zip(names, names[1:]))
    if count > LIMITS["weights"]:
        raise where.error("network", "layers", f"{count:,} weights and biases; a derivation has "
                          f"at most {LIMITS['weights']:,}")
    activation = table.get("activation", "sigmoid")
    activations = [activation] * (len(names) - 1) if isinstance(activation, str) else activation
    if not isinstance(activations, list) or len(activations) != len(names) - 1:
        raise where.error("network", "activation", f"expected one name or a list of "
                          f"{len(names) - 1} (one per layer after the inputs)")
    for name in activations:
        if name not in ACTIVATIONS:
            raise where.error("network", "activation", f"unknown activation {describe(name)}; "
                              f"choose from {', '.join(ACTIVATIONS)}")
    return tuple(names), tuple(activations)


def _connected(names):
    found = {}
    for k in range(1, len(names)):
        for target in names[k]:
            for source in names[k - 1]:
                found[weight_label(source, target)] = (source, target)
    return found


def canonical_weight(label):
    """w1,4 → w14: the comma form is accepted for any names."""
    if label.startswith("w") and label.count(",") == 1:
        source, target = label[1:].split(",")
        return weight_label(source, target)
    return label


def _weights(weights, biases, names, where, partial=False):
    connected = _connected(names)
    values = {}
    for label, value in weights.items():
        key = label if label in connected else canonical_weight(label)
        if key not in connected:
            raise where.error("weights", label, _not_a_weight(label, names))
        if key in values:
            raise where.error("weights", label, f"{key} is given twice")
        values[key] = _number(value, where, "weights", label)
    missing = [label for label in connected if label not in values]
    if missing and not partial:
        raise where.error(None, "weights", f"missing weight{'s' * (len(missing) > 1)} "
                          f"{', '.join(missing[:8])}{' …' if len(missing) > 8 else ''}; every "
                          f"connection needs one")
    units = [name for layer in names[1:] for name in layer]
    for label, value in biases.items():
        if not label.startswith("b") or label[1:] not in units:
            shown = ", ".join("b" + u for u in units[:8]) + (" …" if len(units) > 8 else "")
            raise where.error("biases", label, f"not a bias: biases are b<unit> for the units "
                              f"after the inputs: {shown}")
        values[label] = _number(value, where, "biases", label)
    ordered = {}
    for k in range(1, len(names)):
        for target in names[k]:
            for source in names[k - 1]:
                ordered[weight_label(source, target)] = values.get(weight_label(source, target))
            ordered[f"b{target}"] = values.get(f"b{target}", 0.0)
    return ordered


def _not_a_weight(label, names):
    """Why ``label`` names no connection: an unknown unit, or units that are not connected."""
    all_units = {name for layer in names for name in layer}
    listing = ", ".join(list(dict.fromkeys(name for layer in names for name in layer))[:20])
    if not label.startswith("w") or len(label) < 3:
        return "not a weight name: weights are w<from><to> (w14) or w<from>,<to> (w4,12)"
    rest = label[1:]
    splits = [tuple(rest.split(","))] if "," in rest else [(rest[:i], rest[i:]) for i in range(1, len(rest))]
    for source, target in splits:
        if source in all_units and target in all_units:
            return (f"units {source} and {target} are not connected: a weight joins a unit to one "
                    f"in the next layer")
    for source, target in splits:
        unknown = [u for u in (source, target) if u not in all_units]
        if len(unknown) == 1:
            return f"no unit named {unknown[0][:20]!r}; the units are {listing}"
    return f"names no connection between units; the units are {listing}"


def _examples(data, names, where, partial=False) -> "tuple[tuple[Example, ...], float | None]":
    """The examples and η if [example] gives it (else None)."""
    if "example" in data and "examples" in data:
        raise where.error(None, "examples", "give [example] (one) or [[examples]] (several), not both")
    if "examples" in data:
        items = data["examples"]
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            raise where.error(None, "examples", "expected a list of tables with x and t")
        if len(items) > LIMITS["examples"]:
            raise where.error(None, "examples", f"{len(items)} examples; at most {LIMITS['examples']}")
        table, eta = "examples", None
        for item in items:
            _only(item, "examples", ("x", "t"), where)
    elif "example" in data:
        item = _table(data, "example", where)
        _only(item, "example", ("x", "t", "eta"), where)
        items, table = [item], "example"
        eta = _number(item["eta"], where, "example", "eta") if "eta" in item else None
    else:
        raise DerivationError(f"{where.source}: missing table [example] (x, t)")
    examples = []
    for d, item in enumerate(items):
        label = "" if len(items) == 1 else f"example {d + 1}: "
        values = []
        for key, units in (("x", names[0]), ("t", names[-1])):
            if key not in item:
                if partial:
                    values.append((None,) * len(units))
                    continue
                raise where.error(None, table, f"{label}missing {key}")
            v = item[key]
            if not isinstance(v, list):
                v = [v]
            if len(v) != len(units):
                what = "inputs" if key == "x" else "targets"
                raise where.error(table, key, f"{label}{len(v)} {what} for {len(units)} "
                                  f"{'input' if key == 'x' else 'output'} units")
            values.append(tuple(_number(n, where, table, key) for n in v))
        examples.append(Example(*values))
    return tuple(examples), eta


def _frozen(value, weights, where):
    if value == "biases":
        return frozenset(label for label in weights if label.startswith("b"))
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise where.error("training", "frozen", f"expected \"biases\" or a list of weight "
                          f"and bias names, got {describe(value)}")
    frozen = set()
    for label in value:
        key = canonical_weight(label) if isinstance(label, str) else None
        if key not in weights:
            raise where.error("training", "frozen", f"{describe(label)} is not a weight or bias "
                              f"of this network")
        frozen.add(key)
    return frozenset(frozen)


def _given(table, where):
    given = {}
    for key, value in table.items():
        given[key] = _number(value, where, "given", key)
    return given


# -- answers -----------------------------------------------------------------------------

def submission_from_dict(data: Any, source: str = "derivation", locate: "Locate | None" = None,
                         problem: Problem | None = None, resolve: "Callable[[str], Problem] | None" = None,
                         lenient: bool = False, notes: "Sequence[str]" = ()) -> Submission:
    """Validate ``data`` into a Submission.

    The problem is ``problem`` when given (the file's own problem tables then only restate it),
    else the one the file names (``problem = "..."``, looked up with ``resolve(name)``), else
    the one the file states. ``lenient`` (a student's file): a field besides the schema's is
    kept as an extra (shown, not graded), and an answer that cannot be read is kept as
    Unreadable, for that answer only; ``notes`` say how the file was read.
    """
    where = _Where(source, locate)
    extras = []
    if lenient and isinstance(data, dict):
        loose = {}          # values written outside [answers] (at the top, or in a table of the
        for key in [k for k in data if k not in TABLES]:    # student's own): answers too
            value = data[key]
            if isinstance(value, dict):
                found = {k: v for k, v in value.items() if _numeric(v)}
                loose.update((k, v) for k, v in found.items() if k not in loose)
                rest = {k: v for k, v in value.items() if k not in found}
                if rest:
                    extras.append((key, _shown(rest)))
            elif _numeric(value) and not _is_note(key, value):
                loose.setdefault(key, value)
            else:
                extras.append((key, _shown(value)))
        data = {k: v for k, v in data.items() if k in TABLES}
        if loose:
            answers = data.get("answers", {})
            if isinstance(answers, dict):
                data["answers"] = {**{k: v for k, v in loose.items() if k not in answers},
                                   **answers}
        if not isinstance(data.get("title", ""), str):
            extras.append(("title", _shown(data.pop("title"))))
        elif len(data.get("title", "")) > MAX_TITLE:
            data["title"] = _shown(data["title"])[:MAX_TITLE - 1] + "…"
    _check_top(data, where)
    named = data.get("problem")
    if named is not None and not isinstance(named, str):
        raise where.error(None, "problem", f"expected the name of a problem or a file, got {describe(named)}")
    if problem is None and named is not None:
        if resolve is None:
            raise where.error(None, "problem", "cannot look up a problem here")
        problem = resolve(named)
    restated = ()
    if problem is None:
        problem = _problem(data, where, source)
    elif any(table in data for table in PROBLEM_TABLES):
        restated = _restated(data, problem, where)
    notation = _notation(_table(data, "notation", where), where)
    answers = _answers(_table(data, "answers", where), where, lenient=extras if lenient else None)
    exercise = _exercise(_table(data, "exercise", where), where)
    return Submission(problem, answers, notation, restated, data.get("title", "") or problem.title,
                      source, exercise, _few(extras), tuple(notes))


# a field of [answers] that holds words, not a value: kept and shown, not graded
NOTE_FIELDS = ("notes", "note", "comment", "comments", "remarks", "remark", "name", "student",
               "email", "explanation", "working", "work", "method", "id")


# A student's file is shown back within bounds: the reports never repeat it at length.
MAX_NAME = 100          # characters of an answer's name; a longer one names nothing
MAX_TITLE = 200         # characters of a title shown
MAX_EXTRAS = 20         # fields kept as written (then one "… and N more")
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxstring, _SHORT.maxother = 3, 8, 8, 200, 60


def _shown(value):
    """An extra field's value as text to show: printable, at most 200 characters (a table or
    list is summed up without its whole text being made)."""
    text = value[:201] if isinstance(value, str) else _SHORT.repr(value)
    text = printable(text)
    return text if len(text) <= 200 else text[:199] + "…"


def _few(extras):
    """The first ``MAX_EXTRAS`` extras, and a last one that counts the rest."""
    if len(extras) <= MAX_EXTRAS:
        return tuple(extras)
    return (*extras[:MAX_EXTRAS], ("…", f"and {len(extras) - MAX_EXTRAS:,} more fields, not shown"))


def _numeric(value):
    """A value a student may mean as an answer: a number, or a string with a digit in it."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and any(c.isdigit() for c in value) and len(value) <= 60


def _is_note(key, value):
    """A field of [answers] that holds words (notes = "…"), not a value."""
    if key.strip().lower() in NOTE_FIELDS:
        return True
    # NOTE: words under a name without a digit (explanation, remarks); words under a quantity's
    # name (o5 = "about a half") are an unreadable value
    return isinstance(value, str) and len(value.split()) >= 3 and len(key) > 2 \
        and not any(c.isdigit() for c in key) and sum(c.isalpha() for c in value) > 5


def _exercise(table, where):
    """The [exercise] table: strings, numbers and lists of strings only (id, student, asked, …)."""
    for key, value in table.items():
        ok = isinstance(value, (str, int, float)) and not isinstance(value, bool) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value))
        if not ok:
            raise where.error("exercise", key, f"expected a string, a number or a list of names, "
                              f"got {describe(value)}")
    return dict(table)


def _restated(data, problem, where):
    """The givens the file writes out, as answers named like the problem's (w46, b6, x1, t6, eta)."""
    found = []
    names = problem.unit_names

    def add(key, value, table, field):
        found.append(Answer(key, _written(value, where, table, field), where.line(table, field)))

    network = _table(data, "network", where)
    if "layers" in network:
        theirs, _ = _network(network, where)
        if theirs != names:
            raise where.error("network", "layers", f"the network {[list(l) for l in theirs]} is not "
                              f"the problem's {[list(l) for l in names]}")
    connected = _connected(names)
    for label, value in _table(data, "weights", where).items():
        key = canonical_weight(label)
        if key not in connected:
            raise where.error("weights", label, _not_a_weight(label, names))
        add(key, value, "weights", label)
    for label, value in _table(data, "biases", where).items():
        if label not in problem.weights:
            raise where.error("biases", label, "not a bias of this network")
        add(label, value, "biases", label)
    if "example" in data:
        example = _table(data, "example", where)
        for key, units, prefix in (("x", names[0], "x"), ("t", names[-1], "t")):
            values = example.get(key)
            if values is None:
                continue
            values = values if isinstance(values, list) else [values]
            if len(values) != len(units):
                raise where.error("example", key, f"{len(values)} values for {len(units)} units")
            for unit, value in zip(units, values):
                name = problem.input_label(unit) if key == "x" else problem.target_label(unit)
                add(name, value, "example", key)
        if "eta" in example:
            add("eta", example["eta"], "example", "eta")
    if "eta" in _table(data, "training", where):
        add("eta", data["training"]["eta"], "training", "eta")
    return tuple(found)


def _notation(table, where):
    notation = {}
    for key, value in table.items():
        if not isinstance(value, str):
            raise where.error("notation", key, f"expected the name of a quantity (a string), got "
                              f"{describe(value)}")
        notation[key.strip()] = value.strip()
    return notation


def _answers(table, where, prefix="", lenient=None, answers=None):
    """The answers of [answers] (and its tables). ``lenient``, a list: fields of words go into it
    as extras, and a value that cannot be read is Unreadable (that answer only). ``answers``:
    the list the answers are added to, so that the limit counts those of every table."""
    answers = [] if answers is None else answers
    for key, value in table.items():
        if lenient is not None and len(key) > MAX_NAME:
            lenient.append((_shown(key), "a name this long names nothing: not graded"))
            continue
        if lenient is not None and not isinstance(value, dict) and _is_note(key, value):
            lenient.append((f"{prefix[1:]}.{key}" if prefix else key, _shown(value)))
            continue
        if not key.isprintable():
            raise where.error(f"answers{prefix}", printable(key), "a name with a control "
                              "character (a line break, an escape) names nothing")
        if isinstance(value, dict):
            if prefix.count(".") >= 2:
                raise where.error(f"answers{prefix}", key, "tables of answers nest at most two deep "
                                  "([answers.epoch2.example1])")
            _answers(value, where, f"{prefix}.{key}", lenient, answers)
            continue
        line = where.line(f"answers{prefix}", key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and not item.strip():
                continue            # a blank left in an answer template: not answered
            if len(answers) == LIMITS["answers"]:
                raise where.error(f"answers{prefix}", key,
                                  f"more than {LIMITS['answers']:,} answers")
            try:
                written = _written(item, where, f"answers{prefix}", key)
            except DerivationError as error:
                if lenient is None:
                    raise
                written = Unreadable(item if isinstance(item, str) else describe(item),
                                     str(error).rsplit(f"{key}: ", 1)[-1])
            answers.append(Answer(f"{prefix[1:]}.{key}" if prefix else key, written, line))
    return tuple(answers)


def _written(value, where, table, key):
    if isinstance(value, Written):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise where.error(table, key, f"expected a number (or a number in a string), "
                          f"got {describe(value)}")
    if isinstance(value, int) and abs(value) > 10**300:
        raise where.error(table, key, "the number is too large for a float")
    try:
        if isinstance(value, str):
            return read_written(value)
        return Written(repr(value) if isinstance(value, float) else str(value))
    except ValueError as error:
        raise where.error(table, key, str(error)) from None
