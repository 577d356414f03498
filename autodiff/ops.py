"""The op table: every op's forward and local derivatives, defined once.

Conventions, read by backward, higher-order gradients, explanations, drawings and tests:

- ``forward(a[, b])`` works on floats. A domain violation raises ``ValueError`` (or
  ``ZeroDivisionError`` / ``OverflowError``) with a short reason; ``Value`` turns it into a
  ``DomainError`` naming the op, the operands and their labels.
- ``partials`` holds one rule per operand: ``rule(out, a[, b])`` is ∂out/∂operand, written with
  plain arithmetic and the polymorphic helpers below, so the same rule runs on floats (first-order
  backward), on ``Value`` s (the gradient becomes a graph: second derivatives) and on ``Symbol`` s
  (its printed formula). Rules receive the op's output ``out`` so that exp, tanh and sigmoid reuse it.
  A constant operand (op ``CONST``) takes no gradient, so its rule is skipped; in a gradient
  graph it reaches the other rules as a float.
- ``domain`` lists, per operand, the intervals the op-driven tests sample from (away from kinks
  and singularities). Every op must declare one.
- ``pow`` covers ``Value ** number``, ``number ** Value`` and ``Value ** Value``. A number operand
  is a constant, so its rule is never run: ``x ** 2`` works for negative x (∂/∂x = 2x, and 2 as
  second derivative). A negative base needs an integer exponent, and then has no derivative in
  the exponent (aᵇ is undefined between integers b): asking for it raises. At a base of 0,
  ∂out/∂b is taken as 0, as in PyTorch and JAX (0ᵇ = 0 for every b > 0); ∂out/∂a = b·a^(b − 1)
  is 0 for the number 0 as exponent (a⁰ = 1 everywhere) and raises for 0 < b < 1 (infinite slope).
"""

import math
from dataclasses import dataclass, field
from typing import Any

from .symbolic import Symbol, as_symbol

__all__ = ["Op", "OPS", "CONST", "DomainError", "DivisionByZeroError"]


class DomainError(ArithmeticError, ValueError):
    """An op was asked for a value outside its domain (log of a negative number, 1/0, ...)."""


class DivisionByZeroError(DomainError, ZeroDivisionError):
    """A division by zero (x / 0, 0 ** −1): a DomainError, and the ZeroDivisionError Python
    code expects."""


# -- polymorphic helpers: floats use math, Values and Symbols their own methods --------------

def sin(x):
    return math.sin(x) if type(x) is float else x.sin()


def cos(x):
    return math.cos(x) if type(x) is float else x.cos()


def power_rule(a, b):
    """b·a^(b − 1), the derivative of aᵇ by a; 0 for the number b = 0, since a⁰ = 1 even at a = 0."""
    if type(b) is float:
        return 0.0 if b == 0.0 else b * a ** (b - 1)
    # NOTE: a Value b keeps the full formula even at b = 0: its derivative by b is a^(b − 1).
    return b * a ** (b - 1)


def times_log(out, a):
    """out·log(a), the derivative of aᵇ by b; 0 where a = 0 (0ᵇ is flat for b > 0)."""
    if isinstance(a, Symbol):
        return out * a.log()
    base = a if type(a) is float else a.data
    if base < 0.0:
        raise ValueError("a negative base has no derivative in its exponent")
    if base == 0.0:
        return 0.0
    return out * (math.log(a) if type(a) is float else a.log())  # pyright: ignore[reportAttributeAccessIssue]


def step(x):
    """[x > 0]: the derivative of relu. A constant, so its own derivative is 0."""
    if isinstance(x, Symbol):
        return x.compare(">", 0)
    return 1.0 if float(x) > 0 else 0.0


def sign(x):
    """sign(x): the derivative of abs away from 0."""
    if isinstance(x, Symbol):
        return x.call("sign")
    x = float(x)
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


# -- forwards on floats --------------------------------------------------------------------

def _div(a, b):
    if b == 0.0:
        raise ZeroDivisionError("division by zero")
    return a / b


