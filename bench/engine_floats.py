"""The floor: plain Python floats doing the engines' arithmetic, with a hand-written backward."""

from .workloads import ADD, MUL, REG_STRENGTH

__all__ = ["ENGINE", "FloatEngine"]


class _Tape:
    """A plan's forward values, and after ``backward`` the gradient of the root for each node."""

    __slots__ = ("ops", "n_leaves", "values", "grads")

    def __init__(self, ops, n_leaves, values):
        self.ops, self.n_leaves, self.values, self.grads = ops, n_leaves, values, None


class FloatEngine:
    """The workloads of ``ValueEngine`` on floats, in the same order of operations.

    No graph objects: the MLP's backward is the chain rule written out by hand, and a random
    plan is replayed backwards from its list of ops.
    """

    name = "floats"

    # -- workload 1 ------------------------------------------------------------------------
    @staticmethod
    def mlp(weights):
        """The model: per layer, the weight rows and the biases as lists of floats."""
        return [([list(row) for row, _ in layer], [b for _, b in layer]) for layer in weights]

    @staticmethod
    def mlp_parameters(model):
        """Every parameter, in ``ValueEngine``'s order."""
        return [p for rows, biases in model for row, b in zip(rows, biases) for p in (*row, b)]

    def mlp_step(self, model, points, labels, learning_rate):
        """Forward, hand-written backward and an SGD update; returns the loss before it."""
        last = len(model) - 1
        grad_rows = [[[0.0] * len(row) for row in rows] for rows, _ in model]
        grad_biases = [[0.0] * len(biases) for _, biases in model]
        scale = 1.0 / len(points)
        data_loss = None
        for point, label in zip(points, labels):
            # forward, keeping each layer's input and output
            inputs = []
            activations = list(point)
            for depth, (rows, biases) in enumerate(model):
                inputs.append(activations)
                nets = []
                for row, b in zip(rows, biases):
                    net = b
                    for w, x in zip(row, activations):
                        net = net + w * x
                    nets.append(net)
                activations = nets if depth == last else [n if n > 0.0 else 0.0 for n in nets]
            margin = activations[0] * -label + 1.0
            loss = margin if margin > 0.0 else 0.0
            data_loss = loss if data_loss is None else data_loss + loss
            # backward: ∂L/∂loss = 1/n, through relu(margin), then ∂margin/∂score = −y
            upstream = [scale * (1.0 if margin > 0.0 else 0.0) * -label]
            for depth in range(last, -1, -1):
                rows, _ = model[depth]
                x = inputs[depth]
                if depth != last:  # through the relu: out > 0 exactly where net > 0
                    outputs = inputs[depth + 1]
                    upstream = [g if o > 0.0 else 0.0 for g, o in zip(upstream, outputs)]
                below = [0.0] * len(x)  # the inputs get gradients too, as in the engines
                for k, (g, row) in enumerate(zip(upstream, rows)):
                    grad_row = grad_rows[depth][k]
                    grad_biases[depth][k] += g
                    for i, w in enumerate(row):
                        grad_row[i] += g * x[i]
                        below[i] += g * w
                upstream = below
        parameters = self.mlp_parameters(model)
        reg = None
        for p in parameters:
            reg = p * p if reg is None else reg + p * p
        total = data_loss * scale + reg * REG_STRENGTH
        # ∂(α·Σp²)/∂p = α·p + α·p: p*p has p as both operands
        for (rows, biases), g_rows, g_biases in zip(model, grad_rows, grad_biases):
            for k, (row, g_row) in enumerate(zip(rows, g_rows)):
                for i, w in enumerate(row):
                    row[i] = w - learning_rate * (g_row[i] + REG_STRENGTH * w + REG_STRENGTH * w)
                b = biases[k]
                biases[k] = b - learning_rate * (g_biases[k] + REG_STRENGTH * b + REG_STRENGTH * b)
        return total

    # -- workload 2 ------------------------------------------------------------------------
    @staticmethod
    def build(plan):
        """Replay the plan forward; returns ``(tape, number of leaves)``."""
        values = list(plan.leaves)
        append = values.append
        for code, i, j in plan.ops:
            if code == ADD:
                append(values[i] + values[j])
            elif code == MUL:
                append(values[i] * values[j])
            else:
                a = values[i]
                append(a if a > 0.0 else 0.0)
        return _Tape(plan.ops, len(plan.leaves), values), len(plan.leaves)

    @staticmethod
    def backward(tape):
        """Replay the plan backwards from the root, accumulating ∂root/∂node per node."""
        values = tape.values
        grads = [0.0] * len(values)
        grads[-1] = 1.0
        k = len(values)
        for code, i, j in reversed(tape.ops):
            k -= 1
            g = grads[k]
            if code == ADD:
                grads[i] += g
                grads[j] += g
            elif code == MUL:
                grads[i] += g * values[j]
                grads[j] += g * values[i]
            elif values[k] > 0.0:
                grads[i] += g
        tape.grads = grads

    @staticmethod
    def root_value(tape):
        """The root's forward value."""
        return tape.values[-1]

    @staticmethod
    def leaf_gradients(tape, n_leaves):
        """∂root/∂leaf for each leaf, after ``backward``."""
        return tape.grads[:n_leaves]

    @staticmethod
    def count_nodes(tape):
        """Every node of a plan is reachable from its root, so: all of them."""
        return len(tape.values)


ENGINE = FloatEngine()
