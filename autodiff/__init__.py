"""autodiff: a scalar reverse-mode autograd engine whose every op is one row of a table.

The engine only: it reads and prints nothing and imports only the standard library. Its tape
(``autodiff.tape``: trace once, replay on numpy) is a subpackage imported on its own.
"""

import importlib
import warnings

from .gradients import grad, gradients, local_derivative
from .graph import reverse_topological_order, topological_order
from .numerical import DerivativeCheck, GradientCheck, central_difference, check_gradients
from .ops import CONST, OPS, DivisionByZeroError, DomainError, Op
from .parse import ExpressionError, parse_expression

# For the floors above (not the user's face):
from .symbolic import Symbol, as_symbol
from .value import (
    AccumulationWarning,
    AnomalyError,
    Value,
    anomaly_mode,
    apply,
    backward,
    check_root,
    constant,
    detect_anomaly,
    no_grad,
    zero_grad,
)

__all__ = ["Value", "grad", "gradients", "backward", "AccumulationWarning", "zero_grad", "no_grad",
           "apply", "constant", "detect_anomaly", "AnomalyError", "topological_order",
           "reverse_topological_order", "OPS", "CONST", "Op", "DomainError", "DivisionByZeroError",
           "central_difference", "check_gradients", "GradientCheck", "DerivativeCheck",
           "parse_expression", "ExpressionError", "local_derivative", "check_root"]

# Names that lived here before the engine was only the engine: their new homes, for one release.
_MOVED = {"Stepper": "stepgrad.stepping", "backward_steps": "stepgrad.stepping",
          "explain": "stepgrad.stepping", "check_ops": "stepgrad.stepping",
          "trace": "autodiff.tape", "Tape": "autodiff.tape", "TraceError": "autodiff.tape",
          "as_values": "nn", "data_of": "nn", "grad_of": "nn"}


def __getattr__(name):
    # NOTE: a deprecation shim, the one upward reach allowed (tests/test_layers.py): the name is
    # found by importlib in its new package, which is imported only when an old import asks.
    home = _MOVED.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"autodiff.{name} moved: import it from {home} (from {home} import {name}); "
                  f"the old name goes in the next release", DeprecationWarning, stacklevel=2)
    return getattr(importlib.import_module(home), name)
