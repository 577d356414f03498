"""A derivation to check: a network in the lecture's unit names, one example, and hand-computed values.

The schema (the same as a TOML table, a JSON object or a Python dict)::

    title = "Section 7"                           # optional
    [network]
    layers = [["1", "2", "3"], ["4", "5"], ["6"]] # unit names per layer, inputs first
    activation = "sigmoid"                        # optional: one name, or one per layer
    [weights]                                     # every connection, named w<from><to>
    w14 = 0.2                                     # (w<from>,<to> when a name is longer)
    [biases]                                      # optional; a bias left out is 0
    b4 = -0.4
    [example]
    x = [1, 0, 1]
    t = [1]
    eta = 0.9
    [answers]                                     # optional: what a person computed (nn.derivation)
    o4 = 0.332
    delta6 = "0.1311"                             # a string keeps trailing zeros in JSON too
    dw14 = [-0.0078, -0.008]                      # the same quantity written twice

Numbers keep the text they were written with (``Written``), since the digits written decide
how closely an answer must agree.
"""

import decimal
import math
from dataclasses import dataclass

from nn.layers import ACTIVATIONS, MLP, weight_label

__all__ = ["Derivation", "DerivationError", "Written", "Answer", "Connection", "derivation_from_dict",
           "TABLES"]

TABLES = ("title", "network", "weights", "biases", "example", "answers")


class DerivationError(ValueError):
    """A derivation that cannot be read: the message names the file, line, table and field."""


class Written(float):
    """A number as it was written: ``float(w)`` its value, ``w.text`` its text, ``w.unit`` one
    unit in its last written digit (0.001 for 0.400, 1 for 3), ``w.digits`` how many
    significant digits it has (3 for 0.400)."""

    def __new__(cls, text):
        text = str(text).strip()
        try:
            number = decimal.Decimal(text.replace("_", ""))
        except decimal.InvalidOperation:
            raise ValueError(f"{text!r} is not a number") from None
        if not number.is_finite():
            raise ValueError(f"{text!r} is not a finite number")
        self = super().__new__(cls, float(number))
        self.text = text
        digits = number.as_tuple()
        self.unit = 10.0 ** digits.exponent
        self.digits = len(digits.digits)    # significant digits (a written 0 counts as one)
        return self

    def __repr__(self):
        return self.text


@dataclass(frozen=True)
class Answer:
    """One value a person wrote: the key as written and the number."""

    key: str
    value: Written
    line: int = None


@dataclass(frozen=True)
class Connection:
    """A weight (or bias, source None) into unit ``target`` of layer ``layer`` (1 = first hidden)."""

    label: str
    source: str
    target: str
    layer: int
    index: int            # the source's position in its layer; None for a bias


@dataclass(frozen=True)
class Derivation:
    """A network with given weights, one example (x, t, η) and the answers to check."""

    title: str
    unit_names: tuple     # tuple of tuples of str, inputs first
    activations: tuple    # one per layer after the inputs
    weights: dict         # label → float, every connection (w14) and bias (b4)
    x: tuple
    t: tuple
    eta: float
    answers: tuple        # Answer, in the order written
    source: str = "derivation"

    @property
    def connections(self):
        """Every weight and bias, layer by layer, unit by unit, the bias after the weights."""
        found = []
        for k in range(1, len(self.unit_names)):
            for target in self.unit_names[k]:
                for index, source in enumerate(self.unit_names[k - 1]):
                    found.append(Connection(weight_label(source, target), source, target, k, index))
                found.append(Connection(f"b{target}", None, target, k, None))
        return found

    def network(self):
        """A fresh MLP with these weights."""
        sizes = [len(layer) for layer in self.unit_names]
        weights = [[[self.weights[weight_label(s, t)] for s in self.unit_names[k - 1]]
                    for t in self.unit_names[k]] for k in range(1, len(sizes))]
        biases = [[self.weights[f"b{t}"] for t in self.unit_names[k]] for k in range(1, len(sizes))]
        return MLP(sizes[0], sizes[1:], activation=list(self.activations), weights=weights,
                   biases=biases, unit_names=[list(layer) for layer in self.unit_names])

    @classmethod
    def from_example(cls, example, answers=()):
        """The derivation of a built-in ``WorkedExample`` (nn.EXAMPLES), with no answers."""
        names = tuple(tuple(layer) for layer in example.unit_names)
        weights = {}
        for k in range(1, len(names)):
            for j, target in enumerate(names[k]):
                for i, source in enumerate(names[k - 1]):
                    weights[weight_label(source, target)] = float(example.weights[k - 1][j][i])
                weights[f"b{target}"] = float(example.biases[k - 1][j])
        return cls(example.title, names, ("sigmoid",) * (len(names) - 1), weights,
                   tuple(map(float, example.x)), tuple(map(float, example.t)), float(example.eta),
                   tuple(answers), example.name)


