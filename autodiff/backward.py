"""Reverse-mode gradients over the op table: ``backward``, ``gradients``, ``grad``, ``zero_grad``."""

import math
import os
import sys
import warnings

from . import value
from .graph import reverse_topological_order
from .ops import CONST, DomainError
from .value import Value, as_float, constant, describe_operands

__all__ = ["backward", "AccumulationWarning", "gradients", "grad", "zero_grad", "local_derivative", "check_root"]


def _local_failure(node, error, index=None):
    """A DomainError naming the node's op, the failing rule, why it fails and the operands.

    The rule is run again on floats (all of them when ``index`` is None) for the plain reason,
    also when it first failed on Values while building a gradient graph.
    """
    op = node.op
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


def backward(root, gradient=1.0, accumulate=False):
    """Seed ∂L/∂root = ``gradient`` (1 by default) and fill ``.grad`` on every node below
    ``root`` with ∂L/∂node, as PyTorch's ``backward(gradient)`` does.

    Leaves (Values the user made) accumulate: a second ``backward()`` adds to their ``.grad``,
    as in PyTorch; call ``zero_grad`` between passes to start afresh. Since adding to a stale
    gradient is more often a slip than a plan (a training step or a stepper already ran
    backward on the same weights), it warns (AccumulationWarning) when a leaf already holds a
    gradient, unless ``accumulate=True`` says the sum is wanted. Intermediate nodes are
    overwritten with the gradient of the latest pass, so they never double count. Constants
    (numbers that met a Value in an op) keep grad 0.
    """
    check_root(root, "backward")
    gradient = as_float(gradient, "backward: gradient")
    order = reverse_topological_order(root)
    held = []
    for node in order:
        if node.a is not None:
            node.grad = 0.0
        elif node.grad:
            held.append(node)
    if held and not accumulate:
        _warn_accumulation(held)
    if value.anomaly_mode():
        _assign(gradients(root, seed=gradient))
        return
    root.grad = gradient if root.a is not None else root.grad + gradient
    # NOTE: the float fast path of ``gradients``, accumulating in .grad rather than a dict.
    node = None
    try:
        for node in order:
            a = node.a
            if a is None:
                continue
            upstream, out, rules = node.grad, node._data, node.op.partials
            b = node.b
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
        raise _local_failure(node, error) from None


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


def local_derivative(node, index):
    """∂node/∂operand ``index`` on floats from the op's rule; DomainError where it is undefined."""
    try:
        return node.op.partials[index](node.data, *[p.data for p in node.parents])
    except (ArithmeticError, ValueError) as error:
        raise _local_failure(node, error, index) from None


def gradients(root, create_graph=False, seed=1.0):
    """seed·∂root/∂node for every node below ``root``, as a dict in reverse topological order.

    With ``create_graph=False`` the gradients are floats. With ``create_graph=True`` they are
    Values built from the same rules, so they can be differentiated again. Constants take no
    gradient and are left out. ``.grad`` is not touched.
    """
    check_root(root, "gradients")
    seed = as_float(seed, "gradients: seed")
    grads = {root: constant(seed) if create_graph else seed}
    anomaly = value.anomaly_mode()
    for node in reverse_topological_order(root):
        parents = node.parents
        if not parents:
            continue
        upstream = grads[node]
        if create_graph:
            # NOTE: constants enter the rules as floats, so ``x ** 2`` gives 2·x^1.0 with no
            # node for the exponent, whose log(x) rule would fail for x < 0.
            args = (node, *[p.data if p.op is CONST else p for p in parents])
        else:
            args = (node._data, *[p._data for p in parents])
        for index, (parent, rule) in enumerate(zip(parents, node.op.partials)):
            if parent.op is CONST:
                continue
            try:
                local = rule(*args)
            except (ArithmeticError, ValueError) as error:
                raise _local_failure(node, error, index) from None
            contribution = _times(upstream, local) if create_graph else upstream * local
            if anomaly:
                _check_finite(node, parent, upstream, local, contribution)
            if parent not in grads:
                grads[parent] = contribution
            elif create_graph:
                grads[parent] = _plus(grads[parent], contribution)
            else:
                grads[parent] += contribution
    return grads


def check_root(root, where):
    """TypeError unless ``root`` is a Value; ``where`` names the caller."""
    if type(root) is not Value:
        raise TypeError(f"{where}: expected a Value, got {type(root).__name__} {root!r:.60}")


def _assign(grads):
    for node, g in grads.items():
        if node.parents:
            node.grad = g
        else:
            node.grad += g


def _check_finite(node, parent, upstream, local, contribution):
    if math.isfinite(float(contribution)):
        return
    index = node.parents.index(parent)
    raise value.AnomalyError(
        f"backward: {node.op.name} gave ∂L/∂{'ab'[index]} = {float(contribution)!r} "
        f"(upstream {float(upstream)!r} × local {node.op.formulas[index]} = {float(local)!r}) "
        f"for operand {parent.data!r}" + (f" ({parent.label!r})" if parent.label else "")
        + (f" of node {node.label!r}" if node.label else ""))


def _is_constant(x):
    return type(x) is float or x.op is CONST


def _times(upstream, local):
    # Keep second-order graphs small: fold constants; ×1 and ×(−1) are not worth a node.
    if _is_constant(upstream):
        upstream, local = local, upstream
    if not _is_constant(local):
        return upstream * local
    local = float(local)
    if _is_constant(upstream):
        return constant(float(upstream) * local)
    if local == 1.0:
        return upstream
    if local == -1.0:
        return -upstream
    return upstream * local


def _plus(total, contribution):
    if _is_constant(total) and _is_constant(contribution):
        return constant(float(total) + float(contribution))
    return total + contribution


def grad(output, inputs, create_graph=False):
    """The gradients ∂output/∂input for each of ``inputs``, as a tuple; ``.grad`` is untouched.

    An input that ``output`` does not depend on gets 0. With ``create_graph=True`` the results
    are Values in the graph and can be differentiated again (second and higher derivatives).

    >>> x = Value(3.0)
    >>> (dy,) = grad(x ** 3, [x], create_graph=True)
    >>> (d2y,) = grad(dy, [x])
    >>> dy.data, d2y
    (27.0, 18.0)
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    if isinstance(inputs, Value):
        raise TypeError("grad: inputs must be a sequence of Values, got a single Value (write [x])")
    inputs = tuple(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs[{i}] must be a Value, got {type(x).__name__}")
    grads = gradients(output, create_graph)
    return tuple(grads[x] if x in grads else (constant(0.0) if create_graph else 0.0)
                 for x in inputs)


def zero_grad(root):
    """Set ``.grad`` to 0 on every node below ``root``."""
    check_root(root, "zero_grad")
    for node in reverse_topological_order(root):
        node.grad = 0.0
