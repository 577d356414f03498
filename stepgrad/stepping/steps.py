"""Backward one node at a time: step records, and a Stepper that moves both ways at node, neuron or
layer grain.

Everything here reads the op table: local derivatives come from ``op.partials`` and their printed
form from the same rules, written in the nodes' own names (``notation.formula``).

Steps follow ``backward()`` exactly: intermediate gradients start at 0, a leaf keeps what it held
before the pass and adds to it, constants keep 0. A node's step comes after the steps of every node
that uses it, so its ``.grad`` is final when its step is shown: the step lists what it received
(``x.grad = 0.6 + 0.4 = 1, 2 paths``), then, per parent, the local derivative, the contribution
upstream × local and the parent's running total. Constants take no gradient; their steps and
edges are left out unless ``constants=True``.
"""

import functools
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from autodiff import (
    CONST,
    AnomalyError,
    Value,
    anomaly_mode,
    check_root,
    local_derivative,
    reverse_topological_order,
)

from .grains import Stage, plan, record
from .notation import (
    WIDTH,
    Text,
    expression,
    factor,
    fit_lines,
    formula,
    node_names,
    number,
    preformatted,
    wrapped,
)

if TYPE_CHECKING:   # for annotations only: nn sits below, but stepping needs it nowhere else
    from nn import MLP

__all__ = ["backward_steps", "Step", "Edge", "Incoming", "Stepper", "GRAINS"]

GRAINS = ("node", "neuron", "layer")


@dataclass(frozen=True, eq=False)
class Incoming:
    """One amount a node's gradient received: from ``child``, or the seed 1 (child None)."""

    child: "Value | None"
    amount: float


@dataclass(frozen=True, eq=False)
class Edge:
    """One parent of a step's node: local derivative, contribution upstream × local, running total.

    ``formula`` is the op's rule in the nodes' names (``x1`` for ∂(w14·x1)/∂w14), ``rule`` as the
    op table writes it (``b``). For a constant parent ``local``, ``contribution`` and ``total``
    are None: it takes no gradient.
    """

    parent: Value
    name: str
    operand: int          # 0 for a, 1 for b
    rule: str
    local: "float | None"
    contribution: "float | None"
    total: "float | None"
    node: "Value | None" = field(default=None, repr=False)     # the step's node, whose operand this is
    names: "Mapping[Value, str] | None" = field(default=None, repr=False)

    @functools.cached_property
    def formula(self) -> str:
        """Written when first asked for: stepping a million nodes need not write a million."""
        if self.local is None:
            return number(self.parent.data)
        assert self.node is not None and self.names is not None   # _Backward gives both
        return formula(self.node, self.operand, self.names)


