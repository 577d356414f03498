"""central_difference and check_gradients: accuracy, argument handling, reports and failures found."""

import math

import pytest
from hypothesis import given
from strategies import reals

from autodiff import Op, Value, apply, central_difference, check_gradients
from autodiff.ops import sin


@given(reals(-3.0, 3.0))
def test_central_difference_of_known_functions(x):
    assert central_difference(math.sin, x) == pytest.approx(math.cos(x), abs=1e-9)
    assert central_difference(math.exp, x) == pytest.approx(math.exp(x), rel=1e-8)
    assert central_difference(lambda t: t ** 3, x) == pytest.approx(3 * x * x, abs=1e-8)


def test_central_difference_picks_the_argument():
    def f(x, y, z):
        return x * y ** 2 + z

    assert central_difference(f, 2.0, 3.0, 5.0, arg=0) == pytest.approx(9.0)
    assert central_difference(f, 2.0, 3.0, 5.0, arg=1) == pytest.approx(12.0)
    assert central_difference(f, 2.0, 3.0, 5.0, arg=2) == pytest.approx(1.0)


def test_central_difference_passes_values_as_fresh_values_and_floats_as_floats():
    seen = []

    def f(x, y):
        seen.append((type(x), type(y), getattr(x, "label", None)))
        return (x * y).sigmoid() if isinstance(x, Value) else x * y

    x = Value(0.5, label="x")
    derivative = central_difference(f, x, 2.0)
    s = 1 / (1 + math.exp(-1.0))
    assert derivative == pytest.approx(2 * s * (1 - s), rel=1e-8)
    assert seen == [(Value, float, "x")] * 2
    assert x.grad == 0.0 and x.data == 0.5
    assert central_difference(f, 0.5, 2.0) == pytest.approx(2.0)


def test_central_difference_epsilon_controls_the_step():
    # for x² the central difference is exact up to rounding, whatever the step
    assert central_difference(lambda t: t * t, 1.0, epsilon=0.5) == 2.0
    # for x³ the error is ε², which a large step makes visible
    assert central_difference(lambda t: t ** 3, 1.0, epsilon=0.1) == pytest.approx(3.01)


@pytest.mark.parametrize("call, error, message", [
    (lambda: central_difference(math.sin, 1.0, arg=1), ValueError,
     r"central_difference: arg = 1 but f takes 1 value\(s\)"),
    (lambda: central_difference(math.sin, 1.0, epsilon=0), ValueError,
     "central_difference: epsilon must be positive, got 0"),
    (lambda: central_difference(math.sin, "1"), TypeError,
     r"central_difference: values\[0\]: expected a real number"),
    (lambda: central_difference(lambda x: "y", 1.0), TypeError,
     "central_difference: the result of f: expected a real number"),
])
def test_central_difference_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_check_gradients_passes_a_correct_function_and_reports_per_input():
    x, y = Value(0.5, label="x"), Value(-1.0, label="y")
    report = check_gradients(lambda a, b: (a * b).sigmoid() + a ** 3 / b, [x, y])
    assert report.ok
    assert [(row.input, row.order) for row in report.rows] == [("x", 1), ("y", 1), ("x", 2), ("y", 2)]
    for row in report.rows:
        assert row.ok and row.abs_error < 1e-8 and row.rel_error < 1e-7
        assert len(row.automatic) == len(row.numerical) == (1 if row.order == 1 else 2)
    s = 1 / (1 + math.exp(0.5))
    assert report.rows[0].automatic[0] == pytest.approx(s * (1 - s) * -1.0 + 3 * 0.25 / -1.0)
    assert (x.grad, y.grad) == (0.0, 0.0)


def test_check_gradients_order_one_checks_first_derivatives_only():
    report = check_gradients(lambda a: a.exp(), [1.0], order=1)
    assert [row.order for row in report.rows] == [1] and report.ok


def test_check_gradients_names_unlabelled_inputs_by_position():
    report = check_gradients(lambda a, b: a * b, [2.0, Value(3.0)], order=1)
    assert [row.input for row in report.rows] == ["x0", "x1"]


def test_check_gradients_finds_a_wrong_derivative():
    wrong = Op("wrong_sin", "sin", 1, math.sin, (lambda out, a: sin(a),), (((-1.0, 1.0),),))
    report = check_gradients(lambda a: apply(wrong, a) * 2, [Value(0.3, label="t")])
    assert not report.ok
    first, second = report.rows
    assert first.automatic[0] == pytest.approx(2 * math.sin(0.3))
    assert first.numerical[0] == pytest.approx(2 * math.cos(0.3))
    assert not first.ok and first.abs_error == pytest.approx(2 * abs(math.cos(0.3) - math.sin(0.3)))
    # the second derivative, checked against differences of the automatic first, is consistent
    assert second.ok


def test_check_gradients_finds_a_wrong_second_derivative_only():
    # ∂/∂a is right in value, but written as a constant, so its own derivative (0) is wrong
    frozen = Op("frozen_square", "sq", 1, lambda a: a * a, (lambda out, a: 2 * getattr(a, "data", a),),
                (((-1.0, 1.0),),))
    report = check_gradients(lambda a: apply(frozen, a), [0.7])
    first, second = report.rows
    assert first.ok and not second.ok
    assert (second.automatic[0], second.numerical[0]) == (0.0, pytest.approx(2.0))


def test_the_report_table():
    wrong = Op("wrong_sin", "sin", 1, math.sin, (lambda out, a: sin(a),), (((-1.0, 1.0),),))
    text = str(check_gradients(lambda a, b: apply(wrong, a) + b * b,
                               [Value(0.0, label="t"), Value(1.0, label="u")], atol=1e-6, rtol=1e-5))
    lines = text.splitlines()
    assert lines[0].split() == ["derivative", "automatic", "numerical", "abs", "error", "rel", "error", "ok"]
    assert lines[1].split() == ["∂f/∂t", "0", "1", "1.0e+00", "1.0e+00", "NO"]
    assert lines[2].split()[0] == "∂f/∂u" and lines[2].split()[1:3] == ["2", "2"]
    assert lines[2].split()[-1] == "yes"
    assert [line.split()[0] for line in lines[3:5]] == ["∂²f/∂t∂t", "∂²f/∂u∂u"]
    assert lines[-1] == ("FAILED for 1 of 4 rows: |automatic − numerical| ≤ 1e-06 + 1e-05·|numerical| "
                         "(ε = 1e-06; order-2 rows show the worst entry)")
    assert str(check_gradients(lambda a: a * a, [1.0])).splitlines()[-1].startswith("ok: ")


@pytest.mark.parametrize("call, error, message", [
    (lambda: check_gradients(lambda a: a, [1.0], order=3), ValueError,
     "check_gradients: order must be 1 or 2, got 3"),
    (lambda: check_gradients(lambda a: a, []), ValueError, "check_gradients: inputs is empty"),
    (lambda: check_gradients(lambda a: a, Value(1.0)), TypeError,
     r"check_gradients: inputs must be a sequence, got a single Value \(write \[x\]\)"),
    (lambda: check_gradients(lambda a: 2.0, [1.0]), TypeError,
     "check_gradients: f must return a Value, got float 2.0"),
    (lambda: check_gradients(lambda a: a, ["x"]), TypeError,
     r"check_gradients: inputs\[0\]: expected a real number"),
])
def test_check_gradients_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
