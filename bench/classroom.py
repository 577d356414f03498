"""The classroom commands at class scale, as a teacher runs them: each in a fresh process.

    python bench/classroom.py [--quick] [--json FILE] [--keep DIR] [--seed N]

- ``stepgrad exercise new`` for a roster of 1,000 students (with Graphviz, when it is installed);
- ``stepgrad grade`` of 1,000 submissions (against the keys that exercise new wrote) and of
  10,000 (keys written by the same functions, without the worksheets). A third of the students
  make one typical mistake and carry it through, every value to the 4 digits asked;
- ``stepgrad check --format json`` of a 100-100-100 sigmoid derivation with 2,000 and 20,000
  wrong values (Δw and w_new, each wrong by η left out, the update's sign, two digits swapped
  or an arithmetic slip), so that the cost per wrong value shows side by side.

Each command's wall time and peak memory (the largest process's resident set, from wait4, or
all its processes' together, sampled, whichever is more: grade forks workers) are printed
beside the target of issue 16 and the figure measured when the issue was filed; a missed target
is flagged. ``grade`` runs as a teacher runs it, with a worker per processor, and at 1,000
submissions also with ``--jobs 1``, so that one process's figure shows beside it.
"""

import argparse
import json
import os
import pathlib
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path[0] = str(pathlib.Path(__file__).resolve().parent.parent)

from bench.grading import CARRIED_MISTAKES
from lecture import Catalog, problem_from_dict
from stepgrad._ground import decimal
from stepgrad.classroom import BUILTIN, exercise_toml, generate, key_toml

REPO = pathlib.Path(__file__).resolve().parent.parent
CURRENT = "this"     # the label of this repository's code in the report
MB = 1024 * 1024


@dataclass(frozen=True)
class Sizes:
    exercise: int           # students of exercise new
    grade: tuple            # classes graded
    check: tuple            # wrong values checked
    check_shape: tuple      # the derivation's layer sizes


FULL = Sizes(1000, (1000, 10_000), (2000, 20_000), (100, 100, 100))
QUICK = Sizes(6, (6, 15), (20, 60), (8, 6, 4))

# (command, size) → (seconds, MB) the issue asks for (None: no limit) and what it measured then.
TARGETS = {("exercise new", 1000): (60, None, "300 students took 30 s"),
           ("grade", 1000): (5, None, "—"),
           ("grade", 10_000): (60, 1024, "2 min 25 s, 2.6 GB"),
           ("check", 20_000): (60, 1024, "2,000 wrong values took 89 s, 950 MB")}
LINEAR = 1.5    # time per wrong value at the larger size over the smaller, at most
EXPECTED_STATUS = {"exercise new": (0,), "grade": (0,), "grade --jobs 1": (0,), "check": (1,)}
COMMANDS = ("check", "exercise new", "grade")       # what --only names


def run_stepgrad(args, cwd, code=REPO, timeout=None):
    """Run ``python -m stepgrad ARGS`` with the code in folder ``code``, stopped after
    ``timeout`` seconds; returns (seconds, peak MB, exit status or None when it was stopped,
    stdout, stderr). The peak is the larger of the largest process's resident set (wait4)
    and the most that all its processes held at once (grade forks workers: their
    proportional sets, summed, sampled every 20 ms on Linux)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(code), os.environ.get("PYTHONPATH")) if p))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "stepgrad", *map(str, args)], cwd=cwd,
                                   stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        fired = threading.Event()        # set by the timer alone (cancel() sets its "finished")

        def kill():
            fired.set()
            process.kill()
        stop = threading.Timer(timeout, kill) if timeout else None
        if stop:
            stop.start()
        tree = _TreeMemory(process.pid)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            tree.done.set()
            if stop:
                stop.cancel()
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        killed = process.returncode < 0 and fired.is_set()
        out.seek(0)
        err.seek(0)
        tree.join()
        return (seconds, max(usage.ru_maxrss * 1024, tree.peak) / MB,
                None if killed else process.returncode, out.read(), err.read())


class _TreeMemory(threading.Thread):
    """The most memory a process and its descendants held at once: their proportional set
    sizes (a page shared by n processes counts 1/n in each), summed, every 20 ms."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()
        self.start()

    def run(self):
        while not self.done.wait(0.02):
            self.peak = max(self.peak, sum(map(_pss, _descendants(self.pid))))


def _descendants(pid):
    found, stack = [], [pid]
    while stack:
        pid = stack.pop()
        found.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    stack.extend(map(int, children.read().split()))
        except OSError:         # gone, or no /proc (not Linux): the wait4 figure stands
            continue
    return found


def _pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


# -- a class ---------------------------------------------------------------------------------

def student_ids(n):
    return [f"s{k:05d}" for k in range(1, n + 1)]


