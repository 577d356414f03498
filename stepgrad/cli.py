"""The ``stepgrad`` command line: each module in ``stepgrad.commands`` adds its subcommands."""

import argparse
import importlib
import pkgutil
import sys

from . import commands

__all__ = ["main", "build_parser"]


def build_parser():
    parser = argparse.ArgumentParser(
        prog="stepgrad",
        description="Step through backpropagation: the lecture's worked examples, training, "
                    "computation-graph drawings and checks of hand derivations.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in sorted(m.name for m in pkgutil.iter_modules(commands.__path__)):
        importlib.import_module(f"{commands.__name__}.{module}").add_parsers(subparsers)
    return parser


def main(argv=None):
    """Run ``stepgrad`` with ``argv``; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except BrokenPipeError:
        return 0
    except (OSError, ValueError, TypeError) as error:
        print(f"stepgrad {args.command}: error: {error}", file=sys.stderr)
        return 2
