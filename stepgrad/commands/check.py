"""``stepgrad check``: a hand derivation checked number by number, with feedback a teacher can trust."""

import argparse
import json
import textwrap

from lecture import SOURCES, check_derivation, report_dict, report_html, report_markdown, report_text
from stepgrad.exits import EXIT_STATUSES, check_status, status_line

__all__ = ["add_parsers", "run"]

FORMATS = ("text", "json", "markdown", "html")


def add_parsers(subparsers):
    codes = "\n".join(f"  {code}  {text}" for code, text in EXIT_STATUSES["check"].items())
    parser = subparsers.add_parser(
        "check", help="check a hand derivation (net, o, E, δ, Δw, new weights) number by number",
        description=textwrap.fill(
            "Check the values in a derivation file against the engine's: per value a verdict "
            "(correct; correct, rounding carried; carried: follows from a wrong value of yours; "
            "rounded too early; wrong, with what your own values give, the exact formula and "
            "the mistake that explains it; changed given; not checked; unreadable), then each "
            "mistake once with the rows it explains. A student's file is read as students "
            "write: decimal commas, the Unicode minus, fractions, unquoted Greek names, "
            "Windows-1252 text and a cut-off last line are read, with a note.", 79),
        epilog=f"exit status:\n{codes}\n\n"
               "examples:\n"
               "  stepgrad check examples/derivations/section7.toml\n"
               "  stepgrad check answers.toml --problem section7 --format json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", metavar="FILE", help="a derivation file, .toml or .json")
    parser.add_argument("--problem", metavar="SOURCE",
                        help=f"the problem the answers are for: {SOURCES}; the file's own "
                             "givens, if it writes them, are compared with it")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text (default, 80 columns), json (every row, verdict, mistake id "
                             "and the values it follows from), markdown or html")
    parser.set_defaults(run=run)


def run(args):
    report = check_derivation(args.file, problem=args.problem, lenient=True)
    status = check_status(report)
    if args.format == "json":
        print(json.dumps(report_dict(report, exit_status=status), ensure_ascii=False, indent=1))
    elif args.format == "markdown":
        print(report_markdown(report), end="")
    elif args.format == "html":
        print(report_html(report, standalone=True), end="")
    else:
        print(report_text(report, status=status_line("check", status)))
    return status
