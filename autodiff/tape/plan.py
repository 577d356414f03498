"""A traced graph as integer arrays, and its nodes grouped into steps with array operations."""

import operator

import numpy as np

from autodiff.graph import topological_order
from autodiff.ops import CONST

from .dots import ADD, MUL
from .replay import chain_form

__all__ = ["Graph", "Schedule"]

# Chains of fewer links replay as ordinary groups: fusing them saves less than it costs.
_SHORTEST_CHAIN = 4
# The state of a node that depends on constants only: even (no input bit) and below any level.
_CONSTANT = -(1 << 60)
_A, _B, _OP = (operator.attrgetter(name) for name in ("a", "b", "op"))


class Graph:
    """The nodes below ``output`` numbered once, in topological order (``order[k]`` is node k).

    ``a``, ``b``: each node's operands' numbers (``n``, one past the last, for none); ``op``: a
    code per node (``ops[code]`` is the op); ``state``: for a node that depends on a non-constant
    leaf, 2·level + 1 if it depends on an input, else negative (it is folded to its recorded
    value); ``uses``: how many operand slots name the node. Arrays have a last entry for ``n``.
    """

    def __init__(self, output, inputs):
        order = self.order = topological_order(output)
        n = self.n = len(order)
        # NOTE: nodes are found by their id among the sorted ids of all: a numpy search instead
        # of a dictionary lookup per operand, which misses the caches on a large graph.
        ids = np.fromiter(map(id, order), np.intp, n)
        self._sorter = np.argsort(ids)
        self._ids = ids[self._sorter]
        self.a, self.b = (self.number(np.fromiter(map(id, map(operand, order)), np.intp, n)) for operand in (_A, _B))
        ops = list(map(_OP, order))
        codes = {op: code for code, op in enumerate(dict.fromkeys(ops))}
        self.ops, self.code = list(codes), codes
        self.op = np.fromiter(map(codes.__getitem__, ops), np.intp, n)
        leaf = self.a == n
        state = np.zeros(n + 1, np.int64)
        state[n] = _CONSTANT
        if CONST in codes:
            state[:n][self.op == codes[CONST]] = _CONSTANT
        self.inputs = self.number(np.fromiter(map(id, inputs), np.intp, len(inputs)))
        state[self.inputs[self.inputs < n]] = 1   # an input the output ignores has no number
        computed = np.flatnonzero(~leaf)
        self.state = self._levels(state, computed)
        self.uses = np.bincount(np.concatenate([self.a[computed], self.b[computed]]), minlength=n + 1)
        self.free = np.flatnonzero(leaf & (self.state[:n] == 0))

    def _levels(self, state, computed):
        """Each computed node's state from its operands': one level above the higher, either's input bit."""
        # NOTE: the one loop over every node; plain lists of ints, as numpy cannot follow the
        # dependency of each node on the ones before it.
        s = state.tolist()
        for k, x, y in zip(computed.tolist(), self.a[computed].tolist(), self.b[computed].tolist()):
            sx, sy = s[x], s[y]
            s[k] = ((sx if sx > sy else sy) | ((sx | sy) & 1)) + 2
        return np.array(s, np.int64)

    def number(self, ids):
        """The numbers of the nodes with these ids; ``n`` for an id of no node (None's)."""
        at = np.searchsorted(self._ids, ids)
        at[at == self.n] = 0
        return np.where(self._ids[at] == ids, self._sorter[at], self.n)

    def nodes(self, positions):
        """The Values numbered ``positions`` (an array of ints)."""
        return list(map(self.order.__getitem__, positions.tolist()))

    def kinds(self, k):
        """Node k's operand kinds: True/False (varying: does it need a gradient?), or, for an operand
        folded to its recorded value, that value's ``float.hex``."""
        operands = (self.a[k],) if self.b[k] == self.n else (self.a[k], self.b[k])
        return tuple(bool(self.state[x] & 1) if self.state[x] >= 0 else self.order[x].data.hex()
                     for x in operands)


