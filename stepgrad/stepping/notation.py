"""How steps and explanations write nodes and numbers: names, formulas, significant digits, 80 columns."""

import re
import textwrap
from collections.abc import Iterable, Mapping

from autodiff import CONST, Symbol, Value, as_symbol
from stepgrad._ground import printable

__all__ = ["Text", "NodeNames", "Term", "number", "factor", "wrapped", "node_names", "expression", "formula",
           "rule_slots", "rule_formula", "local_term", "chain_term", "fit_lines", "joined", "preformatted",
           "WIDTH", "NAME_LIMIT", "LABEL_LIMIT"]

WIDTH = 80          # every line of text output fits an 80-column terminal
NAME_LIMIT = 30     # the longest expression that names an unlabeled node (else #k)
LABEL_LIMIT = 40    # a longer label is not used as a name (the node is named as if unlabeled)

# Symbol precedences (symbolic.py): + −, ·, unary −, ^, atom
_ADD, _MUL, _NEG, _POW, _ATOM = 1, 2, 3, 4, 5
_SIMPLE = re.compile(r"[\w#.,']+\Z")


class Text(str):
    """A str that a REPL shows as its text rather than its repr (tables, explanations)."""

    def __repr__(self) -> str:
        return str(self)


def number(x: float, digits: int = 6) -> str:
    """x with ``digits`` significant digits: -0.526139, 1, 2.5e-07.

    NOTE: the ASCII minus, so that a number copied from the terminal is valid Python.
    """
    return f"{x:.{digits}g}"


class NodeNames(dict):
    """node → display name, and ``symbol(node)``: the name as a term of a formula (with its
    precedence, so ``x·0.4`` is parenthesized where it must be)."""

    def __init__(self) -> None:
        super().__init__()
        self.symbols: "dict[Value, Symbol]" = {}

    def symbol(self, node: Value) -> Symbol:
        return self.symbols[node]


def _name_symbol(text):
    """A name as a formula term: atomic when it is one word, else as loose as a sum."""
    return Symbol(text, _ATOM if _SIMPLE.match(text) else _ADD)


def node_names(order: "Iterable[Value]") -> NodeNames:
    """A display name per node of a topological ``order`` (parents first).

    A label is the name (escaped with ``printable``; one longer than LABEL_LIMIT is set aside).
    A constant is its label (``t6``, as nn labels a network's targets), else its number. An
    unlabeled node is
    named by how it was made, in its operands' names (``w14·x1``, ``t6 − o6``, ``σ(#2)``) when
    that is at most NAME_LIMIT characters and not taken, else ``#k``, k counting in forward order.
    """
    order = list(order)
    names = NodeNames()
    symbols = names.symbols
    taken = set()
    k = 0
    for node in order:
        name = symbol = None
        if node.label is not None:
            text = printable(node.label).replace("\n", "\\n")
            if len(text) <= LABEL_LIMIT:
                name, symbol = text, _name_symbol(text)
        elif node.op is CONST:
            name = number(node.data)
            symbol = Symbol(name, _NEG if node.data < 0 else _ATOM)
        if name is None and node.parents:
            made = _made(node, symbols)
            if len(made.text) <= NAME_LIMIT and made.text not in taken:
                name, symbol = made.text, made
        if name is None:
            k += 1
            name = f"#{k}"
            symbol = Symbol(name)
        assert symbol is not None   # set with every name
        names[node] = name
        symbols[node] = symbol
        taken.add(name)
    return names


def _made(node, symbols):
    """The Symbol of ``node`` written over its operands' symbols: a·b, σ(a), a^b."""
    op = node.op
    a = symbols[node.a]
    if node.b is None:
        if op.name == "neg":
            return -a
        return Symbol(f"{op.symbol}({a.text})")
    b = symbols[node.b]
    if op.name == "add":
        return a + b
    if op.name == "sub":
        return a - b
    if op.name == "mul":
        return a * b
    if op.name == "div":
        return a / b
    if op.name == "pow":
        return a ** b
    return Symbol(f"{a.text} {op.symbol} {b.text}", _ADD)


def expression(node, names):
    """How ``node`` was made, in its operands' names: ``x·0.4``, ``σ(net6)``, ``leaf``."""
    if node.op is None or not node.parents:
        return "constant" if node.op is CONST else "leaf"
    return _made(node, names.symbols if isinstance(names, NodeNames) else
                 {p: _name_symbol(names[p]) for p in node.parents}).text


class Term(Symbol):
    """A formula with its numeric factor kept apart, so that a product of local derivatives
    folds its numbers: 0.5 · 2·(t6 − o6) · (−1) reads −(t6 − o6)."""

    __slots__ = ("coefficient", "core")

    def __init__(self, coefficient=1.0, core=None):
        self.coefficient = float(coefficient)
        self.core = core
        c = self.coefficient
        if core is None:
            text, prec = number(c), (_NEG if c < 0 else _ATOM)
        elif c == 1.0:
            text, prec = core.text, core.prec
        elif c == -1.0:
            text, prec = "−" + (core.text if core.prec > _NEG else f"({core.text})"), _NEG
        else:
            inner = core.text if core.prec > _MUL else f"({core.text})"
            text, prec = f"{number(c)}·{inner}", _MUL
        super().__init__(text, prec)

    @staticmethod
    def of(x):
        """``x`` (a number, a Symbol or a Term) as a Term."""
        if isinstance(x, Term):
            return x
        if isinstance(x, Symbol):
            return Term(1.0, x)
        return Term(float(x))

    def __mul__(self, other):
        if not isinstance(other, (Symbol, int, float)):
            return NotImplemented
        other = Term.of(other)
        if self.core is None or other.core is None:
            core = self.core if other.core is None else other.core
        else:
            core = self.core * other.core
        return Term(self.coefficient * other.coefficient, core)

    __rmul__ = __mul__

    def __neg__(self):
        return Term(-self.coefficient, self.core)

    def __pow__(self, other):
        if isinstance(other, (int, float)) and other == 1:
            return self
        return Term(1.0, Symbol(self.text, self.prec) ** other)


