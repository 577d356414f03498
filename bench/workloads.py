"""The seeded inputs every engine gets: two-moons data, MLP weights, a random expression plan."""

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["ADD", "MUL", "RELU", "REG_STRENGTH", "Plan", "Sizes", "FULL", "QUICK", "two_moons", "mlp_weights",
           "random_plan", "learning_rate"]

# Op codes of a plan; the three ops that micrograd 0.1.0 and stepgrad both record as one node.
ADD, MUL, RELU = 0, 1, 2
REG_STRENGTH = 1e-4  # α of the L2 term α·Σp² in micrograd's demo loss


@dataclass(frozen=True)
class Sizes:
    """How big each workload is."""

    points: int       # two-moons points in the MLP's batch
    layers: tuple     # MLP layer sizes after the 2 inputs
    steps: int        # timed training steps per measurement
    leaves: int       # leaves of the random graph
    ops: int          # random ops before the sinks are summed
    chain_cap: int    # the deepest chain tried
    scale: tuple      # about how many nodes the graphs whose cost per node is compared have, smallest first
    batch: int        # two-moons points in one batch replay of the tape (against hand-written numpy)


FULL = Sizes(points=100, layers=(16, 16, 1), steps=3, leaves=1000, ops=145_000, chain_cap=1_000_000,
             scale=(1000, 1_000_000), batch=1000)
QUICK = Sizes(points=10, layers=(4, 4, 1), steps=2, leaves=20, ops=300, chain_cap=2000, scale=(100, 1000),
              batch=20)


def two_moons(n, noise=0.1, seed=0):
    """``n`` points of two interleaving half circles with Gaussian noise, labels ±1.

    The same construction as scikit-learn's ``make_moons`` (upper moon −1, lower moon +1),
    shuffled and seeded; returned as plain lists of floats.
    """
    rng = np.random.default_rng(seed)
    n_upper = n // 2
    upper = np.linspace(0.0, math.pi, n_upper)
    lower = np.linspace(0.0, math.pi, n - n_upper)
    x = np.concatenate([np.cos(upper), 1.0 - np.cos(lower)])
    y = np.concatenate([np.sin(upper), 0.5 - np.sin(lower)])
    points = np.stack([x, y], axis=1) + rng.normal(0.0, noise, size=(n, 2))
    labels = np.concatenate([-np.ones(n_upper), np.ones(n - n_upper)])
    order = rng.permutation(n)
    return points[order].tolist(), labels[order].tolist()


def mlp_weights(n_inputs, layer_sizes, seed=0):
    """Initial parameters as ``[layer][neuron] = (weights, bias)``: w ~ U(−1, 1), b = 0 (micrograd's init)."""
    rng = np.random.default_rng(seed)
    layers = []
    for size in layer_sizes:
        w = rng.uniform(-1.0, 1.0, size=(size, n_inputs)).tolist()
        layers.append([(row, 0.0) for row in w])
        n_inputs = size
    return layers


def learning_rate(step):
    """micrograd's demo schedule: η = 1 − 0.9·k/100 at step k."""
    return 1.0 - 0.9 * step / 100


@dataclass(frozen=True)
class Plan:
    """A random expression graph as data: leaf values, then ops ``(code, i, j)`` on earlier nodes.

    Node ``k`` is ``leaves[k]`` for ``k < len(leaves)`` and the result of ``ops[k − len(leaves)]``
    after that; a relu's ``j`` is −1. The last op is the root.
    """

    leaves: list
    ops: list

    @property
    def n_nodes(self):
        return len(self.leaves) + len(self.ops)


def random_plan(n_leaves, n_ops, seed=0):
    """A seeded random expression graph whose every node is reachable from its root.

    Each op is +, × or relu (weights 2:2:1) on operands drawn uniformly from all earlier nodes,
    which keeps the graph shallow (depth about e·ln n) and its values bounded. The nodes no op
    used are then summed pairwise (a balanced tree of +), so the root reaches everything.
    """
    if n_leaves < 1 or n_ops < 1:
        raise ValueError(f"random_plan: needs at least 1 leaf and 1 op, got {n_leaves} and {n_ops}")
    rng = np.random.default_rng(seed)
    leaves = rng.uniform(-1.0, 1.0, size=n_leaves).tolist()
    codes = rng.choice([ADD, MUL, RELU], size=n_ops, p=[0.4, 0.4, 0.2]).tolist()
    draws = rng.random((n_ops, 2)).tolist()
    used = bytearray(n_leaves + n_ops)
    ops = []
    for k, (code, (u, v)) in enumerate(zip(codes, draws)):
        available = n_leaves + k
        i = int(u * available)
        j = int(v * available) if code != RELU else -1
        used[i] = 1
        if j >= 0:
            used[j] = 1
        ops.append((code, i, j))
    level = [k for k in range(n_leaves + n_ops) if not used[k]]
    next_index = n_leaves + n_ops
    while len(level) > 1:
        paired = []
        for a in range(0, len(level) - 1, 2):
            ops.append((ADD, level[a], level[a + 1]))
            paired.append(next_index)
            next_index += 1
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return Plan(leaves, ops)
