"""Reverse-mode gradients over the op table: ``backward``, ``gradients``, ``grad``, ``zero_grad``."""

import math

from . import value
from .graph import reverse_topological_order
from .ops import CONST, DomainError
from .value import Value, _leaf

__all__ = ["backward", "gradients", "grad", "zero_grad"]


def _local_failure(node, error):
    """A DomainError naming the node's op, the failing rule and its operands."""
    op = node.op
    args = (node.data, *[p.data for p in node.parents])
    index = 0
    for index, rule in enumerate(op.partials):
        try:
            rule(*args)
        except (ArithmeticError, ValueError):
            break
    operands = ", ".join(f"{n} = {p.data!r}" + (f" ({p.label!r})" if p.label else "")
                         for n, p in zip("ab", node.parents))
    return DomainError(f"{op.name}: local derivative ∂out/∂{'ab'[index]} = {op.formulas[index]} "
                       f"is undefined at {operands} ({error})")


def backward(root):
    """Seed ∂root/∂root = 1 and fill ``.grad`` on every node below ``root``.

    Leaves (Values the user made) accumulate: a second ``backward()`` adds to their ``.grad``,
    as in PyTorch; call ``zero_grad`` between passes to start afresh. Intermediate nodes are
    overwritten with the gradient of the latest pass, so they never double count. Constants
    (numbers that met a Value in an op) keep grad 0.
    """
    if value.anomaly_mode():
        _assign(gradients(root))
        return
    order = reverse_topological_order(root)
    for node in order:
        if node.parents:
            node.grad = 0.0
    root.grad = 1.0 if root.parents else root.grad + 1.0
    # NOTE: the float fast path of ``gradients``, accumulating in .grad rather than a dict.
    node = None
    try:
        for node in order:
            parents = node.parents
            if not parents:
                continue
            upstream, out, rules = node.grad, node.data, node.op.partials
            if len(parents) == 2:
                a, b = parents
                a_data, b_data = a.data, b.data
                if a.op is not CONST:
                    a.grad += upstream * rules[0](out, a_data, b_data)
                if b.op is not CONST:
                    b.grad += upstream * rules[1](out, a_data, b_data)
            else:
                a = parents[0]
                if a.op is not CONST:
                    a.grad += upstream * rules[0](out, a.data)
    except (ArithmeticError, ValueError) as error:
        raise _local_failure(node, error) from None


def gradients(root, create_graph=False):
    """∂root/∂node for every node below ``root``, as a dict in reverse topological order.

    With ``create_graph=False`` the gradients are floats. With ``create_graph=True`` they are
    Values built from the same rules, so they can be differentiated again. Constants take no
    gradient and are left out. ``.grad`` is not touched.
    """
    grads = {root: _leaf(1.0, CONST) if create_graph else 1.0}
    for node in reverse_topological_order(root):
        if not node.parents:
            continue
        upstream = grads[node]
        args = (node, *node.parents) if create_graph else (node.data, *[p.data for p in node.parents])
        for parent, rule in zip(node.parents, node.op.partials):
            if parent.op is CONST:
                continue
            try:
                local = rule(*args)
            except (ArithmeticError, ValueError) as error:
                raise _local_failure(node, error) from None
            contribution = _times(upstream, local) if create_graph else upstream * local
            if value.anomaly_mode():
                _check_finite(node, parent, upstream, local, contribution)
            grads[parent] = grads[parent] + contribution if parent in grads else contribution
    return grads


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


def _times(upstream, local):
    # Keep second-order graphs small: ×1 and ×(−1) are not worth a node.
    if type(local) is float:
        if local == 1.0:
            return upstream
        if local == -1.0:
            return -upstream
    return upstream * local


def grad(output, inputs, create_graph=False):
    """The gradients ∂output/∂input for each of ``inputs``, as a tuple; ``.grad`` is untouched.

    An input that ``output`` does not depend on gets 0. With ``create_graph=True`` the results
    are Values in the graph and can be differentiated again (second and higher derivatives).
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs[{i}] must be a Value, got {type(x).__name__}")
    grads = gradients(output, create_graph)
    return tuple(grads[x] if x in grads else (_leaf(0.0, CONST) if create_graph else 0.0)
                 for x in inputs)


def zero_grad(root):
    """Set ``.grad`` to 0 on every node below ``root``."""
    for node in reverse_topological_order(root):
        node.grad = 0.0
