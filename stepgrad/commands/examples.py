"""``stepgrad example NAME``: one training step of a lecture example, as the lecture's tables."""

import argparse
import textwrap

from lecture import EXAMPLES, apply_step, step_report, training_step
from nn import load_network, save_network
from stepgrad.arguments import positive_int

from .demo import check_image_paths, write_images

__all__ = ["add_parsers", "run"]


def add_parsers(subparsers):
    listing = "\n".join(textwrap.fill(e.title, 79, initial_indent=f"  {e.name:<10} ",
                                       subsequent_indent=" " * 13) for e in EXAMPLES.values())
    parser = subparsers.add_parser(
        "example", help="one training step of a lecture example, as tables",
        description=textwrap.fill(
            "One online update of a worked example of the lecture: the forward pass "
            "(net, o), the error terms δ = −∂E/∂net, the weight updates Δw = η·δ·x with "
            "the new weights, and a verification pass with them.", 79),
        epilog=f"examples:\n{listing}\n\n"
               "Weights files are JSON (format stepgrad.mlp/1); examples/*.json hold\n"
               "the lecture's. Chain steps by saving the new weights and loading them again:\n"
               "  stepgrad example section7 --save step1.json\n"
               "  stepgrad example section7 --weights step1.json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=list(EXAMPLES), metavar="NAME",
                        help=f"one of {', '.join(EXAMPLES)}")
    parser.add_argument("--weights", metavar="FILE.json",
                        help="start from these weights instead of the lecture's")
    parser.add_argument("--save", metavar="FILE.json", help="write the new weights to this file")
    parser.add_argument("--out", metavar="FILE",
                        help="draw the computation graph of E to this image (.png, .svg, .pdf)")
    parser.add_argument("--network-out", metavar="FILE",
                        help="draw the network with net, o, δ and the new weights to this image")
    parser.add_argument("--digits", metavar="N", type=positive_int, default=4,
                        help="decimals in the tables (default 4)")
    parser.set_defaults(run=run)


def run(args):
    check_image_paths(args.out, args.network_out)
    example = EXAMPLES[args.name]
    if args.weights:
        network = load_network(args.weights)
        if network.n_inputs != len(example.x) or network.layer_sizes[-1] != len(example.t):
            raise ValueError(f"{args.weights}: the network takes {network.n_inputs} inputs and "
                             f"gives {network.layer_sizes[-1]} outputs; {example.name} has "
                             f"{len(example.x)} inputs and {len(example.t)} targets")
        title = f"{example.title}, weights from {args.weights}"
    else:
        network = example.network()
        title = example.title
    step = training_step(network, *example.example_values(), example.eta)
    print(step_report(step, title=title, digits=args.digits))
    if args.save:
        updated = network.copy()
        apply_step(updated, step)
        path = save_network(updated, args.save,
                            description=f"{example.name} after one step (η = {example.eta:g})")
        print(f"wrote {path}")
    if args.out or args.network_out:
        write_images(step, network, args.out, args.network_out)
    return 0
