"""Checking a hand derivation against the engine: a verdict for every value a person wrote.

Verdicts, for a value written with last digit of size u (0.001 for 0.332):

- **correct**: it is the exact value rounded to the digits written (within u/2).
- **correct, rounding carried**: computed from your own earlier values, which are right but
  rounded, it lands where those roundings allow (interval arithmetic on each written value's
  ±u/2): the lecture's Δw46 = 0.0391 from δ6 = 0.1311 and o4 = 0.332 is one.
- **carried**: it follows correctly from an earlier value of yours that is wrong (error carried
  forward); the row names that value, however far down the chain it is.
- **rounded too early**: a value with fewer significant digits than asked (3 unless the
  exercise says), right or carried to the digits it shows; values computed on from it keep
  their credit. A value that shows no significant digit of the exact value (0 for -0.0087) is
  wrong ("too rough to check"), unless the exact value is that number. A value one unit off in
  its last digit is right when the earlier values rounded to the digits asked give it.
- **wrong**: none of the above. The row shows what your own earlier values give, then the exact
  value with the lecture's formula and numbers, and names the cause when one explains the value
  to its digits: a digit slip first (two digits swapped, one mistyped), then a typical mistake
  (``lecture.mistakes``), else an arithmetic slip. Several mistakes that fit are all named.
- **changed given**: a given of the problem (w46, x1, t6, η) written with another value.
- **not checked**: a name the problem does not have.

A right value that a typical mistake would also give carries a warning ("this value does not
show whether …"). Nothing is ever evaluated as Python: expressions go through autodiff.parse.
"""

import math
import os
import re
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from autodiff import ExpressionError, parse_expression

from .engine import exact_values
from .files import ProblemSource, load_problem, load_submission
from .intervals import Interval, around
from .mistakes import MISTAKES, eta_mistake
from .notation import Names, NotationError
from .quantities import Catalog
from .report import (
    CARRIED,
    CHANGED,
    CORRECT,
    EARLY,
    NOT_CHECKED,
    ROUNDING,
    UNREADABLE,
    WRONG,
    Report,
    Row,
    exact_text,
)
from .schema import Submission, submission_from_dict
from .written import Unreadable

__all__ = ["check", "check_derivation"]

_FAULTY = (WRONG, CHANGED)
_UNREADABLE = object()      # what an answer that cannot be read resolves to
_MISSING = object()
INLINE = ("slope", "signal")     # written out inside δ's formula, as the lecture does
_EPSILON = 1e-9


DEFAULT_DIGITS = 3      # significant digits asked when neither the caller nor the file says


def check(submission: Submission, digits: int | None = None) -> Report:
    """Check a Submission (a problem and someone's answers); returns a Report. ``digits``: the
    significant digits the exercise asks for (else the file's [exercise] digits, else the
    problem's [training] digits, else 3); a
    value with fewer is rounded too early."""
    return _Check(submission, digits).report()


def asked_digits(submission: Submission, digits: int | None = None) -> int:
    """The significant digits asked: ``digits``, else the file's [exercise] digits, else the
    problem's ([training] digits), else 3."""
    if digits is None:
        stated = (submission.exercise or {}).get("digits")
        if not isinstance(stated, int) or isinstance(stated, bool):
            stated = submission.problem.digits
        digits = DEFAULT_DIGITS if stated is None else stated
    return max(1, min(int(digits), 17))


def check_derivation(source: "Submission | dict[str, Any] | str | os.PathLike[str]",
                     problem: "ProblemSource | None" = None, lenient: bool = False,
                     digits: int | None = None) -> Report:
    """Check a derivation: a Submission, a dict in the schema of ``lecture.schema``, or the path
    of a .toml/.json file. ``problem`` (a Problem, a built-in name or a file) is the problem
    the answers are for; without it, the one the derivation names or states. ``lenient``: a
    student's file (``lecture.files.read_student_document``); ``digits``: as for ``check``.

    >>> report = check_derivation({"problem": "section8", "answers": {"oh": 0.622, "δo": -0.0889}})
    >>> [row.verdict for row in report.rows], report.ok, report.rows[1].mistake
    (['correct', 'wrong'], False, 'flipped_error')
    """
    if isinstance(source, Submission):
        return check(source, digits)
    if isinstance(source, dict):
        given = None if problem is None else load_problem(problem)
        return check(submission_from_dict(source, problem=given, resolve=load_problem,
                                          lenient=lenient), digits)
    if isinstance(source, (str, os.PathLike)):
        return check(load_submission(source, problem, lenient), digits)
    raise TypeError(f"check_derivation: expected a Submission, a dict or a path, got "
                    f"{type(source).__name__}")


