"""The backward pass as pictures: one frame per node backward visits, and an animated GIF."""

import io
import os
import pathlib
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

import graphviz

from autodiff import Value, topological_order
from stepgrad._ground import write_atomic
from stepgrad.stepping import Stepper

from .render import write_image
from .stepping import stepper_dot

if TYPE_CHECKING:   # for annotations only: viz draws an MLP without importing nn
    from nn import MLP

__all__ = ["backward_frames", "render_frames", "save_gif", "PILLOW_ADVICE"]

PILLOW_ADVICE = ("an animated GIF needs Pillow, which is not installed: pip install 'stepgrad[gif]' "
                 "(or pip install pillow); the frames themselves need only Graphviz")


def backward_frames(root: Value, *, grain: str = "node", network: "MLP | None" = None,
                    **options: Any) -> "list[graphviz.Digraph]":
    """The backward pass from ``root`` as a list of ``graphviz.Digraph``, one per step.

    The steps are a ``Stepper``'s (``grain`` "node": one node per frame in ``backward()``'s
    order; "neuron" or "layer", given the ``network``: the lecture's order, the network
    collapsed), so each caption is the step's text exactly as stepping prints it. Each frame
    shows the gradients of a fresh pass known so far, partial sums included; nodes not reached
    yet are blank, and every frame keeps the same layout. The step's nodes are highlighted and
    the edges its gradient flows along drawn thick. ``.grad`` is left as it was. ``options``
    are ``to_dot``'s.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_frames: root must be a Value, got {type(root).__name__}")
    order = topological_order(root)
    saved = [node.grad for node in order]
    for node in order:          # a fresh pass: no leaf accumulates what an earlier one left
        node.grad = 0.0
    try:
        stepper = Stepper(root, grain=grain, network=network)
        stepper.run()           # raises DomainError, naming the op, where a rule is undefined
    finally:
        for node, grad in zip(order, saved):
            node.grad = grad
    final = stepper.gradients()
    texts = [step.text() for step in stepper.steps]
    # Captions as tall and as wide as the largest keep every frame the same size.
    height = max(len(text.splitlines()) for text in texts)
    width = max(len(line) for text in texts for line in text.splitlines())
    frames = []
    for k, text in enumerate(texts, 1):
        lines = text.splitlines()
        lines += [""] * (height - len(lines))
        lines[-1] = lines[-1].ljust(width, "\u00a0")
        caption = "\n".join(lines)
        frames.append(stepper_dot(stepper, k, reserve=final, title=caption, **options))
    return frames


def render_frames(root: Value, folder: "str | os.PathLike[str]", *, image_format: str = "png", gif: bool = False,
                  duration: int = 800, **options: Any) -> "list[pathlib.Path]":
    """Write ``backward_frames(root, **options)`` to ``folder`` as frame_000.png, frame_001.png, ...

    With ``gif=True`` (PNG frames only) also writes ``folder/backward.gif``, ``duration``
    milliseconds a frame; that needs Pillow (the ``gif`` extra) and says so if it is missing,
    before anything is written. Returns the paths written, the GIF last.
    """
    if image_format not in ("png", "svg", "pdf"):
        raise ValueError(f"render_frames: image_format must be png, svg or pdf, got {image_format!r}")
    if gif:
        if image_format != "png":
            raise ValueError(f"render_frames: gif=True needs PNG frames, not {image_format}")
        _pillow()
    folder = pathlib.Path(folder)
    frames = backward_frames(root, **options)
    width = max(3, len(str(len(frames) - 1)))
    paths = [write_image(frame, folder / f"frame_{k:0{width}d}.{image_format}")
             for k, frame in enumerate(frames)]
    if gif:
        paths.append(save_gif(paths, folder / "backward.gif", duration=duration))
    return paths


def _pillow():
    try:
        from PIL import Image  # pyright: ignore[reportMissingImports]  (optional: the gif extra)
    except ImportError:
        raise ModuleNotFoundError(PILLOW_ADVICE) from None
    return Image


def save_gif(images: "Sequence[str | os.PathLike[str] | IO[bytes]]", path: "str | os.PathLike[str]", *,
             duration: int = 800) -> pathlib.Path:
    """Join PNG ``images`` into an animated GIF at ``path`` (Pillow needed); returns the path.

    Frames of different sizes are placed top left on a white canvas of the largest size.
    """
    Image = _pillow()
    if not images:
        raise ValueError("save_gif: no images given")
    path = pathlib.Path(path)
    opened = []
    for image in images:
        with Image.open(image) as source:
            opened.append(source.convert("RGB"))
    width = max(image.width for image in opened)
    height = max(image.height for image in opened)
    canvases = []
    for image in opened:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(image, (0, 0))
        canvases.append(canvas)
    animation = io.BytesIO()
    canvases[0].save(animation, format="GIF", save_all=True, append_images=canvases[1:],
                     duration=duration, loop=0)
    return write_atomic(path, animation.getvalue())
