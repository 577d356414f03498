"""Graphs without Graphviz: a JSON export and a Unicode tree for the terminal."""

import functools
import json
import math

from autodiff import CONST, Value, topological_order
from stepgrad._ground import drawn, printable

__all__ = ["to_json", "to_tree", "JSON_FORMAT", "MAX_JSON_NODES"]

JSON_FORMAT = "stepgrad.graph/1"
MAX_JSON_NODES = 100_000     # the default cap: about 20 MB of JSON


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


def to_json(root: Value, *, indent: "int | None" = 2, max_nodes: "int | None" = MAX_JSON_NODES) -> str:
    """The graph below ``root`` as JSON text (format ``stepgrad.graph/1``).

    ``{"format", "root", "nodes": [{"id", "label", "op", "symbol", "data", "grad"}],
    "edges": [{"source", "target", "operand"}], "omitted"}``: nodes in topological order with
    the ids ``to_dot`` uses (n0, n1, ...); ``op`` is the op's name, ``"const"`` for a number
    lifted into the graph, null for a leaf you made; an edge runs from an operand to the node
    computed from it, ``operand`` 0 for a, 1 for b, in operand order. NaN and ±∞ are the
    strings "NaN", "Infinity", "-Infinity". Floats are exact (``repr``). At most ``max_nodes``
    nodes are written, those nearest the root; ``omitted`` counts the others (their edges are
    left out). ``max_nodes=None`` writes every node.
    """
    _check_root(root, "to_json")
    if max_nodes is not None and (not isinstance(max_nodes, int) or isinstance(max_nodes, bool)
                                  or max_nodes < 1):
        raise ValueError(f"to_json: max_nodes must be a positive int or None, got {max_nodes!r}")
    order = topological_order(root)
    first = 0 if max_nodes is None else max(0, len(order) - max_nodes)
    index = {node: i for i, node in enumerate(order[first:], first)}
    nodes, edges = [], []
    for node in order[first:]:
        nodes.append({"id": f"n{index[node]}", "label": node.label, "op": _kind(node),
                      "symbol": node.op.symbol if node.parents and node.op is not None else None,
                      "data": _json_number(node.data), "grad": _json_number(node.grad)})
        for i, parent in enumerate(node.parents):
            if parent in index:
                edges.append({"source": f"n{index[parent]}", "target": f"n{index[node]}",
                              "operand": i})
    document = {"format": JSON_FORMAT, "root": f"n{index[root]}", "nodes": nodes,
                "edges": edges, "omitted": first}
    return json.dumps(document, indent=indent, ensure_ascii=False, allow_nan=False)


def _describe(node, node_id, precision):
    num = functools.partial(drawn, precision=precision, minus="-")
    label = None if node.label is None else printable(node.label).replace("\n", "⏎")
    if node.op is CONST:
        name = f"{label} = " if label is not None else ""
        return f"{node_id} {name}{num(node.data)} (constant)"
    name = f" {label}" if label is not None else ""
    op = f"  ← {node.op.symbol}" if node.parents else ""
    return f"{node_id}{name} = {num(node.data)}  grad {num(node.grad)}{op}"


def to_tree(root: Value, *, precision: int = 4, max_depth: "int | None" = 100) -> str:
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
