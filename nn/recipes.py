"""Tried training set-ups for the built-in datasets (what ``stepgrad train`` runs)."""

import dataclasses
from dataclasses import dataclass

from . import data
from .layers import MLP
from .optim import make_optimizer
from .train import History, accuracy, fit

__all__ = ["Recipe", "RECIPES", "TrainingRun", "run_recipe"]


@dataclass(frozen=True)
class Recipe:
    """A dataset and how to train a sigmoid MLP on it."""

    dataset: str
    dataset_options: dict
    hidden: tuple            # hidden layer sizes; one sigmoid output unit follows
    optimizer: str           # sgd, momentum or adam
    lr: float
    epochs: int
    batch_size: int | None = 1
    target_error: float | None = None
    validation: float | None = 0.25
    patience: int | None = None
    init: str = "xavier"


RECIPES = {
    "xor": Recipe("xor", {}, hidden=(3,), optimizer="adam", lr=0.1, epochs=2000,
                  target_error=0.01, validation=None),
    # NOTE: full batch, so that one traced example's graph replays the whole set per update:
    # 1,000 epochs take about a second (online, 150,000 sequential updates took minutes).
    "moons": Recipe("moons", {"n": 200, "noise": 0.15}, hidden=(8,), optimizer="adam", lr=0.1,
                    epochs=1000, batch_size=None),
    "circles": Recipe("circles", {"n": 200, "noise": 0.05}, hidden=(8,), optimizer="adam",
                      lr=0.1, epochs=1000, batch_size=None),
}


@dataclass
class TrainingRun:
    """A trained network, its history, the data it saw and its accuracies (validation: None if none)."""

    recipe: Recipe
    network: MLP
    history: History
    train: data.Dataset
    validation: data.Dataset | None
    train_accuracy: float
    validation_accuracy: float | None


def run_recipe(name, seed=0, progress=None, tape=True, **changes):
    """Train on dataset ``name`` with its recipe; ``changes`` override recipe fields (epochs=…).

    ``tape=False`` trains without replaying a traced graph (see ``fit``); the history is the same.

    The seed fixes the data, the split, the initial weights and the shuffling: the same
    seed gives the same run.
    """
    if name not in RECIPES:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(RECIPES)}")
    recipe = dataclasses.replace(RECIPES[name], **changes)
    options = dict(recipe.dataset_options)
    if recipe.dataset != "xor":
        options["seed"] = seed
    dataset = data.DATASETS[recipe.dataset](**options)
    if recipe.validation:
        train, validation = data.split(dataset, recipe.validation, seed=seed)
    else:
        train, validation = dataset, None
    network = MLP(train.n_inputs, [*recipe.hidden, len(train.targets[0])], init=recipe.init,
                  seed=seed)
    optimizer = make_optimizer(recipe.optimizer, network.parameters(), recipe.lr)
    held_out = None if validation is None else (validation.inputs, validation.targets)
    history = fit(network, train.inputs, train.targets, optimizer=optimizer, epochs=recipe.epochs,
                  batch_size=recipe.batch_size, seed=seed, target_error=recipe.target_error,
                  validation=held_out, patience=recipe.patience, progress=progress, tape=tape)
    return TrainingRun(recipe, network, history, train, validation,
                       accuracy(network, train.inputs, train.targets),
                       None if validation is None else accuracy(network, *held_out))  # pyright: ignore[reportOptionalIterable, reportArgumentType]
