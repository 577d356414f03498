"""Chain-rule explanations of one gradient: every path from the root, with its local derivatives.

The local derivatives come from the op table's rules (``op.partials``), their formulas from
``op.formulas``; nothing restates a derivative.
"""

import math
from dataclasses import dataclass

from .backward import check_root, gradients, local_derivative
from .graph import topological_order
from .notation import Text, expression, node_names, number, wrapped
from .ops import CONST
from .symbolic import Symbol, as_symbol
from .value import Value

__all__ = ["explain", "Explanation", "Path", "Factor"]


@dataclass(frozen=True, eq=False)
class Factor:
    """∂upper/∂lower along one stretch of a path: the product of its edges' local derivatives."""

    upper: Value
    lower: Value
    value: float
    edges: tuple          # (node, operand) pairs, from upper down to lower


@dataclass(frozen=True, eq=False)
class Path:
    """One path from the root to ``wrt``: its factors and their product."""

    factors: tuple
    value: float


@dataclass(frozen=True, eq=False)
class Explanation:
    """∂root/∂wrt as a sum over paths of products of local derivatives (the chain rule).

    ``count`` is the exact number of paths, ``paths`` the first ``max_paths`` of them, and
    ``gradient`` ∂root/∂wrt from ``gradients``, which the paths sum to.
    """

    root: Value
    wrt: Value
    names: dict
    paths: tuple
    count: int
    gradient: float
    digits: int

    def _name(self, node):
        return self.names[node]

    def _d(self, upper, lower):
        return f"∂{wrapped(self._name(upper))}/∂{wrapped(self._name(lower))}"

    def text(self):
        """The lecture's chain-rule form with numbers, one line pair per path, and their sum."""
        root, wrt = self.root, self.wrt
        target = self._d(root, wrt)
        if self.count == 0:
            return Text(f"{target} = 0: no path from {self._name(root)} to {self._name(wrt)}")
        lines = []
        if self.count == 1:
            lines += self._path_lines(self.paths[0], target)
        else:
            lines.append(f"{target}: {self.count} paths from {self._name(root)} to {self._name(wrt)}")
            for k, path in enumerate(self.paths, 1):
                lines += self._path_lines(path, f"  path {k}")
        lines += self._where()
        lines.append(self._total_line())
        return Text("\n".join(lines))

    def _num(self, x):
        return number(x, self.digits)

    def _path_lines(self, path, head):
        if not path.factors:
            return [f"{head} = 1"]
        chain = " · ".join(self._d(f.upper, f.lower) for f in path.factors)
        values = "".join(f"({self._num(f.value)})" for f in path.factors)
        return [f"{head} = {chain}", f"{' ' * len(head)} = {values} = {self._num(path.value)}"]

    def _where(self):
        """Each distinct factor's rule in the nodes' names (where it is one op), and what the
        generated names #k stand for."""
        seen, lines, unnamed = set(), [], {}
        for path in self.paths:
            for f in path.factors:
                shown = [f.upper, f.lower] + ([f.edges[0][0], *f.edges[0][0].parents]
                                              if len(f.edges) == 1 else [])
                unnamed.update((n, self._name(n)) for n in shown
                               if n.label is None and n.op is not CONST)
                key = (f.upper, f.lower, f.edges)
                if key in seen:
                    continue
                seen.add(key)
                value = self._num(f.value)
                if len(f.edges) == 1:
                    node, operand = f.edges[0]
                    symbols = [Symbol(wrapped(self._name(n))) for n in (node, *node.parents)]
                    formula = as_symbol(node.op.partials[operand](*symbols)).text
                    rule = f"{node.op.symbol}: {node.op.formulas[operand]}"
                    shown = value if formula == value else f"{formula} = {value}"
                    lines.append(f"  {self._d(f.upper, f.lower)} = {shown}   ({rule})")
                else:
                    ops = ", ".join(node.op.symbol for node, _ in f.edges)
                    lines.append(f"  {self._d(f.upper, f.lower)} = {value}   "
                                 f"(through {len(f.edges)} ops: {ops})")
        for node in sorted(unnamed, key=lambda n: int(unnamed[n][1:])):
            lines.append(f"  {unnamed[node]} = {expression(node, self.names)}")
        return ["where"] + lines if lines else []

    def _total_line(self):
        shown = math.fsum(p.value for p in self.paths)
        grad_note = ""
        if self.wrt.grad == self.gradient or math.isclose(self.wrt.grad, self.gradient,
                                                          rel_tol=1e-9, abs_tol=1e-15):
            grad_note = f" = {self._name(self.wrt)}.grad"
        target = self._d(self.root, self.wrt)
        if len(self.paths) < self.count:
            rest = self.count - len(self.paths)
            return (f"showing {len(self.paths)} of {self.count} paths, which sum to {number(shown)}; "
                    f"the other {rest} add {number(self.gradient - shown)}; "
                    f"{target} = {number(self.gradient)}{grad_note}")
        terms = " + ".join(self._num(p.value) for p in self.paths).replace("+ −", "− ")
        total = f"sum over {self.count} path{'s' * (self.count != 1)}: "
        if self.count > 1:
            total += f"{terms} = "
        return f"{total}{number(shown)}; {target} = {number(self.gradient)}{grad_note}"

    def latex(self):
        """The same in LaTeX (an ``aligned`` block when there are several paths)."""
        target = self._frac(self.root, self.wrt)
        if self.count == 0:
            return Text(f"{target} = 0")
        rows = []
        for path in self.paths:
            chain = r" \cdot ".join(self._frac(f.upper, f.lower) for f in path.factors) or "1"
            values = "".join(f"({_latex_number(f.value, self.digits)})" for f in path.factors)
            rows.append((chain, values, _latex_number(path.value, self.digits)))
        if self.count == 1:
            chain, values, product = rows[0]
            return Text(f"{target} = {chain} = {values} = {product}")
        lines = [r"\begin{aligned}"]
        for k, (chain, values, product) in enumerate(rows, 1):
            lines.append(rf"\text{{path {k}}} &: {chain} = {values} = {product} \\")
        terms = " + ".join(product for _, _, product in rows).replace("+ -", "- ")
        if len(self.paths) < self.count:
            terms += rf" + \dots \text{{ ({self.count - len(self.paths)} more paths)}}"
        lines.append(f"{target} &= {terms} = {_latex_number(self.gradient, self.digits)}")
        lines.append(r"\end{aligned}")
        return Text("\n".join(lines))

    def _frac(self, upper, lower):
        return (rf"\frac{{\partial {_latex_name(self._name(upper))}}}"
                rf"{{\partial {_latex_name(self._name(lower))}}}")

    __str__ = text

    def __repr__(self):
        return self.text()


