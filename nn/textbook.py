"""One training step in the lecture's terms: net, o, δ per unit; w, x, δ, Δw, w_new per weight."""

from dataclasses import dataclass

from .losses import squared_error

__all__ = ["UnitRecord", "WeightRecord", "TrainingStep", "training_step"]


@dataclass(frozen=True)
class UnitRecord:
    """A unit j after forward and backward: net_j, o_j, o_j(1 − o_j) and δ_j = −∂E/∂net_j."""

    name: str
    layer: int          # 1 for the first hidden layer
    net: float
    out: float
    slope: float        # ∂o_j/∂net_j from the activation's rule (o(1 − o) for sigmoid)
    delta: float


@dataclass(frozen=True)
class WeightRecord:
    """A weight w_ji (or bias b_j, whose input x is 1) and its update Δw = η·δ_j·x_ji."""

    label: str          # w14 or b4
    source: str | None  # unit i, None for a bias
    target: str         # unit j
    w: float
    x: float
    delta: float
    dw: float
    w_new: float
    grad: float         # ∂E/∂w from backward: Δw = −η·∂E/∂w


@dataclass(frozen=True)
class TrainingStep:
    """Everything one online update of the lecture computes, plus the verification pass."""

    x: list
    t: list
    eta: float
    outputs: list
    error: float
    units: list
    weights: list
    new_outputs: list
    new_error: float

    def unit(self, name):
        return next(u for u in self.units if u.name == str(name))

    def weight(self, label):
        return next(w for w in self.weights if w.label == label)


def training_step(network, x, t, eta, apply=False):
    """One online update of the lecture on ``network`` for example (x, t) with learning rate η.

    Forward, E = ½Σ(t − o)², backward, then Δw = η·δ_j·x_ji for every weight and bias (with the
    old weights, as the lecture does), and a verification forward pass with the new weights on a
    copy. δ is read from the engine: δ_j = −∂E/∂net_j. Afterwards the network's units still hold
    this step's net, out and δ; its weights change only if ``apply`` is true.
    """
    network.zero_grad()
    outputs = network(x)
    error = squared_error(outputs, t)
    error.backward()
    units, weights = [], []
    inputs = [float(v) for v in x]
    for k, layer in enumerate(network.layers):
        for neuron in layer.neurons:
            units.append(UnitRecord(neuron.name, k + 1, neuron.net.data, neuron.out.data,
                                    _slope(neuron), neuron.delta))
            for source, w, xi in zip(network.unit_names[k], neuron.w, inputs):
                weights.append(_update(w, source, neuron, xi, eta))
            weights.append(_update(neuron.b, None, neuron, 1.0, eta))
        inputs = [n.out.data for n in layer.neurons]
    # w ← w − η·∂E/∂w, the same update as w + η·δ·x above, read from the engine's gradients.
    new_weights = [[[w.data - eta * w.grad for w in n.w] for n in layer.neurons]
                   for layer in network.layers]
    new_biases = [[n.b.data - eta * n.b.grad for n in layer.neurons] for layer in network.layers]
    updated = type(network)(network.n_inputs, network.layer_sizes,
                            activation=[layer.neurons[0].activation for layer in network.layers],
                            weights=new_weights, biases=new_biases, unit_names=network.unit_names)
    new_outputs = [o.data for o in updated(x)]
    if apply:
        for p, q in zip(network.parameters(), updated.parameters()):
            p.data = q.data
    targets = [float(v) for v in t]
    return TrainingStep([float(v) for v in x], targets, float(eta), [o.data for o in outputs],
                        error.data, units, weights, new_outputs, squared_error(new_outputs, targets))


def _slope(neuron):
    """∂o/∂net from the activation op's own rule; 1 for the identity."""
    out, net = neuron.out, neuron.net
    if out is net:
        return 1.0
    return out.op.partials[0](out.data, net.data)


def _update(parameter, source, neuron, x, eta):
    delta = neuron.delta
    dw = eta * delta * x
    return WeightRecord(parameter.label, source, neuron.name, parameter.data, x, delta, dw,
                        parameter.data + dw, parameter.grad)
