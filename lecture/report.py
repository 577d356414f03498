"""A check's report as text (80 columns), as JSON-ready data, and as HTML or Markdown."""

import math
import textwrap

from stepgrad._ground.text import printable

from stepgrad._ground.text import escape_html, escape_markdown
from .check import CARRIED, CHANGED, CORRECT, EARLY, NOT_CHECKED, ROUNDING, VERDICTS, WRONG

__all__ = ["report_text", "report_dict", "report_html", "report_markdown", "REPORT_FORMAT",
           "EXIT_CODES"]

REPORT_FORMAT = "stepgrad.check/1"
EXIT_CODES = {0: "every value is right (or follows from your rounding)",
              1: "a value is wrong, or a given of the problem was copied differently",
              2: "the file cannot be read (the message says where)",
              4: "nothing is wrong, but some names could not be checked"}


def _exact_cell(row):
    if row.exact is None:
        return ""
    from .check import _fixed
    return _fixed(row.exact, row.yours.unit)


def _cell(text, width):
    text = printable(text)
    return text if len(text) <= width else text[:width - 1] + "…"


def _groups(report):
    """The causes named, numbered, each with its rows: [(number, id, title, rows)]."""
    return [(k, mistake, title, rows) for k, (mistake, title, rows) in enumerate(report.mistakes(), 1)]


def report_text(report, width=80):
    """The table (quantity, yours, exact, verdict) with notes under each row, the causes once
    each with the rows they explain, the names not checked, and a summary; every line fits
    ``width`` columns."""
    submission = report.submission
    problem = report.problem
    lines = [_cell(f"Checking {submission.source}", width)]
    title = submission.title or problem.title
    if title:
        lines += textwrap.wrap(printable(title), width)
    if problem.name != submission.source:
        lines += textwrap.wrap(printable(f"(problem {problem.name}: {problem.describe()})"), width)
    if not report.rows:
        return "\n".join(lines + ["no answers to check"])
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
    lines += ["", *textwrap.wrap(_summary(report), width)]
    status = report.exit_status
    lines += textwrap.wrap(f"exit status {status}: {EXIT_CODES[status]}", width)
    return "\n".join(lines)


def _summary(report):
    n = len(report.rows)
    counts = [(report.count(v), v) for v in VERDICTS]
    parts = ", ".join(f"{c} {v}" for c, v in counts if c)
    return f"{n} value{'s' * (n != 1)}: {parts}"


def _number(x):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return float(x)


def report_dict(report):
    """The report as plain data (``json.dumps`` writes it): every row with its verdict, the
    mistake's id, the values it follows from; the causes with their rows; the exit status."""
    rows = []
    for row in report.rows:
        rows.append({"key": row.key, "line": row.line, "quantity": row.quantity,
                     "yours": row.yours.text, "exact": _number(row.exact),
                     "expected": _number(row.expected), "verdict": row.verdict,
                     "mistake": row.mistake, "candidates": list(row.candidates),
                     "follows_from": list(row.follows_from), "notes": list(row.notes),
                     "warnings": list(row.warnings)})
    return {"format": REPORT_FORMAT, "source": report.submission.source,
            "title": report.submission.title, "problem": report.problem.name,
            "exit_status": report.exit_status,
            "summary": {v: report.count(v) for v in VERDICTS},
            "rows": rows,
            "mistakes": [{"number": k, "id": mistake, "title": title, "rows": [r.key for r in rs]}
                         for k, mistake, title, rs in _groups(report)],
            "unknown": report.unknown}


_COLOURS = {CORRECT: "#e3f4e1", ROUNDING: "#e3f4e1", EARLY: "#fff4cc", CARRIED: "#e6eefb",
            WRONG: "#fde2e1", CHANGED: "#fde2e1", NOT_CHECKED: "#eeeeee"}


def report_html(report, standalone=False):
    """The report as an HTML table (verdicts coloured, notes under each row); ``standalone``
    gives a whole page."""
    e = escape_html
    head = [f"<p><b>{e(report.submission.title or report.problem.title or report.submission.source)}</b></p>"]
    body = ['<table class="stepgrad-check" style="border-collapse:collapse">',
            "<thead><tr>" + "".join(f'<th style="text-align:left;padding:2px 8px">{h}</th>'
                                    for h in ("quantity", "yours", "exact", "verdict"))
            + "</tr></thead><tbody>"]
    for row in report.rows:
        colour = _COLOURS[row.verdict]
        notes = "".join(f"<div>{e(n)}</div>" for n in (*row.notes, *row.warnings))
        body.append(f'<tr style="background:{colour}" data-verdict="{e(row.verdict)}">'
                    f'<td style="padding:2px 8px"><code>{e(row.key)}</code></td>'
                    f'<td style="padding:2px 8px;text-align:right">{e(row.yours.text)}</td>'
                    f'<td style="padding:2px 8px;text-align:right">{e(_exact_cell(row))}</td>'
                    f'<td style="padding:2px 8px">{e(row.verdict)}'
                    f'<div style="font-size:85%;color:#333">{notes}</div></td></tr>')
    body.append("</tbody></table>")
    groups = _groups(report)
    if groups:
        body.append("<p>Mistakes and warnings, each once:</p><ol>")
        body += [f"<li>{e(title)}: {e(', '.join(r.key for r in rows))}</li>"
                 for _, _, title, rows in groups]
        body.append("</ol>")
    body.append(f"<p>{e(_summary(report))}</p>")
    content = "\n".join(head + body)
    if not standalone:
        return content
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{e(report.submission.source)}</title></head><body>\n{content}\n</body></html>\n")


def report_markdown(report):
    """The report as Markdown: a table, then the causes and the carried rows."""
    cell = escape_markdown          # a student's names and title are text, never markup
    lines = [f"**{cell(report.submission.title or report.problem.title or report.submission.source)}**",
             "", "| quantity | yours | exact | verdict |", "|---|---:|---:|---|"]
    for row in report.rows:
        lines.append(f"| {cell(row.key)} | {cell(row.yours.text)} | {cell(_exact_cell(row))} | "
                     f"{cell(row.verdict)} |")
    for row in report.rows:
        if row.verdict in (WRONG, CHANGED) and row.notes:
            lines += ["", f"- **{cell(row.key)}**: " + "; ".join(cell(n) for n in row.notes)]
    groups = _groups(report)
    if groups:
        lines += ["", "Mistakes and warnings, each once:", ""]
        lines += [f"{k}. {cell(title)}: {cell(', '.join(r.key for r in rows))}"
                  for k, _, title, rows in groups]
    lines += ["", cell(_summary(report))]
    return "\n".join(lines) + "\n"
