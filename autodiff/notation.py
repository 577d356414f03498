"""How steps and explanations write nodes and numbers: names, expressions, significant digits."""

from .ops import CONST

__all__ = ["Text", "number", "factor", "wrapped", "node_names", "expression"]


class Text(str):
    """A str that a REPL shows as its text rather than its repr (tables, explanations)."""

    def __repr__(self):
        return str(self)


def number(x, digits=6):
    """x with ``digits`` significant digits and a Unicode minus: −0.526139, 1, 2.5e−07."""
    return f"{x:.{digits}g}".replace("-", "−")


def node_names(order):
    """A display name per node of a topological ``order`` (parents first): its label, a number
    for a constant, ``#k`` for the k-th unlabeled node."""
    names = {}
    k = 0
    for node in order:
        if node.label is not None:
            names[node] = node.label
        elif node.op is CONST:
            names[node] = number(node.data)
        else:
            k += 1
            names[node] = f"#{k}"
    return names


def expression(node, names):
    """How ``node`` was made, in its operands' names: ``a × b``, ``σ(net6)``, ``leaf``."""
    op = node.op
    if op is None or not node.parents:
        return "constant" if op is CONST else "leaf"
    parts = [names[p] for p in node.parents]
    if len(parts) == 2:
        if op.name == "pow":
            return f"{parts[0]}^{parts[1]}"
        return f"{parts[0]} {op.symbol} {parts[1]}"
    if op.name == "neg":
        return f"−{parts[0]}"
    return f"{op.symbol}({parts[0]})"


def factor(x):
    """A number as a right-hand factor: (−3) in parentheses when negative."""
    return f"({number(x)})" if x < 0 else number(x)


def wrapped(name):
    """A name as a factor shows it: parenthesized when it is an expression such as ``w*x + b``."""
    if all(c.isalnum() or c in "_#.,'" for c in name):
        return name
    if name.endswith(")"):
        depth = 0
        for i in range(len(name) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(name[i], 0)
            if depth == 0:
                head = name[:i]
                if head == "" or head.isidentifier():
                    return name
                break
    return f"({name})"
