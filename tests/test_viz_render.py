"""viz.render: images by suffix, written whole, and a clear error when dot is missing."""

import os

import pytest
from viz_support import needs_dot, svg_texts

import lecture
import nn
import viz
from autodiff import OPS, Value
from lecture import training_step
from stepgrad._ground import drawn
from stepgrad._ground.files import write_atomic as write_whole

MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".svg": b"<?xml", ".pdf": b"%PDF-"}


def graph():
    x = Value(0.5, label="x")
    w = Value(-1.5, label="w")
    y = (w * x).tanh()
    y.label = "y"
    y.backward()
    return y


@needs_dot
@pytest.mark.parametrize("name", ["g.png", "g.svg", "g.pdf", "G.PNG"])
def test_render_writes_the_format_its_suffix_names(tmp_path, name):
    path = viz.render(graph(), tmp_path / name, rankdir="TB")
    assert path == tmp_path / name
    assert path.read_bytes().startswith(MAGIC[path.suffix.lower()])
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temporary left behind


@needs_dot
def test_pipe_draws_several_formats_in_one_run_with_the_bytes_of_one_at_a_time():
    drawing = viz.to_dot(graph())
    both = viz.pipe(drawing, ("svg", "pdf"))
    assert both == {"svg": viz.pipe(drawing, "svg"), "pdf": viz.pipe(drawing, "pdf")}
    assert both["pdf"].startswith(MAGIC[".pdf"]) and both["svg"].startswith(MAGIC[".svg"])


@needs_dot
def test_render_accepts_a_str_path_and_creates_folders(tmp_path):
    y = graph()
    path = viz.render(y, str(tmp_path / "a" / "b" / "g.svg"), local_derivatives=True)
    texts = svg_texts(path.read_bytes())
    slope = drawn(OPS["tanh"].partials[0](y.data, y.parents[0].data))
    assert "y" in texts and f"1 − y² = {slope}" in texts


@pytest.mark.parametrize("name, shown", [("g.jpg", "'.jpg'"), ("g", "no suffix"),
                                         ("g.dot", "'.dot'")])
def test_an_unknown_suffix_is_named_and_nothing_is_written(tmp_path, name, shown):
    with pytest.raises(ValueError, match=f"from {shown}: use .png, .svg, .pdf"):
        viz.render(graph(), tmp_path / name)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def no_dot(tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return tmp_path


def test_missing_dot_raises_with_install_advice(no_dot):
    with pytest.raises(viz.DotNotFoundError) as caught:
        viz.render(graph(), no_dot / "g.png")
    message = str(caught.value)
    assert isinstance(caught.value, OSError)
    for advice in ("'dot' program", "apt install graphviz", "brew install graphviz",
                   "https://graphviz.org/download/"):
        assert advice in message
    assert not (no_dot / "g.png").exists()


def test_missing_dot_for_network_diagrams_too(no_dot):
    network = lecture.SECTION7.network()
    with pytest.raises(viz.DotNotFoundError, match="apt install graphviz"):
        viz.render_network(network, no_dot / "n.svg")


def test_text_outputs_work_without_dot(no_dot):
    y = graph()
    assert viz.to_tree(y).startswith("n3 y = -0.6351  grad 1  ← tanh")
    assert '"label": "w"' in viz.to_json(y)
    assert "digraph computation_graph" in viz.to_dot(y).source
    assert os.environ["PATH"].endswith("empty-bin")


@needs_dot
def test_render_network_writes_an_image(tmp_path):
    example = lecture.SECTION8
    network = example.network()
    step = training_step(network, example.x, example.t, example.eta)
    path = viz.render_network(network, tmp_path / "net.png", step=step)
    assert path.read_bytes().startswith(MAGIC[".png"])


def test_write_whole_leaves_nothing_behind_when_writing_fails(tmp_path):
    target = tmp_path / "out.svg"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        write_whole(target, "not bytes")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.svg"]


def test_written_files_get_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    path = write_whole(tmp_path / "f.txt", b"x")
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@needs_dot
def test_render_stepper_highlights_the_current_node_with_gradients_so_far(tmp_path):
    from stepgrad.stepping.steps import Stepper
    network = lecture.SECTION7.network()
    error = nn.squared_error(network(lecture.SECTION7.x), lecture.SECTION7.t)
    stepper = Stepper(error)
    stepper.goto("o4")
    highlighted = viz.to_dot(error, highlight=stepper.current.node).source
    assert viz.to_dot(error).source != highlighted
    path = viz.render_stepper(stepper, tmp_path / "step.svg")
    texts = svg_texts(path.read_text())
    assert any("o4" in t for t in texts)
    # w14's step is still to come: its gradient is not filled in yet.
    assert network.layers[0].neurons[0].w[0].grad == 0.0
