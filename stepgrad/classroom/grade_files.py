"""A class graded straight into the set being published: each student's reports are written as
soon as the student is graded, and only the gradebook's row is kept, so that memory does not grow
with the reports (10,000 students' reports are gigabytes of Python objects)."""

import dataclasses
import tempfile
import zlib
from collections.abc import Mapping, Sequence
from typing import IO, Any

from lecture import report_html, report_markdown

from .gradebook import (
    gradebook_canvas,
    gradebook_csv,
    gradebook_json_lines,
    gradebook_moodle,
    report_json,
    student_html,
    student_markdown,
    summary_markdown,
)
from .grading import Gradebook, Keep, Key, Result, Scheme, grade
from .intake import report_stem
from .publishing import Staging

__all__ = ["grade_into"]


def grade_into(staging: Staging, keys: "Mapping[str, Key]", submissions: Sequence,
               roster: "Sequence[tuple[str, str | None, str]] | None" = None,
               scheme: Scheme | None = None, attempt: str = "latest",
               feedback: str = "full", jobs: int = 1) -> Gradebook:
    """Grade the class (as ``grade`` does) into ``staging``: a report per student (Markdown and
    HTML), gradebook.csv, gradebook.json, summary.md, moodle.csv and canvas.csv. ``jobs``:
    the processes that grade (forked from this one; ``workers.default_jobs()`` is what the
    command uses); every file is the same for any number. Returns the gradebook, whose
    results hold no reports."""
    with tempfile.TemporaryFile(dir=staging.folder) as spill:
        writer = _Writer(staging, feedback, spill)
        book = grade(keys, submissions, roster, scheme, attempt=attempt, keep=writer, jobs=jobs)
        for result in book.results:
            if result.flags and result.student in writer.flagged:
                # NOTE: flagged only once every student was graded: scored strictly, as made
                for name, text in zip(writer.names(result), writer.flagged[result.student]):
                    staging.write(name, zlib.decompress(text).decode("utf-8"), replace=True)
        with staging.open("gradebook.json") as out:
            out.writelines(gradebook_json_lines(book, writer.report))
    for name, make in (("gradebook.csv", gradebook_csv), ("summary.md", summary_markdown),
                       ("moodle.csv", gradebook_moodle), ("canvas.csv", gradebook_canvas)):
        staging.write(name, make(book))
    return book


class _Writer(Keep):
    """``grade``'s keep: a student's reports rendered (where the student is graded) and
    written, their report's JSON put aside in ``spill`` for gradebook.json, and the result
    kept without its report."""

    def __init__(self, staging: Staging, feedback: str, spill: IO[bytes]):
        self.staging, self.feedback, self.spill = staging, feedback, spill
        self.reports: "dict[str, tuple[int, int]]" = {}   # student → (offset, length) in spill
        self.flagged: "dict[str, tuple[bytes, bytes]]" = {}  # student → reports if flagged later

    def names(self, result: Result) -> "tuple[str, str]":
        stem = report_stem(result.student)
        return f"reports/{stem}.md", f"reports/{stem}.html"

    def render(self, result: Result, flagged: "Result | None") -> "tuple[Result, Any]":
        texts = later = data = None
        if result.student:      # a file that is nobody's: its row in the gradebook says why
            tables = (None, None)
            if result.report is not None:
                tables = (report_markdown(result.report, self.feedback),
                          report_html(result.report, feedback=self.feedback))
            texts = (student_markdown(result, self.feedback, tables[0]),
                     student_html(result, self.feedback, tables[1]))
            if flagged is not None:
                later = (
                    zlib.compress(student_markdown(flagged, self.feedback, tables[0]).encode(), 1),
                    zlib.compress(student_html(flagged, self.feedback, tables[1]).encode(), 1))
        if result.report is not None:
            data = report_json(result).encode("utf-8")
            result = dataclasses.replace(result, report=None)
        return result, (texts, later, data)

    def store(self, result: Result, rendered: Any) -> None:
        texts, later, data = rendered
        self.flagged.pop(result.student, None)      # a later attempt replaces an earlier one
        if texts is not None:
            for name, text in zip(self.names(result), texts):
                self.staging.write(name, text, replace=True)
        if later is not None:
            self.flagged[result.student] = later
        if data is not None:
            self.spill.seek(0, 2)
            self.reports[result.student] = (self.spill.tell(), len(data))
            self.spill.write(data)

    def report(self, result: Result) -> str:
        offset, length = self.reports[result.student]
        self.spill.seek(offset)
        return self.spill.read(length).decode("utf-8")
