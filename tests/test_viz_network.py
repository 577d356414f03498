"""viz.network: the lecture's Figure 3 and Table 2 drawn from an MLP and one training step."""

import re

import pytest
from lecture_numbers import SECTION7_TABLE2, SECTION7_UNITS
from viz_support import needs_dot, svg_texts

import lecture
import nn
import viz
from lecture.textbook import training_step
from stepgrad._ground import drawn
from viz import style


def section7_step():
    example = lecture.SECTION7
    network = example.network()
    return network, training_step(network, example.x, example.t, example.eta)


def edge_label(source, label):
    (text,) = re.findall(rf"label=<({label}: [^>]*)>", source)
    return text


def unit_label(source, name):
    (text,) = re.findall(rf"<TD><B>{name}</B> σ</TD>(.*?)</TABLE>", source)
    return text


def test_the_diagram_shows_table_2_as_the_lecture_prints_it(printed):
    network, step = section7_step()
    source = viz.network_to_dot(network, step).source
    for label, (old, new, change) in SECTION7_TABLE2.items():
        record = step.weight(label)
        # the picture shows the engine's numbers ...
        shown = (f"{label}: {drawn(record.w)} → {drawn(record.w_new)}<BR/>"
                 f"Δ = {style.signed(record.dw, 3)}")
        assert shown in source
        # ... and they are the lecture's
        printed(record.w, old)
        printed(record.w_new, new)
        printed(record.dw, change)
    for name, (net, out, delta) in SECTION7_UNITS.items():
        unit = step.unit(name)
        text = unit_label(source, name)
        assert (f"net = {drawn(unit.net)}</TD></TR><TR><TD>out = {drawn(unit.out)}"
                f"</TD></TR><TR><TD>δ = {drawn(unit.delta)}") in text
        printed(unit.net, net)
        printed(unit.out, out)
        printed(unit.delta, delta)
    assert f"o = {drawn(step.new_outputs[0])}, E = {drawn(step.new_error)}" in source
    printed(step.outputs[0], "0.474")
    printed(step.new_outputs[0], "0.515")


def test_units_and_connections_follow_the_network():
    network, step = section7_step()
    source = viz.network_to_dot(network, step).source
    edges = re.findall(r"^\t(u\d_\d) -> (u\d_\d)", source, flags=re.M)
    assert edges == [("u0_0", "u1_0"), ("u0_1", "u1_0"), ("u0_2", "u1_0"),
                     ("u0_0", "u1_1"), ("u0_1", "u1_1"), ("u0_2", "u1_1"),
                     ("u1_0", "u2_0"), ("u1_1", "u2_0")]
    assert re.findall(r"<TD><B>(\d)</B>", source) == ["1", "2", "3", "4", "5", "6"]
    assert [x for x in re.findall(r"<TD>x = (\d)</TD>", source)] == ["1", "0", "1"]
    assert 'color="#f6873a"' in source and 'color="#6aa4d6"' in source   # w < 0 and w > 0


def test_without_a_step_the_diagram_shows_what_the_network_holds():
    network = lecture.SECTION7.network()
    before = viz.network_to_dot(network).source
    assert "w14 = 0.2" in before and "b4 = −0.4" in before
    assert "net =" not in before and "δ =" not in before
    outputs = network(lecture.SECTION7.x)
    forward = viz.network_to_dot(network).source
    assert f"out = {drawn(outputs[0].data)}" in forward and "δ =" not in forward
    nn.squared_error(outputs, lecture.SECTION7.t).backward()
    backward = viz.network_to_dot(network).source
    assert f"δ = {drawn(network.layers[1].neurons[0].delta)}" in backward


def test_repeated_unit_names_keep_distinct_nodes():
    example = lecture.SECTION10   # inputs 1, 2 and hidden units 1, 2
    network = example.network()
    step = training_step(network, example.x, example.t, example.eta)
    source = viz.network_to_dot(network, step, weights=False, color=False, legend=False).source
    assert re.findall(r"^\t\t(u\d_\d) \[", source, flags=re.M) == [
        "u0_0", "u0_1", "u1_0", "u1_1", "u2_0", "u2_1"]
    assert "label=<w" not in source and "penwidth" not in source
    assert f"E = {drawn(step.error)}" in source


def test_a_step_of_another_network_is_refused():
    network, _ = section7_step()
    example = lecture.SECTION10
    other = training_step(example.network(), example.x, example.t, example.eta)
    with pytest.raises(ValueError, match="step has 2 inputs, the network 3"):
        viz.network_to_dot(network, other)
    with pytest.raises(TypeError, match="expected an nn.MLP, got dict"):
        viz.network_to_dot({})
    with pytest.raises(TypeError, match="step must be an lecture.textbook.TrainingStep"):
        viz.network_to_dot(network, object())


@needs_dot
def test_the_network_renders_to_svg_with_every_label(tmp_path):
    network, step = section7_step()
    path = viz.render_network(network, tmp_path / "net.svg", step=step)
    texts = svg_texts(path.read_bytes())
    for label in SECTION7_TABLE2:
        assert any(text.startswith(f"{label}: ") for text in texts), label
