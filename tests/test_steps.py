"""Tests of autodiff.steps: backward one node at a time, and the Stepper."""

import math

import pytest
from hypothesis import assume, given, settings
from strategies import build, points, programs

from autodiff import (CONST, AnomalyError, DomainError, Value, backward, detect_anomaly,
                      reverse_topological_order, topological_order)
from autodiff.notation import Text, node_names, number
from autodiff.steps import Stepper, backward_steps
from sample_graphs import section7_error, two_paths


GOLDEN_STEPS = """\
step 1/7: L = tanh(#3) [tanh], data = 0.761594
  upstream ∂L/∂L = 1 (seed)
  → #3: local tanh: 1 − out² = 0.419974; contribution 1 × 0.419974 = 0.419974; #3.grad = 0.419974
step 2/7: #3 = #1 + #2 [add], data = 1
  upstream ∂L/∂#3 = 0.419974
  → #1: local +: 1; contribution 0.419974 × 1 = 0.419974; #1.grad = 0.419974
  → #2: local +: 1; contribution 0.419974 × 1 = 0.419974; #2.grad = 0.419974
step 3/7: #2 = x × 0.4 [mul], data = 0.4
  upstream ∂L/∂#2 = 0.419974
  → x: local ×: b = 0.4; contribution 0.419974 × 0.4 = 0.16799; x.grad = 0.16799
  → 0.4: constant, no gradient
step 4/7: 0.4 [constant]: takes no gradient
step 5/7: #1 = 0.6 × x [mul], data = 0.6
  upstream ∂L/∂#1 = 0.419974
  → 0.6: constant, no gradient
  → x: local ×: a = 0.6; contribution 0.419974 × 0.6 = 0.251985; x.grad = 0.419974
step 6/7: x [leaf], data = 1
  x.grad = 0.16799 + 0.251985 = 0.419974, 2 paths
step 7/7: 0.6 [constant]: takes no gradient"""


# -- steps ---------------------------------------------------------------------------------

def test_golden_step_list():
    _, root = two_paths()
    steps = list(root.backward_steps())
    assert "\n".join(map(str, steps)) == GOLDEN_STEPS
    assert [repr(s) for s in steps] == [s.text() for s in steps]


def test_steps_follow_backwards_order_one_per_node():
    _, root = two_paths()
    steps = list(backward_steps(root))
    assert [s.node for s in steps] == reverse_topological_order(root)
    assert [s.index for s in steps] == list(range(1, 8))
    assert {s.count for s in steps} == {7}
    assert [s.kind for s in steps] == ["op", "op", "op", "constant", "op", "leaf", "constant"]


def test_step_data_records_locals_contributions_and_running_totals():
    x, root = two_paths()
    steps = {s.name: s for s in backward_steps(root)}
    upstream = 1 - math.tanh(1.0) ** 2
    mul_b = steps["#2"]
    assert mul_b.upstream == pytest.approx(upstream, rel=1e-15)
    edge_x, edge_const = mul_b.edges
    assert (edge_x.parent, edge_x.operand, edge_x.formula) == (x, 0, "b")
    assert edge_x.local == 0.4 and edge_x.contribution == pytest.approx(0.4 * upstream, rel=1e-15)
    assert edge_x.total == edge_x.contribution          # the first path to reach x
    assert edge_const.parent.op is CONST and edge_const.local is None and edge_const.total is None
    second = steps["#1"].edges[1]
    assert second.total == pytest.approx(upstream, rel=1e-15)   # 0.4·u + 0.6·u
    leaf = steps["x"]
    assert [i.amount for i in leaf.received] == [edge_x.contribution, second.contribution]
    assert [i.child for i in leaf.received] == [mul_b.node, steps["#1"].node]
    assert leaf.paths == 2 and leaf.upstream == x.grad


def test_the_accumulation_reads_like_the_sum_it_is():
    x = Value(1.0, label="x")
    root = x * 0.4 + x * 0.6       # backward reaches x through the last use first
    *_, leaf = [s for s in root.backward_steps() if s.kind != "constant"]
    assert leaf.accumulation() == "0.6 + 0.4 = 1, 2 paths"
    assert str(leaf).endswith("x.grad = 0.6 + 0.4 = 1, 2 paths")


def test_a_leaf_accumulates_over_passes_and_says_so():
    x = Value(1.0, label="x")
    root = x * 3.0
    root.backward()
    *_, leaf = [s for s in root.backward_steps() if s.kind == "leaf"]
    assert leaf.before == 3.0 and x.grad == 6.0
    assert leaf.accumulation() == "3 (before) + 3 = 6, 1 path"


def test_a_leaf_root_is_seeded_and_keeps_what_it_had():
    x = Value(2.0, label="x")
    x.grad = 0.5
    (step,) = backward_steps(x)
    assert x.grad == 1.5
    assert str(step) == "step 1/1: x [leaf], data = 2\n  x.grad = 0.5 (before) + 1 (seed) = 1.5"


def test_negative_factors_are_parenthesized():
    x = Value(2.0, label="x")
    root = x * -3.0
    root.label = "y"
    first = next(iter(backward_steps(root)))
    assert "contribution 1 × (-3) = -3; x.grad = -3" in str(first)


