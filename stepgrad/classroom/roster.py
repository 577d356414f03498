"""A class roster: the student ids of a CSV file, checked so that each one can name a folder.

The file has a header row; the ids are in the column named ``student``, or else ``id`` (in
any case), as for ``stepgrad grade``; a roster Moodle exports ("ID number", "First name",
"Surname") or Canvas exports ("SIS User ID", "Student") is read as it is, its names kept. Commas,
semicolons or tabs separate the columns (whichever the header uses). An id is 1 to 64 letters,
digits and ``. _ @ + -``, not starting with a dot; two ids that differ only in case are the
same student (they would name the same folder on some systems).
"""

import csv
import io
import os
import pathlib
import re
from collections.abc import Sequence

from lecture import DerivationError
from stepgrad._ground import DataFileError, read_text

__all__ = ["RosterError", "read_roster", "roster_ids", "roster_rows", "check_student_id", "ID_COLUMNS", "MAX_STUDENTS"]

ID_COLUMNS = ("student", "id")
# the rosters Moodle and Canvas export: the id column, and the columns that make the name
LMS_ROSTERS = {"id number": ("first name", "surname"),            # Moodle
               "sis user id": ("student",)}                       # Canvas ("Last, First")
MAX_STUDENTS = 10_000
MAX_BYTES = 5 * 1024 * 1024
_ID = re.compile(r"[A-Za-z0-9_@+-][A-Za-z0-9._@+-]{0,63}")


class RosterError(DerivationError):
    """A roster that cannot be used: the message names the file, the line and the column."""


def check_student_id(student: object, where: str = "--student:") -> str:
    """``student`` when it can be an id (see the module docstring); RosterError otherwise."""
    if not isinstance(student, str) or not _ID.fullmatch(student):
        shown = repr(student[:70]) if isinstance(student, str) else type(student).__name__
        raise RosterError(f"{where} {shown} is not a student id: 1 to 64 letters, digits and "
                          f". _ @ + -, not starting with a dot")
    return student


def roster_ids(path: "str | os.PathLike[str]") -> "list[str]":
    """The student ids in the roster at ``path``, in the file's order."""
    return [student for student, _ in _rows(path, ())]


def read_roster(path: "str | os.PathLike[str]") -> "list[tuple[str, str | None, str]]":
    """A roster CSV : a ``student`` (or ``id``) column, and optionally
    ``exercise`` and ``name``. Returns [(student, exercise or None, name or "")] in file order."""
    return [(student, cells["exercise"], cells["name"] or "")
            for student, cells in roster_rows(path, ("exercise", "name"))]


def roster_rows(path: "str | os.PathLike[str]",
                columns: "Sequence[str]" = ("exercise", "name")) -> "list[tuple[str, dict[str, str | None]]]":
    """Per student, in the file's order: (id, {column: value}) for the optional ``columns``
    (an absent column or an empty cell reads as None)."""
    return list(_rows(path, columns))


def _rows(path, columns):
    path = pathlib.Path(path)
    try:
        text = read_text(path, MAX_BYTES)
    except OSError as error:
        raise RosterError(f"{path}: cannot read it: {error.strerror or error}") from None
    except DataFileError as error:
        raise RosterError(f"{error}") from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    found = []
    try:
        header = next(rows, None)
        if header is None:
            raise RosterError(f"{path}: empty; a roster has a header row and a row per student")
        names = [h.strip().lower().lstrip("\ufeff") for h in header]
        lms = next((c for c in LMS_ROSTERS if c in names), None)
        column = names.index(lms) if lms else \
            next((names.index(c) for c in ID_COLUMNS if c in names), None)
        parts = [names.index(c) for c in LMS_ROSTERS[lms] if c in names] if lms else []
        if column is None:
            shown = ", ".join(repr(h.strip()[:30]) for h in header[:8])
            raise RosterError(f"{path}:1: no student id column: the header has {shown}; name the "
                              f"column of ids {' or '.join(ID_COLUMNS)}")
        extra: "dict[str, int | None]" = {name: names.index(name) for name in columns if name in names}
        if lms and "name" in columns and "name" not in extra:
            extra["name"] = None        # made of the LMS's name columns
        label = header[column].strip()
        seen = {}
        for row in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            student = row[column].strip() if column < len(row) else ""
            where = f"{path}:{line}: [{label}]"
            if not student and lms:
                continue        # Canvas's "Points Possible" row, or a test student without an id
            if not student:
                raise RosterError(f"{where} empty: every row needs a student id")
            check_student_id(student, where)
            folded = student.casefold()
            if folded in seen:
                raise RosterError(f"{where} {student!r} is given twice (line {seen[folded]}; ids "
                                  f"are compared ignoring case)")
            seen[folded] = line
            cells = {name: (row[k].strip() or None) if k is not None and k < len(row) else None
                     for name, k in extra.items()}
            if "name" in cells and cells["name"] is None and parts:
                cells["name"] = " ".join(row[k].strip() for k in parts if k < len(row)
                                         and row[k].strip()) or None
            found.append((student, {name: cells.get(name) for name in columns}))
            if len(found) > MAX_STUDENTS:
                raise RosterError(f"{where} more than {MAX_STUDENTS:,} students")
    except csv.Error as error:
        raise RosterError(f"{path}:{rows.line_num}: bad CSV: {error}") from None
    if not found:
        raise RosterError(f"{path}: no students: the roster has a header row only")
    return found
