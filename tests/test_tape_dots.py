"""The tape's matrix products: sums of products found in a graph replay as A·Bᵀ with the engine's
gradients (within 1e-12 relative); graphs that only look like layers replay right too."""

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff import Value, detect_anomaly, grad
from autodiff.tape.dots import Dots
from autodiff.tape.tape import trace
from nn.layers import MLP
from nn.losses import squared_error

REL = 1e-12


def close(got, want, rel=REL):
    """Within ``rel`` of the largest gradient: sums in another order differ in the last bits."""
    got, want = np.asarray(got, float), np.asarray(want, float)
    scale = max(np.abs(want).max(initial=0.0), 1e-300)
    return got.shape == want.shape and bool((np.abs(got - want) <= rel * scale).all())


def n_dots(tape):
    return sum(type(step) is Dots for step in tape._steps)


def layer(weights, biases, xs, activation):
    """Σ w·x + b per neuron, written as ``nn`` does (sum with start=b)."""
    nets = [sum((w * x for w, x in zip(row, xs)), b) for row, b in zip(weights, biases)]
    return [getattr(net, activation)() for net in nets] if activation else nets


def mlp_loss(sizes, seed, points, activation="tanh"):
    """An MLP's squared loss summed over ``points`` (one graph per point), and its parameters."""
    rng = random.Random(seed)
    params = [([[Value(rng.uniform(-1, 1)) for _ in range(n_in)] for _ in range(n_out)],
               [Value(rng.uniform(-1, 1)) for _ in range(n_out)]) for n_in, n_out in zip(sizes, sizes[1:])]
    losses = []
    for point in points:
        xs = [Value(x) for x in point]
        for k, (weights, biases) in enumerate(params):
            xs = layer(weights, biases, xs, activation if k < len(params) - 1 else None)
        losses.append((xs[0] - 0.5) ** 2)
    flat = [p for weights, biases in params for row in weights for p in row]
    flat += [b for _, biases in params for b in biases]
    return sum(losses[1:], losses[0]), flat


def replay_equals_backward(out, inputs, values=None):
    tape = trace(out, inputs)
    want = grad(out, inputs)
    got_out, got = tape([x.data for x in inputs] if values is None else values)
    assert math.isclose(got_out, out.data, rel_tol=REL, abs_tol=1e-300)
    assert close(got, want)
    return tape


def test_an_mlp_over_a_batch_is_one_matrix_product_per_layer():
    points = [(math.cos(k), math.sin(3 * k)) for k in range(40)]
    out, params = mlp_loss([2, 8, 8, 1], 0, points, "relu")
    tape = replay_equals_backward(out, params)
    assert n_dots(tape) == 3


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=2, max_size=4), st.integers(1, 6), st.integers(0, 10**6),
       st.sampled_from(["tanh", "relu", "sigmoid"]))
def test_batched_mlps_replay_like_backward(sizes, n_points, seed, activation):
    rng = random.Random(seed)
    points = [[rng.uniform(-2, 2) for _ in range(sizes[0])] for _ in range(n_points)]
    out, params = mlp_loss(sizes, seed, points, activation)
    replay_equals_backward(out, params)


def test_the_lectures_network_with_data_leaves_replays_its_batch():
    network = MLP(3, [4, 2], activation="sigmoid", init="xavier", seed=2)
    xs, ts = [Value(0.0) for _ in range(3)], [Value(0.0) for _ in range(2)]
    params = network.parameters()
    tape = trace(squared_error([network(xs)], [ts]), params)
    assert n_dots(tape) == 2
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(50, 3)), rng.uniform(size=(50, 2))
    total, got = tape([p.data for p in params], data={**dict(zip(xs, X.T)), **dict(zip(ts, T.T))})
    want_total, want = 0.0, np.zeros(len(params))
    for x, t in zip(X, T):
        loss = squared_error([network([Value(v) for v in x])], [[Value(v) for v in t]])
        want_total += loss.data
        want += grad(loss, params)
    assert math.isclose(total, want_total, rel_tol=1e-12)
    assert close(got, want)


