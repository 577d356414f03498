"""How long grading a class takes: N generated submissions of section-7-sized exercises.

    python bench/grading.py [--students N] [--seed S]

Each student gets section 7 with their own weights, and answers every net, o, E, δ, Δw and w_new
to 4 significant digits, a third of them with one typical mistake carried through (computed with
the mistake's own record). Prints the time to load the keys and to grade, per submission too.
"""

import argparse
import json
import pathlib
import random
import resource
import sys
import tempfile
import time

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path[0] = str(pathlib.Path(__file__).resolve().parent.parent)

from lecture import MISTAKES, SECTION7, Catalog, Problem
from stepgrad.classroom.grading import grade, load_keys

# the typical mistakes a student carries through a whole exercise (not the two that only
# concern which weights are updated)
CARRIED_MISTAKES = [m for m in MISTAKES if m.id not in ("frozen_updated", "new_weights")]

KINDS = ("net", "o", "E", "delta", "dw", "w_new")


def exercise(rng, k):
    weights = {label: round(rng.uniform(-0.5, 0.5), 1) for label in SECTION7.weights}
    return Problem(SECTION7.title, SECTION7.unit_names, SECTION7.activations, weights,
                   SECTION7.examples, SECTION7.eta, name=f"ex{k}")


def problem_tables(problem):
    return {"network": {"layers": [list(layer) for layer in problem.unit_names]},
            "weights": {k: v for k, v in problem.weights.items() if not k.startswith("b")},
            "biases": {k: v for k, v in problem.weights.items() if k.startswith("b")},
            "example": {"x": list(problem.x), "t": list(problem.t), "eta": problem.eta}}


def write_class(folder, students, seed):
    rng = random.Random(seed)
    keys, subs = folder / "keys", folder / "submissions"
    keys.mkdir()
    subs.mkdir()
    mistakes = CARRIED_MISTAKES
    for k in range(students):
        problem = exercise(rng, k)
        catalog = Catalog(problem)
        asked = [q.name for q in catalog.quantities.values() if q.kind.name in KINDS]
        exact = catalog.evaluate()
        mistake = rng.choice(mistakes) if rng.random() < 1 / 3 else None
        theirs = catalog.evaluate(mistake=mistake) if mistake else exact
        exercise_table = {"id": f"ex{k}", "student": f"s{k:04d}"}
        (keys / f"ex{k}.json").write_text(json.dumps(
            {**problem_tables(problem), "exercise": exercise_table,
             "answers": {n: f"{exact[n]:.4g}" for n in asked}}))
        (subs / f"s{k:04d}.json").write_text(json.dumps(
            {"exercise": exercise_table, "answers": {n: f"{theirs[n]:.4g}" for n in asked}}))
    return keys, subs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        keys, subs = write_class(pathlib.Path(folder), args.students, args.seed)
        start = time.perf_counter()
        loaded = load_keys([keys])
        middle = time.perf_counter()
        book = grade(loaded, [subs])
        end = time.perf_counter()
    graded = sum(r.status == "graded" for r in book.results)
    rows = sum(len(r.report.rows) for r in book.results if r.report is not None)
    print(f"{args.students} submissions ({rows} values): keys loaded in {middle - start:.2f} s, "
          f"graded in {end - middle:.2f} s, {1000 * (end - middle) / args.students:.1f} ms a "
          f"submission; {graded} graded; peak memory "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
