"""Value: a scalar node of the computation graph, and its operator sugar."""

import contextvars
import math
import numbers
import threading

from .ops import CONST, OPS, DivisionByZeroError, DomainError

__all__ = ["Value", "no_grad", "is_recording", "detect_anomaly", "anomaly_mode", "AnomalyError",
           "as_float", "apply", "constant", "describe_operands"]

_ADD, _SUB, _MUL, _DIV, _NEG, _POW = (OPS[n] for n in ("add", "sub", "mul", "div", "neg", "pow"))
_new = object.__new__

# NOTE: the modes belong to a thread (and an asyncio task), as PyTorch's grad mode does, so they
# live in context variables. An op would pay for reading them, so it reads one plain global
# first: how many no_grad()/detect_anomaly() blocks are open in any thread, almost always 0.
_RECORDING = contextvars.ContextVar("autodiff_recording", default=True)
_ANOMALY = contextvars.ContextVar("autodiff_anomaly", default=False)
_modes_open = 0
_modes_lock = threading.Lock()


class AnomalyError(ArithmeticError):
    """A non-finite value appeared while ``detect_anomaly()`` was on."""


class _Mode:
    """A context that sets one mode for the current thread (or task) and restores it."""

    _variable, _value = None, None

    def __init__(self):
        self._tokens = []

    def __enter__(self):
        global _modes_open
        with _modes_lock:
            _modes_open += 1
        self._tokens.append(self._variable.set(self._value))
        return self

    def __exit__(self, *exc):
        global _modes_open
        self._variable.reset(self._tokens.pop())
        with _modes_lock:
            _modes_open -= 1
        return False


class detect_anomaly(_Mode):
    """Context in which the first NaN or infinity, in forward or backward, raises AnomalyError.

    The error names the op, its operands and their labels, instead of letting NaN spread.
    Like ``no_grad`` it holds for the thread (or asyncio task) that enters it.
    """

    _variable, _value = _ANOMALY, True


def anomaly_mode():
    """True inside ``detect_anomaly()`` (in this thread or task)."""
    return _ANOMALY.get()


class no_grad(_Mode):
    """Context in which ops compute values but record no graph (results are leaves).

    It holds for the thread (or asyncio task) that enters it: other threads go on recording.
    """

    _variable, _value = _RECORDING, False


def is_recording():
    """True unless inside ``no_grad()`` (in this thread or task)."""
    return _RECORDING.get()


