"""Grading a class: each submission checked against its own exercise's key, scored with partial credit,
and the class summed up: which quantities and which mistakes were most common.

A key is a derivation file with an ``[exercise]`` table (id, student, and the ``asked``
quantities, else its answers are the ones asked); a submission is a student's derivation. Scores
follow a ``Scheme``: points per asked
quantity (by name or kind), and the credit each verdict earns. By default every asked quantity is
worth 1 point; correct, rounding carried and carried (error carried forward) earn it all, rounded
too early half, wrong, a changed given and an unanswered quantity nothing. A bad submission never
stops the batch: it gets a result that says what is wrong with it.
"""

import dataclasses
import difflib
import math
import os
import pathlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lecture import (
    CARRIED,
    CHANGED,
    CORRECT,
    DIAGNOSES,
    EARLY,
    KINDS,
    NOT_CHECKED,
    ROUNDING,
    UNREADABLE,
    VERDICT_IDS,
    WRONG,
    Catalog,
    DerivationError,
    Problem,
    Quantity,
    Report,
    Submission,
    check,
    load_submission,
    read_document,
    read_student_document,
    shortened,
    submission_from_dict,
)
from stepgrad._ground import printable

from .intake import ATTEMPTS, attempt_of, find_entries, name_ids, nearest
from .integrity import (
    FLAG_COPY,
    FLAG_GIVENS,
    CopyFinder,
    givens_changed,
    is_copying_slip,
    recheck,
    same_values,
)
from .roster import RosterError, check_student_id
from .workers import in_order

__all__ = ["Scheme", "DEFAULT_CREDIT", "CREDIT_NAMES", "POLICIES", "load_scheme", "Key", "load_keys", "Result",
           "grade", "Keep", "Gradebook", "STATUSES", "MISSING"]

MISSING = "not answered"
DEFAULT_CREDIT = {CORRECT: 1.0, ROUNDING: 1.0, CARRIED: 1.0, EARLY: 0.5, WRONG: 0.0, CHANGED: 0.0,
                  NOT_CHECKED: 0.0, UNREADABLE: 0.0, MISSING: 0.0}
# what a result's status says about a submission
STATUSES = {"graded": "checked and scored",
            "missing": "no submission for this student",
            "malformed": "the file cannot be read",
            "no exercise": "no key for this student or exercise",
            "wrong exercise": "the file is for another exercise",
            "duplicate": "a second file for a student already graded",
            "conflict": "a file whose student cannot be told: given to nobody",
            "refused": "not read: a link, device, bad name or folder too deep"}


@dataclass(frozen=True)
class Scheme:
    """Points per asked quantity (by canonical name, else by kind: net, o, delta, dw, w_new …;
    ``default`` for the rest) and the credit, 0 to 1, each verdict earns."""

    points: "dict[str, float]" = field(default_factory=dict)
    credit: "dict[str, float]" = field(default_factory=lambda: dict(DEFAULT_CREDIT))
    default: float = 1.0
    digits: int | None = None     # significant digits asked, else the key's, else 3
    repeated: str = "each"        # a typical mistake on several rows: "each" row loses its
                                  #   credit, or "once" (the rest earn the carried credit)

    def points_of(self, quantity: Quantity) -> float:
        """The points of an asked quantity (a Quantity of the catalog)."""
        for key in (quantity.name, quantity.base, quantity.kind.name):
            if key in self.points:
                return self.points[key]
        return self.default


# the verdicts as a points file's [credit] names them (the verdict's text is read as well)
CREDIT_NAMES = {**{name: verdict for verdict, name in VERDICT_IDS.items()},
                "not_answered": MISSING}
POLICIES = {"repeated": ("each", "once")}


