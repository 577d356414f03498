"""The lecture's worked examples: given weights, input, target and learning rate η."""

from dataclasses import dataclass

from nn.layers import MLP

__all__ = ["WorkedExample", "EXAMPLES", "SECTION7", "SECTION10", "SECTION8"]


@dataclass(frozen=True)
class WorkedExample:
    """A network with given weights and one training example, as the lecture states it."""

    name: str
    title: str
    unit_names: list      # one list per layer, inputs first, as the lecture numbers units
    weights: list         # weights[layer][neuron][input]
    biases: list          # biases[layer][neuron]
    x: list
    t: list
    eta: float

    def network(self, activation="sigmoid"):
        """A fresh MLP with the example's weights."""
        sizes = [len(layer) for layer in self.unit_names]
        return MLP(sizes[0], sizes[1:], activation=activation, weights=self.weights,
                   biases=self.biases, unit_names=self.unit_names)


SECTION7 = WorkedExample(
    name="section7",
    title="Section 7: the 3-2-1 network of Figure 3 (x = (1, 0, 1), t = 1, η = 0.9)",
    unit_names=[["1", "2", "3"], ["4", "5"], ["6"]],
    weights=[[[0.2, 0.4, -0.5], [-0.3, 0.1, 0.2]], [[-0.3, -0.2]]],
    biases=[[-0.4, 0.2], [0.1]],
    x=[1.0, 0.0, 1.0], t=[1.0], eta=0.9)

# Section 10 numbers hidden units 1, 2 and output units 3, 4; w_ij runs from unit i to unit j.
SECTION10 = WorkedExample(
    name="section10",
    title="Section 10: the 2-2-2 network with two output units (x = (0.5, 0.8), t = (1, 0), η = 0.5)",
    unit_names=[["1", "2"], ["1", "2"], ["3", "4"]],
    weights=[[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
    biases=[[0.0, 0.0], [0.0, 0.0]],
    x=[0.5, 0.8], t=[1.0, 0.0], eta=0.5)

SECTION8 = WorkedExample(
    name="section8",
    title="Section 8: the 1-1-1 chain x → h → o (x = 1, t = 1, η = 0.9, biases 0)",
    unit_names=[["x"], ["h"], ["o"]],
    weights=[[[0.5]], [[0.8]]],
    biases=[[0.0], [0.0]],
    x=[1.0], t=[1.0], eta=0.9)

EXAMPLES = {e.name: e for e in (SECTION7, SECTION10, SECTION8)}
