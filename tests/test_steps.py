"""Tests of autodiff.steps: backward one node at a time, and the Stepper."""

import math
import re
import warnings

import pytest
from hypothesis import assume, given, settings
from sample_graphs import section7_error, two_paths
from strategies import build, points, programs

from autodiff import (
    CONST,
    AccumulationWarning,
    AnomalyError,
    DomainError,
    Value,
    backward,
    detect_anomaly,
    gradients,
    reverse_topological_order,
    topological_order,
)
from lecture import error_graph
from stepgrad.stepping.notation import NAME_LIMIT, Text, node_names, number
from stepgrad.stepping.steps import GRAINS, Stepper, backward_steps

GOLDEN_STEPS = """\
step 1/5: L = tanh(0.6·x + x·0.4) [tanh], data = 0.761594
  upstream ∂L/∂L = 1 (seed)
  → 0.6·x + x·0.4: local ∂L/∂(0.6·x + x·0.4) = 1 − L² = 0.419974
    contribution 1 × 0.419974 = 0.419974; (0.6·x + x·0.4).grad = 0.419974
step 2/5: 0.6·x + x·0.4 [add], data = 1
  upstream ∂L/∂(0.6·x + x·0.4) = 0.419974
  → 0.6·x: local ∂(0.6·x + x·0.4)/∂(0.6·x) = 1
    contribution 0.419974 × 1 = 0.419974; (0.6·x).grad = 0.419974
  → x·0.4: local ∂(0.6·x + x·0.4)/∂(x·0.4) = 1
    contribution 0.419974 × 1 = 0.419974; (x·0.4).grad = 0.419974
step 3/5: x·0.4 [mul], data = 0.4
  upstream ∂L/∂(x·0.4) = 0.419974
  → x: local ∂(x·0.4)/∂x = 0.4
    contribution 0.419974 × 0.4 = 0.16799; x.grad = 0.16799
step 4/5: 0.6·x [mul], data = 0.6
  upstream ∂L/∂(0.6·x) = 0.419974
  → x: local ∂(0.6·x)/∂x = 0.6
    contribution 0.419974 × 0.6 = 0.251985; x.grad = 0.419974
step 5/5: x [leaf], data = 1
  x.grad = 0.16799 + 0.251985 = 0.419974, 2 paths"""