def explain(root, wrt, max_paths=20, fold=None, digits=3):
    """∂root/∂wrt as the chain rule writes it: every path from root to wrt, the product of the
    local derivatives along it, and their sum, which equals the gradient.

    Args:
        max_paths: list at most this many paths; the count of all paths is exact (counted by
            dynamic programming over the graph, however many there are).
        fold: fold the unlabeled nodes of a path into the factor between the labeled ones around
            them, so a network reads like the lecture (∂E/∂o6 · ∂o6/∂net6 · ∂net6/∂w46). The
            default folds when the graph has a labeled node that is neither root nor leaf.
        digits: significant digits of the factors.
    Returns:
        an Explanation: ``str()`` for text, ``.latex()`` for LaTeX.
    """
    check_root(root, "explain")
    if type(wrt) is not Value:
        raise TypeError(f"explain: wrt must be a Value, got {type(wrt).__name__} {wrt!r:.60}")
    if wrt.op is CONST:
        raise ValueError("explain: wrt is a constant, which takes no gradient")
    if not isinstance(max_paths, int) or max_paths < 1:
        raise ValueError(f"explain: max_paths must be a positive integer, got {max_paths!r}")
    order = topological_order(root)
    names = node_names(order)
    names.setdefault(wrt, wrt.label if wrt.label is not None else "w")   # outside the graph
    counts = _count_paths(order, wrt)
    if fold is None:
        fold = any(n.label is not None and n.parents and n is not root for n in order)
    paths = []
    if counts.get(root, 0):
        locals_ = {}
        for edges in _enumerate_paths(root, wrt, counts, max_paths):
            paths.append(_path(edges, root, wrt, fold, locals_))
    gradient = gradients(root).get(wrt, 0.0) if counts.get(root, 0) else 0.0
    return Explanation(root, wrt, names, tuple(paths), counts.get(root, 0), gradient, digits)


def _count_paths(order, wrt):
    """Paths from each node down to ``wrt`` (exact integers), for nodes with at least one."""
    counts = {}
    for node in order:          # parents first
        if node is wrt:
            counts[node] = 1
            continue
        total = 0
        for parent in node.parents:
            total += counts.get(parent, 0)
        if total:
            counts[node] = total
    return counts


def _enumerate_paths(root, wrt, counts, limit):
    """The first ``limit`` paths from root to wrt, each a tuple of (node, operand) edges,
    in operand order; iterative depth-first."""
    paths, edges = [], []
    stack = [[root, 0]]
    while stack and len(paths) < limit:
        frame = stack[-1]
        node = frame[0]
        if node is wrt:
            paths.append(tuple(edges))
            stack.pop()
            if edges:
                edges.pop()
            continue
        parents = node.parents
        i = frame[1]
        while i < len(parents) and not counts.get(parents[i], 0):
            i += 1
        if i == len(parents):
            stack.pop()
            if edges:
                edges.pop()
            continue
        frame[1] = i + 1
        edges.append((node, i))
        stack.append([parents[i], 0])
    return paths


def _path(edges, root, wrt, fold, locals_):
    factors, start, value, stretch, product = [], root, 1.0, [], 1.0
    for node, operand in edges:
        key = (node, operand)
        if key not in locals_:
            locals_[key] = local_derivative(node, operand)
        local = locals_[key]
        stretch.append(key)
        product *= local
        value *= local
        parent = node.parents[operand]
        if parent is wrt or not fold or parent.label is not None:
            factors.append(Factor(start, parent, product, tuple(stretch)))
            start, stretch, product = parent, [], 1.0
    return Path(tuple(factors), value)


_LATEX_SPECIAL = {"\\": r"\backslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "#": r"\#",
                  "%": r"\%", "&": r"\&", "$": r"\$", "^": r"\^{}", "~": r"\~{}"}


def _latex_name(name):
    """w46 → w_{46}, net6 → \\mathrm{net}_{6}, E → E; anything else in \\text{…}."""
    letters = name.rstrip("0123456789,")
    digits = name[len(letters):]
    if letters.isalpha() and letters.isascii():
        base = letters if len(letters) == 1 else rf"\mathrm{{{letters}}}"
        return f"{base}_{{{digits}}}" if digits else base
    escaped = "".join(_LATEX_SPECIAL.get(c, c) for c in name)
    return rf"\text{{{escaped}}}"


def _latex_number(x, digits):
    return f"{x:.{digits}g}"
