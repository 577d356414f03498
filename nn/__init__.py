"""nn: sigmoid MLPs built from autodiff Values, and the lecture's worked examples."""

from .examples import EXAMPLES, SECTION7, SECTION8, SECTION10, WorkedExample
from .layers import ACTIVATIONS, MLP, Layer, Neuron, weight_label
from .losses import squared_error
from .module import Module

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "weight_label", "squared_error",
           "WorkedExample", "EXAMPLES", "SECTION7", "SECTION10", "SECTION8"]
