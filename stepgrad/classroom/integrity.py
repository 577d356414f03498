"""Marks a teacher can sign: a submission is graded with the givens of its key, and copies are found.

A student may restate the givens (weights, biases, inputs, targets, η) in a submission. A given
written with another value is reported; the values that follow from it earn error-carried-forward
credit only when the change looks like a copying slip: one given, off by one digit, two adjacent
digits swapped, or its sign; or two givens swapped with each other. Any other change (several
givens, a given set to zero) is flagged, and the submission is graded as if the givens were the
key's, so that a network rewritten to trivial numbers earns nothing.

Copies: a submission whose values answer another student's exercise better than its own, or
whose values are identical to another submission's, is flagged with the other student's id.
"""

import bisect
import hashlib
import json
import math
import re
from collections import defaultdict

from lecture import check, submission_from_dict

__all__ = ["FLAG_GIVENS", "FLAG_COPY", "FLAG_SAME", "givens_changed", "is_copying_slip",
           "with_key_givens", "recheck", "CopyFinder", "same_values"]

FLAG_GIVENS = "givens rewritten"
FLAG_COPY = "answers another exercise"
FLAG_SAME = "identical to another submission"
CHANGED = "changed given"
_GIVEN_TABLES = ("network", "weights", "biases", "example", "examples", "training", "given")
MIN_VALUES = 3             # fewer matching values than this prove nothing
CROWDED = 64               # a value shared by more exercises than this tells them apart poorly


def givens_changed(report):
    """The givens a checked submission changed: [(name, the key's value, the text written)]."""
    return [(row.quantity, row.exact, row.yours.text) for row in report.rows
            if row.verdict == CHANGED and row.quantity is not None]


def is_copying_slip(changes):
    """True when ``changes`` (as givens_changed gives them) look like a slip in copying the
    problem: one given off by a digit, two adjacent digits swapped, or a sign; or two givens
    swapped. A given written as zero is never a slip (it makes the later values trivial)."""
    if any(_is_zero(text) for _, _, text in changes):
        return False
    if len(changes) == 1:
        _, value, text = changes[0]
        return _one_digit_off(text, value)
    if len(changes) == 2:
        (_, a, a_text), (_, b, b_text) = changes
        return _same(a_text, b) and _same(b_text, a)
    return False


def _is_zero(text):
    try:
        return float(text.replace("_", "")) == 0.0
    except ValueError:
        return False


def _same(text, value):
    try:
        written = float(text.replace("_", ""))
    except ValueError:
        return False
    return math.isclose(written, value, rel_tol=1e-9, abs_tol=1e-12)


def _digits_like(text, value):
    """The key's value written with as many decimals as ``text``."""
    match = re.fullmatch(r"[+-]?\d*(?:\.(\d*))?", text.strip())
    if match is None:
        return None
    decimals = len(match.group(1) or "")
    return f"{value:.{decimals}f}"


def _one_digit_off(text, value):
    text = text.strip().lstrip("+")
    theirs = _digits_like(text, value)
    if theirs is None:
        return False
    if text.lstrip("-") == theirs.lstrip("-"):
        return True                              # the sign only
    if len(text) != len(theirs):
        return False
    differ = [k for k in range(len(text)) if text[k] != theirs[k]]
    if len(differ) == 1:
        return text[differ[0]].isdigit()
    if len(differ) == 2 and differ[1] == differ[0] + 1:
        k = differ[0]
        return text[k] == theirs[k + 1] and text[k + 1] == theirs[k]
    return False


def with_key_givens(data, report):
    """``data`` (a submission's document) without its restated givens: no problem tables, and
    no answer that names a given, so that checking it uses the key's givens throughout."""
    stripped = {k: v for k, v in data.items() if k not in _GIVEN_TABLES}
    answers = data.get("answers")
    if isinstance(answers, dict):
        given = {row.key for row in report.rows if row.verdict == CHANGED}
        given |= {row.key for row in report.rows
                  if row.quantity is not None and row.quantity in report.catalog.constants}
        stripped["answers"] = {k: v for k, v in answers.items() if k not in given}
    return stripped


def recheck(data, path, locate, problem, report, digits=None, notes=()):
    """The report of ``data`` checked with the key's givens."""
    submission = submission_from_dict(with_key_givens(data, report), path, locate, problem,
                                      lenient=True, notes=notes)
    return check(submission, digits=digits)


