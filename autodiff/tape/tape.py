"""Trace once, replay fast: a recorded graph replayed on numpy arrays, a few calls per level."""

import gc

import numpy as np

from autodiff import value as engine
from autodiff.ops import CONST
from autodiff.value import Value, check_root

from .dots import Dots
from .plan import Graph, Schedule
from .replay import RAISE, Chain, Group, as_slice

__all__ = ["trace", "Tape", "TraceError"]

class TraceError(ValueError):
    """A graph, or a call, that a tape cannot replay."""


def trace(output, inputs):
    """Record the graph below ``output`` once; returns a ``Tape`` that replays it for new ``inputs``.

    ``inputs`` are leaf Values (a sequence, in the order values will be given). Other leaves keep
    their recorded values unless a call gives them data; constants (numbers that met a Value)
    stay constants. The graph's shape is fixed at trace time: a Python ``if`` on ``.data`` while
    building it is not recorded, so build graphs whose shape does not depend on the values (a
    kink inside an op, such as relu's at 0, is fine).

    >>> from autodiff import Value
    >>> from autodiff.tape import trace
    >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
    >>> tape = trace(x * y + x.sin(), [x, y])
    >>> out, grads = tape([0.5, 4.0])
    >>> round(out, 6), grads.round(6).tolist()
    (2.479426, [4.877583, 0.5])
    """
    check_root(output, "trace")
    if isinstance(inputs, Value):
        raise TypeError("trace: inputs must be a sequence of Values, got a single Value (write [x])")
    # NOTE: a trace makes a few objects per node and no reference cycles; with the cycle
    # collector on, each of its passes would walk the whole graph again (a quarter of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return Tape(output, tuple(inputs))
    finally:
        if collecting:
            gc.enable()


def _name(node):
    return repr(node.label) if node.label else f"the node with data {node.data!r}"


def _wide_inputs(steps, n_inputs):
    """The input rows some step reads row by row of a batch (the others only in column 0)."""
    read = []
    for step in steps:
        if type(step) is Dots:
            read += [step.b_rows.ravel(), *([] if step.a_fixed else [step.a_rows.ravel()]),
                     *([] if step.bias_fixed else [step.bias])]
        elif type(step) is Chain:
            read.append(step.rows.ravel())
        else:
            read += [np.arange(r.start, r.stop) if type(r) is slice else np.asarray(r)
                     for r in step.rows if r is not None]
    rows = np.unique(np.concatenate(read)) if read else np.zeros(0, np.intp)
    return rows[rows < n_inputs]


class _Pull:
    """Where the inputs' gradients come from: a pull, as a step has one."""

    pull: "tuple[np.ndarray | None, np.ndarray | slice]"  # rows None: one edge per node, a gather
    flat: "tuple[int, np.ndarray] | None"

    def __init__(self):
        self.pull = self.flat = None  # pyright: ignore[reportAttributeAccessIssue]  (_plan_pulls sets pull)


class _Edges:
    """Gradient contributions, one per (node, operand needing a gradient): target rows and order."""

    def __init__(self):
        self.parents, self.keys, self.count = [], [], 0

    def add(self, parents, keys):
        """Edges into rows ``parents``, ordered by ``keys``; returns the first edge's number."""
        first = self.count
        self.parents.append(parents)
        self.keys.append(keys)
        self.count += len(parents)
        return first


