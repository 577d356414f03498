"""Backward one node at a time, an interactive stepper, and chain-rule explanations of one gradient.

Everything here reads the op table: local derivatives come from ``op.partials`` and their printed
form from ``op.formulas``; nothing restates a derivative.

Steps follow ``backward()`` exactly: one step per node in ``reverse_topological_order(root)``
(constants included), intermediate gradients start at 0, a leaf keeps what it held before the
pass and adds to it, constants keep 0. A node's step comes after the steps of every node that
uses it, so its ``.grad`` is final when its step is shown: the step lists what it received
(``x.grad = 0.6 + 0.4 = 1, 2 paths``), then, per parent, the local derivative, the contribution
upstream × local and the parent's running total. A leaf's step shows its final total and how
many paths fed it; a constant's step says it takes no gradient.
"""

import math
from dataclasses import dataclass

from . import value as _value
from .backward import gradients
from .graph import reverse_topological_order, topological_order
from .ops import CONST, DomainError
from .symbolic import Symbol, as_symbol
from .value import AnomalyError, Value

__all__ = ["backward_steps", "Step", "Edge", "Incoming", "Stepper", "explain", "Explanation",
           "Path", "Factor", "node_names", "expression", "number", "Text"]


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


def _factor(x):
    """A number as a right-hand factor: (−3) in parentheses when negative."""
    return f"({number(x)})" if x < 0 else number(x)


def _check_root(root, where):
    if type(root) is not Value:
        raise TypeError(f"{where}: expected a Value, got {type(root).__name__} {root!r:.60}")


def _local(node, index):
    """∂node/∂parents[index] from the op's rule on floats; a DomainError where it is undefined."""
    op = node.op
    try:
        return op.partials[index](node.data, *[p.data for p in node.parents])
    except (ArithmeticError, ValueError) as error:
        raise DomainError(f"{op.name}: local derivative ∂out/∂{'ab'[index]} = {op.formulas[index]} "
                          f"is undefined here ({error}); "
                          f"{_value.describe_operands(node.parents)}") from None


# -- steps ---------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Incoming:
    """One amount a node's gradient received: from ``child``, or the seed 1 (child None)."""

    child: Value
    amount: float


@dataclass(frozen=True, eq=False)
class Edge:
    """One parent of a step's node: local derivative, contribution upstream × local, running total.

    For a constant parent ``local``, ``contribution`` and ``total`` are None: it takes no gradient.
    """

    parent: Value
    name: str
    operand: int          # 0 for a, 1 for b
    formula: str          # as the op table writes it: out·(1 − out)
    local: float
    contribution: float
    total: float


@dataclass(frozen=True, eq=False)
class Step:
    """One node of backward: its gradient ∂L/∂node, how it accumulated, what it passes on."""

    index: int            # 1-based
    count: int
    node: Value
    name: str
    root_name: str
    expression: str       # a × b, σ(net6), leaf, constant
    upstream: float       # ∂L/∂node: final, as node.grad is after the pass
    received: tuple       # Incoming, in the order backward added them
    before: float         # a leaf's .grad before this pass (leaves accumulate); 0 otherwise
    edges: tuple          # Edge per parent, in operand order

    @property
    def kind(self):
        """'constant', 'leaf' or 'op'."""
        if self.node.op is CONST:
            return "constant"
        return "op" if self.node.parents else "leaf"

    @property
    def paths(self):
        """How many uses of the node fed its gradient (the seed counts for the root)."""
        return len(self.received)

    def accumulation(self):
        """``0.6 + 0.4 = 1, 2 paths``: how the node's gradient added up."""
        parts = [f"{number(self.before)} (before)"] if self.before else []
        parts += ["1 (seed)" if i.child is None else number(i.amount) for i in self.received]
        if not parts:
            return "0 (no path)"
        if len(parts) == 1:
            return parts[0]
        text = " + ".join(parts).replace("+ −", "− ")
        if not any(i.child is not None for i in self.received):
            return f"{text} = {number(self.upstream)}"
        return f"{text} = {number(self.upstream)}, {self.paths} path{'s' * (self.paths != 1)}"

    def text(self):
        """The step as the REPL shows it (``repr`` and ``str`` give the same)."""
        head = f"step {self.index}/{self.count}: {self.name}"
        if self.kind == "constant":
            return f"{head} [constant]: takes no gradient"
        if self.kind == "leaf":
            return (f"{head} [leaf], data = {number(self.node.data)}\n"
                    f"  {_wrap(self.name)}.grad = {self.accumulation()}")
        op = self.node.op
        made = "" if self.expression == self.name else f" = {self.expression}"
        lines = [f"{head}{made} [{op.name}], data = {number(self.node.data)}",
                 f"  upstream ∂{_wrap(self.root_name)}/∂{_wrap(self.name)} = {self.accumulation()}"]
        for edge in self.edges:
            if edge.local is None:
                lines.append(f"  → {edge.name}: constant, no gradient")
                continue
            local = number(edge.local)
            rule = f"{op.symbol}: {edge.formula}" + ("" if edge.formula == local else f" = {local}")
            lines.append(f"  → {edge.name}: local {rule}; contribution {number(self.upstream)} × "
                         f"{_factor(edge.local)} = {number(edge.contribution)}; {_wrap(edge.name)}.grad = "
                         f"{number(edge.total)}")
        return "\n".join(lines)

    __str__ = text
    __repr__ = text


