"""How steps and explanations write nodes and numbers: names, expressions, significant digits."""

from .ops import CONST

__all__ = ["Text", "number", "factor", "wrapped", "node_names", "expression", "printable"]


class Text(str):
    """A str that a REPL shows as its text rather than its repr (tables, explanations)."""

    def __repr__(self):
        return str(self)


def number(x, digits=6):
    """x with ``digits`` significant digits: -0.526139, 1, 2.5e-07.

    NOTE: the ASCII minus, so that a number copied from the terminal is valid Python.
    """
    return f"{x:.{digits}g}"


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


# C0 and C1 controls but the newline, DEL, and the bidirectional formatting characters, which can
# reorder what a terminal shows (U+202E turns "exe.txt" into "txt.exe").
_UNPRINTABLE = {c: None for c in [*range(0x00, 0x0A), *range(0x0B, 0x20), *range(0x7F, 0xA0),
                                  0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
                                  *range(0x2066, 0x206A)]}


def printable(text):
    """``text`` safe for a terminal: control characters (but the newline), DEL and bidi
    overrides become visible escapes (``\\x1b``, ``\\u202e``); everything else is kept.

    Applied to every text output that carries a name or title someone else wrote, so a file
    cannot clear the screen, hide text or reorder a line. Idempotent.

    >>> printable("w1\\x1b[2J\\u202e")
    'w1\\\\x1b[2J\\\\u202e'
    """
    text = str(text)
    if text.isprintable() or not any(ord(c) in _UNPRINTABLE for c in text):
        return text
    return "".join(_escape(c) if ord(c) in _UNPRINTABLE else c for c in text)


def _escape(char):
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