class Tape:
    """A graph recorded by ``trace``: call it with new input values to get the output and gradients.

    Nodes that depend on constants only are folded to their recorded values. The others become
    steps (``autodiff.replay``): groups of nodes with one op and one kind of operands at one
    level, chains of adds (as ``sum`` builds them) replayed as one accumulation, and chains
    ``t₀ + Σ a·b`` whose products share rows (a layer's neurons over a batch of points)
    replayed as one matrix product (``autodiff.tape.dots``). Each step's forward and partials
    are array programs compiled from the op table (``autodiff.vectorise``). Gradients are
    summed per node in the order ``backward()`` sums them, so a replay without a batch and
    without matrix products gives the engine's very numbers; a matrix product sums in BLAS's
    order, within 1e-12 relative of them.
    """

    def __init__(self, output, inputs):
        self.output, self.inputs = output, inputs
        self._check_inputs(inputs)
        graph = Graph(output, inputs)
        self._free = free = graph.nodes(graph.free)
        self._free_row = dict(zip(free, range(len(inputs), len(inputs) + len(free))))
        self._recorded = np.array([node.data for node in free])
        self._plan(graph)

    def _plan(self, graph):
        """Rows for leaves, then for each step's nodes in replay order; edges, then pulls.

        Levels are longest paths from the leaves, so every node's operands are ready one level
        below it, also for a chain, whose terms all lie below its end.
        """
        plan = Schedule(graph)
        self._level = plan.levels
        row = np.full(graph.n + 1, -1, np.intp)   # per node number: its row, or −1 (none)
        row[graph.inputs] = np.arange(len(self.inputs))
        row[graph.n] = -1   # where inputs the output ignores went
        row[graph.free] = np.arange(len(self.inputs), len(self.inputs) + len(graph.free))
        self.n_leaves = start = len(self.inputs) + len(graph.free)
        self._steps = []
        state = graph.state
        for kind, op, positions in plan.steps:
            if kind == "group":
                step = Group(op, graph.nodes(positions), positions, start, graph.kinds(positions[0]))
                owners = positions
            else:
                owners = positions[:, -1]   # a chain's end owns its row
                requires = bool((state[owners] & 1).any())
                links = [graph.nodes(chain) for chain in positions]
                step = (Dots(links, positions, start, requires, len(self.inputs)) if kind == "dots"
                        else Chain(op, links, positions, start, requires))
            row[owners] = np.arange(start, step.stop)
            start = step.stop
            self._steps.append(step)
        self.n_rows = start
        out = graph.n - 1   # the output is last in topological order
        self._output = int(row[out]) if row[out] >= 0 else None
        self._output_requires = bool(state[out] >= 0 and state[out] & 1)
        edges = _Edges()
        for step in self._steps:
            step.plan(row, graph, edges)
        self.n_edges = edges.count
        self._wide_inputs = None   # found at the first batch: an unbatched replay never reads it
        self._arrays = None
        self._direct = any(type(step) is Dots and (step.a_fixed or step.bias_fixed) for step in self._steps)
        self._plan_pulls(edges)

    # -- trace ---------------------------------------------------------------------------
    @staticmethod
    def _check_inputs(inputs):
        seen = set()
        for i, x in enumerate(inputs):
            if type(x) is not Value:
                raise TypeError(f"trace: inputs[{i}] must be a Value, got {type(x).__name__}")
            if x.a is not None:
                assert x.op is not None   # a computed node has its op
                raise TraceError(f"trace: inputs[{i}] ({_name(x)}) is computed by {x.op.name}; "
                                 "inputs must be leaves")
            if x.op is CONST:
                raise TraceError(f"trace: inputs[{i}] ({_name(x)}) is a constant (a number that met "
                                 "a Value); constants stay constants: make it a Value leaf")
            if x in seen:
                raise TraceError(f"trace: inputs[{i}] ({_name(x)}) is given twice")
            seen.add(x)

    def _plan_pulls(self, edges):
        """Per step, and for the inputs, which edges sum into which row, in backward's order."""
        targets = [step for step in self._steps if step.requires]
        if not edges.count:
            self._input_pull = _Pull()
            for step in (*targets, self._input_pull):
                step.pull = (np.zeros(0, np.intp), np.zeros(0, np.intp))
            return
        parent = np.concatenate(edges.parents)
        # NOTE: backward() visits nodes in reverse topological order, operand a before b; the
        # keys sort each parent's edges that way, so sums are taken in the engine's order.
        order = np.lexsort((np.concatenate(edges.keys), parent))
        parent = parent[order]
        bounds = [(s.start, s.stop) for s in targets] + [(0, len(self.inputs))]
        begins = np.searchsorted(parent, [b for b, _ in bounds])
        ends = np.searchsorted(parent, [e for _, e in bounds])
        self._input_pull = _Pull()
        for target, (first, last), begin, end in zip([*targets, self._input_pull], bounds, begins, ends):
            rows, edges = parent[begin:end] - first, order[begin:end]
            if target is not self._input_pull and end - begin == last - first and (rows == np.arange(len(rows))).all():
                rows = None   # one edge per node: a gather, no sum
                edges = as_slice(edges)
            target.pull = (rows, edges)

    # -- replay --------------------------------------------------------------------------
    def __call__(self, values, data=None):
        """Forward and backward for these input values; returns ``(output, gradients)``.

        Args:
            values: one number per input, in the order given to ``trace`` (a sequence or array).
            data: ``{leaf: numbers}`` for leaves that are not inputs: a 1-D array (all of one
                length n) makes a batch of n rows; the output and the gradients are then summed
                over the batch. A number gives every row that value.

        Returns the output as a float and the gradients as a float array, one per input.
        """
        values, columns, batch = self._arguments(values, data)
        V, saved, trouble = self._forward(values, columns, batch)
        return self._result(V, batch), self._backward(V, saved, trouble, batch)

    def forward(self, values, data=None):
        """The output only: a float, or with a batch an array of the output for each row."""
        values, columns, batch = self._arguments(values, data)
        V = self._forward(values, columns, batch)[0]
        out = self._output_row(V)
        return float(out) if batch is None else np.broadcast_to(out, (batch,)).astype(float)

    def _arguments(self, values, data):
        try:
            values = np.array(values, dtype=float)
        except (TypeError, ValueError) as error:
            raise TraceError(f"tape: values must be numbers, one per input ({error})") from None
        if values.shape != (len(self.inputs),):
            raise TraceError(f"tape: expected {len(self.inputs)} values (one per input), "
                             f"got shape {values.shape}")
        columns, batch = {}, None
        for leaf, column in (data or {}).items():
            row = self._data_row(leaf)
            try:
                column = np.array(column, dtype=float)
            except (TypeError, ValueError) as error:
                raise TraceError(f"tape: data for {_name(leaf)} must be numbers ({error})") from None
            if column.ndim > 1:
                raise TraceError(f"tape: data for {_name(leaf)} must be a number or a 1-D array, "
                                 f"got shape {column.shape}")
            if column.ndim == 1:
                if batch is not None and len(column) != batch:
                    raise TraceError(f"tape: data for {_name(leaf)} has {len(column)} rows, "
                                     f"other data {batch}")
                if len(column) == 0:
                    raise TraceError(f"tape: data for {_name(leaf)} is empty")
                batch = len(column)
            columns[row] = column
        return values, columns, batch

    def _data_row(self, leaf):
        row = self._free_row.get(leaf) if type(leaf) is Value else None
        if row is not None:
            return row
        if type(leaf) is not Value:
            raise TypeError(f"tape: data keys must be leaf Values, got {type(leaf).__name__}")
        if leaf in self.inputs:
            reason = "is an input: give its value in values"
        elif leaf.op is CONST:
            reason = "is a constant (a number that met a Value); constants stay constants"
        elif leaf.a is not None:
            assert leaf.op is not None   # a computed node has its op
            reason = f"is computed by {leaf.op.name}; data goes to leaves"
        else:
            reason = "is not a leaf of the traced graph"
        raise TraceError(f"tape: data for {_name(leaf)}: it {reason}")

    def _forward(self, values, columns, batch):
        V = self._workspace(batch)[0]
        n_inputs = len(self.inputs)
        if batch is None:
            V[:n_inputs] = values
        else:   # column 0 for every input; whole rows only for those that steps read per row
            V[:n_inputs, 0] = values
            if self._wide_inputs is None:
                self._wide_inputs = _wide_inputs(self._steps, n_inputs)
            V[self._wide_inputs] = values[self._wide_inputs, None]
        V[n_inputs:self.n_leaves] = self._recorded if batch is None else self._recorded[:, None]
        for row, column in columns.items():
            V[row] = column
        # Non-finite leaves: every step runs on floats, so NaN and inf flow as in the engine.
        trouble = not (np.isfinite(values).all() and np.isfinite(V[n_inputs:self.n_leaves]).all())
        with np.errstate(**RAISE):
            saved = [step.forward(V, batch, trouble) for step in self._steps]
        return V, saved, trouble

    def _workspace(self, batch):
        """The value, gradient and contribution arrays (V, G, C), kept from the last call of the same
        batch size: every replay writes each entry before reading it."""
        # NOTE: fresh arrays of a few megabytes come from the OS page by page, zeroed; a batch's
        # replay spent more time taking them than computing.
        if self._arrays is None or self._arrays[0] != batch:
            shape = () if batch is None else (batch,)
            self._arrays = (batch, np.empty((self.n_rows, *shape)), np.empty((self.n_rows, *shape)),
                            np.empty((self.n_edges, *shape)))
        return self._arrays[1:]

    def _output_row(self, V):
        return self.output.data if self._output is None else V[self._output]

    def _result(self, V, batch):
        out = self._output_row(V)
        return float(out) if batch is None else float(np.sum(np.broadcast_to(out, (batch,))))

    def _backward(self, V, saved, trouble, batch):
        n_inputs = len(self.inputs)
        if not self._output_requires:
            return np.zeros(n_inputs)
        root = self._output
        assert root is not None   # a node that depends on an input has a row
        if root < n_inputs:  # the output is an input: ∂x/∂x = 1 per row
            gradients = np.zeros(n_inputs)
            gradients[root] = 1.0 if batch is None else batch
            return gradients
        _, G, C = self._workspace(batch)
        anomaly = engine.anomaly_mode()
        G[root] = 1.0
        inputs = np.zeros(n_inputs)   # what steps sum over the batch themselves
        with np.errstate(**RAISE):
            for step, operands in zip(reversed(self._steps), reversed(saved)):
                if not step.requires:
                    continue
                if step.start != root:
                    _pull(G[step.start:step.stop], C, step, batch)
                step.backward(V, G, C, operands, batch, trouble, anomaly, inputs)
            rows, edges = self._input_pull.pull
            if batch is None:
                gradients = np.zeros(n_inputs)
                _pull(gradients, C, self._input_pull, batch)
            else:   # summed over the batch first: one number per edge
                assert rows is not None  # the inputs' pull always sums (never the one-edge gather)
                gradients = np.bincount(rows, C[edges].sum(axis=1), n_inputs)
        return gradients + inputs if self._direct else gradients

    def __repr__(self):
        return (f"<Tape: {self.n_rows - self.n_leaves} nodes in {len(self._steps)} steps over "
                f"{self._level} levels; {len(self.inputs)} inputs, {len(self._free)} other leaves>")


def _pull(target, C, step, batch):
    """target = the sum of each node's incoming edges, in backward()'s order."""
    rows, edges = step.pull
    if rows is None:
        target[...] = C[edges]
        return
    if batch is None:
        target[...] = np.bincount(rows, C[edges], len(target))
        return
    if step.flat is None or step.flat[0] != batch:
        step.flat = (batch, (rows[:, None] * batch + np.arange(batch)).ravel())
    # NOTE: bincount adds in index order, so each (node, row of the batch) keeps its edge order.
    target[...] = np.bincount(step.flat[1], C[edges].ravel(), target.size).reshape(target.shape)
