"""Walking the graph: the one iterative topological order everything else uses."""

from typing import Protocol, Self, TypeVar

__all__ = ["topological_order", "reverse_topological_order"]


class _Node(Protocol):
    """What the walk reads of a node (a Value, which imports this module): its operands."""

    @property
    def a(self) -> "Self | None": ...
    @property
    def b(self) -> "Self | None": ...


N = TypeVar("N", bound=_Node)


def topological_order(root: N) -> list[N]:
    """Every node reachable from ``root``, parents before the nodes that use them (root last).

    An iterative depth-first post-order (no recursion limit, a million-node chain is fine),
    deterministic: it depends only on the order of each node's parents.
    """
    order: list[N] = []
    seen: set[N] = set()
    stack: list[N | None] = [root]
    emit, push, pop, mark = order.append, stack.append, stack.pop, seen.add
    while stack:
        node = pop()
        if node is None:  # the marker: everything above it, the node's parents, is done
            emit(pop())  # pyright: ignore[reportArgumentType]  (under a marker is its node, never None)
            continue
        if node in seen:
            continue
        mark(node)
        push(node)
        push(None)
        # b before a, so that a is emitted first
        b = node.b
        if b is not None and b not in seen:
            push(b)
        a = node.a
        if a is not None and a not in seen:
            push(a)
    return order


def reverse_topological_order(root: N) -> list[N]:
    """``topological_order`` reversed: each node before its parents, root first (backward's order)."""
    order = topological_order(root)
    order.reverse()
    return order