class Schedule:
    """The steps of a graph in replay order, each as ``(kind, op, positions)``:

    ``("group", op, k)``: nodes of one op and one kind of operands at one level (k: 1-D);
    ``("chain", op, k)``: chains of adds or subs, one per row of k (link numbers, first to end);
    ``("dots", ADD, k)``: chains ``t₀ + Σ a·b`` whose products replay as a matrix product.
    Steps run by level; within a level, by where their first node (a chain's: its end) is.
    """

    def __init__(self, graph):
        self.graph = graph
        self._varying = (graph.a < graph.n) & (graph.state[:graph.n] >= 0)   # computed, not folded
        self._links = self._candidates()
        steps = []   # (level, first position, kind, op, positions)
        chains = self._chains()
        absorbed = np.zeros(graph.n + 1, bool)
        short = []
        for members, starts, lengths in chains:
            ends = members[starts + lengths - 1]
            op = graph.ops[graph.op[ends[0]]]
            dots = self._dots(members, starts, lengths) if op is ADD else np.zeros(len(starts), bool)
            absorbed[graph.b[members[np.repeat(dots, lengths)]]] = True
            for chosen, kind in ((dots, "dots"), (~dots & (lengths >= _SHORTEST_CHAIN), "chain")):
                steps += self._chain_steps(members, starts[chosen], lengths[chosen], kind)
            too_short = ~dots & (lengths < _SHORTEST_CHAIN)
            short.append((members[np.repeat(too_short, lengths)], np.repeat(ends[too_short], lengths[too_short])))
        steps += self._groups(absorbed, short)
        steps.sort(key=lambda step: step[:2])
        self.levels = max((step[0] for step in steps), default=0)
        self.steps = [step[2:] for step in steps]

    def _candidates(self):
        """Nodes of an op that chains (add, sub) with both operands varying: links of a chain."""
        g = self.graph
        both = self._varying & (g.b < g.n) & (g.state[g.a] >= 0) & (g.state[g.b] >= 0)
        chainable = np.zeros(len(g.ops) + 1, bool)
        for code in np.unique(g.op[both]).tolist():
            chainable[code] = chain_form(g.ops[code]) is not None
        return both & chainable[g.op]

    def _chains(self):
        """Per chainable op: (links in chain order, each chain's first index, lengths).

        A link continues the chain of its operand a when a is a link of the same op used by it
        alone (as ``sum`` builds them); chains come ordered by their ends.
        """
        g = self.graph
        links = np.flatnonzero(self._links)
        if not len(links):
            return []
        a = g.a[links]
        linked = np.zeros(g.n + 1, bool)
        linked[links] = True
        joined = linked[a] & (g.uses[a] == 1) & (g.op[a] == g.op[links])
        head = np.where(joined, np.searchsorted(links, a), np.arange(len(links)))
        while True:   # pointer jumping: each link to its chain's first, in log₂(length) rounds
            further = head[head]
            if np.array_equal(further, head):
                break
            head = further
        by_chain = np.argsort(head, kind="stable")
        members = links[by_chain]
        starts = np.flatnonzero(np.r_[True, head[by_chain][1:] != head[by_chain][:-1]])
        lengths = np.diff(np.r_[starts, len(members)])
        ends = members[starts + lengths - 1]
        result = []
        for op in np.unique(g.op[ends]):
            chosen = np.flatnonzero(g.op[ends] == op)
            chosen = chosen[np.argsort(ends[chosen])]
            sizes = lengths[chosen]
            offsets = np.cumsum(sizes) - sizes          # where each chosen chain starts
            pick = np.repeat(chosen, sizes)
            within = np.arange(len(pick)) - np.repeat(offsets, sizes)
            kept = members[starts[pick] + within]
            result.append((kept, offsets.astype(np.intp), sizes))
        return result

    def _dots(self, members, starts, lengths):
        """Per chain of adds: is it ``t₀ + Σ a·b``, each product used by its link alone and every
        factor varying?"""
        g = self.graph
        p = g.b[members]
        good = (g.op[p] == g.code.get(MUL, -1)) & (g.uses[p] == 1) & (g.state[g.a[p]] >= 0) & (g.state[g.b[p]] >= 0)
        return ~np.logical_or.reduceat(~good, starts) if len(starts) else np.zeros(0, bool)

    def _chain_steps(self, members, starts, lengths, kind):
        """One step per (level of the end, length) of these chains (ordered by their ends)."""
        g = self.graph
        if not len(starts):
            return []
        ends = members[starts + lengths - 1]
        level = g.state[ends] >> 1
        order = np.lexsort((ends, lengths, level))
        op = g.ops[g.op[ends[0]]]
        steps = []
        bounds = np.flatnonzero(np.r_[True, (np.diff(level[order]) != 0) | (np.diff(lengths[order]) != 0), True])
        for first, last in zip(bounds[:-1], bounds[1:]):
            chosen = order[first:last]
            length = lengths[chosen[0]]
            positions = members[starts[chosen][:, None] + np.arange(length)]
            steps.append((int(level[chosen[0]]), int(ends[chosen[0]]), kind, op, positions))
        return steps

    def _groups(self, absorbed, short):
        """Groups of one (level, op, operand kinds): the other varying nodes in order, then the links
        of chains too short to be worth a step, in the order of their chains' ends."""
        g = self.graph
        alone = np.flatnonzero(self._varying & ~self._links & ~absorbed[:g.n])
        positions = np.concatenate([alone, *[links for links, _ in short]])
        later = np.concatenate([np.zeros(len(alone), bool), *[np.ones(len(links), bool) for links, _ in short]])
        after = np.concatenate([alone, *[ends for _, ends in short]])
        keys = [g.state[positions] >> 1, g.op[positions]]
        for operand in (g.a[positions], g.b[positions]):
            state = g.state[operand]
            folded = state < 0
            data = np.array([g.order[x].data if x < g.n else 0.0 for x in operand[folded].tolist()])
            value = np.where(folded, 0, state & 1)
            value[folded] = _bits(data)
            keys += [np.where(operand == g.n, 2, folded), value]
        order = np.lexsort((positions, after, later, *keys[::-1]))
        changed = np.zeros(len(order) - 1, bool) if len(order) else np.zeros(0, bool)
        for key in keys:
            changed |= np.diff(key[order]) != 0
        bounds = np.flatnonzero(np.r_[True, changed, True]) if len(order) else np.zeros(1, np.intp)
        steps = []
        for first, last in zip(bounds[:-1], bounds[1:]):
            chosen = positions[order[first:last]]
            k = chosen[0]
            steps.append((int(g.state[k] >> 1), int(k), "group", g.ops[g.op[k]], chosen))
        return steps


def _bits(values):
    """Floats as int64 keys, equal when their ``float.hex`` is (every NaN is "nan")."""
    bits = values.astype(float).view(np.int64)
    return np.where(np.isnan(values), np.int64(0x7FF8000000000000), bits)
