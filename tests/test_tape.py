"""autodiff.trace and Tape: replays agree with the engine on every op, random graphs, batches,
errors and non-finite values; what cannot be replayed is refused with a clear error."""

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import build, operands, points, programs

from autodiff import OPS, AnomalyError, DomainError, Op, Value, apply, constant, detect_anomaly, grad
from autodiff.tape.tape import Tape, TraceError, trace
from autodiff.tape.vectorise import compile_rule


def same(got, want, rel=1e-12):
    """Equal within ``rel`` relative (NaN matches NaN): the issue's bar for a replay."""
    if math.isnan(want):
        return math.isnan(got)
    return got == want or abs(got - want) <= rel * abs(want)


def engine(make, values):
    """The engine's output and gradients for ``make`` on fresh Values (or the error it raises)."""
    xs = [Value(v) for v in values]
    out = make(*xs)
    return out.data, grad(out, xs)


def replay_matches(make, traced_at, replay_at):
    xs = [Value(v) for v in traced_at]
    tape = trace(make(*xs), xs)
    try:
        want = engine(make, replay_at)
    except (DomainError, ArithmeticError) as error:
        with pytest.raises(type(error)) as raised:
            tape(replay_at)
        assert str(raised.value) == str(error)
        return
    out, grads = tape(replay_at)
    assert same(out, want[0])
    assert len(grads) == len(want[1]) and all(same(g, w) for g, w in zip(grads, want[1]))


# -- every op, and graphs -----------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(OPS))
def test_each_op_compiles_from_its_rules(name):
    op = OPS[name]
    assert compile_rule(op.forward, (None,) * op.arity) is not None
    for rule in op.partials:
        assert compile_rule(rule, (None,) * (op.arity + 1), op.forward) is not None


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=25)
@given(data=st.data())
def test_each_op_replays_like_the_engine(name, data):
    op = OPS[name]
    first, second = data.draw(operands(op)), data.draw(operands(op))
    replay_matches(lambda *xs: apply(op, *xs), first, second)
    if op.arity == 2:  # a constant on either side
        replay_matches(lambda x: apply(op, constant(first[0]), x), second[1:], first[1:])
        replay_matches(lambda x: apply(op, x, constant(second[1])), first[:1], second[:1])


@settings(max_examples=200)
@given(program=programs(3, max_steps=8), first=points(3), second=points(3))
def test_random_graphs_replay_like_the_engine(program, first, second):
    try:
        build(program, [Value(v) for v in first])
    except DomainError:
        return
    replay_matches(lambda *xs: build(program, xs), first, second)


@pytest.mark.parametrize("make", [
    lambda a, b: a * a, lambda a, b: (a + b) * (a - b) + a, lambda a, b: a / a + b ** 2,
    lambda a, b: sum([a * b, a, b, a * a], b), lambda a, b: (a * 2).relu() + abs(b) - 3 * a,
])
def test_diamonds_shared_nodes_and_sums_are_exact(make):
    xs = [Value(1.5), Value(-0.5)]
    tape = trace(make(*xs), xs)
    out, grads = tape([0.75, 2.25])
    want_out, want = engine(make, [0.75, 2.25])
    assert out == want_out and grads.tolist() == list(want)   # the engine's order of sums


@pytest.mark.parametrize("make, at", [
    (lambda x: x ** 2, -3.0), (lambda x: 2 ** x, 0.5), (lambda x: x ** x, 1.5), (lambda x: x ** 0, 0.0),
    (lambda x: x ** 0.5, 4.0), (lambda x: (-2.0) ** (x * 0 + 3), 1.0), (lambda x: x ** -1, -2.0),
    (lambda x: 0.0 ** (x * x + 1), 1.0),
])
def test_every_power_form(make, at):
    replay_matches(make, [at + 0.25], [at])


