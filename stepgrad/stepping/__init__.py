"""Backward told in steps and words: steps by node, neuron or layer, explanations of one gradient,
the per-op check, and the notation they print (names, numbers, formulas in text, LaTeX and HTML)."""

from _stepgrad_packages import require

require("autodiff")  # before the imports below, which a file named autodiff.py nearby would break

from .explain import explain
from .grains import Stage, units_of
from .markup import formula_html, formula_latex
from .notation import WIDTH, NodeNames, Text, factor, fit_lines, formula, node_names, number, preformatted
from .opcheck import OpCheck, OpCheckReport, check_ops
from .steps import GRAINS, Edge, Incoming, Step, Stepper, backward_steps

__all__ = ["Stepper", "backward_steps", "Step", "Edge", "Incoming", "GRAINS", "Stage", "explain",
           "check_ops", "OpCheck", "OpCheckReport", "units_of",
           "Text", "NodeNames", "number", "factor", "fit_lines", "formula", "node_names", "preformatted", "WIDTH",
           "formula_html", "formula_latex"]
