"""A check's records (Row, Report, the verdicts) and their renderers: text (80 columns),
JSON-ready data, HTML and Markdown. The checker (``lecture.check``) makes the records; each
renderer reads a record computed once. Exit statuses belong to the command line
(``stepgrad.exits``): a renderer prints a status line only when it is handed one."""

import math
import re
import textwrap
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from stepgrad._ground import escape_html, escape_markdown, html_page, printable
from stepgrad.stepping import Text

from .intervals import Interval
from .mistakes import DIAGNOSES, MISTAKES
from .notation import Names
from .problem import Problem
from .quantities import Catalog
from .schema import Submission
from .written import Written

__all__ = ["Row", "Report", "VERDICTS", "CORRECT", "ROUNDING", "CARRIED", "EARLY", "WRONG",
           "CHANGED", "NOT_CHECKED", "UNREADABLE", "VERDICT_IDS", "exact_text", "report_text", "report_dict",
           "report_html", "report_markdown", "REPORT_FORMAT", "FEEDBACK", "visible_notes", "shortened", "MAX_SHOWN"]

CORRECT, ROUNDING, CARRIED, EARLY = ("correct", "correct, rounding carried", "carried",
                                     "rounded too early")
WRONG, CHANGED, NOT_CHECKED = "wrong", "changed given", "not checked"
UNREADABLE = "unreadable"
VERDICTS = (CORRECT, ROUNDING, CARRIED, EARLY, WRONG, CHANGED, NOT_CHECKED, UNREADABLE)
# each verdict as an identifier (a points file's [credit] keys, JSON): one verdict has a comma
VERDICT_IDS = {CORRECT: "correct", ROUNDING: "rounding_carried", CARRIED: "carried",
               EARLY: "rounded_too_early", WRONG: "wrong", CHANGED: "changed_given",
               NOT_CHECKED: "not_checked", UNREADABLE: "unreadable"}
_FAULTY = (WRONG, CHANGED, UNREADABLE)


@dataclass(frozen=True)
class Row:
    """One written value and its verdict.

    ``quantity`` is the canonical name (None for an expression or an unknown name); ``exact``
    the engine's value; ``expected`` what your own earlier values give (None when it is the
    exact value); ``mistake`` the id of the cause named (``lecture.mistakes``, or digit_slip,
    arithmetic_slip, rounded_early, changed_given); ``follows_from`` the keys of the wrong
    values a carried row follows from.
    """

    key: str
    yours: Written          # float(yours), yours.text
    line: int | None
    quantity: str | None
    exact: float | None
    verdict: str
    notes: "tuple[str, ...]" = ()
    mistake: str | None = None
    follows_from: "tuple[str, ...]" = ()
    expected: float | None = None
    candidates: "tuple[str, ...]" = ()  # every mistake id that fits (several: none is named)
    warnings: "tuple[str, ...]" = ()    # "this value does not show whether …"


@dataclass(frozen=True, eq=False)
class Report:
    """Every row of a check, in the order the values were written, and what they add up to."""

    submission: Submission
    rows: "tuple[Row, ...]"
    catalog: Catalog = field(repr=False)     # the problem's quantities, as the check read them
    names: Names = field(repr=False)         # how the check resolved the names written
    hidden: int = 0         # rows left out by ``shortened``; each renderer says how many

    @property
    def problem(self) -> Problem:
        return self.submission.problem

    @property
    def ok(self) -> bool:
        """True when no value is wrong (and no given was changed)."""
        return not any(row.verdict in _FAULTY for row in self.rows)

    def count(self, verdict: str) -> int:
        return sum(row.verdict == verdict for row in self.rows)

    @property
    def unknown(self) -> "list[str]":
        """The names written that the problem does not have, each once."""
        return list(dict.fromkeys(r.key for r in self.rows if r.verdict == NOT_CHECKED
                                  and r.quantity is None and r.exact is None))

    def mistakes(self) -> "list[tuple[str, str, list[Row]]]":
        """Each cause named, once, with the rows it explains: [(id, title, [rows])]."""
        found = {}
        for row in self.rows:
            if row.mistake is not None and row.verdict in (WRONG, CHANGED, EARLY, UNREADABLE):
                found.setdefault((row.mistake, _title(row)), []).append(row)
        return [(mistake, title, rows) for (mistake, title), rows in found.items()]

    @cached_property
    def groups(self) -> "list[tuple[int, str, str, list[Row]]]":
        """The causes named, numbered, each with its rows: [(number, id, title, rows)];
        computed once, for every renderer."""
        return [(k, mistake, title, rows) for k, (mistake, title, rows) in enumerate(self.mistakes(), 1)]

    def text(self, width: int = 80) -> Text:
        return Text(report_text(self, width))

    __str__ = text

    def __repr__(self) -> str:
        return self.text()

    def to_dict(self) -> "dict[str, Any]":
        return report_dict(self)

    def _repr_html_(self) -> str:
        return report_html(self)


