"""The workloads written once over a micrograd-style ``Value`` class (+, ×, relu, backward)."""

from .workloads import ADD, EXP, MUL, REG_STRENGTH, RELU, TANH

__all__ = ["ValueEngine"]


class ValueEngine:
    """An engine whose graph is built from ``Value`` objects by operator overloading.

    Both stepgrad and micrograd run exactly this code, so both record the same ops in the same
    order: each MLP neuron is ``sum(w·x, start=b)`` then relu, each plan op one node.

    Args:
        name: the engine's name in reports.
        value: its ``Value`` class (``data``, ``grad``, ``+``, ``*``, ``relu()``, ``backward()``).
        parents: ``node → iterable of the nodes it was computed from``.
    """

    def __init__(self, name, value, parents):
        self.name = name
        self.Value = value
        self.parents = parents

    # -- workload 1: an MLP training step with micrograd's demo loss -----------------------
    def mlp(self, weights):
        """The model: ``[layer][neuron] = (weights, bias)`` as Values."""
        Value = self.Value
        return [[([Value(w) for w in row], Value(b)) for row, b in layer] for layer in weights]

    def mlp_parameters(self, model):
        """Every parameter's value, in micrograd's order (layer, neuron, weights then bias)."""
        return [p.data for p in self.parameters(model)]

    @staticmethod
    def parameters(model):
        """Every parameter Value, in micrograd's order."""
        return [p for layer in model for row, b in layer for p in (*row, b)]

    def loss(self, model, points, labels):
        """micrograd's demo loss on the batch: mean max-margin loss plus α·Σp²."""
        Value = self.Value
        losses = []
        for point, label in zip(points, labels):
            score = self.score(model, [Value(x) for x in point])
            losses.append((score * -label + 1.0).relu())  # max-margin: relu(1 − y·score)
        data_loss = sum(losses[1:], losses[0]) * (1.0 / len(losses))
        squares = [p * p for p in self.parameters(model)]
        return data_loss + sum(squares[1:], squares[0]) * REG_STRENGTH

    @staticmethod
    def score(model, activations):
        """The network's output for one point's inputs (Values): each neuron ``sum(w·x, start=b)``,
        relu on every layer but the last."""
        last = len(model) - 1
        for depth, layer in enumerate(model):
            nets = [sum((w * x for w, x in zip(row, activations)), b) for row, b in layer]
            activations = nets if depth == last else [net.relu() for net in nets]
        return activations[0]

    def mlp_step(self, model, points, labels, learning_rate):
        """Forward, backward and an SGD update on the whole batch; returns the loss before it."""
        total = self.loss(model, points, labels)
        parameters = self.parameters(model)
        for p in parameters:
            p.grad = 0.0
        total.backward()
        for p in parameters:
            p.data -= learning_rate * p.grad
        return total.data

    # -- workload 2: a random expression graph ---------------------------------------------
    def build(self, plan):
        """The plan's graph; returns ``(root, leaves)``."""
        nodes = [self.Value(x) for x in plan.leaves]
        leaves = nodes[:]
        append = nodes.append
        for code, i, j in plan.ops:
            if code == ADD:
                append(nodes[i] + nodes[j])
            elif code == MUL:
                append(nodes[i] * nodes[j])
            elif code == RELU:
                append(nodes[i].relu())
            elif code == TANH:   # tanh, exp and sigmoid: six-op plans only (micrograd 0.1.0 lacks them)
                append(nodes[i].tanh())
            elif code == EXP:
                append(nodes[i].exp())
            else:
                append(nodes[i].sigmoid())
        return nodes[-1], leaves

    @staticmethod
    def backward(root):
        """The engine's own ``root.backward()``."""
        root.backward()

    @staticmethod
    def root_value(root):
        """The root's forward value."""
        return root.data

    @staticmethod
    def leaf_gradients(root, leaves):
        """∂root/∂leaf for each leaf, after ``backward``."""
        return [leaf.grad for leaf in leaves]

    def count_nodes(self, root):
        """The number of distinct nodes reachable from ``root`` (an iterative walk)."""
        parents = self.parents
        seen = {root}
        stack = [root]
        while stack:
            for parent in parents(stack.pop()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return len(seen)

    # -- workload 4: a chain y ← y + x, n times -------------------------------------------
    def chain(self, n):
        """A chain of ``n`` adds ending in (n + 1)·x; returns ``(root, x)``."""
        x = self.Value(1.0)
        y = x
        for _ in range(n):
            y = y + x
        return y, x

    @staticmethod
    def chain_gradient(root, x):
        """∂y/∂x after ``backward``: n + 1 when it worked."""
        return x.grad
