"""viz.dot: the exact DOT of small graphs, its determinism, and every option of to_dot."""

import math
import os
import pathlib
import re
import subprocess
import sys

import graphviz
import pytest
from viz_support import needs_dot, optional_module, svg_texts

import lecture
import nn
import viz
from autodiff import OPS, Value, gradients, topological_order
from stepgrad._ground import drawn
from viz import style

REPO = pathlib.Path(__file__).resolve().parents[1]

SQUARE_DOT = """\
digraph computation_graph {
	graph [bgcolor=white nodesep=0.3 rankdir=LR ranksep=0.4 size="9.38,12.50"]
	node [fontname="Helvetica,Arial,sans-serif" fontsize=11]
	edge [arrowsize=0.7 color="#444444" fontname="Helvetica,Arial,sans-serif" fontsize=9]
	n0 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" COLOR="#444444" BGCOLOR="#ffffff"><TR><TD><B>a</B></TD><TD>data 3</TD><TD>grad 0</TD></TR></TABLE>> shape=plain]
	n1 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" COLOR="#444444" BGCOLOR="#ffffff"><TR><TD><B>b</B></TD><TD>data 9</TD><TD>grad 0</TD></TR></TABLE>> shape=plain]
	n1op [label=<×> height=0.3 margin=0.02 shape=circle width=0.3]
	n1op -> n1
	n0 -> n1op
	n0 -> n1op
}
"""

SIGMOID_DOT = """\
digraph computation_graph {
	graph [bgcolor=white nodesep=0.3 rankdir=TB ranksep=0.4 size="9.38,12.50"]
	node [fontname="Helvetica,Arial,sans-serif" fontsize=11]
	edge [arrowsize=0.7 color="#444444" fontname="Helvetica,Arial,sans-serif" fontsize=9]
	n0 [label=<2> fontcolor="#666666" fontsize=9 height=0 margin=0.02 shape=plaintext width=0]
	n1 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" COLOR="#444444" BGCOLOR="#6aa4d6"><TR><TD><B>x</B></TD><TD>data 0</TD><TD>grad 0.3932</TD></TR></TABLE>> shape=plain]
	n2 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" COLOR="#444444" BGCOLOR="#b9d4ee"><TR><TD>data 0</TD><TD>grad 0.1966</TD></TR></TABLE>> shape=plain]
	n2op [label=<×> height=0.3 margin=0.02 shape=circle width=0.3]
	n2op -> n2
	n0 -> n2op
	n1 -> n2op [label=<2>]
	n3 [label=<1> fontcolor="#666666" fontsize=9 height=0 margin=0.02 shape=plaintext width=0]
	n4 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" COLOR="#444444" BGCOLOR="#b9d4ee"><TR><TD>data −1</TD><TD>grad 0.1966</TD></TR></TABLE>> shape=plain]
	n4op [label=<−> height=0.3 margin=0.02 shape=circle width=0.3]
	n4op -> n4
	n2 -> n4op [label=<1>]
	n3 -> n4op
	n5 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" COLOR="#444444" BGCOLOR="#6aa4d6"><TR><TD><B>y</B></TD><TD>data 0.2689</TD><TD>grad 1</TD></TR></TABLE>> shape=plain]
	n5op [label=<σ> height=0.3 margin=0.02 shape=circle width=0.3]
	n5op -> n5
	n4 -> n5op [label=<y·(1 − y) = 0.1966>]
	subgraph cluster_legend {
		color="#666666" fontname="Helvetica,Arial,sans-serif" fontsize=10 label=<legend> style=dashed
		legend [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2"><TR><TD ALIGN="LEFT">fill: the sign of ∂y/∂node</TD></TR><TR><TD><TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0"><TR><TD BGCOLOR="#f6873a" WIDTH="16">−</TD><TD BGCOLOR="#fca562" WIDTH="16"> </TD><TD BGCOLOR="#fdc391" WIDTH="16"> </TD><TD BGCOLOR="#fddcbc" WIDTH="16"> </TD><TD BGCOLOR="#fef0e2" WIDTH="16"> </TD><TD BGCOLOR="#ffffff" WIDTH="16">0</TD><TD BGCOLOR="#eef4fb" WIDTH="16"> </TD><TD BGCOLOR="#d6e6f5" WIDTH="16"> </TD><TD BGCOLOR="#b9d4ee" WIDTH="16"> </TD><TD BGCOLOR="#93bde3" WIDTH="16"> </TD><TD BGCOLOR="#6aa4d6" WIDTH="16">+</TD></TR></TABLE></TD></TR><TR><TD ALIGN="LEFT">deeper: larger |∂|, relative to the largest</TD></TR><TR><TD ALIGN="LEFT">on an edge: ∂node/∂operand, in their names</TD></TR><TR><TD ALIGN="LEFT"><FONT COLOR="#666666">2</FONT>&#160;a constant</TD></TR></TABLE>> fontsize=9 shape=plain]
	}
	n5 -> legend [style=invis]
}
"""