class _Check:
    def __init__(self, submission, digits=None):
        self.submission = submission
        self.digits = asked_digits(submission, digits)
        problem = submission.problem
        self.catalog = catalog = Catalog(problem)
        try:
            self.names = Names(catalog, submission.notation)
        except NotationError as error:
            raise NotationError(f"{submission.source}: {error}") from None
        self.exact = exact_values(problem, catalog)
        # which quantity (or given) each answer names, and the value of yours later ones use
        self.resolved = []
        self.written, self.keys = {}, {}
        for answer in (*submission.restated, *submission.answers):
            name = self._resolve(answer.key)
            if isinstance(answer.value, Unreadable):
                self.resolved.append((answer, _UNREADABLE))
                continue
            self.resolved.append((answer, name))
            if name is None:
                continue
            held = self.written.get(name)
            if held is None or answer.value.unit < held.unit:
                self.written[name] = answer.value
                self.keys[name] = answer.key.strip()
        self.given_changes = {n: w for n, w in self.written.items() if n in catalog.constants
                              and not _close(w, catalog.constants[n], w.unit / 2)}
        # your values: the quantities you wrote, and the givens you copied differently
        mine = {n: w for n, w in self.written.items()
                if n in catalog.quantities or n in self.given_changes}
        self.points = {n: float(w) for n, w in mine.items()}
        self.intervals = {n: around(float(w), w.unit) for n, w in mine.items()}
        wanted = [n for n in self.written if n in catalog.quantities]
        for answer, name in self.resolved:      # what expression answers use
            if name is None:
                scope, text = _scope_of(answer.key)
                for word in re.findall(r"[^\W\d]\w*", text):
                    n = self.names.resolve(f"{scope}.{word}" if scope else word)
                    if n in catalog.quantities:
                        wanted.append(n)
        self.cone = catalog.cone(wanted, stop=mine)
        self.point_values = self._recompute(self.points)
        self.interval_values = self._recompute(self.intervals)
        self._rounded_values = None
        self.status, self.roots = {}, {}
        self._mistake_cache, self._sources, self._changed, self._eta_mistakes = {}, {}, {}, {}
        self._used_values = self._written_texts = None
        self.too_rough = set()
        self._yours_intervals = ChainMap(self.intervals, self.interval_values,
                                         self.exact)  # pyright: ignore[reportArgumentType]  (Intervals, floats)
        self._exact_written = {n: self.exact[n] for n in self.points if n in self.exact}

    def _resolve(self, key):
        """The quantity a written name stands for: as the notation reads it, else as a student
        writes it loosely (o_4, O4, Δw_46, w46new, w_{46}^{new}, net₄, E_total)."""
        name = self.names.resolve(key)
        if name is not None:
            return name
        for loose in _loose(key):
            name = self.names.resolve(loose)
            if name is not None:
                return name
        return None

    def _recompute(self, fixed):
        """Each quantity of the cone from its inputs, where the inputs you wrote are yours."""
        values = dict(self.catalog.constants)
        values.update((n, v) for n, v in fixed.items() if n in self.catalog.constants)
        computed = {}
        for name in self.cone:
            q = self.catalog.quantities[name]
            computed[name] = q.evaluate([values[i] for i in q.inputs])
            values[name] = fixed.get(name, computed[name])
        return computed

    # -- the report ------------------------------------------------------------------------
    def report(self):
        rows: list = [None] * len(self.resolved)   # a Row each, once judged
        position = self.catalog.position
        order = sorted((k for k, (_, name) in enumerate(self.resolved)
                        if name is not None and name is not _UNREADABLE),
                       key=lambda k: position(self.resolved[k][1]))
        for k in order:
            answer, name = self.resolved[k]
            rows[k] = self._judge(answer, name)
            if self.written[name] is answer.value:
                self.status[name] = rows[k].verdict
                self.roots[name] = (rows[k].follows_from if rows[k].verdict == CARRIED else
                                    (self.keys[name],) if rows[k].verdict in _FAULTY else ())
                if rows[k].mistake == "too_rough":
                    self.too_rough.add(self.keys[name])
        rows = self._early(rows, order)
        for k, (answer, name) in enumerate(self.resolved):
            if name is None:
                rows[k] = self._other(answer)
            elif name is _UNREADABLE:
                rows[k] = Row(answer.key, answer.value, answer.line, self._resolve(answer.key),
                              None, UNREADABLE, (f"unreadable: {answer.value.reason}",),
                              mistake="unreadable")
        rows = [row if getattr(row.yours, "note", None) is None else
                replace(row, notes=(*row.notes, row.yours.note))
                for row in rows]
        restated = len(self.submission.restated)
        rows = [row for k, row in enumerate(rows) if k >= restated or row.verdict == CHANGED]
        return Report(self.submission, tuple(rows), self.catalog, self.names)

    # -- one quantity ----------------------------------------------------------------------
    def _judge(self, answer, name):
        yours, catalog = answer.value, self.catalog
        if name in catalog.constants:
            return self._given(answer, name)
        exact = self.exact[name]
        q = catalog.quantities[name]
        make = lambda verdict, notes=(), **more: Row(answer.key, yours, answer.line, name, exact,
                                                     verdict, tuple(notes), **more)
        rough = _rough(yours, exact)
        if _close(yours, exact, yours.unit / 2) and not rough:
            return make(CORRECT, warnings=self._hidden(q, yours, exact))
        sources = self._sources_of(name)
        interval = self.interval_values[name]
        point = self.point_values[name]
        roots = tuple(dict.fromkeys(r for s in sources for r in self.roots.get(s, ())))
        # NOTE: a 0 carried from another value too rough to check earns nothing: a chain of
        # zeros shows no work
        if sources and not (rough and (self.too_rough.intersection(roots)
                                       or not _vanishes(point, exact))) \
                and _within(yours, interval, yours.unit / 2):
            text = f"from your {self._yours(sources)}: {exact_text(point, yours.unit)}"
            if roots:
                wrong = ", ".join(roots)
                return make(CARRIED, (f"follows from your wrong {wrong}; {text}",),
                            follows_from=roots, expected=point)
            return make(ROUNDING, (text,), expected=point)
        if not rough and self._last_unit(name, yours, exact):
            return make(ROUNDING, (f"one unit off in the last digit, as the earlier values "
                                   f"rounded to {self.digits} significant digits give it",),
                        expected=point)
        return self._wrong(answer, q, exact, sources, point, make, rough)

    def _last_unit(self, name, yours, exact):
        """A value one unit off in its last digit is right when the earlier values rounded to
        the digits asked give it (whether you wrote them or not), or when it shows more
        digits than asked."""
        if yours.digits > self.digits:      # more digits than asked: the last may be off
            return _close(yours, exact, yours.unit * 1.5)
        if not _close(yours, exact, yours.unit * 1.0001):
            return False
        if self._rounded_values is None:
            fixed = dict(self.intervals)
            for n in self.cone:
                if n not in fixed and n in self.exact:
                    fixed[n] = around(self.exact[n], _unit_at(self.exact[n], self.digits))
            self._rounded_values = self._recompute(fixed)
        value = self._rounded_values.get(name)
        return value is not None and _within(yours, value, yours.unit / 2)

    def _given(self, answer, name):
        yours = answer.value
        value = self.catalog.constants[name]
        shown = self.catalog.display(name)
        if _close(yours, value, yours.unit / 2):
            return Row(answer.key, yours, answer.line, name, value, NOT_CHECKED,
                       (f"{shown} is given in the problem, not computed",))
        return Row(answer.key, yours, answer.line, name, value, CHANGED,
                   (f"{shown} is {_plain(value)} in the problem; later values that use your "
                    f"{shown} = {yours.text} are carried from it",), mistake="changed_given")

    def _wrong(self, answer, q, exact, sources, point, make, rough=False):
        yours = answer.value
        notes = []
        if rough:
            notes.append(f"too rough to check: {yours.text} shows no significant digit of the "
                         f"exact value {exact_text(exact, _unit_at(exact, self.digits) * 100)}")
        own = sources and not _close(point, exact, 1e-12 + 1e-9 * abs(exact))
        if own:
            notes.append(f"from your {self._yours(sources)}: {self.catalog.display(q.name)} = "
                         f"{self.catalog.numbers(q.name, self._used(), keep=self._texts())} = "
                         f"{exact_text(point, yours.unit)}")
        notes.append(f"{self.catalog.formula(q.name)} = "
                     f"{self.catalog.numbers(q.name, self.exact)} = {exact_text(exact, yours.unit)}")
        slip = _digit_slip(yours.text, point if own else exact)
        found = self._mistakes(q, yours, exact)
        if rough:       # a 0 is explained by a mistake that makes the value vanish (η/10)
            found = [f for f in found if float(yours) == 0.0
                     and self._explains_zero(f[0], q, exact, yours)]
        if slip is not None:
            if found:   # two explanations: name neither
                texts = "; or ".join(text for _, text, _ in found)
                return make(WRONG, (f"either a digit slip ({slip}), or {texts}", *notes),
                            expected=point, candidates=("digit_slip", *(m.id for m, _, _ in found)))
            return make(WRONG, (f"a digit slip: {slip}", *notes), mistake="digit_slip",
                        expected=point)
        if len(found) == 1:
            (mistake, text, value), = found
            return make(WRONG, (f"{text}: with that, {self.catalog.display(q.name)} = "
                                f"{exact_text(value, yours.unit)}", *notes), mistake=mistake.id,
                        expected=point, candidates=(mistake.id,))
        if found:
            texts = "; or ".join(f"{text} ({exact_text(value, yours.unit)})" for _, text, value in found)
            return make(WRONG, (f"more than one typical mistake gives this value: {texts}", *notes),
                        mistake=None, expected=point, candidates=tuple(m.id for m, _, _ in found))
        if rough:
            return make(WRONG, tuple(notes[:1]) + tuple(notes[1:]), mistake="too_rough",
                        expected=point)
        if own:
            lead = f"an arithmetic slip: your values give {exact_text(point, yours.unit)}"
        else:
            lead = f"an arithmetic slip: the exact value is {exact_text(exact, yours.unit)}"
        return make(WRONG, (lead, *notes), mistake="arithmetic_slip", expected=point)

    def _explains_zero(self, mistake, q, exact, yours):
        """A mistake explains a 0 when, made on the exact values, it gives 0, or next to
        nothing where the digits written would show the exact value (η/10 for 0.000)."""
        value = self._with_mistake(mistake, q, "exact")
        value = value.mid if isinstance(value, Interval) else value
        if value is None or math.isnan(value):
            return False
        return abs(value) <= 1e-12 or (_vanishes(value, exact) and yours.unit <= abs(exact))

    def _used(self):
        """The values your own recomputation uses: yours where you wrote them, else what your
        values give; the givens (made once: every wrong value reads it)."""
        if self._used_values is None:
            values = dict(self.catalog.constants)
            values.update(self.point_values)
            values.update(self.points)
            self._used_values = values
        return self._used_values

    def _sources_of(self, name):
        """The values of yours (and givens you changed) that ``name``'s recomputation uses, in
        the order a depth-first walk of the inputs finds them. Each quantity you did not write
        is walked once and remembered, so the cost is what each value needs, not the network's
        size."""
        if name in self._sources:
            return self._sources[name]
        points, quantities = self.points, self.catalog.quantities

        def sources(q, memo):
            found = {}
            for i in q.inputs:
                if i in points:
                    found[i] = None
                elif i in quantities:
                    found.update(dict.fromkeys(memo[i]))
            return list(found)
        return self._remembered(name, self._sources, sources)

    def _first_changed(self, mistake, name):
        """The first quantity, in the lecture's order, whose own formula ``mistake`` changes
        among ``name`` and the steps before it that you did not write; None if none. Remembered
        per mistake and quantity: each is looked at once, whichever value asks."""
        memo = self._changed.setdefault((mistake.id, mistake.eta), {})
        if name in memo:
            return memo[name]
        catalog, points, position = self.catalog, self.points, self.catalog.position
        quantities = catalog.quantities

        def first_changed(q, memo):
            first = q if mistake.changes(q, catalog) else None
            for i in q.inputs:
                if i in quantities and i not in points:
                    found = memo[i]
                    if found is not None and (first is None
                                              or position(found.name) < position(first.name)):
                        first = found
            return first
        return self._remembered(name, memo, first_changed)

    def _remembered(self, name, memo, combine):
        """``memo[name]``, made by ``combine(q, memo)`` once the quantities ``name`` is computed
        from that you did not write are in ``memo``: a walk without recursion, each quantity
        once per memo."""
        quantities, points = self.catalog.quantities, self.points
        stack = [(name, False)]
        while stack:
            n, ready = stack.pop()
            if n in memo:
                continue
            q = quantities[n]
            if ready:
                memo[n] = combine(q, memo)
                continue
            stack.append((n, True))
            stack.extend((i, False) for i in q.inputs
                         if i in quantities and i not in points and i not in memo)
        return memo[name]

    def _eta_mistake(self, eta):
        """``eta_mistake(eta)``, made once per η, so its recomputations are shared."""
        if eta not in self._eta_mistakes:
            self._eta_mistakes[eta] = eta_mistake(eta)
        return self._eta_mistakes[eta]

    def _texts(self):
        """Your values as you wrote them, by name."""
        if self._written_texts is None:
            self._written_texts = {n: self.written[n].text for n in self.points}
        return self._written_texts

    def _yours(self, names):
        """``o4 = 0.332, o5 = 0.525``: your values, named as you wrote them."""
        return ", ".join(f"{self.keys[n]} = {self.written[n].text}" for n in names)

    def _mistakes(self, q, yours, exact):
        """The typical mistakes that reproduce ``yours`` to its digits: made in q's own formula,
        or in a step before it that you did not write. [(mistake, text, value)]"""
        catalog, found = self.catalog, []
        # the slope and the error signal are part of δ's formula, as the lecture writes it
        own = [q] + [catalog.quantities[i] for i in q.inputs if i not in self.points
                     and i in catalog.quantities and catalog.quantities[i].kind.name in INLINE
                     and catalog.quantities[i].scope == q.scope]
        for mistake in (*MISTAKES, *self._etas(q, yours)):
            first = self._first_changed(mistake, q.name)
            if first is None:
                continue
            where = next((u for u in own if mistake.changes(u, catalog)), None)
            # made once, in q's own formula; or throughout, in every step you did not write
            tries = [(base, True) for base in ("yours", "exact") if where is not None]
            tries += [("yours", False), ("exact", False)]
            for base, once in tries:
                value = self._with_mistake(mistake, q, base, own if once else None)
                fits = _within(yours, value, yours.unit / 2)
                differs = not _within(exact, value, 1e-12)
                if fits and differs:
                    text = mistake.explain(where or first, catalog)
                    if where is None:
                        text = f"in a step you did not write: {text}"
                    found.append((mistake, text, value.mid if isinstance(value, Interval) else value))
                    break
        return found

    def _with_mistake(self, mistake, q, base, own=None):
        """q recomputed with ``mistake`` from your values (as intervals) or from the exact ones:
        the mistake made in ``own`` (q and the parts of its formula) only, or, with own None,
        in q and every step before it that you did not write."""
        if own is not None:
            values = self._yours_intervals if base == "yours" else self.exact
            return self.catalog.evaluate(values, mistake, [u.name for u in own], only=True)[q.name]
        cache = self._mistake_cache.setdefault((mistake.id, mistake.eta, base), {})
        written = self.intervals if base == "yours" else self._exact_written
        fixed = _Without(written, q.name)
        # NOTE: once the steps before q are known, q alone is computed, as evaluate would
        changed = mistake.apply(q, self.catalog) or q
        constants, args = self.catalog.constants, []
        for i in changed.inputs:
            value = fixed[i] if i in fixed else cache[i] if i in cache else constants.get(i, _MISSING)
            if value is _MISSING:
                break
            args.append(value)
        else:
            return changed.evaluate(args)
        values = self.catalog.evaluate(fixed, mistake, names=[q.name], known=cache)
        cache.update((n, v) for n, v in values.items() if n not in self.points)
        return values[q.name]

    def _etas(self, q, yours):
        """η = 1 (η left out), and the η your Δw implies, when it is a round number."""
        if q.kind.name not in ("dw", "w_new") or q.frozen:
            return []
        etas = {1.0}
        if float(yours) == 0.0:
            # a 0 that a typical η explains: η/10 (0.09 for 0.9), a decimal place slipped
            etas.add(float(f"{self.catalog.problem.eta / 10:.1g}"))
        dw = q if q.kind.name == "dw" else self.catalog.quantities.get(q.inputs[1])
        if dw is not None and dw.kind.name == "dw" and dw.rule is not None:
            change = float(yours) - (self._used()[q.inputs[0]] if q.kind.name == "w_new" else 0.0)
            for values in (self.exact, self._used()):
                step = values.get(dw.name)
                if step:
                    implied = change / step * self.catalog.problem.eta
                    if implied > 0:
                        rounded = float(f"{implied:.1g}")     # a round η, such as 0.5
                        if abs(implied - rounded) <= 0.02 * rounded:
                            etas.add(rounded)
        etas.discard(self.catalog.problem.eta)
        return [self._eta_mistake(eta) for eta in sorted(etas)]

    def _hidden(self, q, yours, exact):
        """The typical mistakes that give this right value too: it does not show whether."""
        hides = []
        for mistake in (*MISTAKES, *([self._eta_mistake(1.0)] if q.kind.name == "dw" else [])):
            if not mistake.changes(q, self.catalog):
                continue
            value = self._with_mistake(mistake, q, "exact")
            if _within(yours, value, yours.unit / 2):
                hides.append(mistake.hides(q, self.catalog))
        if not hides:
            return ()
        return (f"this value does not show whether {'; or whether '.join(hides)}",)

    # -- rounding too early ----------------------------------------------------------------
    def _early(self, rows, order):
        """Flag the values with fewer significant digits than asked (unless the same value is
        written with more elsewhere: rounding on purpose); the values computed on from one keep
        their credit (rounding carried), with a note."""
        used = {}
        for k in order:
            name = self.resolved[k][1]
            if name in self.catalog.quantities:
                for s in self._sources_of(name):
                    used.setdefault(s, []).append(name)
        early = set()
        for k in order:
            row, name = rows[k], self.resolved[k][1]
            if row.verdict not in (CORRECT, ROUNDING, CARRIED) or name not in self.catalog.quantities:
                continue
            y = row.yours
            # NOTE: a carried value is marked for its rounding only when it is a whole number
            # (1 from your net4 = 1): the ±0.5 of a unit carries nearly anything
            rough = (y.digits < self.digits and (row.verdict != CARRIED or y.decimals == 0)
                     and not _close(y, row.exact, 1e-9 * max(1.0, abs(row.exact)))
                     and not _zeros_dropped(y, row.exact if row.expected is None else row.expected,
                                            self.digits))
            if rough and self.written[name] is y:
                early.add(name)
                later = ", and later values are computed from it" if used.get(name) else ""
                rows[k] = _replace(row, EARLY, (f"only {y.digits} significant digit"
                                                f"{'s' * (y.digits != 1)} ({self.digits} asked)"
                                                f"{later} (exact {exact_text(row.exact, y.unit / 100)})",
                                                *row.notes), "rounded_early")
                continue
            if row.verdict == ROUNDING:
                rough_sources = [s for s in self._sources_of(name) if s in early]
                if rough_sources:       # the rounding is marked once, where it was made
                    rows[k] = _replace(row, ROUNDING, (f"follows from your "
                                                       f"{self._yours(rough_sources)}, rounded "
                                                       f"too early", *row.notes), None)
        return rows

    # -- expressions and unknown names -----------------------------------------------------
    def _other(self, answer):
        yours, key = answer.value, answer.key.strip()
        make = lambda exact, verdict, notes=(), **more: Row(answer.key, yours, answer.line, None,
                                                            exact, verdict, tuple(notes), **more)
        names = self.names
        if _looks_like_a_name(key):
            close = names.suggest(key)
            hint = f"did you mean {' or '.join(close)}?" if close else ""
            return make(None, NOT_CHECKED, (f"no quantity {key!r}" + (f"; {hint}" if hint else ""),))
        catalog = self.catalog
        exact_values = {**catalog.constants, **self.exact}
        scope, text = _scope_of(key)
        try:
            exact_expr = parse_expression(text, names.variables(exact_values, scope), False)
            mine = parse_expression(text, names.variables(self._used(), scope), False)
        except ExpressionError as error:
            return make(None, NOT_CHECKED, (f"cannot read {text!r} as an expression: "
                                            f"{error.message}",))
        except ValueError as error:          # a name no expression can hold
            return make(None, NOT_CHECKED, (f"cannot read {text!r} as an expression: {error}",))
        exact = exact_expr.root.data
        if _close(yours, exact, yours.unit / 2):
            return make(exact, CORRECT)
        # NOTE: how far rounding your values can move the expression, to first order, from the
        # engine's own gradients of it: Σ |∂f/∂v|·u_v/2.
        mine.root.backward()
        spread, sources = 0.0, []
        for variable, leaf in mine.variables.items():
            canonical = names.resolve(f"{scope}.{variable}" if scope else variable) or \
                names.resolve(variable)
            if canonical in self.points:
                sources.append(canonical)
                spread += abs(leaf.grad) * self.written[canonical].unit / 2
            elif canonical in catalog.quantities:
                for s in self._sources_of(canonical):
                    if s not in sources:
                        sources.append(s)
        point = mine.root.data
        if sources and _close(yours, point, yours.unit / 2 + spread):
            roots = tuple(dict.fromkeys(r for s in sources for r in self.roots.get(s, ())))
            text = f"from your {self._yours(sources)}: {exact_text(point, yours.unit)}"
            if roots:
                return make(exact, CARRIED, (f"follows from your wrong {', '.join(roots)}; {text}",),
                            follows_from=roots, expected=point)
            return make(exact, ROUNDING, (text,), expected=point)
        used_text = ", ".join(f"{catalog.display(n)} = {_plain(v.data)}"
                              for n, v in exact_expr.variables.items())
        return make(exact, WRONG, (f"the exact value is {exact_text(exact, yours.unit)}",
                                   f"{text} with {used_text} = {exact_text(exact, yours.unit)}"),
                    mistake="arithmetic_slip", expected=point)


