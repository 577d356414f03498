"""The ``stepgrad`` command line: each module in ``stepgrad.commands`` adds its subcommands."""

import argparse
import contextlib
import importlib
import pkgutil
import sys
import textwrap
import traceback

from _stepgrad_packages import require

require("autodiff", "nn", "lecture", "viz")

from . import __version__, commands
from ._ground import printable
from .exits import EXIT_CODES

__all__ = ["main", "build_parser", "PrintableStream"]

def build_parser():
    parser = argparse.ArgumentParser(
        prog="stepgrad",
        description=textwrap.fill("Step through backpropagation: the lecture's worked "
                                  "examples, training, computation-graph drawings and checks "
                                  "of hand derivations.", 79),
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version",
                        version=f"stepgrad {__version__} (Python {sys.version.split()[0]})")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in sorted(m.name for m in pkgutil.iter_modules(commands.__path__)):
        importlib.import_module(f"{commands.__name__}.{module}").add_parsers(subparsers)
    return parser


def main(argv=None):
    """Run ``stepgrad`` with ``argv``; returns the exit status (see ``EXIT_CODES``).

    Bad input, the ``ValueError`` and ``OSError`` families the libraries raise for values and
    files they cannot use, is one line on stderr and status 2. Anything else is a bug: its
    traceback and status 3. Everything printed passes through ``PrintableStream``.
    """
    argv = _expression_first(list(sys.argv[1:] if argv is None else argv))
    with _printable_output():
        args = build_parser().parse_args(argv)
        try:
            return args.run(args) or 0
        except BrokenPipeError:
            return 0
        except (OSError, ValueError) as error:
            print(f"stepgrad {args.command}: error: {error}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print(f"stepgrad {args.command}: interrupted", file=sys.stderr)
            return 130
        except Exception:  # a bug: its traceback, and a status of its own
            traceback.print_exc()
            print(f"stepgrad {args.command}: internal error (a bug in stepgrad); please report "
                  f"it with the traceback above", file=sys.stderr)
            return 3


def _expression_first(argv):
    """``stepgrad expr -x*y``: argparse would take ``-x*y`` for an option. Every option of
    ``expr`` but -h starts with --, so a single-dash argument there is the expression: move it
    after a ``--``, which ends the options."""
    if argv[:1] != ["expr"] or "--" in argv:
        return argv
    dashed = [k for k, arg in enumerate(argv) if k and arg[:1] == "-" and arg[:2] != "--"
              and arg != "-h"]
    if len(dashed) != 1:
        return argv
    k = dashed[0]
    return [*argv[:k], *argv[k + 1:], "--", argv[k]]


class PrintableStream:
    """A text stream that writes everything through ``autodiff.notation.printable``, so no
    control character (but the newline) and no bidi override reaches the terminal raw, whatever
    a file's names and titles hold. Text the stream's encoding cannot carry (a lone surrogate
    from a file name) is written as a backslash escape. ``unfiltered`` is the stream
    underneath, for output that brings control characters of its own (a progress bar's \\r).
    """

    def __init__(self, stream):
        self.unfiltered = stream

    def write(self, text):
        text = printable(text)
        try:
            return self.unfiltered.write(text)
        except UnicodeEncodeError:
            encoding = getattr(self.unfiltered, "encoding", None) or "utf-8"
            return self.unfiltered.write(text.encode(encoding, "backslashreplace").decode(encoding))

    def __getattr__(self, name):  # flush, isatty, fileno, encoding, ...
        return getattr(self.unfiltered, name)


@contextlib.contextmanager
def _printable_output():
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = PrintableStream(sys.stdout), PrintableStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
