"""A network's loss on one example, traced once and replayed for every batch (what ``fit`` uses)."""

from autodiff import Value

from .layers import MLP, input_label, target_label
from .losses import mean_squared_error, squared_error

__all__ = ["TapedLoss", "can_tape"]

# Losses that are a sum over examples of one example's loss (or its mean: True), whose graph
# does not depend on the values. binary_cross_entropy branches on them, so it is not here.
_PER_EXAMPLE = {squared_error: False, mean_squared_error: True}


def can_tape(network, loss, batch_size, inputs, targets):
    """True if ``fit`` should replay a tape: an MLP, a loss summed or averaged per example,
    numbers as examples, and batches of more than one (one example is faster without)."""
    return (batch_size != 1 and type(network) is MLP and loss in _PER_EXAMPLE
            and all(type(x) in (int, float) for row in (*inputs, *targets) for x in row))


class TapedLoss:
    """``loss([network(x)], [t])`` traced with x and t as data leaves and the parameters as inputs.

    ``gradients(xs, ts)`` gives the loss over a batch (rows of the arrays xs and ts, see
    ``arrays``) and ∂loss/∂parameter, as ``loss([network(x) for x in xs], ts)`` and its
    ``backward()`` would.
    """

    def __init__(self, network, loss):
        self.parameters = network.parameters()
        self.x = [Value(0.0, label=input_label(name)) for name in network.unit_names[0]]
        self.t = [Value(0.0, label=target_label(name)) for name in network.unit_names[-1]]
        self.mean = _PER_EXAMPLE[loss]
        from autodiff.tape import trace
        self.tape = trace(loss([network(self.x)], [self.t]), self.parameters)

    def arrays(self, inputs, targets):
        """Examples as the two float arrays the other methods take."""
        import numpy as np
        return np.asarray(inputs, dtype=float), np.asarray(targets, dtype=float)

    def _data(self, xs, ts):
        data = {leaf: xs[:, i] for i, leaf in enumerate(self.x)}
        data.update((leaf, ts[:, k]) for k, leaf in enumerate(self.t))
        return data, len(xs)

    def _values(self):
        return [p.data for p in self.parameters]

    def gradients(self, inputs, targets):
        """(loss over the batch, gradients as a float array in ``parameters`` order)."""
        data, n = self._data(inputs, targets)
        total, grads = self.tape(self._values(), data)
        return (total / n, grads / n) if self.mean else (total, grads)

    def losses(self, *sets):
        """The loss over each set of examples, ``(xs, ts)`` each, as floats: one replay for all."""
        import numpy as np
        xs, ts = np.concatenate([x for x, _ in sets]), np.concatenate([t for _, t in sets])
        rows = self.tape.forward(self._values(), self._data(xs, ts)[0])
        totals, start = [], 0
        for x, _ in sets:
            total = float(rows[start:start + len(x)].sum())  # pyright: ignore[reportIndexIssue]
            totals.append(total / len(x) if self.mean else total)
            start += len(x)
        return totals
