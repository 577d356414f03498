"""Where a worked problem comes from (a built-in example or a file), and the one graph of its error E."""

import pathlib
from dataclasses import dataclass

from nn import MLP, squared_error

from .derivation_file import load_derivation
from .derivation_spec import Derivation
from .examples import EXAMPLES

__all__ = ["load_problem", "error_graph", "ErrorGraph", "SOURCES"]

SOURCES = ", ".join(EXAMPLES) + " or a derivation file (.toml, .json)"


def load_problem(source):
    """The problem named by ``source``: a built-in example's name or a derivation file's path."""
    if isinstance(source, Derivation):
        return source
    name = str(source)
    if name in EXAMPLES:
        return Derivation.from_example(EXAMPLES[name])
    if pathlib.Path(name).suffix.lower() in (".toml", ".json"):
        return load_derivation(name)
    raise ValueError(f"unknown source {name!r}: use {SOURCES}")


@dataclass(frozen=True, eq=False)
class ErrorGraph:
    """A problem's network after one forward pass and its error E, the root of the graph."""

    problem: Derivation
    network: MLP
    root: object


def error_graph(problem):
    """The graph every command draws and steps: E = ½Σ(t − o)² of the problem's network on its
    example, the root labelled E (the inputs are constants labelled as ``MLP`` labels them)."""
    problem = load_problem(problem)
    network = problem.network()
    error = squared_error(network(list(problem.x)), list(problem.t))
    error.label = "E"
    return ErrorGraph(problem, network, error)
