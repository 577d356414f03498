"""What the commands step, explain and draw: a built-in problem, a problem or derivation file, or an
expression file, each read once into the graph to work on."""

import pathlib
from dataclasses import dataclass

from autodiff import topological_order
from autodiff.files import read_data
from autodiff.notation import printable
from autodiff.parse import load_expression
from lecture import SOURCES as PROBLEMS
from lecture import error_graph

__all__ = ["Source", "load_source", "find_label", "SOURCES"]

SOURCES = PROBLEMS.replace(" or a problem or derivation file", ", a problem or derivation file, or "
                                                                  "an expression file")


@dataclass(frozen=True, eq=False)
class Source:
    """A graph to step or draw: its root, a title, and, for a problem, the problem and network."""

    root: object
    title: str
    problem: object = None
    network: object = None


def load_source(name):
    """The graph named by ``name``: for a problem (a built-in name, a problem or derivation
    file) its error E after a forward pass; for an expression file (a table with
    ``expression``), the expression."""
    path = pathlib.Path(name)
    if path.suffix.lower() in (".toml", ".json") and not _is_problem(path):
        expression = load_expression(path)
        if expression.root.label == expression.text and expression.root.parents:
            expression.root.label = "f"          # no label given: f, as ``stepgrad expr`` does
        return Source(expression.root, f"{path}: f = {expression.text}")
    graph = error_graph(name)
    problem = graph.problem
    return Source(graph.root, problem.title or problem.name, problem, graph.network)


def _is_problem(path):
    """True for a problem or derivation file (a ``network`` or a ``problem`` at the top): the
    rest are read as expression files, whose reader says what is missing."""
    try:
        data = read_data(path)
    except (OSError, ValueError):
        return True         # the problem reader names the file and what is wrong
    return isinstance(data, dict) and ("network" in data or "problem" in data)


def find_label(root, label, option):
    """The node of the graph below ``root`` labelled ``label``; a ValueError naming ``option``
    (--wrt, --path) and the labels there are, when there is none."""
    order = topological_order(root)
    for node in order:
        if node.label == label:
            return node
    labels = ", ".join(dict.fromkeys(printable(n.label) for n in order if n.label))
    raise ValueError(f"{option}: no node labeled '{printable(label)}'; labels: {labels}")