def _values(result):
    """A graded result's written values: {quantity: (value, unit, text)}, givens left out."""
    found = {}
    catalog = result.report.catalog
    for row in result.report.rows:
        if row.quantity is None or row.quantity in catalog.constants or row.quantity in found:
            continue
        found[row.quantity] = (float(row.yours), row.yours.unit, row.yours.text.strip())
    return found


def _key_values(key):
    values = {}
    for answer in key.submission.answers:
        try:
            values[answer.key] = float(answer.value)
        except (TypeError, ValueError):
            continue
    return values


class CopyFinder:
    """Copies found one result at a time, so that a class is graded without keeping its
    reports: ``look`` flags a result whose values answer another exercise, and gives the
    fingerprint of its values that ``same_values`` compares. The cost is linear in the number
    of values: each is looked up in an index of the keys' values."""

    def __init__(self, keys):
        self.owner = {k.id: k.student for k in keys.values()}
        cells = defaultdict(list)       # (quantity, cell) → [(exact value, order, exercise id)]
        for order, key in enumerate(keys.values()):
            for name, value in _key_values(key).items():
                if math.isfinite(value):
                    cells[(name, _cell(value))].append((value, order, key.id))
        # NOTE: each cell sorted by value, so that a value finds the few keys near it by
        # bisection, not by reading the whole cell (a class of thousands crowds the cells)
        self.index = {}             # (quantity, cell) → (values sorted, [(order, exercise, value)])
        for place, found in cells.items():
            found.sort()
            self.index[place] = ([v for v, _, _ in found], [(k, e, v) for v, k, e in found])

    def look(self, result):
        """(flags, fingerprint) of a graded result (with its report): the fingerprint is None
        when the values are too few to tell two submissions apart."""
        values = _values(result)
        fingerprint = None
        if len(values) >= MIN_VALUES and any(v != 0 for v, _, _ in values.values()):
            # NOTE: a digest of the sorted values, not the values: it is kept for every student
            written = sorted((q, text) for q, (_, _, text) in values.items())
            fingerprint = hashlib.sha256(json.dumps(written).encode("ascii")).digest()
        counts = defaultdict(int)
        for name, (value, unit, _) in values.items():
            if not math.isfinite(value) or _cell(value + unit) - _cell(value - unit) > 4:
                continue
            seen = set()
            for cell in range(_cell(value - unit), _cell(value + unit) + 1):
                found = self.index.get((name, cell))
                if found is None or len(found[0]) > CROWDED:
                    continue
                exacts, entries = found
                near = entries[bisect.bisect_left(exacts, value - 2 * unit):
                               bisect.bisect_right(exacts, value + 2 * unit)]
                for _, exercise, exact in sorted(near):       # in the keys' order
                    if exercise not in seen and abs(exact - value) <= unit:
                        seen.add(exercise)
                        counts[exercise] += 1
        own = counts.get(result.exercise, 0)
        for exercise, count in sorted(counts.items(), key=lambda item: -item[1]):
            if exercise == result.exercise or count <= own or count < MIN_VALUES \
                    or 2 * count < len(values):
                continue
            other = self.owner.get(exercise) or exercise
            if other == result.student:
                continue
            return [(FLAG_COPY, other, f"{count} of {len(values)} values answer {other}'s "
                                       f"exercise {exercise} ({own} answer "
                                       f"{result.student}'s own)")], fingerprint
        return [], fingerprint


def same_values(fingerprints):
    """Per student: [(FLAG_SAME, other student, how)] for the students whose fingerprints
    (``CopyFinder.look``'s; pairs of student and fingerprint) are the same as another's."""
    groups = defaultdict(list)
    for student, fingerprint in fingerprints:
        if fingerprint is not None:
            groups[fingerprint].append(student)
    flags = defaultdict(list)
    for group in groups.values():
        students = sorted(set(group))
        if len(students) < 2:
            continue
        for student in students:
            others = [s for s in students if s != student]
            flags[student].append((FLAG_SAME, others[0], f"the same values as "
                                                         f"{', '.join(others[:5])}"))
    return dict(flags)


def _cell(value):
    return math.floor(value * 100)