# Section 7 in the lecture's order: the error, δ6, the weights into 6, δ4, δ5, their weights.
GOLDEN_NEURON_STEPS = """\
step 1/7: the error E = 0.5·(t6 − o6)^2 = 0.138396
  ∂E/∂o6 = −(t6 − o6) = -0.526111
step 2/7: unit 6, output layer: δ6 = −∂E/∂net6
  ∂E/∂o6 = -0.526111
  ∂o6/∂net6 = o6·(1 − o6) = 0.249318
  ∂E/∂net6 = ∂E/∂o6 · ∂o6/∂net6
      = -0.526111 × 0.249318 = -0.131169
  δ6 = −∂E/∂net6 = 0.131169
step 3/7: the weights of unit 6: ∂E/∂w = ∂E/∂net6 · ∂net6/∂w
  ∂E/∂w46 = ∂E/∂net6·o4 = (-0.131169)(0.331812) = -0.0435235
  ∂E/∂w56 = ∂E/∂net6·o5 = (-0.131169)(0.524979) = -0.068861
  ∂E/∂b6 = ∂E/∂net6 = -0.131169
  passed on: ∂E/∂o4 gets ∂E/∂net6·w46
      = (-0.131169)(-0.3) = 0.0393507
  passed on: ∂E/∂o5 gets ∂E/∂net6·w56
      = (-0.131169)(-0.2) = 0.0262338
step 4/7: unit 4, hidden layer 1: δ4 = −∂E/∂net4
  ∂E/∂o4 = ∂E/∂net6·w46 = (-0.131169)(-0.3) = 0.0393507
  ∂o4/∂net4 = o4·(1 − o4) = 0.221713
  ∂E/∂net4 = ∂E/∂o4 · ∂o4/∂net4
      = 0.0393507 × 0.221713 = 0.00872456
  δ4 = −∂E/∂net4 = -0.00872456
step 5/7: unit 5, hidden layer 1: δ5 = −∂E/∂net5
  ∂E/∂o5 = ∂E/∂net6·w56 = (-0.131169)(-0.2) = 0.0262338
  ∂o5/∂net5 = o5·(1 − o5) = 0.249376
  ∂E/∂net5 = ∂E/∂o5 · ∂o5/∂net5
      = 0.0262338 × 0.249376 = 0.00654209
  δ5 = −∂E/∂net5 = -0.00654209
step 6/7: the weights of unit 4: ∂E/∂w = ∂E/∂net4 · ∂net4/∂w
  ∂E/∂w14 = ∂E/∂net4·x1 = (0.00872456)(1) = 0.00872456
  ∂E/∂w24 = ∂E/∂net4·x2 = (0.00872456)(0) = 0
  ∂E/∂w34 = ∂E/∂net4·x3 = (0.00872456)(1) = 0.00872456
  ∂E/∂b4 = ∂E/∂net4 = 0.00872456
step 7/7: the weights of unit 5: ∂E/∂w = ∂E/∂net5 · ∂net5/∂w
  ∂E/∂w15 = ∂E/∂net5·x1 = (0.00654209)(1) = 0.00654209
  ∂E/∂w25 = ∂E/∂net5·x2 = (0.00654209)(0) = 0
  ∂E/∂w35 = ∂E/∂net5·x3 = (0.00654209)(1) = 0.00654209
  ∂E/∂b5 = ∂E/∂net5 = 0.00654209"""


# -- steps ---------------------------------------------------------------------------------

def test_golden_step_list():
    _, root = two_paths()
    steps = list(backward_steps(root))
    assert "\n".join(map(str, steps)) == GOLDEN_STEPS
    assert [repr(s) for s in steps] == [s.text() for s in steps]


def test_steps_follow_backwards_order_one_per_node():
    _, root = two_paths()
    steps = list(backward_steps(root, constants=True))
    assert [s.node for s in steps] == reverse_topological_order(root)
    assert [s.index for s in steps] == list(range(1, 8))
    assert {s.count for s in steps} == {7}
    assert [s.kind for s in steps] == ["op", "op", "op", "constant", "op", "leaf", "constant"]
    assert "→ 0.4: constant, no gradient" in str(steps[2])


def test_constants_are_left_out_unless_asked():
    _, root = two_paths()
    steps = list(backward_steps(root))
    assert [s.kind for s in steps] == ["op", "op", "op", "op", "leaf"]
    assert [s.index for s in steps] == [1, 2, 3, 4, 5] and {s.count for s in steps} == {5}
    assert "constant" not in "\n".join(map(str, steps))


def test_step_data_records_locals_contributions_and_running_totals():
    x, root = two_paths()
    steps = {s.name: s for s in backward_steps(root)}
    upstream = 1 - math.tanh(1.0) ** 2
    mul_b = steps["x·0.4"]
    assert mul_b.upstream == pytest.approx(upstream, rel=1e-15)
    edge_x, edge_const = mul_b.edges
    assert (edge_x.parent, edge_x.operand, edge_x.formula, edge_x.rule) == (x, 0, "0.4", "b")
    assert edge_x.local == 0.4 and edge_x.contribution == pytest.approx(0.4 * upstream, rel=1e-15)
    assert edge_x.total == edge_x.contribution          # the first path to reach x
    assert edge_const.parent.op is CONST and edge_const.local is None and edge_const.total is None
    second = steps["0.6·x"].edges[1]
    assert second.total == pytest.approx(upstream, rel=1e-15)   # 0.4·u + 0.6·u
    leaf = steps["x"]
    assert [i.amount for i in leaf.received] == [edge_x.contribution, second.contribution]
    assert [i.child for i in leaf.received] == [mul_b.node, steps["0.6·x"].node]
    assert leaf.paths == 2 and leaf.upstream == x.grad


