"""Writing drawings to PNG, SVG or PDF files with the Graphviz ``dot`` program."""

import os
import pathlib
import uuid

import graphviz

from .dot import to_dot
from .network import network_to_dot

__all__ = ["DotNotFoundError", "IMAGE_FORMATS", "image_format", "image_bytes", "write_image",
           "write_whole", "render", "render_network", "render_stepper"]

IMAGE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

INSTALL_ADVICE = (
    "the Graphviz 'dot' program, which draws images, was not found on PATH. Install it: "
    "apt install graphviz (Debian, Ubuntu), dnf install graphviz (Fedora), "
    "brew install graphviz (macOS), conda install graphviz, or see https://graphviz.org/download/. "
    "Without it, viz.to_dot(...).source (DOT text), viz.to_json and viz.to_tree still work.")


class DotNotFoundError(OSError):
    """The Graphviz ``dot`` program is not installed (or not on PATH)."""

    def __init__(self, message=INSTALL_ADVICE):
        super().__init__(message)


def image_format(path):
    """The image format for ``path`` from its suffix (png, svg or pdf); ValueError otherwise."""
    path = pathlib.Path(path)
    fmt = IMAGE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        suffix = repr(path.suffix) if path.suffix else "no suffix"
        raise ValueError(f"cannot tell the image format of {str(path)!r} from {suffix}: "
                         f"use {', '.join(IMAGE_FORMATS)}")
    return fmt


def write_image(graph, path):
    """Render a ``graphviz`` graph to ``path`` (format by suffix); returns the path.

    The file appears whole or not at all (``write_whole``); a missing parent folder is created.
    Raises DotNotFoundError when ``dot`` is missing.
    """
    path = pathlib.Path(path)
    return write_whole(path, image_bytes(graph, image_format(path)))


def image_bytes(graph, fmt):
    """A ``graphviz`` graph rendered to ``fmt`` (png, svg or pdf) as bytes; raises
    DotNotFoundError when ``dot`` is missing."""
    try:
        return graph.pipe(format=fmt, quiet=True)
    except graphviz.ExecutableNotFound:
        raise DotNotFoundError() from None


def write_whole(path, data):
    """Write ``data`` (bytes) to ``path`` whole or not at all: a temporary file beside it, then a
    rename. Creates a missing parent folder; the file gets the usual permissions (umask)."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def render(root, path, **options):
    """Draw the computation graph below ``root`` to ``path`` (.png, .svg or .pdf); returns the path.

    ``options`` are ``to_dot``'s (rankdir, local_derivatives, highlight, collapse, max_nodes, ...).
    """
    image_format(path)
    return write_image(to_dot(root, **options), path)


def render_network(mlp, path, step=None, **options):
    """Draw ``mlp`` as the lecture's Figure 3 to ``path``; with a ``TrainingStep``, its net, out,
    δ and the new weights (Table 2 as a picture). ``options`` are ``network_to_dot``'s."""
    image_format(path)
    return write_image(network_to_dot(mlp, step, **options), path)


def render_stepper(stepper, path, **options):
    """Draw an ``autodiff.steps.Stepper``'s graph as it stands: the gradients filled in so far
    and the current step's node highlighted. Returns the path."""
    current = stepper.current
    return render(stepper.root, path, highlight=current.node if current else None, **options)
