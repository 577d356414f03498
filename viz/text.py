"""Graphs without Graphviz: a JSON export and a Unicode tree for the terminal."""

import functools
import json
import math

from autodiff import CONST, Value, topological_order

from . import style

__all__ = ["to_json", "to_tree", "JSON_FORMAT"]

JSON_FORMAT = "stepgrad.graph/1"


def _check_root(root, where):
    if not isinstance(root, Value):
        raise TypeError(f"{where}: root must be a Value, got {type(root).__name__}")


def _json_number(x):
    # JSON has no NaN or infinity: spell them as strings, as JavaScript would print them.
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def _kind(node):
    if node.op is None:
        return None
    return node.op.name


def to_json(root, *, indent=2):
    """The graph below ``root`` as JSON text (format ``stepgrad.graph/1``).

    ``{"format", "root", "nodes": [{"id", "label", "op", "symbol", "data", "grad"}],
    "edges": [{"source", "target", "operand"}]}``: nodes in topological order with the ids
    ``to_dot`` uses (n0, n1, ...); ``op`` is the op's name, ``"const"`` for a number lifted into
    the graph, null for a leaf you made; an edge runs from an operand to the node computed from
    it, ``operand`` 0 for a, 1 for b, in operand order. NaN and ±∞ are the strings "NaN",
    "Infinity", "-Infinity". Floats are exact (``repr``).
    """
    _check_root(root, "to_json")
    order = topological_order(root)
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    nodes, edges = [], []
    for node in order:
        nodes.append({"id": ids[node], "label": node.label, "op": _kind(node),
                      "symbol": node.op.symbol if node.parents else None,
                      "data": _json_number(node.data), "grad": _json_number(node.grad)})
        for i, parent in enumerate(node.parents):
            edges.append({"source": ids[parent], "target": ids[node], "operand": i})
    document = {"format": JSON_FORMAT, "root": ids[root], "nodes": nodes, "edges": edges}
    return json.dumps(document, indent=indent, ensure_ascii=False, allow_nan=False)


def _describe(node, node_id, precision):
    num = functools.partial(style.number, precision=precision, minus="-")
    if node.op is CONST:
        name = f"{node.label} = " if node.label is not None else ""
        return f"{node_id} {name}{num(node.data)} (constant)".replace("\n", "⏎")
    name = f" {node.label}" if node.label is not None else ""
    op = f"  ← {node.op.symbol}" if node.parents else ""
    text = f"{node_id}{name} = {num(node.data)}  grad {num(node.grad)}{op}"
    return text.replace("\n", "⏎")


def to_tree(root, *, precision=4, max_depth=100):
    """The graph below ``root`` as an indented Unicode tree, root first, operands below.

    Each line reads ``n7 net4 = −0.7  grad −0.0087  ← +`` (id as in ``to_dot``, label, data,
    gradient, op symbol). A subgraph used in several places is written out once; later uses
    say ``(shown above)``. Operands deeper than ``max_depth`` levels are cut with a note, so
    a long chain prints quickly; ``max_depth=None`` prints everything.
    """
    _check_root(root, "to_tree")
    if max_depth is not None and (not isinstance(max_depth, int) or max_depth < 0):
        raise ValueError(f"to_tree: max_depth must be a non-negative int or None, got {max_depth!r}")
    ids = {node: f"n{i}" for i, node in enumerate(topological_order(root))}
    lines, written = [], set()
    stack = [(root, "", "", 0)]
    while stack:
        node, lead, indent, depth = stack.pop()
        text = _describe(node, ids[node], precision)
        if node.parents and node in written:
            lines.append(f"{lead}{text}  (shown above)")
            continue
        lines.append(lead + text)
        if not node.parents:
            continue
        if max_depth is not None and depth >= max_depth:
            lines.append(f"{indent}└─ … operands below depth {max_depth} not shown")
            continue
        written.add(node)
        last = len(node.parents) - 1
        for i in range(last, -1, -1):
            branch, extend = ("└─ ", "   ") if i == last else ("├─ ", "│  ")
            stack.append((node.parents[i], indent + branch, indent + extend, depth + 1))
    return "\n".join(lines)
