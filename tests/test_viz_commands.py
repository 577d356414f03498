"""stepgrad graph, network and frames (stepgrad/commands/viz.py), run through stepgrad.cli.main."""

import json
import sys

import pytest
from viz_support import needs_dot, svg_texts

import lecture
from lecture.textbook import training_step
from stepgrad._ground import drawn
from stepgrad.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@needs_dot
def test_graph_renders_an_example_after_backward(tmp_path, capsys):
    out_file = tmp_path / "g.svg"
    code, out, err = run(capsys, "graph", "section7", "--out", str(out_file))
    assert (code, out, err) == (0, f"wrote {out_file}\n", "")
    texts = svg_texts(out_file.read_bytes())
    assert {"E", "x1 = 1", "w14", "net4", "o6", "grad 1"} <= set(texts)
    example = lecture.SECTION7
    step = training_step(example.network(), example.x, example.t, example.eta)
    for label in ("w14", "w46", "b6"):  # ∂E/∂w, as backward leaves it, is drawn
        assert f"grad {drawn(step.weight(label).grad)}" in texts


def test_graph_without_out_prints_the_tree(capsys):
    code, out, err = run(capsys, "graph", "section8")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("n16 E = 0.07145  grad 1  ← ×")
    assert any(line.endswith(" x = 1 (constant)") for line in lines)


def test_graph_writes_dot_json_and_tree_text_by_suffix(tmp_path, capsys):
    dot_file, json_file, txt_file = tmp_path / "g.dot", tmp_path / "g.json", tmp_path / "g.txt"
    assert run(capsys, "graph", "section10", "--out", str(dot_file), "--rankdir", "TB",
               "--local-derivatives", "--no-legend")[0] == 0
    source = dot_file.read_text(encoding="utf-8")
    assert source.startswith("digraph computation_graph {") and "rankdir=TB" in source
    assert "label=<o3·(1 − o3) = 0.2356>" in source and "cluster_legend" not in source
    assert run(capsys, "graph", "section10", "--out", str(json_file))[0] == 0
    document = json.loads(json_file.read_text(encoding="utf-8"))
    root = next(node for node in document["nodes"] if node["id"] == document["root"])
    assert root["label"] == "E" and root["grad"] == 1.0
    assert run(capsys, "graph", "section10", "--out", str(txt_file))[0] == 0
    assert txt_file.read_text(encoding="utf-8").startswith("n")


def test_graph_options_collapse_path_max_nodes_and_before_backward(tmp_path, capsys):
    out_file = tmp_path / "g.gv"
    assert run(capsys, "graph", "section7", "--out", str(out_file), "--collapse", "layer")[0] == 0
    assert "<B>layer 1</B>" in out_file.read_text(encoding="utf-8")
    assert run(capsys, "graph", "section7", "--out", str(out_file), "--path", "w46")[0] == 0
    assert "on a path to the root" in out_file.read_text(encoding="utf-8")
    assert run(capsys, "graph", "section7", "--out", str(out_file), "--max-nodes", "3")[0] == 0
    assert "more nodes not drawn" in out_file.read_text(encoding="utf-8")
    assert run(capsys, "graph", "section7", "--out", str(out_file), "--before-backward",
               "--no-color")[0] == 0
    assert "<TD>grad 1</TD>" not in out_file.read_text(encoding="utf-8")


def test_graph_of_an_expression_file(tmp_path, capsys):
    toml_file = tmp_path / "e.toml"
    toml_file.write_text('expression = "sigmoid(w*x + b)"\nlabel = "y"\n'
                         "[values]\nw = 0.5\nx = 1.0\nb = 0\n", encoding="utf-8")
    code, out, _ = run(capsys, "graph", str(toml_file))
    assert code == 0
    assert out.splitlines()[0] == "n5 y = 0.6225  grad 1  ← σ"
    json_file = tmp_path / "e.json"
    json_file.write_text(json.dumps({"expression": "x*x", "values": {"x": 3}}), encoding="utf-8")
    code, out, _ = run(capsys, "graph", str(json_file))
    assert code == 0 and "grad 6" in out