_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_TOTAL = re.compile(r"^(e|E)_?(total|tot|sum)$")


def _loose(key):
    """Readings of a name written loosely, closest first: subscripts and TeX braces dropped
    (w_{46}^{new} → w46new), then spaces and underscores, ``new`` joined as ``_new``, ASCII
    capitals lowered (O4 → o4; Greek kept: Δ is not δ)."""
    if len(key) > 60:
        return []
    key = key.strip()
    if re.match(r"(epoch\d+\.)?(example\d+\.)", key):
        scope, _, name = key.rpartition(".")
    else:       # a table of the student's own ([answers.forward] net4): the name alone
        scope, name = "", key.rpartition(".")[2] if re.match(r"[A-Za-z_]\w*\.\S", key) else key
    found = []
    plain = name.translate(_SUBSCRIPTS)
    plain = re.sub(r"[{}$\\^]", "", plain)
    squeezed = re.sub(r"[\s_]+", "", plain)
    for text in (plain, squeezed):
        joined = re.sub(r"_?new$", "_new", text) if text.endswith("new") and len(text) > 3 else text
        lowered = "".join(c.lower() if c.isascii() else c for c in joined)
        if _TOTAL.match(text):
            lowered = "E"
        for candidate in (text, joined, lowered):
            if candidate not in found and (scope or candidate) != key:
                found.append(candidate)
    return [f"{scope}.{c}" if scope else c for c in found if (f"{scope}.{c}" if scope else c) != key]


