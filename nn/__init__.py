"""nn: sigmoid MLPs built from autodiff Values, their training, and the lecture's worked examples."""

from .data import DATASETS, Dataset, circles, moons, split, xor
from .derivation import check_derivation
from .derivation_file import load_derivation
from .examples import EXAMPLES, SECTION7, SECTION8, SECTION10, WorkedExample
from .layers import ACTIVATIONS, MLP, Layer, Neuron, weight_label
from .losses import LOSSES, binary_cross_entropy, mean_squared_error, squared_error
from .module import Module
from .optim import SGD, Adam, Optimizer, make_optimizer
from .tables import step_report, unit_table, verification_table, weight_table
from .textbook import TrainingStep, UnitRecord, WeightRecord, apply_step, training_step
from .train import History, accuracy, evaluate, fit
from .weights_file import FORMAT, WeightsFileError, load_network, save_network

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "weight_label",
           "squared_error", "mean_squared_error", "binary_cross_entropy", "LOSSES",
           "Optimizer", "SGD", "Adam", "make_optimizer",
           "fit", "History", "evaluate", "accuracy",
           "Dataset", "xor", "moons", "circles", "split", "DATASETS",
           "training_step", "apply_step", "TrainingStep", "UnitRecord", "WeightRecord",
           "step_report", "unit_table", "weight_table", "verification_table",
           "FORMAT", "WeightsFileError", "save_network", "load_network",
           "WorkedExample", "EXAMPLES", "SECTION7", "SECTION10", "SECTION8",
           "check_derivation", "load_derivation"]
