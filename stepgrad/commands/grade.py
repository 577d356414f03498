"""``stepgrad grade``: a class's submissions checked against their own keys, scored, and summed up."""

import argparse
import shutil
import sys
import textwrap

from lecture import FEEDBACK
from stepgrad.classroom import (
    ATTEMPTS,
    CREDIT_NAMES,
    DEFAULT_CREDIT,
    Staging,
    default_jobs,
    grade_into,
    load_keys,
    load_scheme,
    read_roster,
    recover,
    summary_text,
)
from stepgrad.exits import EXIT_STATUSES, grade_status

__all__ = ["add_parsers", "run"]

def add_parsers(subparsers):
    credit = ", ".join(f"{name} {DEFAULT_CREDIT[verdict]:g}" for name, verdict in CREDIT_NAMES.items())
    codes = "\n".join(f"  {code}  {textwrap.fill(text, 72, subsequent_indent=' ' * 5)}"
                      for code, text in EXIT_STATUSES["grade"].items())
    parser = subparsers.add_parser(
        "grade", help="grade a class: every submission against its own key, with a gradebook",
        description=textwrap.fill(
            "Check every submission against its own exercise's key, with the checker's verdicts "
            "(error carried forward included), score it, and write a feedback report per "
            "student (Markdown and HTML), a gradebook (CSV one row per student, and JSON with "
            "every row) and a class summary of the most common mistakes.", 79),
        epilog=textwrap.fill(f"Scores: every asked quantity is worth 1 point unless --points "
                             f"says otherwise; the credit per verdict is {credit}.", 79)
               + f"\n\nexit status:\n{codes}\n"
                 "A printout that cannot be written (stdout closed, | head -1, a full disk)\n"
                 "changes no status: the files published are the result.\n\n"
                 "example:\n  stepgrad grade --key keys/ --roster roster.csv submissions/ "
                 "--out grades/",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", metavar="SUBMISSION", nargs="+",
                        help="a student's derivation file, or a folder of them")
    parser.add_argument("--key", metavar="KEY", action="append", required=True,
                        help="an answer key, or a folder of them, each with an [exercise] id "
                             "(repeat for more)")
    parser.add_argument("--roster", metavar="CSV",
                        help="the class: a 'student' (or 'id') column, and 'exercise' if the "
                             "files do not say; a student without a file is listed as missing")
    parser.add_argument("--points", metavar="TOML",
                        help="[points] per quantity or kind (net, delta, dw …, default), "
                             "[credit] per verdict (rounded_too_early = 0.5), from 0 to 1, and "
                             "[policy] repeated = \"once\" (a mistake repeated on every row "
                             "costs once) or \"each\", digits = significant digits asked")
    parser.add_argument("--out", metavar="DIR", default="grades",
                        help="where to write the gradebook, the summary and the reports "
                             "(default grades/)")
    parser.add_argument("--attempt", choices=ATTEMPTS, default="latest",
                        help="which of a student's several files is graded (default latest: "
                             "the highest attempt number, then the newest)")
    parser.add_argument("--json", action="store_true",
                        help="print the gradebook as JSON (gradebook.json's text) instead of the "
                             "summary")
    parser.add_argument("--feedback", choices=FEEDBACK, default="full",
                        help="what the student reports show: full (exact values and formulas), "
                             "hints (causes, no exact values) or verdicts (verdicts only)")
    parser.add_argument("--jobs", metavar="N", type=_jobs, default=None,
                        help="how many processes grade the files (default: one per processor "
                             "this may use, at most 4; 1 grades in this one); the files written "
                             "are the same for any N")
    parser.set_defaults(run=run)


def _jobs(text):
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if not 1 <= jobs <= 256:
        raise argparse.ArgumentTypeError(f"a number of processes from 1 to 256, not {text!r}")
    return jobs


def run(args):
    recover(args.out)           # what an interrupted run left, put right before anything else
    keys = load_keys(args.key)
    roster = read_roster(args.roster) if args.roster else None
    scheme = load_scheme(args.points, keys) if args.points else None
    printed = None
    try:
        # NOTE: every file goes to a fresh folder, published as one set only if all are written
        with Staging(args.out) as staging:
            book = grade_into(staging, keys, args.submissions, roster, scheme,
                              attempt=args.attempt, feedback=args.feedback,
                              jobs=args.jobs or default_jobs())
            if args.json:       # opened before the swap: the very file published
                printed = open(staging.folder / "gradebook.json", encoding="utf-8")
        if printed is not None:
            shutil.copyfileobj(printed, sys.stdout)
            return grade_status(book)
    finally:
        if printed is not None:
            printed.close()
    print(summary_text(book))
    print(f"\nwrote {args.out}/gradebook.csv, gradebook.json, summary.md, moodle.csv, "
          f"canvas.csv and "
          f"{len(book.results)} reports in {args.out}/reports")
    return grade_status(book)
