"""Losses built from Value ops: the lecture's squared error, mean squared error, cross-entropy.

Each takes one example's ``outputs`` and ``targets`` (lists), or lists of such lists (one per
example), and returns a Value (or a float if no output is a Value).
"""

import math
from collections.abc import Sequence
from typing import Protocol, overload

from autodiff import OPS, Value

__all__ = ["squared_error", "mean_squared_error", "binary_cross_entropy", "LOSSES", "Loss"]

_SIGMOID = OPS["sigmoid"]
_EPSILON = 1e-12


def _pairs(outputs: Sequence, targets: Sequence) -> "list[tuple[Value | float, Value | float]]":
    """(o, t) for every output of every example, after checking that the shapes agree."""
    outputs, targets = list(outputs), list(targets)
    if len(outputs) != len(targets):
        raise ValueError(f"{len(outputs)} outputs for {len(targets)} targets")
    if not outputs or not isinstance(outputs[0], (list, tuple)):
        return list(zip(outputs, targets))
    pairs = []
    for d, (o, t) in enumerate(zip(outputs, targets)):
        if not isinstance(o, (list, tuple)) or not isinstance(t, (list, tuple)):
            raise ValueError(f"example {d}: outputs and targets must both be lists")
        if len(o) != len(t):
            raise ValueError(f"example {d}: {len(o)} outputs for {len(t)} targets")
        pairs.extend(zip(o, t))
    return pairs


def _total(terms):
    """Σ terms, starting from the first term so the graph has no spurious ``0 +`` node."""
    if not terms:
        raise ValueError("no outputs to compare with targets")
    return sum(terms[1:], terms[0])


# One example's outputs, or one list of outputs per example; targets have the same shape.
_Outputs = Sequence[Value] | Sequence[Sequence[Value]]
_Numbers = Sequence[Value | float] | Sequence[Sequence[Value | float]]


@overload
def squared_error(outputs: _Outputs, targets: _Numbers) -> Value: ...
@overload
def squared_error(outputs: _Numbers, targets: _Numbers) -> "Value | float": ...
def squared_error(outputs: _Numbers, targets: _Numbers) -> "Value | float":
    """The lecture's E = ½ Σ_d Σ_k (t_kd − o_kd)²: summed over examples and output units."""
    return 0.5 * _total([(t - o) ** 2 for o, t in _pairs(outputs, targets)])


@overload
def mean_squared_error(outputs: _Outputs, targets: _Numbers) -> Value: ...
@overload
def mean_squared_error(outputs: _Numbers, targets: _Numbers) -> "Value | float": ...
def mean_squared_error(outputs: _Numbers, targets: _Numbers) -> "Value | float":
    """(1/n) Σ (t − o)² over all n outputs of all examples."""
    pairs = _pairs(outputs, targets)
    return _total([(t - o) ** 2 for o, t in pairs]) / len(pairs)


@overload
def binary_cross_entropy(outputs: _Outputs, targets: _Numbers) -> Value: ...
@overload
def binary_cross_entropy(outputs: _Numbers, targets: _Numbers) -> "Value | float": ...
def binary_cross_entropy(outputs: _Numbers, targets: _Numbers) -> "Value | float":
    """−(1/n) Σ [t·log o + (1 − t)·log(1 − o)] over all n outputs, targets in [0, 1].

    NOTE: numerically safe. For an output made by a sigmoid, o = σ(net), the logs are taken
    in log-sigmoid form from net: log σ(z) = −log(1 + e^(−z)) for z ≥ 0 and z − log(1 + e^z)
    for z < 0, so exp never overflows and log never sees 0, even where o rounds to 0 or 1.
    The loss's graph then starts at net (o itself takes no gradient). Any other output must
    lie in [0, 1] and is clamped: a probability below 10⁻¹² counts as 10⁻¹², a constant
    term that passes no gradient.
    """
    pairs = _pairs(outputs, targets)
    terms = []
    for d, (o, t) in enumerate(pairs):
        t = float(t)
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"binary_cross_entropy: target {d} is {t!r}, not in [0, 1]")
        if not 0.0 <= float(o) <= 1.0:
            raise ValueError(f"binary_cross_entropy: output {d} is {float(o)!r}, "
                             "not a probability in [0, 1]")
        if t > 0.0:
            terms.append(_weighted(t, _log_probability(o, positive=True)))
        if t < 1.0:
            terms.append(_weighted(1.0 - t, _log_probability(o, positive=False)))
    return -_total(terms) / len(pairs)


def _weighted(weight, term):
    return term if weight == 1.0 else weight * term


def _log_probability(o, positive):
    """log o (positive) or log(1 − o), safely; ``o`` is a Value or a float."""
    if isinstance(o, Value) and o.op is _SIGMOID:
        net = o.parents[0]
        return _log_sigmoid(net if positive else -net)
    p = o if positive else 1.0 - o
    if float(p) < _EPSILON:
        return math.log(_EPSILON)
    return p.log() if isinstance(p, Value) else math.log(p)


def _log_sigmoid(z):
    if z.data >= 0.0:
        return -(1.0 + (-z).exp()).log()
    return z - (1.0 + z.exp()).log()


class Loss(Protocol):
    """What every loss here is, so that a table of them keeps their types."""

    @overload
    def __call__(self, outputs: _Outputs, targets: _Numbers, /) -> Value: ...
    @overload
    def __call__(self, outputs: _Numbers, targets: _Numbers, /) -> "Value | float": ...


LOSSES: "dict[str, Loss]" = {"squared_error": squared_error, "mean_squared_error": mean_squared_error,
          "binary_cross_entropy": binary_cross_entropy}