def _scope_of(key):
    """(scope, expression) of an expression answer written in a table per pass:
    ``example2.w46*delta6`` → (example2, w46*delta6)."""
    match = re.match(r"((?:epoch\d+\.)?(?:example\d+\.)?)(.*)$", key)
    assert match is not None   # every group may be empty: any key matches
    return match[1].rstrip("."), match[2]


def _looks_like_a_name(key):
    """A plain name (o7, dleta4, δ6, w1,4), not an expression such as w46*delta6."""
    return not any(c in key for c in "+-*/()^ ") or key.startswith(("dE/", "∂E/"))


class _Without(Mapping):
    """``mapping`` without ``key``, read as a mapping without copying it (a value's
    recomputation reads every value of yours but its own)."""

    __slots__ = ("mapping", "key")

    def __init__(self, mapping, key):
        self.mapping, self.key = mapping, key

    def __iter__(self):
        return (name for name in self.mapping if name != self.key)

    def __len__(self):
        return len(self.mapping) - (self.key in self.mapping)

    def __contains__(self, name):
        return name != self.key and name in self.mapping

    def __getitem__(self, name):
        if name == self.key:
            raise KeyError(name)
        return self.mapping[name]


def _replace(row, verdict, notes, mistake):
    return replace(row, verdict=verdict, notes=notes, mistake=mistake)


