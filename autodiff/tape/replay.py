"""The steps a tape replays: a group of like nodes, or a set of chains, forward and backward on arrays."""

import functools
from typing import Literal, TypedDict

import numpy as np

from autodiff.gradients import local_derivative
from autodiff.ops import CONST
from autodiff.value import AnomalyError, Value, apply

from .vectorise import Trouble, agrees, compile_rule, run

__all__ = ["Group", "Chain", "chain_form", "raise_anomaly", "as_slice", "RAISE"]

class _ErrorModes(TypedDict):
    """np.errstate's keywords, typed so that the checker can match ``**RAISE`` to them."""

    over: Literal["raise"]
    divide: Literal["raise"]
    invalid: Literal["raise"]
    under: Literal["ignore"]


RAISE = _ErrorModes(over="raise", divide="raise", invalid="raise", under="ignore")
# Rows of each group compared, at trace time, between its programs and the rules on floats.
_CHECKED_ROWS = 64


class Group:
    """Nodes with one op and one kind of operands at one level.

    Like every step it owns rows ``start..stop`` of the value array V and of the gradient array
    G, and writes its gradient contributions to its edges (a range of the contribution array C).
    A step that meets a row where arrays and Python floats may part ways runs on floats through
    the engine's own ``apply`` and ``local_derivative``, so it computes, and raises, as the
    engine does.

    ``kinds`` has one entry per operand: True or False for one that varies (does it need a
    gradient?), or ``float.hex`` of the constant every node of the group has there.
    """

    __slots__ = ("op", "nodes", "positions", "start", "stop", "kinds", "fixed", "rows", "program",
                 "partials", "grads", "requires", "pull", "flat")

    def __init__(self, op, nodes, positions, start, kinds):
        self.op, self.nodes, self.positions = op, nodes, positions
        self.start, self.stop = start, start + len(nodes)
        self.kinds = kinds
        self.fixed = tuple(None if type(k) is bool else float.fromhex(k) for k in kinds)
        self.rows, self.program, self.partials, self.grads = [], None, {}, []
        self.requires = any(k is True for k in kinds)
        self.pull = self.flat = None

    def plan(self, row, graph, edges):
        """Operand rows, one edge per node for each operand needing a gradient, and programs.

        ``row`` gives each node number's row; the graph's size and the nodes' numbers (their
        topological positions) order the edges as backward() does.
        """
        for i, kind in enumerate(self.kinds):
            if type(kind) is not bool:
                self.rows.append(None)
                continue
            rows = row[(graph.a, graph.b)[i][self.positions]]
            self.rows.append(as_slice(rows))
            if kind:
                keys = (graph.n - self.positions) * 2 + i
                self.grads.append((i, edges.add(rows, keys)))
        self._compile()

    def _compile(self):
        """Programs from the op table, each checked against the rules on floats on recorded rows."""
        op, keys = self.op, tuple(None if type(k) is bool else k for k in self.kinds)
        self.program = compile_rule(op.forward, keys)
        for i, _ in self.grads:
            self.partials[i] = compile_rule(op.partials[i], (None, *keys), op.forward)
        nodes = self.nodes[:_CHECKED_ROWS]
        operands = [np.array([node.parents[i].data for node in nodes]) if v is None else v
                    for i, v in enumerate(self.fixed)]
        if self.program is not None and not agrees(self.program, op.forward, operands):
            self.program = None
        for i, program in self.partials.items():
            if program is not None and not agrees(program, op.partials[i], operands, op.forward):
                self.partials[i] = None

    def forward(self, V, batch, trouble):
        operands = [V[rows] if rows is not None else v for rows, v in zip(self.rows, self.fixed)]
        try:
            if trouble or self.program is None:
                raise Trouble
            V[self.start:self.stop] = run(self.program, operands)
        except (Trouble, FloatingPointError):
            V[self.start:self.stop] = self._forward_floats(operands, batch)
        return operands

    def backward(self, V, G, C, operands, batch, trouble, anomaly, inputs):
        upstream, out = G[self.start:self.stop], V[self.start:self.stop]
        for i, first in self.grads:
            program = self.partials[i]
            try:
                if trouble or program is None:
                    raise Trouble
                local = run(program, [out, *operands])
            except (Trouble, FloatingPointError):
                local = self._partial_floats(i, out, operands, batch)
            edges = C[first:first + len(self.nodes)]
            _times(upstream, local, edges)
            if anomaly and not np.isfinite(edges).all():
                self._anomaly(i, upstream, local, edges, operands)

    def _rows_of(self, operands, batch):
        """Per node and row of the batch: the operand values as floats."""
        for j, node in enumerate(self.nodes):
            values = [x[j] if type(x) is np.ndarray else x for x in operands]
            for d in range(1 if batch is None else batch):
                yield j, d, node, [x if batch is None or type(x) is float else x[d] for x in values]

    def _forward_floats(self, operands, batch):
        out = [apply(self.op, *[Value(float(x), label=p.label) for x, p in zip(xs, node.parents)]).data
               for _, _, node, xs in self._rows_of(operands, batch)]
        return _shaped(out, len(self.nodes), batch)

    def _partial_floats(self, index, out, operands, batch):
        local = []
        for j, d, node, xs in self._rows_of(operands, batch):
            # a node of the same shape for the engine's own rule and error message
            copy = Value(float(out[j] if batch is None else out[j, d]), label=node.label)
            copy.op = self.op
            parents = []
            for x, p in zip(xs, node.parents):
                parent = Value(float(x), label=p.label)
                parent.op = CONST if p.op is CONST else None
                parents.append(parent)
            copy.a, copy.b = (parents + [None])[:2]
            local.append(local_derivative(copy, index))
        return _shaped(local, len(self.nodes), batch)

    def _anomaly(self, index, upstream, local, edges, operands):
        """The engine's AnomalyError for the first non-finite gradient contribution."""
        at = np.unravel_index(np.flatnonzero(~np.isfinite(edges))[0], edges.shape)
        node = self.nodes[at[0]]
        operand = operands[index]
        data = operand if type(operand) is float else float(operand[at])
        local = local if type(local) is float else float(np.broadcast_to(local, edges.shape)[at])
        raise_anomaly(self.op, index, float(edges[at]), float(upstream[at]), local, data,
                       node.parents[index], node)


