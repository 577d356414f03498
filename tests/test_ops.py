"""The op table, driven by OPS: forwards against math, every local derivative and second derivative
against central differences, declared test domains and printed formulas."""

import math
import operator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import operands, reals

from autodiff import CONST, OPS, Op, Value, apply, central_difference, grad

# Independent references for the forwards: plain math, not the table's own code.
MATH = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv,
    "neg": operator.neg, "pow": math.pow, "exp": math.exp, "log": math.log, "sqrt": math.sqrt,
    "sin": math.sin, "cos": math.cos, "tanh": math.tanh,
    "sigmoid": lambda a: 1 / (1 + math.exp(-a)),
    "relu": lambda a: max(a, 0.0), "abs": abs,
}
# float64 central differences with ε = 1e-6 are good to about 1e-10 here: 100× margin.
TOLERANCE = 1e-8
ALL_OPS = pytest.mark.parametrize("op", OPS.values(), ids=list(OPS))
BINARY_OPS = [op for op in OPS.values() if op.arity == 2]


def close(automatic, numerical):
    return abs(automatic - numerical) <= TOLERANCE * max(1.0, abs(numerical))


def ops_without_a_domain(ops):
    return [name for name, op in ops.items() if op.domain is None]


def test_every_op_declares_a_test_domain():
    assert not ops_without_a_domain(OPS), "ops without a test domain (Op.domain)"
    for name, op in OPS.items():
        assert len(op.domain) == op.arity, name
        for intervals in op.domain:
            assert intervals and all(low < high for low, high in intervals), name


def test_the_domain_check_catches_an_op_without_one():
    bare = Op("twice", "2×", 1, lambda a: 2 * a, (lambda out, a: 2.0,))
    assert ops_without_a_domain({**OPS, "twice": bare}) == ["twice"]


def test_every_op_has_a_math_reference_and_one_rule_per_operand():
    assert set(MATH) == set(OPS)
    for name, op in OPS.items():
        assert op.name == name
        assert len(op.partials) == op.arity == len(op.formulas)


@ALL_OPS
@given(data=st.data())
def test_forward_matches_math(op, data):
    xs = data.draw(operands(op))
    assert op.forward(*xs) == pytest.approx(MATH[op.name](*xs), rel=1e-14, abs=1e-300)


@ALL_OPS
@given(data=st.data())
def test_value_op_records_the_forward(op, data):
    xs = data.draw(operands(op))
    leaves = [Value(x) for x in xs]
    out = apply(op, *leaves)
    assert out.data == op.forward(*xs)
    assert out.op is op and out.parents == tuple(leaves)


@ALL_OPS
@given(data=st.data())
def test_local_derivatives_match_central_differences(op, data):
    xs = data.draw(operands(op))
    out = op.forward(*xs)
    for i, rule in enumerate(op.partials):
        numerical = central_difference(op.forward, *xs, arg=i)
        assert close(rule(out, *xs), numerical), (op.formulas[i], xs)


@ALL_OPS
@given(data=st.data())
def test_second_derivatives_match_central_differences_of_the_first(op, data):
    xs = data.draw(operands(op))
    leaves = [Value(x) for x in xs]
    firsts = grad(apply(op, *leaves), leaves, create_graph=True)
    for i, first in enumerate(firsts):
        assert isinstance(first, Value)
        row = grad(first, leaves)
        for j in range(op.arity):
            numerical = central_difference(lambda *p: op.partials[i](op.forward(*p), *p), *xs, arg=j)
            assert close(row[j], numerical), (op.name, i, j, xs)


@pytest.mark.parametrize("op", BINARY_OPS, ids=[op.name for op in BINARY_OPS])
@pytest.mark.parametrize("constant_side", [0, 1])
@given(data=st.data())
def test_derivatives_with_a_number_on_either_side(op, constant_side, data):
    xs = data.draw(operands(op))
    variable = 1 - constant_side
    x = Value(xs[variable])
    args = [xs[0], x] if constant_side == 0 else [x, xs[1]]
    out = apply(op, *args)
    assert out.parents[constant_side].op is CONST
    (first,) = grad(out, [x], create_graph=True)
    (second,) = grad(first, [x])
    numerical_first = central_difference(op.forward, *xs, arg=variable)
    numerical_second = central_difference(
        lambda *p: op.partials[variable](op.forward(*p), *p), *xs, arg=variable)
    assert close(first.data, numerical_first)
    assert close(second, numerical_second)


def test_dunders_record_their_own_ops():
    a, b = Value(2.0), Value(3.0)
    cases = {"add": a + b, "sub": a - b, "mul": a * b, "div": a / b, "neg": -a, "pow": a ** b,
             "exp": a.exp(), "log": a.log(), "sqrt": a.sqrt(), "sin": a.sin(), "cos": a.cos(),
             "tanh": a.tanh(), "sigmoid": a.sigmoid(), "relu": a.relu(), "abs": abs(a)}
    assert set(cases) == set(OPS)
    for name, node in cases.items():
        assert node.op is OPS[name]
        assert node.parents == ((a, b) if OPS[name].arity == 2 else (a,))
    assert a.abs().op is OPS["abs"]


def test_printed_formulas():
    assert {name: op.formulas for name, op in OPS.items()} == {
        "add": ("1", "1"), "sub": ("1", "-1"), "mul": ("b", "a"), "div": ("1/b", "−a/b²"),
        "neg": ("-1",), "pow": ("b·a^(b − 1)", "out·log(a)"), "exp": ("out",), "log": ("1/a",),
        "sqrt": ("1/(2·out)",), "sin": ("cos(a)",), "cos": ("−sin(a)",), "tanh": ("1 − out²",),
        "sigmoid": ("out·(1 − out)",), "relu": ("[a > 0]",), "abs": ("sign(a)",),
    }


@pytest.mark.parametrize("x, expected", [(-1000.0, 0.0), (1000.0, 1.0), (0.0, 0.5),
                                         (-1.7e308, 0.0), (1.7e308, 1.0)])
def test_sigmoid_is_exact_at_the_extremes(x, expected):
    assert OPS["sigmoid"].forward(x) == expected
    assert Value(x).sigmoid().data == expected


@given(reals(-1.7e308, 1.7e308))
def test_sigmoid_and_tanh_raise_nothing_for_finite_inputs(x):
    s, t = OPS["sigmoid"].forward(x), OPS["tanh"].forward(x)
    assert 0.0 <= s <= 1.0 and -1.0 <= t <= 1.0
    assert s + OPS["sigmoid"].forward(-x) == pytest.approx(1.0, abs=1e-15)
    assert t == -OPS["tanh"].forward(-x)


@pytest.mark.parametrize("exponent", [2.0, 3.0, -1.0, -2.0])
@pytest.mark.parametrize("base", [-2.5, -0.5, 0.5, 2.5])
def test_power_rule_with_an_integer_exponent_holds_for_negative_bases_too(base, exponent):
    rule = OPS["pow"].partials[0]
    numerical = central_difference(math.pow, base, exponent)
    assert close(rule(math.pow(base, exponent), base, exponent), numerical)