MAX_SHOWN = 100     # rows a shortened report keeps besides the first of each quantity


def shortened(report: Report, limit: int = MAX_SHOWN) -> Report:
    """``report`` with the first row of each quantity (the rows a score reads) and at most
    ``limit`` others: a file that writes one value thousands of times over, or thousands of
    names the problem does not have, gets a report of bounded size. ``hidden`` counts the
    rows left out."""
    if len(report.rows) <= limit:
        return report
    seen, kept = set(), []
    for row in report.rows:
        first = row.quantity is not None and row.quantity not in seen
        seen.add(row.quantity)
        if first or len(kept) < limit:
            kept.append(row)
    return replace(report, rows=tuple(kept), hidden=report.hidden + len(report.rows) - len(kept))


_TITLES = {m.id: m.title for m in MISTAKES} | {k: text.split(":")[0] for k, text in DIAGNOSES.items()}


def _title(row):
    """What a row's cause is called in a list of causes: the mistake's title (with its η)."""
    if row.mistake == "eta":        # one title for every Δw: "η is left out of Δw (η = 0.9)"
        title = row.notes[0].split(": with that, ")[0]
        return re.sub(r"^(η is left out of) Δ\S+", r"\1 Δw", title)
    return _TITLES.get(row.mistake, row.mistake)



def exact_text(x: "float | Interval", unit: float) -> str:
    """x to two more decimals than ``unit`` has: 0.33181 for a value written as 0.332."""
    if isinstance(x, Interval):
        x = x.mid
    if math.isnan(x):
        return "undefined"
    decimals = 0
    while unit < 0.999 and decimals < 20:
        unit *= 10
        decimals += 1
    text = f"{x:.{decimals + 2}f}"
    return text.lstrip("-") if float(text) == 0.0 else text



REPORT_FORMAT = "stepgrad.check/1"

def _exact_cell(row):
    if row.exact is None:
        return ""
    return exact_text(row.exact, row.yours.unit)


FEEDBACK = ("full", "hints", "verdicts")


def visible_notes(row: Row, feedback: str = "full", warnings: bool = True) -> "tuple[str, ...]":
    """A row's notes as a report with ``feedback`` shows them: ``full``, all; ``hints``, the
    notes that do not give the exact value away (the cause, what your own values give);
    ``verdicts``, none."""
    notes = (*row.notes, *(row.warnings if warnings else ()))
    if feedback == "full":
        return notes
    if feedback == "verdicts" or row.exact is None:
        return ()
    unit = row.yours.unit if math.isfinite(row.yours.unit) else 0.001
    secrets = {exact_text(abs(row.exact), unit), exact_text(abs(row.exact), unit / 100)}
    shown = []
    for note in notes:
        note = note.split(": with that, ")[0]         # the value the mistake gives: ± the answer
        if note.startswith(("a digit slip", "either a digit slip")):
            note = "a digit slip: two digits swapped, or one mistyped"
        if "exact" in note or any(x in note for x in secrets) or " = η·" in note \
                or " = o" in note or " = σ(" in note:
            continue
        shown.append(note)
    return tuple(shown)


def _cell(text, width):
    text = printable(text)
    return text if len(text) <= width else text[:width - 1] + "…"


def _groups(report):
    return report.groups


