"""Writing drawings to PNG, SVG or PDF files with the Graphviz ``dot`` program."""

import contextlib
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
from typing import TYPE_CHECKING, Any, overload

import graphviz

from stepgrad._ground import write_atomic

from .dot import to_dot
from .network import network_to_dot
from .stepping import stepper_dot

if TYPE_CHECKING:   # for annotations only: viz draws an MLP without importing nn
    from autodiff import Value
    from nn import MLP
    from stepgrad.stepping import Stepper

__all__ = ["DotNotFoundError", "LayoutTimeout", "IMAGE_FORMATS", "LAYOUT_SECONDS", "image_format",
           "write_image", "pipe", "render", "render_network", "render_stepper"]

IMAGE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)\d{14}")
LAYOUT_SECONDS = 60     # a layout that takes longer is stopped, with advice

INSTALL_ADVICE = (
    "the Graphviz 'dot' program, which draws images, was not found on PATH. Install it: "
    "apt install graphviz (Debian, Ubuntu), dnf install graphviz (Fedora), "
    "brew install graphviz (macOS), conda install graphviz, or see https://graphviz.org/download/. "
    "Without it, viz.to_dot(...).source (DOT text), viz.to_json and viz.to_tree still work.")


class LayoutTimeout(TimeoutError):
    """Graphviz's ``dot`` took longer than the time allowed to lay out a drawing."""


class DotNotFoundError(OSError):
    """The Graphviz ``dot`` program is not installed (or not on PATH)."""

    def __init__(self, message: str = INSTALL_ADVICE) -> None:
        super().__init__(message)


def image_format(path: "str | os.PathLike[str]") -> str:
    """The image format for ``path`` from its suffix (png, svg or pdf); ValueError otherwise."""
    path = pathlib.Path(path)
    fmt = IMAGE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        suffix = repr(path.suffix) if path.suffix else "no suffix"
        raise ValueError(f"cannot tell the image format of {str(path)!r} from {suffix}: "
                         f"use {', '.join(IMAGE_FORMATS)}")
    return fmt


def write_image(graph: graphviz.Graph | graphviz.Digraph, path: "str | os.PathLike[str]",
                timeout: "float | None" = LAYOUT_SECONDS) -> pathlib.Path:
    """Render a ``graphviz`` graph to ``path`` (format by suffix); returns the path.

    The file appears whole or not at all (``autodiff.files.write_atomic``); a missing parent
    folder is created.
    Raises DotNotFoundError when ``dot`` is missing, and LayoutTimeout when it takes longer than
    ``timeout`` seconds.
    """
    path = pathlib.Path(path)
    return write_atomic(path, pipe(graph, image_format(path), timeout))


@overload
def pipe(graph: graphviz.Graph | graphviz.Digraph, fmt: str,
         timeout: "float | None" = ...) -> bytes: ...
@overload
def pipe(graph: graphviz.Graph | graphviz.Digraph, fmt: "tuple[str, ...]",
         timeout: "float | None" = ...) -> "dict[str, bytes]": ...
def pipe(graph: graphviz.Graph | graphviz.Digraph, fmt: "str | tuple[str, ...]",
         timeout: "float | None" = LAYOUT_SECONDS) -> "bytes | dict[str, bytes]":
    """The graph drawn by Graphviz's ``dot`` as ``fmt`` (png, svg, pdf) bytes, within
    ``timeout`` seconds (None: no limit). With a tuple of formats, one run of ``dot`` lays the
    graph out once and draws it in each: {format: the same bytes as one at a time}."""
    if isinstance(fmt, str):
        return pipe(graph, (fmt,), timeout)[fmt]
    formats = tuple(fmt)
    program = shutil.which("dot")
    if program is None:
        raise DotNotFoundError()
    # NOTE: one format comes on stdout; only several need a folder for their files
    with tempfile.TemporaryDirectory(prefix="stepgrad-dot-") if len(formats) > 1 else \
            contextlib.nullcontext("") as folder:
        files = {f: pathlib.Path(folder, f"drawing.{f}") for f in formats}
        # NOTE: one format to stdout; several each to its file (an -o after each -T)
        options = [f"-T{formats[0]}"] if len(formats) == 1 else \
            [option for f in formats for option in (f"-T{f}", f"-o{files[f]}")]
        try:
            done = subprocess.run([program, *options], input=graph.source.encode("utf-8"),
                                  capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            nodes = graph.source.count("[label=")
            raise LayoutTimeout(
                f"Graphviz's dot took more than {timeout:g} s to lay out this drawing ({nodes:,} "
                "nodes drawn); draw fewer (max_nodes=…), collapse a network (collapse=net), or "
                "allow more time (timeout=…)") from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise OSError(f"Graphviz's dot failed: {message[-1] if message else done.returncode}")
        drawn = {formats[0]: done.stdout} if len(formats) == 1 else \
            {f: path.read_bytes() for f, path in files.items()}
    # NOTE: dot stamps a PDF with the time; a fixed date of the same length (no offset moves)
    # makes the same drawing the same bytes on every run.
    return {fmt: _PDF_DATE.sub(rb"\g<1>19700101000000", data) if fmt == "pdf" else data
            for fmt, data in drawn.items()}


def render(root: "Value", path: "str | os.PathLike[str]", *, timeout: "float | None" = LAYOUT_SECONDS,
           **options: Any) -> pathlib.Path:
    """Draw the computation graph below ``root`` to ``path`` (.png, .svg or .pdf); returns the path.

    ``options`` are ``to_dot``'s (fit, rankdir, local_derivatives, highlight, collapse,
    max_nodes, ...); ``timeout`` bounds the layout (LayoutTimeout past it).
    """
    image_format(path)
    return write_image(to_dot(root, **options), path, timeout)


def render_network(mlp: "MLP", path: "str | os.PathLike[str]", step: Any = None, *,
                   timeout: "float | None" = LAYOUT_SECONDS, **options: Any) -> pathlib.Path:
    """Draw ``mlp`` as the lecture's Figure 3 to ``path``; with a ``TrainingStep``, its net, out,
    δ and the new weights (Table 2 as a picture). ``options`` are ``network_to_dot``'s."""
    image_format(path)
    return write_image(network_to_dot(mlp, step, **options), path, timeout)


def render_stepper(stepper: "Stepper", path: "str | os.PathLike[str]", *, timeout: "float | None" = LAYOUT_SECONDS,
                   **options: Any) -> pathlib.Path:
    """Draw an ``autodiff.steps.Stepper``'s graph as it stands: the gradients backward has
    reached so far (the rest blank), the current step's nodes highlighted and the edges its
    gradient flows along drawn thick; at neuron or layer grain, the network collapsed.
    Returns the path."""
    image_format(path)
    return write_image(stepper_dot(stepper, **options), path, timeout)