def derivation_from_dict(data, source="derivation", locate=None):
    """Validate ``data`` (the schema above) into a Derivation.

    ``locate(table, key)`` may give the line of a field for error messages. Numbers may be
    ``Written`` (their text kept), ints or floats (``repr`` is taken as written).
    """
    where = _Where(source, locate)
    if not isinstance(data, dict):
        raise DerivationError(f"{source}: expected a table (an object) at the top, "
                              f"got {type(data).__name__}")
    for key in data:
        if key not in TABLES:
            raise where.error(None, key, f"unknown table; the tables are {', '.join(TABLES)}")
    for table in ("network", "weights", "example"):
        if table not in data:
            raise DerivationError(f"{source}: missing table [{table}]")
    for table in ("network", "weights", "example", "answers"):
        if not isinstance(data.get(table, {}), dict):
            raise where.error(None, table, f"expected a table, got {_kind(data[table])}")
    title = data.get("title", "")
    if not isinstance(title, str):
        raise where.error(None, "title", f"expected a string, got {_kind(title)}")
    names, activations = _network(data["network"], where)
    weights = _weights(data["weights"], data.get("biases", {}), names, where)
    x, t, eta = _example(data["example"], names, where)
    answers = _answers(data.get("answers", {}), where)
    return Derivation(title, names, activations, weights, x, t, eta, answers, source)


class _Where:
    """Builds error messages that name the file, the line (when known), the table and the key."""

    def __init__(self, source, locate):
        self.source, self.locate = source, locate

    def error(self, table, key, problem):
        """An error about ``key`` in ``table``; with table None, ``key`` is a top-level table
        (shown as [key]) or, if it is "title", the title."""
        line = self.locate(table, key) if self.locate else None
        place = f"{self.source}:{line}" if line else self.source
        field = f"[{table}] {key}" if table else key if key == "title" else f"[{key}]"
        return DerivationError(f"{place}: {field}: {problem}")


def _kind(value):
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {value!r:.40}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _number(value, where, table, key):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise where.error(table, key, f"{value!r} is not a finite number")
        return float(value)
    raise where.error(table, key, f"expected a number, got {_kind(value)}")


def _network(table, where):
    for key in table:
        if key not in ("layers", "activation"):
            raise where.error("network", key, "unknown field; [network] has layers and activation")
    layers = table.get("layers")
    if not isinstance(layers, list) or len(layers) < 2 or not all(isinstance(l, list) and l for l in layers):
        raise where.error("network", "layers", "expected a list of at least two non-empty lists "
                          "of unit names, inputs first: [[\"1\", \"2\", \"3\"], [\"4\", \"5\"], [\"6\"]]")
    names = []
    for k, layer in enumerate(layers):
        row = []
        for name in layer:
            if isinstance(name, int) and not isinstance(name, bool):
                name = str(name)
            if not isinstance(name, str) or not name.isalnum() or not name.isascii():
                raise where.error("network", "layers", f"layer {k}: unit names are letters and "
                                  f"digits, got {_kind(name) if not isinstance(name, str) else repr(name)}")
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
    activation = table.get("activation", "sigmoid")
    activations = [activation] * (len(names) - 1) if isinstance(activation, str) else activation
    if not isinstance(activations, list) or len(activations) != len(names) - 1:
        raise where.error("network", "activation", f"expected one name or a list of "
                          f"{len(names) - 1} (one per layer after the inputs)")
    for name in activations:
        if name not in ACTIVATIONS:
            raise where.error("network", "activation", f"unknown activation {name!r}; "
                              f"choose from {', '.join(ACTIVATIONS)}")
    return tuple(names), tuple(activations)


