"""nn: sigmoid MLPs built from autodiff Values: layers, losses, optimisers, training, data, weights files."""

from _stepgrad_packages import require

require("autodiff")  # before the imports below, which a file named autodiff.py nearby would break

from .arrays import as_values, data_of, grad_of
from .data import DATASETS, Dataset, circles, moons, split, xor
from .layers import ACTIVATIONS, MLP, Layer, Neuron, input_label, target_label, weight_label
from .losses import LOSSES, Loss, binary_cross_entropy, mean_squared_error, squared_error
from .module import Module

# For the floors above (not the user's face):
from .optim import OPTIMIZERS, SGD, Adam, Optimizer, make_optimizer
from .plots import check_plot_path, plot_training
from .recipes import RECIPES, run_recipe
from .train import History, accuracy, evaluate, fit
from .weights_file import FORMAT, WeightsFileError, load_network, save_network

__all__ = ["as_values", "data_of", "grad_of", "Module", "Neuron", "Layer", "MLP", "ACTIVATIONS",
           "weight_label", "input_label", "target_label", "squared_error", "mean_squared_error",
           "binary_cross_entropy", "LOSSES", "Optimizer", "SGD", "Adam", "make_optimizer", "fit", "History",
           "evaluate", "accuracy", "Dataset", "xor", "moons", "circles", "split", "DATASETS",
           "check_plot_path", "plot_training", "FORMAT", "WeightsFileError", "save_network", "load_network"]
