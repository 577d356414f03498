"""Rich display in Jupyter: a Value as its graph, a step or a Stepper as its graph beside its text.

autodiff knows nothing of viz: importing viz in an IPython kernel registers these HTML formatters
for autodiff's types (``register``). Without viz, or without the ``dot`` program, the objects show
their own text.
"""

import html
import sys

from autodiff import Value
from stepgrad.stepping import Stage, Step, Stepper, preformatted

from .dot import to_dot
from .render import DotNotFoundError, LayoutTimeout, pipe
from .stepping import stepper_dot

__all__ = ["register", "value_html", "stage_html", "stepper_html", "svg_of", "strip_svg",
           "box_for", "DISPLAY_SECONDS"]

DISPLAY_SECONDS = 20     # a display that would take longer shows the text instead
_SIDE = (560, 760)       # a collapsed graph beside a step's text


def register(shell=None):
    """Register the HTML formatters with IPython's ``shell`` (default: the running one).
    Returns True if there was a shell to register with."""
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    formatter = shell.display_formatter.formatters["text/html"]
    formatter.for_type(Value, value_html)
    formatter.for_type(Step, stage_html)
    formatter.for_type(Stage, stage_html)
    formatter.for_type(Stepper, stepper_html)
    return True


def svg_of(graph):
    """The graph as inline SVG text, or None when dot is missing or too slow."""
    try:
        return pipe(graph, "svg", DISPLAY_SECONDS).decode("utf-8")
    except (DotNotFoundError, LayoutTimeout):
        return None


def value_html(value):
    """A Value as its repr above the graph it is the root of."""
    svg = svg_of(to_dot(value))
    if svg is None:
        return None
    return f"<div><code>{html.escape(repr(value))}</code><br>{strip_svg(svg)}</div>"


def stage_html(step):
    """A step (node grain) or stage (neuron, layer grain) as the Stepper's graph at that step,
    beside the step's text."""
    if step.stepper is None:
        return preformatted(step.text())
    svg = svg_of(stepper_dot(step.stepper, step.index, fit=box_for(step.stepper.grain)))
    return _beside(svg, step.text())


def stepper_html(stepper):
    """A Stepper as its graph where it stands, beside the current step's text."""
    svg = svg_of(stepper_dot(stepper, fit=box_for(stepper.grain)))
    return _beside(svg, stepper.text())


def box_for(grain):
    """A collapsed graph fits beside the text; a graph of every node takes the cell's width."""
    return "notebook" if grain == "node" else _SIDE


def strip_svg(svg):
    """The <svg> element alone, without the XML prolog and doctype dot writes, made to shrink
    with a narrow cell rather than be cut off."""
    start = svg.find("<svg")
    if start < 0:
        return svg
    return '<svg style="max-width:100%;height:auto"' + svg[start + len("<svg"):]


def _beside(svg, text):
    """The text, and the graph beside it (below it when the cell is too narrow for both)."""
    graph = ("" if svg is None else
             f'<div style="flex:0 1 auto;max-width:100%">{strip_svg(svg)}</div>')
    return ('<div style="display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start">'
            f'<div style="flex:0 1 auto">{preformatted(text)}</div>{graph}</div>')
