"""nn.recipes: a sigmoid MLP learns XOR to E < 0.01 and two moons to ≥ 95 %, the same way every time."""

import pytest

from nn import evaluate
from nn.recipes import RECIPES, run_recipe


def test_xor_reaches_an_error_below_0_01():
    run = run_recipe("xor", seed=0)
    assert run.history.stopped == "target_error"
    assert run.history.train[-1] < 0.01
    assert evaluate(run.network, run.train.inputs, run.train.targets) < 0.01
    assert run.train_accuracy == 1.0 and run.validation is None


def test_moons_are_classified_at_95_percent_or_better():
    run = run_recipe("moons", seed=0)
    assert len(run.train) == 150 and len(run.validation) == 50
    assert run.train_accuracy >= 0.95
    assert run.validation_accuracy >= 0.95
    assert len(run.history.validation) == run.history.epochs


def test_circles_are_classified_at_95_percent_or_better():
    run = run_recipe("circles", seed=0)   # full batch: 1,000 updates, one replay each
    assert run.recipe.batch_size is None and run.history.epochs == 1000
    assert run.validation_accuracy >= 0.95


def test_same_seed_identical_weights():
    first, again = run_recipe("xor", seed=3), run_recipe("xor", seed=3)
    assert first.network.parameter_values() == again.network.parameter_values()
    assert first.history.train == again.history.train
    assert run_recipe("xor", seed=4).network.parameter_values() != first.network.parameter_values()


def test_changes_override_the_recipe():
    run = run_recipe("moons", seed=1, epochs=2, hidden=(3,), optimizer="momentum", lr=0.2,
                     batch_size=None)
    assert run.history.epochs == 2
    assert run.network.layer_sizes == [3, 1]
    assert run.recipe.optimizer == "momentum" and RECIPES["moons"].optimizer == "adam"


def test_unknown_dataset():
    with pytest.raises(ValueError, match="unknown dataset 'spirals'; choose one of xor, moons, circles"):
        run_recipe("spirals")
