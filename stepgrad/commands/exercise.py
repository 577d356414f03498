"""``stepgrad exercise``: an exercise per student from a template, with worksheets and answer keys."""

import argparse
import json
import pathlib
import secrets
import textwrap

from stepgrad._ground import printable
from stepgrad.classroom import (
    BUILTIN_TEXT,
    ID_COLUMNS,
    MANIFEST,
    check_student_id,
    class_seed_of,
    load_template,
    read_manifest,
    roster_ids,
    write_class,
)

__all__ = ["add_parsers", "run_new", "run_template"]

MAX_SEED = 2 ** 63 - 1
NEW_TEXT = (
    "Make an exercise per student from a template: different numbers for each student, the "
    "same numbers every time for the same class seed and student. Per student it writes, "
    "under OUT/exercises/ID/ (to hand out): exercise.toml (the problem), answers.toml (the "
    "blank answer template), worksheet.html (the network drawn and a field per quantity), "
    "worksheet.md and worksheet.tex; and under OUT/keys/ID/ (to keep): key.toml (every asked "
    "value; it names ../../exercises/ID/exercise.toml, so keep the folders together; stepgrad "
    "check passes it), solution.html, solution.md and solution.tex (the worked solution). "
    "OUT/manifest.json lists each student's exercise id and files, and the class seed. Grade "
    "the answers handed in with stepgrad grade --key OUT/keys.")
NEW_EPILOG = (
    f"The roster is a CSV file with a header row; the ids are read from the column named "
    f"{' or else '.join(ID_COLUMNS)} (any case), as for stepgrad grade; other columns are "
    f"ignored. Without --seed a class seed is drawn at random and saved in the manifest: "
    f"keep it, it regenerates every key (and anyone who has it and the template can too). "
    f"Give a long seed: each exercise file holds its student's seed, from which a short "
    f"class seed can be found by trying them all. "
    f"Regenerate one student into the same OUT with --student ID; the seed is then read "
    f"from OUT/manifest.json.")


def add_parsers(subparsers):
    parser = subparsers.add_parser(
        "exercise", help="exercises per student from a template, with worksheets and keys",
        description="Exercises for a class: stepgrad exercise new, stepgrad exercise template.")
    commands = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    new = commands.add_parser(
        "new", help="write an exercise, worksheet and answer key per student",
        description=textwrap.fill(NEW_TEXT, 79),
        epilog=textwrap.fill(NEW_EPILOG, 79) + "\n\nexamples:\n"
               "  stepgrad exercise new --students roster.csv --seed 81723 --out class1\n"
               "  stepgrad exercise new --students roster.csv --student bob --out class1\n"
               "  stepgrad exercise new --seed 7 --out one\n"
               "  stepgrad exercise new --template mine.toml --students roster.csv --out class1",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    new.add_argument("--template", metavar="FILE",
                     help="the template (TOML or JSON); default the built-in one, the lecture's "
                          "section 7 style (stepgrad exercise template prints it)")
    new.add_argument("--students", metavar="ROSTER.csv", help="a CSV roster, one exercise per id")
    new.add_argument("--student", metavar="ID",
                     help="only this student (regenerate one exercise; from the roster if given)")
    new.add_argument("--seed", metavar="N", type=_seed,
                     help="the class seed, a whole number (alone: one exercise from this seed)")
    new.add_argument("--out", metavar="OUT", required=True, help="the folder to write to")
    new.add_argument("--json", action="store_true",
                     help="print what was written as JSON: out, class_seed, seed_drawn, manifest, "
                          "note, exercises (student, id)")
    new.set_defaults(run=run_new)
    template = commands.add_parser(
        "template", help="print the built-in template, to copy and change",
        description="Print the built-in exercise template (TOML); docs/classroom.md describes every field.")
    template.set_defaults(run=run_template)


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to {MAX_SEED}")
    return value


def run_template(args):
    print(BUILTIN_TEXT, end="")
    return 0


def run_new(args):
    out = pathlib.Path(args.out)
    template = load_template(args.template)
    previous = read_manifest(out)
    class_seed = class_seed_of(out, previous, args.seed, template)
    if args.students:
        students = roster_ids(args.students)
        if args.student is not None:
            if args.student not in students:
                raise ValueError(f"--student: {args.student!r} is not in {args.students}")
            students = [args.student]
    elif args.student is not None:
        students = [check_student_id(args.student)]
    elif args.seed is not None:
        students = [""]
    else:
        raise ValueError("give --students ROSTER.csv (a class), --student ID, or --seed N "
                         "(one exercise)")
    drawn_seed = class_seed is None
    if drawn_seed:
        class_seed = secrets.randbelow(MAX_SEED)
    exercises, note = write_class(out, template, args.template, students, class_seed, previous)
    if args.json:
        print(json.dumps({"out": str(out), "class_seed": class_seed, "seed_drawn": drawn_seed,
                          "manifest": str(out / MANIFEST), "note": note or None,
                          "exercises": [{"student": e.student, "id": e.id} for e in exercises]},
                         ensure_ascii=False, indent=1))
        return 0
    count = len(exercises)
    lines = [f"wrote {count} exercise{'s' * (count != 1)} to {out}: exercises/ (hand these "
             f"out), keys/ (keep these), {MANIFEST}"]
    if drawn_seed:
        lines.append(f"class seed {class_seed} (drawn at random, saved in {MANIFEST}: keep it)")
    if note:
        lines.append(note)
    for line in lines:
        print(textwrap.fill(printable(line), 80, break_on_hyphens=False))
    return 0
