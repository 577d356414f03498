"""Value: a scalar node of the computation graph, its operator sugar, and the reverse pass
that fills ``.grad`` (``backward``, ``zero_grad``)."""

import contextvars
import math
import numbers
import os
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from typing import SupportsFloat

from .graph import reverse_topological_order
from .ops import CONST, OPS, DivisionByZeroError, DomainError, Op

__all__ = ["Value", "no_grad", "is_recording", "detect_anomaly", "anomaly_mode", "AnomalyError",
           "as_float", "apply", "constant", "describe_operands", "backward", "zero_grad",
           "AccumulationWarning", "check_root", "check_finite", "local_failure", "local_rules"]

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

    _variable: "contextvars.ContextVar[bool]"
    _value: bool

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


def anomaly_mode() -> bool:
    """True inside ``detect_anomaly()`` (in this thread or task)."""
    return _ANOMALY.get()


class no_grad(_Mode):
    """Context in which ops compute values but record no graph (results are leaves).

    It holds for the thread (or asyncio task) that enters it: other threads go on recording.
    """

    _variable, _value = _RECORDING, False


def is_recording() -> bool:
    """True unless inside ``no_grad()`` (in this thread or task)."""
    return _RECORDING.get()


def as_float(x: object, where: str = "Value") -> float:
    """x as a float if it is a real number (int, bool, float, numpy scalar); TypeError otherwise,
    and ValueError for a number too large for a float (10**400)."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real) or (getattr(x, "shape", None) == ()
                                       and getattr(getattr(x, "dtype", None), "kind", "?") in "biuf"):
        try:
            return float(x)  # pyright: ignore[reportArgumentType]  (a Real, or a numpy scalar by its dtype)
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


def constant(x: float) -> "Value":
    """A number lifted into the graph: a leaf with op ``CONST`` that takes no gradient."""
    return _leaf(as_float(x, "constant"), CONST)


def _operand(x, op, position):
    if type(x) is Value:
        return x
    return _leaf(as_float(x, f"{op.name}: operand {position}"), CONST)


def describe_operands(operands: "Sequence[Value]") -> str:
    """Operands as error messages show them: ``a = 2.0 ('x'), b = 0.0``."""
    return ", ".join(f"{name} = {v.data!r}" + (f" ({v.label!r})" if v.label else "")
                     for name, v in zip("ab", operands))


def apply(op: Op, *operands: "Value | float") -> "Value":
    """Record ``op`` applied to ``operands`` (Values or numbers) and return the result."""
    if len(operands) != op.arity:
        raise TypeError(f"{op.name}: takes {op.arity} operand(s), got {len(operands)}")
    return _record(op, *[_operand(x, op, "ab"[i]) for i, x in enumerate(operands)])


def _present(a: "Value", b: "Value | None") -> "tuple[Value, ...]":
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


# -- the reverse pass ----------------------------------------------------------------

def local_failure(node: "Value", error: Exception, index: "int | None" = None) -> DomainError:
    """A DomainError naming the node's op, the failing rule, why it fails and the operands.

    The rule is run again on floats (all of them when ``index`` is None) for the plain reason,
    also when it first failed on Values while building a gradient graph.
    """
    op = node.op
    assert op is not None, "only a computed node has local derivatives"
    args = (node.data, *[p.data for p in node.parents])
    for i in range(op.arity) if index is None else (index,):
        if node.parents[i].op is CONST:
            continue
        try:
            op.partials[i](*args)
        except (ArithmeticError, ValueError) as failure:
            index, error = i, failure
            break
    index = index or 0
    reason = str(error).removeprefix("float ")
    return DomainError(f"{op.name}: local derivative ∂out/∂{'ab'[index]} = {op.formulas[index]} "
                       f"is undefined here ({reason}); {describe_operands(node.parents)}")


class AccumulationWarning(UserWarning):
    """``backward()`` added to gradients that leaves held from an earlier pass."""


def backward(root: "Value", gradient: "float | None" = 1.0, accumulate: bool = False, *,
             retain_graph: "bool | None" = None) -> None:
    """Seed ∂L/∂root = ``gradient`` (1 by default) and fill ``.grad`` on every node below
    ``root`` with ∂L/∂node, as PyTorch's ``backward(gradient)`` does.

    Leaves (Values the user made) accumulate: a second ``backward()`` adds to their ``.grad``,
    as in PyTorch; call ``zero_grad`` between passes to start afresh. Since adding to a stale
    gradient is more often a slip than a plan (a training step or a stepper already ran
    backward on the same weights), it warns (AccumulationWarning) when a leaf already holds a
    gradient, unless ``accumulate=True`` says the sum is wanted. Intermediate nodes are
    overwritten with the gradient of the latest pass, so they never double count. Constants
    (numbers that met a Value in an op) keep grad 0.

    ``gradient=None`` is 1, as PyTorch's implicit seed of a scalar. ``retain_graph`` is
    accepted for PyTorch's sake and has no effect either way: stepgrad never frees the graph,
    so ``backward`` may run through it again whatever it says.
    """
    check_root(root, "backward")
    gradient = 1.0 if gradient is None else as_float(gradient, "backward: gradient")
    order = reverse_topological_order(root)
    held = []
    for node in order:
        if node.a is not None:
            node.grad = 0.0
        elif node.grad:
            held.append(node)
    if held and not accumulate:
        _warn_accumulation(held)
    root.grad = gradient if root.a is not None else root.grad + gradient
    if _modes_open and _ANOMALY.get():
        _checked_pass(order)
        return
    # NOTE: the float fast path of ``gradients``, accumulating in .grad rather than a dict.
    # Two rows of the op table are read once here rather than called per node (a third of
    # the pass on a graph of + and ×): add's partials are 1 and 1, and upstream × 1.0 is
    # upstream, to the bit; mul's are b and a. A test holds the table to these formulas.
    add, mul = _ADD, _MUL
    node = None
    try:
        for node in order:
            a = node.a
            if a is None:
                continue
            op, upstream, b = node.op, node.grad, node.b
            # NOTE: add and mul are binary, so b is a Value; an assert per node would cost the pass.
            if op is add:
                if a.op is not CONST:
                    a.grad += upstream
                if b.op is not CONST:  # pyright: ignore[reportOptionalMemberAccess]
                    b.grad += upstream  # pyright: ignore[reportOptionalMemberAccess]
                continue
            if op is mul:
                if a.op is not CONST:
                    a.grad += upstream * b._data  # pyright: ignore[reportOptionalMemberAccess]
                if b.op is not CONST:  # pyright: ignore[reportOptionalMemberAccess]
                    b.grad += upstream * a._data  # pyright: ignore[reportOptionalMemberAccess]
                continue
            out, rules = node._data, op.partials  # pyright: ignore[reportOptionalMemberAccess]  (a has an op)
            if b is not None:
                a_data, b_data = a._data, b._data
                if a.op is not CONST:
                    a.grad += upstream * rules[0](out, a_data, b_data)
                if b.op is not CONST:
                    b.grad += upstream * rules[1](out, a_data, b_data)
            else:
                if a.op is not CONST:
                    a.grad += upstream * rules[0](out, a._data)
    except (ArithmeticError, ValueError) as error:
        assert node is not None   # only the loop's body raises
        raise local_failure(node, error) from None


def _checked_pass(order):
    """The pass of ``backward`` inside ``detect_anomaly()``: each contribution checked as it is made."""
    for node in order:
        if node.a is not None:
            args = (node._data, *[p._data for p in _present(node.a, node.b)])
            for parent, local in local_rules(node, args):
                contribution = node.grad * local
                check_finite(node, parent, node.grad, local, contribution)
                parent.grad += contribution


def local_rules(node: "Value", args: tuple) -> "Iterator[tuple[Value, Value | float]]":
    """(parent, ∂node/∂parent) for each operand of ``node`` that takes a gradient, from the op's
    rules on ``args`` (out, a[, b]: floats, or Values for a gradient graph); DomainError where a
    rule is undefined."""
    assert node.a is not None and node.op is not None, "only a computed node has local rules"
    for index, (parent, rule) in enumerate(zip(_present(node.a, node.b), node.op.partials)):
        if parent.op is not CONST:
            try:
                yield parent, rule(*args)
            except (ArithmeticError, ValueError) as error:
                raise local_failure(node, error, index) from None


def _warn_accumulation(held):
    shown = ", ".join(f"{n.label or 'a leaf'}.grad = {n.grad:.6g}" for n in held[:3])
    more = f" and {len(held) - 3} more" if len(held) > 3 else ""
    warnings.warn(
        f"backward: {len(held)} lea{'ves' if len(held) > 1 else 'f'} already hold{'s' * (len(held) == 1)} "
        f"a gradient from an earlier pass ({shown}{more}); this pass adds to it. Call "
        "zero_grad() first to start afresh (root.zero_grad(), network.zero_grad() or "
        "optimizer.zero_grad()), or backward(root, accumulate=True) to add on purpose.",
        AccumulationWarning, stacklevel=_caller_level())


def _caller_level():
    """The stack level of the first frame outside autodiff, so the warning names the user's line."""
    here = os.path.dirname(__file__)
    frame, level = sys._getframe(2), 2
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == here:
        frame, level = frame.f_back, level + 1
    return level