@dataclass(frozen=True, eq=False)
class Step:
    """One node of backward: its gradient ∂L/∂node, how it accumulated, what it passes on."""

    index: int            # 1-based, among the steps shown
    count: int
    node: Value
    name: str
    root_name: str
    expression: str       # x·0.4, σ(net6), leaf, constant
    upstream: float       # ∂L/∂node: final, as node.grad is after the pass
    received: tuple       # Incoming, in the order backward added them
    before: float         # a leaf's .grad before this pass (leaves accumulate); 0 otherwise
    edges: tuple          # Edge per parent, in operand order
    constants: bool = False   # show the edges to constants
    stepper: object = field(default=None, repr=False)   # the Stepper whose step this is, if any

    @property
    def kind(self) -> str:
        """'constant', 'leaf' or 'op'."""
        if self.node.op is CONST:
            return "constant"
        return "op" if self.node.parents else "leaf"

    @property
    def paths(self) -> int:
        """How many uses of the node fed its gradient (the seed counts for the root)."""
        return len(self.received)

    @property
    def steps(self) -> "tuple[Step, ...]":
        """The node steps this step is made of: itself (a Stage has several)."""
        return (self,)

    def accumulation(self) -> str:
        """``0.6 + 0.4 = 1, 2 paths``: how the node's gradient added up."""
        parts = [f"{number(self.before)} (before)"] if self.before else []
        parts += ["1 (seed)" if i.child is None else number(i.amount) for i in self.received]
        if not parts:
            return "0 (no path)"
        if len(parts) == 1:
            return parts[0]
        text = " + ".join(parts).replace("+ -", "- ")
        if not any(i.child is not None for i in self.received):
            return f"{text} = {number(self.upstream)}"
        return f"{text} = {number(self.upstream)}, {self.paths} path{'s' * (self.paths != 1)}"

    def lines(self) -> "list[str]":
        """The step's text as lines, each at most 80 columns."""
        head = f"step {self.index}/{self.count}: {self.name}"
        if self.kind == "constant":
            return fit_lines([f"{head} [constant]: takes no gradient"])
        if self.kind == "leaf":
            return fit_lines([f"{head} [leaf], data = {number(self.node.data)}",
                        f"  {wrapped(self.name)}.grad = {self.accumulation()}"])
        op = self.node.op
        assert op is not None   # kind "op": the node has parents, so an op
        made = "" if self.expression == self.name else f" = {self.expression}"
        node = wrapped(self.name)
        lines = [f"{head}{made} [{op.name}], data = {number(self.node.data)}",
                 f"  upstream ∂{wrapped(self.root_name)}/∂{node} = {self.accumulation()}"]
        for edge in self.edges:
            if edge.local is None:
                if self.constants:
                    lines.append(f"  → {edge.name}: constant, no gradient")
                continue
            assert edge.contribution is not None and edge.total is not None   # set with local
            local = number(edge.local)
            rule = local if edge.formula == local else f"{edge.formula} = {local}"
            parent = wrapped(edge.name)
            lines.append(f"  → {edge.name}: local ∂{node}/∂{parent} = {rule}")
            flow = (f"    contribution {number(self.upstream)} × {factor(edge.local)} = "
                    f"{number(edge.contribution)}; ")
            total = f"{parent}.grad = {number(edge.total)}"
            if len(flow) + len(total) > WIDTH:
                total = f"its grad = {number(edge.total)}"
            lines.append(flow + total)
        return fit_lines(lines)

    def text(self) -> Text:
        """The step as the REPL shows it (``repr`` and ``str`` give the same)."""
        return Text("\n".join(self.lines()))

    __str__ = text
    __repr__ = text

    def _repr_html_(self):
        return preformatted(self.text())


class _Backward:
    """``backward()``'s pass one node at a time, recording a Step per node.

    The gradients live in ``grads`` (node → gradient). With ``live=True`` (``backward_steps``)
    the pass starts from ``.grad`` as ``backward()`` does (a leaf adds to what it held) and writes
    every change through to ``.grad``; otherwise (a Stepper) it starts from 0 everywhere and never
    reads or writes ``.grad``.
    """

    def __init__(self, root, names, constants, count, stepper=None, live=True):
        self.root = root
        self.stepper = stepper
        self.names = names
        self.root_name = names[root]
        self.constants = constants
        self.count = count
        self.live = live
        self.index = 0
        self.grads = {}
        self.before = {}
        self.received = {}

    def start(self, nodes):
        """Zero the intermediate gradients, note what the leaves hold (live), seed the root."""
        grads = self.grads
        for node in nodes:
            if node.op is CONST:
                continue
            held = node.grad if self.live and not node.parents else 0.0
            if held:
                self.before[node] = held
            grads[node] = held
            if self.live and node.parents:
                node.grad = 0.0
        root = self.root
        self.received[root] = [Incoming(None, 1.0)]
        grads[root] = 1.0 if root.parents else grads.get(root, 0.0) + 1.0
        if self.live:
            root.grad = grads[root]

    def step(self, node):
        names, grads = self.names, self.grads
        upstream = grads.get(node, 0.0)
        edges = []
        op = node.op
        for operand, parent in enumerate(node.parents):
            assert op is not None   # the node has parents, so an op
            rule = op.formulas[operand]
            if parent.op is CONST:
                edges.append(Edge(parent, names[parent], operand, rule, None, None, None, node,
                                  names))
                continue
            local = local_derivative(node, operand)
            contribution = upstream * local
            if anomaly_mode() and not math.isfinite(contribution):
                raise AnomalyError(
                    f"backward: {op.name} gave ∂{wrapped(self.root_name)}/"
                    f"∂{wrapped(names[parent])} = "
                    f"{contribution!r} (upstream {upstream!r} × local ∂out/∂{'ab'[operand]} = "
                    f"{rule} = {local!r}) for operand {'ab'[operand]} = {parent.data!r} "
                    f"({names[parent]}) of node {names[node]}")
            total = grads[parent] = grads.get(parent, 0.0) + contribution
            if self.live:
                parent.grad = total
            self.received.setdefault(parent, []).append(Incoming(node, contribution))
            edges.append(Edge(parent, names[parent], operand, rule, local, contribution,
                              total, node, names))
        if node.op is not CONST or self.constants:
            self.index += 1
        return Step(self.index, self.count, node, names[node], self.root_name,
                    expression(node, names), upstream, tuple(self.received.pop(node, ())),
                    self.before.get(node, 0.0), tuple(edges), self.constants, self.stepper)


