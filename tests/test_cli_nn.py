"""``stepgrad demo``, ``stepgrad example`` and ``stepgrad train``: what they print and write."""

import importlib.util
import os
import pathlib
import sys

import pytest
from viz_support import needs_dot

from lecture import SECTION7, SECTION10, apply_step, training_step
from nn import SGD, fit, load_network
from nn.recipes import run_recipe
from stepgrad.cli import main

PNG = b"\x89PNG\r\n\x1a\n"

needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None and not os.environ.get("CI"),
    reason="matplotlib is not installed (the plot extra)")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_prints_the_step_and_the_training(capsys):
    code, out, err = run(capsys, "demo", "--no-images")
    assert code == 0 and err == ""
    for text in ("Section 7", "hidden 1   4      -0.7000   0.3318", "E = ½Σ(t − o)² = 0.1384",
                 "w46      -0.3000   0.3318    0.1312      +0.0392   -0.2608",
                 "o6          0.4739    0.5152   +0.0414",
                 "moved the output from 0.474 to 0.515",
                 "until E < 0.001"):
        assert text in out
    network = SECTION7.network()
    history = fit(network, [SECTION7.x], [SECTION7.t], optimizer=SGD(network.parameters(), 0.9),
                  epochs=10000, target_error=0.001, shuffle=False)
    assert f"E < 0.001 after {history.epochs} epochs" in out
    assert "wrote" not in out


def test_demo_threshold_and_epoch_limit(capsys):
    code, out, _ = run(capsys, "demo", "--no-images", "--target-error", "0.01", "--max-epochs", "3")
    assert code == 0
    assert "until E < 0.01" in out and "after 3 epochs" in out and "raise --max-epochs" in out


def test_demo_output_is_the_same_every_run(capsys):
    assert run(capsys, "demo", "--no-images") == run(capsys, "demo", "--no-images")


@pytest.mark.dot
@needs_dot
def test_demo_writes_both_images(capsys, tmp_path):
    graph, network = tmp_path / "graph.png", tmp_path / "net" / "network.png"
    code, out, _ = run(capsys, "demo", "--out", str(graph), "--network-out", str(network))
    assert code == 0
    assert graph.read_bytes().startswith(PNG) and network.read_bytes().startswith(PNG)
    assert f"wrote {graph}\nwrote {network}\n" in out


def test_demo_without_dot_notes_it_and_succeeds(capsys, tmp_path, monkeypatch):
    import viz

    def missing(*args, **kwargs):
        raise viz.DotNotFoundError("install graphviz")
    monkeypatch.setattr(viz, "render", missing)
    monkeypatch.setattr(viz, "render_network", missing)
    code, out, err = run(capsys, "demo", "--out", str(tmp_path / "g.png"))
    assert code == 0
    assert "note: no images written: install graphviz" in err
    assert "E < 0.001 after" in out and "wrote" not in out


def test_demo_refuses_an_unknown_image_suffix_before_working(capsys):
    code, out, err = run(capsys, "demo", "--out", "graph.jpg")
    assert code == 2 and out == ""
    assert "stepgrad demo: error: cannot tell the image format" in err


def test_example_prints_the_tables(capsys):
    code, out, _ = run(capsys, "example", "section10", "--digits", "3")
    assert code == 0
    assert out.startswith(SECTION10.title)
    for text in ("w13      0.400   0.568    0.089       +0.025    0.425", "|t − o4|",
                 "E = ½Σ(t − o)² = 0.281"):
        assert text in out


def test_example_steps_chain_through_saved_weights(capsys, tmp_path):
    first, second = tmp_path / "step1.json", tmp_path / "step2.json"
    code, out, _ = run(capsys, "example", "section7", "--save", str(first))
    assert code == 0 and f"wrote {first}" in out
    expected = SECTION7.network()
    step = training_step(expected, SECTION7.x, SECTION7.t, SECTION7.eta)
    apply_step(expected, step)
    assert load_network(first).parameter_values() == expected.parameter_values()
    code, out, _ = run(capsys, "example", "section7", "--weights", str(first), "--save", str(second))
    assert code == 0 and f"weights from {first}" in out
    assert "o6          0.5152" in out  # the second step starts where the first ended
    training_step(expected, SECTION7.x, SECTION7.t, SECTION7.eta, apply=True)
    assert load_network(second).parameter_values() == expected.parameter_values()


def test_example_with_a_bad_weights_file(capsys, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "stepgrad.mlp/1",\n "n_inputs": 3,\n "layer_sizes": [2, 1]\n'
                    ' "state": {}}')
    code, out, err = run(capsys, "example", "section7", "--weights", str(path))
    assert code == 2 and out == ""
    assert err == (f"stepgrad example: error: {path}:4: invalid JSON: "
                   "Expecting ',' delimiter (column 2)\n")


