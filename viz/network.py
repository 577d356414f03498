"""network_to_dot: an MLP drawn as the lecture's Figure 3, optionally with one training step on it."""

import functools
from typing import TYPE_CHECKING, Any

import graphviz

from autodiff import OPS
from stepgrad._ground import drawn

from . import style
from .dot import RANKDIRS
from .escape import html_bold, html_text

if TYPE_CHECKING:   # for annotations only: viz draws an MLP without importing nn
    from nn import MLP

__all__ = ["network_to_dot"]

# by the sign of a weight: −1, 0, +1
_EDGE_COLOURS = {1: style.POSITIVE[-1], 0: style.CONSTANT, -1: style.NEGATIVE[-1]}
_LABEL_COLOURS = {1: "#1f5f99", 0: style.CONSTANT, -1: "#a34a05"}


# ``step`` is Any: a lecture TrainingStep, read by its fields, which viz (beside lecture) cannot import.
def network_to_dot(mlp: "MLP", step: Any = None, *, rankdir: str = "LR", weights: bool = True,
                   color: bool = True, legend: bool = True, precision: int = 4,
                   title: "str | None" = None) -> graphviz.Digraph:
    """``mlp`` as a ``graphviz.Digraph``: units as the lecture draws them, inputs to outputs.

    Units are named by ``mlp.unit_names``; each connection is labelled with its weight (``w14 =
    0.2``) and each unit shows its bias. After a forward pass the units show net and out, and δ
    = −∂E/∂net once a backward pass has reached them. With ``step`` (an
    ``lecture.textbook.TrainingStep`` of this network) the numbers are the step's: x, net, out, δ,
    each weight and bias as old → new with Δw = η·δ·x (Table 2 as a picture), the target and E
    before and after the update.

    Args:
        weights: label the connections (turn off for wide networks).
        color: colour connections by the sign of their weight (blue > 0, orange < 0), thicker
            for larger |w|.
        precision: significant digits of the numbers drawn.
    """
    layers = getattr(mlp, "layers", None)
    if layers is None or not hasattr(mlp, "unit_names"):
        raise TypeError(f"network_to_dot: expected an nn.MLP, got {type(mlp).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"network_to_dot: rankdir must be one of {', '.join(RANKDIRS)}, "
                         f"got {rankdir!r}")
    num = functools.partial(drawn, precision=precision)
    units, records = _step_records(mlp, step)
    neurons = [n for layer in layers for n in layer.neurons]
    show_delta = step is not None or any(n.net is not None and n.net.grad != 0.0 for n in neurons)
    graph = graphviz.Digraph(
        "network",
        graph_attr={"rankdir": rankdir, "bgcolor": "white", "nodesep": "0.5", "ranksep": "1.6",
                    "newrank": "true"},
        node_attr={"fontname": style.FONT, "fontsize": "11", "shape": "box", "style": "rounded,filled",
                   "fillcolor": "white", "color": style.BORDER},
        edge_attr={"fontname": style.FONT, "fontsize": "9", "arrowsize": "0.7"})
    if title is not None:
        graph.attr(label=f"<{html_text(title)}>", labelloc="t", fontname=style.FONT, fontsize="12")

    ids = [[f"u{k}_{j}" for j in range(len(names))] for k, names in enumerate(mlp.unit_names)]
    with graph.subgraph(name="cluster_layer0") as box:  # pyright: ignore[reportOptionalContextManager]
        box.attr(label="<inputs>", color=style.CONSTANT, style="dashed", fontname=style.FONT)
        for j, name in enumerate(mlp.unit_names[0]):
            rows = [html_bold(name)]
            if step is not None:
                rows.append(f"x = {num(step.x[j])}")
            box.node(ids[0][j], label=_rows(rows), fillcolor="#f2f2f2")
    largest = max((abs(w.data) for n in neurons for w in n.w), default=0.0)
    for k, layer in enumerate(layers, start=1):
        kind = "output layer" if k == len(layers) else f"hidden layer {k}"
        with graph.subgraph(name=f"cluster_layer{k}") as box:  # pyright: ignore[reportOptionalContextManager]
            box.attr(label=f"<{kind}>", color=style.CONSTANT, style="dashed", fontname=style.FONT)
            for j, neuron in enumerate(layer.neurons):
                unit = units.get((k, j))
                rows = [f"{html_bold(neuron.name or f'{k}.{j + 1}')} "
                        f"{html_text(_symbol(neuron.activation))}"]
                bias = records.get((k, j, None))
                rows.append(_weight_text(neuron.b.label or "b", neuron.b.data, bias, num))
                if unit is not None:
                    rows += [f"net = {num(unit.net)}", f"out = {num(unit.out)}"]
                    if show_delta:
                        rows.append(f"δ = {num(unit.delta)}")
                elif neuron.net is not None:
                    rows += [f"net = {num(neuron.net.data)}", f"out = {num(neuron.out.data)}"]
                    if show_delta:
                        rows.append(f"δ = {num(neuron.delta)}")
                box.node(ids[k][j], label=_rows(rows))
    for k, layer in enumerate(layers, start=1):
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                attrs = {}
                if weights:
                    record = records.get((k, j, i))
                    attrs["label"] = "<" + _weight_text(w.label or "w", w.data, record, num) + ">"
                    attrs["decorate"] = "true"
                if color:
                    sign = (w.data > 0) - (w.data < 0)
                    attrs["color"] = _EDGE_COLOURS[sign]
                    attrs["fontcolor"] = _LABEL_COLOURS[sign]
                    share = abs(w.data) / largest if largest else 0.0
                    attrs["penwidth"] = f"{0.8 + 2.2 * share:.2f}"
                graph.edge(ids[k - 1][i], ids[k][j], **attrs)
    if step is not None:
        _draw_outcome(graph, step, ids[-1], num)
    if legend:
        _draw_legend(graph, color, step is not None or show_delta)
    return graph


