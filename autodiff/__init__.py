"""autodiff: a scalar reverse-mode autograd engine whose every op is one row of a table."""

from .arrays import as_values, data_of, grad_of
from .backward import AccumulationWarning, backward, grad, gradients, zero_grad
from .explain import explain
from .graph import reverse_topological_order, topological_order
from .numerical import DerivativeCheck, GradientCheck, central_difference, check_gradients
from .opcheck import check_ops
from .ops import CONST, OPS, DivisionByZeroError, DomainError, Op
from .parse import ExpressionError, parse_expression
from .steps import Stepper, backward_steps
from .value import AnomalyError, Value, apply, constant, detect_anomaly, no_grad

__all__ = ["Value", "grad", "gradients", "backward", "AccumulationWarning", "zero_grad", "no_grad", "apply", "constant",
           "detect_anomaly", "AnomalyError", "topological_order", "reverse_topological_order",
           "OPS", "CONST", "Op", "DomainError", "DivisionByZeroError", "central_difference", "check_gradients",
           "GradientCheck", "DerivativeCheck", "as_values", "data_of", "grad_of",
           "backward_steps", "Stepper", "explain", "check_ops", "parse_expression", "ExpressionError",
           "trace", "Tape", "TraceError"]


def __getattr__(name):
    # NOTE: the tape needs numpy; it is imported on first use, not with autodiff.
    if name in ("trace", "Tape", "TraceError"):
        from . import tape
        return getattr(tape, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