def test_the_accumulation_reads_like_the_sum_it_is():
    x = Value(1.0, label="x")
    root = x * 0.4 + x * 0.6       # backward reaches x through the last use first
    *_, leaf = backward_steps(root)
    assert leaf.accumulation() == "0.6 + 0.4 = 1, 2 paths"
    assert str(leaf).endswith("x.grad = 0.6 + 0.4 = 1, 2 paths")


def test_a_leaf_accumulates_over_passes_and_says_so():
    x = Value(1.0, label="x")
    root = x * 3.0
    root.backward()
    *_, leaf = backward_steps(root)
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
    assert "    contribution 1 × (-3) = -3; x.grad = -3" in str(first)


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
        backward(expected, accumulate=True)
    except DomainError:
        assume(False)
    steps = list(backward_steps(stepped, constants=True))
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
    assert "backward: sqrt gave ∂(s·1e+200)/∂x = inf" in message
    assert "local ∂out/∂a = 1/(2·out) = 5e+149" in message and "of node s" in message


def test_backward_steps_rejects_a_non_value():
    with pytest.raises(TypeError, match="backward_steps: expected a Value, got float"):
        backward_steps(1.0)


def test_node_names_label_number_expression_or_counter():
    x = Value(1.0, label="x")
    y = (x * 2.0 + x).exp()
    names = node_names(topological_order(y))
    assert sorted(names.values()) == sorted(["x", "2", "x·2", "x·2 + x", "exp(x·2 + x)"])
    assert number(-0.000123456789) == "-0.000123457"
    long = x
    for _ in range(12):
        long = long + x                # x + x + … grows past NAME_LIMIT characters
    names = node_names(topological_order(long))
    assert names[long].startswith("#") and all(len(n) <= NAME_LIMIT for n in names.values())
    unlabeled = Value(2.0) * Value(3.0)
    assert set(node_names(topological_order(unlabeled)).values()) == {"#1", "#2", "#1·#2"}


def test_lecture_names_for_the_target_and_labels_made_printable():
    network, error = section7_error()
    names = node_names(topological_order(error))
    assert {"t6 − o6", "(t6 − o6)^2", "w46·o4", "b4 + w14·x1"} <= set(names.values())
    x = Value(1.0, label="w\x1b[2J\u202e")
    names = node_names(topological_order(x * 2.0))
    assert names[x] == "w\\x1b[2J\\u202e"
    far = Value(1.0, label="a" * 41)            # past LABEL_LIMIT: named as if unlabeled
    assert node_names([far])[far] == "#1"


def test_every_line_fits_80_columns_for_the_lectures_examples():
    for name in ("section7", "section8", "section10"):
        for grain in GRAINS:
            graph = error_graph(name)
            stepper = Stepper(graph.root, grain=grain, network=graph.network, constants=True)
            lines = [line for step in stepper for line in step.text().splitlines()]
            lines += stepper.table().splitlines()
            assert lines and max(map(len, lines)) <= 80, (name, grain)
            assert not [line for line in lines if "−" in line and re.search(r"−\d", line)]


def test_a_long_sum_is_stepped_with_short_lines():
    terms = [Value(float(k), label=f"x{k}") for k in range(2000)]
    parsed = sum(terms[1:], terms[0])
    parsed.label = "+".join(f"x{k}" for k in range(2000))     # a 10,000-character label
    text = "\n".join(step.text() for step in backward_steps(parsed))
    assert max(map(len, text.splitlines())) <= 80
    assert len(text) < 1_500_000


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
    received = stepper.goto("w46", received=True)
    assert received.node.op.name == "mul" and w46 in received.node.parents
    assert received.index < step.index and w46.grad == pytest.approx(-0.0435235, abs=1e-7)
    step = stepper.goto(w46)
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
    assert repr(stepper) == "<Stepper at step 0/5 of ∂L, node by node>"
    names = [step.name for step in stepper]
    assert names == ["L", "0.6·x + x·0.4", "x·0.4", "0.6·x", "x"]
    assert repr(stepper).startswith("<Stepper at step 5/5 of ∂L, node by node>\nstep 5/5: x [leaf]")


