"""The floor: plain Python floats doing the engines' arithmetic, with a hand-written backward."""

from math import exp, tanh
from operator import mul

from .workloads import ADD, EXP, MUL, REG_STRENGTH, RELU, TANH

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

    @staticmethod
    def mlp_step(model, points, labels, learning_rate):
        """Forward, hand-written backward and an SGD update; returns the loss before it.

        Lean on purpose (it is the floor the tape is held to): each neuron's net is
        ``sum(map(mul, row, xs), b)``, which adds b + w₁x₁ + … left to right as the engines do;
        the backward is the chain rule per layer over lists, and the points, being data, get no
        gradient. It does the engines' arithmetic, every op once; it skips no zero gradient.
        """
        last = len(model) - 1
        grad_rows = [[[0.0] * len(row) for row in rows] for rows, _ in model]
        grad_biases = [[0.0] * len(biases) for _, biases in model]
        scale = 1.0 / len(points)
        data_loss = 0.0
        for point, label in zip(points, labels):
            xs = point
            seen = []   # each layer's input
            for depth, (rows, biases) in enumerate(model):
                seen.append(xs)
                nets = [sum(map(mul, row, xs), b) for row, b in zip(rows, biases)]
                xs = nets if depth == last else [v if v > 0.0 else 0.0 for v in nets]
            margin = xs[0] * -label + 1.0
            data_loss += margin if margin > 0.0 else 0.0
            # backward: ∂L/∂loss = 1/n, through relu(margin), then ∂margin/∂score = −y
            upstream = [scale * (1.0 if margin > 0.0 else 0.0) * -label]
            for depth in range(last, -1, -1):
                x = seen[depth]
                if depth != last:  # through the relu: out > 0 exactly where net > 0
                    upstream = [g if o > 0.0 else 0.0 for g, o in zip(upstream, seen[depth + 1])]
                g_biases = grad_biases[depth]
                for k, g in enumerate(upstream):
                    g_biases[k] += g
                if depth:
                    below = [0.0] * len(x)
                    for g, row, g_row in zip(upstream, model[depth][0], grad_rows[depth]):
                        for i, w in enumerate(row):
                            g_row[i] += g * x[i]
                            below[i] += g * w
                    upstream = below
                else:
                    for g, g_row in zip(upstream, grad_rows[depth]):
                        for i, xi in enumerate(x):
                            g_row[i] += g * xi
        reg = 0.0
        for rows, biases in model:
            for row, b in zip(rows, biases):
                for p in row:
                    reg += p * p
                reg += b * b
        total = data_loss * scale + reg * REG_STRENGTH
        # ∂(α·Σp²)/∂p = α·p + α·p: p*p has p as both operands
        a = REG_STRENGTH
        for (rows, biases), g_rows, g_biases in zip(model, grad_rows, grad_biases):
            for row, g_row in zip(rows, g_rows):
                row[:] = [w - learning_rate * (g + a * w + a * w) for w, g in zip(row, g_row)]
            biases[:] = [b - learning_rate * (g + a * b + a * b) for b, g in zip(biases, g_biases)]
        return total

    # -- workload 2 ------------------------------------------------------------------------
    @staticmethod
    def build(plan):
        """Replay the plan forward; returns ``(tape, number of leaves)``."""
        values = list(plan.leaves)
        append = values.append
        add, times, relu, tanh_, exp_ = ADD, MUL, RELU, TANH, EXP
        for code, i, j in plan.ops:
            if code == add:
                append(values[i] + values[j])
            elif code == times:
                append(values[i] * values[j])
            elif code == relu:
                a = values[i]
                append(a if a > 0.0 else 0.0)
            elif code == tanh_:
                append(tanh(values[i]))
            elif code == exp_:
                append(exp(values[i]))
            else:   # sigmoid, in autodiff.ops's two forms (exp never overflows)
                a = values[i]
                if a >= 0.0:
                    append(1.0 / (1.0 + exp(-a)))
                else:
                    e = exp(a)
                    append(e / (1.0 + e))
        return _Tape(plan.ops, len(plan.leaves), values), len(plan.leaves)

    @staticmethod
    def backward(tape):
        """Replay the plan backwards from the root, accumulating ∂root/∂node per node.

        The local derivatives are autodiff.ops's, written as it writes them, from the op's
        output: tanh 1 − t², exp e, sigmoid s·(1 − s).
        """
        values = tape.values
        grads = [0.0] * len(values)
        grads[-1] = 1.0
        add, times, relu, tanh_, exp_ = ADD, MUL, RELU, TANH, EXP
        for k, (code, i, j) in zip(range(len(values) - 1, -1, -1), reversed(tape.ops)):
            g = grads[k]
            if code == add:
                grads[i] += g
                grads[j] += g
            elif code == times:
                grads[i] += g * values[j]
                grads[j] += g * values[i]
            elif code == relu:
                if values[k] > 0.0:
                    grads[i] += g
            elif code == tanh_:   # t ** 2 as stepgrad's rule has it: C's pow(t, 2) and t * t differ
                grads[i] += g * (1.0 - values[k] ** 2)   # in the last bit for about 1 t in 1,000
            elif code == exp_:
                grads[i] += g * values[k]
            else:
                s = values[k]
                grads[i] += g * (s * (1.0 - s))
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