@pytest.mark.parametrize("content, message", [
    ("expression = ", ":1: invalid TOML: Invalid value (at the end)"),
    ('expression = "x"\ncolour = 1\n', ": colour: unknown field"),
    ("[values]\nx = 1\n", ": expression: missing"),
    ('expression = "x"\n[values]\nx = "one"\n', ": values.x: expected a number, got str"),
    ('expression = "x +"\n[values]\nx = 1\n', ": expression: the expression ends too soon"),
])
def test_a_bad_expression_file_names_what_is_wrong(tmp_path, capsys, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "graph", str(path))
    assert code == 2 and out == ""
    assert err.startswith(f"stepgrad graph: error: {path}{message}")


def test_graph_errors_are_one_line_each(tmp_path, capsys):
    code, _, err = run(capsys, "graph", "section9")
    assert code == 2 and "unknown source 'section9': use section7, section10, section8 or a problem or derivation file" in err
    code, _, err = run(capsys, "graph", "section7", "--out", str(tmp_path / "g.jpeg"))
    assert code == 2 and "suffix of" in err and not (tmp_path / "g.jpeg").exists()
    code, _, err = run(capsys, "graph", "section7", "--path", "w99")
    assert code == 2 and "--path: no node labeled 'w99'; labels: t6, b6, w46, b4, w14," in err
    code, _, err = run(capsys, "graph", "section7", "--max-nodes", "-1")
    assert code == 2 and "--max-nodes must be at least 0" in err
    code, _, err = run(capsys, "graph", "section7", "--path", "w\x1b[2J")
    assert code == 2 and "\x1b" not in err and "w\\x1b[2J" in err


def test_a_missing_dot_is_reported_with_install_advice(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    code, out, err = run(capsys, "graph", "section7", "--out", str(tmp_path / "g.png"))
    assert code == 2 and out == ""
    assert err.startswith("stepgrad graph: error: the Graphviz 'dot' program")
    assert "apt install graphviz" in err and "brew install graphviz" in err


@needs_dot
def test_network_draws_the_training_step(tmp_path, capsys):
    out_file = tmp_path / "n.svg"
    assert run(capsys, "network", "section7", "--out", str(out_file))[0] == 0
    texts = svg_texts(out_file.read_bytes())
    assert "w14: 0.2 → 0.1921" in texts and "δ = 0.1312" in texts


def test_network_before_the_step_and_as_dot(tmp_path, capsys):
    out_file = tmp_path / "n.dot"
    assert run(capsys, "network", "section8", "--out", str(out_file), "--before")[0] == 0
    source = out_file.read_text(encoding="utf-8")
    assert "wxh = 0.5" in source and "wxh: 0.5 →" not in source and "δ =" not in source


@needs_dot
def test_frames_writes_one_picture_per_step(tmp_path, capsys):
    folder = tmp_path / "frames"
    code, out, _ = run(capsys, "frames", "section8", "--out", str(folder), "--format", "svg")
    assert code == 0 and out == f"wrote 13 frames to {folder}\n"      # constants take no step
    assert sorted(p.name for p in folder.iterdir()) == [f"frame_{k:03d}.svg" for k in range(13)]
    first = svg_texts((folder / "frame_000.svg").read_bytes())
    assert "step 1/13: E = 0.5·(t_o − oo)^2 [mul], data = 0.071449" in first
    by_neuron = tmp_path / "neuron"
    code, out, _ = run(capsys, "frames", "section7", "--out", str(by_neuron), "--grain", "neuron",
                       "--format", "svg", "--fit", "slide")
    assert code == 0 and out == f"wrote 7 frames to {by_neuron}\n"
    third = svg_texts((by_neuron / "frame_002.svg").read_bytes())
    assert "step 3/7: the weights of unit 6: ∂E/∂w = ∂E/∂net6 · ∂net6/∂w" in third


def test_frames_gif_without_pillow_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    code, _, err = run(capsys, "frames", "section8", "--out", str(tmp_path / "f"), "--gif")
    assert code == 2 and "needs Pillow" in err and "pip install 'stepgrad[gif]'" in err
