"""Backward one node at a time: step records and an interactive stepper.

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
from .backward import check_root, local_derivative
from .graph import reverse_topological_order
from .notation import Text, expression, factor, node_names, number, wrapped
from .ops import CONST
from .value import AnomalyError, Value

__all__ = ["backward_steps", "Step", "Edge", "Incoming", "Stepper"]


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
                    f"  {wrapped(self.name)}.grad = {self.accumulation()}")
        op = self.node.op
        made = "" if self.expression == self.name else f" = {self.expression}"
        lines = [f"{head}{made} [{op.name}], data = {number(self.node.data)}",
                 f"  upstream ∂{wrapped(self.root_name)}/∂{wrapped(self.name)} = {self.accumulation()}"]
        for edge in self.edges:
            if edge.local is None:
                lines.append(f"  → {edge.name}: constant, no gradient")
                continue
            local = number(edge.local)
            rule = f"{op.symbol}: {edge.formula}" + ("" if edge.formula == local else f" = {local}")
            lines.append(f"  → {edge.name}: local {rule}; contribution {number(self.upstream)} × "
                         f"{factor(edge.local)} = {number(edge.contribution)}; {wrapped(edge.name)}.grad = "
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
    check_root(root, "backward_steps")
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
            local = local_derivative(node, operand)
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
        check_root(root, "Stepper")
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
