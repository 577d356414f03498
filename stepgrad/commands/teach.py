"""``stepgrad explain``, ``step`` and ``expr``: the teaching layer on the command line."""

import argparse
import importlib
import json
import math
import textwrap

from autodiff import parse_expression, topological_order
from stepgrad._ground import printable
from stepgrad.arguments import parse_assignments, positive_int
from stepgrad.sources import SOURCES, find_label, load_source
from stepgrad.stepping import GRAINS, Stepper, backward_steps, explain, fit_lines

__all__ = ["add_parsers", "run_explain", "run_step", "run_expr"]

EXPRESSION_SHOWN = 60     # a longer expression is cut in the first line of ``expr``

EXPLAIN_JSON = """\
--json prints one JSON object (numbers as JSON numbers; null for NaN or inf):
  {"title": str, "explanations": [one per --wrt name or weight:
    {"root": "E", "wrt": "w46", "count": all paths (exact), "truncated": bool,
     "paths": [{"value": product of the factors,
                "factors": [{"upper": "E", "lower": "o6", "value": number,
                             "formula": "−(t6 − o6)" or null,
                             "ops": ["mul", ...] (edges the factor spans)}]}],
     "sum": sum of the listed paths, "gradient": ∂root/∂wrt,
     "grad": wrt.grad, "update": null (not a leaf) or
       {"eta": η or null, "change": Δw or null, "new": w + Δw or null}}]}"""

STEP_JSON = """\
--json prints one JSON object (numbers as JSON numbers; null for NaN or inf):
  {"title": str, "root": "E", "grain": "neuron", "steps": [
    {"index": 1, "count": n, "title": "step 1/n: ...", "text": [its lines],
     "nodes": [one per node the step applies:
       {"node": "net6", "kind": "op" | "leaf" | "constant", "op": "add" or null,
        "expression": "w46·o4 + ...", "data": number,
        "upstream": ∂root/∂node, "before": a leaf's grad before the pass,
        "received": [{"from": "o6" or null (the seed), "amount": number}],
        "parents": [{"parent": "w46", "operand": 0 (a) or 1 (b),
                     "rule": "b", "formula": "o4", "local": number,
                     "contribution": upstream × local,
                     "total": the parent's grad so far}]}]}],
   "gradients": {"w46": number, ...} (with --table: every node reached)}
  A constant parent's local, contribution and total are null."""


def add_parsers(subparsers):
    explain_parser = subparsers.add_parser(
        "explain", help="∂E/∂w as the chain rule writes it, path by path, with numbers",
        description=_filled("For each weight (or --wrt NAME), every path from E to it with the "
                            "product of the local derivatives along it, and their sum, which "
                            "is the gradient."),
        epilog=EXPLAIN_JSON, formatter_class=argparse.RawDescriptionHelpFormatter)
    explain_parser.add_argument("source", metavar="SOURCE", help=SOURCES)
    explain_parser.add_argument("--wrt", metavar="NAME", action="append",
                                help="a node's label (w46, o4, net4); repeat for more "
                                     "(default: every weight and bias)")
    _explain_options(explain_parser)
    explain_parser.add_argument("--json", action="store_true",
                                help="print the explanations as JSON (shape below)")
    explain_parser.set_defaults(run=run_explain)

    step = subparsers.add_parser(
        "step", help="backward through E in the lecture's order, or one node at a time",
        description=_filled("Every step of backward through the error E of a worked example. "
                            "By neuron (the default), in the lecture's order: the error, δ of "
                            "each output unit and its weights' gradients, then each hidden "
                            "layer's δs and weights; by layer; or node by node, each node's "
                            "gradient, how it accumulated, and what it passes to its parents."),
        epilog=STEP_JSON, formatter_class=argparse.RawDescriptionHelpFormatter)
    step.add_argument("source", metavar="SOURCE", help=SOURCES)
    step.add_argument("--grain", choices=GRAINS, default="neuron",
                      help="neuron (default): the lecture's order; layer; node: one node a step")
    step.add_argument("--to", metavar="NAME",
                      help="stop at the step where this node (w14, o4, net4) receives its "
                           "gradient, or at a step's name (δ6)")
    step.add_argument("--constants", action="store_true",
                      help="show the constants' steps too (they take no gradient)")
    step.add_argument("--table", action="store_true",
                      help="end with the table of every node's data and gradient")
    step.add_argument("--json", action="store_true",
                      help="print every step as JSON (shape below)")
    step.set_defaults(run=run_step)

    expr = subparsers.add_parser(
        "expr", help="an expression such as \"sigmoid(w*x + b)\": forward, backward, steps",
        description=_filled("Parse an expression safely (numbers, names, + - * / **, and "
                            "sigmoid, tanh, relu, exp, log, sqrt, sin, cos, abs), run forward "
                            "and backward, and print the steps, or the explanation of one "
                            "gradient."),
        epilog='example: stepgrad expr "sigmoid(w*x + b)" --set w=0.5 x=1 b=0 --explain w',
        formatter_class=argparse.RawDescriptionHelpFormatter)
    expr.add_argument("expression", metavar="EXPRESSION")
    expr.add_argument("--set", metavar="NAME=NUMBER", nargs="+", action="extend", default=[],
                      help="the variables' values")
    expr.add_argument("--explain", metavar="NAME", help="explain ∂f/∂NAME instead of the steps")
    expr.add_argument("--out", metavar="FILE", help="draw the graph to this image (.png, .svg, .pdf)")
    _explain_options(expr)
    expr.set_defaults(run=run_expr)


