"""viz.frames: the backward pass one step per picture, and the animated GIF."""

import re
import sys

import pytest

import viz
from autodiff import Value, gradients, reverse_topological_order
from viz import style
from viz_support import needs_dot, optional_module


def graph():
    """d = σ((a·a + b)·0.5): 7 nodes; a is used twice, 0.5 is a constant."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * a + b
    c.label = "c"
    d = (c * 0.5).sigmoid()
    d.label = "d"
    return a, b, c, d


def grad_cells(source):
    """node id → the gradient text its frame shows ('' when not reached yet)."""
    return dict(re.findall(r'^\t(n\d+) \[label=<<TABLE.*?<TD>grad (.*?)</TD>', source, flags=re.M))


def highlighted(source):
    return re.findall(rf'^\t(n\d+) \[label=<<TABLE[^\n]*<TD BGCOLOR="{style.HIGHLIGHT}">',
                      source, flags=re.M)


def caption(source):
    return re.search(r"label=<(step .*?)> labelloc", source).group(1).split("<BR/>")


def test_one_frame_per_node_in_backward_order_with_it_highlighted():
    *_, d = graph()
    order = reverse_topological_order(d)
    frames = viz.backward_frames(d)
    assert len(frames) == len(order) == 7
    ids = {node: f"n{len(order) - 1 - k}" for k, node in enumerate(order)}
    for k, (frame, node) in enumerate(zip(frames, order)):
        source = frame.source
        expected = [] if node.op is not None and not node.parents else [ids[node]]
        assert highlighted(source) == expected   # a constant has no box to highlight
        assert caption(source)[0].startswith(f"step {k + 1} of 7: ")


def test_gradients_fill_in_step_by_step_and_end_as_backward_does():
    a, b, c, d = graph()
    final = gradients(d)
    frames = [frame.source for frame in viz.backward_frames(d)]
    assert all(node.grad == 0.0 for node in (a, b, c, d))   # .grad is left alone
    first, last = grad_cells(frames[0]), grad_cells(frames[-1])
    assert first["n6"].startswith("1")
    assert first["n0"].startswith('<FONT COLOR="#ffffff">')  # a: not reached, text kept invisible
    ids = {node: f"n{i}" for i, node in enumerate(reversed(reverse_topological_order(d)))}
    for node, g in final.items():
        assert last[ids[node]] == style.number(g)
    # a·a sends to a twice in one step: the caption shows the running total
    assert caption(frames[5]) == [
        "step 6 of 7: a × a (mul)",
        "→ a: 0.1175 × [b = 2] = 0.235; ∂d/∂a so far 0.235",
        "→ a: 0.1175 × [a = 2] = 0.235; ∂d/∂a so far 0.47"]


def test_frames_pass_options_on():
    *_, d = graph()
    frames = viz.backward_frames(d, rankdir="TB", legend=False)
    assert all("rankdir=TB" in f.source and "cluster_legend" not in f.source for f in frames)
    with pytest.raises(TypeError, match="root must be a Value"):
        viz.backward_frames(0.5)


@needs_dot
def test_render_frames_writes_numbered_pngs_and_a_gif(tmp_path):
    Image = optional_module("PIL.Image")
    *_, d = graph()
    paths = viz.render_frames(d, tmp_path / "frames", gif=True, duration=300)
    names = [p.name for p in paths]
    assert names == [f"frame_{k:03d}.png" for k in range(7)] + ["backward.gif"]
    sizes = set()
    for path in paths[:-1]:
        with Image.open(path) as image:
            sizes.add(image.size)
    heights = {h for _, h in sizes}
    widths = sorted(w for w, _ in sizes)
    assert len(heights) == 1 and widths[-1] - widths[0] <= 0.01 * widths[-1]  # one layout
    with Image.open(paths[-1]) as gif:
        assert gif.format == "GIF" and gif.n_frames == 7


def test_a_gif_without_pillow_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    *_, d = graph()
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'stepgrad\[gif\]'"):
        viz.render_frames(d, tmp_path / "frames", gif=True)
    assert not (tmp_path / "frames").exists()   # checked before anything is drawn


def test_render_frames_checks_its_format(tmp_path):
    *_, d = graph()
    with pytest.raises(ValueError, match="image_format must be png, svg or pdf, got 'gif'"):
        viz.render_frames(d, tmp_path, image_format="gif")
    with pytest.raises(ValueError, match="gif=True needs PNG frames, not svg"):
        viz.render_frames(d, tmp_path, image_format="svg", gif=True)


def test_a_node_used_by_two_nodes_shows_its_partial_sum_in_between():
    x = Value(0.5, label="x")
    y = x * 2 + x * 3
    y.label = "y"
    shown = [grad_cells(frame.source)["n0"] for frame in viz.backward_frames(y)]
    # x's gradient: unknown (kept as wide as the final 5, invisibly), then 3 once backward has
    # been through x·3 (reached first: backward takes the last operand's branch first), then 5
    assert shown == ['<FONT COLOR="#ffffff">5</FONT>', "3", "3", "5", "5", "5"]
