"""nn.optim: SGD is the lecture's rule, momentum and Adam follow their update equations."""

import math

import pytest

from autodiff import AccumulationWarning, Value
from lecture import SECTION7, training_step
from nn import SGD, Adam, make_optimizer, squared_error


def quadratic_step(optimizer, w, target=3.0):
    """One zero_grad / backward / step on E = ½(w − target)²; returns ∂E/∂w before the step."""
    optimizer.zero_grad()
    (0.5 * (w - target) ** 2).backward()
    gradient = w.grad
    optimizer.step()
    return gradient


def test_sgd_is_the_lectures_update():
    network = SECTION7.network()
    step = training_step(network, SECTION7.x, SECTION7.t, SECTION7.eta)
    optimizer = SGD(network.parameters(), lr=SECTION7.eta)
    optimizer.zero_grad()
    squared_error(network(SECTION7.x), SECTION7.t).backward()
    optimizer.step()
    for p, record in zip(network.parameters(), step.weights):
        assert p.data == pytest.approx(record.w + SECTION7.eta * record.delta * record.x, rel=1e-12)


def test_zero_grad_matters_because_leaves_accumulate():
    w = Value(1.0)
    optimizer = SGD([w], lr=0.1)
    (w * 2).backward()
    with pytest.warns(AccumulationWarning, match="optimizer.zero_grad()"):
        (w * 2).backward()
    assert w.grad == 4.0
    optimizer.zero_grad()
    assert w.grad == 0.0


def test_momentum_accumulates_velocity():
    w = Value(0.0)
    optimizer = SGD([w], lr=0.1, momentum=0.9)
    velocity, expected = 0.0, 0.0
    for _ in range(5):
        gradient = quadratic_step(optimizer, w)
        velocity = 0.9 * velocity + gradient
        expected -= 0.1 * velocity
        assert w.data == pytest.approx(expected, rel=1e-12)


def test_adam_first_step_has_size_lr_and_then_converges():
    w = Value(0.0)
    optimizer = Adam([w], lr=0.05)
    quadratic_step(optimizer, w)
    # bias correction makes the first step ±lr whatever the gradient's size
    assert w.data == pytest.approx(0.05, rel=1e-6)
    for _ in range(400):
        quadratic_step(optimizer, w)
    assert w.data == pytest.approx(3.0, abs=1e-2)


def test_adam_matches_its_equations():
    w = Value(1.0)
    optimizer = Adam([w], lr=0.01, betas=(0.8, 0.99), eps=1e-8)
    m = v = 0.0
    expected = 1.0
    for t in range(1, 6):
        g = quadratic_step(optimizer, w, target=-2.0)
        m, v = 0.8 * m + 0.2 * g, 0.99 * v + 0.01 * g * g
        expected -= 0.01 * (m / (1 - 0.8 ** t)) / (math.sqrt(v / (1 - 0.99 ** t)) + 1e-8)
        assert w.data == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name, kind, momentum", [("sgd", SGD, 0.0), ("momentum", SGD, 0.9),
                                                   ("adam", Adam, None)])
def test_make_optimizer(name, kind, momentum):
    optimizer = make_optimizer(name, [Value(0.0)], 0.1)
    assert type(optimizer) is kind and optimizer.lr == 0.1
    if momentum is not None:
        assert optimizer.momentum == momentum


@pytest.mark.parametrize("build, message", [
    (lambda: SGD([], lr=0.1), "SGD: no parameters"),
    (lambda: SGD([Value(0.0)], lr=0.0), "SGD: lr must be positive"),
    (lambda: SGD([Value(0.0)], lr="fast"), "SGD: lr: expected a number"),
    (lambda: SGD([Value(0.0)], lr=0.1, momentum=1.0), r"momentum must be in \[0, 1\)"),
    (lambda: Adam([Value(0.0)], betas=(0.9, 1.0)), r"betas must be in \[0, 1\)"),
    (lambda: make_optimizer("rmsprop", [Value(0.0)], 0.1), "unknown optimizer 'rmsprop'"),
])
def test_bad_settings(build, message):
    with pytest.raises(ValueError, match=message):
        build()
