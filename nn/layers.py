"""Neuron, Layer and MLP: sigmoid networks (by default) built from Values."""

import math
import random
from collections.abc import Iterable, Sequence
from typing import Any

from autodiff import Value, constant

from .module import Module
from .torch_bridge import to_torch, torch_weights

__all__ = ["Neuron", "Layer", "MLP", "ACTIVATIONS", "weight_label", "input_label", "target_label"]

# Per activation: how a Value is activated. "identity" leaves net as the output.
ACTIVATIONS = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "identity": None,
}
INITS = ("uniform", "xavier", "he")


def weight_label(source: "str | int", target: "str | int") -> str:
    """The lecture's name for the weight from unit ``source`` to unit ``target``: w14, w4,12."""
    source, target = str(source), str(target)
    return f"w{source}{target}" if len(source) == 1 and len(target) == 1 else f"w{source},{target}"


def _check_activation(activation):
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
    return activation


class Neuron(Module):
    """One unit j: net_j = Σ_i w_ji·x_i + b_j and o_j = activation(net_j).

    After a call, ``net`` and ``out`` hold the Values of the latest forward pass; after a
    backward pass of an error E through them, ``delta`` is δ_j = −∂E/∂net_j (the lecture's sign).
    """

    def __init__(self, weights: "Sequence[float]", bias: float, activation: str = "sigmoid",
                 name: "str | int | None" = None, input_names: "Sequence[str | int] | None" = None):
        self.activation = _check_activation(activation)
        self.name = str(name) if name is not None else None
        inputs = input_names or [str(i + 1) for i in range(len(weights))]
        target = self.name if self.name is not None else "j"
        self.w = [Value(w, label=weight_label(i, target)) for i, w in zip(inputs, weights)]
        self.b = Value(bias, label=f"b{target}")
        self.net: "Value | None" = None
        self.out: "Value | None" = None

    def __call__(self, x: "Sequence[Value | float]") -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"unit {self.name}: expected {len(self.w)} inputs, got {len(x)}")
        net = sum((w * xi for w, xi in zip(self.w, x)), self.b)
        if self.name is not None:
            net.label = f"net{self.name}"
        activate = ACTIVATIONS[self.activation]
        out = net if activate is None else activate(net)
        if self.name is not None and out is not net:
            out.label = f"o{self.name}"
        self.net, self.out = net, out
        return out

    @property
    def delta(self) -> float:
        """δ = −∂E/∂net from the latest backward pass through ``net``."""
        if self.net is None:
            raise ValueError(f"unit {self.name}: no forward pass yet, so no δ")
        return -self.net.grad

    def named_parameters(self, prefix: str = "") -> "list[tuple[str, Value]]":
        return [(f"{prefix}w.{i}", w) for i, w in enumerate(self.w)] + [(f"{prefix}b", self.b)]

    def __repr__(self):
        return f"Neuron({self.name or ''}, {self.activation}, {len(self.w)} inputs)"


class Layer(Module):
    """A row of neurons that all see the same inputs."""

    def __init__(self, neurons: "Iterable[Neuron]") -> None:
        self.neurons = list(neurons)

    def __call__(self, x: "Sequence[Value | float]") -> "list[Value]":
        return [neuron(x) for neuron in self.neurons]

    def named_parameters(self, prefix: str = "") -> "list[tuple[str, Value]]":
        return [pair for j, n in enumerate(self.neurons)
                for pair in n.named_parameters(f"{prefix}neurons.{j}.")]

    def __repr__(self):
        return f"Layer({len(self.neurons)} × {self.neurons[0].activation})" if self.neurons else "Layer()"


