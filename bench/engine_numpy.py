"""Hand-written numpy: the MLP's forward and backward over a whole batch, one matrix product per layer."""

import numpy as np

__all__ = ["ENGINE", "NumpyEngine"]


class NumpyEngine:
    """The batch workload written by hand on arrays: the floor for the tape's batch replay."""

    name = "numpy"

    @staticmethod
    def batch_model(weights):
        """Per layer: the weight matrix (neurons × inputs) and the bias vector."""
        return [(np.array([row for row, _ in layer]), np.array([b for _, b in layer])) for layer in weights]

    @staticmethod
    def batch_step(model, points, labels):
        """The mean of relu(1 − y·score) over the batch and its gradient, in ``ValueEngine``'s order.

        ``points`` is an (n × 2) array and ``labels`` an array of ±1.
        """
        last = len(model) - 1
        xs, seen = points, []
        for depth, (w, b) in enumerate(model):
            seen.append(xs)
            xs = xs @ w.T + b
            if depth != last:
                xs = np.maximum(xs, 0.0)
        margin = 1.0 - labels * xs[:, 0]
        loss = np.maximum(margin, 0.0).mean()
        # ∂loss/∂score per point: −y/n where the margin is positive
        upstream = np.where(margin > 0.0, -labels / len(labels), 0.0)[:, None]
        grads = []
        for depth in range(last, -1, -1):
            w = model[depth][0]
            if depth != last:   # through the relu: out > 0 exactly where net > 0
                upstream = upstream * (seen[depth + 1] > 0.0)
            grads.append(np.concatenate([upstream.T @ seen[depth], upstream.sum(axis=0)[:, None]], axis=1))
            if depth:
                upstream = upstream @ w
        return float(loss), np.concatenate([g.ravel() for g in reversed(grads)])


ENGINE = NumpyEngine()