def test_example_with_weights_of_another_shape(capsys):
    path = pathlib.Path(__file__).resolve().parent.parent / "examples" / "section10.json"
    code, _, err = run(capsys, "example", "section7", "--weights", str(path))
    assert code == 2
    assert "takes 2 inputs and gives 2 outputs; section7 has 3 inputs and 1 target" in err


def test_train_xor(capsys):
    code, out, _ = run(capsys, "train", "xor", "--seed", "0")
    assert code == 0
    reference = run_recipe("xor", seed=0)
    assert "Training a 2-3-1 sigmoid MLP on xor: 4 examples" in out
    assert (f"Stopped after {reference.history.epochs} epochs by the error threshold: E < 0.01, "
            "summed over the 4 training examples") in out
    assert f"{reference.history.train[-1] / 4:.6f}" in out       # the table: per example
    assert "Accuracy: 100.0% on the training set" in out


@needs_matplotlib
def test_train_saves_and_plots(capsys, tmp_path):
    saved, picture = tmp_path / "moons.json", tmp_path / "moons.png"
    code, out, _ = run(capsys, "train", "moons", "--epochs", "2", "--seed", "1",
                       "--save", str(saved), "--plot", str(picture))
    assert code == 0
    assert "150 examples, 50 for validation" in out and "validation E" in out
    reference = run_recipe("moons", seed=1, epochs=2)
    assert load_network(saved).parameter_values() == reference.network.parameter_values()
    assert picture.read_bytes().startswith(PNG)
    assert f"wrote {picture}\nwrote {saved}\n" in out


def test_train_reports_errors_per_example_and_which_weights_are_kept(capsys):
    code, out, _ = run(capsys, "train", "moons", "--epochs", "12", "--seed", "0")
    reference = run_recipe("moons", seed=0, epochs=12).history
    assert code == 0 and (reference.train_size, reference.validation_size) == (150, 50)
    best = reference.best_epoch
    assert best < 12      # with these settings the lowest validation error comes early
    assert f"{best:>7}   {reference.train[best - 1] / 150:>10.6f}   " \
           f"{reference.validation[best - 1] / 50:>12.6f}   ← lowest validation E" in out
    text = " ".join(out.split())
    assert (f"The weights kept are the last epoch's, 12 (validation error "
            f"{reference.validation[-1] / 50:.6f} per example); the lowest, "
            f"{reference.validation[best - 1] / 50:.6f}, was at epoch {best}.") in text
    code, out, _ = run(capsys, "train", "moons", "--epochs", "40", "--patience", "2")
    reference = run_recipe("moons", seed=0, patience=2).history
    assert reference.stopped == "patience"
    assert f"The weights kept are epoch {reference.best_epoch}'s, which has the lowest " \
           "validation error" in out


def test_train_options(capsys):
    code, out, _ = run(capsys, "train", "circles", "--epochs", "3", "--hidden", "4,3",
                       "--optimizer", "sgd", "--lr", "0.5", "--full-batch", "--patience", "1")
    assert code == 0
    assert "2-4-3-1 sigmoid MLP" in out and "sgd (η = 0.5), full batch updates" in out


@needs_matplotlib
def test_train_refuses_a_plot_suffix_before_training(capsys):
    code, out, err = run(capsys, "train", "xor", "--plot", "curve.txt")
    assert code == 2 and out == ""
    assert "cannot tell the image format of 'curve.txt'" in err and ".png" in err


def test_train_plot_without_matplotlib(capsys, monkeypatch, tmp_path):
    for name in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, name, None)
    code, out, err = run(capsys, "train", "xor", "--plot", str(tmp_path / "curve.png"))
    assert code == 2 and out == ""
    assert "stepgrad train: error: drawing pictures of training needs matplotlib" in err
    assert "pip install 'stepgrad[plot]'" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv, message", [
    (["train", "xor", "--patience", "3"], "--patience needs a validation set, and xor has none"),
    (["train", "xor", "--batch-size", "2", "--full-batch"], "--batch-size or --full-batch"),
])
def test_train_refuses(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and out == ""


@pytest.mark.parametrize("argv, message", [
    (["train", "xor", "--hidden", "4,x"], "expected sizes such as 8 or 8,4"),
    (["train", "xor", "--epochs", "0"], "expected a positive integer"),
    (["demo", "--target-error", "nan"], "expected a positive number"),
    (["example", "section9"], "invalid choice"),
])
def test_bad_arguments_exit_with_usage(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("command, text", [
    ("demo", "verification"), ("example", "section10"), ("train", "datasets and their defaults")])
def test_help(capsys, command, text):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert text in capsys.readouterr().out


def test_train_prints_the_same_with_and_without_the_tape(capsys):
    code, out, _ = run(capsys, "train", "circles", "--epochs", "30", "--seed", "2")
    assert code == 0 and "full batch updates" in out
    assert run(capsys, "train", "circles", "--epochs", "30", "--seed", "2", "--no-tape") == (0, out, "")
