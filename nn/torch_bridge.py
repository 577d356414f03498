"""The same network in PyTorch and back: ``MLP.to_torch()`` and ``MLP.from_torch(module)``.

torch is an optional extra (``pip install 'stepgrad[torch]'``); it is imported on first use.
"""

__all__ = ["to_torch", "from_torch"]

# stepgrad's activation → torch.nn's module; identity has none.
_MODULES = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}


def _torch():
    try:
        import torch
    except ImportError:
        raise ImportError("PyTorch is not installed: pip install 'stepgrad[torch]' "
                          "(or pip install torch)") from None
    return torch


def to_torch(network, dtype=None):
    """A ``torch.nn.Sequential`` of Linear layers and activations with ``network``'s weights.

    ``dtype`` defaults to ``torch.float64``, in which outputs and gradients agree with stepgrad's.
    """
    torch = _torch()
    dtype = torch.float64 if dtype is None else dtype
    modules = []
    for layer, activation in zip(network.layers, network.activations):
        linear = torch.nn.Linear(len(layer.neurons[0].w), len(layer.neurons), dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=dtype))
            linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=dtype))
        modules.append(linear)
        if activation in _MODULES:
            modules.append(getattr(torch.nn, _MODULES[activation])())
    return torch.nn.Sequential(*modules)


def from_torch(module, unit_names=None):
    """An ``MLP`` with the weights of a ``torch.nn.Sequential`` of Linear layers, each followed by
    at most one of Sigmoid, Tanh or ReLU (none: identity). Raises ValueError naming the module
    that does not fit."""
    torch = _torch()
    from .layers import MLP
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(f"from_torch: expected a torch.nn.Sequential, got {type(module).__name__}")
    names = {getattr(torch.nn, name): activation for activation, name in _MODULES.items()}
    weights, biases, activations = [], [], []
    for index, part in enumerate(module):
        if isinstance(part, torch.nn.Linear):
            if part.bias is None:
                raise ValueError(f"from_torch: module {index} (Linear) has no bias; stepgrad's "
                                 "units always have one")
            if weights and part.in_features != len(weights[-1]):
                raise ValueError(f"from_torch: module {index} takes {part.in_features} inputs, "
                                 f"the layer before gives {len(weights[-1])}")
            weights.append(part.weight.detach().double().tolist())
            biases.append(part.bias.detach().double().tolist())
            activations.append("identity")
        elif type(part) in names and activations and activations[-1] == "identity" \
                and isinstance(module[index - 1], torch.nn.Linear):
            activations[-1] = names[type(part)]
        else:
            raise ValueError(f"from_torch: module {index} ({type(part).__name__}) is not a Linear "
                             "layer or one Sigmoid, Tanh or ReLU after one")
    if not weights:
        raise ValueError("from_torch: the module has no Linear layer")
    return MLP(len(weights[0][0]), [len(b) for b in biases], activation=activations,
               weights=weights, biases=biases, unit_names=unit_names)
