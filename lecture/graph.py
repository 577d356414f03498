"""The one computation graph of a problem: its network after a forward pass and the error E at the root."""

from dataclasses import dataclass

from autodiff import Value
from nn import MLP

from .files import ProblemSource, load_problem
from .problem import PROBLEM_LOSSES, Problem

__all__ = ["ErrorGraph", "error_graph"]

@dataclass(frozen=True, eq=False)
class ErrorGraph:
    """A problem's network after one forward pass on its first example, and its error E."""

    problem: Problem
    network: MLP
    root: Value


def error_graph(source: ProblemSource) -> ErrorGraph:
    """The graph every command draws and steps: E of the problem's network on its (first)
    example, E = ½Σ(t − o)² or the problem's loss, the root labelled E. ``source`` is a
    Problem, a built-in example's name or a problem or derivation file. The inputs are
    constants labelled x1, x2, … (or by their unit's own name, such as x)."""
    problem = load_problem(source)
    network = problem.network()
    x, t = problem.example_values()
    error = PROBLEM_LOSSES[problem.loss](network(list(x)), network.targets(t))
    error.label = "E"
    return ErrorGraph(problem, network, error)
