"""A graded class as files: the gradebook (CSV an LMS imports, JSON with every row), the class summary,
and each student's feedback report (Markdown and HTML) in the student's own notation."""

import csv
import io
import json
from collections.abc import Callable, Iterator

from lecture import CARRIED, VERDICT_IDS, report_dict, report_html, report_markdown, visible_notes
from stepgrad._ground import escape_csv, escape_html, escape_markdown, html_page, printable

from .grading import STATUSES, Gradebook, Result

__all__ = ["flags_text", "gradebook_csv", "gradebook_moodle", "gradebook_canvas", "gradebook_json",
           "summary_text", "summary_markdown", "student_markdown", "student_html", "GRADEBOOK_FORMAT",
           "gradebook_json_lines", "report_json",
           "CSV_COLUMNS"]

GRADEBOOK_FORMAT = "stepgrad.gradebook/1"
CSV_COLUMNS = ("student", "name", "exercise", "status", "score", "points", "percent",
               "first_wrong", "mistakes", "message", "flags", "notes")
# a row's status: graded, or why not (missing: no file, scored 0); see grading.STATUSES


def _number(x):
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def gradebook_csv(gradebook: Gradebook) -> str:
    """One row per student of the roster (and per file): the columns ``CSV_COLUMNS``, the
    student's name from the roster, an explicit status, and a score for every row (0 for a
    student not graded: missing, malformed …); percent with one decimal; the mistakes' ids
    separated by spaces."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in gradebook.results:
        graded = r.status == "graded"
        mistakes = " ".join(m for m, _, _ in r.mistakes) if graded else ""
        writer.writerow([escape_csv(r.student), escape_csv(gradebook.names.get(r.student, "")),
                         escape_csv(r.exercise or ""), r.status,
                         _number(r.score) if graded else "0", _number(r.total) if graded else "",
                         f"{r.percent:.1f}" if graded else "0.0", escape_csv(r.first_wrong or ""),
                         mistakes, escape_csv(r.message), escape_csv(flags_text(r)),
                         escape_csv("; ".join(r.notes))])
    return out.getvalue()


def gradebook_moodle(gradebook: Gradebook, item: str = "stepgrad") -> str:
    """The scores as Moodle's grade import reads them: "ID number" (the student id) and the
    grade item's percent (0 for a student not graded)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ID number", "Full name", escape_csv(item)])
    for r in gradebook.results:
        writer.writerow([escape_csv(r.student), escape_csv(gradebook.names.get(r.student, "")),
                         f"{r.percent:.1f}" if r.status == "graded" else "0"])
    return out.getvalue()


def gradebook_canvas(gradebook: Gradebook, item: str = "stepgrad") -> str:
    """The scores as Canvas's gradebook import reads them: Student, ID, SIS User ID (the
    student id), SIS Login ID, Section, then the assignment's percent."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", escape_csv(item)])
    for r in gradebook.results:
        writer.writerow([escape_csv(gradebook.names.get(r.student, r.student)), "",
                         escape_csv(r.student), "", "",
                         f"{r.percent:.1f}" if r.status == "graded" else "0"])
    return out.getvalue()


def gradebook_json(gradebook: Gradebook) -> str:
    """Every student with their score, its parts and every row of their report."""
    return "".join(gradebook_json_lines(gradebook))


def gradebook_json_lines(gradebook: Gradebook,
                         reports: "Callable[[Result], str] | None" = None) -> "Iterator[str]":
    """gradebook.json's text line by line: the scheme and the summary, then a line per
    student. ``reports(result)``: a graded result's report as JSON text, for results kept
    without their report (by default made from ``result.report``)."""
    scheme = gradebook.scheme
    # NOTE: compact, one student a line: json's C encoder, not its indenting Python one
    head = json.dumps({"format": GRADEBOOK_FORMAT,
                       "scheme": {"points": scheme.points, "default_points": scheme.default,
                                  "credit": scheme.credit},
                       "summary": gradebook.summary()}, ensure_ascii=False)
    yield head[:-1] + ', "students": [\n'
    last = len(gradebook.results) - 1
    for k, r in enumerate(gradebook.results):
        entry = {"student": r.student, "exercise": r.exercise, "status": r.status,
                 "file": r.path, "message": r.message,
                 "flags": [{"flag": f, "other": o, "what": w} for f, o, w in r.flags],
                 "notes": list(r.notes)}
        if r.status == "graded":
            entry.update(score=r.score, points=r.total, percent=round(r.percent, 2),
                         first_wrong=r.first_wrong,
                         parts=[{"quantity": q, "key": key, "verdict": verdict,
                                 "verdict_id": VERDICT_IDS.get(verdict, "not_answered"),
                                 "points": points, "earned": earned}
                                for q, key, verdict, points, earned in r.parts])
        text = json.dumps(entry, ensure_ascii=False)
        if r.status == "graded":
            report = reports(r) if reports is not None else report_json(r)
            text = f'{text[:-1]}, "report": {report}}}'
        yield text + (",\n" if k < last else "\n")
    yield "]}\n"


def report_json(result: Result) -> str:
    """A graded result's report as gradebook.json holds it (JSON text)."""
    assert result.report is not None       # a graded result has its report
    return json.dumps(report_dict(result.report), ensure_ascii=False)