class Chain:
    """Chains t₀ ∘ t₁ ∘ … ∘ tₘ of one op, all of one length m, at one level.

    Each link is used only by the next, so only the ends get rows. The forward is the op's
    ufunc accumulated along the chain, which computes ((t₀ ∘ t₁) ∘ t₂) … in the engine's order;
    the partials are constants (∂/∂a = 1, so every link passes the end's gradient on unchanged).
    """

    __slots__ = ("op", "links", "positions", "start", "stop", "rows", "ufunc", "local_b",
                 "first", "requires", "pull", "flat")
    rows: np.ndarray
    first: int
    pull: "tuple[np.ndarray, np.ndarray]"
    flat: "tuple[int, np.ndarray] | None"

    def __init__(self, op, links, positions, start, requires):
        self.op, self.links, self.positions = op, links, positions
        self.start, self.stop = start, start + len(links)
        self.requires = requires
        self.ufunc, self.local_b = chain_form(op)  # pyright: ignore[reportGeneralTypeIssues]  (chains are made only of ops with a form)
        self.rows = self.first = self.pull = self.flat = None  # pyright: ignore[reportAttributeAccessIssue]  (plan sets them)

    @property
    def nodes(self):
        """The chains' ends, the nodes that own rows."""
        return [chain[-1] for chain in self.links]

    def plan(self, row, graph, edges):
        # t₀ is operand a of the first link, every other term operand b of its link
        self.rows = np.concatenate([row[graph.a[self.positions[:, :1]]], row[graph.b[self.positions]]], axis=1)
        at = graph.n - self.positions
        keys = np.concatenate([at[:, :1] * 2, at * 2 + 1], axis=1)
        self.first = edges.add(self.rows.ravel(), keys.ravel())

    def forward(self, V, batch, trouble):
        terms = V[self.rows]
        try:
            if trouble:
                raise Trouble
            V[self.start:self.stop] = self.ufunc.accumulate(terms, axis=1)[:, -1]
        except (Trouble, FloatingPointError):
            V[self.start:self.stop] = self._forward_floats(terms, batch)
        return terms

    def backward(self, V, G, C, terms, batch, trouble, anomaly, inputs):
        upstream = G[self.start:self.stop]
        n, length = self.rows.shape
        edges = C[self.first:self.first + n * length].reshape(n, length, *terms.shape[2:])
        edges[:, 0] = upstream
        _times(upstream[:, None], self.local_b, edges[:, 1:])
        if anomaly and not np.isfinite(edges).all():
            at = np.unravel_index(np.flatnonzero(~np.isfinite(edges))[0], edges.shape)
            chain, k = self.links[at[0]], at[1]
            link, index = (chain[0], 0) if k == 0 else (chain[k - 1], 1)
            local = 1.0 if k == 0 else self.local_b
            raise_anomaly(self.op, index, float(edges[at]), float(upstream[(at[0], *at[2:])]), local,
                           float(terms[at]), link.parents[index], link)

    def _forward_floats(self, terms, batch):
        out = []
        for chain, values in zip(self.links, terms):
            for d in range(1 if batch is None else batch):
                column = values if batch is None else values[:, d]
                total = float(column[0])
                operand = chain[0].a
                for link, x in zip(chain, column[1:]):
                    total = apply(self.op, Value(total, label=operand.label),
                                  Value(float(x), label=link.b.label)).data
                    operand = link
                out.append(total)
        return _shaped(out, len(self.links), batch)