def _looks_like_a_layer(kind, rng):
    """Two neurons over three points, one of them broken in the way ``kind`` says."""
    w = [[Value(rng.uniform(-1, 1)) for _ in range(3)] for _ in range(2)]
    b = [Value(rng.uniform(-1, 1)) for _ in range(2)]
    total = None
    for _ in range(3):
        x = [Value(rng.uniform(-1, 1)) for _ in range(3)]
        x[1] = x[1].tanh()   # a computed operand, so it takes a gradient too
        for j in range(2):
            pairs = list(zip(w[j], x))
            if kind == "shared" and j == 1:
                pairs = [(w[0][0], x[0]), (w[0][0], x[1]), (w[1][2], x[2])]
            elif kind == "missing" and j == 1:
                pairs = pairs[:2] + [(w[1][2], x[0])]
            elif kind == "permuted" and j == 1:
                pairs = pairs[::-1]
            elif kind == "swapped" and j == 1:
                pairs = [(x_, w_) for w_, x_ in pairs]
            net = sum((p * q for p, q in pairs), b[j]).tanh()
            total = net if total is None else total + net
    return total, [*w[0], *w[1], *b]


@pytest.mark.parametrize("kind", ["layer", "shared", "missing", "permuted", "swapped"])
def test_graphs_that_look_like_layers_but_are_not(kind):
    out, params = _looks_like_a_layer(kind, random.Random(7))
    tape = replay_equals_backward(out, params)
    assert n_dots(tape) >= 1


def test_a_term_used_twice_stays_out_of_the_product():
    w, x = Value(0.5), Value(2.0)
    shared = w * x
    out = (shared + Value(1.0) * x + w * w) * shared
    replay_equals_backward(out, [w, x])


def test_non_finite_values_flow_and_anomaly_mode_names_the_product():
    w, x, b = Value(1e300), Value(1e300), Value(0.0)
    out = (b + w * x + x * x).tanh()
    tape = trace(out, [w, x, b])
    got_out, grads = tape([1e300, 1e300, 0.0])
    assert got_out == out.data == 1.0
    with detect_anomaly(), pytest.raises(ArithmeticError):
        tape([1e300, 1e300, 0.0])


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(0, 10**6),
       st.lists(st.sampled_from(["shared", "missing", "permuted", "swapped", "repeated", "none"]),
                min_size=1, max_size=16))
def test_layers_broken_at_random_replay_like_backward(n_in, n_out, n_points, seed, breaks):
    """A layer over points, each chain broken (or not) in its own way: whatever the tape makes of
    it, products or groups, the gradients are backward()'s."""
    rng = random.Random(seed)
    w = [[Value(rng.uniform(-1, 1)) for _ in range(n_in)] for _ in range(n_out)]
    b = [Value(rng.uniform(-1, 1)) for _ in range(n_out)]
    total, k = None, 0
    for _ in range(n_points):
        x = [Value(rng.uniform(-1, 1)).tanh() for _ in range(n_in)]
        for j in range(n_out):
            pairs = list(zip(w[j], x))
            kind = breaks[k % len(breaks)]
            k += 1
            if kind == "shared":
                pairs[0] = (w[rng.randrange(n_out)][rng.randrange(n_in)], pairs[0][1])
            elif kind == "missing" and len(pairs) > 1:
                del pairs[rng.randrange(len(pairs))]
            elif kind == "permuted":
                rng.shuffle(pairs)
            elif kind == "swapped":
                pairs = [(q, p) for p, q in pairs]
            elif kind == "repeated":
                pairs.append(pairs[0])
            net = sum((p * q for p, q in pairs), b[j]).sigmoid()
            total = net if total is None else total + net
    replay_equals_backward(total, [*[p for row in w for p in row], *b])
