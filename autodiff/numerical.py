"""Numerical derivatives: central differences and a gradient check of first and second order."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .gradients import grad
from .value import Value, as_float

__all__ = ["central_difference", "check_gradients", "GradientCheck", "DerivativeCheck"]


def central_difference(f: Callable[..., "Value | float"], *values: "Value | float", arg: int = 0,
                       epsilon: float = 1e-6) -> float:
    """(f(…, xᵢ + ε, …) − f(…, xᵢ − ε, …)) / 2ε: the numerical ∂f/∂xᵢ with i = ``arg``.

    ``values`` are numbers or Values; f is called with the same kinds (numbers as floats,
    Values as fresh Values with the same labels), so it may be a float function or one written
    with Value ops, and may return a number or a Value. The error is O(ε²) plus rounding of
    order 10⁻¹⁶·|f|/ε; ε = 10⁻⁶ suits float64 and arguments of order 1.

    >>> round(central_difference(lambda x, y: x * y, 3.0, 4.0, arg=1), 6)
    3.0
    """
    if not 0 <= arg < len(values):
        raise ValueError(f"central_difference: arg = {arg} but f takes {len(values)} value(s)")
    if not epsilon > 0:
        raise ValueError(f"central_difference: epsilon must be positive, got {epsilon!r}")
    point = [_number(x, f"central_difference: values[{i}]") for i, x in enumerate(values)]
    labels = [x.label if isinstance(x, Value) else None for x in values]

    def at(shift):
        moved = list(point)
        moved[arg] += shift
        args = [Value(x, label) if isinstance(v, Value) else x
                for x, v, label in zip(moved, values, labels)]
        return _result(f(*args))

    return (at(epsilon) - at(-epsilon)) / (2 * epsilon)


@dataclass(frozen=True)
class DerivativeCheck:
    """Automatic against numerical derivatives of f by one input, at one order.

    Order 1: ``automatic`` and ``numerical`` hold ∂f/∂xᵢ. Order 2: they hold the row
    ∂²f/∂xᵢ∂xⱼ for every j. ``abs_error`` is the worst |automatic − numerical| over the
    row, ``rel_error`` the worst |automatic − numerical| / max(|automatic|, |numerical|)
    (0 where both are 0), and ``worst`` the index j where the absolute error is largest.
    """

    input: str
    order: int
    automatic: tuple
    numerical: tuple
    abs_error: float
    rel_error: float
    worst: int
    ok: bool


@dataclass(frozen=True)
class GradientCheck:
    """The result of ``check_gradients``: one DerivativeCheck per input and order.

    ``ok`` is true when every derivative satisfies |automatic − numerical| ≤ atol + rtol·|numerical|.
    ``str()`` gives a table of the worst error per input and order.
    """

    rows: tuple
    names: tuple
    atol: float
    rtol: float
    epsilon: float

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    def __str__(self) -> str:
        header = ("derivative", "automatic", "numerical", "abs error", "rel error", "ok")
        table: "list[tuple[str, ...]]" = [header]
        for row in self.rows:
            if row.order == 1:
                name = f"∂f/∂{row.input}"
            else:
                name = f"∂²f/∂{row.input}∂{self.names[row.worst]}"
            table.append((name, f"{row.automatic[row.worst]:.10g}", f"{row.numerical[row.worst]:.10g}",
                          f"{row.abs_error:.1e}", f"{row.rel_error:.1e}", "yes" if row.ok else "NO"))
        widths = [max(len(line[k]) for line in table) for k in range(len(header))]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
                 for line in table]
        failed = sum(not row.ok for row in self.rows)
        verdict = "ok" if failed == 0 else f"FAILED for {failed} of {len(self.rows)} rows"
        lines.append(f"{verdict}: |automatic − numerical| ≤ {self.atol:g} + {self.rtol:g}·|numerical|"
                     f" (ε = {self.epsilon:g}; order-2 rows show the worst entry)")
        return "\n".join(lines)


def check_gradients(f: Callable[..., Value], inputs: "Sequence[Value | float]", order: int = 2,
                    epsilon: float = 1e-6, atol: float = 1e-6, rtol: float = 1e-5) -> "GradientCheck":
    """Compare automatic with numerical derivatives of ``f`` at ``inputs``; a GradientCheck.

    Args:
        f: a function of len(inputs) Values returning a Value (written with Value ops).
        inputs: numbers or Values, the point to check at; Values lend their labels to the
            report. Their ``.grad`` is not touched.
        order: 1 checks ∂f/∂xᵢ against central differences of f; 2 also checks every
            ∂²f/∂xᵢ∂xⱼ from ``grad(..., create_graph=True)`` against central differences of the
            automatic first derivatives (as HIPS autograd's ``check_grads`` does).

    >>> check_gradients(lambda x, y: (x * y).sigmoid(), [0.5, -1.0]).ok
    True
    """
    if order not in (1, 2):
        raise ValueError(f"check_gradients: order must be 1 or 2, got {order!r}")
    if isinstance(inputs, Value):
        raise TypeError("check_gradients: inputs must be a sequence, got a single Value (write [x])")
    inputs = tuple(inputs)
    if not inputs:
        raise ValueError("check_gradients: inputs is empty")
    point = [_number(x, f"check_gradients: inputs[{i}]") for i, x in enumerate(inputs)]
    labels = [x.label if isinstance(x, Value) else None for x in inputs]
    names = tuple(label or f"x{i}" for i, label in enumerate(labels))

    def leaves(values):
        return [Value(x, label) for x, label in zip(values, labels)]

    def first(*values):
        xs = leaves(values)
        return grad(_output(f, xs), xs)

    def check(name, order, automatic, numerical):
        errors = [abs(a - n) for a, n in zip(automatic, numerical)]
        rel = [e / max(abs(a), abs(n)) if e else 0.0 for e, a, n in zip(errors, automatic, numerical)]
        worst = max(range(len(errors)), key=errors.__getitem__)
        ok = all(e <= atol + rtol * abs(n) for e, n in zip(errors, numerical))
        return DerivativeCheck(name, order, tuple(automatic), tuple(numerical),
                               errors[worst], max(rel), worst, ok)

    xs = leaves(point)
    out = _output(f, xs)
    automatic = grad(out, xs, create_graph=order == 2)
    rows = []
    for i, name in enumerate(names):
        numerical = central_difference(lambda *values: _output(f, values), *xs, arg=i,
                                       epsilon=epsilon)
        rows.append(check(name, 1, [float(automatic[i])], [numerical]))
    if order == 2:
        for i, name in enumerate(names):
            first_derivative = automatic[i]
            assert isinstance(first_derivative, Value)   # create_graph made it a Value
            row = [float(g) for g in grad(first_derivative, xs)]
            numerical = [central_difference(lambda *values: first(*values)[i], *point, arg=j,
                                            epsilon=epsilon) for j in range(len(point))]
            rows.append(check(name, 2, row, numerical))
    return GradientCheck(tuple(rows), names, atol, rtol, epsilon)


def _number(x, where):
    return x.data if isinstance(x, Value) else as_float(x, where)


def _result(y):
    if isinstance(y, Value):
        return y.data
    return as_float(y, "central_difference: the result of f")


def _output(f: Callable[..., object], xs: Sequence) -> Value:
    out = f(*xs)
    if not isinstance(out, Value):
        raise TypeError(f"check_gradients: f must return a Value, got {type(out).__name__} "
                        f"{out!r:.60}")
    return out