def test_stepper_goto_names_what_it_cannot_find():
    x, root = two_paths()
    stepper = Stepper(root)
    with pytest.raises(ValueError, match=r"no step or node named 'w'; names: L, 0.6·x \+ x·0.4, "
                                         r"x·0.4, 0.6·x, x$"):
        stepper.goto("w")
    with pytest.raises(ValueError, match="is not in this graph"):
        stepper.goto(Value(1.0))
    with pytest.raises(ValueError, match="step 9 is out of range 0..5"):
        stepper.goto(9)
    with pytest.raises(TypeError, match="got a bool"):
        stepper.goto(True)


def test_stepper_table_shows_finished_gradients_and_those_so_far():
    x, root = two_paths()
    stepper = Stepper(root)
    stepper.goto(3)
    assert isinstance(stepper.table(), Text)
    assert stepper.table() == (
        "step  node           op    data      grad\n"
        "1     L              tanh  0.761594  1\n"
        "2     0.6·x + x·0.4  add   1         0.419974\n"
        "3     x·0.4          mul   0.4       0.419974\n"
        "      0.6·x          mul   0.6       0.419974  so far\n"
        "      x              leaf  1         0.16799   so far")
    assert repr(stepper.table()) == str(stepper.table())


# -- neuron and layer grain ------------------------------------------------------------------

def test_neuron_grain_follows_the_lectures_order_in_its_words():
    network, error = section7_error()
    stepper = Stepper(error, grain="neuron", network=network)
    assert "\n".join(step.text() for step in stepper) == GOLDEN_NEURON_STEPS
    assert [step.name for step in stepper.steps] == [
        "E", "δ6", "weights of 6", "δ4", "δ5", "weights of 4", "weights of 5"]


def test_each_grain_ends_where_backward_does_and_moves_back_exactly():
    for grain in GRAINS:
        network, error = section7_error()
        nodes = topological_order(error)
        stepper = Stepper(error, grain=grain, network=network)
        stepper.run()
        stepped = [n.grad for n in nodes]
        stepper.reset()
        assert all(n.grad == 0.0 for n in nodes)
        error.backward()
        assert [n.grad for n in nodes] == stepped, grain
        for n in nodes:
            n.grad = 0.0
        stepper.goto(len(stepper) - 1)
        before = [n.grad for n in nodes]
        stepper.next()
        stepper.previous()
        assert [n.grad for n in nodes] == before


def test_neuron_steps_show_delta_beside_the_gradient_and_hold_the_node_steps():
    network, error = section7_error()
    stepper = Stepper(error, grain="neuron", network=network)
    delta6 = stepper.goto("δ6")
    assert delta6.kind == "delta" and delta6.node is network.layers[1].neurons[0].out
    assert [s.node for s in delta6.steps] == [delta6.node]
    assert "  δ6 = −∂E/∂net6 = 0.131169" in delta6.text().splitlines()
    assert delta6.detail().startswith("step 4/33: o6 = σ(net6) [sigmoid]")
    layer = Stepper(error, grain="layer", network=network)
    assert len(layer) == 3 and [s.name for s in layer] == ["E", "layer 2", "layer 1"]


def test_goto_a_weight_stops_where_it_receives_its_gradient():
    network, error = section7_error()
    stepper = Stepper(error, grain="neuron", network=network)
    assert stepper.goto("w46").name == "weights of 6"
    assert stepper.index_of("net4", received=True) == stepper.index_of("δ4")
    assert stepper.index_of("x1") == stepper.index_of("weights of 5")   # its last use
    node = Stepper(error)
    assert node.index_of("w46", received=True) == node.index_of("w46·o4")


