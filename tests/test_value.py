"""Value: construction, repr, operator sugar, constants, no_grad, anomaly mode and domain errors."""

import asyncio
import math
import threading
from fractions import Fraction

import numpy as np
import pytest

from autodiff import (
    CONST,
    OPS,
    AnomalyError,
    DivisionByZeroError,
    DomainError,
    Value,
    apply,
    constant,
    detect_anomaly,
    no_grad,
)
from autodiff.value import anomaly_mode, is_recording


@pytest.mark.parametrize("given, stored", [(2, 2.0), (True, 1.0), (False, 0.0), (2.5, 2.5),
                                           (Fraction(1, 4), 0.25), (np.float64(1.5), 1.5),
                                           (np.float32(0.5), 0.5), (np.int64(-3), -3.0),
                                           (np.bool_(True), 1.0), (np.array(4.0), 4.0)])
def test_value_accepts_real_numbers_and_stores_floats(given, stored):
    v = Value(given)
    assert type(v.data) is float and v.data == stored
    assert type(v.grad) is float and v.grad == 0.0
    assert v.op is None and v.parents == () and v.label is None and v.is_leaf


@pytest.mark.parametrize("given, shown", [("1.5", "str '1.5'"), (None, "NoneType None"),
                                          ([1.0], r"list \[1.0\]"), (1 + 2j, r"complex \(1\+2j\)"),
                                          (np.complex128(1j), "complex128"),
                                          (np.array([1.0, 2.0]), "ndarray")])
def test_value_rejects_anything_else_naming_it(given, shown):
    with pytest.raises(TypeError, match=f"Value: expected a real number .*got {shown}"):
        Value(given)


def test_label_must_be_a_string():
    assert Value(1.0, label="x").label == "x"
    with pytest.raises(TypeError, match="Value: label must be a str or None, got int"):
        Value(1.0, label=3)


def test_repr_shows_label_data_grad_and_op():
    x = Value(0.5, label="x")
    assert repr(x) == "Value(label='x', data=0.5, grad=0.0, op='leaf')"
    y = x * 2
    y.backward()
    assert repr(y) == "Value(data=1.0, grad=1.0, op='mul')"
    assert repr(y.parents[1]) == "Value(data=2.0, grad=0.0, op='const')"


def test_value_keeps_identity_equality_and_hashing():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b, a}) == 2
    assert float(a) == 1.0


@pytest.mark.parametrize("make, name, constant_side", [
    (lambda x: x + 2, "add", 1), (lambda x: 2 + x, "add", 0),
    (lambda x: x - 2, "sub", 1), (lambda x: 2 - x, "sub", 0),
    (lambda x: x * 2, "mul", 1), (lambda x: 2 * x, "mul", 0),
    (lambda x: x / 2, "div", 1), (lambda x: 2 / x, "div", 0),
    (lambda x: x ** 2, "pow", 1), (lambda x: 2 ** x, "pow", 0),
])
def test_numbers_on_either_side_become_constant_leaves(make, name, constant_side):
    x = Value(3.0, label="x")
    y = make(x)
    assert y.op is OPS[name]
    assert y.parents[1 - constant_side] is x
    number = y.parents[constant_side]
    assert number.op is CONST and number.data == 2.0 and number.parents == ()
    expected = {"add": 5.0, "sub": 1.0 if constant_side else -1.0, "mul": 6.0,
                "div": 1.5 if constant_side else 2 / 3, "pow": 9.0 if constant_side else 8.0}[name]
    assert y.data == expected


def test_subtraction_and_division_are_ops_of_their_own():
    a, b = Value(6.0), Value(3.0)
    assert (a - b).op is OPS["sub"] and (a - b).parents == (a, b)
    assert (a / b).op is OPS["div"] and (a / b).parents == (a, b)
    assert (-a).op is OPS["neg"]


def test_a_times_a_keeps_both_parent_slots():
    a = Value(3.0)
    assert (a * a).parents == (a, a)
    assert (a + a).parents == (a, a)


def test_pow_in_all_three_forms():
    x, n = Value(3.0), Value(2.0)
    assert (x ** 2).data == 9.0
    assert (2 ** x).data == 8.0
    assert (x ** n).data == 9.0 and (x ** n).parents == (x, n)
    assert (Value(-2.0) ** 2).data == 4.0
    assert (Value(-2.0) ** 3).data == -8.0
    assert ((-2) ** Value(2.0)).data == 4.0
    assert (0 ** Value(2.0)).data == 0.0
    assert (Value(0.0) ** Value(0.0)).data == 1.0