def _symbol(activation):
    return OPS[activation].symbol if activation in OPS else activation


def _rows(rows):
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>>'


def _weight_text(label, value, record, num):
    if record is None:
        return f"{html_text(label)} = {num(value)}"
    return (f"{html_text(label)}: {num(record.w)} → {num(record.w_new)}<BR/>"
            f"Δ = {style.signed(record.dw, 3)}")


def _step_records(mlp, step):
    """The step's unit and weight records keyed by position, after checking they fit ``mlp``."""
    if step is None:
        return {}, {}
    for name in ("x", "units", "weights", "t", "error", "new_outputs", "new_error"):
        if not hasattr(step, name):
            raise TypeError(f"network_to_dot: step must be an lecture.textbook.TrainingStep, "
                            f"got {type(step).__name__} (no .{name})")
    if len(step.x) != mlp.n_inputs:
        raise ValueError(f"network_to_dot: step has {len(step.x)} inputs, the network "
                         f"{mlp.n_inputs}")
    units, records = {}, {}
    unit_iter, weight_iter = iter(step.units), iter(step.weights)
    for k, layer in enumerate(mlp.layers, start=1):
        for j, neuron in enumerate(layer.neurons):
            unit = next(unit_iter, None)
            if unit is None or unit.name != neuron.name:
                raise ValueError(f"network_to_dot: step does not match the network: unit "
                                 f"{neuron.name!r} is {'missing' if unit is None else repr(unit.name)}")
            units[(k, j)] = unit
            for i, parameter in [*enumerate(neuron.w), (None, neuron.b)]:
                record = next(weight_iter, None)
                if record is None or record.label != parameter.label:
                    found = "missing" if record is None else repr(record.label)
                    raise ValueError(f"network_to_dot: step does not match the network: "
                                     f"{parameter.label!r} is {found}")
                records[(k, j, i)] = record
    return units, records


def _draw_outcome(graph, step, output_ids, num):
    outputs = ", ".join(num(o) for o in step.outputs)
    new_outputs = ", ".join(num(o) for o in step.new_outputs)
    targets = ", ".join(num(t) for t in step.t)
    rows = [f"t = {targets}",
            f"o = {outputs}, E = {num(step.error)}",
            f"after the update (η = {num(step.eta)}):",
            f"o = {new_outputs}, E = {num(step.new_error)}"]
    graph.node("outcome", label=_rows(rows), shape="note", fillcolor="#fffbe6")
    for output_id in output_ids:
        graph.edge(output_id, "outcome", style="dashed", arrowhead="none")


def _draw_legend(graph, color, show_delta):
    rows = []
    if color:
        rows.append(f'<FONT COLOR="{style.POSITIVE[-1]}">━━</FONT> w &gt; 0   '
                    f'<FONT COLOR="{style.NEGATIVE[-1]}">━━</FONT> w &lt; 0   thicker: larger |w|')
    if show_delta:
        rows.append("δ = −∂E/∂net, E = ½Σ(t − o)²")
    if rows:
        graph.node("legend", label=_rows(rows), shape="plain", fontsize="9", style="")