def test_neuron_grain_needs_the_network():
    _, error = section7_error()
    with pytest.raises(ValueError, match="grain 'neuron' needs the network"):
        Stepper(error, grain="neuron")
    with pytest.raises(ValueError, match="grain must be one of node, neuron, layer"):
        Stepper(error, grain="unit")
    other = SECTION10_NETWORK()
    with pytest.raises(ValueError, match="none of the network's units is in this graph"):
        Stepper(error, grain="neuron", network=other)


def SECTION10_NETWORK():
    from lecture import SECTION10
    return SECTION10.network()


def test_stepper_gradients_leave_out_what_is_not_reached():
    network, error = section7_error()
    stepper = Stepper(error, grain="neuron", network=network)
    assert stepper.gradients() == {}
    stepper.goto("δ6")
    reached = stepper.gradients()
    o6, net6 = network.layers[1].neurons[0].out, network.layers[1].neurons[0].net
    assert reached[o6] == o6.grad and reached[net6] == net6.grad
    assert network.layers[0].neurons[0].w[0] not in reached
    assert stepper.gradients(1)[error] == 1.0
    with pytest.raises(ValueError, match="position 5 is not in 0..2"):
        stepper.gradients(5)


def test_backward_after_a_stepper_stopped_midway_warns():
    network, error = section7_error()
    stepper = Stepper(error)
    stepper.goto("w56")
    with pytest.warns(AccumulationWarning, match=r"4 leaves already hold a gradient from an "
                                                 r"earlier pass \(w35.grad = 0.00654209, "):
        error.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        network.zero_grad()
        error.backward()                          # after zero_grad: no warning


# -- a stepper's own gradients ----------------------------------------------------------------

def _exact(root):
    return gradients(root)


def test_a_stepper_starts_from_zero_whatever_grad_held():
    for grain in GRAINS:
        network, error = section7_error()
        exact = _exact(error)
        error.backward()
        backward(error, accumulate=True)             # twice: the leaves hold 2·∂E/∂w
        stepper = Stepper(error, grain=grain, network=network)
        for step in stepper:
            for s in step.steps:
                assert s.upstream == exact[s.node] and s.before == 0.0, (grain, s.name)
            assert "(before)" not in step.text()
        assert stepper.gradients() == {n: exact[n] for n in stepper.gradients()}
        assert all(n.grad == exact.get(n, 0.0) for n in topological_order(error))


def test_two_steppers_on_one_graph_do_not_add_up_and_grad_shows_the_last_mover():
    network, error = section7_error()
    exact = _exact(error)
    nodes = [n for n in topological_order(error) if n.op is not CONST]
    first, second = Stepper(error, grain="layer", network=network), Stepper(error)
    texts = []
    for k in range(1, len(second) + 1):
        first.run() if k % 2 else first.reset()      # .grad full, or all 0, before each step
        step = second.next()
        assert step.upstream == exact[step.node]
        assert [e.contribution for e in step.edges] == [
            exact[step.node] * e.local if e.local is not None else None for e in step.edges]
        reached = second.gradients()
        assert all(n.grad == reached.get(n, 0.0) for n in nodes)
        texts.append(step.text())
    assert texts == [step.text() for step in Stepper(section7_error()[1])]
    table = second.table()
    first.run()
    assert second.table() == table                   # the table is the stepper's, too
    second.goto(3)
    assert all(n.grad == second.gradients().get(n, 0.0) for n in nodes)
    assert second.reset() is None and all(n.grad == 0.0 for n in nodes)


def test_on_move_tells_every_move_until_removed():
    _, root = two_paths()
    stepper = Stepper(root)
    moves = []
    tell = lambda s: moves.append(s.position)        # noqa: E731
    stepper.on_move(tell)
    stepper.next()
    stepper.goto(4)
    stepper.previous()
    stepper.reset()
    stepper.run()
    stepper.on_move(tell, remove=True)
    stepper.reset()
    assert moves == [1, 4, 3, 0, 5]