def load_scheme(path: "str | os.PathLike[str]", keys: "Mapping[str, Key] | None" = None) -> Scheme:
    """A Scheme from a TOML file: ``[points]`` (name or kind = points, ``default``),
    ``[credit]`` (verdict = fraction; verdicts as identifiers: rounded_too_early) and
    ``[policy]`` (``repeated = "once"`` or ``"each"``, ``digits`` = significant digits asked).
    With ``keys``, every name of [points] must be a kind or a quantity of some key: an unknown
    name is an error that names the nearest valid ones."""
    data, locate = read_document(path)
    if not isinstance(data, dict) or set(data) - {"points", "credit", "policy"}:
        raise RosterError(f"{path}: a points file has the tables [points], [credit] and [policy]")
    for table in ("points", "credit", "policy"):
        if not isinstance(data.get(table, {}), dict):
            raise RosterError(f"{_place(path, locate, None, table)}: [{table}]: expected a table "
                              f"of name = number")
    points, credit = dict(data.get("points", {})), dict(DEFAULT_CREDIT)
    default = 1.0
    for key, value in points.items():
        number = _fraction(value, path, locate, "points", key, upper=MAX_POINTS)
        if key == "default":
            default = number
        points[key] = number
    points.pop("default", None)
    valid = _point_names(keys) if keys else None
    for key in points:
        if valid is not None and key not in valid:
            raise RosterError(f"{_place(path, locate, 'points', key)}: [points] {key}: not a kind "
                              f"or a quantity of these exercises{_nearest(key, valid)}")
    for key, value in data.get("credit", {}).items():
        verdict = CREDIT_NAMES.get(key, key if key in DEFAULT_CREDIT else None)
        if verdict is None:
            raise RosterError(f"{_place(path, locate, 'credit', key)}: [credit] {key}: not a "
                              f"verdict{_nearest(key, CREDIT_NAMES)}; the verdicts are "
                              f"{', '.join(CREDIT_NAMES)}")
        credit[verdict] = _fraction(value, path, locate, "credit", key, upper=1.0)
    policy = data.get("policy", {})
    for key, value in policy.items():
        if key == "digits":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 17:
                raise RosterError(f"{_place(path, locate, 'policy', key)}: [policy] digits: "
                                  f"expected a whole number from 1 to 17, got {value!r:.40}")
        elif key not in POLICIES:
            raise RosterError(f"{_place(path, locate, 'policy', key)}: [policy] {key}: not a "
                              f"policy{_nearest(key, [*POLICIES, 'digits'])}; the policies are "
                              f"{', '.join([*POLICIES, 'digits'])}")
        elif value not in POLICIES[key]:
            raise RosterError(f"{_place(path, locate, 'policy', key)}: [policy] {key}: expected "
                              f"{' or '.join(map(repr, POLICIES[key]))}, got {value!r:.40}")
    return Scheme(points, credit, default, policy.get("digits"), policy.get("repeated", "each"))


def _point_names(keys):
    """The names a [points] table may use: the kinds, and every quantity (and its name
    without a table: net4 for example2.net4) of the keys' problems."""
    names = set(KINDS)
    seen = set()
    for key in keys.values():
        problem = key.problem
        if id(problem) in seen:
            continue
        seen.add(id(problem))
        for q in Catalog(problem).quantities.values():
            names.update((q.name, q.base))
    return names


def _nearest(name, valid):
    close = difflib.get_close_matches(str(name), sorted(map(str, valid)), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(close)}?" if close else ""


def _place(path, locate, table, key):
    line = locate(table, key)
    return f"{path}:{line}" if line else str(path)


# NOTE: bounded so that a class's totals stay finite (1e308 points each would sum to infinity).
MAX_POINTS = 1e6


def _fraction(value, path, locate, table, key, upper):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= upper \
            or not math.isfinite(float(value)):
        bound = "a number ≥ 0" if upper == math.inf else f"a number from 0 to {upper:g}"
        raise RosterError(f"{_place(path, locate, table, key)}: [{table}] {key}: expected {bound}, "
                          f"got {value!r:.40}")
    return float(value)