@pytest.mark.parametrize("make, at, message", [
    (lambda x: x.log(), -1.0, "log: log of a non-positive number"),
    (lambda x: 1 / x, 0.0, "div: division by zero"),
    (lambda x: x.sqrt(), 0.0, "sqrt: local derivative"),
    (lambda x: x ** 0.5, -1.0, "pow: negative base with a non-integer exponent"),
    (lambda x: (x * 1000).exp(), 1.0, "exp: overflow"),
])
def test_domain_errors_are_the_engines(make, at, message):
    x = Value(0.5, label="x")
    tape = trace(make(x), [x])
    with pytest.raises(DomainError, match=message) as raised:
        tape([at])
    with pytest.raises(DomainError) as engine_error:
        y = Value(at, label="x")
        make(y).backward()
    assert str(raised.value) == str(engine_error.value)


def test_nan_and_inf_flow_as_in_the_engine_and_anomaly_mode_raises():
    def make(a, b):
        return (a * b).tanh() + (a * 1e-300).exp() * b
    for at in ([math.nan, 1.0], [math.inf, 0.5], [1e308, 10.0], [-math.inf, math.inf]):
        replay_matches(make, [1.0, 2.0], at)
    x, y = Value(1.0), Value(2.0)
    tape = trace((x * y).tanh() + x.exp(), [x, y])
    with detect_anomaly(), pytest.raises(AnomalyError, match="forward: mul produced inf"):
        tape([1e308, 10.0])
    tiny = Value(0.5, label="x")
    tape = trace(tiny.log() * 2, [tiny])
    with detect_anomaly(), pytest.raises(AnomalyError, match="backward: log gave") as raised:
        tape([1e-320])
    with detect_anomaly(), pytest.raises(AnomalyError) as engine_error:
        (Value(1e-320, label="x").log() * 2).backward()
    assert str(raised.value) == str(engine_error.value)


def test_a_rule_the_stand_ins_cannot_follow_runs_on_floats():
    # a function with no array form, and a rule that answers by type, fall back to the rule
    def slope(x):
        return 3.0 * x * x if type(x) is float else x.call("slope")
    cube = Op("cube", "cube", 1, lambda a: a * a * a, (lambda out, a: slope(a),), (((-3.0, 3.0),),))
    sneaky = Op("sneaky", "s", 1, lambda a: a * 2.0,
                (lambda out, a: 2.0 if type(a) is float else 3.0,), (((-3.0, 3.0),),))
    assert compile_rule(cube.partials[0], (None, None), cube.forward) is None
    assert compile_rule(sneaky.partials[0], (None, None), sneaky.forward) is None
    x = Value(0.5)
    tape = trace(apply(cube, x) + apply(sneaky, x), [x])
    out, grads = tape([2.0])
    assert out == 12.0 and grads.tolist() == [14.0]


def test_a_long_sum_is_one_step_and_deep_chains_need_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(200_000):
        y = y + x
    tape = trace(y, [x])
    assert "1 steps" in repr(tape)
    out, grads = tape([0.5])
    assert out == 200_001 * 0.5 and grads.tolist() == [200_001.0]
    z = x
    for _ in range(3000):
        z = z.tanh()
    replay_matches(lambda v: _tanh_chain(v, 3000), [0.3], [0.7])



def test_sums_in_one_step_get_gradients_when_any_of_them_needs_them():
    # two sums of one length at one level, one step: the first of other leaves only
    others, xs = [Value(k + 1.0) for k in range(5)], [Value(k + 0.5) for k in range(5)]

    def make(*xs):
        return sum(others[1:], others[0]) * sum(xs[1:], xs[0])
    tape = trace(make(*xs), xs)
    assert "2 steps" in repr(tape)
    out, grads = tape([0.25, 1.0, 2.0, 3.0, 4.0])
    want_out, want = engine(make, [0.25, 1.0, 2.0, 3.0, 4.0])
    assert out == want_out and grads.tolist() == list(want)

def _tanh_chain(v, n):
    for _ in range(n):
        v = v.tanh()
    return v


# -- leaves, constants, batches ---------------------------------------------------------------

def test_other_leaves_keep_their_values_and_constants_stay():
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    tape = trace(w * x + 1, [x])
    out, grads = tape([5.0])
    assert out == 16.0 and grads.tolist() == [3.0]
    w.data = 100.0  # changed after tracing: the tape keeps the recorded 3
    assert tape([5.0])[0] == 16.0


