"""stepgrad's tape: each workload's graph built once by stepgrad, traced, then replayed on numpy arrays."""

import time

import numpy as np

from autodiff import Value
from autodiff.tape.tape import trace

from .engine_stepgrad import ENGINE as STEPGRAD

__all__ = ["ENGINE", "TapeEngine"]


class _Model:
    """The parameters as an array, and the traced graph of one training step on the batch."""

    def __init__(self, weights):
        self.weights, self.parameters, self.tape, self.trace_seconds = weights, None, None, None
        self.data = None   # a batch model's data leaves


class _Replay:
    """A traced random graph and its leaves' values; after ``backward`` its output and gradients."""

    def __init__(self, root, tape, values):
        self.root, self.tape, self.values = root, tape, values
        self.output = self.gradients = None


class TapeEngine:
    """The workloads of ``ValueEngine``, traced once and replayed.

    The MLP step's graph is the one stepgrad builds (the batch is the same every step, so its
    points and labels are constants); the random graph is stepgrad's, with its leaves as inputs.
    """

    name = "tape"

    # -- workload 1 ------------------------------------------------------------------------
    @staticmethod
    def mlp(weights):
        """The model; its graph is traced at the first step, when the batch is known."""
        model = _Model(weights)
        model.parameters = np.array([p for layer in weights for row, b in layer for p in (*row, b)])
        return model

    @staticmethod
    def mlp_parameters(model):
        """Every parameter, in ``ValueEngine``'s order."""
        return model.parameters.tolist()

    @staticmethod
    def mlp_step(model, points, labels, learning_rate):
        """A replay of the step's graph, then the SGD update; returns the loss before it.

        The first call builds the step's graph with stepgrad (``ValueEngine``'s code, so the
        same ops in the same order) and traces it; ``model.trace_seconds`` is what that cost.
        """
        if model.tape is None:
            start = time.perf_counter()
            values = STEPGRAD.mlp(model.weights)
            total = STEPGRAD.loss(values, points, labels)
            model.tape = trace(total, STEPGRAD.parameters(values))
            model.trace_seconds = time.perf_counter() - start
        loss, gradients = model.tape(model.parameters)
        model.parameters -= learning_rate * gradients
        return loss

    # -- the batch workload ----------------------------------------------------------------
    @staticmethod
    def batch_model(weights):
        """One point's loss relu(1 − y·score), built by stepgrad and traced, its inputs and −y as
        data leaves: a batch replays it once for all its points."""
        values = STEPGRAD.mlp(weights)
        inputs, minus_y = [Value(0.0), Value(0.0)], Value(0.0)
        loss = (STEPGRAD.score(values, inputs) * minus_y + 1.0).relu()
        model = _Model(weights)
        model.parameters = np.array(STEPGRAD.mlp_parameters(values))
        model.tape = trace(loss, STEPGRAD.parameters(values))
        model.data = (*inputs, minus_y)
        return model

    @staticmethod
    def batch_step(model, points, labels):
        """The batch's mean loss and its gradient: one replay over every point."""
        x, y, minus_y = model.data
        total, gradients = model.tape(model.parameters, data={x: points[:, 0], y: points[:, 1], minus_y: -labels})
        return total / len(labels), gradients / len(labels)

    # -- workload 2 ------------------------------------------------------------------------
    @staticmethod
    def build(plan):
        """stepgrad's graph of the plan, traced; returns ``(replay, number of leaves)``."""
        root, leaves = STEPGRAD.build(plan)
        return _Replay(root, trace(root, leaves), np.array(plan.leaves)), len(leaves)

    @staticmethod
    def backward(replay):
        """One replay: forward and backward on arrays."""
        replay.output, replay.gradients = replay.tape(replay.values)

    @staticmethod
    def root_value(replay):
        return replay.output

    @staticmethod
    def leaf_gradients(replay, n_leaves):
        return replay.gradients.tolist()

    @staticmethod
    def count_nodes(replay):
        """The nodes of the traced graph."""
        return STEPGRAD.count_nodes(replay.root)


ENGINE = TapeEngine()
