"""Checking a hand derivation against the engine: a verdict for every value a person wrote.

Verdicts, decided in this order for a value written with last digit of size u (0.001 for 0.332):

- **correct**: |exact − yours| ≤ u/2, i.e. yours is the exact value rounded to the digits
  you wrote.
- **correct, rounding carried**: not the rounded exact value, but either (a) recomputed from
  your own earlier values (the ones you wrote, in place of the exact ones) it agrees to u/2, as a
  teacher marks an error carried forward (the note names the values it used, and says so if one
  of them is itself wrong); or (b) written with three significant digits or more, it is within
  one unit u of the exact value: the drift that rounding steps you did not write down leaves
  (the lecture's Δw46 = 0.0391 for 0.03917 is one). A value with fewer digits gets no such
  allowance: a written 0.5 must be the rounded exact value.
- **wrong**: neither. The row shows the exact value, the lecture's formula and the numbers
  that go in, and names the typical mistake that reproduces your value (to the same
  allowance), when one does: a
  flipped sign of δ, a missing o(1 − o) factor, the updated instead of the old weights in a
  hidden δ, a wrong η (or none), the bias left out of net or not updated.
- **not checked**: a name this derivation does not have (the note lists the ones it has), or a
  value given in the problem (a weight, x, t, η).

Answers name a quantity of ``nn.derivation_formulas`` (net4, o4, delta6, dw46, w46_new, E, …)
or are an expression of them, such as ``"w46*delta6" = -0.0393`` (read with
``autodiff.parse``, never evaluated as Python). The check never writes anything.
"""

import difflib
import functools
import os
from dataclasses import dataclass

from autodiff.notation import Text
from autodiff.parse import ExpressionError, parse_expression

from .derivation_file import load_derivation
from .derivation_formulas import MISTAKES, Lecture, eta_mistake
from .derivation_spec import Derivation, derivation_from_dict

__all__ = ["check_derivation", "DerivationReport", "Row", "CORRECT", "CARRIED", "WRONG",
           "NOT_CHECKED"]

CORRECT, CARRIED, WRONG, NOT_CHECKED = ("correct", "correct, rounding carried", "wrong",
                                        "not checked")


@dataclass(frozen=True)
class Row:
    """One written value and its verdict."""

    key: str
    yours: object         # Written: float(yours) and yours.text
    line: int
    quantity: str         # the canonical name, None for an expression or an unknown name
    exact: float          # None when not checked
    verdict: str
    note: str = ""
    formula: str = ""     # for a wrong value: the formula, the numbers that go in, the result


@dataclass(frozen=True)
class DerivationReport:
    """All rows of a check, in the order the values were written."""

    derivation: Derivation
    rows: tuple

    @property
    def ok(self):
        """True when no value is wrong."""
        return all(row.verdict != WRONG for row in self.rows)

    def count(self, verdict):
        return sum(row.verdict == verdict for row in self.rows)

    def text(self):
        """The table: quantity, your value, the exact value, the verdict; notes beneath."""
        d = self.derivation
        lines = [f"Checking {d.source}" + (f": {d.title}" if d.title else "")]
        if not self.rows:
            return Text(lines[0] + "\nno answers to check")
        table = [("quantity", "yours", "exact", "verdict")]
        for row in self.rows:
            exact = "" if row.exact is None else _fixed(row.exact, row.yours.unit)
            table.append((row.key, row.yours.text, exact, row.verdict))
        widths = [max(len(r[k]) for r in table) for k in range(4)]
        for r, row in zip(table, (None, *self.rows)):
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
            if row is not None:
                lines += [f"    {text}" for text in (row.note, row.formula) if text]
        lines.append(f"{len(self.rows)} value{'s' * (len(self.rows) != 1)}: {self.count(CORRECT)} correct, "
                     f"{self.count(CARRIED)} correct with rounding carried, {self.count(WRONG)} "
                     f"wrong, {self.count(NOT_CHECKED)} not checked")
        return Text("\n".join(lines))

    __str__ = text

    def __repr__(self):
        return self.text()