def test_apply_records_any_op_and_checks_arity():
    x = Value(2.0)
    assert apply(OPS["exp"], x).data == math.exp(2.0)
    assert apply(OPS["add"], 1, x).parents[0].op is CONST
    with pytest.raises(TypeError, match=r"exp: takes 1 operand\(s\), got 2"):
        apply(OPS["exp"], x, x)


def test_constant_is_a_leaf_that_takes_no_gradient():
    c = constant(np.float32(2.0))
    assert c.op is CONST and c.data == 2.0 and c.parents == ()
    with pytest.raises(TypeError, match="constant: expected a real number"):
        constant("2")


@pytest.mark.parametrize("make, message", [
    (lambda x: x + "a", r"add: operand b: expected a real number .*got str 'a'"),
    (lambda x: None * x, r"mul: operand a: expected a real number .*got NoneType None"),
    (lambda x: x ** [2], r"pow: operand b: expected a real number .*got list \[2\]"),
    (lambda x: 1j - x, r"sub: operand a: expected a real number .*got complex 1j"),
])
def test_operands_that_are_not_numbers_are_named(make, message):
    with pytest.raises(TypeError, match=message):
        make(Value(1.0))


@pytest.mark.parametrize("make, message", [
    (lambda: Value(-1.0, label="x").log(), r"^log: log of a non-positive number; a = -1.0 \('x'\)$"),
    (lambda: Value(0.0, label="x").log(), r"^log: log of a non-positive number; a = 0.0 \('x'\)$"),
    (lambda: Value(-4.0, label="v").sqrt(), r"^sqrt: sqrt of a negative number; a = -4.0 \('v'\)$"),
    (lambda: Value(1.0, label="n") / Value(0.0, label="d"),
     r"^div: division by zero; a = 1.0 \('n'\), b = 0.0 \('d'\)$"),
    (lambda: 1 / Value(0.0), r"^div: division by zero; a = 1.0, b = 0.0$"),
    (lambda: Value(0.0, label="z") ** -1, r"^pow: 0 raised to a negative power; a = 0.0 \('z'\), b = -1.0$"),
    (lambda: 0 ** Value(-2.0), r"^pow: 0 raised to a negative power; a = 0.0, b = -2.0$"),
    (lambda: Value(-8.0, label="x") ** (1 / 3),
     r"^pow: negative base with a non-integer exponent; a = -8.0 \('x'\), b = 0.333"),
    (lambda: (-2) ** Value(0.5, label="p"),
     r"^pow: negative base with a non-integer exponent; a = -2.0, b = 0.5 \('p'\)$"),
    (lambda: Value(710.0, label="big").exp(),
     r"^exp: overflow: exp\(a\) exceeds the largest float \(a > 709.78\); a = 710.0 \('big'\)$"),
    (lambda: Value(10.0) ** 400, r"^pow: result too large for a float; a = 10.0, b = 400.0$"),
])
def test_domain_errors_raise_at_the_op_naming_operands_and_labels(make, message):
    with pytest.raises(DomainError, match=message):
        make()


def test_domain_error_is_both_arithmetic_and_value_error():
    with pytest.raises(ValueError):
        Value(-1.0).log()
    with pytest.raises(ArithmeticError):
        Value(1.0) / 0


def test_sqrt_of_zero_is_fine_forward():
    assert Value(0.0).sqrt().data == 0.0


def test_no_grad_records_no_graph_and_restores_recording():
    x = Value(2.0)
    with no_grad():
        assert not is_recording()
        y = (x * 3).sigmoid()
        with no_grad():
            pass
        assert not is_recording()
    assert is_recording()
    assert y.parents == () and y.op is None
    assert y.data == pytest.approx(1 / (1 + math.exp(-6.0)))
    assert (x * 3).parents[0] is x


def test_no_grad_restores_recording_after_an_error():
    with pytest.raises(DomainError), no_grad():
        Value(-1.0).log()
    assert is_recording()


