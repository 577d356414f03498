"""viz: computation graphs, network diagrams and backward-pass frames, drawn with Graphviz."""

from typing import TYPE_CHECKING, Any

from _stepgrad_packages import require

require("autodiff")  # before the imports below, which a file named autodiff.py nearby would break

from . import notebook
from .dot import COLLAPSE_LEVELS, MAX_NODES, RANKDIRS, to_dot
from .frames import backward_frames, render_frames, save_gif
from .network import network_to_dot
from .render import (
    IMAGE_FORMATS,
    DotNotFoundError,
    LayoutTimeout,
    image_format,
    pipe,
    render,
    render_network,
    render_stepper,
    write_image,
)
from .stepping import stepper_dot
from .text import to_json, to_tree

__all__ = ["to_dot", "network_to_dot", "render", "render_network", "render_stepper", "write_image",
           "image_format", "pipe", "DotNotFoundError", "LayoutTimeout", "MAX_NODES", "to_json", "to_tree",
           "backward_frames", "render_frames", "save_gif", "stepper_dot", "stepper_widget"]

if TYPE_CHECKING:   # for annotations only: ipywidgets stays optional, and viz draws an MLP without nn
    from autodiff import Value
    from nn import MLP

    from .widget import StepperWidget

WIDGET_ADVICE = "the stepper widget needs ipywidgets: pip install 'stepgrad[widget]'"


def stepper_widget(root: "Value", network: "MLP | None" = None, grain: "str | None" = None,
                   **options: Any) -> "StepperWidget":
    """An interactive stepper for Jupyter: ◀ ▶, a slider and a grain menu redraw the graph and
    the step's text (``viz.widget.StepperWidget``; needs ipywidgets, the ``widget`` extra)."""
    try:
        from .widget import StepperWidget
    except ImportError as error:
        if getattr(error, "name", "") and not error.name.startswith("ipywidgets"):  # pyright: ignore[reportOptionalMemberAccess]
            raise
        raise ModuleNotFoundError(WIDGET_ADVICE) from None
    return StepperWidget(root, network, grain, **options)


notebook.register()      # in a running IPython kernel: Values, steps and steppers draw themselves
