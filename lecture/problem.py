"""A worked problem: a network with given weights, training examples, η and the rules of the exercise."""

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from nn import (
    MLP,
    Loss,
    binary_cross_entropy,
    input_label,
    mean_squared_error,
    squared_error,
    target_label,
    weight_label,
)

__all__ = ["Problem", "Example", "Connection", "PROBLEM_LOSSES", "MODES", "SIGNS"]

# E = ½ΣΣ(t − o)² (the lecture's), (1/n)ΣΣ(t − o)², and −(1/n)ΣΣ[t·log o + (1 − t)·log(1 − o)]
# A problem file's loss names, and the loss of nn each one is.
PROBLEM_LOSSES: "dict[str, Loss]" = {"squared_error": squared_error, "mean_squared_error": mean_squared_error,
                  "cross_entropy": binary_cross_entropy}
# online: update after every example (the lecture's); batch: once per epoch, Δw summed over examples
MODES = ("online", "batch")
# lecture: δ = −∂E/∂net and w ← w + η·δ·x; gradient: δ = ∂E/∂net and w ← w − η·δ·x
SIGNS = ("lecture", "gradient")


@dataclass(frozen=True)
class Example:
    """One training example: the inputs x and the targets t."""

    x: "tuple[float | None, ...]"    # None: a value a problem with [given] leaves open
    t: "tuple[float | None, ...]"


@dataclass(frozen=True)
class Connection:
    """A weight (or a bias: source None) into unit ``target`` of layer ``layer`` (1 = first hidden)."""

    label: str            # w14, w4,12, b4
    source: str | None
    target: str
    layer: int
    index: int | None     # the source's position in its layer; None for a bias


@dataclass(frozen=True, eq=False)
class Problem:
    """A network with given weights, its training examples, η and the exercise's rules.

    Units are named as the lecture names them, inputs first (``unit_names``); a weight from unit
    i to unit j is ``w<i><j>`` (``w14``; ``w4,12`` when a name is longer than one character),
    the bias of unit j ``b<j>``. ``weights`` holds every connection and bias by label (None for
    one the problem leaves open because ``given`` makes it unnecessary). ``frozen`` names the
    weights and biases that are not updated (Mazur's example keeps its biases fixed); ``given``
    gives quantities outright (``{"delta6": 0.032}``) as the lecture's short exercises do.
    """

    title: str
    unit_names: "tuple[tuple[str, ...], ...]"     # inputs first
    activations: "tuple[str, ...]"                # one per layer after the inputs
    weights: "Mapping[str, float | None]"         # label → float (or None, see above)
    examples: "tuple[Example, ...]"               # at least one
    eta: float
    loss: str = "squared_error"
    mode: str = "online"
    epochs: int = 1
    frozen: "frozenset[str]" = frozenset()
    sign: str = "lecture"
    given: "Mapping[str, float]" = field(default_factory=dict)
    name: str = "problem"             # a built-in example's name or the file it came from
    digits: int | None = None         # significant digits the answers are asked to (None: the default)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))
        object.__setattr__(self, "given", MappingProxyType(dict(self.given)))
        object.__setattr__(self, "frozen", frozenset(self.frozen))

    # -- the one example most problems have ----------------------------------------------------
    @property
    def x(self) -> "tuple[float | None, ...]":
        """The inputs of the first example."""
        return self.examples[0].x

    @property
    def t(self) -> "tuple[float | None, ...]":
        """The targets of the first example."""
        return self.examples[0].t

    def example_values(self, d: int = 1) -> "tuple[tuple[float, ...], tuple[float, ...]]":
        """(x, t) of example ``d`` (1 = the first) as numbers, for running the network; a
        ValueError when the problem leaves one open (a problem with [given] may omit them)."""
        example = self.examples[d - 1]
        x, t = example.x, example.t
        missing = [self.input_label(u) for u, v in zip(self.inputs, x) if v is None] + \
                  [self.target_label(u) for u, v in zip(self.outputs, t) if v is None]
        if missing:
            raise ValueError(f"{self.name}: the network needs {', '.join(missing[:5])}"
                             f"{' …' if len(missing) > 5 else ''}, which the problem does not give")
        return tuple(v for v in x if v is not None), tuple(v for v in t if v is not None)

    @property
    def steps(self) -> int:
        """How many weight updates the problem asks for: examples × epochs online, epochs in batch."""
        return self.epochs * (len(self.examples) if self.mode == "online" else 1)

    # -- the network ---------------------------------------------------------------------------
    @property
    def inputs(self) -> "tuple[str, ...]":
        return self.unit_names[0]

    @property
    def outputs(self) -> "tuple[str, ...]":
        return self.unit_names[-1]

    @property
    def units(self) -> "tuple[str, ...]":
        """Every unit after the inputs, layer by layer."""
        return tuple(u for layer in self.unit_names[1:] for u in layer)

    @functools.cached_property
    def connections(self) -> "list[Connection]":
        """Every weight and bias: layer by layer, unit by unit, the bias after the weights."""
        found = []
        for k in range(1, len(self.unit_names)):
            for target in self.unit_names[k]:
                for index, source in enumerate(self.unit_names[k - 1]):
                    found.append(Connection(weight_label(source, target), source, target, k, index))
                found.append(Connection(f"b{target}", None, target, k, None))
        return found

    def input_label(self, unit: str) -> str:
        """How input ``unit`` is named in formulas and graphs: x1, or x for a unit named x."""
        return input_label(unit)

    @staticmethod
    def target_label(unit: str) -> str:
        """How output ``unit``'s target is named: t6, or t_o for a unit named o."""
        return target_label(unit)

    def network(self, weights: "Mapping[str, float | None] | None" = None) -> MLP:
        """A fresh MLP with the problem's weights (or ``weights``, a label → value mapping)."""
        values = self.weights if weights is None else weights
        missing = [c.label for c in self.connections if values.get(c.label) is None]
        if missing:
            raise ValueError(f"{self.name}: the network needs {', '.join(missing[:5])}"
                             f"{' …' if len(missing) > 5 else ''}, which the problem does not give")
        names = self.unit_names
        w = [[[values[weight_label(s, t)] for s in names[k - 1]] for t in names[k]]
             for k in range(1, len(names))]
        b = [[values[f"b{t}"] for t in names[k]] for k in range(1, len(names))]
        return MLP(len(names[0]), [len(layer) for layer in names[1:]],
                   activation=list(self.activations), weights=w, biases=b,
                   unit_names=[list(layer) for layer in names])

    def describe(self) -> str:
        """One line: shape, activations, loss, η and the examples."""
        shape = "-".join(str(len(layer)) for layer in self.unit_names)
        acts = self.activations[0] if len(set(self.activations)) == 1 else "/".join(self.activations)
        vector = lambda v: "(" + ", ".join(f"{x:g}" for x in v) + ")"
        if len(self.examples) == 1:
            data = f"x = {vector(self.x)}, t = {vector(self.t)}"
        else:
            data = f"{len(self.examples)} examples"
        return f"a {shape} {acts} network, {data}, η = {self.eta:g}"

    def __repr__(self) -> str:
        return f"<Problem {self.name}: {self.describe()}>"
