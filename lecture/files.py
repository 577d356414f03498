"""Reading problems and derivations from TOML or JSON files, keeping every number's written digits.

TOML (``tomli``) and JSON both drop trailing zeros when they parse a float (0.400 becomes
0.4), so the reader takes each float's raw token instead: ``0.400`` in the file is checked to
three decimals. Strings such as ``"0.400"`` are accepted for answers as well. Errors name the
file, the line and the field; nothing in the file is ever executed.
"""

import json
import os
import pathlib
import re
from typing import Any

from stepgrad._ground import FORMATS, MAX_BYTES, DataFileError, loads_data, read_text, read_text_any

from .examples import EXAMPLES
from .problem import Problem
from .reading import Locate, json_pairs, toml_lines
from .schema import DerivationError, Submission, problem_from_dict, submission_from_dict
from .written import Written

__all__ = ["load_problem", "load_submission", "loads_submission", "read_document",
           "read_student_document", "problem_from_document", "SOURCES"]

# NOTE: every value, field and table of a TOML or JSON file is marked by one of these, so their
# count bounds what parsing builds (a Written per number) before it starts; a hand derivation
# has a few hundred, a restated 25,000-weight network with 20,000 answers under 100,000.
ITEM_MARKS = ",=:[{."
MAX_ITEMS = 100_000
# NOTE: a file someone checks themselves (stepgrad check) may be a whole textbook network: a
# 100-100-100 derivation with 20,000 values and its weights restated counts about 160,000 marks
# (a JSON number alone has its ',' ':' and '.'); bounded, but not at grade's per-student budget
MAX_CHECK_ITEMS = 1_000_000
# NOTE: a hand derivation is a few kilobytes; parsing holds the text several times over, four
# bytes a character when one character is outside the BMP, so a student's file is kept small
MAX_STUDENT_BYTES = 2 * 1024 * 1024
SOURCES = ", ".join(EXAMPLES) + " or a problem or derivation file (.toml, .json)"
# a Problem, a built-in example's name, or the path of a problem or derivation file
ProblemSource = Problem | str | os.PathLike[str]
# NOTE: possessive (*+, ++): a line of a student's file is matched in linear time; with
# backtracking, "[" and a million spaces took hours
_TOML_HEADER = re.compile(r"^\s*+\[\s*+([^\[\]]++)\]\s*+(?:#.*)?$")
_TOML_KEY = re.compile(r"""^\s*+(?:"([^"\\]*+(?:\\.[^"\\]*+)*+)"|'([^']*+)'|([A-Za-z0-9_-]++))\s*+=""")


def load_problem(source: ProblemSource, follow: bool = True) -> Problem:
    """The problem named by ``source``: a Problem, a built-in example's name or a file's path
    (a derivation file that names its problem gives that problem)."""
    if isinstance(source, Problem):
        return source
    name = str(source)
    if name in EXAMPLES:
        return EXAMPLES[name]
    path = pathlib.Path(name)
    if path.suffix.lower() not in FORMATS:
        raise DerivationError(f"unknown source {name!r}: use {SOURCES}")
    return problem_from_document(*read_document(path), path, follow)


def problem_from_document(data: Any, locate: Locate, path: "str | os.PathLike[str]",
                          follow: bool = True) -> Problem:
    """The problem in a file already read by ``read_document``: the one it states, or (a
    derivation) the one it names."""
    path = pathlib.Path(path)
    if isinstance(data, dict) and "problem" in data:
        if not follow or not isinstance(data["problem"], str):
            raise DerivationError(f"{path}: problem: a problem file states its network, weights "
                                  f"and examples itself; it cannot name another problem")
        return _resolve(data["problem"], path)
    return problem_from_dict(_without_answers(data), str(path), locate)


def _without_answers(data):
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if k not in ("answers", "notation")}
    return data


def load_submission(path: "str | os.PathLike[str]", problem: "ProblemSource | None" = None,
                    lenient: bool = False) -> Submission:
    """The Submission in ``path``: its problem (``problem``, or the one the file names or
    states) and its answers. ``lenient``: a student's file, read as ``read_student_document``
    reads it; a value that cannot be read costs that value only."""
    path = pathlib.Path(path)
    if lenient:
        data, locate, notes = read_student_document(path, MAX_BYTES, MAX_CHECK_ITEMS)
    else:
        (data, locate), notes = read_document(path), ()
    return submission_from_dict(data, str(path), locate, _problem_or_none(problem),
                                lambda name: _resolve(name, path), lenient=lenient, notes=notes)


def loads_submission(text: str, fmt: str = "toml", source: str = "derivation",
                     problem: "ProblemSource | None" = None) -> Submission:
    """The Submission in ``text``, TOML or JSON (``fmt``); a problem it names must be built in."""
    data, locate = _parse(text, fmt, source)
    return submission_from_dict(data, source, locate, _problem_or_none(problem),
                                lambda name: _resolve(name, None))


def _problem_or_none(problem):
    return None if problem is None else load_problem(problem)


