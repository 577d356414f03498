"""The records of one training step: a unit's net, o, δ, a weight's update, and the step's
numbers (``lecture.textbook`` computes them, ``lecture.tables`` lays them out)."""

from dataclasses import dataclass

from autodiff import Value

__all__ = ["UnitRecord", "WeightRecord", "StepRecord"]


@dataclass(frozen=True)
class UnitRecord:
    """A unit j after forward and backward: net_j, o_j, o_j(1 − o_j) and δ_j = −∂E/∂net_j."""

    name: str
    layer: int          # 1 for the first hidden layer
    net: float
    out: float
    slope: float        # ∂o_j/∂net_j from the activation's rule (o(1 − o) for sigmoid)
    delta: float
    signal: float       # −∂E/∂o_j: t_j − o_j for an output unit, Σ_k w_kj·δ_k for a hidden one
    activation: str


@dataclass(frozen=True)
class WeightRecord:
    """A weight w_ji (or bias b_j, whose input x is 1) and its update Δw = η·δ_j·x_ji."""

    label: str          # w14 or b4
    source: str | None  # unit i, None for a bias
    target: str         # unit j
    w: float
    x: float
    delta: float
    dw: float
    w_new: float
    grad: float         # ∂E/∂w from backward: Δw = −η·∂E/∂w


@dataclass(frozen=True)
class StepRecord:
    """The numbers of one training step, as ``lecture.tables`` lays them out; ``TrainingStep``
    (``lecture.textbook``) is this record with its finders and its notebook view."""

    x: "list[float]"
    t: "list[float]"
    eta: float
    outputs: "list[float]"
    error: float
    units: "list[UnitRecord]"
    weights: "list[WeightRecord]"
    new_outputs: "list[float]"
    new_error: float
    new_units: "list[UnitRecord]"
    root: Value
    input_names: "list[str]"