def local_term(node, index, names):
    """∂node/∂(operand ``index``) as a Term: the op's rule run on the nodes' names (an unlabeled
    constant as its number); None where the rule cannot be written so."""
    out = Term.of(names.symbol(node))
    operands = [p.data if p.op is CONST and p.label is None else Term.of(names.symbol(p))
                for p in node.parents]
    try:
        return Term.of(node.op.partials[index](out, *operands))
    except (ArithmeticError, ValueError, TypeError, AttributeError):
        return None


def formula(node: Value, index: int, names: "Mapping[Value, str]") -> str:
    """∂node/∂(operand ``index``) as the op's rule writes it in the nodes' own names: ``x1`` for
    ∂(w14·x1)/∂w14, ``o6·(1 − o6)`` for ∂o6/∂net6. Constants enter as their numbers."""
    assert node.op is not None, "a leaf has no local derivative"
    term = local_term(node, index, names)
    return node.op.formulas[index] if term is None else term.text


# The names an op's rule gives its output and operands (op.formulas: ∂out/∂a = b), then the
# ones tried in turn when one of them is also the name of a node the text shows.
_SLOTS = [("out", "a", "b"), ("y", "u", "v"), ("z", "p", "q"), ("f", "s", "t")]


def rule_slots(taken):
    """Names for a rule's output and operands (``out``, ``a``, ``b``) none of which is in
    ``taken`` (the names of the nodes a text shows), so that ``(×: b)`` never reads as the
    user's own b: the first set of _SLOTS that is free, else a, b, out with primes."""
    taken = set(taken)
    for slots in _SLOTS:
        if taken.isdisjoint(slots):
            return slots
    primes = 1
    while not taken.isdisjoint(slots := tuple(n + "′" * primes for n in _SLOTS[0])):
        primes += 1
    return slots


def rule_formula(op, index, slots=_SLOTS[0]):
    """∂out/∂(operand ``index``) of ``op`` as its rule writes it, in the names ``slots``
    (output, operand 1, operand 2): ``b`` for ∂(a·b)/∂a, ``v`` with slots y, u, v."""
    if tuple(slots) == _SLOTS[0]:
        return op.formulas[index]
    symbols = [Symbol(name) for name in slots[: op.arity + 1]]
    return as_symbol(op.partials[index](*symbols)).text


def chain_term(edges, names):
    """The product of the local derivatives along ``edges`` ((node, operand) pairs) as a Term in
    the nodes' names, numbers folded: 0.5 · 2·(t6 − o6) · (−1) is −(t6 − o6). None where a rule
    cannot be written so."""
    term = Term(1.0)
    for node, operand in edges:
        local = local_term(node, operand, names)
        if local is None:
            return None
        term = term * local
    return term


def factor(x: float) -> str:
    """A number as a right-hand factor: (−3) in parentheses when negative."""
    return f"({number(x)})" if x < 0 else number(x)


def wrapped(name):
    """A name as a factor shows it: parenthesized when it is an expression such as ``w*x + b``."""
    if _SIMPLE.match(name):
        return name
    if name.endswith(")"):
        depth = 0
        for i in range(len(name) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(name[i], 0)
            if depth == 0:
                head = name[:i]
                if head == "" or head.isidentifier() or head in ("σ", "√"):
                    return name
                break
    return f"({name})"


def preformatted(text: str) -> str:
    """``text`` as an HTML <pre> block, for a notebook's display of a step or a table."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<pre style="font-size:12px;line-height:1.35">{escaped}</pre>'


def fit_lines(lines: "Iterable[str]", width: int = WIDTH) -> "list[str]":
    """``lines`` (an iterable of str) with every line at most ``width`` columns: a longer line
    is broken at spaces and continued 4 columns further in."""
    out = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        indent = line[:len(line) - len(line.lstrip())]
        out.extend(textwrap.wrap(line.strip(), width, initial_indent=indent,
                                 subsequent_indent=indent + "    ", break_on_hyphens=False)
                   or [line[:width]])
    return out


def joined(prefix, parts, separator, indent, width=WIDTH):
    """``prefix`` then ``parts`` joined by ``separator``, broken between parts (not inside one)
    so that each line fits ``width``; continuation lines start with ``indent``."""
    lines, line = [], prefix
    for k, part in enumerate(parts):
        piece = part if k == 0 else separator + part
        if k and len(line) + len(piece) > width:
            lines.append(line.rstrip())
            line = indent + separator.lstrip() + part
        else:
            line += piece
    lines.append(line)
    return lines
