"""A per-op gradient check: every op instance of a graph, its rules against central differences.

For users who add their own ``Op``: run a graph through ``check_ops`` and it names the first op
instance (in forward order) whose local derivative ∂out/∂operand, as its rule computes it,
disagrees with the central difference of its forward at the same operands.
"""

from dataclasses import dataclass

from autodiff import Value, central_difference, topological_order

from .notation import Text, expression, node_names, number

__all__ = ["check_ops", "OpCheck", "OpCheckReport"]

# Statuses of one local derivative.
AGREE, DISAGREE, KINK, OUTSIDE, RULE_FAILED = (
    "agrees", "disagrees", "not differentiable here", "outside the op's domain nearby",
    "rule failed")


@dataclass(frozen=True, eq=False)
class OpCheck:
    """One local derivative of one op instance: the rule's value against the numerical one."""

    node: Value
    name: str
    expression: str
    operand: int
    point: tuple          # the operands' values
    formula: str
    rule: "float | None"        # None when the rule raised
    numerical: "float | None"   # None when the forward could not be evaluated around the point
    status: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Not a disagreement (skipped checks at kinks or domain edges count as ok)."""
        return self.status not in (DISAGREE, RULE_FAILED)

    def text(self) -> str:
        at = ", ".join(f"{'ab'[i]} = {number(x, 10)}" for i, x in enumerate(self.point))
        made = "" if self.expression == self.name else f" = {self.expression}"
        assert self.node.op is not None   # an op instance
        head = f"{self.name}{made} [{self.node.op.name}] ∂out/∂{'ab'[self.operand]} at {at}"
        if self.status == OUTSIDE:
            return f"{head}: the forward fails within h of this point ({self.detail})"
        assert self.numerical is not None   # None only OUTSIDE the forward's domain
        numerical = f"central difference {number(self.numerical, 10)}"
        if self.status == RULE_FAILED:
            return f"{head}: the rule {self.formula} raised ({self.detail}); {numerical}"
        assert self.rule is not None   # None only when the rule failed
        rule = f"rule {self.formula} = {number(self.rule, 10)}"
        if self.status == KINK:
            return f"{head}: not differentiable here ({self.detail}); {rule}"
        return f"{head}: {self.status}: {rule}, {numerical}"

    __str__ = text


@dataclass(frozen=True, eq=False)
class OpCheckReport:
    """All checks of a graph, in forward order; ``first_failure`` names the first disagreement."""

    checks: tuple

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failures(self) -> "tuple[OpCheck, ...]":
        return tuple(check for check in self.checks if not check.ok)

    @property
    def skipped(self) -> "tuple[OpCheck, ...]":
        return tuple(check for check in self.checks if check.status in (KINK, OUTSIDE))

    @property
    def first_failure(self) -> "OpCheck | None":
        failures = self.failures
        return failures[0] if failures else None

    def text(self) -> Text:
        instances = len({check.node for check in self.checks})
        agree = sum(check.status == AGREE for check in self.checks)
        lines = [f"op check: {instances} op instance{'s' * (instances != 1)}, "
                 f"{len(self.checks)} local derivatives: {agree} agree, "
                 f"{len(self.failures)} disagree, {len(self.skipped)} skipped"]
        if self.first_failure is not None:
            lines.append(f"first disagreement: {self.first_failure.text()}")
            lines += [f"  also: {check.text()}" for check in self.failures[1:]]
        lines += [f"  skipped: {check.text()}" for check in self.skipped]
        return Text("\n".join(lines))

    __str__ = text
    __repr__ = text


def check_ops(root: Value, rtol: float = 1e-5, atol: float = 1e-6) -> OpCheckReport:
    """Check every op instance below ``root``: each rule ``op.partials[i](out, a[, b])`` against
    (f(x + h) − f(x − h)) / 2h of ``op.forward`` at the instance's operands.

    A rule agrees when |rule − numerical| ≤ atol + rtol·max(|rule|, |numerical|) for
    h = 10⁻⁶·max(1, |x|) or h/100 (the smaller step suits operands near a singularity). Where
    the one-sided differences disagree the op has a kink (relu or abs at 0) and the check is
    skipped; so it is where the forward fails within h of the point. The graph is not changed.
    """
    if type(root) is not Value:
        raise TypeError(f"check_ops: expected a Value, got {type(root).__name__} {root!r:.60}")
    order = topological_order(root)
    names = node_names(order)
    checks = []
    for node in order:
        if not node.parents:
            continue
        point = tuple(p.data for p in node.parents)
        for operand in range(len(point)):
            checks.append(_check(node, names, point, operand, rtol, atol))
    return OpCheckReport(tuple(checks))


def _check(node, names, point, operand, rtol, atol):
    op = node.op
    made = (node, names[node], expression(node, names), operand, point, op.formulas[operand])
    forward = op.forward
    h = 1e-6 * max(1.0, abs(point[operand]))
    try:
        out = forward(*point)
        estimates = [central_difference(forward, *point, arg=operand, epsilon=step)
                     for step in (h, h / 100)]
        left, right = _one_sided(forward, point, operand, out, h / 100)
    except (ArithmeticError, ValueError) as error:
        return OpCheck(*made, None, None, OUTSIDE, str(error))
    try:
        rule = float(op.partials[operand](out, *point))
    except (ArithmeticError, ValueError) as error:
        return OpCheck(*made, None, estimates[1], RULE_FAILED, str(error))
    if abs(left - right) > 1e-3 * max(1.0, abs(left), abs(right)):
        return OpCheck(*made, rule, estimates[1], KINK,
                       f"one-sided differences {number(left)} and {number(right)}")
    errors = [abs(rule - estimate) for estimate in estimates]
    best = min(range(2), key=errors.__getitem__)
    agree = errors[best] <= atol + rtol * max(abs(rule), abs(estimates[best]))
    return OpCheck(*made, rule, estimates[best], AGREE if agree else DISAGREE)


def _one_sided(forward, point, operand, out, h):
    def at(shift):
        moved = list(point)
        moved[operand] += shift
        return forward(*moved)
    return (out - at(-h)) / h, (at(h) - out) / h