def backward_steps(root):
    """Run backward one node at a time: a generator of Steps, in ``backward()``'s order.

    It fills ``.grad`` as it goes, with ``backward()``'s semantics, so after the last step every
    ``.grad`` equals what ``backward()`` gives. Inside ``detect_anomaly()`` a non-finite
    contribution raises AnomalyError naming the op, the operand and the local derivative.

    >>> x = Value(2.0, label="x")
    >>> y = x * x
    >>> steps = list(y.backward_steps())
    >>> print(steps[-1])
    step 2/2: x [leaf], data = 2
      x.grad = 2 + 2 = 4, 2 paths
    """
    _check_root(root, "backward_steps")
    return _steps(root)


def _steps(root):
    order = reverse_topological_order(root)
    names = node_names(reversed(order))
    before = {}
    for node in order:
        if node.parents:
            node.grad = 0.0
        elif node.op is not CONST:
            before[node] = node.grad
    received = {root: [Incoming(None, 1.0)]}
    root.grad = 1.0 if root.parents else root.grad + 1.0
    root_name = names[root]
    count = len(order)
    for index, node in enumerate(order, 1):
        upstream = node.grad
        edges = []
        for operand, parent in enumerate(node.parents):
            formula = node.op.formulas[operand]
            if parent.op is CONST:
                edges.append(Edge(parent, names[parent], operand, formula, None, None, None))
                continue
            local = _local(node, operand)
            contribution = upstream * local
            if _value.anomaly_mode() and not math.isfinite(contribution):
                raise AnomalyError(
                    f"backward: {node.op.name} gave ∂{root_name}/∂{names[parent]} = "
                    f"{contribution!r} (upstream {upstream!r} × local ∂out/∂{'ab'[operand]} = "
                    f"{formula} = {local!r}) for operand {'ab'[operand]} = {parent.data!r} "
                    f"({names[parent]}) of node {names[node]}")
            parent.grad += contribution
            received.setdefault(parent, []).append(Incoming(node, contribution))
            edges.append(Edge(parent, names[parent], operand, formula, local, contribution,
                              parent.grad))
        yield Step(index, count, node, names[node], root_name, expression(node, names), upstream,
                   tuple(received.pop(node, ())), before.get(node, 0.0), tuple(edges))


# -- the stepper ---------------------------------------------------------------------------

