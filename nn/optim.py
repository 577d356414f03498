"""Optimisers: SGD (the lecture's w ← w + η·δ·x), SGD with momentum, and Adam."""

import math
from collections.abc import Callable, Iterable, Sequence

from autodiff import Value

from .module import check_number

__all__ = ["Optimizer", "SGD", "Adam", "OPTIMIZERS", "make_optimizer"]


class Optimizer:
    """Updates parameter Values from their ``.grad``: ``zero_grad()``, backward, then ``step()``."""

    def __init__(self, parameters: Iterable[Value], lr: float) -> None:
        self.parameters = list(parameters)
        if not self.parameters:
            raise ValueError(f"{type(self).__name__}: no parameters to optimise")
        self.lr = check_number(lr, f"{type(self).__name__}: lr")
        if self.lr <= 0.0:
            raise ValueError(f"{type(self).__name__}: lr must be positive, got {self.lr!r}")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set every parameter's ``.grad`` to 0 (backward accumulates into leaves).

        ``set_to_none`` is accepted for PyTorch's sake: stepgrad's ``.grad`` is always a float,
        never None, so either way it becomes 0.0.
        """
        for p in self.parameters:
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """w ← w − η·∂E/∂w, which is the lecture's w ← w + η·δ·x since δ·x = −∂E/∂w.

    With ``momentum`` μ > 0: v ← μ·v + ∂E/∂w, then w ← w − η·v (a running sum of past
    gradients that damps oscillation and speeds up along consistent directions).
    """

    def __init__(self, parameters: Iterable[Value], lr: float = 0.5, momentum: float = 0.0) -> None:
        super().__init__(parameters, lr)
        self.momentum = check_number(momentum, "SGD: momentum")
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {self.momentum!r}")
        self.velocity = [0.0] * len(self.parameters)

    def step(self) -> None:
        lr, mu = self.lr, self.momentum
        if mu == 0.0:
            for p in self.parameters:
                p.data -= lr * p.grad
            return
        velocity = self.velocity
        for i, p in enumerate(self.parameters):
            velocity[i] = mu * velocity[i] + p.grad
            p.data -= lr * velocity[i]


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): per-parameter steps from running moments of the gradient.

    m ← β₁·m + (1 − β₁)·g, v ← β₂·v + (1 − β₂)·g², and w ← w − η·m̂/(√v̂ + ε) with the
    bias-corrected m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ).
    """

    def __init__(self, parameters: Iterable[Value], lr: float = 0.01,
                 betas: Sequence[float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(parameters, lr)
        self.beta1, self.beta2 = (check_number(b, f"Adam: betas[{i}]") for i, b in enumerate(betas))
        if not (0.0 <= self.beta1 < 1.0 and 0.0 <= self.beta2 < 1.0):
            raise ValueError(f"Adam: betas must be in [0, 1), got {tuple(betas)!r}")
        self.eps = check_number(eps, "Adam: eps")
        self.t = 0
        self.m = [0.0] * len(self.parameters)
        self.v = [0.0] * len(self.parameters)

    def step(self) -> None:
        self.t += 1
        b1, b2, lr, eps, m, v = self.beta1, self.beta2, self.lr, self.eps, self.m, self.v
        correct1, correct2 = 1.0 - b1 ** self.t, 1.0 - b2 ** self.t
        for i, p in enumerate(self.parameters):
            g = p.grad
            m[i] = b1 * m[i] + (1.0 - b1) * g
            v[i] = b2 * v[i] + (1.0 - b2) * g * g
            p.data -= lr * (m[i] / correct1) / (math.sqrt(v[i] / correct2) + eps)


OPTIMIZERS: "dict[str, Callable[[Iterable[Value], float], Optimizer]]" = {
    "sgd": lambda parameters, lr: SGD(parameters, lr),
    "momentum": lambda parameters, lr: SGD(parameters, lr, momentum=0.9),
    "adam": lambda parameters, lr: Adam(parameters, lr),
}


def make_optimizer(name: str, parameters: Iterable[Value], lr: float) -> Optimizer:
    """An optimiser by name: sgd, momentum (SGD with μ = 0.9) or adam."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name](parameters, lr)
