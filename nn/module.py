"""Module: the parameter bookkeeping shared by Neuron, Layer and MLP."""

import math
import numbers

__all__ = ["Module", "check_number"]


def check_number(x, where):
    """x as a finite float; a ValueError naming ``where`` if it is not a finite real number."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"{where}: expected a number, got {type(x).__name__} {x!r:.40}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{where}: expected a finite number, got {x!r}")
    return x


class Module:
    """Something with parameters: names them (``layers.0.neurons.1.w.2``) and zeroes their grads."""

    def named_parameters(self, prefix=""):
        """``(name, Value)`` pairs in a fixed order; names as in ``state_dict``."""
        return []

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self):
        """``{name: float}`` for every parameter, in ``named_parameters`` order."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state, where="state"):
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


def _quoted(names, limit=3):
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