# Builds a graph, draws it with several options, prints the DOT: run in fresh processes.
PROGRAM = """
import lecture, nn, viz
from autodiff import Value
example = lecture.SECTION7
network = example.network()
inputs = [Value(x, label=f"x{u}") for x, u in zip(example.x, example.unit_names[0])]
error = nn.squared_error(network(inputs), example.t)
error.label = "E"
error.backward()
print(viz.to_dot(error, local_derivatives=True, highlight_path=inputs[0]).source)
print(viz.to_dot(error, collapse=network).source)
print(viz.to_dot(error, collapse=network, collapse_level="layer", max_nodes=4).source)
"""


def square():
    a = Value(3.0, label="a")
    b = a * a
    b.label = "b"
    return a, b


def sigmoid_graph():
    x = Value(0.0, label="x")
    y = (2 * x - 1).sigmoid()
    y.label = "y"
    return x, y


def section7(inputs_as_values=True):
    example = lecture.SECTION7
    network = example.network()
    inputs = ([Value(x, label=f"x{u}") for x, u in zip(example.x, example.unit_names[0])]
              if inputs_as_values else example.x)
    error = nn.squared_error(network(inputs), example.t)
    error.label = "E"
    return network, inputs, error


def node_line(source, node_id):
    """The DOT statement that declares ``node_id``."""
    (line,) = [ln for ln in source.splitlines() if ln.startswith(f"\t{node_id} [")]
    return line


def value_ids(source):
    return re.findall(r"^\t(n\d+) \[label=<<TABLE", source, flags=re.M)


def test_golden_dot_of_a_times_a():
    _, b = square()
    graph = viz.to_dot(b, legend=False)
    assert isinstance(graph, graphviz.Digraph)
    assert graph.source == SQUARE_DOT


def test_golden_dot_with_constants_local_derivatives_and_legend():
    _, y = sigmoid_graph()
    y.backward()
    assert viz.to_dot(y, local_derivatives=True, rankdir="TB").source == SIGMOID_DOT


def test_dot_is_identical_across_processes_and_hash_seeds():
    env = dict(os.environ, PYTHONPATH=str(REPO))
    outputs = []
    for seed in ("1", "2"):
        env["PYTHONHASHSEED"] = seed
        run = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                             env=env, cwd=REPO, check=True)
        outputs.append(run.stdout)
    assert outputs[0] == outputs[1]
    assert "n0" in outputs[0] and "id(" not in outputs[0]


def test_edges_follow_operand_order():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = b - a
    source = viz.to_dot(c, legend=False).source
    ids = {label: f"n{i}" for i, label in enumerate(["b", "a"])}
    edges = re.findall(r"^\t(n\d+) -> n2op", source, flags=re.M)
    assert edges == [ids["b"], ids["a"]]


def test_rankdir_is_checked():
    _, b = square()
    assert "rankdir=BT" in viz.to_dot(b, rankdir="BT").source
    with pytest.raises(ValueError, match="rankdir must be 'auto' or one of LR, TB, RL, BT, got 'XY'"):
        viz.to_dot(b, rankdir="XY")