def test_detect_anomaly_names_the_op_that_made_a_non_finite_value():
    big = Value(1e308, label="big")
    assert (big * 10).data == math.inf  # IEEE overflow passes silently outside anomaly mode
    with detect_anomaly(), pytest.raises(AnomalyError,
                                         match=r"forward: mul produced inf from a = 1e\+308 \('big'\), b = 10.0"):
        big * 10


# -- numbers that do not fit, data that is not a number, NaN, division by zero ---------------

def test_an_int_too_large_for_a_float_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match=r"^Value: an int of about 401 digits is too large for "
                                         r"a float \(at most about 1\.8e308\)$"):
        Value(10 ** 400)
    with pytest.raises(ValueError, match=r"^Value: an int of about 5,001 digits"):
        Value(10 ** 5000)       # past Python's int-to-str limit: the message never prints it
    with pytest.raises(ValueError, match="^mul: operand b: an int of about 401 digits"):
        Value(2.0) * 10 ** 400
    with pytest.raises(ValueError, match="^constant: a Fraction is too large for a float"):
        constant(Fraction(10 ** 400, 3))


def test_data_can_only_be_set_to_a_number_and_is_stored_as_a_float():
    x = Value(1.0, label="x")
    for given, stored in [(3, 3.0), (True, 1.0), (np.float64(2.5), 2.5), (Fraction(1, 4), 0.25)]:
        x.data = given
        assert type(x.data) is float and x.data == stored
    for bad in ["abc", None, [1.0], 1j, Value(2.0)]:
        with pytest.raises(TypeError, match=r"^Value.data: expected a real number"):
            x.data = bad
    with pytest.raises(ValueError, match="^Value.data: an int of about 401 digits"):
        x.data = 10 ** 400
    assert x.data == 0.25 and (x * 2).data == 0.5
    y = x * 3
    y.data = 7          # an op's result too
    assert y.data == 7.0


def test_relu_keeps_nan_and_anomaly_mode_catches_it():
    x = Value(math.nan, label="x")
    y = x.relu()
    assert math.isnan(y.data)
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"^forward: relu produced nan from "
                                                              r"a = nan \('x'\)$"):
        x.relu()
    assert Value(-0.0).relu().data == 0.0 and Value(-2.0).relu().data == 0.0


@pytest.mark.parametrize("make", [lambda x: x / 0, lambda x: 1 / (x - x), lambda x: (x - x) ** -1,
                                  lambda x: 0 ** -x])
def test_division_by_zero_is_a_domain_error_and_a_zero_division_error(make):
    x = Value(2.0, label="x")
    with pytest.raises(ZeroDivisionError) as caught:
        make(x)
    assert isinstance(caught.value, DomainError) and isinstance(caught.value, ValueError)
    assert type(caught.value) is DivisionByZeroError
    with pytest.raises(DomainError) as caught:
        Value(-1.0).log()
    assert not isinstance(caught.value, ZeroDivisionError)


# -- no_grad and detect_anomaly hold for one thread (or task) --------------------------------

def test_no_grad_in_one_thread_does_not_stop_another_from_recording():
    inside, done = threading.Event(), threading.Event()
    recorded = {}

    def worker():
        inside.wait()
        x = Value(1.0)
        recorded["parents"] = (x * 2).parents
        recorded["mode"] = (is_recording(), anomaly_mode())
        done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    with no_grad(), detect_anomaly():
        inside.set()
        assert done.wait(10)
        assert (Value(1.0) * 2).parents == () and is_recording() is False
    thread.join()
    assert len(recorded["parents"]) == 2 and recorded["mode"] == (True, False)


def test_asyncio_tasks_have_their_own_mode():
    async def graph_in_no_grad():
        with no_grad():
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            return (Value(1.0) * 2).parents

    async def graph():
        await asyncio.sleep(0)
        return (Value(1.0) * 2).parents

    async def both():
        return await asyncio.gather(graph_in_no_grad(), graph())

    without, with_graph = asyncio.run(both())
    assert without == () and len(with_graph) == 2


def test_a_mode_object_can_be_entered_again_and_nested():
    quiet = no_grad()
    with quiet:
        with quiet:
            assert not is_recording()
        assert not is_recording()
    assert is_recording()
    with quiet:
        assert (Value(1.0) + 1).parents == ()
    assert len((Value(1.0) + 1).parents) == 2