def _rough(yours, exact):
    """True when ``yours`` shows no significant digit of ``exact``: it is 0 (0, 0.000) and the
    exact value is not, or the exact value rounds to 0 at the digit written last (1 for
    0.33)."""
    if exact is None or math.isnan(exact) or abs(exact) <= 1e-12:
        return False
    return float(yours) == 0.0 or abs(exact) < yours.unit / 2 * (1 - _EPSILON)


def _zeros_dropped(yours, value, digits):
    """True when ``yours`` is ``value`` to ``digits`` significant digits with its trailing
    zeros left off (0.12 for 0.1200): a rounding to the digits asked, written short."""
    if isinstance(value, Interval):
        value = value.mid
    if value is None or math.isnan(value) or float(yours) == 0.0:
        return False
    unit = _unit_at(value, digits)
    return abs(round(value / unit) * unit - float(yours)) <= unit * 1e-6


def _vanishes(value, exact):
    """True when ``value`` is next to nothing beside ``exact`` (a fifth of it at most): what a
    written 0 can stand for."""
    if isinstance(value, Interval):
        value = value.mid
    return value is not None and not math.isnan(value) and abs(value) <= 0.2 * abs(exact)


def _unit_at(x, digits):
    """One unit in the last of ``digits`` significant digits of x (0.001 for 0.3318, 3)."""
    if not x or not math.isfinite(x):
        return 10.0 ** (1 - digits)
    return 10.0 ** (math.floor(math.log10(abs(x))) - digits + 1)


