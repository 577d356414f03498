"""The ``stepgrad`` command line: each module in ``stepgrad.commands`` adds its subcommands."""

import argparse
import contextlib
import errno
import importlib
import os
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
    traceback and status 3. Everything printed passes through ``PrintableStream``; output that
    cannot be written (stdout closed, a pipe whose reader has gone, a full disk) is dropped and
    changes no status: the files a command writes are its result.
    """
    argv = _expression_first(list(sys.argv[1:] if argv is None else argv))
    _hold_standard_descriptors()
    with _printable_output() as stdout:
        args = build_parser().parse_args(argv)
        try:
            status = args.run(args) or 0
        except (OSError, ValueError) as error:
            print(f"stepgrad {args.command}: error: {error}", file=sys.stderr)
            status = 2
        except KeyboardInterrupt:
            print(f"stepgrad {args.command}: interrupted", file=sys.stderr)
            status = 130
        except Exception:  # a bug: its traceback, and a status of its own
            traceback.print_exc()
            print(f"stepgrad {args.command}: internal error (a bug in stepgrad); please report "
                  f"it with the traceback above", file=sys.stderr)
            status = 3
        stdout.flush()
        lost = stdout.lost
        if lost is not None and lost.errno != errno.EPIPE:   # a reader gone (| head) is normal
            print(f"stepgrad {args.command}: note: the output could not be written "
                  f"({lost.strerror or lost}); exit status {status} stands", file=sys.stderr)
        return status


def _hold_standard_descriptors():
    """Open the null device on a standard descriptor (0, 1, 2) that is closed (``>&-``), so
    that no file the command opens takes its number and receives what is meant for it."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


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

    A stream that cannot be written (None: closed when Python started; a broken pipe, a full
    disk) drops what is written from then on; ``lost`` holds the OSError, if there was one.
    """

    def __init__(self, stream):
        self.unfiltered = stream
        self.lost = None

    def write(self, text):
        text = printable(text)
        if self.unfiltered is None or self.lost is not None:
            return len(text)
        try:
            try:
                return self.unfiltered.write(text)
            except UnicodeEncodeError:
                encoding = getattr(self.unfiltered, "encoding", None) or "utf-8"
                return self.unfiltered.write(text.encode(encoding, "backslashreplace")
                                             .decode(encoding))
        except (OSError, ValueError) as error:      # ValueError: the stream was closed
            self._lose(error)
            return len(text)

    def flush(self):
        if self.unfiltered is None or self.lost is not None:
            return
        try:
            self.unfiltered.flush()
        except (OSError, ValueError) as error:
            self._lose(error)

    def _lose(self, error):
        self.lost = error if isinstance(error, OSError) else OSError(errno.EBADF, str(error))
        # NOTE: what is left in the buffer goes to the null device, or Python's last flush at
        # exit would fail again and print "Exception ignored" (and end with status 120)
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, self.unfiltered.fileno())
            finally:
                os.close(null)
        except (OSError, ValueError, AttributeError):
            pass            # no descriptor underneath (a StringIO): nothing is left to flush

    def __getattr__(self, name):  # isatty, fileno, encoding, ...
        return getattr(self.unfiltered, name)


@contextlib.contextmanager
def _printable_output():
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = PrintableStream(sys.stdout), PrintableStream(sys.stderr)
    try:
        yield sys.stdout
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = saved