class MLP(Module):
    """A fully connected network: ``MLP(3, [2, 1])`` has 3 inputs, 2 hidden units and 1 output.

    Units are numbered as the lecture numbers them, inputs first (1, 2, 3), then each layer
    (4, 5, then 6), unless ``unit_names`` gives one list of names per layer, inputs included.

    Args:
        activation: one name for every layer, or a list with one per layer
            (sigmoid, tanh, relu, identity).
        weights, biases: given values, ``weights[layer][neuron][input]`` and
            ``biases[layer][neuron]``, to reproduce a textbook example; otherwise drawn with
            ``init`` (uniform in [−0.05, 0.05] as the lecture's algorithm says, xavier or he)
            from ``random.Random(seed)``.
    """

    def __init__(self, n_inputs: int, layer_sizes: "Sequence[int]",
                 activation: "str | Sequence[str]" = "sigmoid", weights: "list | None" = None,
                 biases: "list | None" = None, init: str = "uniform", seed: "int | None" = 0,
                 unit_names: "Sequence[Sequence[str | int]] | None" = None):
        sizes = [int(n_inputs), *[int(s) for s in layer_sizes]]
        if any(s < 1 for s in sizes):
            raise ValueError(f"layer sizes must be positive, got {sizes}")
        activations = [activation] * (len(sizes) - 1) if isinstance(activation, str) else list(activation)
        if len(activations) != len(sizes) - 1:
            raise ValueError(f"{len(activations)} activations for {len(sizes) - 1} layers")
        names = unit_names or _default_names(sizes)
        if [len(n) for n in names] != sizes:
            raise ValueError(f"unit_names have shape {[len(n) for n in names]}, layers are {sizes}")
        if (weights is None) != (biases is None):
            raise ValueError("give both weights and biases, or neither")
        if weights is None:
            weights, biases = _initial(sizes, init, seed)
        _check_shape(sizes, weights, biases)
        assert weights is not None and biases is not None    # for pyright: checked above
        self.n_inputs = sizes[0]
        self.layer_sizes = sizes[1:]
        self.unit_names = [[str(u) for u in layer] for layer in names]
        self.layers = [
            Layer(Neuron(weights[k][j], biases[k][j], activations[k], names[k + 1][j], names[k])
                  for j in range(sizes[k + 1]))
            for k in range(len(sizes) - 1)]

    def __call__(self, x: "Sequence[Value | float]") -> "list[Value]":
        """The output Values for input ``x`` (a list of numbers or Values).

        A number becomes one constant node labelled by its unit (x1, x2, ...; a unit with a name
        such as ``x`` keeps it), shared by every weight it feeds, so drawings and step lists show each input once.
        """
        values = [xi if isinstance(xi, Value) else _input(xi, name)
                  for xi, name in zip(x, self.unit_names[0])]
        for layer in self.layers:
            values = layer(values)
        return values

    @property
    def neurons(self) -> "list[Neuron]":
        return [n for layer in self.layers for n in layer.neurons]

    @property
    def activations(self) -> "list[str]":
        """One activation name per layer."""
        return [layer.neurons[0].activation for layer in self.layers]

    def targets(self, t: "Sequence[float]") -> "list[Value]":
        """The targets ``t`` (numbers) as constants labelled by their output units (t6, …), for a
        loss: drawings and steps then read t6 − o6 as the lecture writes it."""
        if len(t) != self.layer_sizes[-1]:
            raise ValueError(f"{len(t)} targets for {self.layer_sizes[-1]} output units")
        found = []
        for value, name in zip(t, self.unit_names[-1]):
            node = constant(value)
            node.label = target_label(name)
            found.append(node)
        return found

    def copy(self) -> "MLP":
        """An independent network with the same shape, activations, unit names and weights."""
        weights, biases = self.weights()
        return MLP(self.n_inputs, self.layer_sizes, activation=self.activations, weights=weights,
                   biases=biases, unit_names=self.unit_names)

    def named_parameters(self, prefix: str = "") -> "list[tuple[str, Value]]":
        return [pair for k, layer in enumerate(self.layers)
                for pair in layer.named_parameters(f"{prefix}layers.{k}.")]

    def to_torch(self, dtype: Any = None) -> Any:
        """This network as a ``torch.nn.Sequential`` (Linear layers and activations); needs the
        ``torch`` extra.

        ``dtype`` defaults to ``torch.get_default_dtype()`` (float32 unless changed), so the
        module takes the tensors PyTorch makes by default. stepgrad computes in float64: pass
        ``dtype=torch.float64`` (and float64 inputs) for outputs and gradients that agree with
        stepgrad's to 1e-12. Its ``state_dict()`` is PyTorch's (``0.weight``, ``0.bias``, …).
        """
        return to_torch(self, dtype)

    @classmethod
    def from_torch(cls, module: Any, unit_names: "list[list[str]] | None" = None) -> "MLP":
        """The MLP with the weights of a ``torch.nn.Sequential`` made by ``to_torch`` (or shaped
        like one: Linear layers, each followed by at most one Sigmoid, Tanh or ReLU), or of a
        single ``torch.nn.Linear``. A NaN or infinite weight is refused (ValueError naming it,
        ``0.weight[1, 2]``). To load a PyTorch ``state_dict``, load it into the module first."""
        weights, biases, activations = torch_weights(module)
        return cls(len(weights[0][0]), [len(b) for b in biases], activation=activations,
                   weights=weights, biases=biases, unit_names=unit_names)

    def weights(self) -> "tuple[list[list[list[float]]], list[list[float]]]":
        """``(weights, biases)`` as nested lists of floats, the form the constructor takes."""
        return ([[[w.data for w in n.w] for n in layer.neurons] for layer in self.layers],
                [[n.b.data for n in layer.neurons] for layer in self.layers])

    def __repr__(self):
        return f"MLP({self.n_inputs}, {self.layer_sizes}, activation={self.activations})"


def input_label(name: str) -> str:
    """How an input unit's value is labelled: x1 for unit 1, the name itself for a named unit (x)."""
    return name if name[:1].isalpha() else f"x{name}"


def target_label(name: str) -> str:
    """How an output unit's target is labelled: t6 for unit 6, t_o for a unit named o."""
    return f"t{name}" if name[:1].isdigit() else f"t_{name}"


def _input(x, name):
    node = constant(x)
    node.label = input_label(name)
    return node


def _default_names(sizes):
    names, start = [], 1
    for size in sizes:
        names.append([str(u) for u in range(start, start + size)])
        start += size
    return names


def _check_shape(sizes, weights, biases):
    if len(weights) != len(sizes) - 1 or len(biases) != len(sizes) - 1:
        raise ValueError(f"weights and biases need one entry per layer ({len(sizes) - 1})")
    for k in range(len(sizes) - 1):
        if len(weights[k]) != sizes[k + 1] or len(biases[k]) != sizes[k + 1]:
            raise ValueError(f"layer {k}: needs {sizes[k + 1]} neurons' weights and biases")
        for j, row in enumerate(weights[k]):
            if len(row) != sizes[k]:
                raise ValueError(f"layer {k} neuron {j}: needs {sizes[k]} weights, got {len(row)}")


def _initial(sizes, init, seed):
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
    rng = random.Random(seed)
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        weights.append([[_draw(rng, init, fan_in, fan_out) for _ in range(fan_in)]
                        for _ in range(fan_out)])
        biases.append([_draw(rng, init, fan_in, fan_out) if init == "uniform" else 0.0
                       for _ in range(fan_out)])
    return weights, biases


def _draw(rng, init, fan_in, fan_out):
    if init == "uniform":
        return rng.uniform(-0.05, 0.05)
    if init == "xavier":
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit)
    return rng.gauss(0.0, math.sqrt(2.0 / fan_in))  # he
