"""autodiff: a scalar reverse-mode autograd engine whose every op is one row of a table."""

from .backward import backward, grad, gradients, zero_grad
from .graph import reverse_topological_order, topological_order
from .ops import CONST, OPS, DomainError, Op
from .value import AnomalyError, Value, apply, detect_anomaly, no_grad

__all__ = ["Value", "grad", "gradients", "backward", "zero_grad", "no_grad", "apply",
           "detect_anomaly", "AnomalyError", "topological_order", "reverse_topological_order", "OPS", "CONST", "Op", "DomainError"]