@settings(max_examples=60)
@given(programs(3), points(3), points(3))
def test_after_the_last_step_every_grad_equals_backward(program, point, previous):
    def graph():
        leaves = [Value(v, label=f"x{i}") for i, v in enumerate(point)]
        for leaf, g in zip(leaves, previous):
            leaf.grad = g              # leaves accumulate from an earlier pass
        try:
            return build(program, leaves)
        except (DomainError, OverflowError):
            return None
    expected, stepped = graph(), graph()
    assume(expected is not None and all(math.isfinite(n.data) for n in topological_order(expected)))
    try:
        backward(expected)
    except DomainError:
        assume(False)
    steps = list(backward_steps(stepped))
    a, b = topological_order(expected), topological_order(stepped)
    assert [n.grad for n in a] == [n.grad for n in b]
    assert len(steps) == len(b)
    for step in steps:
        assert step.upstream == step.node.grad


def test_steps_run_backwards_rules_and_report_an_undefined_one():
    x = Value(0.0, label="x")
    root = x.sqrt() * 2.0
    with pytest.raises(DomainError, match=r"sqrt: local derivative ∂out/∂a = 1/\(2·out\) is undefined"):
        list(backward_steps(root))


def test_anomaly_mode_stops_the_first_non_finite_contribution():
    x = Value(1e-300, label="x")
    s = x.sqrt()
    s.label = "s"
    root = s * 1e200
    with detect_anomaly(), pytest.raises(AnomalyError) as error:
        list(backward_steps(root))
    message = str(error.value)
    assert "backward: sqrt gave ∂#1/∂x = inf" in message
    assert "local ∂out/∂a = 1/(2·out) = 5e+149" in message and "of node s" in message


def test_backward_steps_rejects_a_non_value():
    with pytest.raises(TypeError, match="backward_steps: expected a Value, got float"):
        backward_steps(1.0)


def test_node_names_label_number_or_counter():
    x = Value(1.0, label="x")
    y = (x * 2.0 + x).exp()
    names = node_names(topological_order(y))
    assert sorted(names.values()) == sorted(["x", "2", "#1", "#2", "#3"])
    assert names[y] == "#3" and number(-0.000123456789) == "-0.000123457"


# -- the stepper ---------------------------------------------------------------------------

def test_stepper_moves_both_ways_and_restores_gradients_exactly():
    network, error = section7_error()
    w46 = network.layers[1].neurons[0].w[0]
    stepper = Stepper(error)
    original = [n.grad for n in topological_order(error)]
    assert stepper.current is None and stepper.position == 0
    first = stepper.next()
    assert first.node is error and error.grad == 1.0
    snapshots = [[n.grad for n in topological_order(error)]]
    for _ in range(5):
        stepper.next()
        snapshots.append([n.grad for n in topological_order(error)])
    for expected in reversed(snapshots[:-1]):
        stepper.previous()
        assert [n.grad for n in topological_order(error)] == expected
    assert stepper.previous() is None
    assert [n.grad for n in topological_order(error)] == original
    with pytest.raises(StopIteration, match="at the start"):
        stepper.previous()
    step = stepper.goto("w46")
    assert step.node is w46 and step.kind == "leaf"
    assert w46.grad == pytest.approx(-0.0435235, abs=1e-7)
    assert stepper.goto(w46) is step and stepper.goto(stepper.position) is step
    assert stepper.goto(3).index == 3
    last = stepper.run()
    assert last.index == len(stepper) and stepper.steps[-1] is last
    with pytest.raises(StopIteration, match="backward is complete"):
        stepper.next()
    grads = {n: n.grad for n in topological_order(error)}
    zeroed = reverse_topological_order(error)
    for n in zeroed:
        n.grad = 0.0
    error.backward()
    assert all(n.grad == grads[n] for n in zeroed)
    assert stepper.reset() is None


def test_stepper_iterates_and_reprs_its_position():
    _, root = two_paths()
    stepper = Stepper(root)
    assert repr(stepper) == "<Stepper at step 0/7 of ∂L>"
    names = [step.name for step in stepper]
    assert names == ["L", "#3", "#2", "0.4", "#1", "x", "0.6"]
    assert repr(stepper).startswith("<Stepper at step 7/7 of ∂L>\nstep 7/7: 0.6 [constant]")


def test_stepper_goto_names_what_it_cannot_find():
    x, root = two_paths()
    stepper = Stepper(root)
    with pytest.raises(ValueError, match=r"no node named 'w'; names: L, #3, #2, 0.4, #1, x, 0.6"):
        stepper.goto("w")
    with pytest.raises(ValueError, match="is not in this graph"):
        stepper.goto(Value(1.0))
    with pytest.raises(ValueError, match="step 9 is out of range 0..7"):
        stepper.goto(9)
    with pytest.raises(TypeError, match="got a bool"):
        stepper.goto(True)


def test_stepper_table_shows_finished_gradients_and_those_so_far():
    x, root = two_paths()
    stepper = Stepper(root)
    stepper.goto(3)
    assert isinstance(stepper.table(), Text)
    assert stepper.table() == (
        "step  node  op    data      grad\n"
        "1     L     tanh  0.761594  1\n"
        "2     #3    add   1         0.419974\n"
        "3     #2    mul   0.4       0.419974\n"
        "      #1    mul   0.6       0.419974  so far\n"
        "      x     leaf  1         0.16799   so far")
    assert repr(stepper.table()) == str(stepper.table())