def report_text(report: Report, width: int = 80, status: str | None = None) -> str:
    """The table (quantity, yours, exact, verdict) with notes under each row, the causes once
    each with the rows they explain, the names not checked, and a summary; every line fits
    ``width`` columns; ``status``, a line the command passes in (its exit status), ends it."""
    submission = report.submission
    problem = report.problem
    lines = [_cell(f"Checking {submission.source}", width)]
    title = submission.title or problem.title
    if title:
        lines += textwrap.wrap(printable(title), width)
    if problem.name != submission.source:
        lines += textwrap.wrap(printable(f"(problem {problem.name}: {problem.describe()})"), width)
    for note in getattr(submission, "notes", ()):
        lines += textwrap.wrap(printable(f"note: {note}"), width, subsequent_indent="  ")
    extras = _extras(report)
    if not report.rows:
        return "\n".join(lines + extras + ["no answers to check"])
    number = {id(row): k for k, _, _, rows in _groups(report) for row in rows}
    cells = []
    for row in report.rows:
        verdict = row.verdict + (f" ({number[id(row)]})" if id(row) in number else "")
        cells.append((_cell(row.key, 18), _cell(row.yours.text, 12), _exact_cell(row), verdict))
    header = ("quantity", "yours", "exact", "verdict")
    widths = [max(len(c[k]) for c in [header, *cells]) for k in range(4)]
    wrap = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="      ",
                                break_on_hyphens=False)
    lines.append("")
    lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
    for row, cell in zip(report.rows, cells):
        lines.append("  ".join(c.ljust(w) for c, w in zip(cell, widths)).rstrip())
        notes = row.notes
        if row.verdict == NOT_CHECKED and row.quantity is None and row.exact is None:
            notes = notes[:1]
        for note in (*notes, *row.warnings):
            lines += wrap.wrap(printable(note))
    groups = _groups(report)
    if groups:
        lines += ["", "Mistakes and warnings, each once:"]
        for k, mistake, title, rows in groups:
            keys = ", ".join(printable(r.key) for r in rows)
            lines += textwrap.wrap(f"{k}. {title}: {keys}", width, initial_indent="  ",
                                   subsequent_indent="     ")
    carried = [r for r in report.rows if r.verdict == CARRIED]
    if carried:
        lines += ["", "Credited as carried (they follow correctly from a wrong value):"]
        text = "; ".join(f"{printable(r.key)} from {', '.join(map(printable, r.follows_from))}"
                         for r in carried)
        lines += textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="  ")
    unknown = report.unknown
    if unknown:
        lines += ["", *textwrap.wrap("Not checked, names this problem does not have: "
                                     + ", ".join(printable(u) for u in unknown), width),
                  *textwrap.wrap("The names it has: " + report.catalog.help_text(), width,
                                 initial_indent="  ", subsequent_indent="  ")]
    if extras:
        lines += ["", *extras]
    lines += ["", *textwrap.wrap(_summary(report), width)]
    if status:
        lines += textwrap.wrap(status, width)
    return "\n".join(lines)


def _extras(report, width=80):
    """The fields the file holds besides its answers, shown and not graded."""
    extras = getattr(report.submission, "extras", ())
    if not extras:
        return []
    lines = ["Not graded (kept as written):"]
    for key, text in extras:
        lines += textwrap.wrap(printable(f"{key} = {text}"), width, initial_indent="  ",
                               subsequent_indent="    ")
    return lines


def _summary(report):
    n = len(report.rows)
    counts = [(report.count(v), v) for v in VERDICTS]
    parts = ", ".join(f"{c} {v}" for c, v in counts if c)
    hidden = (f"; {report.hidden:,} more not shown (the same names again, or names this "
              f"problem does not have)" if report.hidden else "")
    return f"{n} value{'s' * (n != 1)}: {parts}{hidden}"


def _number(x):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return float(x)


def report_dict(report: Report, exit_status: int | None = None) -> "dict[str, Any]":
    """The report as plain data (``json.dumps`` writes it): every row with its verdict, the
    mistake's id, the values it follows from; the causes with their rows; the exit status when
    the command passes one in."""
    rows = []
    for row in report.rows:
        rows.append({"key": row.key, "line": row.line, "quantity": row.quantity,
                     "yours": row.yours.text, "exact": _number(row.exact),
                     "expected": _number(row.expected), "verdict": row.verdict,
                     "verdict_id": VERDICT_IDS[row.verdict],
                     "mistake": row.mistake, "candidates": list(row.candidates),
                     "follows_from": list(row.follows_from), "notes": list(row.notes),
                     "warnings": list(row.warnings)})
    data: "dict[str, object]" = {"format": REPORT_FORMAT, "source": report.submission.source,
            "title": report.submission.title, "problem": report.problem.name}
    if exit_status is not None:
        data["exit_status"] = exit_status
    if report.hidden:
        data["hidden"] = report.hidden
    return data | {
            "summary": {v: report.count(v) for v in VERDICTS},
            "rows": rows,
            "notes": list(getattr(report.submission, "notes", ())),
            "extras": [{"field": k, "text": t} for k, t in getattr(report.submission, "extras", ())],
            "mistakes": [{"number": k, "id": mistake, "title": title, "rows": [r.key for r in rs]}
                         for k, mistake, title, rs in _groups(report)],
            "unknown": report.unknown}


