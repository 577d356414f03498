"""nn.plots: PNG pictures of training, and a clear message where matplotlib is missing."""

import importlib.util
import os
import sys

import pytest

from nn import MLP, History
from nn.plots import plot_decision_boundary, plot_errors, plot_training, require_matplotlib

PNG = b"\x89PNG\r\n\x1a\n"

needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None and not os.environ.get("CI"),
    reason="matplotlib is not installed (the plot extra)")


def history():
    return History(train=[1.0, 0.5, 0.2], validation=[1.1, 0.6, 0.7], stopped="epochs", best_epoch=2)


def points():
    return [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]], [[0.0], [1.0], [1.0]]


@needs_matplotlib
def test_error_curve_png(tmp_path):
    path = plot_errors(history(), tmp_path / "errors.png")
    assert path.read_bytes().startswith(PNG)


@needs_matplotlib
def test_decision_boundary_png(tmp_path):
    inputs, targets = points()
    network = MLP(2, [2, 1], init="xavier", seed=0)
    path = plot_decision_boundary(network, inputs, targets, tmp_path / "deep" / "boundary.png",
                                  resolution=10)
    assert path.read_bytes().startswith(PNG)


@needs_matplotlib
def test_training_picture_with_and_without_a_boundary(tmp_path):
    inputs, targets = points()
    network = MLP(2, [2, 1], init="xavier", seed=0)
    both = plot_training(history(), tmp_path / "both.png", network, inputs, targets, resolution=10)
    curve = plot_training(History(train=[0.0, 0.0]), tmp_path / "curve.png")
    assert both.read_bytes().startswith(PNG) and curve.read_bytes().startswith(PNG)


@needs_matplotlib
def test_other_formats_by_suffix_and_no_temporary_left(tmp_path):
    path = plot_errors(history(), tmp_path / "errors.svg")
    assert path.read_text().lstrip().startswith("<?xml")
    assert [p.name for p in tmp_path.iterdir()] == ["errors.svg"]


@needs_matplotlib
def test_refuses_what_it_cannot_draw(tmp_path):
    with pytest.raises(ValueError, match="cannot tell the image format of .*errors.xyz"):
        plot_errors(history(), tmp_path / "errors.xyz")
    with pytest.raises(ValueError, match="2 inputs and 1 output, not 3 and 1"):
        plot_decision_boundary(MLP(3, [1]), [[0, 0, 0]], [[0]], tmp_path / "x.png")
    with pytest.raises(ValueError, match="no epochs"):
        plot_errors(History(), tmp_path / "x.png")
    assert list(tmp_path.iterdir()) == []


def test_missing_matplotlib_names_the_pip_command(monkeypatch):
    for name in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"pip install 'stepgrad\[plot\]'"):
        require_matplotlib()
    with pytest.raises(ImportError, match="needs matplotlib"):
        plot_errors(history(), "never-written.png")
    assert not os.path.exists("never-written.png")


@needs_matplotlib
def test_the_error_curves_are_per_example_when_the_sizes_are_known():
    from matplotlib.figure import Figure

    from nn.plots import _draw_errors
    axes = Figure().add_subplot()
    sized = History(train=[3.0, 1.5], validation=[2.0, 0.5], best_epoch=2, train_size=3,
                    validation_size=1)
    _draw_errors(axes, sized)
    train, validation = axes.get_lines()[:2]
    assert list(train.get_ydata()) == [1.0, 0.5] and list(validation.get_ydata()) == [2.0, 0.5]
    assert axes.get_ylabel() == "error per example"
    assert "lowest validation error (epoch 2)" in [t.get_text() for t in axes.get_legend().texts]
    axes = Figure().add_subplot()
    _draw_errors(axes, history())                  # sizes unknown: the sums, labelled so
    assert list(axes.get_lines()[0].get_ydata()) == [1.0, 0.5, 0.2]
    assert axes.get_ylabel() == "error"
