"""Plain-text tables of a training step in the lecture's notation: units, updates, verification."""

import functools
import re
from collections.abc import Sequence

from autodiff import OPS
from stepgrad._ground import escape_html, fixed

from .records import StepRecord

__all__ = ["format_table", "unit_rows", "unit_table", "weight_rows",
           "weight_table", "verification_rows", "verification_table", "step_report", "step_html",
           "html_table"]


def format_table(header: "Sequence[str]", rows: "Sequence[Sequence[str]]") -> str:
    """Aligned text: a header, a rule, then the rows; str cells align left, numbers right.

    Numbers must already be formatted; a cell is right-aligned when its column's first
    non-empty body cell looks numeric.
    """
    columns = list(zip(header, *rows))
    widths = [max(len(cell) for cell in column) for column in columns]
    numeric = [any(_is_number(cell) for cell in column[1:]) for column in columns]

    def line(cells):
        parts = [cell.rjust(w) if right else cell.ljust(w)
                 for cell, w, right in zip(cells, widths, numeric)]
        return "   ".join(parts).rstrip()
    rule = "─" * len(line(["─" * w for w in widths]))
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def _is_number(cell):
    return re.fullmatch(r"[-+]?\d+\.\d+", cell) is not None


def _slope_header(units):
    activations = {u.activation for u in units}
    if len(activations) != 1:
        return "∂o/∂net"
    (activation,) = activations
    if activation == "identity":
        return "∂o/∂net"
    formula = OPS[activation].formulas[0]
    return re.sub(r"\ba(?![a-z])", "net", re.sub(r"\bout(?![a-z])", "o", formula)).replace("·(", "(")


def _layer_names(step):
    last = max(u.layer for u in step.units)
    return {k: "output" if k == last else f"hidden {k}" for k in range(1, last + 1)}


def unit_rows(step: StepRecord, digits: int = 4) -> "tuple[list[str], list[list[str]]]":
    """``(header, rows)`` of ``unit_table``: the cells as printed."""
    f = functools.partial(fixed, decimals=digits)
    rows = [["input" if i == 0 else "", name, "", f(x), "", "", ""]
            for i, (name, x) in enumerate(zip(step.input_names, step.x))]
    layer_names, previous = _layer_names(step), None
    for u in step.units:
        label = layer_names[u.layer] if u.layer != previous else ""
        previous = u.layer
        rows.append([label, u.name, f(u.net), f(u.out), f(u.slope), f(u.signal), f(u.delta)])
    header = ["layer", "unit", "net", "o", _slope_header(step.units), "−∂E/∂o", "δ = −∂E/∂net"]
    return header, rows


def unit_table(step: StepRecord, digits: int = 4) -> str:
    """Per layer and unit: net, o, ∂o/∂net (o(1 − o) for sigmoid), −∂E/∂o and δ = −∂E/∂net.

    The inputs come first: their o is x.
    """
    return format_table(*unit_rows(step, digits))


def weight_rows(step: StepRecord, digits: int = 4) -> "tuple[list[str], list[list[str]]]":
    """``(header, rows)`` of ``weight_table``: the cells as printed."""
    f = functools.partial(fixed, decimals=digits)
    rows = [[w.label, f(w.w), f(w.x), f(w.delta), f(w.dw, sign=True), f(w.w_new)]
            for w in step.weights]
    return ["weight", "w", "x", "δ", "Δw = η·δ·x", "w_new"], rows


def weight_table(step: StepRecord, digits: int = 4) -> str:
    """Per weight and bias: w, its input x (1 for a bias), δ of its unit, Δw = η·δ·x, w_new."""
    return format_table(*weight_rows(step, digits))


def verification_rows(step: StepRecord, digits: int = 4) -> "tuple[list[str], list[list[str]]]":
    """``(header, rows)`` of ``verification_table``: the cells as printed."""
    f = functools.partial(fixed, decimals=digits)
    rows = []

    def row(name, before, after):
        rows.append([name, f(before), f(after), f(after - before, sign=True)])
    for old, new in zip(step.units, step.new_units):
        row(f"net{old.name}", old.net, new.net)
        row(f"o{old.name}", old.out, new.out)
    outputs = [u.name for u in step.units if u.layer == step.units[-1].layer]
    for name, t, o, o_new in zip(outputs, step.t, step.outputs, step.new_outputs):
        row(f"|t − o{name}|", abs(t - o), abs(t - o_new))
    row("E", step.error, step.new_error)
    return ["", "before", "after", "change"], rows


def verification_table(step: StepRecord, digits: int = 4) -> str:
    """net and o of every unit, |t − o| of every output and E, before and after the update."""
    return format_table(*verification_rows(step, digits))


def _vector(values):
    return "(" + ", ".join(f"{v:g}" for v in values) + ")"


def step_report(step: StepRecord, title: str | None = None, digits: int = 4) -> str:
    """The whole step as text: the unit table, E, the weight table and the verification table.

    The first line is ``title``, or else the example: x, t and η.
    """
    parts = [title or f"x = {_vector(step.x)}, t = {_vector(step.t)}, η = {step.eta:g}",
              "",
              "Forward pass, then error terms: net = Σ w·x + b, o = activation(net),",
              "δ = −∂E/∂net = ∂o/∂net · (−∂E/∂o), where −∂E/∂o = t − o at an output unit",
              "and Σₖ w_kj·δ_k at a hidden unit j.",
              unit_table(step, digits),
              f"E = ½Σ(t − o)² = {fixed(step.error, digits)}",
              "",
              "Weight updates: w_new = w + Δw with Δw = η·δ·x (a bias's x is 1)",
              weight_table(step, digits),
              "",
              "Verification: a forward pass with the new weights",
              verification_table(step, digits)]
    return "\n".join(parts)


def html_table(header: "Sequence[str]", rows: "Sequence[Sequence[str]]", caption: str | None = None) -> str:
    """``(header, rows)`` of the tables above as an HTML table; numbers right-aligned."""
    e = escape_html
    cells = lambda row, tag: "".join(
        f'<{tag} style="text-align:{"right" if _is_number(c) else "left"};padding:1px 8px">'
        f"{e(c)}</{tag}>" for c in row)
    parts = ['<table style="border-collapse:collapse">']
    if caption:
        parts.append(f'<caption style="text-align:left">{e(caption)}</caption>')
    parts.append(f"<thead><tr>{cells(header, 'th')}</tr></thead><tbody>")
    parts += [f"<tr>{cells(row, 'td')}</tr>" for row in rows]
    parts.append("</tbody></table>")
    return "".join(parts)


def step_html(step: StepRecord, digits: int = 4) -> str:
    """The step as a notebook shows it: the unit table, E, the weight table, the verification."""
    return "\n".join([
        html_table(*unit_rows(step, digits), caption="Forward pass and error terms δ = −∂E/∂net"),
        f"<p>E = ½Σ(t − o)² = {fixed(step.error, digits)}</p>",
        html_table(*weight_rows(step, digits), caption="Weight updates Δw = η·δ·x"),
        html_table(*verification_rows(step, digits), caption="A forward pass with the new weights")])
