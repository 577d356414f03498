"""viz.frames: the backward pass one step per picture, and the animated GIF."""

import html
import pathlib
import re
import sys

import pytest
from viz_support import needs_dot, optional_module

import lecture
import viz
from autodiff import CONST, Value, gradients, reverse_topological_order
from stepgrad._ground import drawn
from stepgrad.stepping.steps import Stepper
from viz import style

GOLDEN_NEURON_FRAMES = pathlib.Path(__file__).parent / "golden" / "section7_neuron_frames.dot"


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
    """The caption's lines (the step's text, padded with no-break spaces to a fixed height)."""
    text = re.search(r'label=<<FONT FACE="[^"]*">(.*?)</FONT>> labelloc', source).group(1)
    return [html.unescape(line) for line in text.split('<BR ALIGN="LEFT"/>')[:-1]]


def test_one_frame_per_step_with_the_steps_text_as_caption():
    *_, d = graph()
    stepper = Stepper(d)
    texts = [step.text() for step in stepper]
    stepper.reset()
    frames = viz.backward_frames(d)
    assert len(frames) == len(texts) == 6                 # the constant 0.5 takes no step
    for frame, text in zip(frames, texts):
        lines = caption(frame.source)
        shown = len(text.splitlines())
        assert [line.rstrip("\u00a0") for line in lines[:shown]] == text.splitlines()
        assert all(not line.strip("\u00a0 ") for line in lines[shown:])
        assert len(lines) == 6                            # every frame as tall as the tallest
    order = [n for n in reverse_topological_order(d) if n.op is not CONST]
    ids = {node: f"n{i}" for i, node in enumerate(reversed(reverse_topological_order(d)))}
    for frame, node in zip(frames, order):
        assert highlighted(frame.source) == [ids[node]]


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
        assert last[ids[node]] == drawn(g)
    # a·a sends to a twice in one step: the caption shows the running total
    assert [line.rstrip("\u00a0") for line in caption(frames[4])[2:6]] == [
        "  → a: local ∂(a·a)/∂a = a = 2",
        "    contribution 0.117502 × 2 = 0.235004; a.grad = 0.235004",
        "  → a: local ∂(a·a)/∂a = a = 2",
        "    contribution 0.117502 × 2 = 0.235004; a.grad = 0.470007"]


def test_the_edges_of_a_step_are_drawn_thick():
    a, b, c, d = graph()
    source = viz.backward_frames(d)[2].source       # c = a·a + b sends to a·a and to b
    thick = re.findall(rf'^\t(\w+) -> (\w+) \[color="{style.PATH_EDGE}" penwidth=3.5\]',
                       source, flags=re.M)
    ids = {node: f"n{i}" for i, node in enumerate(reversed(reverse_topological_order(d)))}
    square = c.parents[0]
    assert sorted(thick) == sorted([(ids[c] + "op", ids[c]), (ids[square], ids[c] + "op"),
                                    (ids[b], ids[c] + "op")])


def test_a_leaf_that_held_a_gradient_is_drawn_as_a_fresh_pass():
    a, b, c, d = graph()
    d.backward()
    held = [n.grad for n in (a, b, c, d)]
    frames = viz.backward_frames(d)
    assert [n.grad for n in (a, b, c, d)] == held            # put back as it was
    assert "(before)" not in "".join(frame.source for frame in frames)


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
    assert names == [f"frame_{k:03d}.png" for k in range(6)] + ["backward.gif"]
    sizes = set()
    for path in paths[:-1]:
        with Image.open(path) as image:
            sizes.add(image.size)
    heights = {h for _, h in sizes}
    widths = sorted(w for w, _ in sizes)
    assert len(heights) == 1 and widths[-1] - widths[0] <= 0.01 * widths[-1]  # one layout
    with Image.open(paths[-1]) as gif:
        assert gif.format == "GIF" and gif.n_frames == 6


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
    assert shown == ['<FONT COLOR="#ffffff">5</FONT>', "3", "5", "5"]


def test_neuron_frames_of_section7_are_golden():
    graph = lecture.error_graph("section7")
    frames = viz.backward_frames(graph.root, grain="neuron", network=graph.network)
    assert "\n".join(frame.source for frame in frames) == GOLDEN_NEURON_FRAMES.read_text(
        encoding="utf-8")
    assert [caption(f.source)[0].rstrip("\u00a0") for f in frames] == [
        "step 1/7: the error E = 0.5·(t6 − o6)^2 = 0.138396",
        "step 2/7: unit 6, output layer: δ6 = −∂E/∂net6",
        "step 3/7: the weights of unit 6: ∂E/∂w = ∂E/∂net6 · ∂net6/∂w",
        "step 4/7: unit 4, hidden layer 1: δ4 = −∂E/∂net4",
        "step 5/7: unit 5, hidden layer 1: δ5 = −∂E/∂net5",
        "step 6/7: the weights of unit 4: ∂E/∂w = ∂E/∂net4 · ∂net4/∂w",
        "step 7/7: the weights of unit 5: ∂E/∂w = ∂E/∂net5 · ∂net5/∂w"]


def test_neuron_frames_light_the_unit_and_the_edges_of_the_step():
    graph = lecture.error_graph("section7")
    frames = viz.backward_frames(graph.root, grain="neuron", network=graph.network)
    third = frames[2].source                      # the weights of unit 6: o4 and o5 get theirs
    lit = re.findall(rf'<TD COLSPAN="2" BGCOLOR="{style.HIGHLIGHT}"><B>(unit \d)</B>', third)
    assert lit == ["unit 6"]
    assert third.count("penwidth=3.5") == 2         # unit 4 → unit 6 and unit 5 → unit 6
    deltas = re.findall(r"<TD>δ</TD><TD>([^<]*)<", frames[3].source)
    assert deltas == ["−0.008725", "", "0.1312"]      # δ4 just found, δ5 still blank, δ6 known
