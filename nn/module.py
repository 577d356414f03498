"""Module: the parameter bookkeeping shared by Neuron, Layer and MLP."""

import math
import numbers
import warnings

from autodiff import Value

__all__ = ["Module", "check_number"]


def check_number(x: object, where: str) -> float:
    """x as a finite float; a ValueError naming ``where`` if it is not a finite real number."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"{where}: expected a number, got {type(x).__name__} {x!r:.40}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{where}: expected a finite number, got {x!r}")
    return x


class Module:
    """Something with parameters: names them (``layers.0.neurons.1.w.2``) and zeroes their grads."""

    def named_parameters(self, prefix: str = "") -> "list[tuple[str, Value]]":
        """``(name, Value)`` pairs in a fixed order; names as in ``parameter_values``."""
        return []

    def parameters(self) -> "list[Value]":
        return [p for _, p in self.named_parameters()]

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set every parameter's ``.grad`` to 0 (backward accumulates into leaves).

        ``set_to_none`` is accepted for PyTorch's sake: stepgrad's ``.grad`` is always a float,
        never None, so either way it becomes 0.0.
        """
        for p in self.parameters():
            p.grad = 0.0

    def parameter_values(self) -> "dict[str, float]":
        """``{name: float}`` for every parameter, in ``named_parameters`` order: one entry per
        scalar (``layers.0.neurons.1.w.2``), the form weights files hold. For PyTorch's
        layout (``0.weight`` → a tensor) use ``network.to_torch().state_dict()``."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_parameter_values(self, state: "dict[str, float]", where: str = "state") -> None:
        """Set every parameter from ``{name: number}``; all are checked before any is set.

        Every name must be present and no other; each value must be a finite real number.
        Errors are ValueErrors naming the entry (``where``, then the parameter's name).
        """
        if not isinstance(state, dict):
            raise ValueError(f"{where}: expected a mapping of parameter names to numbers, "
                             f"got {type(state).__name__}")
        named = self.named_parameters()
        names = [name for name, _ in named]
        missing = [name for name in names if name not in state]
        if missing:
            raise ValueError(f"{where}: missing {_quoted(missing)}")
        known = set(names)
        unexpected = [name for name in state if name not in known]
        if unexpected:
            raise ValueError(f"{where}: unexpected {_quoted(unexpected)} (this network has "
                             f"{len(names)} parameters, {names[0]} … {names[-1]})")
        values = [check_number(state[name], f"{where}[{name!r}]") for name in names]
        for (_, p), x in zip(named, values):
            p.data = x

    # NOTE: the old names, for one release. They shared PyTorch's names but not its layout
    # (PyTorch's state_dict is "0.weight" → tensor; stepgrad's is one float per scalar), so a
    # PyTorch user's torch_module.load_state_dict(network.state_dict()) failed.
    def state_dict(self) -> "dict[str, float]":
        """Deprecated: ``parameter_values()``; for PyTorch's layout, ``to_torch().state_dict()``."""
        _renamed("state_dict", "parameter_values")
        return self.parameter_values()

    def load_state_dict(self, state: "dict[str, float]", where: str = "state") -> None:
        """Deprecated: ``load_parameter_values(state)``; for a PyTorch state_dict,
        ``MLP.from_torch``."""
        _renamed("load_state_dict", "load_parameter_values")
        self.load_parameter_values(state, where)


def _renamed(old, new):
    warnings.warn(f"{old}() is renamed {new}(): it gives one float per scalar parameter "
                  f"(layers.0.neurons.0.w.0), not PyTorch's layout (0.weight → tensor), which "
                  f"network.to_torch().state_dict() gives and MLP.from_torch() reads. The old "
                  f"name goes in the next release.", DeprecationWarning, stacklevel=3)


def _quoted(names, limit=3):
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