def write_roster(path, students):
    path.write_text("student\n" + "".join(f"{s}\n" for s in students))
    return path


def write_keys(folder, students, class_seed):
    """keys/ID/key.toml and exercises/ID/exercise.toml as exercise new writes them (the same
    functions), without the worksheets and solutions, which grade does not read."""
    for student in students:
        exercise = generate(BUILTIN, student, class_seed)
        for path, text in ((f"exercises/{student}/exercise.toml", exercise_toml(exercise)),
                           (f"keys/{student}/key.toml",
                            key_toml(exercise, f"../../exercises/{student}/exercise.toml"))):
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text, encoding="utf-8")


def write_submissions(folder, students, class_seed, seed):
    """Each student's answers.toml: every asked value to the digits asked, a third of them with
    one typical mistake carried through. Returns how many made a mistake."""
    rng = random.Random(seed)
    mistakes = CARRIED_MISTAKES
    folder.mkdir(parents=True, exist_ok=True)
    wrong = 0
    for student in students:
        exercise = generate(BUILTIN, student, class_seed)
        mistake = rng.choice(mistakes) if rng.random() < 1 / 3 else None
        values = exercise.catalog.evaluate(mistake=mistake) if mistake else exercise.values
        wrong += mistake is not None
        lines = ["[exercise]", f'id = "{exercise.id}"', f'student = "{student}"', "", "[answers]"]
        lines += [f'{name} = "{decimal(values[name], exercise.digits)}"' for name in exercise.asked]
        (folder / f"{student}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return wrong


# -- a derivation ----------------------------------------------------------------------------

def derivation(shape, wrong, seed):
    """A sigmoid network of ``shape`` and a student's answers with ``wrong`` wrong values: Δw of
    the first half of the weights, w_new of the next, each wrong one of four ways."""
    rng = random.Random(seed)
    layers = []
    first = 1
    for size in shape:
        layers.append([str(first + k) for k in range(size)])
        first += size
    weights, biases = {}, {}
    for before, layer in zip(layers, layers[1:]):
        for j in layer:
            for i in before:
                weights[f"w{i},{j}"] = round(rng.uniform(-0.5, 0.5) or 0.1, 2)
            biases[f"b{j}"] = round(rng.uniform(-0.5, 0.5) or 0.1, 2)
    x = [round(rng.uniform(0.1, 1.0), 1) for _ in layers[0]]
    t = [float(rng.randint(0, 1)) for _ in layers[-1]]
    data = {"title": f"a {'-'.join(map(str, shape))} network with {wrong} wrong values",
            "network": {"layers": layers, "activation": "sigmoid"},
            "weights": weights, "biases": biases, "example": {"x": x, "t": t},
            "training": {"eta": 0.5}, "answers": {}}
    catalog = Catalog(problem_from_dict(data))
    exact = catalog.evaluate()
    labels = [c.label for c in catalog.problem.connections]
    if wrong > len(labels):
        raise ValueError(f"{wrong} wrong values need {wrong} weights; the network has {len(labels)}")
    half = wrong // 2
    for k, label in enumerate(labels[:wrong]):
        name = f"d{label}" if k < half else f"{label}_new"
        data["answers"][name] = _wrong_value(catalog, exact, name, k % 4)
    return data


def _wrong_value(catalog, exact, name, how):
    """``name``'s value as a student gets it wrong: 0 η left out, 1 the update's sign,
    2 two digits swapped, 3 an arithmetic slip. A mistake that the 4 digits do not show
    (w_new = w + Δw with a Δw far below w's last digit) is an arithmetic slip instead."""
    text = _mistaken(catalog, exact, name, how)
    right = decimal(exact[name], 4)
    unit = 10.0 ** -len(right.partition(".")[2])       # of the last digit of the right value
    if abs(float(text) - exact[name]) <= 3 * unit:
        return _slip(exact[name])
    return text


def _slip(value):
    """An arithmetic slip: a value no typical mistake gives, to 4 digits."""
    return decimal(value * 1.37 + 0.01, 4)


def _mistaken(catalog, exact, name, how):
    q = catalog.quantities[name]
    dw = q if q.kind.name == "dw" else catalog.quantities[q.inputs[1]]
    step, eta = exact[dw.name], catalog.problem.eta
    base = 0.0 if q.kind.name == "dw" else catalog.constants[q.inputs[0]]
    if how == 0:
        value = base + step / eta
    elif how == 1:
        value = base - step
    elif how == 2:
        text = decimal(exact[name], 4)
        digits = [k for k, c in enumerate(text) if c.isdigit()]
        first = next(k for k in digits if text[k] != "0")
        k = next((k for k in digits if k > first and k + 1 in digits and text[k] != text[k + 1]),
                 None)
        if k is None:
            return _slip(exact[name])
        return text[:k] + text[k + 1] + text[k] + text[k + 2:]
    else:
        return _slip(exact[name])
    return decimal(value, 4)


# -- the runs --------------------------------------------------------------------------------

def measure(sizes, work, seed, codes, timeout):
    """Every command's runs, one per code folder in ``codes`` (label → folder), taking turns:
    a list of dicts (command, size, code, seconds, mb, status, ok, ...)."""
    runs = []
    class_seed = 6170294182731 + seed

    def record(command, size, args, cwd, only=None, **more):
        for label, code in codes.items():
            if only is not None and label != only:
                continue
            out_args = [a.replace("{code}", label) if isinstance(a, str) else a for a in args]
            seconds, mb, status, out, err = run_stepgrad(out_args, cwd, code, timeout)
            row = {"command": command, "size": size, "code": label, "seconds": seconds, "mb": mb,
                   "status": status, "ok": status in EXPECTED_STATUS[command], **more}
            if not row["ok"]:
                row["stderr"] = err.decode("utf-8", "replace")[-2000:]
            if command == "check":
                _verdicts(row, out)
            runs.append(row)
            shown = "timed out" if status is None else f"exit {status}"
            print(f"  {label}: {command} {size:,}: {seconds:.2f} s, {mb:.0f} MB, {shown}",
                  file=sys.stderr)

    # exercise new, then grade its class (the first code's)
    n = sizes.exercise
    if n:
        folder = work / f"class{n}"
        folder.mkdir()
        students = student_ids(n)
        write_roster(folder / "roster.csv", students)
        record("exercise new", n, ["exercise", "new", "--students", "roster.csv", "--seed",
                                   class_seed, "--out", "class-{code}"], folder)
    for size in sizes.grade:
        if size == n:
            keys = folder / f"class-{next(iter(codes))}"
        else:
            folder = work / f"class{size}"
            keys = folder / "class"
            students = student_ids(size)
            folder.mkdir()
            write_roster(folder / "roster.csv", students)
            write_keys(keys, students, class_seed)
        mistaken = write_submissions(folder / "submissions", students, class_seed, seed)
        args = ["grade", "--key", keys / "keys", "--roster", "roster.csv", "submissions"]
        record("grade", size, [*args, "--out", "grades-{code}"], folder, with_mistake=mistaken)
        if size == min(sizes.grade):    # one process, as a machine with one processor grades
            record("grade --jobs 1", size, [*args, "--out", "grades-{code}-1", "--jobs", 1],
                   folder, only=CURRENT, with_mistake=mistaken)

    for wrong in sizes.check:
        path = work / f"derivation{wrong}.json"
        path.write_text(json.dumps(derivation(sizes.check_shape, wrong, seed)), encoding="utf-8")
        record("check", wrong, ["check", path.name, "--format", "json"], work)
    return runs


def _verdicts(row, out):
    """The verdicts of check's JSON report, counted; a report that cannot be read fails the run."""
    try:
        rows = json.loads(out)["rows"]
    except (ValueError, KeyError, TypeError):
        row["ok"] = False
        return
    row["verdicts"] = {}
    for r in rows:
        row["verdicts"][r["verdict"]] = row["verdicts"].get(r["verdict"], 0) + 1
    row["wrong"] = row["verdicts"].get("wrong", 0)
    if row["wrong"] != row["size"]:     # every value of the derivation is wrong
        row["ok"] = False


def check_targets(runs, code=CURRENT):
    """[(description, measured, met)]: every run succeeded, and each target whose run was
    measured (``code``'s runs)."""
    found = []
    mine = [r for r in runs if r["code"] == code]
    for row in mine:
        found.append((f"{_label(row)}: succeeded (exit "
                      f"{', '.join(map(str, EXPECTED_STATUS[row['command']]))}"
                      + (", every value wrong" if row["command"] == "check" else "") + ")",
                      "timed out" if row["status"] is None else f"exit {row['status']}", row["ok"]))
    by = {(r["command"], r["size"]): r for r in mine}
    for (command, size), (seconds, mb, _) in TARGETS.items():
        row = by.get((command, size))
        if row is None:
            continue
        found.append((f"{_label(row)} < {seconds} s", _seconds(row), row["ok"] and row["seconds"] < seconds))
        if mb is not None:
            found.append((f"{_label(row)}: peak memory < {mb:,} MB", f"{row['mb']:.0f} MB",
                          row["ok"] and row["mb"] < mb))
    checks = sorted((r for r in mine if r["command"] == "check"), key=lambda r: r["size"])
    if len(checks) >= 2:
        small, large = checks[0], checks[-1]
        ratio = per_value(large) / per_value(small)
        found.append((f"check: time per wrong value at {large['size']:,} ≤ {LINEAR}× that at "
                      f"{small['size']:,}", f"{ratio:.2f}×", ratio <= LINEAR))
    return found


def _label(row):
    return f"{row['command']} {row['size']:,}" + (" wrong values" if row["command"] == "check" else "")


def _seconds(row):
    return f"{row['seconds']:.1f} s" + (" (timed out)" if row["status"] is None else "")


def per_value(row):
    return row["seconds"] / row["size"]


WHAT = {"exercise new": "stepgrad exercise new (students)", "grade": "stepgrad grade (submissions)",
        "grade --jobs 1": "  the same, --jobs 1",
        "check": "stepgrad check (wrong values)"}


def format_report(runs, quick):
    lines = [f"{'command':<34}{'size':>7} {'code':<9}{'wall':>10}{'peak mem':>11}{'exit':>6}   "
             f"{'target':<19}when filed"]
    for row in runs:
        target = TARGETS.get((row["command"], row["size"]))
        limit, filed = "", ""
        if target is not None and row["code"] == CURRENT:
            seconds, mb, filed = target
            limit = f"< {seconds} s" + (f", < {mb / 1024:g} GB" if mb else "")
        status = "—" if row["status"] is None else row["status"]
        lines.append(f"{WHAT[row['command']]:<34}{row['size']:>7,} {row['code']:<9}"
                     f"{_seconds(row).replace(' (timed out)', '+'):>10}{row['mb']:>8.0f} MB"
                     f"{status:>6}   {limit:<19}{filed}")
    checks = [r for r in runs if r["command"] == "check"]
    if checks:
        lines += ["", "stepgrad check: cost per wrong value"]
        for row in checks:
            verdicts = ", ".join(f"{n:,} {v}" for v, n in sorted(row.get("verdicts", {}).items()))
            lines.append(f"  {row['code']:<9}{row['size']:>7,} wrong values: "
                         f"{1000 * per_value(row):8.2f} ms a value ({verdicts or 'no report'})")
    grades = [r for r in runs if r["command"].startswith("grade")]
    if grades:
        lines += ["", "stepgrad grade: cost per submission"]
        for row in grades:
            lines.append(f"  {row['code']:<9}{row['size']:>7,} submissions"
                         f"{' (--jobs 1)' if row['command'] != 'grade' else ''}: "
                         f"{1000 * per_value(row):8.2f} ms a submission "
                         f"({row.get('with_mistake', 0):,} with a typical mistake carried through)")
    lines += ["", "targets" + (" (times and memory not judged at quick sizes)" if quick else "")]
    for description, measured, met in check_targets(runs):
        if quick and "succeeded" not in description:
            continue
        lines.append(f"  {'met   ' if met else 'MISSED'}  {description}: {measured}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke run")
    parser.add_argument("--against", metavar="DIR",
                        help="also run every command with the stepgrad in DIR (an older checkout: "
                             "git worktree add DIR COMMIT), taking turns, for before/after figures")
    parser.add_argument("--timeout", type=float, default=900,
                        help="stop a command after this many seconds (default 900)")
    parser.add_argument("--only", choices=COMMANDS, action="append",
                        help="run only this command (repeat for more)")
    parser.add_argument("--json", metavar="FILE", help="also write the runs as JSON")
    parser.add_argument("--keep", metavar="DIR", help="make the classes in DIR (new) and keep them")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.only:
        sizes = Sizes(sizes.exercise if "exercise new" in args.only else 0,
                      sizes.grade if "grade" in args.only else (),
                      sizes.check if "check" in args.only else (), sizes.check_shape)
    codes = {CURRENT: REPO}
    if args.against:
        codes["against"] = pathlib.Path(args.against).resolve()
    if args.keep:
        work = pathlib.Path(args.keep)
        work.mkdir(parents=True)
        runs = measure(sizes, work, args.seed, codes, args.timeout)
    else:
        with tempfile.TemporaryDirectory(prefix="stepgrad-bench-") as folder:
            runs = measure(sizes, pathlib.Path(folder), args.seed, codes, args.timeout)
    print(f"stepgrad's classroom commands, each in a fresh process (Python "
          f"{sys.version.split()[0]}, {os.cpu_count()} cores{', quick sizes' if args.quick else ''}"
          + (f"; against: {args.against}" if args.against else "") + ")")
    print(format_report(runs, args.quick))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(
            {"quick": args.quick, "sizes": sizes.__dict__, "runs": runs,
             "targets": [{"target": d, "measured": m, "met": ok}
                         for d, m, ok in check_targets(runs)]}, indent=1))
    return 0 if all(r["ok"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
