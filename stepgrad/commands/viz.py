"""``stepgrad graph``, ``stepgrad network`` and ``stepgrad frames``: the lecture's examples drawn."""

import argparse
import pathlib
import textwrap

import viz
from autodiff import topological_order
from lecture import EXAMPLES, load_problem, training_step
from stepgrad._ground import printable, write_atomic
from stepgrad.sources import SOURCES, find_label, load_source
from stepgrad.stepping import GRAINS
from viz import COLLAPSE_LEVELS, IMAGE_FORMATS, MAX_NODES, RANKDIRS

__all__ = ["add_parsers"]

TEXT_SUFFIXES = (".dot", ".gv", ".json", ".txt")
GRAPH_TEXT = ("Draw the computation graph of a worked example's error E = ½Σ(t − o)² (or of an "
              "expression file) after a backward pass: every Value with its data and gradient, "
              "every op with its symbol.")
GRAPH_OUTPUTS = ("FILE's suffix picks the output: .png, .svg or .pdf (needs Graphviz's dot), .dot "
                 "or .gv (DOT text), .json, .txt (a Unicode tree). Without --out the tree is "
                 "printed.")
NETWORK_TEXT = ("Draw a worked example's network as the lecture's Figure 3 does: units, each "
                "connection with its weight, each unit with its bias; after one training step, "
                "net, out and δ per unit and each weight as old → new.")
FRAMES_TEXT = ("Draw backward one step at a time, node by node or (--grain neuron) in the "
               "lecture's order: the step's nodes highlighted, the edges its gradient flows along "
               "drawn thick, the gradients known so far filled in, and the step's text (as "
               "`stepgrad step` prints it) as the caption. Writes frame_000.png, ... to DIR, and "
               "backward.gif with --gif (needs Pillow).")
EXPRESSION_FILE = """\
An expression file is TOML or JSON: the expression and a number per variable:
  expression = "sigmoid(w*x + b)"
  label = "y"            # optional: the root's name
  [values]
  w = 0.5
  x = 1.0
  b = 0.0"""


def add_parsers(subparsers):
    examples = ", ".join(EXAMPLES)
    graph = subparsers.add_parser(
        "graph", help="draw an example's computation graph after backward",
        description=_wrap(GRAPH_TEXT),
        epilog=f"{_wrap('SOURCE is ' + SOURCES + '.')}\n\n"
               f"{EXPRESSION_FILE}\n\n{_wrap(GRAPH_OUTPUTS)}",
        formatter_class=_Formatter)
    graph.add_argument("example", metavar="SOURCE")
    graph.add_argument("--out", metavar="FILE", help="where to write the drawing")
    graph.add_argument("--rankdir", choices=("auto", *RANKDIRS), default="auto",
                       help="auto (default): whichever shows the text larger in --fit; "
                            "LR: inputs on the left; TB: inputs on top")
    _fit_option(graph)
    graph.add_argument("--local-derivatives", action="store_true",
                       help="label each edge with ∂out/∂operand: the rule and its value")
    graph.add_argument("--collapse", choices=COLLAPSE_LEVELS,
                       help="draw each neuron (or layer) as one node with net, out and δ")
    graph.add_argument("--path", metavar="LABEL",
                       help="highlight every path from the node labelled LABEL (e.g. w14) to E")
    graph.add_argument("--max-nodes", type=int, metavar="N",
                       help=f"draw only the N nodes nearest E, and a summary of the rest "
                            f"(default {MAX_NODES}; 0 draws every node)")
    graph.add_argument("--before-backward", action="store_true",
                       help="draw the graph after the forward pass only (all gradients 0)")
    graph.add_argument("--no-color", action="store_true", help="no fill by gradient sign")
    graph.add_argument("--no-legend", action="store_true", help="leave out the legend")
    graph.add_argument("--precision", type=int, default=4, metavar="DIGITS",
                       help="significant digits of the numbers drawn (default 4)")
    graph.set_defaults(run=run_graph)

    network = subparsers.add_parser(
        "network", help="draw an example's network with one training step (Figure 3, Table 2)",
        description=_wrap(NETWORK_TEXT),
        epilog=_wrap(f"SOURCE is one of {examples}, or a problem or derivation file. FILE: "
                     ".png, .svg, .pdf or .dot."),
        formatter_class=_Formatter)
    network.add_argument("example", metavar="SOURCE")
    network.add_argument("--out", metavar="FILE", required=True, help="where to write the diagram")
    network.add_argument("--before", action="store_true",
                         help="draw the initial weights only, without the training step")
    network.add_argument("--rankdir", choices=RANKDIRS, default="LR")
    network.add_argument("--no-weights", action="store_true", help="leave the connections unlabelled")
    network.set_defaults(run=run_network)

    frames = subparsers.add_parser(
        "frames", help="draw the backward pass of an example one step per picture",
        description=_wrap(FRAMES_TEXT),
        epilog=_wrap(f"SOURCE is {SOURCES}."),
        formatter_class=_Formatter)
    frames.add_argument("example", metavar="SOURCE")
    frames.add_argument("--out", metavar="DIR", required=True, help="folder for the frames")
    frames.add_argument("--gif", action="store_true", help="also write an animated backward.gif")
    frames.add_argument("--duration", type=int, default=1200, metavar="MS",
                        help="milliseconds per GIF frame (default 1200)")
    frames.add_argument("--format", choices=("png", "svg", "pdf"), default="png",
                        help="image format of the frames (default png)")
    frames.add_argument("--rankdir", choices=("auto", *RANKDIRS), default="auto")
    frames.add_argument("--grain", choices=GRAINS, default="node",
                        help="node (default): one node per frame; neuron: the lecture's order, "
                             "each neuron one node; layer: one frame per layer")
    _fit_option(frames)
    frames.set_defaults(run=run_frames)


