"""Reading what students write: a derivation file that is not quite TOML, read line by line.

A student's file may hold a Greek name unquoted (``δ6 = 0.1311``), a value TOML cannot hold
(``0,52``, ``−0.5``, ``1/4``), or be cut off by an upload. When the file is not valid TOML,
``toml_lines`` reads it one line at a time: headers (``[answers]``, ``[answers.example2]``,
``[[examples]]``), ``key = value`` lines (a key that is no bare TOML key is taken as written, a
value TOML cannot read as text, for the schema to read as a number or mark unreadable), arrays
over several lines. A line that cannot be read is left out with a note, and so is a last line
cut off. Nothing is executed; each line is parsed on its own, so time and memory stay linear.
"""

import re
from collections.abc import Callable

import tomli

__all__ = ["toml_lines", "json_pairs", "MAX_NOTES", "Locate"]

# locate(table, key): the line a field is set on (table None: the top level), None when unknown
Locate = Callable[["str | None", str], "int | None"]

MAX_NOTES = 20          # notes about lines left out, at most (then one "and N more")
MAX_LINE = 2000         # characters: a longer line is left out (no hand value is that long)
MAX_SPAN = 200          # lines an array may run over
_HEADER = re.compile(r"^\s*+(\[\[?+)\s*+([^\[\]]++)(\]\]?+)\s*+(?:#.*)?$")    # linear: possessive
_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _split_outside_quotes(text, separator):
    """The position of the first ``separator`` outside quotes, or -1."""
    quote = None
    k = 0
    while k < len(text):
        c = text[k]
        if quote:
            if c == "\\" and quote == '"':
                k += 2
                continue
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == separator:
            return k
        k += 1
    return -1


def _key_path(raw):
    """A key as written → its parts: ``"δ6"`` → [δ6]; ``a.b`` → [a, b]; ``δ6`` → [δ6]."""
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return [raw[1:-1]]
    parts = [p.strip() for p in raw.split(".")]
    if all(_BARE.fullmatch(p) for p in parts):
        return parts
    return [raw]


def _value(raw, parse_float):
    """(value, ok): the TOML value of ``raw``; else the text itself (unquoted), not ok."""
    try:
        return tomli.loads(f"v = {raw}", parse_float=parse_float)["v"], True
    except tomli.TOMLDecodeError:
        text = raw.strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
            text = text[1:-1]
        return text, False


def _depth(text):
    """How many more brackets ``text`` opens than it closes (outside quotes)."""
    depth = 0
    quote = None
    for c in text:
        if quote:
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
    return depth


def toml_lines(text, parse_float):
    """``(data, lines, notes)`` of a TOML text read line by line: the tables, (table, key) →
    line, and what was left out. ``data`` is None when no line could be read."""
    data, lines, notes, left_out = {}, {}, [], 0
    current, table = data, None
    rows = text.split("\n")
    cut = not text.endswith("\n")
    pending = None              # (first line number, key, text) of an array over several lines
    read = 0
    for number, line in enumerate(rows, 1):
        if len(line) > MAX_LINE:
            left_out += _note(notes, left_out, f"line {number}: longer than {MAX_LINE:,} "
                                               f"characters: left out")
            if pending is not None:
                pending = None
            continue
        if pending is not None:
            start, key, value, depth = pending
            value += "\n" + line
            depth += _depth(line)
            if number - start > MAX_SPAN:
                left_out += _note(notes, left_out, f"line {start}: a list over more than "
                                                   f"{MAX_SPAN} lines: left out")
                pending = None
                continue
            if depth > 0 and number < len(rows):
                pending = (start, key, value, depth)
                continue
            pending = None
            line_number, raw = start, value
        else:
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            header = _HEADER.match(line)
            if header and (header[1] == "[") == (header[3] == "]"):
                path = [p for part in [header[2]] for p in _key_path(part)]
                current, table = _open(data, path, header[1] == "[["), ".".join(path)
                if current is None:
                    current, table = {}, None
                    left_out += _note(notes, left_out, f"line {number}: a table that clashes "
                                                       f"with a field: left out")
                continue
            equals = _split_outside_quotes(line, "=")
            if equals <= 0:
                if not (cut and number == len(rows)):
                    left_out += _note(notes, left_out, f"line {number}: not a field "
                                                       f"(name = value): left out")
                else:
                    notes.append(f"line {number}: the last line is cut off: left out")
                continue
            key, raw = line[:equals], line[equals + 1:]
            comment = _split_outside_quotes(raw, "#")
            raw = raw[:comment] if comment >= 0 else raw
            if raw.strip().startswith("[") and _depth(raw) > 0:
                pending = (number, key, raw, _depth(raw))
                continue
            line_number = number
        value, ok = _value(raw, parse_float)
        if not ok and cut and line_number == len(rows):
            notes.append(f"line {line_number}: the last line is cut off: left out")
            continue
        path = _key_path(key)
        target = _open(current, path[:-1], False) if len(path) > 1 else current
        name = path[-1]
        if target is None or name in target:
            left_out += _note(notes, left_out, f"line {line_number}: {name} is set twice: the "
                                               f"first is kept")
            continue
        target[name] = value
        where = ".".join(filter(None, [table, *path[:-1]])) or None
        lines.setdefault((where, name), line_number)
        read += 1
    if left_out > MAX_NOTES:
        notes.append(f"and {left_out - MAX_NOTES} more lines left out")
    return (data if read else None), lines, notes


def _note(notes, count, text):
    if count < MAX_NOTES:
        notes.append(text)
    return 1


def _open(data, path, array):
    """The table at ``path`` inside ``data``, made if need be (a new one appended for an array
    of tables); None when a field of another kind is in the way."""
    current = data
    for k, part in enumerate(path):
        last = k == len(path) - 1
        value = current.get(part)
        if last and array:
            if value is None:
                value = current[part] = []
            if not isinstance(value, list):
                return None
            value.append({})
            return value[-1]
        if value is None:
            value = current[part] = {}
        if isinstance(value, list) and value and isinstance(value[-1], dict):
            value = value[-1]
        if not isinstance(value, dict):
            return None
        current = value
    return current


_JSON_PAIR = re.compile(r'"((?:[^"\\\n]|\\.){1,80})"\s*:\s*("(?:[^"\\\n]|\\.){0,200}"|[-+0-9.eE]{1,60})'
                        r'\s*(?=[,}\n])')
_EXERCISE = ("id", "student", "template", "seed", "digits")
_TOP = ("title", "problem")


def json_pairs(text, parse_float):
    """``(data, notes)`` of a JSON text that is not valid JSON (cut off, a comma too many):
    every complete ``"name": value`` pair with a number or a string, the exercise's fields in
    [exercise], the title and problem at the top, the rest as answers. None when none."""
    data, answers, exercise, read = {}, {}, {}, 0
    for match in _JSON_PAIR.finditer(text):
        key = match[1].replace('\\"', '"')
        raw = match[2]
        if raw.startswith('"'):
            try:
                value = tomli.loads(f"v = {raw}")["v"]
            except tomli.TOMLDecodeError:
                value = raw[1:-1]
        else:
            value, ok = _value(raw, parse_float)
            if not ok:
                continue
        target = data if key in _TOP else exercise if key in _EXERCISE else answers
        if key not in target:
            target[key] = value
            read += 1
    if not read:
        return None, ()
    if exercise:
        data["exercise"] = exercise
    if answers:
        data["answers"] = answers
    return data, ("the file is not valid JSON: every complete \"name\": value pair is read",)
