"""Gradients as data: ``gradients`` (floats, or Values for higher order), ``grad``, and
``local_derivative``, the one accessor for ∂node/∂operand that steps, drawings and tables read."""

from collections.abc import Iterable
from typing import Literal, overload

from .graph import reverse_topological_order
from .ops import CONST
from .value import (
    Value,
    anomaly_mode,
    as_float,
    check_finite,
    check_root,
    constant,
    local_failure,
    local_rules,
)

__all__ = ["gradients", "grad", "local_derivative"]


def local_derivative(node: Value, index: int) -> float:
    """∂node/∂operand ``index`` on floats from the op's rule; DomainError where it is undefined."""
    assert node.op is not None, "a leaf has no local derivative"
    try:
        return node.op.partials[index](node.data, *[p.data for p in node.parents])
    except (ArithmeticError, ValueError) as error:
        raise local_failure(node, error, index) from None


@overload
def gradients(root: Value, create_graph: Literal[False] = False, seed: float = 1.0) -> dict[Value, float]: ...
@overload
def gradients(root: Value, create_graph: Literal[True], seed: float = 1.0) -> dict[Value, Value]: ...
@overload
def gradients(root: Value, create_graph: bool, seed: float = 1.0) -> "dict[Value, Value] | dict[Value, float]": ...
def gradients(root: Value, create_graph: bool = False, seed: float = 1.0) -> dict:  # the overloads type it
    """seed·∂root/∂node for every node below ``root``, as a dict in reverse topological order.

    With ``create_graph=False`` the gradients are floats. With ``create_graph=True`` they are
    Values built from the same rules, so they can be differentiated again. Constants take no
    gradient and are left out. ``.grad`` is not touched.
    """
    check_root(root, "gradients")
    seed = as_float(seed, "gradients: seed")
    grads = {root: constant(seed) if create_graph else seed}
    anomaly = anomaly_mode()
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
        for parent, local in local_rules(node, args):
            contribution = _times(upstream, local) if create_graph else upstream * local
            if anomaly:
                check_finite(node, parent, upstream, local, contribution)
            if parent not in grads:
                grads[parent] = contribution
            elif create_graph:
                grads[parent] = _plus(grads[parent], contribution)
            else:
                grads[parent] += contribution
    return grads


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


@overload
def grad(output: Value, inputs: Iterable[Value], create_graph: Literal[False] = False) -> tuple[float, ...]: ...
@overload
def grad(output: Value, inputs: Iterable[Value], create_graph: Literal[True]) -> tuple[Value, ...]: ...
@overload
def grad(output: Value, inputs: Iterable[Value], create_graph: bool) -> "tuple[Value, ...] | tuple[float, ...]": ...
def grad(output: Value, inputs: Iterable[Value], create_graph: bool = False) -> tuple:  # the overloads type it
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
