"""``stepgrad demo``: the lecture's section 7 example, one step in full, then trained to a small error."""

import argparse
import sys
import textwrap

import viz
from lecture import SECTION7, step_report, training_step
from nn import SGD, fit
from stepgrad.arguments import positive_float, positive_int

__all__ = ["add_parsers", "run", "check_image_paths", "write_images", "positive_int",
           "positive_float"]

DEFAULT_GRAPH = "out/section7_graph.png"
DEFAULT_NETWORK = "out/section7_network.png"


def add_parsers(subparsers):
    parser = subparsers.add_parser(
        "demo", help="the lecture's section 7 example: one step in full, then training",
        description=textwrap.fill(
            "Run the lecture's section 7 worked example (a 3-2-1 sigmoid network, "
            "x = (1, 0, 1), t = 1, η = 0.9) on its given weights: the forward pass, the "
            "error terms δ = −∂E/∂net, the weight updates Δw = η·δ·x and a verification "
            "pass with the new weights (output 0.474 → 0.515). Then train the same "
            "network by online SGD on the one example until E falls below a threshold, "
            "and draw the computation graph and the network.", 79),
        epilog="Images need the Graphviz 'dot' program; without it the demo says so and\n"
               "prints everything else.\n"
               "Examples: stepgrad demo --out graph.svg\n"
               "          stepgrad demo --no-images --target-error 0.0001",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", metavar="FILE", default=DEFAULT_GRAPH,
                        help=f"the computation-graph image; .png, .svg or .pdf "
                             f"(default {DEFAULT_GRAPH})")
    parser.add_argument("--network-out", metavar="FILE", default=DEFAULT_NETWORK,
                        help=f"the network diagram with net, o, δ and the new weights "
                             f"(default {DEFAULT_NETWORK})")
    parser.add_argument("--no-images", action="store_true", help="write no image files")
    parser.add_argument("--target-error", metavar="E", type=positive_float, default=0.001,
                        help="train until E = ½(t − o)² is below this (default 0.001)")
    parser.add_argument("--max-epochs", metavar="N", type=positive_int, default=10000,
                        help="give up training after N epochs (default 10000)")
    parser.add_argument("--digits", metavar="N", type=positive_int, default=4,
                        help="decimals in the tables (default 4)")
    parser.set_defaults(run=run)


def run(args):
    if not args.no_images:
        check_image_paths(args.out, args.network_out)
    example = SECTION7
    network = example.network()
    step = training_step(network, *example.example_values(), example.eta)
    print(f"stepgrad demo: {example.title}")
    print()
    print(step_report(step, title="Given weights and biases: Figure 3 of the lecture",
                      digits=args.digits))
    old, new = step.outputs[0], step.new_outputs[0]
    print(f"\nOne update moved the output from {old:.3f} to {new:.3f}, toward t = "
          f"{step.t[0]:g}: |t − o| fell from {abs(step.t[0] - old):.3f} to "
          f"{abs(step.t[0] - new):.3f}.")
    print()
    _train(example, args)
    if not args.no_images:
        write_images(step, network, args.out, args.network_out)
    return 0


def _train(example, args):
    trained = example.network()
    optimizer = SGD(trained.parameters(), lr=example.eta)
    history = fit(trained, [example.x], [example.t], optimizer=optimizer, epochs=args.max_epochs,
                  target_error=args.target_error, shuffle=False, progress=False)
    output = trained(example.x)[0].data
    print(f"Training: online SGD (w ← w + η·δ·x, η = {example.eta:g}) on the one example "
          f"until E < {args.target_error:g}")
    for epoch in _milestones(history.epochs):
        print(f"  epoch {epoch:>5}   E = {history.train[epoch - 1]:.6f}")
    if history.stopped == "target_error":
        print(f"E < {args.target_error:g} after {history.epochs} epochs: "
              f"o = {output:.4f}, E = {history.train[-1]:.6f}")
    else:
        print(f"E is still {history.train[-1]:.6f} ≥ {args.target_error:g} after "
              f"{history.epochs} epochs (o = {output:.4f}); raise --max-epochs")


def _milestones(epochs):
    """Epochs worth a line: 1, 2, 5, 10, 20, 50, … and the last."""
    marks, scale = [], 1
    while scale <= epochs:
        marks += [m * scale for m in (1, 2, 5) if m * scale < epochs]
        scale *= 10
    return [*marks, epochs]


def check_image_paths(*paths):
    """Raise ValueError now, before any work, if an image path has a suffix viz cannot write."""
    paths = [path for path in paths if path is not None]
    if paths:
        for path in paths:
            viz.image_format(path)


def write_images(step, network, graph_path, network_path):
    """Draw ``step``'s computation graph and the network with viz; print where they went.

    Without the Graphviz ``dot`` program this prints viz's advice as a note instead.
    """
    written = []
    try:
        if graph_path is not None:
            written.append(viz.render(step.root, graph_path))
        if network_path is not None:
            written.append(viz.render_network(network, network_path, step=step))
    except viz.DotNotFoundError as error:
        print(f"note: no images written: {error}", file=sys.stderr)
    for path in written:
        print(f"wrote {path}")
    return written