def _stepped(nodes, constants):
    return [n for n in nodes if constants or n.op is not CONST]


def backward_steps(root: Value, constants: bool = False) -> Iterator[Step]:
    """Run backward one node at a time: a generator of Steps, in ``backward()``'s order.

    It fills ``.grad`` as it goes, with ``backward()``'s semantics, so after the last step every
    ``.grad`` equals what ``backward()`` gives. Constants (numbers in the graph) take no gradient
    and get no step unless ``constants=True``. Inside ``detect_anomaly()`` a non-finite
    contribution raises AnomalyError naming the op, the operand and the local derivative.

    >>> x = Value(2.0, label="x")
    >>> y = x * x
    >>> steps = list(backward_steps(y))
    >>> print(steps[-1])
    step 2/2: x [leaf], data = 2
      x.grad = 2 + 2 = 4, 2 paths
    """
    check_root(root, "backward_steps")
    return _steps(root, constants)


def _steps(root, constants):
    order = reverse_topological_order(root)
    names = node_names(reversed(order))
    engine = _Backward(root, names, constants, len(_stepped(order, constants)))
    engine.start(order)
    for node in order:
        step = engine.step(node)
        if constants or node.op is not CONST:
            yield step


# -- the stepper ---------------------------------------------------------------------------

class Stepper:
    """Step through backward interactively: ``next()``, ``previous()``, ``goto(node)``, ``run()``,
    ``reset()``, ``table()``.

    ``grain`` is "node" (one node per step, in ``backward()``'s order), or, given the ``network``
    (an ``nn.MLP`` whose latest forward pass is in the graph), "neuron" (the lecture's order: the
    error, then δ of each output unit and its weights' gradients, then each hidden layer's δs and
    weights) or "layer" (one step per layer). Constants are left out unless ``constants=True``.

    A Stepper is a backward pass of its own, from zero: it keeps its gradients in a table of its
    own, so what it prints and draws (upstream gradients, contributions, totals) is always
    ∂root/∂node as ``autodiff.grad`` gives it, whatever an earlier ``backward()``, another
    Stepper or a widget left in ``.grad``. Position k means the first k steps are taken;
    ``gradients()`` is the table there (nodes not reached yet left out).

    ``.grad`` mirrors it, so a REPL shows the step you are at: every move (``next``,
    ``previous``, ``goto``, ``run``, ``reset``) sets each node's ``.grad`` to this stepper's
    gradient at its new position, 0 where backward has not reached yet (at position 0, before
    backward, every ``.grad`` is 0). What was in ``.grad`` is overwritten, not added to: a leaf
    does not accumulate across passes here as it does with ``backward()``, and when two steppers
    share a graph ``.grad`` shows the one that moved last. Iterating a Stepper yields the
    remaining steps. ``on_move(callback)`` calls ``callback(stepper)`` after every move (a
    widget uses it to keep its display at the stepper's position).

    >>> a = Value(3.0, label="a")
    >>> s = Stepper((a * a).sigmoid())
    >>> s.next().name, s.next().name, s.next().name
    ('σ(a·a)', 'a·a', 'a')
    """

    def __init__(self, root: Value, grain: str = "node", network: "MLP | None" = None,
                 constants: bool = False) -> None:
        check_root(root, "Stepper")
        if grain not in GRAINS:
            raise ValueError(f"Stepper: grain must be one of {', '.join(GRAINS)}, got {grain!r}")
        self.root = root
        self.grain = grain
        self.network = network
        self.constants = constants
        order = reverse_topological_order(root)
        self._nodes = order
        self._graded = [node for node in order if node.op is not CONST]   # nodes with a .grad
        self._names = node_names(reversed(order))
        self._plan = plan(root, order, grain, network, constants)
        self._chunks = self._plan.chunks
        self._engine = _Backward(root, self._names, constants, len(_stepped(order, constants)),
                                 self if grain == "node" else None, live=False)
        self._steps: "list[Step | Stage]" = []         # every step computed so far
        self._after = []         # per step: the gradients it set, as (node, grad) pairs
        self._position = 0
        self._users: "dict[Value, list[Value]] | None" = None
        self._callbacks: "list[Callable[[Stepper], object]]" = []

    def __len__(self) -> int:
        return len(self._chunks)

    def __iter__(self) -> "Stepper":
        return self

    def __next__(self) -> "Step | Stage":
        return self.next()

    @property
    def names(self) -> "dict[Value, str]":
        """node → the name steps show it by."""
        return self._names

    @property
    def position(self) -> int:
        """How many steps are taken."""
        return self._position

    @property
    def current(self) -> "Step | Stage | None":
        """The latest step taken, None at the start."""
        return self._steps[self._position - 1] if self._position else None

    @property
    def steps(self) -> "tuple[Step | Stage, ...]":
        """The steps taken, in order."""
        return tuple(self._steps[:self._position])

    def on_move(self, callback: "Callable[[Stepper], object]", remove: bool = False) -> None:
        """Call ``callback(stepper)`` after every move (``remove=True``: stop calling it)."""
        if remove:
            self._callbacks = [c for c in self._callbacks if c is not callback]
        else:
            self._callbacks.append(callback)

    def next(self) -> "Step | Stage":
        """Take the next step and return it; StopIteration once backward is complete."""
        if self._position == len(self._chunks):
            raise StopIteration(f"backward is complete: all {len(self._chunks)} steps taken")
        self._advance()
        self._moved()
        return self._steps[self._position - 1]

    def _advance(self):
        if self._position == len(self._steps):
            self._compute()
        self._position += 1

    def _compute(self):
        engine = self._engine
        if self._position == 0:
            engine.start(self._nodes)
        chunk = self._chunks[self._position]
        node_steps = [engine.step(node) for node in chunk.nodes]
        touched = dict.fromkeys(node for s in node_steps for node in (s.node, *s.node.parents)
                                if node.op is not CONST)
        if self._position == 0:
            touched[self.root] = None
        self._after.append([(node, engine.grads[node]) for node in touched])
        shown = tuple(s for s in node_steps if self.constants or s.node.op is not CONST)
        self._steps.append(record(self, chunk, shown, len(self._steps) + 1, self._plan.owner,
                                  engine.grads))

    def previous(self) -> "Step | Stage | None":
        """Undo the latest step; return the step now current (None at the start)."""
        if self._position == 0:
            raise StopIteration("at the start: no step to undo")
        self._position -= 1
        self._moved()
        return self.current

    def _moved(self):
        """Mirror the gradients at the current position in .grad, then tell the callbacks."""
        if self._position and self._position == len(self._steps):
            grads = self._engine.grads     # the newest step's: no need to add the steps up
        else:
            grads = self.gradients()
        for node in self._graded:
            node.grad = grads.get(node, 0.0)
        for callback in list(self._callbacks):
            callback(self)

    def gradients(self, position: "int | None" = None) -> "dict[Value, float]":
        """node → gradient for the nodes backward has reached by ``position`` (default: now),
        their values then; nodes not reached yet are left out (drawings show them blank)."""
        position = self._position if position is None else position
        if not 0 <= position <= self._position:
            raise ValueError(f"Stepper.gradients: position {position} is not in 0..{self._position}")
        grads = {}
        for changes in self._after[:position]:
            grads.update(changes)
        return grads

    def goto(self, target: "Value | str | int", received: bool = False) -> "Step | Stage | None":
        """Move (forward or back) to the step of ``target``: a Value, a name or a step number.

        With ``received=True`` a node's target is the step where its gradient is complete: the
        last step that passes it a contribution (for a weight, the step of the × it feeds).
        """
        index = self._index(target, received)
        while self._position < index:
            self._advance()
        self._position = index
        self._moved()
        return self.current

    def run(self) -> "Step | Stage | None":
        """Take every remaining step; return the last."""
        return self.goto(len(self._chunks))

    def reset(self) -> "Step | Stage | None":
        """Back to the start, before backward: every .grad 0."""
        return self.goto(0)

    def index_of(self, target: "Value | str | int", received: bool = False) -> int:
        """The step number ``goto(target, received)`` moves to."""
        return self._index(target, received)

    def _index(self, target, received):
        if isinstance(target, bool):
            raise TypeError("Stepper.goto: expected a Value, a name or a step number, got a bool")
        if isinstance(target, int):
            if not 0 <= target <= len(self._chunks):
                raise ValueError(f"Stepper.goto: step {target} is out of range 0..{len(self._chunks)}")
            return target
        if not isinstance(target, (str, Value)):
            raise TypeError(f"Stepper.goto: expected a Value, a name or a step number, got "
                            f"{type(target).__name__}")
        if isinstance(target, str):
            for index, chunk in enumerate(self._chunks, 1):
                if chunk.name == target:
                    return index
        node = self._node(target)
        chunk_of = {n: k for k, chunk in enumerate(self._chunks, 1) for n in chunk.nodes}
        if received and node is not self.root:
            users = self._users_of(node)
            return max(chunk_of[user] for user in users)
        if node not in chunk_of:      # a constant, left out of the steps
            return max(chunk_of[user] for user in self._users_of(node))
        return chunk_of[node]

    def _node(self, target):
        for node in self._nodes:
            if node is target or (isinstance(target, str) and target in (self._names[node],
                                                                          node.label)):
                return node
        if isinstance(target, Value):
            raise ValueError(f"Stepper.goto: {target!r} is not in this graph")
        known = ", ".join(dict.fromkeys([c.name for c in self._chunks if c.name]
                                        + [self._names[n] for n in _stepped(self._nodes, False)]))
        if len(known) > 300:
            known = known[:300].rsplit(", ", 1)[0] + ", …"
        raise ValueError(f"Stepper.goto: no step or node named {target!r}; names: {known}")

    def _users_of(self, node):
        if self._users is None:
            self._users = {}
            for user in self._nodes:
                for parent in user.parents:
                    self._users.setdefault(parent, []).append(user)
        return self._users.get(node, [self.root])

    def table(self) -> Text:
        """The nodes whose steps are done (step, name, op, data, final grad), then those that
        have received part of their gradient ("so far": their step is still to come)."""
        done = {}
        for k, step in enumerate(self.steps, 1):
            for s in step.steps:
                done[s.node] = k
        rows = [("step", "node", "op", "data", "grad", "")]
        reached = self.gradients()
        for node in self._nodes:
            if node.op is CONST and not self.constants:
                continue
            so_far = node in reached and node not in done
            if node not in done and not so_far:
                continue
            op = "leaf" if node.op is None or not node.parents else node.op.name
            rows.append((str(done[node]) if node in done else "", self._names[node], op,
                         number(node.data), number(reached.get(node, 0.0)),
                         "" if node in done else "so far"))
        widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        return Text("\n".join(lines))

    def text(self) -> Text:
        head = (f"<Stepper at step {self._position}/{len(self._chunks)} of "
                f"∂{self._names[self.root]}, {self.grain} by {self.grain}>")
        current = self.current
        return Text(head if current is None else f"{head}\n{current.text()}")

    def __repr__(self):
        return self.text()

    def _repr_html_(self):
        return preformatted(self.text())
