"""Tests of anomaly mode (autodiff.detect_anomaly): the first non-finite value names its op."""

import math

import pytest

from autodiff import AnomalyError, Value, backward, detect_anomaly, gradients
from stepgrad.stepping.steps import backward_steps


def test_forward_names_the_op_its_operands_and_their_labels():
    a, b = Value(1e200, label="a"), Value(1e200, label="b")
    with detect_anomaly(), pytest.raises(AnomalyError) as error:
        a * b
    assert str(error.value) == "forward: mul produced inf from a = 1e+200 ('a'), b = 1e+200 ('b')"


def test_forward_catches_nan_too():
    p, q = Value(math.inf, label="p"), Value(math.inf, label="q")
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"forward: sub produced nan from a = inf \('p'\), b = inf \('q'\)"):
        p - q


def test_without_anomaly_mode_the_infinity_spreads_silently():
    a = Value(1e200, label="a")
    assert (a * a + 1.0).data == math.inf


def overflowing_backward():
    """s = √x at a tiny x has local derivative 5·10¹⁴⁹; times an upstream 10²⁰⁰ it overflows."""
    x = Value(1e-300, label="x")
    s = x.sqrt()
    s.label = "s"
    return x, s * 1e200


def test_backward_names_the_op_rule_operand_and_node():
    x, root = overflowing_backward()
    with detect_anomaly(), pytest.raises(AnomalyError) as error:
        root.backward()
    assert str(error.value) == ("backward: sqrt gave ∂L/∂a = inf (upstream 1e+200 × local "
                                "1/(2·out) = 5e+149) for operand 1e-300 ('x') of node 's'")
    assert x.grad == 0.0                 # nothing half-written


def test_gradients_and_backward_function_check_too():
    _, root = overflowing_backward()
    with detect_anomaly():
        with pytest.raises(AnomalyError, match="backward: sqrt gave"):
            gradients(root)
        with pytest.raises(AnomalyError, match="backward: sqrt gave"):
            backward(root)
    x, root = overflowing_backward()
    root.backward()
    assert x.grad == math.inf            # outside the mode: no check


def test_backward_steps_check_in_anomaly_mode():
    _, root = overflowing_backward()
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"backward: sqrt gave ∂\(s·1e\+200\)/∂x = inf"):
        list(backward_steps(root))


def test_the_mode_nests_and_restores():
    from autodiff.value import anomaly_mode
    with detect_anomaly():
        with detect_anomaly():
            assert anomaly_mode()
        assert anomaly_mode()
    assert not anomaly_mode()
    with pytest.raises(AnomalyError):
        with detect_anomaly():
            Value(1e300, label="a") * 1e300
    assert not anomaly_mode()


def test_finite_graphs_are_unaffected():
    x = Value(0.5, label="x")
    with detect_anomaly():
        y = (x * 3.0).sigmoid()
        y.backward()
    assert x.grad == pytest.approx(3 * y.data * (1 - y.data), rel=1e-15)
