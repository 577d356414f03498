"""The backward pass as pictures: one frame per node backward visits, and an animated GIF."""

import functools
import io
import pathlib

from autodiff import CONST, Value, gradients, reverse_topological_order

from . import style
from .dot import to_dot
from .render import write_image, write_whole

__all__ = ["backward_frames", "render_frames", "save_gif", "PILLOW_ADVICE"]

PILLOW_ADVICE = ("an animated GIF needs Pillow, which is not installed: pip install 'stepgrad[gif]' "
                 "(or pip install pillow); the frames themselves need only Graphviz")


def backward_frames(root, **options):
    """The backward pass from ``root`` as a list of ``graphviz.Digraph``, one per step.

    Step k visits the k-th node of ``autodiff.reverse_topological_order(root)``, the order
    ``backward()`` uses: the node is highlighted, and it sends upstream × local (the op table's
    rule) to each operand. Each frame shows the gradients known so far, partial sums included;
    nodes not reached yet show an empty gradient, and every frame keeps the same layout. The
    caption spells out the step. ``.grad`` is not touched. ``options`` are ``to_dot``'s.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_frames: root must be a Value, got {type(root).__name__}")
    precision = options.get("precision", 4)
    num = functools.partial(style.number, precision=precision)
    order = reverse_topological_order(root)
    final = gradients(root)  # raises DomainError, naming the op, where a rule is undefined
    ids = {node: f"n{len(order) - 1 - k}" for k, node in enumerate(order)}
    name = functools.partial(_name, ids=ids, num=num)
    top = name(root)
    running = {root: 1.0}
    frames = []
    for k, node in enumerate(order):
        lines = [f"step {k + 1} of {len(order)}: {name(node)}"
                 + (f" ({node.op.name})" if node.parents else "")]
        if node.op is CONST:
            lines.append(f"the constant {num(node.data)} takes no gradient")
        elif not node.parents:
            lines.append(f"a leaf: ∂{top}/∂{_wrap(name(node))} = {num(running[node])}, "
                         "nothing to pass on")
        else:
            upstream = running[node]
            for i, parent in enumerate(node.parents):
                if parent.op is CONST:
                    lines.append(f"→ the constant {num(parent.data)} (operand {'ab'[i]}) takes no gradient")
                    continue
                local = node.op.partials[i](node.data, *[p.data for p in node.parents])
                contribution = upstream * local
                running[parent] = running.get(parent, 0.0) + contribution
                formula = node.op.formulas[i]
                rule = num(local) if formula == num(local) else f"[{formula} = {num(local)}]"
                lines.append(f"→ {name(parent)}: {num(upstream)} × {rule} = {num(contribution)}; "
                             f"∂{top}/∂{_wrap(name(parent))} so far {num(running[parent])}")
        # A fixed number of caption lines keeps every frame the same height.
        lines += ["\u00a0"] * (3 - len(lines))
        frames.append(to_dot(root, grads=dict(running), reserve=final, highlight=node,
                             title="\n".join(lines), **options))
    return frames


def _name(node, ids, num):
    """How a caption calls a node: its label, else its formula over its operands (w14 × x1)."""
    if node.label is not None:
        return node.label
    if node.op is CONST:
        return num(node.data)
    if not node.parents:
        return ids[node]
    short = [p.label if p.label is not None else num(p.data) if p.op is CONST else "(…)"
             for p in node.parents]
    if len(short) == 1:
        return f"{node.op.symbol}({short[0]})"
    return f"{short[0]} {node.op.symbol} {short[1]}"


def _wrap(name):
    return f"({name})" if " " in name else name


def render_frames(root, folder, *, image_format="png", gif=False, duration=800, **options):
    """Write ``backward_frames(root)`` to ``folder`` as frame_000.png, frame_001.png, ...

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
        from PIL import Image
    except ImportError:
        raise ModuleNotFoundError(PILLOW_ADVICE) from None
    return Image


def save_gif(images, path, *, duration=800):
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
    return write_whole(path, animation.getvalue())
