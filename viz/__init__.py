"""viz: computation graphs, network diagrams and backward-pass frames, drawn with Graphviz."""

from _stepgrad_packages import require

require("autodiff")  # before the imports below, which a file named autodiff.py nearby would break

from .dot import to_dot
from .frames import backward_frames, render_frames, save_gif
from .network import network_to_dot
from .render import (DotNotFoundError, image_format, render, render_network, render_stepper,
                     write_image)
from .text import to_json, to_tree

__all__ = ["to_dot", "network_to_dot", "render", "render_network", "render_stepper", "write_image", "image_format",
           "DotNotFoundError", "to_json", "to_tree", "backward_frames", "render_frames", "save_gif"]
