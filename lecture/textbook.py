"""One training step in the lecture's terms: net, o, δ per unit; w, x, δ, Δw, w_new per weight."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from autodiff import Value, local_derivative
from nn import MLP, Neuron, squared_error

from .records import StepRecord, UnitRecord, WeightRecord
from .tables import step_html

__all__ = ["UnitRecord", "WeightRecord", "TrainingStep", "training_step", "apply_step"]


@dataclass(frozen=True)
class TrainingStep(StepRecord):
    """Everything one online update of the lecture computes, plus the verification pass.

    ``new_units`` are the units of the verification pass (forward and backward with the new
    weights); ``root`` is this step's error E as a Value, the root of its computation graph
    with every gradient filled in (its leaves are the network's weights, so it shows the old
    weights while they are unchanged); ``input_names`` name the inputs as the network does.
    """

    def unit(self, name: "str | int") -> UnitRecord:
        """The record of unit ``name`` (4, or "4")."""
        return _find(self.units, "unit", str(name))

    def new_unit(self, name: "str | int") -> UnitRecord:
        """Unit ``name`` in the verification pass."""
        return _find(self.new_units, "unit", str(name))

    def _repr_html_(self) -> str:
        return step_html(self)

    def weight(self, label: str) -> WeightRecord:
        """The record of weight or bias ``label`` (w14, b4)."""
        for record in self.weights:
            if record.label == label:
                return record
        raise KeyError(f"no weight {label!r}; weights are {', '.join(w.label for w in self.weights)}")


def _find(units, kind, name):
    for record in units:
        if record.name == name:
            return record
    raise KeyError(f"no {kind} {name!r}; units are {', '.join(u.name for u in units)}")


def training_step(network: MLP, x: "Sequence[float]", t: "Sequence[float]", eta: float, apply: bool = False,
                  frozen: "Collection[str]" = ()) -> TrainingStep:
    """One online update of the lecture on ``network`` for example (x, t) with learning rate η.

    Forward, E = ½Σ(t − o)², backward, then Δw = η·δ_j·x_ji for every weight and bias (with the
    old weights, as the lecture does), and a verification pass with the new weights on a copy.
    δ is read from the engine: δ_j = −∂E/∂net_j, so Δw = η·δ_j·x_ji = −η·∂E/∂w_ji. The weights
    and biases named in ``frozen`` (labels such as b4) are not updated: Δw = 0. Afterwards
    the network's units still hold this step's net, out and δ; its weights change (to w_new)
    only if ``apply`` is true.
    """
    eta = float(eta)
    targets = [float(v) for v in t]
    outputs, root, units = _forward_backward(network, x, targets)
    weights = []
    inputs = [float(v) for v in x]
    for k, layer in enumerate(network.layers):
        for neuron in layer.neurons:
            for source, w, xi in zip(network.unit_names[k], neuron.w, inputs):
                weights.append(_update(w, source, neuron, xi, eta, frozen))
            weights.append(_update(neuron.b, None, neuron, 1.0, eta, frozen))
        inputs = [_output(n) for n in layer.neurons]
    updated = network.copy()
    _assign(updated, weights)
    new_outputs, new_root, new_units = _forward_backward(updated, x, targets)
    if apply:
        _assign(network, weights)
    return TrainingStep([float(v) for v in x], targets, eta, outputs, root.data, units, weights,
                        new_outputs, new_root.data, new_units, root, list(network.unit_names[0]))


def _output(neuron: Neuron) -> float:
    """o of a unit after the forward pass, which sets it."""
    assert neuron.out is not None
    return neuron.out.data


def apply_step(network: MLP, step: TrainingStep) -> None:
    """Set ``network``'s weights and biases to the step's w_new (the network the step was taken on)."""
    if len(step.weights) != len(network.parameters()):
        raise ValueError(f"the step updates {len(step.weights)} parameters, the network has "
                         f"{len(network.parameters())}")
    _assign(network, step.weights)


def _assign(network, records):
    for p, record in zip(network.parameters(), records):
        p.data = record.w_new


def _forward_backward(network, x, targets):
    network.zero_grad()
    outputs: "list[Value]" = network(x)
    error = squared_error(outputs, network.targets(targets))
    error.label = "E"
    error.backward()
    units = [UnitRecord(n.name, k + 1, n.net.data, n.out.data, _slope(n), n.delta, -n.out.grad,
                        n.activation)
             for k, layer in enumerate(network.layers) for n in layer.neurons]
    return [o.data for o in outputs], error, units


def _slope(neuron):
    """∂o/∂net from the activation op's own rule; 1 for the identity."""
    out, net = neuron.out, neuron.net
    if out is net:
        return 1.0
    return local_derivative(out, 0)


def _update(parameter, source, neuron, x, eta, frozen):
    delta = neuron.delta
    dw = 0.0 if parameter.label in frozen else eta * delta * x
    return WeightRecord(parameter.label, source, neuron.name, parameter.data, x, delta, dw,
                        parameter.data + dw, parameter.grad)
