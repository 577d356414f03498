"""The seeded inputs every engine gets: two-moons data, MLP weights, a random expression plan."""

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["ADD", "MUL", "RELU", "TANH", "EXP", "SIGMOID", "THREE_OPS", "SIX_OPS", "MAX_VALUE", "REG_STRENGTH",
           "Plan", "Sizes", "FULL", "QUICK", "two_moons", "mlp_weights", "random_plan", "learning_rate"]

# Op codes of a plan. micrograd 0.1.0 has only the first three; stepgrad and the floats have all six.
ADD, MUL, RELU, TANH, EXP, SIGMOID = range(6)
# Op mixes, code → weight. THREE_OPS is the graph micrograd is compared on (keep it as it is).
THREE_OPS = {ADD: 0.4, MUL: 0.4, RELU: 0.2}
SIX_OPS = {ADD: 0.3, MUL: 0.3, RELU: 0.1, TANH: 0.1, EXP: 0.1, SIGMOID: 0.1}
# A six-op plan keeps every op's value within ±MAX_VALUE (so exp never overflows): see random_plan.
MAX_VALUE = 1e3
_UNARY = (RELU, TANH, EXP, SIGMOID)
_REDRAWS = 100
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
    after that; a unary op's ``j`` is −1. The last op is the root.
    """

    leaves: list
    ops: list

    @property
    def n_nodes(self):
        return len(self.leaves) + len(self.ops)


def random_plan(n_leaves, n_ops, seed=0, mix=THREE_OPS):
    """A seeded random expression graph whose every node is reachable from its root.

    Each op is drawn from ``mix`` (code → weight; by default +, × and relu at 2:2:1) on operands
    drawn uniformly from all earlier nodes, which keeps the graph shallow (depth about e·ln n).
    The nodes no op used are then summed pairwise (a balanced tree of +), so the root reaches
    everything.

    Values: with +, × and relu, uniform operands keep them small (the full-size plan's largest
    is about 24 before the final sums). With exp they do not: exp, × and exp again overflow
    within about 10,000 ops. So a mix with tanh, exp or sigmoid computes each value as it goes,
    and an op whose value would leave ±MAX_VALUE draws its operands again (about 0.3 % of
    them, nearly all exps); exp's operand is then at most ln 1000 ≈ 6.9. The three-op plan is
    drawn as before: same seed, same graph.
    """
    if n_leaves < 1 or n_ops < 1:
        raise ValueError(f"random_plan: needs at least 1 leaf and 1 op, got {n_leaves} and {n_ops}")
    unknown = set(mix) - {ADD, MUL, *_UNARY}
    if unknown:
        raise ValueError(f"random_plan: unknown op codes {sorted(unknown)}")
    rng = np.random.default_rng(seed)
    leaves = rng.uniform(-1.0, 1.0, size=n_leaves).tolist()
    codes = rng.choice(list(mix), size=n_ops, p=list(mix.values())).tolist()
    draws = rng.random((n_ops, 2)).tolist()
    values = list(leaves) if set(mix) - {ADD, MUL, RELU} else None
    used = bytearray(n_leaves + n_ops)
    ops = []
    for k, (code, (u, v)) in enumerate(zip(codes, draws)):
        available = n_leaves + k
        i = int(u * available)
        j = int(v * available) if code not in _UNARY else -1
        if values is not None:
            i, j = _bounded(code, i, j, values, available, rng, k)
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


def _bounded(code, i, j, values, available, rng, k):
    """Operands ``(i, j)`` whose op value lies within ±MAX_VALUE, drawn again until it does;
    appends that value to ``values``."""
    for _ in range(_REDRAWS):
        value = _value(code, values[i], values[j] if j >= 0 else None)
        if abs(value) <= MAX_VALUE:
            values.append(value)
            return i, j
        u, v = rng.random(2).tolist()
        i = int(u * available)
        j = int(v * available) if j >= 0 else -1
    raise ValueError(f"random_plan: op {k} ({_NAMES[code]}) found no operands giving a value within "
                     f"±{MAX_VALUE:g} in {_REDRAWS} draws; the graph would overflow: use another seed or mix")


_NAMES = {ADD: "add", MUL: "mul", RELU: "relu", TANH: "tanh", EXP: "exp", SIGMOID: "sigmoid"}


def _value(code, a, b):
    """An op's value on floats, as ``autodiff.ops`` computes it (exp's overflow counts as infinite)."""
    if code == ADD:
        return a + b
    if code == MUL:
        return a * b
    if code == RELU:
        return a if a > 0.0 else 0.0
    if code == TANH:
        return math.tanh(a)
    if code == EXP:
        return math.exp(a) if a <= 709.0 else math.inf
    if a >= 0.0:   # sigmoid, in autodiff.ops's two forms
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)