def _pow(a, b):
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError("0 raised to a negative power")
    if a < 0.0 and not b.is_integer():
        raise ValueError("negative base with a non-integer exponent")
    try:
        return math.pow(a, b)
    except OverflowError:
        raise OverflowError("result too large for a float") from None


def _exp(a):
    try:
        return math.exp(a)
    except OverflowError:
        raise OverflowError("overflow: exp(a) exceeds the largest float (a > 709.78)") from None


def _log(a):
    if a <= 0.0:
        raise ValueError("log of a non-positive number")
    return math.log(a)


def _sqrt(a):
    if a < 0.0:
        raise ValueError("sqrt of a negative number")
    return math.sqrt(a)


def _sigmoid(a):
    # NOTE: two forms so that exp never overflows: exp(-a) for a ≥ 0, exp(a) for a < 0.
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _relu(a):
    return 0.0 if a <= 0.0 else a    # NaN stays NaN (as in PyTorch), so anomaly mode sees it


# -- the table -----------------------------------------------------------------------------

ANY = ((-3.0, 3.0),)
POSITIVE = ((0.2, 3.0),)
NONZERO = ((-3.0, -0.2), (0.2, 3.0))


@dataclass(frozen=True, eq=False)
class Op:
    """One op: its name, printed symbol, forward on floats and local derivatives."""

    name: str
    symbol: str
    arity: int
    forward: Any
    partials: tuple
    domain: "tuple | None" = None
    formulas: tuple = field(init=False)

    def __post_init__(self):
        names = [Symbol("out"), Symbol("a"), Symbol("b")][: self.arity + 1]
        text = tuple(as_symbol(rule(*names)).text for rule in self.partials)
        object.__setattr__(self, "formulas", text)

    def __repr__(self):
        return f"<op {self.name}>"


OPS = {op.name: op for op in [
    Op("add", "+", 2, lambda a, b: a + b,
       (lambda out, a, b: 1.0, lambda out, a, b: 1.0), (ANY, ANY)),
    Op("sub", "−", 2, lambda a, b: a - b,
       (lambda out, a, b: 1.0, lambda out, a, b: -1.0), (ANY, ANY)),
    Op("mul", "×", 2, lambda a, b: a * b,
       (lambda out, a, b: b, lambda out, a, b: a), (ANY, ANY)),
    Op("div", "÷", 2, _div,
       (lambda out, a, b: 1 / b, lambda out, a, b: -a / b ** 2), (ANY, NONZERO)),
    Op("neg", "−", 1, lambda a: -a,
       (lambda out, a: -1.0,), (ANY,)),
    Op("pow", "^", 2, _pow,
       (lambda out, a, b: power_rule(a, b), lambda out, a, b: times_log(out, a)), (POSITIVE, ANY)),
    Op("exp", "exp", 1, _exp,
       (lambda out, a: out,), (ANY,)),
    Op("log", "log", 1, _log,
       (lambda out, a: 1 / a,), (POSITIVE,)),
    Op("sqrt", "√", 1, _sqrt,
       (lambda out, a: 1 / (2 * out),), (POSITIVE,)),
    Op("sin", "sin", 1, math.sin,
       (lambda out, a: cos(a),), (ANY,)),
    Op("cos", "cos", 1, math.cos,
       (lambda out, a: -sin(a),), (ANY,)),
    Op("tanh", "tanh", 1, math.tanh,
       (lambda out, a: 1 - out ** 2,), (ANY,)),
    Op("sigmoid", "σ", 1, _sigmoid,
       (lambda out, a: out * (1 - out),), (ANY,)),
    Op("relu", "relu", 1, _relu,
       (lambda out, a: step(a),), (NONZERO,)),
    Op("abs", "abs", 1, math.fabs,
       (lambda out, a: sign(a),), (NONZERO,)),
]}

# A number that met a Value in an op: a leaf that takes no gradient.
CONST = Op("const", "", 0, None, ())
