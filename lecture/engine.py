"""The automatic side of a check: every quantity of a problem, computed by the engine's backward pass.

Forward values come from the network's Values, δ = −∂E/∂net and ∂E/∂w from ``backward()``,
∂o/∂net from the activation op's own rule, the updates from Δw = −η·∂E/∂w. The lecture's rows
(``lecture.quantities``) compute the same numbers from the formulas; the tests hold the two
together. A problem that gives quantities outright (a δ) has no network to run: there the rows
are all there is.
"""

from collections.abc import Sequence

from autodiff import Value, grad, local_derivative

from .problem import PROBLEM_LOSSES, Problem

__all__ = ["exact_values"]

def exact_values(problem, catalog):
    """name → value for every quantity of ``catalog`` (the problem's), from the engine."""
    if problem.given or any(v is None for v in problem.weights.values()):
        return catalog.evaluate()
    values = dict(catalog.constants)
    weights = dict(problem.weights)
    for epoch in range(1, problem.epochs + 1):
        if problem.mode == "online":
            for d, example in enumerate(problem.examples, 1):
                scope = catalog.scope(epoch, d)
                changes = _pass(problem, weights, example, 1, values, scope)
                weights = _update(problem, weights, changes, values, scope)
        else:
            total = {label: 0.0 for label in weights}
            errors = 0.0
            for d, example in enumerate(problem.examples, 1):
                scope = catalog.scope(epoch, d)
                changes = _pass(problem, weights, example, len(problem.examples), values, scope)
                for label, change in changes.items():
                    total[label] += change
                errors += values[_name(scope, "E")]
            scope = catalog.scope(epoch, None)
            values[_name(scope, "E")] = errors
            weights = _update(problem, weights, total, values, scope)
    if "E_new" in catalog.quantities:
        _verification(problem, weights, values)
    return {name: values[name] for name in catalog.quantities}


def _name(scope, base):
    return f"{scope}.{base}" if scope else base


def _loss(problem: Problem, outputs: "list[Value]", targets: "Sequence[float]", batch: int) -> Value:
    """The example's share of the loss: a mean loss over a batch of N divides by N."""
    error = PROBLEM_LOSSES[problem.loss](outputs, list(targets))
    if batch > 1 and problem.loss != "squared_error":
        error = error * (1.0 / batch)
    return error


def _pass(problem, weights, example, batch, values, scope):
    """Forward and backward on one example; records net, o, δ, gradients and Δw under ``scope``.
    Returns label → Δw."""
    network = problem.network(weights)
    outputs = network(list(example.x))
    error = _loss(problem, outputs, example.t, batch)
    error.backward()
    put = lambda base, value: values.__setitem__(_name(scope, base), value)
    put("E", error.data)
    sign = -1.0 if problem.sign == "lecture" else 1.0
    last = len(network.layers) - 1
    changes = {}
    for k, layer in enumerate(network.layers):
        for index, neuron in enumerate(layer.neurons):
            j = neuron.name
            out, net = neuron.out, neuron.net
            put(f"net{j}", net.data)
            put(f"o{j}", out.data)
            put(f"slope{j}", 1.0 if out is net else local_derivative(out, 0))
            if k == last:
                d_out = _output_gradient(problem, out.data, example.t[index], batch,
                                         len(example.t))
            else:
                d_out = out.grad
            put(f"signal{j}", sign * d_out)
            put(f"dEdo{j}", d_out)
            put(f"dEdnet{j}", net.grad)
            put(f"delta{j}", sign * net.grad)
            for parameter in (*neuron.w, neuron.b):
                label = parameter.label
                put(f"dEd{label}", parameter.grad)
                change = 0.0 if label in problem.frozen else -problem.eta * parameter.grad
                put(f"d{label}", change)
                changes[label] = change
    return changes


def _output_gradient(problem, o, t, batch, outputs):
    """∂E/∂o at an output, from the engine on the loss of a leaf o (a σ output's cross-entropy
    graph starts at net, so the network's own o takes no gradient)."""
    leaf = Value(o)
    error = PROBLEM_LOSSES[problem.loss]([leaf], [t])
    if problem.loss != "squared_error":
        error = error * (1.0 / (batch * outputs))
    (d,) = grad(error, [leaf])
    return d


def _update(problem, weights, changes, values, scope):
    new = {}
    for label, w in weights.items():
        values[_name(scope, f"d{label}")] = changes[label]
        new[label] = w + changes[label]
        values[_name(scope, f"{label}_new")] = new[label]
    return new


def _verification(problem, weights, values):
    """A forward pass with the new weights on the one example."""
    network = problem.network(weights)
    example = problem.examples[0]
    outputs = network(list(example.x))
    error = _loss(problem, outputs, example.t, 1)
    values["E_new"] = error.data
    sign = -1.0 if problem.sign == "lecture" else 1.0
    for k, layer in enumerate(network.layers):
        for neuron in layer.neurons:
            values[f"net{neuron.name}_new"] = neuron.net.data
            values[f"o{neuron.name}_new"] = neuron.out.data
    for neuron, t in zip(network.layers[-1].neurons, example.t):
        d = _output_gradient(problem, neuron.out.data, t, 1, len(example.t))
        values[f"signal{neuron.name}_new"] = sign * d
