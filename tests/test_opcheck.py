"""Tests of autodiff.opcheck: every op instance's rules against central differences."""

import pytest

from autodiff import OPS, Op, Value, apply
from lecture import SECTION7
from nn import squared_error
from stepgrad.stepping.opcheck import OpCheckReport, check_ops


def midpoint(op):
    """A point inside every operand's first declared domain interval."""
    return [sum(intervals[0]) / 2 + 0.123 for intervals in op.domain]


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_of_the_table_agrees_with_its_central_difference(name):
    op = OPS[name]
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(midpoint(op))]
    report = check_ops(apply(op, *leaves))
    assert report.ok and len(report.checks) == op.arity
    assert all(check.status == "agrees" for check in report.checks)


def test_the_lecture_network_passes():
    network = SECTION7.network()
    report = check_ops(squared_error(network(SECTION7.x), SECTION7.t))
    assert report.ok and not report.failures and report.first_failure is None
    assert str(report) == "op check: 22 op instances, 41 local derivatives: 41 agree, 0 disagree, 0 skipped"


def test_a_wrong_rule_is_named_first_in_forward_order():
    cube = Op("cube", "cube", 1, lambda a: a ** 3, (lambda out, a: 2 * a * a,), (((-3.0, 3.0),),))
    x = Value(0.7, label="x")
    inner = apply(cube, x)
    inner.label = "c"
    root = apply(cube, inner * 2.0).sigmoid() + x.tanh()
    report = check_ops(root)
    assert not report.ok and len(report.failures) == 2
    first = report.first_failure
    assert first.node is inner and first.operand == 0 and first.formula == "2·a·a"
    assert first.rule == pytest.approx(2 * 0.49) and first.numerical == pytest.approx(3 * 0.49, rel=1e-6)
    lines = str(report).splitlines()
    assert lines[0] == "op check: 6 op instances, 8 local derivatives: 6 agree, 2 disagree, 0 skipped"
    assert lines[1] == ("first disagreement: c = cube(x) [cube] ∂out/∂a at a = 0.7: disagrees: "
                        "rule 2·a·a = 0.98, central difference 1.47")
    assert lines[2].startswith("  also: cube(c·2) [cube]")
    assert isinstance(report, OpCheckReport) and repr(report) == str(report)


def test_a_wrong_binary_rule_names_its_operand():
    swapped = Op("times", "·", 2, lambda a, b: a * b,
                 (lambda out, a, b: b, lambda out, a, b: b), (((-3.0, 3.0),), ((-3.0, 3.0),)))
    root = apply(swapped, Value(2.0, label="a"), Value(5.0, label="b"))
    (failure,) = check_ops(root).failures
    assert failure.operand == 1 and failure.rule == 5.0 and failure.numerical == pytest.approx(2.0)


def test_a_rule_that_raises_at_a_smooth_point_fails():
    fragile = Op("fragile", "f", 1, lambda a: 3 * a, (lambda out, a: 3 * a / a,), (((-3.0, 3.0),),))
    (check,) = check_ops(apply(fragile, Value(0.0, label="x"))).checks
    assert check.status == "rule failed" and not check.ok and check.rule is None
    assert "the rule 3·a/a raised (float division by zero); central difference 3" in check.text()


def test_kinks_and_domain_edges_are_skipped_not_failed():
    x = Value(0.0, label="x")
    root = x.relu() + abs(x) + x.sqrt()
    report = check_ops(root)
    assert report.ok and len(report.skipped) == 3
    statuses = {c.node.op.name: c for c in report.skipped}
    assert statuses["relu"].status == "not differentiable here"
    assert "one-sided differences 0 and 1" in statuses["relu"].text()
    assert statuses["abs"].detail == "one-sided differences -1 and 1"
    assert statuses["sqrt"].status == "outside the op's domain nearby"
    assert statuses["sqrt"].text().endswith("the forward fails within h of this point (sqrt of a negative number)")


def test_operands_near_a_singularity_use_the_smaller_step():
    report = check_ops(1.0 / Value(1e-3, label="b") + Value(1e-4, label="c").log())
    assert report.ok and all(c.status == "agrees" for c in report.checks)


def test_the_graph_is_left_untouched():
    x = Value(0.3, label="x")
    root = (x * x).exp()
    before = [(root.data, root.grad), (x.data, x.grad)]
    check_ops(root)
    assert [(root.data, root.grad), (x.data, x.grad)] == before


def test_check_ops_needs_a_value():
    with pytest.raises(TypeError, match="check_ops: expected a Value, got list"):
        check_ops([])
