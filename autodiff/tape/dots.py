"""Dot products found in a scalar graph: sums of products over shared rows, replayed as matrix products."""

import numpy as np

from autodiff.ops import OPS
from autodiff.value import Value, apply

from .replay import raise_anomaly

__all__ = ["Dots", "ADD", "MUL"]

ADD, MUL = OPS["add"], OPS["mul"]


class Dots:
    """Chains ``t₀ + Σₖ aₖ·bₖ`` of one length at one level, as one matrix product forward and
    two backward.

    Chains whose factors aₖ come from the same rows (a neuron's weights, for every point) share a
    row of a matrix A; chains whose factors bₖ come from the same rows (a point's activations,
    for every neuron) share a row of B. Each chain is then an entry of A·Bᵀ plus its own t₀:
    a layer over a batch is one product. Which chains share rows is read from the graph, so
    shared weights, a missing term or a permuted order just give other rows. The products are
    summed in BLAS's order, not the engine's left to right, so results differ in the last bits;
    a row with a non-finite value replays through the engine's own ``apply``.
    """

    __slots__ = ("links", "positions", "start", "stop", "requires", "a_rows", "b_rows",
                 "bias", "a_index", "b_index", "distinct", "dense", "grid", "unique", "first", "a_fixed",
                 "bias_fixed", "n_inputs", "pull", "flat")

    def __init__(self, links, positions, start, requires, n_inputs):
        self.links, self.positions = links, positions
        self.a_fixed = n_inputs   # until plan: rows below it are inputs, the same on every row of a batch
        self.bias_fixed = None
        self.start, self.stop = start, start + len(links)
        self.requires = requires
        self.pull = self.flat = None

    @property
    def nodes(self):
        """The chains' ends, the nodes that own rows."""
        return [chain[-1] for chain in self.links]

    @property
    def products(self):
        """Per chain, its products a·b (operand b of each link)."""
        return [[link.b for link in chain] for chain in self.links]

    def plan(self, row, graph, edges):
        """Rows of A and B (each distinct tuple of factor rows once) and one edge per entry."""
        products = graph.b[self.positions]
        (self.a_rows, self.a_index), (self.b_rows, self.b_index) = (
            _classes(row[operand[products]]) for operand in (graph.a, graph.b))
        self.bias = row[graph.a[self.positions[:, 0]]]
        n, (n_a, n_b) = len(self.links), (len(self.a_rows), len(self.b_rows))
        self.distinct = len(np.unique(self.a_index * n_b + self.b_index)) == n
        # each (row of A, row of B) pair once, and enough of them that the full product pays
        self.dense = self.distinct and 4 * n >= n_a * n_b
        self.grid = _grid(self.a_index, self.b_index, n_a, n_b) if n == n_a * n_b else None
        self.n_inputs = n_inputs = self.a_fixed
        # NOTE: factors and terms that are inputs (weights, biases) have the same value on every
        # row of a batch; their gradients are summed over the batch here, straight into the
        # inputs' gradients, instead of one contribution per row of the batch.
        self.a_fixed = bool((self.a_rows < n_inputs).all())
        self.bias_fixed = bool((self.bias < n_inputs).all())
        self.unique = tuple(len(np.unique(rows)) == rows.size for rows in (self.bias, self.a_rows))
        at = graph.n - self.positions       # per chain and link
        first_of = (np.unique(self.a_index, return_index=True)[1],
                    np.unique(self.b_index, return_index=True)[1])
        self.first = (None if self.bias_fixed else edges.add(self.bias, at[:, 0] * 2),
                      None if self.a_fixed else edges.add(self.a_rows.ravel(),
                                                          (at[first_of[0]] * 2 + 1).ravel()),
                      edges.add(self.b_rows.ravel(), (at[first_of[1]] * 2 + 1).ravel()))

    def _operands(self, V, batch):
        a = V[self.a_rows, 0] if batch is not None and self.a_fixed else V[self.a_rows]
        return a, V[self.b_rows]

    def forward(self, V, batch, trouble):
        a, b = self._operands(V, batch)
        if not trouble:
            bias = V[self.bias, :1] if batch is not None and self.bias_fixed else V[self.bias]
            with np.errstate(all="ignore"):
                out = self._product(a, b, batch) + bias
            if np.isfinite(out).all():
                V[self.start:self.stop] = out
                return a, b
        V[self.start:self.stop] = self._forward_floats(V, batch)
        return a, b

    def _product(self, a, b, batch):
        """Σₖ a[i, k]·b[j, k] for each chain's (i, j)."""
        grid = self.grid
        if batch is None:
            if grid == "b":
                return (b @ a.T).ravel()
            if grid == "a":
                return (a @ b.T).ravel()
            if self.dense:
                return (a @ b.T)[self.a_index, self.b_index]
            return np.einsum("ck,ck->c", a[self.a_index], b[self.b_index])
        if a.ndim == 2:   # the same A on every row of the batch
            k = a.shape[1]
            full = (a @ b.transpose(1, 0, 2).reshape(k, -1)).reshape(len(a), len(b), batch)
        elif self.dense:
            full = np.matmul(a.transpose(2, 0, 1), b.transpose(2, 1, 0)).transpose(1, 2, 0)   # (n_a, n_b, batch)
        else:
            return np.einsum("ckd,ckd->cd", a[self.a_index], b[self.b_index])
        if grid is not None:
            return (full if grid == "a" else full.swapaxes(0, 1)).reshape(len(self.links), batch)
        return full[self.a_index, self.b_index]

    def backward(self, V, G, C, operands, batch, trouble, anomaly, inputs):
        """Contributions to the edges, or, for inputs (see ``plan``), summed into ``inputs``."""
        a, b = operands
        upstream = G[self.start:self.stop]
        first_bias, first_a, first_b = self.first
        n_a, k = self.a_rows.shape
        n_b = len(self.b_rows)
        with np.errstate(all="ignore"):
            if self.bias_fixed:
                _into(inputs, self.bias, upstream if batch is None else upstream.sum(axis=1), self.unique[0])
            else:
                assert first_bias is not None   # plan gives a bias that is not fixed its edges
                C[first_bias:first_bias + len(self.links)] = upstream
            grad_a, grad_b = self._adjoints(a, b, upstream, batch)
            if self.a_fixed:
                _into(inputs, self.a_rows, grad_a, self.unique[1])
            else:
                assert first_a is not None   # plan gives a factor that is not fixed its edges
                C[first_a:first_a + n_a * k] = grad_a.reshape(n_a * k, *grad_a.shape[2:])
            C[first_b:first_b + n_b * k] = grad_b.reshape(n_b * k, *grad_b.shape[2:])
        if anomaly and not (np.isfinite(grad_a).all() and np.isfinite(grad_b).all()
                            and np.isfinite(upstream).all()):
            self._anomaly(V, upstream, batch)

    def _full(self, upstream, batch):
        """The upstream gradients as an (A rows × B rows) matrix, per row of the batch."""
        shape = (len(self.a_rows), len(self.b_rows), *(() if batch is None else (batch,)))
        if self.grid == "a":
            return upstream.reshape(shape)
        if self.grid == "b":   # chain j·n_a + i: the transpose of a view
            return upstream.reshape(shape[1], shape[0], *shape[2:]).swapaxes(0, 1)
        full = np.zeros(shape)
        if self.distinct:
            full[self.a_index, self.b_index] = upstream
        else:
            np.add.at(full, (self.a_index, self.b_index), upstream)
        return full

    def _adjoints(self, a, b, upstream, batch):
        """∂L/∂A and ∂L/∂B: for each row of A, Σ over its chains of upstream × the B factor
        (for a fixed A in a batch, summed over the batch too)."""
        if batch is None:
            if self.dense:          # a grid is dense too
                full = self._full(upstream, batch)
                return full @ b, full.T @ a
            grad_a, grad_b = np.zeros(a.shape), np.zeros(b.shape)
            np.add.at(grad_a, self.a_index, upstream[:, None] * b[self.b_index])
            np.add.at(grad_b, self.b_index, upstream[:, None] * a[self.a_index])
            return grad_a, grad_b
        full = self._full(upstream, batch)
        if a.ndim == 2:
            return (np.tensordot(full, b, axes=([1, 2], [0, 2])),
                    np.tensordot(a, full, axes=([0], [0])).transpose(1, 0, 2))
        return np.einsum("ijd,jkd->ikd", full, b), np.einsum("ijd,ikd->jkd", full, a)

    def _forward_floats(self, V, batch):
        """The chains through the engine's ``apply``, left to right: its numbers and its errors."""
        out = []
        for c, (chain, products) in enumerate(zip(self.links, self.products)):
            for d in range(1 if batch is None else batch):
                def value(row, node):
                    return Value(self._value(V, row, d, batch), label=node.label)
                total = value(self.bias[c], chain[0].a)
                for k, p in enumerate(products):
                    a, b = self._factor_rows(c, k)
                    total = apply(ADD, total, apply(MUL, value(a, p.a), value(b, p.b)))
                out.append(total.data)
        result = np.array(out)
        return result if batch is None else result.reshape(len(self.links), batch)

    def _factor_rows(self, c, k):
        """The rows of the two factors of link ``k`` of chain ``c``."""
        return self.a_rows[self.a_index[c], k], self.b_rows[self.b_index[c], k]

    def _value(self, V, row, d, batch):
        """Row ``row``'s value in row ``d`` of the batch (an input's is in column 0)."""
        return float(V[row] if batch is None else V[row, 0 if row < self.n_inputs else d])

    def _anomaly(self, V, upstream, batch):
        """The engine's AnomalyError for the first non-finite contribution of a product."""
        for c, products in enumerate(self.products):
            for d in range(1 if batch is None else batch):
                up = float(upstream[c] if batch is None else upstream[c, d])
                for k, p in enumerate(products):
                    a, b = self._factor_rows(c, k)
                    for index, (parent, own, other) in enumerate(((p.a, a, b), (p.b, b, a))):
                        local = self._value(V, other, d, batch)
                        with np.errstate(all="ignore"):
                            contribution = float(np.float64(up) * local)
                        if not np.isfinite(contribution):
                            raise_anomaly(MUL, index, contribution, up, local,
                                           self._value(V, own, d, batch), parent, p)

def _into(inputs, rows, values, unique):
    """inputs[rows] += values (rows repeating, unless ``unique``)."""
    if unique:
        inputs[rows] += values
    else:
        inputs += np.bincount(rows.ravel(), values.ravel(), len(inputs))


def _classes(rows):
    """The distinct rows of a matrix, in order of first appearance, and each row's class."""
    _, first, inverse = np.unique(rows, axis=0, return_index=True, return_inverse=True)
    rank = np.empty(len(first), np.intp)
    rank[np.argsort(first)] = np.arange(len(first))
    return rows[np.sort(first)], rank[inverse.ravel()]


def _grid(a_index, b_index, n_a, n_b):
    """"a" if chain c is (row c // n_b of A, row c % n_b of B), "b" if it is (c % n_a, c // n_a),
    else None: then the product's matrix is the chains' values, reshaped, with no gather."""
    down, across = np.arange(n_a * n_b) // n_b, np.arange(n_a * n_b) % n_b
    if (a_index == down).all() and (b_index == across).all():
        return "a"
    down, across = np.arange(n_a * n_b) // n_a, np.arange(n_a * n_b) % n_a
    if (a_index == across).all() and (b_index == down).all():
        return "b"
    return None