def check_root(root: object, where: str) -> None:
    """TypeError unless ``root`` is a Value; ``where`` names the caller."""
    if type(root) is not Value:
        raise TypeError(f"{where}: expected a Value, got {type(root).__name__} {root!r:.60}")


def check_finite(node: "Value", parent: "Value", upstream: "Value | float", local: "Value | float",
                 contribution: "Value | float") -> None:
    if math.isfinite(float(contribution)):
        return
    index = node.parents.index(parent)
    assert node.op is not None   # node has parents, so an op
    raise AnomalyError(
        f"backward: {node.op.name} gave ∂L/∂{'ab'[index]} = {float(contribution)!r} "
        f"(upstream {float(upstream)!r} × local {node.op.formulas[index]} = {float(local)!r}) "
        f"for operand {parent.data!r}" + (f" ({parent.label!r})" if parent.label else "")
        + (f" of node {node.label!r}" if node.label else ""))


def zero_grad(root: "Value", set_to_none: bool = True) -> None:
    """Set ``.grad`` to 0 on every node below ``root``.

    ``set_to_none`` is accepted for PyTorch's sake: in stepgrad ``.grad`` is always a float,
    never None, so either way it becomes 0.0 (which is what a gradient of None means).
    """
    check_root(root, "zero_grad")
    for node in reverse_topological_order(root):
        node.grad = 0.0


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
    _data: float
    grad: float
    a: "Value | None"
    b: "Value | None"
    op: "Op | None"
    label: "str | None"
    # NOTE: numpy defers to our reflected dunders instead of building object arrays.
    __array_ufunc__ = None

    def __init__(self, data: SupportsFloat, label: "str | None" = None) -> None:
        if label is not None and not isinstance(label, str):
            raise TypeError(f"Value: label must be a str or None, got {type(label).__name__}")
        self._data = as_float(data)
        self.grad = 0.0
        self.a = None
        self.b = None
        self.op = None
        self.label = label

    def __repr__(self) -> str:
        op = "leaf" if self.op is None else self.op.name
        label = f"label={self.label!r}, " if self.label is not None else ""
        return f"Value({label}data={self.data!r}, grad={self.grad!r}, op={op!r})"

    @property
    def data(self) -> float:
        """The node's value, always a float: a number assigned to it is converted, anything
        else raises TypeError."""
        return self._data

    @data.setter
    def data(self, x: SupportsFloat) -> None:
        self._data = as_float(x, "Value.data")

    @property
    def parents(self) -> "tuple[Value, ...]":
        """The operands this node was computed from, in order: (), (a,) or (a, b)."""
        return () if self.a is None else _present(self.a, self.b)

    def __float__(self) -> float:
        return self._data

    @property
    def is_leaf(self) -> bool:
        return not self.parents

    # -- arithmetic sugar: each line records one op of the table --------------------------
    def __add__(self, other: "Value | float") -> "Value":
        return _record(_ADD, self, other if type(other) is Value else _operand(other, _ADD, "b"))

    def __radd__(self, other: "Value | float") -> "Value":  # other + self
        return _record(_ADD, _operand(other, _ADD, "a"), self)

    def __sub__(self, other: "Value | float") -> "Value":
        return _record(_SUB, self, other if type(other) is Value else _operand(other, _SUB, "b"))

    def __rsub__(self, other: "Value | float") -> "Value":  # other - self
        return _record(_SUB, _operand(other, _SUB, "a"), self)

    def __mul__(self, other: "Value | float") -> "Value":
        return _record(_MUL, self, other if type(other) is Value else _operand(other, _MUL, "b"))

    def __rmul__(self, other: "Value | float") -> "Value":  # other * self
        return _record(_MUL, _operand(other, _MUL, "a"), self)

    def __truediv__(self, other: "Value | float") -> "Value":
        return _record(_DIV, self, other if type(other) is Value else _operand(other, _DIV, "b"))

    def __rtruediv__(self, other: "Value | float") -> "Value":  # other / self
        return _record(_DIV, _operand(other, _DIV, "a"), self)

    def __pow__(self, other: "Value | float") -> "Value":
        return _record(_POW, self, other if type(other) is Value else _operand(other, _POW, "b"))

    def __rpow__(self, other: "Value | float") -> "Value":  # other ** self
        return _record(_POW, _operand(other, _POW, "a"), self)

    def __neg__(self) -> "Value":
        return _record(_NEG, self)

    def __abs__(self) -> "Value":
        return _record(OPS["abs"], self)

    def exp(self) -> "Value":
        return _record(OPS["exp"], self)

    def log(self) -> "Value":
        return _record(OPS["log"], self)

    def sqrt(self) -> "Value":
        return _record(OPS["sqrt"], self)

    def sin(self) -> "Value":
        return _record(OPS["sin"], self)

    def cos(self) -> "Value":
        return _record(OPS["cos"], self)

    def tanh(self) -> "Value":
        return _record(OPS["tanh"], self)

    def sigmoid(self) -> "Value":
        return _record(OPS["sigmoid"], self)

    def relu(self) -> "Value":
        return _record(OPS["relu"], self)

    def abs(self) -> "Value":
        return _record(OPS["abs"], self)

    # -- gradients -----------------------------------------------------------------------
    def backward(self, gradient: "float | None" = 1.0, accumulate: bool = False, *,
                 retain_graph: "bool | None" = None) -> None:
        """Fill ``.grad`` on every node of the graph below self with gradient·∂self/∂node.

        ``gradient`` is ∂L/∂self, the seed (1 by default), as in PyTorch. Leaf gradients
        accumulate across calls (as in PyTorch), with an AccumulationWarning unless
        ``accumulate=True``; intermediate nodes hold the gradient of the latest pass. See
        ``autodiff.value.backward``. ``retain_graph`` has no effect: stepgrad never frees the
        graph, so backward may always run through it again.
        """
        backward(self, gradient, accumulate, retain_graph=retain_graph)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset ``.grad`` to 0 on every node of the graph below self. ``set_to_none`` is
        accepted for PyTorch's sake; ``.grad`` is always a float, so either way it is 0.0."""
        zero_grad(self, set_to_none)

    def item(self) -> float:
        """The value as a Python float, as PyTorch's ``tensor.item()``: the same as ``.data``."""
        return self._data
