"""Small seeded datasets for training demos: XOR, two moons, circles; a train/validation split.

numpy is imported when a dataset is made, not with ``nn`` (it would double the start-up time
of every ``stepgrad`` command).
"""

import math
from dataclasses import dataclass

__all__ = ["Dataset", "xor", "moons", "circles", "split", "DATASETS"]


@dataclass(frozen=True)
class Dataset:
    """Examples as plain lists: ``inputs[d]`` is x_d, ``targets[d]`` is t_d (lists of floats)."""

    name: str
    inputs: list
    targets: list

    def __len__(self) -> int:
        return len(self.inputs)

    def __post_init__(self):
        if len(self.inputs) != len(self.targets):
            raise ValueError(f"dataset {self.name}: {len(self.inputs)} inputs for "
                             f"{len(self.targets)} targets")

    @property
    def n_inputs(self) -> int:
        return len(self.inputs[0]) if self.inputs else 0


def _dataset(name, points, labels):
    return Dataset(name, [[float(a) for a in p] for p in points], [[float(c)] for c in labels])


def xor() -> Dataset:
    """The four points of XOR: t = 1 exactly when one input is 1."""
    points = [(0, 0), (0, 1), (1, 0), (1, 1)]
    return _dataset("xor", points, [a ^ b for a, b in points])


def _check_size(n, noise):
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an integer ≥ 2, got {n!r}")
    if not (isinstance(noise, (int, float)) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number ≥ 0, got {noise!r}")


def moons(n: int = 200, noise: float = 0.1, seed: "int | None" = 0) -> Dataset:
    """Two interleaving half circles in 2-D, ``n`` points (half of each class), Gaussian noise.

    Class 0 is the upper arc (cos θ, sin θ), class 1 the lower arc (1 − cos θ, ½ − sin θ),
    θ ∈ [0, π]. The points are shuffled; the same seed gives the same points.
    """
    import numpy as np
    _check_size(n, noise)
    rng = np.random.default_rng(seed)
    upper, lower = n - n // 2, n // 2
    theta = np.linspace(0.0, math.pi, upper)
    phi = np.linspace(0.0, math.pi, lower)
    points = np.concatenate([np.stack([np.cos(theta), np.sin(theta)], axis=1),
                             np.stack([1.0 - np.cos(phi), 0.5 - np.sin(phi)], axis=1)])
    points += rng.normal(0.0, noise, points.shape)
    labels = np.concatenate([np.zeros(upper, dtype=int), np.ones(lower, dtype=int)])
    order = rng.permutation(n)
    return _dataset("moons", points[order], labels[order])


def circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: "int | None" = 0) -> Dataset:
    """Two concentric circles in 2-D: class 0 on radius 1, class 1 on radius ``factor``.

    ``n`` points, half of each class, Gaussian noise; shuffled; the same seed, the same points.
    """
    _check_size(n, noise)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be in (0, 1), got {factor!r}")
    import numpy as np
    rng = np.random.default_rng(seed)
    outer, inner = n - n // 2, n // 2
    # endpoint=False: 0 and 2π are the same point.
    theta = np.linspace(0.0, 2.0 * math.pi, outer, endpoint=False)
    phi = np.linspace(0.0, 2.0 * math.pi, inner, endpoint=False)
    points = np.concatenate([np.stack([np.cos(theta), np.sin(theta)], axis=1),
                             factor * np.stack([np.cos(phi), np.sin(phi)], axis=1)])
    points += rng.normal(0.0, noise, points.shape)
    labels = np.concatenate([np.zeros(outer, dtype=int), np.ones(inner, dtype=int)])
    order = rng.permutation(n)
    return _dataset("circles", points[order], labels[order])


def split(dataset: Dataset, validation: float = 0.25, seed: "int | None" = 0) -> "tuple[Dataset, Dataset]":
    """``(train, validation)``: a seeded random ``validation`` fraction of the examples held out."""
    if not 0.0 < validation < 1.0:
        raise ValueError(f"validation fraction must be in (0, 1), got {validation!r}")
    n_validation = round(len(dataset) * validation)
    if not 0 < n_validation < len(dataset):
        raise ValueError(f"dataset {dataset.name}: {len(dataset)} examples are too few to hold "
                         f"out {validation:.0%} for validation")
    import numpy as np
    order = np.random.default_rng(seed).permutation(len(dataset))
    held, kept = sorted(order[:n_validation]), sorted(order[n_validation:])

    def subset(name, indices):
        return Dataset(name, [dataset.inputs[i] for i in indices],
                       [dataset.targets[i] for i in indices])
    return subset(f"{dataset.name} (train)", kept), subset(f"{dataset.name} (validation)", held)


DATASETS = {"xor": xor, "moons": moons, "circles": circles}