def test_bad_arguments_say_what_was_wrong():
    _, b = square()
    with pytest.raises(TypeError, match="root must be a Value, got float"):
        viz.to_dot(1.0)
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        viz.to_dot(b, max_nodes=0)
    with pytest.raises(ValueError, match="precision must be an int from 1 to 17"):
        viz.to_dot(b, precision=0)
    with pytest.raises(TypeError, match="collapse must be an nn.MLP, got list"):
        viz.to_dot(b, collapse=[])
    with pytest.raises(ValueError, match="collapse_level must be 'neuron' or 'layer'"):
        viz.to_dot(b, collapse_level="unit")
    with pytest.raises(TypeError, match="highlight must be a Value, got str"):
        viz.to_dot(b, highlight=["a"])
    stranger = Value(1.0, label="stranger")
    with pytest.raises(ValueError, match="highlight_path: the Value 'stranger' is not in the graph"):
        viz.to_dot(b, highlight_path=stranger)
    with pytest.raises(ValueError, match="highlight: the Value 'stranger' is not in the graph"):
        viz.to_dot(b, highlight=stranger)
    with pytest.raises(ValueError, match="ancestors_of: the Value 'stranger' is not in the graph"):
        viz.to_dot(b, ancestors_of=stranger)


def test_fill_by_sign_and_size_of_the_gradient():
    x, y = Value(1.0, label="x"), Value(1.0, label="y")
    z = Value(5.0, label="z")
    out = x * 0.001 - y * 2.0 + z * 0.0
    out.label = "out"
    out.backward()
    source = viz.to_dot(out).source
    fills = {label: re.search(r'BGCOLOR="(#[0-9a-f]{6})"><TR><TD><B>' + label, source).group(1)
             for label in ("x", "y", "z")}
    assert fills["x"] == style.POSITIVE[0]         # small and positive: palest blue
    assert fills["y"] == style.NEGATIVE[-1]        # the largest and negative: strongest orange
    assert fills["z"] == style.ZERO
    plain = viz.to_dot(out, color=False).source
    assert style.NEGATIVE[-1] not in plain and style.POSITIVE[0] not in plain


def test_marks_for_nonfinite_saturated_and_dead_nodes():
    a = Value(8.0, label="a")
    saturated = a.sigmoid()
    saturated.label = "sat"
    dead = (-a).relu()
    dead.label = "dead"
    bad = Value(math.inf, label="bad") * 1.0
    bad.label = "inf"
    healthy = Value(0.0, label="h").sigmoid()
    healthy.label = "healthy"
    root = saturated + dead + bad + healthy
    source = viz.to_dot(root).source
    nonfinite, saturation, dead_colour = (style.MARKS[m][0] for m in ("nonfinite", "saturated", "dead"))
    assert f'COLOR="{saturation}"' in _line_of(source, "sat")
    assert "σ′ = 0.00034" in _line_of(source, "sat")
    assert f'COLOR="{dead_colour}"' in _line_of(source, "dead") and "dead relu" in _line_of(source, "dead")
    assert f'COLOR="{nonfinite}"' in _line_of(source, "inf") and "⚠</FONT>&#160;∞" in _line_of(source, "inf")
    assert 'COLOR="#444444"' in _line_of(source, "healthy")
    for mark in ("saturated σ or tanh", "dead relu: input ≤ 0", "NaN or ±∞"):
        assert mark in source


def _line_of(source, label):
    (line,) = [ln for ln in source.splitlines() if f"<B>{label}</B>" in ln]
    return line


def test_local_derivatives_come_from_the_op_table():
    x = Value(0.3, label="x")
    y = x.tanh()
    y.label = "y"
    source = viz.to_dot(y, local_derivatives=True).source
    expected = drawn(OPS["tanh"].partials[0](y.data, x.data))
    assert f"label=<1 − y² = {expected}>" in source          # the rule, in the nodes' names


def test_an_undefined_local_derivative_is_said_so():
    x = Value(0.0, label="x")
    y = x.sqrt()
    assert "1/(2·√(x)): undefined here" in viz.to_dot(y, local_derivatives=True).source