_COLOURS = {CORRECT: "#e3f4e1", ROUNDING: "#e3f4e1", EARLY: "#fff4cc", CARRIED: "#e6eefb",
            WRONG: "#fde2e1", CHANGED: "#fde2e1", NOT_CHECKED: "#eeeeee", UNREADABLE: "#fde2e1"}


def report_html(report: Report, standalone: bool = False, feedback: str = "full") -> str:
    """The report as an HTML table (verdicts coloured, notes under each row); ``standalone``
    gives a whole page; ``feedback`` (full, hints, verdicts): what it gives away."""
    e = escape_html
    head = [f"<p><b>{e(report.submission.title or report.problem.title or report.submission.source)}</b></p>"]
    body = ['<table class="stepgrad-check" style="border-collapse:collapse">',
            "<thead><tr>" + "".join(f'<th style="text-align:left;padding:2px 8px">{h}</th>'
                                    for h in ("quantity", "yours", "exact", "verdict")
                                    if h != "exact" or feedback == "full")
            + "</tr></thead><tbody>"]
    for row in report.rows:
        colour = _COLOURS[row.verdict]
        notes = "".join(f"<div>{e(n)}</div>" for n in visible_notes(row, feedback))
        exact = (f'<td style="padding:2px 8px;text-align:right">{e(_exact_cell(row))}</td>'
                 if feedback == "full" else "")
        body.append(f'<tr style="background:{colour}" data-verdict="{e(row.verdict)}">'
                    f'<td style="padding:2px 8px"><code>{e(row.key)}</code></td>'
                    f'<td style="padding:2px 8px;text-align:right">{e(row.yours.text)}</td>'
                    f'{exact}'
                    f'<td style="padding:2px 8px">{e(row.verdict)}'
                    f'<div style="font-size:85%;color:#333">{notes}</div></td></tr>')
    body.append("</tbody></table>")
    groups = _groups(report)
    if groups:
        body.append("<p>Mistakes and warnings, each once:</p><ol>")
        body += [f"<li>{e(title)}: {e(', '.join(r.key for r in rows))}</li>"
                 for _, _, title, rows in groups]
        body.append("</ol>")
    for note in getattr(report.submission, "notes", ()):
        body.append(f"<p>note: {e(note)}</p>")
    for key, text in getattr(report.submission, "extras", ()):
        body.append(f"<p>not graded: <code>{e(key)}</code> = {e(text)}</p>")
    body.append(f"<p>{e(_summary(report))}</p>")
    content = "\n".join(head + body)
    if not standalone:
        return content
    return html_page(report.submission.source, content)


def report_markdown(report: Report, feedback: str = "full") -> str:
    """The report as Markdown: a table, then the causes and the carried rows; ``feedback``
    (full, hints, verdicts): what it gives away (hints and verdicts: no exact values)."""
    cell = escape_markdown          # a student's names and title are text, never markup
    full = feedback == "full"
    lines = [f"**{cell(report.submission.title or report.problem.title or report.submission.source)}**",
             "", "| quantity | yours | exact | verdict |" if full else "| quantity | yours | verdict |",
             "|---|---:|---:|---|" if full else "|---|---:|---|"]
    for row in report.rows:
        exact = f" {cell(_exact_cell(row))} |" if full else ""
        lines.append(f"| {cell(row.key)} | {cell(row.yours.text)} |{exact} {cell(row.verdict)} |")
    for row in report.rows:
        notes = visible_notes(row, feedback, warnings=False)
        if row.verdict in (WRONG, CHANGED, UNREADABLE) and notes:
            lines += ["", f"- **{cell(row.key)}**: " + "; ".join(cell(n) for n in notes)]
    groups = _groups(report)
    if groups:
        lines += ["", "Mistakes and warnings, each once:", ""]
        lines += [f"{k}. {cell(title)}: {cell(', '.join(r.key for r in rows))}"
                  for k, _, title, rows in groups]
    for note in getattr(report.submission, "notes", ()):
        lines += ["", f"note: {cell(note)}"]
    for key, text in getattr(report.submission, "extras", ()):
        lines += ["", f"not graded: {cell(key)} = {cell(text)}"]
    lines += ["", cell(_summary(report))]
    return "\n".join(lines) + "\n"