# -- keys and rosters --------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Key:
    """An exercise's answer key: its id, its student, the problem and the asked quantities."""

    id: str
    student: str | None
    submission: Submission    # the key as a Submission (problem and answers)
    path: str

    @property
    def problem(self) -> Problem:
        return self.submission.problem


def _files(paths, suffixes=(".toml", ".json")):
    """The files named, and the ones in the folders named (sorted, recursively)."""
    found = []
    for path in map(pathlib.Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
        else:
            found.append(path)
    return found


def load_keys(paths: "Sequence[str | os.PathLike[str]]") -> "dict[str, Key]":
    """Every key in ``paths``, by exercise id: a file named is a key; in a folder named, the
    files with an ``[exercise]`` id and answers are (an exercise file, a blank answer file or a
    manifest beside them are not). A key that cannot be read is an error naming it: without
    its keys, a class cannot be graded."""
    keys = {}
    for path in map(pathlib.Path, paths):
        found = 0
        for file in _files([path]):
            submission = load_submission(file)
            exercise = submission.exercise or {}
            exercise_id = exercise.get("id")
            if path.is_dir() and not (isinstance(exercise_id, str) and submission.answers):
                continue
            if not isinstance(exercise_id, str) or not exercise_id:
                raise RosterError(f"{file}: [exercise] id: a key names its exercise")
            if exercise_id in keys:
                raise RosterError(f"{file}: [exercise] id: {exercise_id!r} has a key already "
                                  f"({keys[exercise_id].path})")
            student = exercise.get("student")
            keys[exercise_id] = Key(exercise_id, str(student) if student is not None else None,
                                    submission, str(file))
            found += 1
        if path.is_dir() and not found:
            raise RosterError(f"{path}: no keys (files with an [exercise] id and answers) in it")
    if not keys:
        raise RosterError(f"no keys in {', '.join(map(str, paths))}")
    return keys


# -- one submission ------------------------------------------------------------------------

MAX_MESSAGE = 500       # characters of a result's message or of one note
MAX_NOTES = 20


def _short(text, limit):
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(frozen=True, eq=False)
class Result:
    """One student's result: the status, the report (when graded), the score and its parts."""

    student: str
    exercise: str | None
    status: str
    path: str | None = None
    message: str = ""
    report: "Report | None" = None     # None unless graded
    score: float = 0.0
    total: float = 0.0
    parts: "tuple[tuple[str, str | None, str, float, float], ...]" = ()
                              # (quantity, written key or None, verdict, points, earned)
    flags: "tuple[tuple[str, str, str], ...]" = ()
                              # (flag, other student or "", what was found): integrity.FLAG_*
    notes: "tuple[str, ...]" = ()  # what else the teacher should know (other attempts, changed givens)
    mistakes: "tuple[tuple[str, str, int], ...]" = ()
                              # (cause, its title, rows it explains): the report's, kept without it

    def __post_init__(self):
        # NOTE: a message or note may quote a student's file (a name, a field): each is shown
        # in five files and the summary, so it is kept short whatever the file holds
        object.__setattr__(self, "message", _short(self.message, MAX_MESSAGE))
        notes = [_short(note, MAX_MESSAGE) for note in self.notes[:MAX_NOTES]]
        if len(self.notes) > MAX_NOTES:
            notes.append(f"and {len(self.notes) - MAX_NOTES} more notes")
        object.__setattr__(self, "notes", tuple(notes))

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.total if self.total else 0.0

    @property
    def first_wrong(self) -> str | None:
        """The first asked quantity (in the lecture's order) that earned less than full credit
        because it is wrong, or None."""
        return next((key or q for q, key, verdict, _, _ in self.parts
                     if verdict in (WRONG, CHANGED)), None)


def _score(key, report, scheme):
    """(score, total, parts): each asked quantity, the student's row for it, the credit."""
    catalog = report.catalog
    rows = {}
    for row in report.rows:
        if row.quantity is not None and row.quantity not in rows:
            rows[row.quantity] = row
    asked = []
    listed = (key.submission.exercise or {}).get("asked")
    keys = listed if isinstance(listed, list) else [a.key for a in key.submission.answers]
    for written in keys:
        name = report.names.resolve(written)
        if name in catalog.quantities and name not in asked:
            asked.append(name)
    asked.sort(key=catalog.position)
    group = {id(row): (mistake, title) for mistake, title, rs in report.mistakes()
             if mistake not in DIAGNOSES for row in rs}
    penalised = set()
    parts, score, total = [], 0.0, 0.0
    for name in asked:
        points = scheme.points_of(catalog.quantities[name])
        row = rows.get(name)
        verdict = row.verdict if row is not None else MISSING
        earned = points * scheme.credit.get(verdict, 0.0)
        if scheme.repeated == "once" and verdict == WRONG and id(row) in group:
            if group[id(row)] in penalised:     # the same mistake again: penalised once
                earned = points * scheme.credit.get(CARRIED, 0.0)
            penalised.add(group[id(row)])
        parts.append((name, row.key if row is not None else None, verdict, points, earned))
        score += earned
        total += points
    return score, total, tuple(parts)


def _grade_one(document, path, student, key, scheme, check_id=True):
    data, locate, reading = document
    try:
        submission = submission_from_dict(data, str(path), locate, key.problem, lenient=True,
                                          notes=reading)
    except DerivationError as error:
        return Result(student, key.id, "malformed", str(path), str(error))
    stated = (submission.exercise or {}).get("id")
    if check_id and stated is not None and stated != key.id:
        return Result(student, key.id, "wrong exercise", str(path),
                      f"{path}: the file is for exercise {stated!r}; {student}'s is {key.id!r}")
    try:
        digits = scheme.digits or (key.submission.exercise or {}).get("digits")
        report = check(submission, digits=digits)
        flags, notes = (), ()
        changes = givens_changed(report)
        if changes:
            listed = ", ".join(f"{name} = {printable(text)[:20]} (the key's {value:g})"
                               for name, value, text in changes[:6])
            more = f" and {len(changes) - 6} more" if len(changes) > 6 else ""
            if is_copying_slip(changes):
                notes = (f"changed given{'s' * (len(changes) > 1)} {listed}: a copying slip, "
                         f"later values carried from it",)
            else:
                report = recheck(data, str(path), locate, key.problem, report, digits, reading)
                flags = ((FLAG_GIVENS, "", f"{len(changes)} given{'s' * (len(changes) > 1)} "
                                           f"rewritten: {listed}{more}; graded with the key's"),)
    except (ValueError, RecursionError) as error:   # cannot be checked: this file only
        return Result(student, key.id, "malformed", str(path), f"{path}: {printable(str(error))}")
    # NOTE: the rows a score reads are kept; a file writing thousands more costs no more memory
    # and no larger reports (the result is held until the class is written)
    report = shortened(report)
    score, total, parts = _score(key, report, scheme)
    mistakes = tuple((mistake, title, len(rows)) for mistake, title, rows in report.mistakes())
    return Result(student, key.id, "graded", str(path), "", report, score, total, parts,
                  flags, notes, mistakes)


# -- the class -----------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Gradebook:
    """Every student's result, in roster (or file) order, and the class summary."""

    results: tuple     # Result (typed once summary narrows result.report)
    scheme: Scheme
    names: "dict[str, str]" = field(default_factory=dict)    # student id → name, from the roster

    def summary(self) -> "dict[str, Any]":
        """What went wrong most: per asked quantity, how many were wrong, carried or missing;
        per mistake, how many students made it. Most common first."""
        quantities, mistakes, students = Counter(), Counter(), Counter()
        asked, right = Counter(), Counter()
        for result in self.results:
            if result.status != "graded":
                continue
            for name, _, verdict, _, _ in result.parts:
                asked[name] += 1
                right[name] += verdict in (CORRECT, ROUNDING, CARRIED)
                if verdict in (WRONG, CHANGED, MISSING, EARLY, UNREADABLE):
                    quantities[(name, verdict)] += 1
            for mistake, title, rows in result.mistakes:
                # NOTE: by cause (η = 0.5 and η left out are two); a student counts once
                mistakes[(mistake, title)] += rows
                students[(mistake, title)] += 1
        return {"quantities": [{"quantity": name, "verdict": verdict, "students": count}
                               for (name, verdict), count in quantities.most_common()],
                "mistakes": [{"id": mistake, "title": title, "students": students[(mistake, title)],
                              "rows": count} for (mistake, title), count in
                             sorted(mistakes.items(), key=lambda item: (-students[item[0]],
                                                                        -item[1], item[0]))],
                # each question's share of the class right (correct, rounding carried, carried)
                "questions": [{"quantity": name, "right": right[name], "students": count,
                               "share": right[name] / count} for name, count in asked.items()],
                "graded": sum(r.status == "graded" for r in self.results),
                "students": len(self.results),
                "mean_percent": _mean([r.percent for r in self.results if r.status == "graded"])}


def _mean(values):
    return sum(values) / len(values) if values else 0.0


def grade(keys: "Mapping[str, Key]", submissions: "Iterable[str | os.PathLike[str]]",
          roster: "Sequence[tuple[str, str | None, str]] | None" = None, scheme: Scheme | None = None,
          attempt: str = "latest", keep: "Keep | None" = None, jobs: int = 1) -> Gradebook:
    """Grade ``submissions`` (paths of files or folders) against ``keys`` (exercise id → Key).

    Whose a file is: its ``[exercise]`` student, its name and its folders, checked against the
    ids known (the roster's, else the keys'); when they disagree, or name an id not known, the
    file is a conflict and goes to nobody. Which exercise: the student's own (the roster's,
    else their key's; else the file's ``[exercise]`` id). Several files of one student are
    attempts: ``attempt`` (latest, first or best) picks the one graded; the others are listed.
    Returns a Gradebook with one result for every student of the roster (and each file that
    is nobody's), in order.

    Each file is graded as it is read, and given to ``keep`` (a Keep): ``keep.render(result,
    flagged)``, with the result as it is scored should a copy found at the end flag it (None
    when that is the same), returns what the gradebook holds (by default the result itself,
    with its report) and what ``keep.store`` is then given, in the files' order (a student's
    again when a later attempt replaces it). The notes and the flags found at the end are added
    to what was kept.

    ``jobs``: how many processes grade the files (where they can be forked, on Linux); each
    result is rendered where it is graded, so ``keep.render`` must return results without
    reports, which cannot travel between processes (with the default keep, which holds them,
    the files are graded here). The gradebook is the same for any ``jobs``.
    """
    if attempt not in ATTEMPTS:
        raise ValueError(f"attempt: one of {', '.join(ATTEMPTS)}, not {attempt!r}")
    scheme = scheme or Scheme()
    if keep is None:
        keep, jobs = Keep(), 1

    def kept(result):
        held, rendered = keep.render(result, None)
        keep.store(held, rendered)
        return held
    by_student = {k.student: k for k in keys.values() if k.student is not None}
    roster = roster or []
    assigned = {student: exercise for student, exercise, _ in roster}
    known = set(assigned) if roster else set(by_student)
    marking = _Marking(keys, scheme, attempt, keep)
    intake = _Intake(marking, known, assigned, by_student)
    results, refused = [], {}
    for entry, taken in intake.each(find_entries(submissions), jobs):
        if entry.problem is not None:
            owner = next((n for n in name_ids(entry) if n in known), None)
            if owner is None:
                results.append(kept(Result(_shown_name(entry), None, "refused", entry.shown,
                                           f"{entry.shown}: {entry.problem}")))
            else:
                refused.setdefault(owner, []).append(f"{entry.shown}: {entry.problem}")
            continue
        assert taken is not None
        if taken.kind == "skip":
            continue        # in a folder, a file without answers (an exercise) is no submission
        if taken.kind != "student":     # a conflict, or an id that cannot be one
            results.append(kept(Result(_shown_name(entry), taken.exercise, taken.kind,
                                       entry.shown, taken.message)))
            continue
        marking.add(entry, taken)
    results += marking.results(refused)
    for student, problems in refused.items():
        more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        results.append(kept(Result(student, _exercise_of(student, assigned, by_student),
                                   "refused", None, "; ".join(problems[:5]) + more)))
    graded = {r.student for r in results}
    for student, exercise, _ in roster:
        if student not in graded:
            results.append(kept(Result(student, exercise or _exercise_of(student, assigned,
                                                                         by_student),
                                       "missing", None, f"no submission from {student}")))
    order = {student: k for k, (student, _, _) in enumerate(roster)}
    results.sort(key=lambda r: (order.get(r.student, len(order)), r.student, r.path or ""))
    return Gradebook(tuple(results), scheme, {student: name for student, _, name in roster if name})


class Keep:
    """What ``grade`` does with each result: ``render`` where it is made (in a worker process
    when several grade), ``store`` in the calling process, in the files' order. This one holds
    each result as it is, with its report."""

    def render(self, result: Result, flagged: "Result | None") -> "tuple[Result, Any]":
        """(the result the gradebook holds, what ``store`` is given); ``flagged``: the result
        as scored should a copy found at the end flag it, or None when that is the same."""
        return result, None

    def store(self, result: Result, rendered: Any) -> None:
        """Keep what ``render`` made of ``result`` (files written, say)."""


@dataclass(frozen=True, eq=False)
class _Marked:
    """A file graded and rendered, as its student's attempt: what ``_Marking.add`` keeps."""

    rank: tuple         # (graded, percent) as graded: what --attempt best compares
    flagged: tuple      # its flags: rewritten givens, a copy
    strict: "tuple | None"          # (score, total, parts) should a later copy flag it
    fingerprint: "bytes | None"
    held: Result        # as keep.render returned it
    rendered: Any


@dataclass(frozen=True, eq=False)
class _Taken:
    """A file as read: skipped, a conflict or malformed (with its message), or a student's
    (with its document, or already marked when a worker graded it ahead)."""

    kind: str               # "skip", "conflict", "malformed" or "student"
    student: str | None = None
    exercise: str | None = None     # as the file states it
    message: str = ""
    own: str | None = None          # the student's exercise
    document: Any = None
    error: str | None = None
    marked: "_Marked | None" = None


class _Intake:
    """Each file read, its student found and (ahead, in a worker) graded: what grade's loop
    then decides on, in the files' order."""

    def __init__(self, marking, known, assigned, by_student):
        self.marking, self.known = marking, known
        self.assigned, self.by_student = assigned, by_student

    def each(self, entries, jobs):
        """(entry, _Taken or None for an entry with a problem) for each entry, in order."""
        if jobs <= 1:
            for entry in entries:
                yield entry, None if entry.problem is not None else self.take(entry)
            return
        readable = [entry for entry in entries if entry.problem is None]
        taken = in_order(self.take_ahead, readable, jobs)
        for entry in entries:
            yield entry, None if entry.problem is not None else next(taken)

    def take_ahead(self, entry):
        return self.take(entry, ahead=True)

    def take(self, entry, ahead=False):
        try:
            document, error = read_student_document(entry.path), None
        except (DerivationError, OSError, ValueError, RecursionError, MemoryError) as failure:
            document, error = None, printable(str(failure))
        if not entry.named and document is not None and not _has_answers(document[0]):
            return _Taken("skip")
        stated, exercise = _identify(document)
        student, conflict = _whose(entry, stated, self.known)
        if conflict is not None:
            return _Taken("conflict", exercise=exercise, message=f"{entry.shown}: {conflict}")
        try:
            check_student_id(student, f"{entry.shown}: [exercise] student:")
        except RosterError as problem:
            return _Taken("malformed", exercise=exercise, message=printable(str(problem)))
        assert student is not None
        own = _exercise_of(student, self.assigned, self.by_student)
        if ahead:       # graded whether or not it is the attempt kept: the parent decides
            return _Taken("student", student, exercise, own=own,
                          marked=self.marking.mark(student, own, entry, document, error, exercise))
        return _Taken("student", student, exercise, own=own, document=document, error=error)


@dataclass(eq=False)
class _Attempts:
    """A student's files so far, and the one the attempt policy picks."""

    files: list = field(default_factory=list)     # ((attempt, mtime, path), arrival, shown)
    rank: tuple = ()            # the kept file's, as the policy compares files
    kept: "_Marked | None" = None


class _Marking:
    """Each student's files graded as they are read; the copies found and the notes at the end."""

    def __init__(self, keys, scheme, attempt, keep):
        self.keys, self.scheme, self.attempt, self.keep = keys, scheme, attempt, keep
        self.strict = Scheme(scheme.points, {**scheme.credit, CARRIED: 0.0, EARLY: 0.0},
                             scheme.default)
        self.copies = CopyFinder(keys)
        self.students: "dict[str, _Attempts]" = {}

    def add(self, entry, taken):
        """A student's file (a _Taken), kept when the attempt policy picks it."""
        assert taken.student is not None
        attempts = self.students.setdefault(taken.student, _Attempts())
        order = ((attempt_of(entry), _mtime(entry.path), str(entry.path)), len(attempts.files))
        attempts.files.append((*order, entry.shown))
        if self.attempt != "best" and attempts.files[1:] and \
                (order < attempts.rank if self.attempt == "latest" else order > attempts.rank):
            return          # not the attempt graded: nothing to read
        # NOTE: graded now unless a worker did, so that no document outlives this turn
        marked = taken.marked or self.mark(taken.student, taken.own, entry, taken.document,
                                           taken.error, taken.exercise)
        rank = order
        if self.attempt == "best":
            rank = (*marked.rank, order)
            if attempts.files[1:] and rank < attempts.rank:
                return
        self.keep.store(marked.held, marked.rendered)
        # NOTE: kept without what was rendered (the reports): it is stored, and held to the end
        attempts.rank, attempts.kept = rank, dataclasses.replace(marked, rendered=None)

    def mark(self, student, own, entry, document, error, stated):
        """A file graded as ``student``'s: its copies looked up, scored strictly when flagged,
        and rendered (``keep.render``)."""
        result = _grade_file(student, entry, document, error, stated, own, self.keys, self.scheme)
        rank = (result.status == "graded", result.percent)
        flagged, strict, fingerprint = result.flags, None, None
        if result.status == "graded":
            found, fingerprint = self.copies.look(result)
            flagged += tuple(f for f in found if f[:2] not in {g[:2] for g in result.flags})
            key = self.keys[result.exercise]
            scored = _score(key, result.report, self.strict)
            if flagged:
                result = _rescored(result, scored, flagged)
            elif scored != (result.score, result.total, result.parts):
                strict = scored
        held, rendered = self.keep.render(result, _rescored(result, strict, ()) if strict else None)
        return _Marked(rank, flagged, strict, fingerprint, held, rendered)

    def results(self, refused):
        """Every student's result with its notes (the other attempts, the files refused) and
        its copies; ``refused`` loses the students who have a result."""
        same = same_values((student, a.kept.fingerprint) for student, a in self.students.items()
                           if a.kept is not None)
        out = []
        for student, attempts in self.students.items():
            kept = attempts.kept
            assert kept is not None
            result = kept.held
            chosen = attempts.rank[-1] if self.attempt == "best" else attempts.rank
            others = [f[2] for f in sorted(attempts.files) if tuple(f[:2]) != chosen]
            notes = list(result.notes)
            if others:
                notes.append(f"{self.attempt} of {len(attempts.files)} attempts graded; not graded: "
                             f"{', '.join(others[:10])}{' …' * (len(others) > 10)}")
            notes += [f"refused: {p}" for p in refused.pop(student, ())]
            result = dataclasses.replace(result, notes=tuple(notes))
            flags = kept.flagged + tuple(same.get(student, ()))
            if flags:
                # NOTE: a result flagged only now is scored strictly, as keep was told it would
                scored = kept.strict or (result.score, result.total, result.parts)
                result = _rescored(result, scored, flags)
            out.append(result)
        return out


def _rescored(result, scored, flags):
    score, total, parts = scored
    return dataclasses.replace(result, score=score, total=total, parts=parts, flags=flags)


def _has_answers(data):
    """True when a file holds answers: an [answers] table, or values a student wrote at the
    top (o4 = 0.332 without the table)."""
    return isinstance(data, dict) and ("answers" in data or any(
        key not in ("title", "problem") and not isinstance(value, (dict, list, bool))
        and isinstance(value, (int, float, str)) and any(c.isdigit() for c in str(value))
        for key, value in data.items()))


def _exercise_of(student, assigned, by_student):
    return assigned.get(student) or (by_student[student].id if student in by_student else None)


def _shown_name(entry):
    """The student column of a file that is nobody's: empty (the file is in the message)."""
    return ""


def _whose(entry, stated, known):
    """(student, None) for the one student a file is for, or (None, why not)."""
    names = name_ids(entry)
    by_name = next((n for n in names if n in known), None)
    if stated is not None and by_name is not None and stated != by_name:
        return None, (f"the file's name or folder says {by_name}, its [exercise] table says "
                      f"{printable(stated)[:80]}; given to neither")
    student = stated or by_name or (names[0] if names else None)
    if student is None:
        return None, "no student: the file's name and [exercise] table name none"
    if known and student not in known:
        close = nearest(student, known)
        hint = f"; nearest ids on the roster: {', '.join(close)}" if close else ""
        return None, f"{printable(student)[:80]!s} is not on the roster{hint}"
    return student, None


def _mtime(path):
    try:
        return path.stat().st_mtime
    except (OSError, ValueError):
        return 0.0


def _grade_file(student, entry, document, error, stated, own, keys, scheme):
    shown = entry.shown
    exercise = own or stated
    key = keys.get(exercise) if exercise is not None else None
    if key is None:
        what = f"exercise {exercise!r} has no key" if exercise else \
            f"no exercise is known for student {student!r}"
        return Result(student, exercise, "no exercise", shown, f"{shown}: {what}")
    if error is not None:
        return Result(student, key.id, "malformed", shown, error)
    flags = ()
    if stated is not None and stated != key.id:
        other = keys.get(stated)
        if other is not None and other.student not in (None, student):
            flags = ((FLAG_COPY, other.student, f"the file is {other.student}'s exercise "
                                                f"{stated}"),)
        else:
            return Result(student, key.id, "wrong exercise", shown,
                          f"{shown}: the file is for exercise {printable(stated)[:80]!r}; "
                          f"{student}'s is {key.id!r}")
    result = _grade_one(document, entry.path, student, key, scheme, check_id=not flags)
    return dataclasses.replace(result, path=shown, flags=flags + result.flags)


def _identify(document):
    """(student, exercise) as a file's [exercise] table states them, or (None, None)."""
    data = document[0] if document is not None else None
    table = data.get("exercise") if isinstance(data, dict) else None
    if not isinstance(table, dict):
        return None, None
    student, exercise = table.get("student"), table.get("id")
    return (student if isinstance(student, str) else None,
            exercise if isinstance(exercise, str) else None)
