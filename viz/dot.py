"""to_dot: a computation graph as a graphviz.Digraph, with data, gradients and the op table's rules."""

import math
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import graphviz

from autodiff import CONST, OPS, Value, topological_order
from stepgrad._ground import drawn
from stepgrad.stepping import formula, node_names, units_of

from . import style
from .escape import html_bold, html_text
from .fit import Sketch, box_of, graph_attributes

if TYPE_CHECKING:   # for annotations only: viz draws an MLP without importing nn
    from nn import MLP

__all__ = ["to_dot", "RANKDIRS", "COLLAPSE_LEVELS", "MAX_NODES"]

RANKDIRS = ("LR", "TB", "RL", "BT")
COLLAPSE_LEVELS = ("neuron", "layer")
SUMMARY_ID = "more"
MAX_NODES = 300     # the default cap: more is neither legible nor quick to lay out
FAR = 6             # a node used this many ranks away (and used elsewhere) is drawn again there
SUMMARY_EDGES = 4   # past this many, what is not drawn feeds each use through a stub "…"


class _Group:
    """Nodes of one neuron (or one layer) of an MLP, drawn as a single node."""

    def __init__(self, title, level):
        self.title = title
        self.level = level
        self.neurons = []
        self.members = []
        self.parameters = set()


def to_dot(root: Value, *, rankdir: str = "auto", fit: "str | tuple[float, float] | None" = "notebook",
           show_grad: bool = True, grads: "Mapping[Value, float | None] | None" = None,
           reserve: "Mapping[Value, float | None] | None" = None, local_derivatives: bool = False,
           color: bool = True, legend: bool = True, highlight: "Value | Iterable[Value] | None" = None,
           highlight_path: "Value | None" = None, highlight_edges: "Iterable[tuple[Value, Value]] | None" = None,
           ancestors_of: "Value | None" = None, collapse: "MLP | None" = None, collapse_level: str = "neuron",
           max_nodes: "int | None" = MAX_NODES, precision: int = 4, title: "str | None" = None) -> graphviz.Digraph:
    """The computation graph below ``root`` as a ``graphviz.Digraph``.

    Each Value is a box with its label, data and gradient; each op a circle with its symbol
    (``op.symbol``), fed by one edge per operand in operand order (``a * a`` has two); constants
    are small grey numbers. Node ids follow ``autodiff.topological_order`` (n0, n1, ...; an op
    node is ``n5op``), so the DOT text is the same on every run. The result renders itself
    (``.pipe()``, ``.render()``) and shows inline in Jupyter; ``viz.render`` writes it to a file.

    Colours (``color=True``): a fill by the sign of ∂root/∂node, blue for > 0 and orange for
    < 0, deeper for larger |gradient| relative to the largest drawn (root excepted); white for 0.
    A collapsed neuron is filled by the sign of the δ = −∂root/∂net it shows. Marks: ⚠ NaN or
    ±∞ (red border), ◆ a saturated σ or tanh whose local derivative is below 0.01 (purple), ✕ a
    dead relu (grey). Highlighted nodes have a yellow name cell. A node used far apart (x in
    y = y + x, again and again) is drawn again, dashed, next to each later use, which keeps the
    layout fast and its edges short. ``legend`` adds a key for what is drawn.

    Args:
        rankdir: "auto" (the orientation that shows the text larger in ``fit``), "LR" (inputs on
            the left), "TB", "RL" or "BT".
        fit: where the drawing is shown: "notebook" (a cell about 900 px wide; the default),
            "slide" (1920×1080, a small graph scaled up to fill it), a (width, height) in
            pixels, or None (the natural size). A larger drawing is scaled down to fit.
        show_grad: draw gradients (δ for collapsed neurons).
        grads: a mapping node → gradient to show instead of ``.grad`` (for example
            ``autodiff.gradients(root)``); a node missing from it shows an empty gradient.
        reserve: a mapping node → gradient whose text width each gradient cell keeps, so a
            sequence of drawings (``backward_frames``) keeps one layout.
        local_derivatives: label each edge with ∂node/∂operand written in the nodes' names and
            its value, e.g. ``o4 = 0.3318`` into ``w46·o4``, ``o6·(1 − o6) = 0.2493``; edges from
            constants, which take no gradient, carry none.
        highlight: a Value or an iterable of Values to highlight.
        highlight_path: a Value; highlights every node and edge on a path from it to ``root``,
            the paths the chain rule sums over for ∂root/∂node.
        highlight_edges: (operand, node) pairs: the edges backward is traversing, drawn thick.
        ancestors_of: a Value of the graph; draws only it and the nodes it is computed from.
        collapse: an ``nn.MLP`` whose latest forward pass is in the graph: each neuron (or layer,
            ``collapse_level="layer"``) becomes one node showing net, out and δ = −∂root/∂net.
            A neuron's nodes are those between its weights and bias and its ``out``; leaves used
            only inside one neuron (its weights, bias, constants) go inside it too.
        max_nodes: draw at most this many nodes (default MAX_NODES), those nearest ``root``;
            one summary node stands for the rest. None draws them all.
        precision: significant digits of the numbers drawn.
        title: a caption above the graph; several lines are set left-aligned in a fixed-width
            font, as a terminal shows them.
    """
    _check_value(root, "root")
    if rankdir not in RANKDIRS and rankdir != "auto":
        raise ValueError(f"to_dot: rankdir must be 'auto' or one of {', '.join(RANKDIRS)}, "
                         f"got {rankdir!r}")
    box_of(fit)
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
    if highlight_edges is not None:
        drawing.lit_edges = {(parent, node) for parent, node in highlight_edges}
        drawing.flows = True
    if collapse is not None:
        drawing.collapse(collapse, collapse_level)
    drawing.keep(max_nodes)
    return drawing.build(rankdir, fit, show_grad, local_derivatives, legend, title)


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
        self.lit_edges = set()
        self.flows = False       # the legend says what thick edges mean
        self.owner = {}          # node → its _Group when collapsed
        self.groups = []
        self.kept = None         # None: every node drawn
        self.hidden = 0
        self.marks_seen = set()
        self.ghosts = 0
        self.legend_drawn = False
        self.names = None        # the nodes' names, for named edge labels
        self.sketch = Sketch()
        self.first = 0           # the drawn nodes all sit in order[first:]
        self.scale = None

    # -- gradients and numbers ------------------------------------------------------------
    def grad(self, node):
        """The gradient to show: ``.grad`` or the given mapping's entry (None: not known yet)."""
        if self.grads is None:
            return node.grad
        value = self.grads.get(node)
        return None if value is None else float(value)

    def num(self, x):
        return drawn(x, self.precision)

    def _scale(self):
        """The largest |gradient| drawn (the root's and constants' aside); a unit counts its δ."""
        values = [abs(g) for node in self.order[self.first:]
                  if node.op is not CONST and node is not self.root and self.drawn(self.item(node))
                  for g in [self.grad(node)] if g is not None and math.isfinite(g)]
        values += [abs(g) for group in self.groups if self.drawn(group)
                   for neuron in group.neurons
                   for g in [self.grad(neuron.net)] if g is not None and math.isfinite(g)]
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
        if getattr(mlp, "layers", None) is None:
            raise TypeError(f"to_dot: collapse must be an nn.MLP, got {type(mlp).__name__}")
        layer_groups = {}
        for unit in units_of(mlp, self.index):
            if level == "layer":
                group = layer_groups.get(unit.layer)
                if group is None:
                    group = layer_groups[unit.layer] = _Group(f"layer {unit.layer}", level)
                    self.groups.append(group)
            else:
                group = _Group(f"unit {unit.name}", level)
                self.groups.append(group)
            group.neurons.append(unit.neuron)
            group.parameters.update(unit.parameters)
            for member in unit.members:
                self.owner[member] = group
                group.members.append(member)
        self._absorb_leaves()
        for group in self.groups:
            group.members.sort(key=self.index.__getitem__)

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
        """Draw the ``max_nodes`` items nearest the root (all for None)."""
        if max_nodes is not None:
            kept = set()
            for node in reversed(self.order):
                item = self.item(node)
                if item not in kept:
                    if len(kept) == max_nodes:
                        break
                    kept.add(item)
            self.kept = kept
            drawn = [i for i, node in enumerate(self.order) if self.item(node) in kept] \
                if self.groups else range(len(self.order) - len(kept), len(self.order))
            self.first = drawn[0] if len(drawn) else len(self.order)
            self.hidden = len(self.order) - len(drawn)
        self.scale = self._scale()

    def drawn(self, item):
        return self.kept is None or item in self.kept

    def node_id(self, item):
        if isinstance(item, _Group):
            return f"n{self.index[item.members[-1]]}"
        return f"n{self.index[item]}"

    def source_id(self, node):
        item = self.item(node)
        return self.node_id(item) if self.drawn(item) else SUMMARY_ID

    def _far_uses(self):
        """(operand, user) pairs drawn from a copy of the operand: uses many ranks away from a
        node that is used more than once (dense fan-in makes dot's layout slow and tangled)."""
        if self.groups:
            return set()
        rank, users = {}, {}
        for node in self.order[self.first:]:          # parents first
            rank[node] = 1 + max((rank.get(p, 0) for p in node.parents), default=-1)
            for parent in node.parents:
                users.setdefault(parent, []).append(node)
        far = set()
        for node, uses in users.items():
            if len(uses) < 2 or not self.drawn(self.item(node)):
                continue
            nearest = min(rank[u] for u in uses)
            base = rank[node] if node.parents and node in rank else nearest - 1
            for use in uses:
                if rank[use] - base > FAR and rank[use] != nearest:
                    far.add((node, use))
        return far

    # -- the DOT --------------------------------------------------------------------------
    def build(self, rankdir, fit, show_grad, local_derivatives, legend, title):
        graph = graphviz.Digraph(
            "computation_graph",
            graph_attr={"bgcolor": "white", "nodesep": "0.3"},
            node_attr={"fontname": style.FONT, "fontsize": "11"},
            edge_attr={"fontname": style.FONT, "fontsize": "9", "arrowsize": "0.7",
                       "color": style.BORDER})
        if title is not None:
            graph.attr(label=_caption(title), labelloc="t", fontname=style.FONT, fontsize="14")
            self.sketch.block(str(title).splitlines() or [""], 14)
        if local_derivatives:
            self.names = node_names(self.order)
        self.far = self._far_uses()
        self.summarised = self._summarised_ops()
        for node in self.order[self.first:]:
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
                self.sketch.node(self.node_id(node), [_plain(text)], fontsize=9, padding=2)
            else:
                self._draw_value(graph, node, show_grad, local_derivatives)
        if self.hidden:
            graph.node(SUMMARY_ID, label=f"<… {self.hidden:,} more nodes not drawn>",
                       shape="note", fontcolor=style.CONSTANT, color=style.CONSTANT)
            self.sketch.node(SUMMARY_ID, [f"… {self.hidden:,} more nodes not drawn"])
        if legend:
            self._draw_legend(graph, show_grad, local_derivatives)
        # across the ranks of an LR drawing, room for the fan of edges between collapsed neurons
        wide = any(g.level == "neuron" for g in self.groups)
        attributes = graph_attributes(self.sketch, fit, rankdir,
                                      ranksep={"LR": 0.8 if wide else 0.4, "TB": 0.4})
        graph.graph_attr.update(attributes)
        if self.legend_drawn and attributes["rankdir"] in ("TB", "BT"):
            # below the root rather than beside the graph, where a cell has no width to spare
            graph.edge(self.node_id(self.item(self.order[-1])), "legend", style="invis")
        return graph

    def _edge(self, graph, source, target, attrs):
        graph.edge(source, target, **attrs)
        self.sketch.edge(source, target)

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
        self.sketch.node(node_id, [" ".join(_plain(c) for c in cells)], cells=len(cells))
        if not node.parents:
            return
        op_id = node_id + "op"
        traversed = any(edge[1] is node for edge in self.lit_edges)
        op_lit = node in self.path or traversed
        graph.node(op_id, label=f"<{html_text(node.op.symbol)}>", shape="circle", width="0.3",
                   height="0.3", margin="0.02",
                   **({"style": "filled", "fillcolor": style.HIGHLIGHT} if op_lit else {}))
        self.sketch.node(op_id, (), shape=(22.0, 22.0))
        self._edge(graph, op_id, node_id, self._edge_style(op_lit, traversed))
        summarised = False
        for i, parent in enumerate(node.parents):
            source = self.source_id(parent)
            if source == SUMMARY_ID:
                if not summarised:
                    self._from_summary(graph, op_id)
                summarised = True
                continue
            if (parent, node) in self.far:
                source = self._draw_copy(graph, parent, node_id, i)
            now = (parent, node) in self.lit_edges
            attrs = self._edge_style(op_lit and (parent in self.path or now), now)
            if local_derivatives and parent.op is not CONST:
                attrs["label"] = f"<{html_text(self._local_text(node, i))}>"
            self._edge(graph, source, op_id, attrs)

    def _summarised_ops(self):
        """How many drawn nodes have operands that are not drawn (the summary feeds them)."""
        if not self.hidden:
            return 0
        return sum(1 for node in self.order[self.first:]
                   if self.drawn(self.item(node)) and not isinstance(self.item(node), _Group)
                   and any(not self.drawn(self.item(p)) for p in node.parents))

    def _from_summary(self, graph, target):
        """An edge from the summary of what is not drawn; past a few, a stub "…" per use, which
        keeps the layout from tangling many long edges."""
        if self.summarised <= SUMMARY_EDGES:
            self._edge(graph, SUMMARY_ID, target, {"style": "dashed"})
            return
        stub = f"{target}_more"
        graph.node(stub, label="<…>", shape="plaintext", fontcolor=style.CONSTANT, width="0",
                   height="0", margin="0.02")
        self.sketch.node(stub, ["…"], fontsize=11, padding=2)
        self._edge(graph, stub, target, {"style": "dashed"})

    def _draw_copy(self, graph, node, user_id, operand):
        """A dashed copy of ``node`` next to a far use of it; returns its id."""
        self.ghosts += 1
        copy_id = f"{self.node_id(node)}_{user_id}_{operand}"
        name = node.label if node.label is not None else self.node_id(node)
        text = f"{html_text(name)} = {self.num(node.data)}" if node.op is CONST or \
            node.label is not None else f"{html_text(name)} (again)"
        graph.node(copy_id, label=f"<{text}>", shape="box", style="dashed,rounded",
                   fontsize="9", fontcolor=style.CONSTANT, color=style.CONSTANT, width="0",
                   height="0", margin="0.04")
        self.sketch.node(copy_id, [_plain(text)], fontsize=9)
        return copy_id

    def _grad_text(self, node, grad, fill, sign=1.0):
        """The gradient's text (δ for ``sign`` −1), padded invisibly to the width it will have
        (``reserve``), so that a sequence of drawings keeps one layout."""
        shown = "" if grad is None else self.num(sign * grad)
        reserved = self.reserve.get(node)
        if reserved is not None:
            pad = self.num(sign * reserved)[len(shown):]
            if pad:
                return f'{shown}<FONT COLOR="{fill}">{html_text(pad)}</FONT>'
        return shown

    def _local_text(self, node, i):
        """The edge's local derivative in the nodes' names, with a drawing's typographic minus."""
        value = style.local_or_none(node, i)
        assert self.names is not None   # named when local_derivatives asks for edge labels
        named = formula(node, i, self.names).replace("-", "−")
        if value is None:
            return f"{named}: undefined here"
        text = self.num(value)
        return text if named == text else f"{named} = {text}"

    @staticmethod
    def _edge_style(lit, now=False):
        if now:
            return {"color": style.PATH_EDGE, "penwidth": "3.5"}
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
        gradient = self.grad(group.neurons[0].net) if show_grad and single else None
        fill = self.fill(None if gradient is None else -gradient)      # by the δ shown
        text = []
        if single:
            neuron = group.neurons[0]
            heading = f"{group.title} {_activation_symbol(neuron)}"
            # NOTE: &#160;, since SVG drops a plain space between two differently set runs
            rows = [f'<TR><TD COLSPAN="2"{first}>{html_bold(group.title)}&#160;'
                    f'{html_text(_activation_symbol(neuron))}</TD></TR>']
            text.append(heading)
            for name, value in self._unit_values(neuron, show_grad, fill):
                rows.append(f"<TR><TD>{name}</TD><TD>{value}</TD></TR>")
                text.append(f"{name}  {_plain(value)}")
            span = 2
        else:
            symbol = _activation_symbol(group.neurons[0])
            columns = ["unit", "net", "out"] + (["δ"] if show_grad else [])
            rows = [f'<TR><TD COLSPAN="{len(columns)}"{first}>{html_bold(group.title)}&#160;· '
                    f'{len(group.neurons)} × {html_text(symbol)}</TD></TR>',
                    "<TR>" + "".join(f"<TD>{c}</TD>" for c in columns) + "</TR>"]
            text += [f"{group.title} · {len(group.neurons)} × {symbol}", "  ".join(columns)]
            for neuron in group.neurons:
                gradient = self.grad(neuron.net) if show_grad else None
                fill_row = self.fill(None if gradient is None else -gradient)
                values = [value for _, value in self._unit_values(neuron, show_grad, fill_row)]
                cells = [html_text(neuron.name or "")] + values
                rows.append("<TR>" + "".join(
                    f'<TD BGCOLOR="{fill_row}">{v}</TD>' if k == len(cells) - 1 and show_grad
                    else f"<TD>{v}</TD>" for k, v in enumerate(cells)) + "</TR>")
                text.append("  ".join(_plain(v) for v in cells))
            span = len(columns)
        rows.extend(f'<TR><TD COLSPAN="{span}">{_mark_text(m, d)}</TD></TR>' for m, d in marks)
        graph.node(group_id, label=_table("".join(rows), fill, border, rows_given=True),
                   shape="plain")
        self.sketch.node(group_id, text, padding=14)
        sources = []
        for member in group.members:
            for parent in member.parents:
                if self.owner.get(parent) is group:
                    continue
                source = self.source_id(parent)
                if source not in sources:
                    sources.append(source)
                    now = any(edge[0] is parent and self.owner.get(edge[1]) is group
                              for edge in self.lit_edges)
                    self._edge(graph, source, group_id, self._edge_style(now, now))

    def _unit_values(self, neuron, show_grad, fill=style.ZERO):
        values = [("net", self.num(neuron.net.data)), ("out", self.num(neuron.out.data))]
        if show_grad:
            values.append(("δ", self._grad_text(neuron.net, self.grad(neuron.net), fill, -1.0)))
        return values

    def _draw_legend(self, graph, show_grad, local_derivatives):
        rows = []
        if self.color and show_grad:
            shades = [*reversed(style.NEGATIVE), style.ZERO, *style.POSITIVE]
            marks = {0: "−", len(style.NEGATIVE): "0", len(shades) - 1: "+"}
            swatches = "".join(f'<TD BGCOLOR="{c}" WIDTH="16">{marks.get(i, " ")}</TD>'
                               for i, c in enumerate(shades))
            name = html_text(self.root.label or "root")
            fill = f"fill: the sign of ∂{name}/∂node"
            if self.groups:
                fill += ", of δ = −∂" + name + "/∂net for a unit"
            rows.append(f'<TR><TD ALIGN="LEFT">{fill}</TD></TR>'
                        f'<TR><TD><TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0">'
                        f"<TR>{swatches}</TR></TABLE></TD></TR>"
                        '<TR><TD ALIGN="LEFT">deeper: larger |∂|, relative to the largest</TD></TR>')
        for mark, (_, _, text) in style.MARKS.items():
            if mark in self.marks_seen:
                rows.append(f'<TR><TD ALIGN="LEFT">{_mark_text(mark, text)}</TD></TR>')
        if self.highlighted or self.path:
            text = "on a path to the root" if self.path else "highlighted"
            rows.append(f'<TR><TD ALIGN="LEFT" BGCOLOR="{style.HIGHLIGHT}">{text}</TD></TR>')
        if self.flows:
            rows.append(f'<TR><TD ALIGN="LEFT"><FONT COLOR="{style.PATH_EDGE}">━━</FONT>&#160;'
                        "the gradient flows here in this step</TD></TR>")
        if local_derivatives:
            rows.append('<TR><TD ALIGN="LEFT">on an edge: ∂node/∂operand, in their names</TD></TR>')
        if any(node.op is CONST and self.drawn(self.item(node)) and self.item(node) is node
               for node in self.order):
            rows.append(f'<TR><TD ALIGN="LEFT"><FONT COLOR="{style.CONSTANT}">2</FONT>&#160;'
                        "a constant</TD></TR>")
        if self.ghosts:
            rows.append(f'<TR><TD ALIGN="LEFT"><FONT COLOR="{style.CONSTANT}">x (again)</FONT>&#160;'
                        "a node drawn again where it is used far away</TD></TR>")
        if not rows:
            return
        self.legend_drawn = True
        with graph.subgraph(name="cluster_legend") as box:
            box.attr(label="<legend>", fontname=style.FONT, fontsize="10", color=style.CONSTANT,
                     style="dashed")
            box.node("legend", label='<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" '
                                     f'CELLPADDING="2">{"".join(rows)}</TABLE>>',
                     shape="plain", fontsize="9")
        self.sketch.block([_plain(r) for row in rows for r in row.split("</TR>") if _plain(r)], 9)


def _table(content, fill, border, rows_given=False):
    rows = content if rows_given else f"<TR>{content}</TR>"
    return (f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" '
            f'COLOR="{border}" BGCOLOR="{fill}">{rows}</TABLE>>')


def _mark_text(mark, detail):
    colour, symbol, _ = style.MARKS[mark]
    return f'<FONT COLOR="{colour}">{symbol}</FONT>&#160;{html_text(detail)}'


def _activation_symbol(neuron):
    return OPS[neuron.activation].symbol if neuron.activation in OPS else neuron.activation


def _plain(html):
    """The text an HTML-like label shows, for estimating its width."""
    text = re.sub(r"<[^>]*>", "", html)
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def _caption(title):
    """A caption: one line centred; several lines left-aligned in a fixed-width font."""
    lines = str(title).splitlines() or [""]
    if len(lines) == 1:
        return f"<{html_text(lines[0])}>"
    body = "".join(f'{html_text(line) or " "}<BR ALIGN="LEFT"/>' for line in lines)
    return f'<<FONT FACE="DejaVu Sans Mono,Menlo,Consolas,monospace">{body}</FONT>>'