def test_highlight_a_node_and_a_path():
    _, inputs, error = section7()
    error.backward()
    x1 = inputs[0]
    source = viz.to_dot(error, highlight=x1).source
    assert source.count(f'<TD BGCOLOR="{style.HIGHLIGHT}">') == 1
    assert f'<TD BGCOLOR="{style.HIGHLIGHT}"><B>x1</B>' in source
    path = viz.to_dot(error, highlight_path=x1).source
    lit = {label for label in re.findall(rf'<TD BGCOLOR="{style.HIGHLIGHT}"><B>(\w+)</B>', path)}
    # x1 feeds w14·x1 and w15·x1, so the paths run through both hidden units to E.
    assert {"x1", "net4", "o4", "net5", "o5", "net6", "o6", "E"} <= lit
    assert not lit & {"x2", "x3", "w14", "w46", "b6"}
    assert path.count('penwidth=2.5') > 10
    assert "on a path to the root" in path


def test_ancestors_of_draws_only_what_a_node_is_computed_from():
    network, _, error = section7()
    error.backward()
    o4 = network.layers[0].neurons[0].out
    source = viz.to_dot(error, ancestors_of=o4).source
    labels = set(re.findall(r"<B>(\w+)</B>", source))
    assert labels == {"x1", "x2", "x3", "w14", "w24", "w34", "b4", "net4", "o4"}


def test_collapse_each_neuron_shows_net_out_and_delta():
    network, _, error = section7()
    error.backward()
    source = viz.to_dot(error, collapse=network).source
    for neuron in network.neurons:
        title = f"<B>unit {neuron.name}</B>&#160;σ"
        assert title in source
        line = _group_line(source, title)
        for name, value in (("net", neuron.net.data), ("out", neuron.out.data),
                            ("δ", -neuron.net.grad)):
            assert f"<TD>{name}</TD><TD>{drawn(value)}</TD>" in line
    labels = set(re.findall(r"<B>([^<]+)</B>", source))
    assert labels == {"x1", "x2", "x3", "E", "unit 4", "unit 5", "unit 6"}
    assert "w14" not in source and "b6" not in source   # weights and biases inside their unit
    assert len(re.findall(r"^\tn\d+ \[label=<<TABLE", source, flags=re.M)) == 3 + 3 + 3


def _group_line(source, title):
    (line,) = [ln for ln in source.splitlines() if title in ln]
    return line


def test_collapse_by_layer_lists_every_unit():
    network, _, error = section7()
    error.backward()
    source = viz.to_dot(error, collapse=network, collapse_level="layer").source
    assert "<B>layer 1</B>&#160;· 2 × σ" in source and "<B>layer 2</B>&#160;· 1 × σ" in source
    for neuron in network.neurons:
        delta = -neuron.net.grad            # its cell filled by the sign of the δ it shows
        fill = re.search(f"<TD>{neuron.name}</TD><TD>{drawn(neuron.net.data)}</TD>"
                         f"<TD>{drawn(neuron.out.data)}</TD>"
                         f'<TD BGCOLOR="(#\\w+)">{drawn(delta)}</TD>', source).group(1)
        assert fill in (style.POSITIVE if delta > 0 else style.NEGATIVE)
    # x1, x2 and x3 feed both units of the first layer: one edge each into the layer's node
    layer1 = re.search(r"^\t(n\d+) \[label=.*layer 1</B>", source, flags=re.M).group(1)
    inputs = re.findall(r"^\t(n\d+) \[label=.*<B>x\d</B>", source, flags=re.M)
    assert len(inputs) == 3
    for node_id in inputs:
        assert re.findall(rf"^\t{node_id} -> (n\w+)$", source, flags=re.M) == [layer1]


def test_collapse_keeps_shared_leaves_outside_and_numbers_inputs_inside():
    network, _, error = section7(inputs_as_values=False)
    error.backward()
    source = viz.to_dot(error, collapse=network).source
    # float inputs become constants used only inside one unit: they go inside it
    assert re.findall(r"<B>(unit \d)</B>", source) == ["unit 4", "unit 5", "unit 6"]
    assert "shape=plaintext" in source  # the loss's constants 1, 2 and 0.5 stay