def _weights(weights, biases, names, where):
    if not isinstance(biases, dict):
        raise where.error(None, "biases", f"expected a table, got {_kind(biases)}")
    connected = {}
    for k in range(1, len(names)):
        for target in names[k]:
            for source in names[k - 1]:
                connected[weight_label(source, target)] = (source, target)
    values = {}
    for label, value in weights.items():
        key = label if label in connected else _canonical(label)
        if key not in connected:
            raise where.error("weights", label, _not_a_weight(label, names))
        if key in values:
            raise where.error("weights", label, f"{key} is given twice")
        values[key] = _number(value, where, "weights", label)
    missing = [label for label in connected if label not in values]
    if missing:
        raise where.error(None, "weights", f"missing weight{'s' * (len(missing) > 1)} "
                          f"{', '.join(missing)}; every connection needs one")
    units = [name for layer in names[1:] for name in layer]
    for label, value in biases.items():
        if not label.startswith("b") or label[1:] not in units:
            raise where.error("biases", label, f"not a bias: biases are b<unit> for the units "
                              f"after the inputs: {', '.join('b' + u for u in units)}")
        values[label] = _number(value, where, "biases", label)
    for unit in units:
        values.setdefault(f"b{unit}", 0.0)
    return values


def _canonical(label):
    """w1,4 → w14: the comma form is accepted for any names."""
    if label.startswith("w") and label.count(",") == 1:
        source, target = label[1:].split(",")
        return weight_label(source, target)
    return label


def _not_a_weight(label, names):
    """Why ``label`` names no connection: an unknown unit, or units that are not connected."""
    all_units = {name for layer in names for name in layer}
    layer_of = {}
    for k, layer in enumerate(names):
        for name in layer:
            layer_of.setdefault(name, []).append(k)
    listing = ", ".join(dict.fromkeys(name for layer in names for name in layer))
    if not label.startswith("w") or len(label) < 3:
        return "not a weight name: weights are w<from><to> (w14) or w<from>,<to> (w4,12)"
    rest = label[1:]
    splits = [tuple(rest.split(","))] if "," in rest else [(rest[:i], rest[i:]) for i in range(1, len(rest))]
    for source, target in splits:
        if source in all_units and target in all_units:
            return (f"units {source} and {target} are not connected: a weight joins a unit to one "
                    f"in the next layer (layers {[list(layer) for layer in names]})")
    for source, target in splits:
        unknown = [u for u in (source, target) if u not in all_units]
        if len(unknown) == 1:
            return f"no unit named {unknown[0]!r}; the units are {listing}"
    return f"names no connection between units; the units are {listing}"


def _example(table, names, where):
    for key in table:
        if key not in ("x", "t", "eta"):
            raise where.error("example", key, "unknown field; [example] has x, t and eta")
    for key in ("x", "t", "eta"):
        if key not in table:
            raise where.error(None, "example", f"missing {key}")
    x, t = table["x"], table["t"]
    if not isinstance(t, list):
        t = [t]
    if not isinstance(x, list):
        raise where.error("example", "x", f"expected a list of {len(names[0])} numbers, got {_kind(x)}")
    if len(x) != len(names[0]):
        raise where.error("example", "x", f"{len(x)} inputs for {len(names[0])} input units")
    if len(t) != len(names[-1]):
        raise where.error("example", "t", f"{len(t)} targets for {len(names[-1])} output units")
    x = tuple(_number(v, where, "example", "x") for v in x)
    t = tuple(_number(v, where, "example", "t") for v in t)
    eta = _number(table["eta"], where, "example", "eta")
    if eta <= 0:
        raise where.error("example", "eta", f"the learning rate must be positive, got {eta!r}")
    return x, t, eta


def _answers(table, where):
    answers = []
    for key, value in table.items():
        line = where.locate("answers", key) if where.locate else None
        for item in value if isinstance(value, list) else [value]:
            answers.append(Answer(key, _written(item, where, key), line))
    return tuple(answers)


def _written(value, where, key):
    if isinstance(value, Written):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise where.error("answers", key, f"expected a number (or a number in a string), "
                          f"got {_kind(value)}")
    try:
        return Written(repr(value) if isinstance(value, float) else str(value))
    except ValueError as error:
        raise where.error("answers", key, str(error)) from None