@functools.cache
def chain_form(op):
    """(ufunc, ∂out/∂b) when a chain of ``op`` replays as ``ufunc.accumulate``, else None.

    That is when the op's forward compiles to one ufunc on (a, b) and its partials are the
    constants 1 and c (add: 1, 1; sub: 1, −1), all read from the op table.
    """
    if op.arity != 2:
        return None
    program = compile_rule(op.forward, (None, None))
    if program is None or program.tree[0] != "leaf" or program.tree[3] or len(program.tree[1]) != 1:
        return None
    register, function, specs = program.tree[1][0]
    if not isinstance(function, np.ufunc) or specs != (0, 1) or program.tree[2] != register:
        return None
    a, b = (compile_rule(rule, (None, None, None), op.forward) for rule in op.partials)
    if a is None or b is None or b.constant is None or a.constant != 1.0:
        return None
    return function, b.constant


def raise_anomaly(op, index, contribution, upstream, local, data, parent, node):
    """The engine's AnomalyError for a non-finite gradient contribution found by a replay."""
    raise AnomalyError(
        f"backward: {op.name} gave ∂L/∂{'ab'[index]} = {contribution!r} "
        f"(upstream {upstream!r} × local {op.formulas[index]} = {local!r}) "
        f"for operand {data!r}" + (f" ({parent.label!r})" if parent.label else "")
        + (f" of node {node.label!r}" if node.label else ""))


def _shaped(values, n, batch):
    result = np.array(values, dtype=float)
    return result if batch is None else result.reshape(n, batch)


def as_slice(rows):
    """A slice for consecutive rows (a view instead of a copy), else the rows."""
    if len(rows) and rows[-1] - rows[0] == len(rows) - 1 and (np.diff(rows) == 1).all():
        return slice(int(rows[0]), int(rows[-1]) + 1)
    return rows


def _times(upstream, local, out):
    """out = upstream × local, with Python's float semantics (an overflow gives inf, silently)."""
    try:
        if type(local) is float and local == 1.0:
            out[...] = upstream
        elif type(local) is float and local == -1.0:
            np.negative(upstream, out=out)
        else:
            np.multiply(upstream, local, out=out)
    except FloatingPointError:
        with np.errstate(all="ignore"):
            np.multiply(upstream, local, out=out)