@needs_dot
def test_a_2_16_16_1_network_collapses_to_a_readable_image(tmp_path):
    network = nn.MLP(2, [16, 16, 1], init="xavier", seed=3)
    inputs = [Value(0.5, label="x1"), Value(-1.0, label="x2")]
    error = nn.squared_error(network(inputs), [1.0])
    error.label = "E"
    error.backward()
    full = viz.to_dot(error, max_nodes=None).source
    collapsed = viz.to_dot(error, collapse=network)
    assert len(value_ids(full)) > 600
    capped = viz.to_dot(error).source                 # the default cap, and a summary
    assert len(value_ids(capped)) < viz.MAX_NODES and "more nodes not drawn" in capped
    assert len(value_ids(collapsed.source)) == 2 + 33 + 3
    for path in (tmp_path / "net.png", tmp_path / "net.svg"):
        viz.write_image(collapsed, path)
    texts = svg_texts((tmp_path / "net.svg").read_bytes())
    assert sum(text.startswith("unit ") for text in texts) == 33


def test_max_nodes_keeps_the_nodes_nearest_the_root(tanh_chain):
    _, y = tanh_chain
    source = viz.to_dot(y, max_nodes=25).source
    assert len(value_ids(source)) == 25
    assert "… 999,976 more nodes not drawn" in source
    assert "n1000000 [label=" in source and "n999976 [label=" in source
    assert "n999975 [label=" not in source
    assert source.count("more -> ") == 1


def test_max_nodes_with_collapse_counts_a_unit_as_one_node():
    network, _, error = section7()
    error.backward()
    # nearest E: E, ½(…)'s square, the constant 2, t − o, then unit 6 (one node for all of it)
    source = viz.to_dot(error, collapse=network, max_nodes=5).source
    assert len(value_ids(source)) == 4
    assert "unit 6" in source and "unit 4" not in source
    assert "… 27 more nodes not drawn" in source  # 39 nodes, 12 drawn (8 inside unit 6)
    # the summary stands in for unit 6's inputs and for the constants 1 and 0.5
    assert len(re.findall(r"^\tmore -> ", source, flags=re.M)) == 3


def test_grads_mapping_draws_gradients_without_backward():
    _, inputs, error = section7()
    grads = gradients(error)
    drawn = viz.to_dot(error, grads=grads).source
    assert all(node.grad == 0.0 for node in [error, *inputs])
    error.backward()
    assert drawn == viz.to_dot(error).source
    partial = viz.to_dot(error, grads={error: 1.0}).source
    assert "<TD>grad </TD>" in partial and "<TD>grad 1</TD>" in partial


def test_show_grad_false_leaves_gradients_out():
    _, y = sigmoid_graph()
    y.backward()
    source = viz.to_dot(y, show_grad=False).source
    assert "grad" not in source and "fill:" not in source


def test_a_labelled_constant_shows_its_name_and_value():
    network = lecture.SECTION7.network()
    error = nn.squared_error(network(lecture.SECTION7.x), lecture.SECTION7.t)
    source = viz.to_dot(error).source
    for text in ("x1 = 1", "x2 = 0", "x3 = 1"):
        assert source.count(f"label=<{text}>") == 1


def test_a_collapsed_unit_is_filled_by_the_sign_of_its_delta():
    network, _, error = section7()
    error.backward()
    source = viz.to_dot(error, collapse=network).source
    for neuron in network.neurons:
        fill = re.search(rf'BGCOLOR="(#\w+)"><TR><TD COLSPAN="2"><B>unit {neuron.name}</B>',
                         source).group(1)
        assert fill in (style.POSITIVE if neuron.delta > 0 else style.NEGATIVE), neuron.name
    assert "of δ = −∂E/∂net for a unit" in source


