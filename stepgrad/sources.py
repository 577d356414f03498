"""What the commands step, explain and draw: a built-in problem, a problem or derivation file, or an
expression file, each read once into the graph to work on."""

import math
import numbers
import pathlib
from dataclasses import dataclass
from typing import NoReturn

from autodiff import ExpressionError, Value, parse_expression, topological_order
from lecture import SOURCES as PROBLEMS
from lecture import Problem, error_graph, problem_from_document, read_document
from nn import MLP
from stepgrad._ground import DataFileError, field_name, printable, read_data

__all__ = ["Source", "load_source", "find_label", "SOURCES", "load_expression", "expression_from_data"]

_EXPRESSION_FIELDS = ("expression", "values", "label")

SOURCES = PROBLEMS.replace(" or a problem or derivation file", ", a problem or derivation file, or "
                                                                  "an expression file")


@dataclass(frozen=True, eq=False)
class Source:
    """A graph to step or draw: its root, a title, and, for a problem, the problem and network."""

    root: Value
    title: str
    problem: "Problem | None" = None
    network: "MLP | None" = None


def load_source(name):
    """The graph named by ``name``: for a problem (a built-in name, a problem or derivation
    file) its error E after a forward pass; for an expression file (a table with
    ``expression``), the expression. A file is read once."""
    path = pathlib.Path(name)
    problem = name
    if path.suffix.lower() in (".toml", ".json"):
        data, locate = read_document(path)
        if not (isinstance(data, dict) and ("network" in data or "problem" in data)):
            expression = expression_from_data(data, str(path))
            if expression.root.label == expression.text and expression.root.parents:
                expression.root.label = "f"          # no label given: f, as ``stepgrad expr`` does
            return Source(expression.root, f"{path}: f = {expression.text}")
        problem = problem_from_document(data, locate, path)
    graph = error_graph(problem)
    problem = graph.problem
    return Source(graph.root, problem.title or problem.name, problem, graph.network)


def find_label(root, label, option):
    """The node of the graph below ``root`` labelled ``label``; a ValueError naming ``option``
    (--wrt, --path) and the labels there are, when there is none."""
    order = topological_order(root)
    for node in order:
        if node.label == label:
            return node
    labels = ", ".join(dict.fromkeys(printable(n.label) for n in order if n.label))
    raise ValueError(f"{option}: no node labeled '{printable(label)}'; labels: {labels}")


def load_expression(path, label_subexpressions=True):
    """The expression in a TOML or JSON file, parsed: ``expression`` (text), ``values`` (a
    number per variable) and an optional ``label`` naming the root. The file is read within
    the ground files' limits; errors are ``DataFileError`` s naming the file and the field.

    ::

        expression = "sigmoid(w*x + b)"
        label = "y"
        [values]
        w = 0.5
        x = 1.0
        b = 0.0
    """
    return expression_from_data(read_data(path), str(path), label_subexpressions)


def expression_from_data(data, source, label_subexpressions=True):
    """The expression in ``data``, a file's tables already read (see ``load_expression``)."""
    def fail(field, problem) -> NoReturn:
        raise DataFileError(source, problem, field=field)

    if not isinstance(data, dict):
        fail(None, "expected a table with 'expression' and 'values'")
    for key in data:
        if key not in _EXPRESSION_FIELDS:
            fail(key, f"unknown field; the fields are {', '.join(_EXPRESSION_FIELDS)}")
    expression, values, label = data.get("expression"), data.get("values", {}), data.get("label")
    if not isinstance(expression, str):
        fail("expression", "missing" if expression is None else
             f"expected a string, got {type(expression).__name__}")
    if not isinstance(values, dict):
        fail("values", "expected a table of name = number")
    for name, number in values.items():
        if isinstance(number, bool) or not isinstance(number, numbers.Real):
            fail(field_name(["values", name]), f"expected a number, got {type(number).__name__}")
        if not math.isfinite(number):
            fail(field_name(["values", name]), f"expected a finite number, got {number!r}")
    if label is not None and not isinstance(label, str):
        fail("label", f"expected a string, got {type(label).__name__}")
    try:
        return parse_expression(expression, values, label_subexpressions, root_label=label)
    except ExpressionError as error:
        fail("expression", f"{error.message} (column {error.column + 1})")
    except ValueError as error:
        fail("values", str(error))
