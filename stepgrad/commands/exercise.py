"""``stepgrad exercise``: an exercise per student from a template, with worksheets and answer keys."""

import argparse
import json
import pathlib
import secrets
import textwrap

import viz
from stepgrad._ground.text import printable
from lecture import training_step
from stepgrad.classroom.exercise import generate
from stepgrad.classroom.exercise_files import answers_toml, exercise_toml, key_toml
from stepgrad.classroom.roster import ID_COLUMNS, check_student_id, roster_ids
from stepgrad.classroom.template import BUILTIN_TEXT, load_template
from stepgrad.classroom.worksheet import solution_html, solution_latex, solution_markdown, worksheet_html, worksheet_latex, worksheet_markdown
from stepgrad._ground.files import read_data, write_atomic
from viz.render import pipe

__all__ = ["add_parsers", "run_new", "run_template", "MANIFEST", "MANIFEST_FORMAT"]

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "stepgrad.exercises/1"
MAX_SEED = 2 ** 63 - 1
PLAIN_CAPTION = "The network with its weights and biases."
STEP_CAPTION = "The network, with one training step on it: net, out and δ, each weight old → new."
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
    new.set_defaults(run=run_new)
    template = commands.add_parser(
        "template", help="print the built-in template, to copy and change",
        description="Print the built-in exercise template (TOML); the README describes every field.")
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
    previous = _read_manifest(out)
    class_seed = args.seed
    if class_seed is None and previous is not None:
        class_seed = previous["class_seed"]
    if previous is not None and (previous["class_seed"] != class_seed
                                 or previous["template"] != template.name):
        raise ValueError(f"{out / MANIFEST}: this folder holds the exercises of class seed "
                         f"{previous['class_seed']} and template {previous['template']!r}; use "
                         f"them, or another --out")
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
    exercises = [generate(template, s, class_seed) for s in students]
    figures, note = _figures(exercises)
    files, entries = {}, []
    for exercise in exercises:
        entry = _files(exercise, figures.get(exercise.id), files)
        entries.append(entry)
    manifest = _manifest(previous, template, args.template, class_seed, entries)
    for path, data in files.items():
        write_atomic(out / path, data)
    write_atomic(out / MANIFEST, (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode())
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


def _folder(exercise):
    return exercise.student or exercise.id


def _figures(exercises):
    """Per exercise id: the network for the worksheet and, for the key, with one training step
    on it, each as SVG text and PDF bytes. Without Graphviz: none, and a note."""
    figures = {}
    try:
        for exercise in exercises:
            problem = exercise.problem
            plain = viz.network_to_dot(problem.network())
            caption = PLAIN_CAPTION
            stepped = plain
            if problem.loss == "squared_error" and problem.sign == "lecture":
                # NOTE: training_step is the lecture's: E = ½Σ(t − o)² and δ = −∂E/∂net
                network = problem.network()
                step = training_step(network, list(problem.x), list(problem.t), problem.eta)
                stepped, caption = viz.network_to_dot(network, step), STEP_CAPTION
            figures[exercise.id] = {name: (pipe(graph, "svg").decode("utf-8"),
                                           pipe(graph, "pdf"))
                                    for name, graph in (("worksheet", plain), ("key", stepped))}
            figures[exercise.id]["caption"] = caption
    except viz.DotNotFoundError:
        return {}, ("NOTE: the Graphviz 'dot' program is missing, so the worksheets have no "
                    "picture of the network; install graphviz and run again to add it.")
    return figures, None


def _files(exercise, figures, files):
    """Add the exercise's files (path → bytes) to ``files``; returns its manifest entry."""
    folder = _folder(exercise)
    student, keys = pathlib.PurePosixPath("exercises", folder), pathlib.PurePosixPath("keys", folder)
    text = {student / "exercise.toml": exercise_toml(exercise),
            student / "answers.toml": answers_toml(exercise),
            # NOTE: the key names the student's exercise file rather than holding a copy:
            # stepgrad grade --key OUT/keys reads every .toml under it as a key
            keys / "key.toml": key_toml(exercise, f"../../exercises/{folder}/exercise.toml")}
    svg = {"worksheet": None, "key": None}
    image, caption = None, PLAIN_CAPTION
    if figures:
        caption = figures["caption"]
        for name, folder_ in (("worksheet", student), ("key", keys)):
            svg[name], pdf = figures[name]
            files[str(folder_ / "network.svg")] = svg[name].encode("utf-8")
            files[str(folder_ / "network.pdf")] = pdf
        image = "network"
    text[student / "worksheet.html"] = worksheet_html(exercise, svg["worksheet"])
    text[student / "worksheet.md"] = worksheet_markdown(exercise, image and "network.svg")
    text[student / "worksheet.tex"] = worksheet_latex(exercise, image and "network.pdf")
    text[keys / "solution.html"] = solution_html(exercise, svg["key"], caption)
    text[keys / "solution.md"] = solution_markdown(exercise, image and "network.svg")
    text[keys / "solution.tex"] = solution_latex(exercise, image and "network.pdf")
    for path, content in text.items():
        files[str(path)] = content.encode("utf-8")
    names = {"exercise": student / "exercise.toml", "answers": student / "answers.toml",
             "worksheet_html": student / "worksheet.html", "worksheet_md": student / "worksheet.md",
             "worksheet_tex": student / "worksheet.tex", "key": keys / "key.toml",
             "solution_html": keys / "solution.html", "solution_md": keys / "solution.md",
             "solution_tex": keys / "solution.tex"}
    return {"student": exercise.student, "id": exercise.id, "seed": exercise.seed,
            "shape": "-".join(str(len(layer)) for layer in exercise.problem.unit_names),
            "files": {k: str(v) for k, v in names.items()}}


def _read_manifest(out):
    path = out / MANIFEST
    if not path.exists():
        return None
    try:
        data = read_data(path, "json")
    except (OSError, ValueError) as error:
        raise ValueError(f"{error}; move it away or use another --out") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT \
            or not isinstance(data.get("class_seed"), int) or not isinstance(data.get("exercises"), list):
        raise ValueError(f"{path}: not a manifest of stepgrad exercise new ({MANIFEST_FORMAT}); "
                         f"use another --out")
    template = data.get("template")
    data["template"] = template.get("name") if isinstance(template, dict) else None
    return data


def _manifest(previous, template, template_file, class_seed, entries):
    """The manifest: the new entries, and those of earlier runs for other students."""
    kept = []
    if previous is not None:
        new = {_key(e) for e in entries}
        kept = [e for e in previous["exercises"] if isinstance(e, dict) and _key(e) not in new]
    return {"format": MANIFEST_FORMAT,
            "template": {"name": template.name, "file": template_file},
            "class_seed": class_seed,
            "exercises": sorted(kept + entries, key=_key)}


def _key(entry):
    return (entry.get("student") or "", entry.get("id") or "")