def _filled(text):
    """A description for RawDescriptionHelpFormatter, filled to fit 80 columns."""
    return textwrap.fill(text, 79)


def _explain_options(parser):
    parser.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    parser.add_argument("--max-paths", metavar="N", type=positive_int, default=20,
                        help="list at most N paths (default 20; the count is always exact)")
    parser.add_argument("--digits", metavar="N", type=positive_int, default=3,
                        help="significant digits of the factors (default 3)")


def run_explain(args):
    source = load_source(args.source)
    error = source.root
    error.backward()
    if args.wrt:
        targets = [find_label(error, name, "--wrt") for name in args.wrt]
    elif source.network is not None:
        targets = source.network.parameters()
    else:                       # an expression: every variable
        targets = [n for n in topological_order(error) if not n.parents and n.op is None]
    eta = source.problem.eta if source.problem is not None else None
    if args.json and args.latex:
        raise ValueError("--json and --latex: choose one")
    explanations = (explain(error, target, max_paths=args.max_paths, digits=args.digits, eta=eta)
                    for target in targets)
    if args.json:
        _print_json({"title": source.title, "explanations": [e.as_dict() for e in explanations]})
        return 0
    print("\n".join(fit_lines([printable(source.title)])) + "\n")
    for k, explanation in enumerate(explanations):
        if k:
            print()
        print(explanation.latex() if args.latex else explanation.text())
    return 0


def run_step(args):
    source = load_source(args.source)
    error = source.root
    grain = args.grain if source.network is not None else "node"
    stepper = Stepper(error, grain=grain, network=source.network, constants=args.constants)
    stop = len(stepper)
    if args.to:
        try:
            stop = stepper.index_of(args.to, received=True)
        except ValueError as problem:
            raise ValueError(f"--to: {str(problem).removeprefix('Stepper.goto: ')}") from None
    if args.json:
        steps = [_step_dict(stepper.next(), stepper.names) for _ in range(stop)]
        data = {"title": source.title, "root": stepper.names[error], "grain": grain,
                "steps": steps}
        if args.table:
            data["gradients"] = {stepper.names[node]: _number(grad)
                                 for node, grad in stepper.gradients().items()}
        _print_json(data)
        return 0
    print("\n".join(fit_lines([printable(source.title)])) + "\n")
    for _ in range(stop):
        print(stepper.next().text())
    if args.table:
        print()
        print(stepper.table())
    return 0


def _number(x):
    return None if x is None or not math.isfinite(x) else float(x)


def _step_dict(step, names):
    """One step of ``stepgrad step`` as JSON data (the shape STEP_JSON shows)."""
    text = step.text()
    return {"index": step.index, "count": step.count, "title": text.splitlines()[0],
            "text": text.splitlines(), "nodes": [_node_dict(s, names) for s in step.steps]}


def _node_dict(step, names):
    node = step.node
    return {
        "node": step.name, "kind": step.kind,
        "op": node.op.name if step.kind == "op" else None,
        "expression": step.expression, "data": _number(node.data),
        "upstream": _number(step.upstream), "before": _number(step.before),
        "received": [{"from": None if i.child is None else names[i.child],
                      "amount": _number(i.amount)} for i in step.received],
        "parents": [{"parent": e.name, "operand": e.operand, "rule": e.rule,
                     "formula": e.formula, "local": _number(e.local),
                     "contribution": _number(e.contribution), "total": _number(e.total)}
                    for e in step.edges]}


def _print_json(data):
    print(json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False))


def run_expr(args):
    viz = None
    if args.out:
        viz = importlib.import_module("viz")
        viz.image_format(args.out)          # a bad suffix fails before any work
    values = parse_assignments(args.set)
    root_label = "f" if "f" not in values else "out"
    expression = parse_expression(args.expression, values, root_label=root_label)
    unused = [name for name in values if name not in expression.variables]
    if unused:
        raise ValueError(f"--set {', '.join(unused)}: not in the expression {args.expression!r}")
    root = expression.root
    text = printable(expression.text)
    if len(text) > EXPRESSION_SHOWN:
        text = text[:EXPRESSION_SHOWN - 1] + "…"
    print(f"{root.label} = {text} = {root.data:.6g}")
    if args.explain:
        if args.explain not in expression.variables:
            raise ValueError(f"--explain {args.explain}: not a variable of the expression; "
                             f"variables: {', '.join(expression.variables) or 'none'}")
        root.backward()
        result = explain(root, expression.variables[args.explain], max_paths=args.max_paths,
                         digits=args.digits)
        print(result.latex() if args.latex else result.text())
    else:
        for step in backward_steps(root):
            print(step.text())
    if viz is not None:
        print(f"wrote {viz.render(root, args.out)}")
    return 0