def _close(yours, value, tolerance):
    # NOTE: a hair of slack so that a value exactly half a unit away is not lost to binary rounding.
    return abs(float(yours) - value) <= tolerance * (1 + _EPSILON) + 1e-15


def _within(x, value, tolerance):
    if isinstance(value, Interval):
        return value.contains(float(x), tolerance * (1 + _EPSILON) + 1e-15)
    return not math.isnan(value) and _close(x, value, tolerance)


def _plain(x):
    return f"{x:.6g}"


def _digit_slip(text, value):
    """How ``text`` differs from ``value`` written with as many decimals, when by one digit
    (a mistyped digit) or two neighbours swapped; None otherwise."""
    if isinstance(value, Interval):
        value = value.mid
    if value is None or math.isnan(value):
        return None
    decimals = len(text.split(".", 1)[1]) if "." in text and "e" not in text.lower() else 0
    right = f"{value:.{decimals}f}"
    written = text.strip().lstrip("+")
    if written == right or len(written) != len(right):
        return None
    diff = [i for i, (a, b) in enumerate(zip(written, right)) if a != b]
    first = next((i for i, c in enumerate(right) if c in "123456789"), len(right))
    # NOTE: a mistyped leading digit is no slip: it changes the value's size, as mistakes do
    if len(diff) == 1 and diff[0] > first and written[diff[0]].isdigit() and right[diff[0]].isdigit():
        return f"{written} for {right} (one digit mistyped)"
    if len(diff) == 2 and diff[1] == diff[0] + 1 and written[diff[0]] == right[diff[1]] \
            and written[diff[1]] == right[diff[0]] and written[diff[0]].isdigit():
        return f"{written} for {right} (two digits swapped)"
    return None