def test_a_batch_sums_the_output_and_gradients_over_rows():
    w, b = Value(0.5, label="w"), Value(-0.2, label="b")
    x, t = Value(0.0, label="x"), Value(0.0, label="t")
    tape = trace((t - (w * x + b).sigmoid()) ** 2, [w, b])
    xs, ts = np.array([0.1, -1.0, 2.0, 3.5]), np.array([1.0, 0.0, 1.0, 0.0])
    out, grads = tape([0.7, 0.1], data={x: xs, t: ts})
    rows = [engine(lambda w_, b_: (tv - (w_ * xv + b_).sigmoid()) ** 2, [0.7, 0.1]) for xv, tv in zip(xs, ts)]
    assert same(out, math.fsum(r[0] for r in rows))
    for k in range(2):
        assert same(grads[k], math.fsum(r[1][k] for r in rows))
    per_row = tape.forward([0.7, 0.1], data={x: xs, t: ts})
    assert [same(a, r[0]) for a, r in zip(per_row, rows)] == [True] * 4
    # a number gives every row that value
    assert same(tape([0.7, 0.1], data={x: xs, t: 1.0})[0],
                math.fsum(engine(lambda w_, b_: (1.0 - (w_ * xv + b_).sigmoid()) ** 2, [0.7, 0.1])[0]
                          for xv in xs))


def test_bad_calls_and_bad_traces_say_what_is_wrong():
    x, w = Value(1.0, label="x"), Value(2.0, label="w")
    h = w * x
    y = h + 3.0
    tape = trace(y, [w])
    const = y.parents[1]
    cases = [
        (lambda: tape([1.0, 2.0]), TraceError, r"expected 1 values \(one per input\), got shape \(2,\)"),
        (lambda: tape(["a"]), TraceError, "values must be numbers"),
        (lambda: tape([1.0], data={w: [1.0]}), TraceError, "'w': it is an input"),
        (lambda: tape([1.0], data={h: [1.0]}), TraceError, "is computed by mul"),
        (lambda: tape([1.0], data={const: [1.0]}), TraceError, "constants stay constants"),
        (lambda: tape([1.0], data={Value(1.0): [1.0]}), TraceError, "not a leaf of the traced graph"),
        (lambda: tape([1.0], data={x: [[1.0]]}), TraceError, "a number or a 1-D array"),
        (lambda: tape([1.0], data={x: []}), TraceError, "is empty"),
        (lambda: trace(y, [h]), TraceError, r"inputs\[0\] \(the node with data 2.0\) is computed by mul"),
        (lambda: trace(y, [const]), TraceError, "is a constant"),
        (lambda: trace(y, [w, w]), TraceError, "'w'.* is given twice"),
        (lambda: trace(y, w), TypeError, "single Value"),
        (lambda: trace(1.0, [w]), TypeError, "expected a Value"),
    ]
    for call, error, message in cases:
        with pytest.raises(error, match=message):
            call()
    other = Value(0.0, label="z")
    with pytest.raises(TraceError, match="has 2 rows, other data 3"):
        trace(w * x + other, [w])([1.0], data={x: [1, 2, 3], other: [1, 2]})


def test_an_output_that_ignores_an_input_or_is_one():
    x, y = Value(1.0), Value(2.0)
    assert trace(x * 2, [x, y])([3.0, 4.0])[1].tolist() == [2.0, 0.0]
    assert trace(x, [y, x])([3.0, 4.0])[1].tolist() == [0.0, 1.0]
    assert trace(constant(2.0) * 3, [x])([5.0]) == (6.0, pytest.approx(np.zeros(1)))


def test_importing_autodiff_does_not_import_the_tape():
    code = "import sys, autodiff; assert 'autodiff.tape' not in sys.modules; autodiff.trace"
    subprocess.run([sys.executable, "-c", code], check=True)
    assert isinstance(trace(Value(1.0) * 2, []), Tape)