def _summary_lines(gradebook, bullet, escape=printable):
    summary = gradebook.summary()
    lines = [f"{summary['graded']} of {summary['students']} students graded, mean "
             f"{summary['mean_percent']:.1f}%"]
    problems = [r for r in gradebook.results if r.status != "graded"]
    if problems:
        lines += ["", "Not graded:"]
        lines += [f"{bullet}{escape(r.student)}: {r.status} ({STATUSES[r.status]})"
                  + (f": {escape(r.message)}" if r.message else "") for r in problems]
    flagged = [r for r in gradebook.results if r.flags]
    if flagged:
        lines += ["", f"Flagged ({len(flagged)} student{'s' * (len(flagged) != 1)}: copies and "
                      f"rewritten givens earn no carried credit):"]
        lines += [f"{bullet}{escape(r.student)}: {escape(flags_text(r))}" for r in flagged[:200]]
        if len(flagged) > 200:
            lines.append(f"{bullet}… and {len(flagged) - 200} more (gradebook.csv, flags)")
    if summary["mistakes"]:
        lines += ["", "Mistakes, by how many students made them (what to re-teach):"]
        lines += [f"{bullet}{m['title']} ({m['id']}): {m['students']} student"
                  f"{'s' * (m['students'] != 1)} ({m['rows']} value{'s' * (m['rows'] != 1)})"
                  for m in summary["mistakes"]]
    if summary["questions"]:
        lines += ["", "Each question, the share of the class right:"]
        lines += [f"{bullet}{q['quantity']}: {q['right']} of {q['students']} "
                  f"({100 * q['share']:.0f}%)" for q in summary["questions"]]
    if summary["quantities"]:
        lines += ["", "Quantities not earned in full, most common first:"]
        lines += [f"{bullet}{q['quantity']} {q['verdict']}: {q['students']} student"
                  f"{'s' * (q['students'] != 1)}" for q in summary["quantities"][:20]]
    return lines


def flags_text(result: Result) -> str:
    """A result's flags as one line: ``flag (other student): what``, separated by ``; ``."""
    return "; ".join(f"{flag}{f' ({other})' if other else ''}: {what}"
                     for flag, other, what in result.flags)


def summary_text(gradebook: Gradebook) -> str:
    """The class summary for a terminal."""
    return "\n".join(_summary_lines(gradebook, "  "))


def summary_markdown(gradebook: Gradebook) -> str:
    """The class summary as Markdown."""
    lines = ["# Class summary", ""] + _summary_lines(gradebook, "- ", escape_markdown)
    return "\n".join(lines) + "\n"


def _head(result):
    graded = result.status == "graded"
    score = (f"{_number(result.score)} of {_number(result.total)} points "
             f"({result.percent:.0f}%)" if graded else STATUSES[result.status])
    return f"{result.student}, exercise {result.exercise or '?'}: {score}"


def _feedback(result, feedback="full"):
    """The three things a student needs first: the first wrong step and why, and what was
    credited as carried."""
    lines = []
    first = result.first_wrong
    if first is not None:
        row = next(r for r in result.report.rows if r.key == first or r.quantity == first)
        why = visible_notes(row, feedback)
        lines.append(f"Your first wrong step is {row.key} = {row.yours.text}"
                     + (f": {why[0]}" if why else ""))
    else:
        lines.append("No asked value is wrong.")
    carried = [r.key for r in result.report.rows if r.verdict == CARRIED]
    if carried:
        lines.append("Credited as carried (they follow correctly from your earlier value): "
                     + ", ".join(carried))
    missing = [q for q, key, verdict, _, _ in result.parts if key is None]
    if missing:
        lines.append("Not answered: " + ", ".join(missing))
    return lines


def student_markdown(result: Result, feedback: str = "full", table: str | None = None) -> str:
    """A student's feedback report in Markdown: score, first wrong step, carried rows, the
    checked table, the points per asked quantity. ``feedback``: full, hints (no exact values:
    the exercise can be resubmitted) or verdicts (verdicts and points only). ``table``: the
    report's ``report_markdown``, when it is made already."""
    cell = escape_markdown          # a student's names and title are text, never markup
    lines = [f"# {cell(_head(result))}", ""]
    if result.status != "graded":
        return "\n".join(lines + [cell(result.message)]) + "\n"
    assert result.report is not None       # a graded result has its report
    lines += [cell(line) + "\n" for line in _feedback(result, feedback)]
    if table is None:
        table = report_markdown(result.report, feedback)
    lines += ["## Your values", "", table, "## Points", "",
              "| quantity | yours | verdict | points |", "|---|---|---|---:|"]
    lines += [f"| {cell(q)} | {cell(key or '—')} | {cell(verdict)} | {_number(earned)} of "
              f"{_number(points)} |" for q, key, verdict, points, earned in result.parts]
    return "\n".join(lines) + "\n"


def student_html(result: Result, feedback: str = "full", table: str | None = None) -> str:
    """The same report as a standalone HTML page (``table``: the report's ``report_html``,
    when it is made already)."""
    e = escape_html
    body = [f"<h1>{e(_head(result))}</h1>"]
    if result.status != "graded":
        body.append(f"<p>{e(result.message)}</p>")
    else:
        assert result.report is not None   # a graded result has its report
        body += [f"<p>{e(line)}</p>" for line in _feedback(result, feedback)]
        if table is None:
            table = report_html(result.report, feedback=feedback)
        body += ["<h2>Your values</h2>", table,
                 "<h2>Points</h2>",
                 '<table class="stepgrad-points"><thead><tr><th>quantity</th><th>yours</th>'
                 "<th>verdict</th><th>points</th></tr></thead><tbody>"]
        body += [f"<tr><td>{e(q)}</td><td>{e(key or '—')}</td><td>{e(verdict)}</td>"
                 f"<td>{_number(earned)} of {_number(points)}</td></tr>"
                 for q, key, verdict, points, earned in result.parts]
        body.append("</tbody></table>")
    return html_page(result.student, "\n".join(body))
