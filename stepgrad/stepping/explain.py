"""Chain-rule explanations of one gradient: every path from the root, with its local derivatives.

The local derivatives come from the op table's rules (``op.partials``), their formulas from
``op.formulas``; nothing restates a derivative.
"""

import math
import re
from dataclasses import dataclass

from autodiff import CONST, Symbol, Value, check_root, gradients, local_derivative, topological_order
from stepgrad._ground import printable

from .markup import name_latex
from .notation import (
    NAME_LIMIT,
    Text,
    chain_term,
    expression,
    factor,
    fit_lines,
    formula,
    joined,
    node_names,
    number,
    rule_formula,
    rule_slots,
    wrapped,
)

__all__ = ["explain", "Explanation", "Path", "Factor", "EDGE_BUDGET"]

# Listing stops once the listed paths hold this many edges (a path of a million-node chain is
# counted and summed, not written out); the count of paths is exact whatever the budget.
EDGE_BUDGET = 200_000
_SHOWN_FACTORS = 9      # a longer path shows its first and last factors around "…"
_WHERE_LINES = 30       # factors and #k names listed under "where"
_GENERATED = re.compile(r"#\d+\Z")


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

    ``count`` is the exact number of paths, ``paths`` the first ``max_paths`` of them (fewer
    when they are too long to list), ``gradient`` ∂root/∂wrt from ``gradients``, which the
    paths sum to, and ``eta`` the learning rate of the update line, if given.
    """

    root: Value
    wrt: Value
    names: dict
    paths: tuple
    count: int
    gradient: float
    digits: int
    eta: "float | None" = None
    truncated: bool = False     # the listing stopped at the edge budget

    def _name(self, node):
        return self.names[node]

    def _d(self, upper, lower):
        return f"∂{wrapped(self._name(upper))}/∂{wrapped(self._name(lower))}"

    def text(self):
        """The lecture's chain-rule form with numbers, one line pair per path, their sum and
        the update it implies; every line at most 80 columns."""
        root, wrt = self.root, self.wrt
        target = self._d(root, wrt)
        if self.count == 0:
            return Text("\n".join(fit_lines([f"{target} = 0: no path from {self._name(root)} to "
                                        f"{self._name(wrt)}"])))
        lines = []
        if self.count == 1 and self.paths:
            lines += self._path_lines(self.paths[0], target)
        else:
            lines.append(f"{target}: {self.count:,} path{'s' * (self.count != 1)} from "
                         f"{self._name(root)} to {self._name(wrt)}")
            for k, path in enumerate(self.paths, 1):
                lines += self._path_lines(path, f"  path {k}")
            if self.truncated:
                lines.append(f"  (listing stopped after {EDGE_BUDGET:,} edges: the paths are "
                             "too long to write out)")
        lines += self._where()
        lines.append(self._total_line())
        lines += self._update_lines()
        return Text("\n".join(fit_lines(lines)))

    def _num(self, x):
        return number(x, self.digits)

    def _path_lines(self, path, head):
        if not path.factors:
            return [f"{head} = 1"]
        factors = path.factors
        chain = [self._d(f.upper, f.lower) for f in factors]
        values = [f"({self._num(f.value)})" for f in factors]
        if len(factors) > _SHOWN_FACTORS:
            more = f"… {len(factors) - _SHOWN_FACTORS + 1:,} more …"
            keep = _SHOWN_FACTORS // 2
            chain = chain[:keep] + [more] + chain[-(keep - 1):]
            values = values[:keep] + [f" {more} "] + values[-(keep - 1):]
        pad = " " * len(head)
        values[-1] += f" = {self._num(path.value)}"
        return (joined(f"{head} = ", chain, " · ", pad + "   ")
                + joined(f"{pad} = ", values, "", pad + "   "))

    def _where(self):
        """Each distinct factor in the nodes' names (∂net6/∂w46 = o4 = 0.332), with the op
        table's rule where it is one op, and what the generated names #k stand for."""
        seen, lines, unnamed, hidden = set(), [], {}, 0
        for path in self.paths:
            for f in path.factors:
                shown = [f.upper, f.lower] + ([f.edges[0][0], *f.edges[0][0].parents]
                                              if len(f.edges) == 1 else [])
                unnamed.update((n, self._name(n)) for n in shown
                               if _GENERATED.match(self._name(n)))
                key = (f.upper, f.lower, len(f.edges), f.edges[0] if f.edges else None)
                if key in seen:
                    continue
                seen.add(key)
                if len(lines) >= _WHERE_LINES:
                    hidden += 1
                    continue
                lines.append(self._factor_line(f))
        if hidden:
            lines.append(f"  … and {hidden:,} more factors")
        defined = sorted(unnamed, key=lambda n: int(unnamed[n][1:]))
        for node in defined[:_WHERE_LINES]:
            lines.append(f"  {unnamed[node]} = {expression(node, self.names)}")
        if len(defined) > _WHERE_LINES:
            lines.append(f"  … and {len(defined) - _WHERE_LINES:,} more")
        return ["where"] + lines if lines else []

    def _slots(self):
        """The rule's names for output and operands (out, a, b unless a node is so named)."""
        return rule_slots(self.names.values())

    def _factor_line(self, f):
        value = self._num(f.value)
        head = f"  {self._d(f.upper, f.lower)} = "
        if len(f.edges) == 1:
            node, operand = f.edges[0]
            named = formula(node, operand, self.names)
            rule = f"{node.op.symbol}: {rule_formula(node.op, operand, self._slots())}"
        else:
            term = chain_term(f.edges, self.names) if len(f.edges) <= _SHOWN_FACTORS else None
            named = term.text if term is not None and len(term.text) <= NAME_LIMIT else value
            ops = [node.op.symbol for node, _ in f.edges]
            listed = ", ".join(ops[:_SHOWN_FACTORS]) + (", …" if len(ops) > _SHOWN_FACTORS
                                                         else "")
            rule = f"through {len(f.edges):,} ops: {listed}"
        shown = value if named == value else f"{named} = {value}"
        return f"{head}{shown}   ({rule})"

    def _total_line(self):
        shown = math.fsum(p.value for p in self.paths)
        grad_note = ""
        if self.wrt.grad == self.gradient or math.isclose(self.wrt.grad, self.gradient,
                                                          rel_tol=1e-9, abs_tol=1e-15):
            grad_note = f" = {wrapped(self._name(self.wrt))}.grad"
        target = self._d(self.root, self.wrt)
        if len(self.paths) < self.count:
            rest = self.count - len(self.paths)
            return (f"showing {len(self.paths)} of {self.count:,} path{'s' * (self.count != 1)}, "
                    f"which sum to "
                    f"{number(shown)}; the other {rest:,} add {number(self.gradient - shown)}; "
                    f"{target} = {number(self.gradient)}{grad_note}")
        terms = " + ".join(self._num(p.value) for p in self.paths).replace("+ -", "- ")
        total = f"sum over {self.count} path{'s' * (self.count != 1)}: "
        if self.count > 1:
            total += f"{terms} = "
        return f"{total}{number(shown)}; {target} = {number(self.gradient)}{grad_note}"

    def _update_lines(self):
        """The update the gradient implies for a weight, bias or input: Δw = −η·∂E/∂w."""
        wrt = self.wrt
        if wrt.parents or wrt is self.root:
            return []
        name = wrapped(self._name(wrt))
        target = self._d(self.root, wrt)
        if self.eta is None:
            return [f"update: Δ{name} = −η·{target} = η × {factor(-self.gradient)}"]
        change = -self.eta * self.gradient
        return [f"update (η = {number(self.eta)}): Δ{name} = −η·{target} = "
                f"-{factor(self.eta)} × {factor(self.gradient)} = {number(change)}",
                f"  {name} ← {number(wrt.data)} + {factor(change)} = {number(wrt.data + change)}"]

    def as_dict(self):
        """The explanation as data for JSON: names as the text writes them, numbers as floats
        (None for a NaN or an infinity, which JSON cannot hold).

        ``{"root", "wrt", "count" (all paths, exact), "truncated", "paths": [{"value",
        "factors": [{"upper", "lower", "value", "formula", "ops"}]}], "sum" (of the listed
        paths), "gradient", "grad" (wrt.grad), "update"}``. A factor's ``formula`` is the
        local derivative in the nodes' names (None where it cannot be written so), ``ops`` the
        ops its edges pass through, upper first. ``update`` is None for a node that is not a
        leaf, else ``{"eta", "change", "new"}`` (``change`` and ``new`` None without eta).
        """
        paths = [{"value": _json_number(p.value),
                  "factors": [self._factor_dict(f) for f in p.factors]} for p in self.paths]
        update = None
        if not self.wrt.parents and self.wrt is not self.root:
            change = None if self.eta is None else -self.eta * self.gradient
            update = {"eta": _json_number(self.eta), "change": _json_number(change),
                      "new": None if change is None else _json_number(self.wrt.data + change)}
        return {"root": self._name(self.root), "wrt": self._name(self.wrt), "count": self.count,
                "truncated": self.truncated, "paths": paths,
                "sum": _json_number(math.fsum(p.value for p in self.paths)),
                "gradient": _json_number(self.gradient), "grad": _json_number(self.wrt.grad),
                "update": update}

    def _factor_dict(self, f):
        if len(f.edges) == 1:
            node, operand = f.edges[0]
            named = formula(node, operand, self.names)
        else:
            term = chain_term(f.edges, self.names)
            named = None if term is None else term.text
        return {"upper": self._name(f.upper), "lower": self._name(f.lower),
                "value": _json_number(f.value), "formula": named,
                "ops": [node.op.name for node, _ in f.edges]}

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
        return (rf"\frac{{\partial {name_latex(wrapped(self._name(upper)))}}}"
                rf"{{\partial {name_latex(wrapped(self._name(lower)))}}}")

    __str__ = text

    def __repr__(self):
        return self.text()

    def _repr_latex_(self):
        return f"$${self.latex()}$$"


