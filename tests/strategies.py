"""Hypothesis strategies for the engine tests: op operands in their domains, random expression graphs."""

import operator

from hypothesis import strategies as st

from autodiff import OPS, Value, topological_order

__all__ = ["reals", "operands", "programs", "points", "build", "kink_distance", "largest"]


def reals(low, high):
    """Finite floats in [low, high]."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def operands(op):
    """A tuple of floats, one per operand, each drawn from the op's declared test domain."""
    return st.tuples(*[st.sampled_from(intervals).flatmap(lambda bounds: reals(*bounds))
                       for intervals in op.domain])


def points(n):
    """n inputs of a random expression."""
    return st.lists(reals(-2.0, 2.0), min_size=n, max_size=n)


UNARY = sorted(name for name, op in OPS.items() if op.arity == 1)
BINARY = sorted(name for name, op in OPS.items() if op.arity == 2)
ARITHMETIC = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
              "div": operator.truediv, "pow": operator.pow}
# Constants that exercise `number op Value` and `Value op number`, kept away from 0 for div.
CONSTANTS = (-1.5, -1.0, 0.5, 2.0, 3.0)


@st.composite
def programs(draw, n_inputs, include=None, max_steps=6):
    """A random expression as plain data: steps that each combine earlier nodes (or constants).

    Operands are indices into the nodes made so far (inputs first), so nodes get reused:
    diamonds, shared subexpressions, ``a*a`` and ``a+a`` all appear. ``include`` names an op
    that one step (at a random place) must use.
    """
    n_steps = draw(st.integers(1, max_steps))
    forced = draw(st.integers(0, n_steps - 1)) if include else None
    steps = []
    for i in range(n_steps):
        node = st.integers(0, n_inputs + i - 1)
        if i == forced:
            arity = OPS[include].arity
            kinds, names = ("unary",) if arity == 1 else ("binary", "const_left", "const_right"), (include,)
        else:
            kinds, names = ("unary", "binary", "const_left", "const_right"), None
        kind = draw(st.sampled_from(kinds))
        name = draw(st.sampled_from(names or (UNARY if kind == "unary" else BINARY)))
        if kind == "unary":
            steps.append((kind, name, draw(node)))
        elif kind == "binary":
            steps.append((kind, name, draw(node), draw(node)))
        elif kind == "const_left":
            steps.append((kind, name, draw(st.sampled_from(CONSTANTS)), draw(node)))
        else:
            steps.append((kind, name, draw(node), draw(st.sampled_from(CONSTANTS))))
    return steps


def _positive(x):
    # Keeps log, sqrt, divisors and non-integer powers in their domains; x·x + 0.5 ≥ 0.5.
    return x * x + 0.5


def _unary(name, a):
    if name in ("log", "sqrt"):
        a = _positive(a)
    return getattr(a, {"neg": "__neg__", "abs": "__abs__"}.get(name, name))()


def _binary(name, a, b):
    if name == "div" and isinstance(b, Value):
        b = _positive(b)
    if name == "pow" and (isinstance(b, Value) or not float(b).is_integer()):
        a = _positive(a)
    return ARITHMETIC[name](a, b)


def build(program, inputs):
    """Run ``program`` on ``inputs`` (Values): the sum of its steps, so that every step counts."""
    nodes = list(inputs)
    for step in program:
        kind, name, *args = step
        if kind == "unary":
            nodes.append(_unary(name, nodes[args[0]]))
        elif kind == "binary":
            nodes.append(_binary(name, nodes[args[0]], nodes[args[1]]))
        elif kind == "const_left":
            nodes.append(_binary(name, args[0], nodes[args[1]]))
        else:
            nodes.append(_binary(name, nodes[args[0]], args[1]))
    steps = nodes[len(inputs):]
    return sum(steps[1:], steps[0])


def kink_distance(root):
    """How close the operand of any relu or abs below ``root`` is to the kink at 0."""
    return min((abs(node.parents[0].data) for node in topological_order(root)
                if node.op is not None and node.op.name in ("relu", "abs")), default=float("inf"))


def largest(root):
    """The largest |data| of any node below ``root``."""
    return max(abs(node.data) for node in topological_order(root))