class Stepper:
    """Step through backward interactively: ``next()``, ``previous()``, ``goto(node)``,
    ``table()``, ``render(path)``.

    Position k means the first k steps are applied to ``.grad``; position 0 is the graph as it
    was before backward. Moving back restores the gradients exactly. Iterating a Stepper yields
    the remaining steps.

    >>> a = Value(3.0, label="a")
    >>> s = Stepper((a * a).sigmoid())
    >>> s.next().name, s.next().name, s.next().name
    ('#2', '#1', 'a')
    """

    def __init__(self, root):
        _check_root(root, "Stepper")
        self.root = root
        self._order = reverse_topological_order(root)
        self._names = node_names(reversed(self._order))
        self._original = [node.grad for node in self._order]
        self._generator = backward_steps(root)
        self._steps = []         # every step computed so far
        self._after = []         # per step: the grads it set, as (node, grad) pairs
        self._position = 0

    def __len__(self):
        return len(self._order)

    def __iter__(self):
        return self

    def __next__(self):
        return self.next()

    @property
    def position(self):
        """How many steps are applied."""
        return self._position

    @property
    def current(self):
        """The latest applied step, None at the start."""
        return self._steps[self._position - 1] if self._position else None

    @property
    def steps(self):
        """The applied steps, in order."""
        return tuple(self._steps[:self._position])

    def next(self):
        """Apply the next step and return it; StopIteration once backward is complete."""
        if self._position == len(self._order):
            raise StopIteration(f"backward is complete: all {len(self._order)} steps taken")
        if self._position == len(self._steps):
            step = next(self._generator)
            touched = self._order if self._position == 0 else [e.parent for e in step.edges]
            self._steps.append(step)
            self._after.append([(node, node.grad) for node in touched])
        else:
            for node, grad in self._after[self._position]:
                node.grad = grad
        self._position += 1
        return self.current

    def previous(self):
        """Undo the latest step; return the step now current (None at the start)."""
        if self._position == 0:
            raise StopIteration("at the start: no step to undo")
        self._position -= 1
        self._restore()
        return self.current

    def _restore(self):
        """Set every .grad to its value at the current position."""
        for node, grad in zip(self._order, self._original):
            node.grad = grad
        for changes in self._after[:self._position]:
            for node, grad in changes:
                node.grad = grad

    def goto(self, target):
        """Move (forward or back) to the step of ``target``: a Value, a label or a step number."""
        index = self._index(target)
        while self._position < index:
            self.next()
        if self._position > index:
            self._position = index
            self._restore()
        return self.current

    def run(self):
        """Apply every remaining step; return the last."""
        return self.goto(len(self._order))

    def reset(self):
        """Back to the start: every .grad as it was before."""
        return self.goto(0)

    def _index(self, target):
        if isinstance(target, bool):
            raise TypeError("Stepper.goto: expected a Value, a label or a step number, got a bool")
        if isinstance(target, int):
            if not 0 <= target <= len(self._order):
                raise ValueError(f"Stepper.goto: step {target} is out of range 0..{len(self._order)}")
            return target
        for index, node in enumerate(self._order, 1):
            if node is target or (isinstance(target, str) and self._names[node] == target):
                return index
        if isinstance(target, Value):
            raise ValueError(f"Stepper.goto: {target!r} is not in this graph")
        if not isinstance(target, str):
            raise TypeError(f"Stepper.goto: expected a Value, a label or a step number, got "
                            f"{type(target).__name__}")
        known = ", ".join(dict.fromkeys(self._names[node] for node in self._order))
        raise ValueError(f"Stepper.goto: no node named {target!r}; names: {known}")

    def table(self):
        """The nodes whose steps are done (step, name, op, data, final grad), then those that
        have received part of their gradient ("so far": their step is still to come)."""
        done = {step.node for step in self.steps}
        rows = [("step", "node", "op", "data", "grad", "")]
        for index, node in enumerate(self._order, 1):
            so_far = node.grad != 0.0 and node.op is not CONST and self._position
            if node not in done and not so_far:
                continue
            op = "const" if node.op is CONST else "leaf" if node.op is None else node.op.name
            rows.append((str(index) if node in done else "", self._names[node], op,
                         number(node.data), number(node.grad), "" if node in done else "so far"))
        widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        return Text("\n".join(lines))

    def __repr__(self):
        head = f"<Stepper at step {self._position}/{len(self._order)} of ∂{self._names[self.root]}>"
        current = self.current
        return head if current is None else f"{head}\n{current.text()}"


# -- explaining one gradient ---------------------------------------------------------------

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
        return f"∂{_wrap(self._name(upper))}/∂{_wrap(self._name(lower))}"

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
                    symbols = [Symbol(_wrap(self._name(n))) for n in (node, *node.parents)]
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
    _check_root(root, "explain")
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
            locals_[key] = _local(node, operand)
        local = locals_[key]
        stretch.append(key)
        product *= local
        value *= local
        parent = node.parents[operand]
        if parent is wrt or not fold or parent.label is not None:
            factors.append(Factor(start, parent, product, tuple(stretch)))
            start, stretch, product = parent, [], 1.0
    return Path(tuple(factors), value)


def _wrap(name):
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