def explain(root: Value, wrt: Value, max_paths: int = 20, fold: "bool | None" = None, digits: int = 3,
            eta: "float | None" = None) -> Explanation:
    """∂root/∂wrt as the chain rule writes it: every path from root to wrt, the product of the
    local derivatives along it, and their sum, which equals the gradient; each factor named in
    the nodes' own names (∂net6/∂w46 = o4), and for a leaf the update it implies.

    Args:
        max_paths: list at most this many paths; the count of all paths is exact (counted by
            dynamic programming over the graph, however many there are). Listing also stops
            once the listed paths hold EDGE_BUDGET edges.
        fold: fold the unlabeled nodes of a path into the factor between the labeled ones around
            them, so a network reads like the lecture (∂E/∂o6 · ∂o6/∂net6 · ∂net6/∂w46). The
            default folds when the graph has a labeled node that is neither root nor leaf.
        digits: significant digits of the factors.
        eta: the learning rate η; the last lines then give Δwrt = −η·∂root/∂wrt and the new value.
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
    if eta is not None and (isinstance(eta, bool) or not isinstance(eta, (int, float))
                            or not math.isfinite(eta)):
        raise ValueError(f"explain: eta must be a finite number, got {eta!r}")
    order = topological_order(root)
    names = node_names(order)
    if wrt not in names:        # outside the graph
        names[wrt] = printable(wrt.label) if wrt.label is not None else "w"
        names.symbols[wrt] = Symbol(names[wrt])
    counts = _count_paths(order, wrt)
    if fold is None:
        fold = any(n.label is not None and n.parents and n is not root for n in order)
    paths, truncated = [], False
    if counts.get(root, 0):
        locals_ = {}
        found, truncated = _enumerate_paths(root, wrt, counts, max_paths, EDGE_BUDGET)
        for edges in found:
            paths.append(_path(edges, root, wrt, fold, locals_))
    gradient = gradients(root).get(wrt, 0.0) if counts.get(root, 0) else 0.0
    return Explanation(root, wrt, names, tuple(paths), counts.get(root, 0), gradient, digits,
                       None if eta is None else float(eta), truncated)


def _json_number(x):
    """x as JSON can hold it: a float, or None for None, NaN and the infinities."""
    return None if x is None or not math.isfinite(x) else float(x)


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


def _enumerate_paths(root, wrt, counts, limit, budget):
    """The first ``limit`` paths from root to wrt, each a tuple of (node, operand) edges, in
    operand order (iterative depth-first), and whether the search stopped after ``budget``
    edges before finding them all."""
    paths, edges = [], []
    stack = [[root, 0]]
    walked = 0
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
        walked += 1
        if walked > budget:
            return paths, True
        frame[1] = i + 1
        edges.append((node, i))
        stack.append([parents[i], 0])
    return paths, False


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


def _latex_number(x, digits):
    return f"{x:.{digits}g}"