def as_float(x, where="Value"):
    """x as a float if it is a real number (int, bool, float, numpy scalar); TypeError otherwise,
    and ValueError for a number too large for a float (10**400)."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real) or (getattr(x, "shape", None) == ()
                                       and getattr(getattr(x, "dtype", None), "kind", "?") in "biuf"):
        try:
            return float(x)
        except OverflowError:
            what = (f"an int of about {int(x.bit_length() * 0.30103) + 1:,} digits"
                    if isinstance(x, int) else f"a {type(x).__name__}")
            raise ValueError(f"{where}: {what} is too large for a float (at most about "
                             f"1.8e308)") from None
    raise TypeError(f"{where}: expected a real number (int, float, bool or numpy scalar), "
                    f"got {type(x).__name__} {x!r:.60}")


def _leaf(data, op):
    node = _new(Value)
    node._data, node.grad, node.a, node.b, node.op, node.label = data, 0.0, None, None, op, None
    return node


def constant(x):
    """A number lifted into the graph: a leaf with op ``CONST`` that takes no gradient."""
    return _leaf(as_float(x, "constant"), CONST)


def _operand(x, op, position):
    if type(x) is Value:
        return x
    return _leaf(as_float(x, f"{op.name}: operand {position}"), CONST)


def describe_operands(operands):
    """Operands as error messages show them: ``a = 2.0 ('x'), b = 0.0``."""
    return ", ".join(f"{name} = {v.data!r}" + (f" ({v.label!r})" if v.label else "")
                     for name, v in zip("ab", operands))


def apply(op, *operands):
    """Record ``op`` applied to ``operands`` (Values or numbers) and return the result."""
    if len(operands) != op.arity:
        raise TypeError(f"{op.name}: takes {op.arity} operand(s), got {len(operands)}")
    return _record(op, *[_operand(x, op, "ab"[i]) for i, x in enumerate(operands)])


def _present(a, b):
    return (a,) if b is None else (a, b)


def _record(op, a, b=None):
    try:
        data = op.forward(a._data) if b is None else op.forward(a._data, b._data)
    except (ArithmeticError, ValueError) as error:
        kind = DivisionByZeroError if isinstance(error, ZeroDivisionError) else DomainError
        raise kind(f"{op.name}: {error}; {describe_operands(_present(a, b))}") from None
    node = _new(Value)
    if _modes_open:
        if _ANOMALY.get() and not math.isfinite(data):
            raise AnomalyError(f"forward: {op.name} produced {data!r} from "
                               f"{describe_operands(_present(a, b))}")
        if not _RECORDING.get():
            node._data, node.grad, node.a, node.b, node.op, node.label = data, 0.0, None, None, None, None
            return node
    node._data, node.grad, node.a, node.b, node.op, node.label = data, 0.0, a, b, op, None
    return node


class Value:
    """A scalar with a gradient, recording the op that produced it.

    >>> x = Value(0.5, label="x")
    >>> y = (x * 0.8).sigmoid()
    >>> y.backward()
    >>> round(x.grad, 4)
    0.1922
    """

    # NOTE: the operands sit in two slots, a and b (None when absent), rather than in a parents
    # tuple: one object per node instead of two halves what the cycle collector tracks and
    # saves 40-56 bytes a node. ``parents`` gives them as a tuple. ``data`` is a property over
    # the slot _data, so that an assignment is checked; the hot loops of value.py and
    # backward.py read _data itself, as a property read would cost them 15-30 %.
    __slots__ = ("_data", "grad", "a", "b", "op", "label")
    # NOTE: numpy defers to our reflected dunders instead of building object arrays.
    __array_ufunc__ = None

    def __init__(self, data, label=None):
        if label is not None and not isinstance(label, str):
            raise TypeError(f"Value: label must be a str or None, got {type(label).__name__}")
        self._data = as_float(data)
        self.grad = 0.0
        self.a = None
        self.b = None
        self.op = None
        self.label = label

    def __repr__(self):
        op = "leaf" if self.op is None else self.op.name
        label = f"label={self.label!r}, " if self.label is not None else ""
        return f"Value({label}data={self.data!r}, grad={self.grad!r}, op={op!r})"

    @property
    def data(self):
        """The node's value, always a float: a number assigned to it is converted, anything
        else raises TypeError."""
        return self._data

    @data.setter
    def data(self, x):
        self._data = as_float(x, "Value.data")

    @property
    def parents(self):
        """The operands this node was computed from, in order: (), (a,) or (a, b)."""
        return () if self.a is None else _present(self.a, self.b)

    def __float__(self):
        return self._data

    @property
    def is_leaf(self):
        return not self.parents

    # -- arithmetic sugar: each line records one op of the table --------------------------
    def __add__(self, other):
        return _record(_ADD, self, other if type(other) is Value else _operand(other, _ADD, "b"))

    def __radd__(self, other):  # other + self
        return _record(_ADD, _operand(other, _ADD, "a"), self)

    def __sub__(self, other):
        return _record(_SUB, self, other if type(other) is Value else _operand(other, _SUB, "b"))

    def __rsub__(self, other):  # other - self
        return _record(_SUB, _operand(other, _SUB, "a"), self)

    def __mul__(self, other):
        return _record(_MUL, self, other if type(other) is Value else _operand(other, _MUL, "b"))

    def __rmul__(self, other):  # other * self
        return _record(_MUL, _operand(other, _MUL, "a"), self)

    def __truediv__(self, other):
        return _record(_DIV, self, other if type(other) is Value else _operand(other, _DIV, "b"))

    def __rtruediv__(self, other):  # other / self
        return _record(_DIV, _operand(other, _DIV, "a"), self)

    def __pow__(self, other):
        return _record(_POW, self, other if type(other) is Value else _operand(other, _POW, "b"))

    def __rpow__(self, other):  # other ** self
        return _record(_POW, _operand(other, _POW, "a"), self)

    def __neg__(self):
        return _record(_NEG, self)

    def __abs__(self):
        return _record(OPS["abs"], self)

    def exp(self):
        return _record(OPS["exp"], self)

    def log(self):
        return _record(OPS["log"], self)

    def sqrt(self):
        return _record(OPS["sqrt"], self)

    def sin(self):
        return _record(OPS["sin"], self)

    def cos(self):
        return _record(OPS["cos"], self)

    def tanh(self):
        return _record(OPS["tanh"], self)

    def sigmoid(self):
        return _record(OPS["sigmoid"], self)

    def relu(self):
        return _record(OPS["relu"], self)

    def abs(self):
        return _record(OPS["abs"], self)

    # -- gradients -----------------------------------------------------------------------
    def backward(self, gradient=1.0, accumulate=False):
        """Fill ``.grad`` on every node of the graph below self with gradient·∂self/∂node.

        ``gradient`` is ∂L/∂self, the seed (1 by default), as in PyTorch. Leaf gradients
        accumulate across calls (as in PyTorch), with an AccumulationWarning unless
        ``accumulate=True``; intermediate nodes hold the gradient of the latest pass. See
        ``autodiff.backward``.
        """
        from .backward import backward
        backward(self, gradient, accumulate)

    def backward_steps(self):
        """Backward one node at a time: yields a step per node, in ``backward()``'s order."""
        from .steps import backward_steps
        return backward_steps(self)

    def zero_grad(self):
        """Reset ``.grad`` to 0 on every node of the graph below self."""
        from .backward import zero_grad
        zero_grad(self)
