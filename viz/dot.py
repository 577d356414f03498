"""to_dot: a computation graph as a graphviz.Digraph, with data, gradients and the op table's rules."""

import math

import graphviz

from autodiff import CONST, OPS, Value, topological_order

from . import style
from .escape import html_bold, html_text

__all__ = ["to_dot", "RANKDIRS", "COLLAPSE_LEVELS"]

RANKDIRS = ("LR", "TB", "RL", "BT")
COLLAPSE_LEVELS = ("neuron", "layer")
SUMMARY_ID = "more"


class _Group:
    """Nodes of one neuron (or one layer) of an MLP, drawn as a single node."""

    def __init__(self, title, level):
        self.title = title
        self.level = level
        self.neurons = []
        self.members = []
        self.parameters = set()


def to_dot(root, *, rankdir="LR", show_grad=True, grads=None, reserve=None,
           local_derivatives=False, color=True, legend=True, highlight=None, highlight_path=None,
           ancestors_of=None, collapse=None, collapse_level="neuron", max_nodes=None, precision=4,
           title=None):
    """The computation graph below ``root`` as a ``graphviz.Digraph``.

    Each Value is a box with its label, data and gradient; each op a circle with its symbol
    (``op.symbol``), fed by one edge per operand in operand order (``a * a`` has two); constants
    are small grey numbers. Node ids follow ``autodiff.topological_order`` (n0, n1, ...; an op
    node is ``n5op``), so the DOT text is the same on every run. The result renders itself
    (``.pipe()``, ``.render()``) and shows inline in Jupyter; ``viz.render`` writes it to a file.

    Colours (``color=True``): a fill by the sign of ∂root/∂node, blue for > 0 and orange for
    < 0, deeper for larger |gradient| relative to the largest drawn (root excepted); white for 0.
    Marks: ⚠ NaN or ±∞ (red border), ◆ a saturated σ or tanh whose local derivative is below
    0.01 (purple), ✕ a dead relu (grey). Highlighted nodes have a yellow name cell. ``legend``
    adds a key for what is drawn.

    Args:
        rankdir: "LR" (inputs on the left), "TB", "RL" or "BT".
        show_grad: draw gradients (δ for collapsed neurons).
        grads: a mapping node → gradient to show instead of ``.grad`` (for example
            ``autodiff.gradients(root)``); a node missing from it shows an empty gradient.
        reserve: a mapping node → gradient whose text width each gradient cell keeps, so a
            sequence of drawings (``backward_frames``) keeps one layout.
        local_derivatives: label each edge with ∂out/∂operand, the op table's formula and its
            value, e.g. ``∂out/∂a = out·(1 − out) = 0.2492``.
        highlight: a Value or an iterable of Values to highlight.
        highlight_path: a Value; highlights every node and edge on a path from it to ``root``,
            the paths the chain rule sums over for ∂root/∂node.
        ancestors_of: a Value of the graph; draws only it and the nodes it is computed from.
        collapse: an ``nn.MLP`` whose latest forward pass is in the graph: each neuron (or layer,
            ``collapse_level="layer"``) becomes one node showing net, out and δ = −∂root/∂net.
            A neuron's nodes are those between its weights and bias and its ``out``; leaves used
            only inside one neuron (its weights, bias, constants) go inside it too.
        max_nodes: draw at most this many nodes, those nearest ``root``; one summary node
            stands for the rest.
        precision: significant digits of the numbers drawn.
        title: a caption above the graph.
    """
    _check_value(root, "root")
    if rankdir not in RANKDIRS:
        raise ValueError(f"to_dot: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if collapse_level not in COLLAPSE_LEVELS:
        raise ValueError(f"to_dot: collapse_level must be 'neuron' or 'layer', got {collapse_level!r}")
    if max_nodes is not None and (not isinstance(max_nodes, int) or isinstance(max_nodes, bool)
                                  or max_nodes < 1):
        raise ValueError(f"to_dot: max_nodes must be a positive int or None, got {max_nodes!r}")
    if not isinstance(precision, int) or isinstance(precision, bool) or not 1 <= precision <= 17:
        raise ValueError(f"to_dot: precision must be an int from 1 to 17, got {precision!r}")
    start = root
    if ancestors_of is not None:
        _check_value(ancestors_of, "ancestors_of")
        _check_member(ancestors_of, root, "ancestors_of")
        start = ancestors_of
    order = topological_order(start)
    drawing = _Drawing(root, order, grads, reserve, precision, color)
    if highlight is not None:
        for node in [highlight] if isinstance(highlight, Value) else list(highlight):
            _check_value(node, "highlight")
            drawing.check_drawn(node, "highlight")
            drawing.highlighted.add(node)
    if highlight_path is not None:
        _check_value(highlight_path, "highlight_path")
        drawing.mark_path(highlight_path)
    if collapse is not None:
        drawing.collapse(collapse, collapse_level)
    drawing.keep(max_nodes)
    return drawing.build(rankdir, show_grad, local_derivatives, legend, title)


def _check_value(node, name):
    if not isinstance(node, Value):
        raise TypeError(f"to_dot: {name} must be a Value, got {type(node).__name__}")


def _check_member(node, root, name):
    if node is not root and node not in set(topological_order(root)):
        label = f" {node.label!r}" if node.label else ""
        raise ValueError(f"to_dot: {name}: the Value{label} is not in the graph below root")


class _Drawing:
    """The state of one to_dot call: which nodes are drawn, grouped, highlighted, and how."""

    def __init__(self, root, order, grads, reserve, precision, color):
        self.root = root
        self.order = order
        self.index = {node: i for i, node in enumerate(order)}
        self.grads = grads
        self.reserve = reserve or {}
        self.precision = precision
        self.color = color
        self.highlighted = set()
        self.path = set()
        self.owner = {}          # node → its _Group when collapsed
        self.groups = []
        self.kept = None         # None: every node drawn
        self.hidden = 0
        self.marks_seen = set()
        self.scale = self._scale()

    # -- gradients and numbers ------------------------------------------------------------
    def grad(self, node):
        """The gradient to show: ``.grad`` or the given mapping's entry (None: not known yet)."""
        if self.grads is None:
            return node.grad
        value = self.grads.get(node)
        return None if value is None else float(value)

    def num(self, x):
        return style.number(x, self.precision)

    def _scale(self):
        values = [abs(g) for node in self.order
                  if node.op is not CONST and node is not self.root
                  for g in [self.grad(node)] if g is not None and math.isfinite(g)]
        if not values:
            g = self.grad(self.root)
            return abs(g) if g is not None and math.isfinite(g) else 0.0
        return max(values)

    def fill(self, grad):
        if not self.color or grad is None:
            return style.ZERO
        return style.shade(grad, self.scale) or style.ZERO

    # -- selections -------------------------------------------------------------------------
    def check_drawn(self, node, option):
        if node not in self.index:
            label = f" {node.label!r}" if node.label else ""
            raise ValueError(f"to_dot: {option}: the Value{label} is not in the graph drawn")

    def mark_path(self, source):
        self.check_drawn(source, "highlight_path")
        on_path = self.path
        for node in self.order:
            if node is source or any(p in on_path for p in node.parents):
                on_path.add(node)

    def collapse(self, mlp, level):
        layers = getattr(mlp, "layers", None)
        if layers is None:
            raise TypeError(f"to_dot: collapse must be an nn.MLP, got {type(mlp).__name__}")
        present = self.index
        for k, layer in enumerate(layers):
            layer_group = None
            for j, neuron in enumerate(layer.neurons):
                if neuron.out is None or neuron.out not in present:
                    continue
                if level == "layer":
                    if layer_group is None:
                        layer_group = _Group(f"layer {k + 1}", level)
                        self.groups.append(layer_group)
                    group = layer_group
                else:
                    name = neuron.name if neuron.name is not None else f"{k + 1}.{j + 1}"
                    group = _Group(f"unit {name}", level)
                    self.groups.append(group)
                group.neurons.append(neuron)
                self._claim(neuron, group)
        self._absorb_leaves()
        for group in self.groups:
            group.members.sort(key=self.index.__getitem__)

    def _claim(self, neuron, group):
        """Own the nodes between the neuron's weights and bias and its out."""
        below = set(neuron.w)
        below.add(neuron.b)
        group.parameters.update(below)
        for node in topological_order(neuron.out):
            if node in below or node in self.owner:
                continue
            if any(p in below for p in node.parents):
                below.add(node)
                self.owner[node] = group
                group.members.append(node)

    def _absorb_leaves(self):
        """Move inside a group its own weights and bias, and constants, used nowhere else."""
        users = {}
        for node in self.order:
            for parent in node.parents:
                if not parent.parents:
                    users.setdefault(parent, set()).add(self.owner.get(node))
        for leaf, owners in users.items():
            if len(owners) != 1 or leaf is self.root:
                continue
            (group,) = owners
            if group is not None and (leaf.op is CONST or leaf in group.parameters):
                self.owner[leaf] = group
                group.members.append(leaf)

    def item(self, node):
        return self.owner.get(node, node)

    def keep(self, max_nodes):
        if max_nodes is None:
            return
        kept, chosen = set(), []
        for node in reversed(self.order):
            item = self.item(node)
            if item not in kept and len(chosen) < max_nodes:
                kept.add(item)
                chosen.append(item)
        self.kept = kept
        self.hidden = sum(1 for node in self.order if self.item(node) not in kept)

    def drawn(self, item):
        return self.kept is None or item in self.kept

    def node_id(self, item):
        if isinstance(item, _Group):
            return f"n{self.index[item.members[-1]]}"
        return f"n{self.index[item]}"

    def source_id(self, node):
        item = self.item(node)
        return self.node_id(item) if self.drawn(item) else SUMMARY_ID

    # -- the DOT --------------------------------------------------------------------------
    def build(self, rankdir, show_grad, local_derivatives, legend, title):
        graph = graphviz.Digraph(
            "computation_graph",
            graph_attr={"rankdir": rankdir, "bgcolor": "white", "nodesep": "0.3",
                        # room for the fan of edges between collapsed neurons
                        "ranksep": "1.5" if any(g.level == "neuron" for g in self.groups)
                        else "0.4"},
            node_attr={"fontname": style.FONT, "fontsize": "11"},
            edge_attr={"fontname": style.FONT, "fontsize": "9", "arrowsize": "0.7",
                       "color": style.BORDER})
        if title is not None:
            graph.attr(label=f"<{html_text(title)}>", labelloc="t", fontname=style.FONT,
                       fontsize="12")
        for node in self.order:
            item = self.item(node)
            if not self.drawn(item):
                continue
            if isinstance(item, _Group):
                if node is item.members[-1]:
                    self._draw_group(graph, item, show_grad)
            elif node.op is CONST:
                text = self.num(node.data)
                if node.label:  # a named input, such as nn's x1
                    text = f"{html_text(node.label)} = {text}"
                graph.node(self.node_id(node), label=f"<{text}>", shape="plaintext",
                           fontsize="9", fontcolor=style.CONSTANT, width="0", height="0",
                           margin="0.02")
            else:
                self._draw_value(graph, node, show_grad, local_derivatives)
        if self.hidden:
            graph.node(SUMMARY_ID, label=f"<… {self.hidden:,} more nodes not drawn>",
                       shape="note", fontcolor=style.CONSTANT, color=style.CONSTANT)
        if legend:
            self._draw_legend(graph, show_grad)
        return graph

    def _draw_value(self, graph, node, show_grad, local_derivatives):
        node_id = self.node_id(node)
        grad = self.grad(node)
        marks = style.marks_of(node, grad if show_grad else None)
        self.marks_seen.update(mark for mark, _ in marks)
        lit = node in self.highlighted or node in self.path
        cells = []
        if node.label is not None:
            cells.append(html_bold(node.label))
        cells.append(f"data {self.num(node.data)}")
        fill = self.fill(grad if show_grad else None)
        if show_grad:
            cells.append("grad " + self._grad_text(node, grad, fill))
        cells.extend(_mark_text(mark, detail) for mark, detail in marks)
        border = style.MARKS[marks[0][0]][0] if marks else style.BORDER
        row = "".join(f'<TD BGCOLOR="{style.HIGHLIGHT}">{cell}</TD>' if lit and i == 0
                      else f"<TD>{cell}</TD>" for i, cell in enumerate(cells))
        graph.node(node_id, label=_table(row, fill, border), shape="plain")
        if not node.parents:
            return
        op_id = node_id + "op"
        op_lit = node in self.path
        graph.node(op_id, label=f"<{html_text(node.op.symbol)}>", shape="circle", width="0.3",
                   height="0.3", margin="0.02",
                   **({"style": "filled", "fillcolor": style.HIGHLIGHT} if op_lit else {}))
        graph.edge(op_id, node_id, **self._edge_style(op_lit))
        summarised = False
        for i, parent in enumerate(node.parents):
            source = self.source_id(parent)
            if source == SUMMARY_ID:
                if not summarised:
                    graph.edge(source, op_id, style="dashed")
                summarised = True
                continue
            attrs = self._edge_style(op_lit and parent in self.path)
            if local_derivatives:
                attrs["label"] = f"<{html_text(self._local_text(node, i))}>"
            graph.edge(source, op_id, **attrs)

    def _grad_text(self, node, grad, fill):
        shown = "" if grad is None else self.num(grad)
        reserved = self.reserve.get(node)
        if reserved is not None:
            pad = self.num(reserved)[len(shown):]
            if pad:
                return f'{shown}<FONT COLOR="{fill}">{html_text(pad)}</FONT>'
        return shown

    def _local_text(self, node, i):
        formula = node.op.formulas[i].replace("-", "−")   # a drawing's typographic minus
        value = style.local_derivative(node, i)
        name = f"∂out/∂{'ab'[i]}"
        if value is None:
            return f"{name} = {formula}: undefined here"
        text = self.num(value)
        return f"{name} = {text}" if formula == text else f"{name} = {formula} = {text}"

    @staticmethod
    def _edge_style(lit):
        return {"color": style.PATH_EDGE, "penwidth": "2.5"} if lit else {}

    def _draw_group(self, graph, group, show_grad):
        group_id = self.node_id(group)
        lit = any(m in self.highlighted or m in self.path for m in group.members)
        first = f' BGCOLOR="{style.HIGHLIGHT}"' if lit else ""
        marks = []
        for neuron in group.neurons:
            marks.extend(style.marks_of(neuron.out, self.grad(neuron.out) if show_grad else None))
        self.marks_seen.update(mark for mark, _ in marks)
        border = style.MARKS[marks[0][0]][0] if marks else style.BORDER
        single = group.level == "neuron"
        fill = self.fill(self.grad(group.neurons[0].net) if show_grad and single else None)
        if single:
            neuron = group.neurons[0]
            rows = [f'<TR><TD COLSPAN="2"{first}>{html_bold(group.title)} '
                    f'{html_text(_activation_symbol(neuron))}</TD></TR>']
            for name, text in self._unit_values(neuron, show_grad):
                rows.append(f"<TR><TD>{name}</TD><TD>{text}</TD></TR>")
            span = 2
        else:
            symbol = _activation_symbol(group.neurons[0])
            columns = ["unit", "net", "out"] + (["δ"] if show_grad else [])
            rows = [f'<TR><TD COLSPAN="{len(columns)}"{first}>{html_bold(group.title)} · '
                    f'{len(group.neurons)} × {html_text(symbol)}</TD></TR>',
                    "<TR>" + "".join(f"<TD>{c}</TD>" for c in columns) + "</TR>"]
            for neuron in group.neurons:
                values = [text for _, text in self._unit_values(neuron, show_grad)]
                rows.append("<TR>" + "".join(f"<TD>{v}</TD>" for v in
                                             [html_text(neuron.name or "")] + values) + "</TR>")
            span = len(columns)
        rows.extend(f'<TR><TD COLSPAN="{span}">{_mark_text(m, d)}</TD></TR>' for m, d in marks)
        graph.node(group_id, label=_table("".join(rows), fill, border, rows_given=True),
                   shape="plain")
        sources = []
        for member in group.members:
            for parent in member.parents:
                if self.owner.get(parent) is group:
                    continue
                source = self.source_id(parent)
                if source not in sources:
                    sources.append(source)
        for source in sources:
            graph.edge(source, group_id)

    def _unit_values(self, neuron, show_grad):
        values = [("net", self.num(neuron.net.data)), ("out", self.num(neuron.out.data))]
        if show_grad:
            g = self.grad(neuron.net)
            values.append(("δ", "" if g is None else self.num(-g)))
        return values

    def _draw_legend(self, graph, show_grad):
        rows = []
        if self.color and show_grad:
            shades = [*reversed(style.NEGATIVE), style.ZERO, *style.POSITIVE]
            marks = {0: "−", len(style.NEGATIVE): "0", len(shades) - 1: "+"}
            swatches = "".join(f'<TD BGCOLOR="{c}" WIDTH="16">{marks.get(i, " ")}</TD>'
                               for i, c in enumerate(shades))
            name = html_text(self.root.label or "root")
            rows.append(f'<TR><TD ALIGN="LEFT">fill: the sign of ∂{name}/∂node</TD></TR>'
                        f'<TR><TD><TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0">'
                        f"<TR>{swatches}</TR></TABLE></TD></TR>"
                        '<TR><TD ALIGN="LEFT">deeper: larger |∂|, relative to the largest</TD></TR>')
        for mark, (_, _, text) in style.MARKS.items():
            if mark in self.marks_seen:
                rows.append(f'<TR><TD ALIGN="LEFT">{_mark_text(mark, text)}</TD></TR>')
        if self.highlighted or self.path:
            text = "on a path to the root" if self.path else "highlighted"
            rows.append(f'<TR><TD ALIGN="LEFT" BGCOLOR="{style.HIGHLIGHT}">{text}</TD></TR>')
        if any(node.op is CONST for node in self.order):
            rows.append(f'<TR><TD ALIGN="LEFT"><FONT COLOR="{style.CONSTANT}">2</FONT> '
                        "a constant</TD></TR>")
        if not rows:
            return
        with graph.subgraph(name="cluster_legend") as box:
            box.attr(label="<legend>", fontname=style.FONT, fontsize="10", color=style.CONSTANT,
                     style="dashed")
            box.node("legend", label='<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" '
                                     f'CELLPADDING="2">{"".join(rows)}</TABLE>>',
                     shape="plain", fontsize="9")


def _table(content, fill, border, rows_given=False):
    rows = content if rows_given else f"<TR>{content}</TR>"
    return (f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" '
            f'COLOR="{border}" BGCOLOR="{fill}">{rows}</TABLE>>')


def _mark_text(mark, detail):
    colour, symbol, _ = style.MARKS[mark]
    return f'<FONT COLOR="{colour}">{symbol}</FONT> {html_text(detail)}'


def _activation_symbol(neuron):
    return OPS[neuron.activation].symbol if neuron.activation in OPS else neuron.activation
