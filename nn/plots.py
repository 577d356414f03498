"""Pictures of training, written to image files with matplotlib (the optional ``plot`` extra).

matplotlib is imported only when a picture is drawn, and drawn through its Agg canvas, so no
window opens and no global backend is switched.
"""

import io
import os
import pathlib
from collections.abc import Sequence

from autodiff import no_grad
from stepgrad._ground import write_atomic

from .layers import MLP
from .train import History

__all__ = ["require_matplotlib", "check_plot_path", "plot_errors", "plot_decision_boundary",
           "plot_training"]

_INSTALL = "pip install 'stepgrad[plot]' (or: pip install matplotlib)"


def require_matplotlib():
    """Import matplotlib's Figure and Agg canvas, or raise ImportError saying how to install it."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg  # pyright: ignore[reportMissingImports]  (optional: the plot extra)
        from matplotlib.figure import Figure  # pyright: ignore[reportMissingImports]  (optional: the plot extra)
    except ImportError:
        raise ImportError(f"drawing pictures of training needs matplotlib, which is not installed; "
                          f"install it with: {_INSTALL}") from None
    return Figure, FigureCanvasAgg


def check_plot_path(path: "str | os.PathLike[str]") -> str:
    """The image format for ``path`` from its suffix (png, svg, pdf, …); ValueError if unknown."""
    _, canvas_type = require_matplotlib()
    path = pathlib.Path(path)
    suffix = path.suffix.lower().lstrip(".")
    formats = canvas_type.get_supported_filetypes()
    if suffix not in formats:
        raise ValueError(f"cannot tell the image format of {str(path)!r} from its suffix; "
                         f"use one of {', '.join('.' + f for f in sorted(formats))}")
    return suffix


def _save(figure, canvas_type, path):
    """Write the figure whole or not at all (``autodiff.files.write_atomic``)."""
    fmt = check_plot_path(path)
    canvas_type(figure)
    image = io.BytesIO()
    figure.savefig(image, format=fmt, dpi=100)
    return write_atomic(path, image.getvalue())


def _draw_errors(axes, history):
    import numpy as np
    # NOTE: per example where the sizes are known: the two sets differ in size, and their
    # summed errors cannot be compared.
    per_example = history.train_size > 0 and (history.validation_size > 0
                                               or not history.validation)
    train = history.mean_train if per_example else history.train
    validation = history.mean_validation if per_example else history.validation
    epochs = np.arange(1, history.epochs + 1)
    axes.plot(epochs, train, label="training")
    if validation:
        axes.plot(epochs, validation, label="validation")
        if history.best_epoch:
            axes.axvline(history.best_epoch, color="grey", linestyle=":",
                         label=f"lowest validation error (epoch {history.best_epoch})")
    axes.set_xlabel("epoch")
    axes.set_ylabel("error per example" if per_example else "error")
    if min(train + validation) > 0:
        axes.set_yscale("log")
    axes.set_title("Error over epochs")
    axes.legend()


def _draw_boundary(axes, network, inputs, targets, resolution):
    import numpy as np
    points = np.asarray(inputs, dtype=float)
    labels = np.asarray(targets, dtype=float)[:, 0]
    low, high = points.min(axis=0), points.max(axis=0)
    margin = 0.1 * (high - low) + 0.1
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    grid = np.empty((resolution, resolution))
    with no_grad():
        for i, y in enumerate(ys):
            for j, x in enumerate(xs):
                grid[i, j] = network([float(x), float(y)])[0].data
    filled = axes.contourf(xs, ys, grid, levels=np.linspace(0.0, 1.0, 11), cmap="RdBu_r", alpha=0.6)
    axes.contour(xs, ys, grid, levels=[0.5], colors="black", linewidths=1.5)
    axes.scatter(points[:, 0], points[:, 1], c=labels, cmap="RdBu_r", vmin=0.0, vmax=1.0,
                 edgecolors="black", linewidths=0.5, s=25)
    axes.set_title("Output o and the boundary o = 0.5")
    axes.set_xlabel("x₁")
    axes.set_ylabel("x₂")
    return filled


def _check_2d(network, inputs):
    if network.n_inputs != 2 or network.layer_sizes[-1] != 1:
        raise ValueError("a decision boundary needs a network with 2 inputs and 1 output, "
                         f"not {network.n_inputs} and {network.layer_sizes[-1]}")
    if not inputs:
        raise ValueError("a decision boundary needs some points to draw")


def plot_errors(history, path):
    """Write the training (and validation) error per epoch of a ``History`` to ``path``."""
    figure_type, canvas_type = require_matplotlib()
    if not history.train:
        raise ValueError("the history has no epochs to plot")
    figure = figure_type(figsize=(6, 4), layout="tight")
    _draw_errors(figure.add_subplot(), history)
    return _save(figure, canvas_type, path)


def plot_decision_boundary(network, inputs, targets, path, resolution=60):
    """Write the points of a 2-D dataset over the network's output and its o = 0.5 line."""
    figure_type, canvas_type = require_matplotlib()
    _check_2d(network, inputs)
    figure = figure_type(figsize=(6, 5), layout="tight")
    axes = figure.add_subplot()
    figure.colorbar(_draw_boundary(axes, network, inputs, targets, resolution), ax=axes, label="o")
    return _save(figure, canvas_type, path)


def plot_training(history: "History", path: "str | os.PathLike[str]", network: "MLP | None" = None,
                  inputs: "Sequence | None" = None, targets: "Sequence | None" = None,
                  resolution: int = 60) -> pathlib.Path:
    """One picture of a run: the error curve, and beside it the decision boundary if given 2-D data."""
    figure_type, canvas_type = require_matplotlib()
    if not history.train:
        raise ValueError("the history has no epochs to plot")
    if network is None:
        return plot_errors(history, path)
    _check_2d(network, inputs)
    figure = figure_type(figsize=(11, 4.5), layout="tight")
    _draw_errors(figure.add_subplot(1, 2, 1), history)
    axes = figure.add_subplot(1, 2, 2)
    figure.colorbar(_draw_boundary(axes, network, inputs, targets, resolution), ax=axes, label="o")
    return _save(figure, canvas_type, path)
