"""The same network in PyTorch and back: ``MLP.to_torch()`` and ``MLP.from_torch(module)``.

torch is an optional extra (``pip install 'stepgrad[torch]'``); it is imported on first use.
This module works on plain data (nested lists of floats) and on anything shaped like an MLP
(``layers`` and ``activations``), so that ``nn.layers`` can import it and not the other way.
"""

import math
from typing import Any

__all__ = ["to_torch", "torch_weights"]

# stepgrad's activation → torch.nn's module; identity has none.
_MODULES = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}


def _torch() -> Any:
    try:
        import torch  # pyright: ignore[reportMissingImports]  (optional: the torch extra)
    except ImportError:
        raise ImportError("PyTorch is not installed: pip install 'stepgrad[torch]' "
                          "(or pip install torch)") from None
    return torch


def to_torch(network: Any, dtype: Any = None) -> Any:
    """A ``torch.nn.Sequential`` of Linear layers and activations with ``network``'s weights.

    ``dtype`` defaults to ``torch.get_default_dtype()`` (float32 unless changed), as a module
    PyTorch makes would, so that inputs made the usual way fit it. stepgrad computes in
    float64: pass ``dtype=torch.float64`` for outputs and gradients that agree with
    stepgrad's to 1e-12 (in float32 they agree to about 1e-6).
    """
    torch = _torch()
    dtype = torch.get_default_dtype() if dtype is None else dtype
    modules = []
    for layer, activation in zip(network.layers, network.activations):
        linear = torch.nn.Linear(len(layer.neurons[0].w), len(layer.neurons), dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons],
                                             dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons],
                                           dtype=torch.float64))
        modules.append(linear)
        if activation in _MODULES:
            modules.append(getattr(torch.nn, _MODULES[activation])())
    return torch.nn.Sequential(*modules)


def torch_weights(module: Any) -> "tuple[list, list, list[str]]":
    """``(weights, biases, activations)`` of a ``torch.nn.Linear``, or of a
    ``torch.nn.Sequential`` of Linear layers each followed by at most one of Sigmoid, Tanh or
    ReLU (none: identity), in the form ``MLP`` takes. Raises ValueError naming the module that
    does not fit, or the parameter (as PyTorch's state_dict names it: ``0.weight[1, 2]``)
    that holds a NaN or an infinity."""
    torch = _torch()
    if isinstance(module, torch.nn.Linear):
        parts, prefix = [module], ""
    elif isinstance(module, torch.nn.Sequential):
        parts, prefix = list(module), None
    else:
        raise TypeError(f"from_torch: expected a torch.nn.Sequential or torch.nn.Linear, got "
                        f"{type(module).__name__}")
    names = {getattr(torch.nn, name): activation for activation, name in _MODULES.items()}
    weights, biases, activations = [], [], []
    for index, part in enumerate(parts):
        if isinstance(part, torch.nn.Linear):
            if part.bias is None:
                raise ValueError(f"from_torch: module {index} (Linear) has no bias; stepgrad's "
                                 "units always have one")
            if weights and part.in_features != len(weights[-1]):
                raise ValueError(f"from_torch: module {index} takes {part.in_features} inputs, "
                                 f"the layer before gives {len(weights[-1])}")
            where = f"{index}." if prefix is None else prefix
            weight = part.weight.detach().double().tolist()
            bias = part.bias.detach().double().tolist()
            _check_finite(weight, f"{where}weight")
            _check_finite(bias, f"{where}bias")
            weights.append(weight)
            biases.append(bias)
            activations.append("identity")
        elif type(part) in names and activations and activations[-1] == "identity" \
                and isinstance(parts[index - 1], torch.nn.Linear):
            activations[-1] = names[type(part)]
        else:
            raise ValueError(f"from_torch: module {index} ({type(part).__name__}) is not a Linear "
                             "layer or one Sigmoid, Tanh or ReLU after one")
    if not weights:
        raise ValueError("from_torch: the module has no Linear layer")
    return weights, biases, activations


def _check_finite(values: list, name: str) -> None:
    rows = values if values and isinstance(values[0], list) else [values]
    for i, row in enumerate(rows):
        for j, x in enumerate(row):
            if not math.isfinite(x):
                at = f"[{i}, {j}]" if rows is values else f"[{j}]"
                raise ValueError(f"from_torch: parameter {name}{at} is {x!r}; stepgrad's "
                                 f"weights and biases must be finite numbers")