def check_derivation(source):
    """Check a derivation: a Derivation, a dict in its schema, or the path of a .toml/.json file.

    >>> report = check_derivation({"network": {"layers": [["1"], ["2"]]},
    ...     "weights": {"w12": 0.5}, "example": {"x": [1], "t": [1], "eta": 0.5},
    ...     "answers": {"o2": 0.622, "delta2": -0.0887}})
    >>> [row.verdict for row in report.rows], report.ok
    (['correct', 'wrong'], False)
    """
    if isinstance(source, Derivation):
        derivation = source
    elif isinstance(source, dict):
        derivation = derivation_from_dict(source)
    elif isinstance(source, (str, os.PathLike)):
        derivation = load_derivation(source)
    else:
        raise TypeError(f"check_derivation: expected a Derivation, a dict or a path, got "
                        f"{type(source).__name__}")
    return _Check(derivation).report()


class _Check:
    def __init__(self, derivation):
        self.derivation = derivation
        self.lecture = Lecture(derivation)
        self.exact = self.lecture.exact()
        self.given, self.texts = {}, {}
        for answer in derivation.answers:
            q = self.lecture.lookup(answer.key)
            if q is None:
                continue
            held = self.given.get(q.name)
            if held is None or answer.value.unit < held.unit:
                self.given[q.name] = answer.value
                self.texts[q.name] = answer.key.strip()
        self.computed, self.values = self.lecture.evaluate(self.given)
        self.verdicts = {}
        self._evaluations = {}

    def report(self):
        """Every answer's Row, in the order written. Quantities are judged in the lecture's
        order, so a value knows whether the values it was computed from are wrong."""
        lecture, rows = self.lecture, {}
        position = {name: k for k, name in enumerate(lecture.names)}
        found = [(i, answer, lecture.lookup(answer.key))
                 for i, answer in enumerate(self.derivation.answers)]
        quantities = sorted((item for item in found if item[2]), key=lambda item: position[item[2].name])
        for i, answer, q in quantities:
            rows[i] = self._judge(answer, q)
            if self.given[q.name] is answer.value:
                self.verdicts[q.name] = rows[i].verdict
        for i, answer, q in found:
            if q is None:
                rows[i] = self._other(answer)
        return DerivationReport(self.derivation, tuple(rows[i] for i in range(len(found))))

    # -- one quantity ----------------------------------------------------------------------
    def _judge(self, answer, q):
        yours, lecture = answer.value, self.lecture
        exact = self.exact[q.name]
        row = functools.partial(Row, answer.key, yours, answer.line, q.name, exact)
        if _close(yours, exact, yours.unit / 2):
            return row(CORRECT)
        sources = self._sources(q)
        carried = self.computed[q.name]
        if sources and _close(yours, carried, yours.unit / 2):
            note = f"from your {self._yours(sources)}: {_fixed(carried, yours.unit)}"
            wrong = [self.texts[s] for s in sources if self.verdicts.get(s) == WRONG]
            if wrong:
                note += f" (your {', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} wrong; " \
                        f"this follows from {'it' if len(wrong) == 1 else 'them'} correctly)"
            return row(CARRIED, note)
        if _close(yours, exact, _slack(yours)):
            return row(CARRIED, "within one unit of its last digit: the rounding of steps not "
                                "written down")
        formula = (f"{lecture.formula(q.name)} = {lecture.numbers(q.name, self.exact)} "
                   f"= {_fixed(exact, yours.unit)}")
        found = self._mistake(q, yours)
        if found is None:
            return row(WRONG, f"the exact value is {_fixed(exact, yours.unit)}", formula)
        text, value = found
        return row(WRONG, f"{text}: with that, {lecture.display(q.name)} = "
                          f"{_fixed(value, yours.unit)}", formula)

    def _yours(self, names):
        """``o4 = 0.332, o5 = 0.525``: your values, named as you wrote them."""
        return ", ".join(f"{self.texts[name]} = {self.given[name].text}" for name in names)

    def _sources(self, q):
        """Your values that q's recomputation uses (directly, or through values you left out)."""
        found, seen, stack = [], set(), list(reversed(q.inputs))
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in self.given:
                found.append(name)
            else:
                stack.extend(reversed(self.lecture.quantities[name].inputs))
        return found

    def _mistake(self, q, yours):
        """The first typical mistake that reproduces ``yours`` to within one unit of its last
        digit: made in q's own formula (from your values, then the exact ones), or anywhere
        before it. Returns (description, the value it gives) or None."""
        exact = self.exact[q.name]
        for mistake in (*MISTAKES, *self._eta_candidates()):
            tries = [(True, lambda: self.lecture.recompute(q.name, self.values, mistake, self.given)),
                     (True, lambda: self.lecture.recompute(q.name, self.exact, mistake))]
            tries += [(mistake.changes(self.lecture, q),
                       lambda given=given: self._evaluation(mistake, given)[q.name])
                      for given in (True, False)]
            for direct, value_of in tries:
                value = value_of()
                if abs(value - exact) > yours.unit and _close(yours, value, _slack(yours)):
                    text = mistake.describe(self.lecture)
                    return (text if direct else f"follows from an earlier mistake: {text}"), value
        return None

    def _evaluation(self, mistake, with_yours):
        key = (mistake, with_yours)
        if key not in self._evaluations:
            given = self.given if with_yours else None
            self._evaluations[key] = self.lecture.evaluate(given, mistake)[0]
        return self._evaluations[key]

    def _eta_candidates(self):
        """η = 1 (η left out), and every η that one of your Δw or w_new implies (from the exact
        δ·x or the one your values give) when it is a round number (two significant digits)."""
        etas = {1.0}
        for name, yours in self.given.items():
            q = self.lecture.quantities[name]
            if q.kind not in ("dw", "w_new"):
                continue
            label = q.connection.label
            change = yours - (self.lecture.constants[label] if q.kind == "w_new" else 0.0)
            for values in (self.exact, self.computed):
                step = values[f"d{label}"] / self.lecture.eta
                if step == 0.0 or change / step <= 0:
                    continue
                implied = change / step
                rounded = float(f"{implied:.2g}")
                if abs(implied - rounded) <= 0.02 * rounded:
                    etas.add(rounded)
        etas.discard(self.lecture.eta)
        return [eta_mistake(eta) for eta in sorted(etas)]

    # -- expressions and unknown names -----------------------------------------------------
    def _other(self, answer):
        yours, key, lecture = answer.value, answer.key.strip(), self.lecture
        row = functools.partial(Row, answer.key, yours, answer.line, None)
        if key in lecture.constants:
            return row(None, NOT_CHECKED, f"{key} is given in the problem, not computed")
        if key.isidentifier():
            close = difflib.get_close_matches(key, lecture.names, n=3)
            hint = f"did you mean {' or '.join(close)}? " if close else ""
            return row(None, NOT_CHECKED, f"no quantity {key!r}; {hint}names: {lecture.help_text()}")
        try:
            exact = parse_expression(key, lecture.variables(self.exact), False)
            carried = parse_expression(key, lecture.variables(self.values), False).root.data
        except ExpressionError as error:
            return row(None, NOT_CHECKED, f"cannot read {key!r} as an expression: {error.message}; "
                                          f"names: {lecture.help_text()}")
        value = exact.root.data
        used = ", ".join(f"{lecture.display(n)} = {_plain(v.data)}" for n, v in exact.variables.items())
        if _close(yours, value, yours.unit / 2):
            return row(value, CORRECT)
        sources = []
        for name in exact.variables:
            q = lecture.lookup(name)
            if q is not None:
                sources += [q.name] if q.name in self.given else self._sources(q)
        sources = list(dict.fromkeys(sources))
        if sources and _close(yours, carried, yours.unit / 2):
            return row(value, CARRIED, f"from your {self._yours(sources)}: {_fixed(carried, yours.unit)}")
        if _close(yours, value, _slack(yours)):
            return row(value, CARRIED, "within one unit of its last digit: the rounding of steps "
                                       "not written down")
        return row(value, WRONG, f"the exact value is {_fixed(value, yours.unit)}",
                   f"{key} with {used} = {_fixed(value, yours.unit)}")


def _slack(yours):
    """How far a value may drift through rounding: one unit in its last digit when it is
    written with three significant digits or more, else half a unit (a one-digit 0.5 must be
    the rounded value itself)."""
    return yours.unit if yours.digits >= 3 else yours.unit / 2


def _close(yours, value, tolerance):
    # NOTE: a hair of slack so that a value exactly half a unit away is not lost to binary rounding.
    return abs(float(yours) - value) <= tolerance * (1 + 1e-9) + 1e-15


def _fixed(x, unit):
    """x to two more decimals than ``unit`` has: 0.33181 for a value written as 0.332."""
    decimals = 0
    while unit < 0.999 and decimals < 20:
        unit *= 10
        decimals += 1
    text = f"{x:.{decimals + 2}f}"
    if float(text) == 0.0:
        text = text.lstrip("-")
    return text


def _plain(x):
    return f"{x:.6g}"
