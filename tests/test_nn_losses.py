"""nn.losses: the lecture's E, mean squared error and a numerically safe binary cross-entropy."""

import math

import pytest

from autodiff import Value, grad
from autodiff.numerical import central_difference
from nn.losses import LOSSES, binary_cross_entropy, mean_squared_error, squared_error


def test_squared_error_reproduces_section_3_2(printed):
    outputs = [[Value(0.7), Value(0.4)], [Value(0.3), Value(0.8)]]
    targets = [[1, 0], [0, 1]]
    printed(squared_error(outputs[0], targets[0]).data, "0.125")
    printed(squared_error(outputs[1], targets[1]).data, "0.065")
    printed(squared_error(outputs, targets).data, "0.190")


def test_squared_error_gradient_is_minus_t_minus_o():
    o = [Value(0.3), Value(0.9)]
    assert grad(squared_error(o, [1.0, 0.0]), o) == pytest.approx((-(1 - 0.3), -(0 - 0.9)))


def test_squared_error_has_no_spurious_zero_node():
    o = Value(0.25)
    error = squared_error([o], [1.0])
    assert error.op.name == "mul" and error.parents[1].op.name == "pow"


def test_mean_squared_error():
    outputs, targets = [[0.5, 1.0], [0.0, 0.25]], [[1.0, 1.0], [0.0, 0.0]]
    assert mean_squared_error(outputs, targets) == pytest.approx((0.25 + 0 + 0 + 0.0625) / 4)
    o = Value(0.5)
    assert grad(mean_squared_error([o], [1.0]), [o])[0] == pytest.approx(-1.0)


@pytest.mark.parametrize("z, t", [(0.3, 1.0), (-1.2, 0.0), (2.0, 0.25), (-0.7, 0.6), (0.0, 1.0)])
def test_cross_entropy_on_sigmoid_outputs_matches_the_formula(z, t):
    net = Value(z)
    o = net.sigmoid()
    loss = binary_cross_entropy([o], [t])
    p = 1 / (1 + math.exp(-z))
    assert loss.data == pytest.approx(-(t * math.log(p) + (1 - t) * math.log(1 - p)), rel=1e-12)
    # ∂L/∂net = o − t for a sigmoid output
    assert grad(loss, [net])[0] == pytest.approx(p - t, rel=1e-9, abs=1e-15)


def test_cross_entropy_gradient_matches_a_central_difference():
    def loss_of(z):
        return binary_cross_entropy([Value(z).sigmoid()], [0.3]).data
    for z in (-3.0, -0.5, 0.0, 0.4, 2.5):
        net = Value(z)
        analytic = grad(binary_cross_entropy([net.sigmoid()], [0.3]), [net])[0]
        assert analytic == pytest.approx(central_difference(loss_of, z), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("z, t", [(800.0, 0.0), (-800.0, 1.0), (40.0, 0.0), (-40.0, 1.0)])
def test_cross_entropy_is_finite_where_o_rounds_to_0_or_1(z, t):
    net = Value(z)
    loss = binary_cross_entropy([net.sigmoid()], [t])
    assert loss.data == pytest.approx(abs(z), rel=1e-9)
    assert grad(loss, [net])[0] == pytest.approx(1.0 if t == 0.0 else -1.0)


def test_cross_entropy_clamps_other_outputs():
    assert binary_cross_entropy([0.0], [1.0]) == pytest.approx(-math.log(1e-12))
    assert binary_cross_entropy([1.0], [0.0]) == pytest.approx(-math.log(1e-12))
    o = Value(0.25)
    loss = binary_cross_entropy([o], [1.0])
    assert loss.data == pytest.approx(-math.log(0.25))
    assert grad(loss, [o])[0] == pytest.approx(-1 / 0.25)


@pytest.mark.parametrize("outputs, targets, message", [
    ([0.5], [1.5], "target 0 is 1.5, not in"), ([1.5], [1.0], "output 0 is 1.5, not a probability"),
    ([], [], "no outputs")])
def test_cross_entropy_refuses(outputs, targets, message):
    with pytest.raises(ValueError, match=message):
        binary_cross_entropy(outputs, targets)


@pytest.mark.parametrize("loss", LOSSES.values())
def test_shape_mismatches_are_refused(loss):
    with pytest.raises(ValueError, match="2 outputs for 1 targets"):
        loss([0.5, 0.5], [1.0])
    with pytest.raises(ValueError, match="example 1: 1 outputs for 2 targets"):
        loss([[0.5], [0.5]], [[1.0], [1.0, 0.0]])
