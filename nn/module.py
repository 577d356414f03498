"""Module: the parameter bookkeeping shared by Neuron, Layer and MLP."""

__all__ = ["Module"]


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