def test_edges_are_labelled_in_the_nodes_names_and_constants_carry_none():
    _, _, error = section7()
    error.backward()
    source = viz.to_dot(error, local_derivatives=True).source
    assert "label=<o4 = 0.3318>" in source and "label=<w46 = −0.3>" in source
    assert "label=<x1 = 1>" in source and "label=<o6·(1 − o6) = 0.2493>" in source
    assert "∂out/∂" not in source
    constants = re.findall(r"^\t(n\d+) \[label=<[\d.]+> fontcolor", source, flags=re.M)
    assert constants and not [line for line in source.splitlines()
                              if any(line.startswith(f"\t{c} -> ") for c in constants)
                              and "label=" in line]


def test_the_traversed_edges_are_drawn_thick():
    network, _, error = section7()
    error.backward()
    o6 = network.layers[1].neurons[0].out
    net6 = network.layers[1].neurons[0].net
    source = viz.to_dot(error, highlight=o6, highlight_edges=[(net6, o6)]).source
    ids = {node: f"n{i}" for i, node in enumerate(topological_order(error))}
    assert f"\t{ids[net6]} -> {ids[o6]}op [color=\"{style.PATH_EDGE}\" penwidth=3.5]" in source
    assert f"\t{ids[o6]}op -> {ids[o6]} [color=\"{style.PATH_EDGE}\" penwidth=3.5]" in source
    assert "the gradient flows here in this step" in source


def test_fit_picks_the_orientation_and_bounds_the_size():
    network, _, error = section7()
    error.backward()
    wide = viz.to_dot(error).graph_attr
    assert wide["rankdir"] == "TB" and wide["size"] == "9.38,12.50" and "dpi" not in wide
    graph = lecture.error_graph("section7")
    assert viz.to_dot(graph.root, fit="slide", collapse=graph.network).graph_attr["rankdir"] == "LR"
    assert viz.to_dot(error, fit=(1920, 1080), rankdir="LR").graph_attr["size"] == "20.00,11.25"
    assert "size" not in viz.to_dot(error, fit=None).graph_attr
    with pytest.raises(ValueError, match="fit must be one of notebook, slide, a \\(width, height\\)"):
        viz.to_dot(error, fit="poster")
    with pytest.raises(ValueError, match="too small"):
        viz.to_dot(error, fit=(10, 10))


@needs_dot
def test_the_lectures_graphs_fit_a_notebook_cell_and_a_slide(tmp_path):
    Image = optional_module("PIL.Image")
    for name in ("section7", "section8", "section10"):
        graph = lecture.error_graph(name)
        graph.root.backward()
        for options in ({}, {"collapse": graph.network}):
            for fit, box in (("notebook", (900, 1200)), ("slide", (1920, 1080))):
                path = viz.render(graph.root, tmp_path / "g.png", fit=fit, **options)
                with Image.open(path) as image:
                    assert image.width <= box[0] and image.height <= box[1], (name, options, fit)


def test_a_node_used_far_apart_is_drawn_again_near_each_use():
    x = Value(1.0, label="x")
    y = x
    for _ in range(60):
        y = y + x                       # dense fan-in: dot's layout took 12 s without copies
    source = viz.to_dot(y).source
    assert source.count("style=\"dashed,rounded\"") > 50 and source.count("label=<x = 1>") > 50
    assert "a node drawn again where it is used far away" in source
    near = viz.to_dot(x * 2 + x).source
    assert "dashed,rounded" not in near


@needs_dot
def test_dense_fan_in_renders_quickly(tmp_path):
    x = Value(1.0, label="x")
    y = x
    for _ in range(100):
        y = y + x
    viz.render(y, tmp_path / "fan.svg", max_nodes=None, timeout=30)   # LayoutTimeout past it
    assert "<svg" in (tmp_path / "fan.svg").read_text()


def test_a_million_nodes_are_capped_with_a_summary(tanh_chain):
    _, y = tanh_chain
    source = viz.to_dot(y).source
    assert len(value_ids(source)) == viz.MAX_NODES
    assert f"… {1_000_001 - viz.MAX_NODES:,} more nodes not drawn" in source
    assert len(source) < 200_000
