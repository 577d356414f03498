"""numpy interplay: numpy scalars wherever a number goes; as_values, data_of and grad_of."""

import math
import operator
import subprocess
import sys

import numpy as np
import pytest

from autodiff import CONST, Value
from nn.arrays import as_values, data_of, grad_of

NUMPY_SCALARS = [np.float64(2.0), np.float32(2.0), np.float16(2.0), np.int64(2), np.int32(2),
                 np.uint8(2), np.array(2.0)]
SCALAR_IDS = ["float64", "float32", "float16", "int64", "int32", "uint8", "0-d array"]
OPERATORS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow]


@pytest.mark.parametrize("number", NUMPY_SCALARS, ids=SCALAR_IDS)
@pytest.mark.parametrize("op", OPERATORS, ids=lambda op: op.__name__)
def test_numpy_scalars_work_on_either_side(number, op):
    x = Value(3.0)
    for y, expected in ((op(number, x), op(2.0, 3.0)), (op(x, number), op(3.0, 2.0))):
        assert type(y) is Value, type(y)
        assert y.data == pytest.approx(expected, rel=1e-15)
        constants = [p for p in y.parents if p.op is CONST]
        assert len(constants) == 1 and type(constants[0].data) is float


def test_numpy_scalars_in_gradients():
    x = Value(np.float32(0.5))
    y = np.float64(2) * x * np.int64(3) + np.float32(1.0)
    y.backward()
    assert x.grad == 6.0 and type(x.grad) is float
    assert type(y.data) is float


def test_a_numpy_bool_is_a_number():
    x = Value(2.0)
    assert (x * np.bool_(True)).data == 2.0


def test_as_values_keeps_shape_and_labels_by_index():
    W = as_values(np.arange(6.0).reshape(2, 3), label="W")
    assert W.dtype == object and W.shape == (2, 3)
    assert W[1, 2].label == "W[1,2]" and W[1, 2].data == 5.0
    assert all(type(v) is Value and v.is_leaf for v in W.flat)
    assert as_values([1, 2], label="x")[1].label == "x[1]"
    assert as_values(np.float32(3.0), label="c")[()].label == "c"
    assert as_values([1.0, 2.0])[0].label is None
    values = as_values(np.array([True, False]))
    assert [v.data for v in values] == [1.0, 0.0]


def test_as_values_as_nested_lists():
    nested = as_values([[1.0, 2.0], [3.0, 4.0]], label="A", as_list=True)
    assert type(nested) is list and type(nested[0]) is list
    assert [[v.label for v in row] for row in nested] == [["A[0,0]", "A[0,1]"], ["A[1,0]", "A[1,1]"]]
    assert data_of(nested).tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_matrix_vector_product_through_object_arrays():
    W = as_values([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], label="W")
    x = as_values([1.5, -2.0], label="x")
    h = W @ x
    loss = sum(v.sigmoid() for v in h)
    loss.backward()
    net = np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]) @ np.array([1.5, -2.0])
    s = 1 / (1 + np.exp(-net))
    assert data_of(h) == pytest.approx(net, rel=1e-15)
    assert grad_of(W) == pytest.approx(np.outer(s * (1 - s), [1.5, -2.0]), rel=1e-14)
    assert grad_of(x) == pytest.approx(np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]).T @ (s * (1 - s)),
                                       rel=1e-14)
    assert grad_of(W).dtype == np.float64 and grad_of(W).shape == (3, 2)


def test_data_of_and_grad_of_a_single_value_and_tuples():
    v = Value(2.0)
    (v * v).backward()
    assert data_of(v).shape == () and float(data_of(v)) == 2.0 and float(grad_of(v)) == 4.0
    assert grad_of((v, v)).tolist() == [4.0, 4.0]


@pytest.mark.parametrize("given, message", [
    (["a", "b"], "as_values: expected an array of real numbers, got dtype <U1 from list"),
    ([1 + 1j], "as_values: expected an array of real numbers, got dtype complex128 from list"),
    (None, "as_values: expected an array of real numbers, got dtype object from NoneType"),
])
def test_as_values_rejects_what_is_not_an_array_of_reals(given, message):
    with pytest.raises(TypeError, match=message):
        as_values(given)


def test_as_values_rejects_ragged_nesting():
    with pytest.raises(ValueError, match=r"as_values: not a rectangular array of numbers"):
        as_values([[1.0], [2.0, 3.0]])


def test_as_values_label_must_be_a_string():
    with pytest.raises(TypeError, match="as_values: label must be a str or None, got int"):
        as_values([1.0], label=1)


@pytest.mark.parametrize("reader", [data_of, grad_of], ids=["data_of", "grad_of"])
def test_readers_name_the_element_that_is_not_a_value(reader):
    v = Value(1.0)
    with pytest.raises(TypeError, match=rf"{reader.__name__}: element \[1\] is float 2.0, not a Value"):
        reader([v, 2.0])
    with pytest.raises(TypeError, match=rf"^{reader.__name__}: element \[0\] is a list \(are the nested lists ragged\?\), not a Value$"):
        reader([[v, v], [v]])


def test_values_keep_math_compatibility():
    x = Value(np.float64(0.25))
    assert math.sqrt(x) == 0.5  # through __float__, outside the graph


def test_numpy_is_imported_only_when_an_array_is_made():
    code = ("import sys, autodiff, nn, lecture, viz\n"
            "from stepgrad.cli import build_parser\n"
            "build_parser()\n"
            "print('numpy' in sys.modules)\n"
            "nn.as_values([1.0])\n"
            "print('numpy' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["False", "True"], done.stderr