def _resolve(name, path):
    """A problem a derivation names: built in, or a file beside the derivation."""
    if name in EXAMPLES:
        return EXAMPLES[name]
    if path is None:
        raise DerivationError(f"problem {name!r}: not a built-in problem ({', '.join(EXAMPLES)})")
    target = pathlib.Path(os.path.normpath(path.parent / name))
    if target.suffix.lower() not in FORMATS or not target.is_file():
        raise DerivationError(f"{path}: problem: {name!r} is neither a built-in problem "
                              f"({', '.join(EXAMPLES)}) nor a .toml/.json file beside {path.name}")
    return load_problem(target, follow=False)


def read_document(path: "str | os.PathLike[str]") -> "tuple[Any, Locate]":
    """``(data, locate)`` of a TOML or JSON file, read within the ground files' limits: its
    tables, and ``locate(table, key)``, the line of a field."""
    path, fmt = _document_format(path)
    text = _read(path, read_text)
    return _parse(text, fmt, str(path))


def _document_format(path):
    path = pathlib.Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DerivationError(f"{path}: a problem or derivation file is .toml or .json, not "
                              f"{path.suffix or 'a file without a suffix'!s}")
    return path, fmt


def _read(path, reader):
    """``reader(path)``, its failures as DerivationErrors naming the file."""
    try:
        return reader(path)
    except OSError as error:
        raise DerivationError(f"{path}: cannot read it: {error.strerror or error}") from None
    except DataFileError as error:
        raise DerivationError(str(error)) from None


def read_student_document(path: "str | os.PathLike[str]", max_bytes: int = MAX_STUDENT_BYTES,
                          max_items: int = MAX_ITEMS) -> "tuple[Any, Locate, tuple[str, ...]]":
    """``(data, locate, notes)`` of a student's TOML or JSON file: text that is not UTF-8 is
    read as Windows-1252 (else Latin-1), and a TOML file that is not valid TOML (an unquoted
    δ6, a value such as 0,52, an upload cut off) is read line by line
    (``lecture.reading``); ``notes`` say so. A file none of whose lines can be read is an
    error, as for ``read_document``, and so is one past ``max_bytes`` or ``max_items`` (marks of
    fields, values and tables, counted before parsing; grade's limits by default)."""
    path, fmt = _document_format(path)
    text, encoding = _read(path, lambda p: read_text_any(p, max_bytes))
    items = sum(text.count(mark) for mark in ITEM_MARKS)
    if items > max_items:
        raise DerivationError(f"{path}: more than {max_items:,} fields, values and tables "
                              f"({items:,} of {' '.join(ITEM_MARKS)}): not a hand derivation")
    notes = [] if encoding == "utf-8" else [
        f"the file is not UTF-8: read as {'Windows-1252' if encoding == 'cp1252' else 'Latin-1'}"]
    try:
        data, locate = _parse(text, fmt, str(path))
    except DerivationError as error:
        if len(text) > 1_000_000:
            raise
        if fmt == "json":
            data, more = json_pairs(text, _float)
            if data is None:
                raise
            return data, (lambda table, key: None), tuple(notes) + more
        data, lines, more = toml_lines(text, _float)
        if data is None:
            raise
        reason = str(error).split(": ", 1)[-1] if ": " in str(error) else str(error)
        notes += [f"the file is not valid TOML ({reason}): read line by line", *more]
        locate = lambda table, key: lines.get((table, key))  # noqa: E731
    return data, locate, tuple(notes)


def _parse(text, fmt, source):
    if fmt not in FORMATS.values():
        raise ValueError(f"fmt must be 'toml' or 'json', got {fmt!r}")
    try:
        data = loads_data(text, fmt, source, parse_float=_float)
    except DataFileError as error:
        raise DerivationError(str(error)) from None
    return data, (_toml_locator(text) if fmt == "toml" else _json_locator(text))


def _float(text):
    """A float token as Written (its digits kept); a non-finite one as a plain float, which the
    validation rejects with the field's name."""
    try:
        return Written(text)
    except ValueError:
        return float(text)


def _toml_locator(text):
    """(table, key) → the 1-based line where the key is set (table None: the top level)."""
    lines = {}
    table = None
    for number, line in enumerate(text.splitlines(), 1):
        header = _TOML_HEADER.match(line)
        if header:
            table = header[1].strip().strip('"')
            lines.setdefault((None, table), number)
            continue
        key = _TOML_KEY.match(line)
        if key:
            name = next(group for group in key.groups() if group is not None)
            lines.setdefault((table, name), number)
    return lambda table, key: lines.get((table, key))


_JSON_TOKEN = re.compile(r'"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"(?:\s*+:)?|[{}\[\]]')


def _json_locator(text):
    """(table, key) → the line where ``key`` is first set in the object at dotted path
    ``table`` (None: the top level; "answers.example2" inside it). One pass over the tokens."""
    lines, stack, pending, line, last = {}, [], None, 1, 0
    for match in _JSON_TOKEN.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        token = match.group()
        path = stack[-1] if stack else None
        if token.endswith(":"):
            key = json.loads(token[:-1].rstrip())
            lines.setdefault((path, key), line)
            pending = key
        elif token in "{[":
            if stack and pending is not None:
                path = pending if path is None else f"{path}.{pending}"
            stack.append(path)
            pending = None
        elif token in "}]":
            if stack:
                stack.pop()
            pending = None
        else:
            pending = None
    return lambda table, key: lines.get((table, key))