def _fit_option(parser):
    parser.add_argument("--fit", choices=("notebook", "slide", "none"), default="notebook",
                        help="size the drawing for a notebook cell (900 px wide, the default), "
                             "a 1920×1080 slide, or not at all (none)")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the line breaks of descriptions and epilogs (wrapped by ``_wrap``)."""


def _wrap(text):
    return textwrap.fill(text, 78)


def _fit(args):
    return None if args.fit == "none" else args.fit


def run_graph(args):
    if args.max_nodes is not None and args.max_nodes < 0:
        raise ValueError(f"--max-nodes must be at least 0, got {args.max_nodes}")
    network, root = _build(args.example)
    if not args.before_backward:
        root.backward()
    max_nodes = MAX_NODES if args.max_nodes is None else (args.max_nodes or None)
    options = {"rankdir": args.rankdir, "fit": _fit(args),
               "local_derivatives": args.local_derivatives, "color": not args.no_color,
               "legend": not args.no_legend, "max_nodes": max_nodes, "precision": args.precision}
    if args.collapse:
        if network is None:
            raise ValueError("--collapse needs a network example, not an expression")
        options.update(collapse=network, collapse_level=args.collapse)
    if args.path:
        options["highlight_path"] = find_label(root, args.path, "--path")
    if args.out is None:
        print(viz.to_tree(root, precision=args.precision))
        return 0
    out = pathlib.Path(args.out)
    suffix = out.suffix.lower()
    if suffix in (".dot", ".gv"):
        _write_text(out, viz.to_dot(root, **options).source)
    elif suffix == ".json":
        _write_text(out, viz.to_json(root) + "\n")
    elif suffix == ".txt":
        _write_text(out, viz.to_tree(root, precision=args.precision) + "\n")
    else:
        _check_image_suffix(out)
        viz.render(root, out, **options)
    print(f"wrote {out}")
    return 0


def run_network(args):
    example = load_problem(args.example)
    network = example.network()
    step = None if args.before else training_step(network, *example.example_values(), example.eta)
    options = {"rankdir": args.rankdir, "weights": not args.no_weights,
               "title": example.title or example.name}
    out = pathlib.Path(args.out)
    if out.suffix.lower() in (".dot", ".gv"):
        _write_text(out, viz.network_to_dot(network, step, **options).source)
    else:
        _check_image_suffix(out)
        viz.render_network(network, out, step, **options)
    print(f"wrote {out}")
    return 0


def run_frames(args):
    network, root = _build(args.example)
    if args.grain != "node" and network is None:
        raise ValueError(f"--grain {args.grain} needs a network example, not an expression")
    nodes = len(topological_order(root))
    if nodes > MAX_NODES:
        raise ValueError(f"{printable(args.example)[:80]}: {nodes:,} nodes, more than frames "
                         f"draws ({MAX_NODES:,}, as graph does); draw a smaller example")
    try:
        paths = viz.render_frames(root, args.out, image_format=args.format, gif=args.gif,
                                  duration=args.duration, rankdir=args.rankdir, fit=_fit(args),
                                  grain=args.grain, network=network)
    except ImportError as error:  # Pillow missing: the message says what to install
        raise OSError(str(error)) from None
    frames = [p for p in paths if p.suffix != ".gif"]
    print(f"wrote {len(frames)} frames to {pathlib.Path(args.out)}"
          + (f" and {paths[-1]}" if args.gif else ""))
    return 0


def _check_image_suffix(out):
    if out.suffix.lower() not in IMAGE_FORMATS:
        raise ValueError(f"cannot tell what to write from the suffix of {str(out)!r}: use .png, "
                         f".svg, .pdf or {', '.join(TEXT_SUFFIXES)}")


def _build(name):
    """``(network, E)`` for a problem after its forward pass, ``(None, root)`` for an expression."""
    source = load_source(name)
    return source.network, source.root


def _write_text(path, text):
    write_atomic(path, text.encode("utf-8"))
