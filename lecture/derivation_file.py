"""Reading a derivation from a TOML or JSON file, keeping every number's written digits.

TOML (``tomllib``) and JSON both drop trailing zeros when they parse a float (0.400 becomes
0.4), so the reader takes each float's raw token instead: ``0.400`` in the file is checked to
three decimals. Strings such as ``"0.400"`` are accepted for answers as well. Errors name the
file, the line and the field; nothing in the file is ever executed.
"""

import json
import pathlib
import re
import tomllib

from .derivation_spec import DerivationError, Written, derivation_from_dict

__all__ = ["load_derivation", "loads_derivation", "FORMATS"]

FORMATS = {".toml": "toml", ".json": "json"}
_TOML_ERROR = re.compile(r"^(.*) \(at line (\d+), column (\d+)\)$")
_TOML_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_TOML_KEY = re.compile(r"""^\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")


def load_derivation(path):
    """The Derivation in ``path`` (.toml or .json)."""
    path = pathlib.Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DerivationError(f"{path}: a derivation file is .toml or .json, not "
                              f"{path.suffix or 'a file without a suffix'!s}")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise DerivationError(f"{path}:{line}: not UTF-8 text ({error.reason})") from None
    return loads_derivation(text, fmt, str(path))


def loads_derivation(text, fmt="toml", source="derivation"):
    """The Derivation in ``text``, which is TOML or JSON (``fmt``)."""
    if fmt == "toml":
        try:
            data = tomllib.loads(text, parse_float=_float)
        except tomllib.TOMLDecodeError as error:
            message = str(error)
            match = _TOML_ERROR.match(message)
            if match:
                message = f"{source}:{match[2]}: bad TOML: {match[1]} (column {match[3]})"
            else:
                message = f"{source}: bad TOML: {message}"
            raise DerivationError(message) from None
        locate = _toml_locator(text)
    elif fmt == "json":
        try:
            data = json.loads(text, parse_float=_float, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as error:
            raise DerivationError(f"{source}:{error.lineno}: bad JSON: {error.msg} "
                                  f"(column {error.colno})") from None
        except _DuplicateKey as error:
            pattern = re.compile(r'"' + re.escape(json.dumps(error.key)[1:-1]) + r'"\s*:')
            lines = [n for n, row in enumerate(text.splitlines(), 1) if pattern.search(row)]
            place = f"{source}:{lines[1]}" if len(lines) > 1 else source
            raise DerivationError(f"{place}: bad JSON: the key {error.key!r} is given twice") from None
        locate = _json_locator(text)
    else:
        raise ValueError(f"loads_derivation: fmt must be 'toml' or 'json', got {fmt!r}")
    return derivation_from_dict(data, source, locate)


def _float(text):
    """A float token as Written (its digits kept); a non-finite one as a plain float, which the
    validation rejects with the field's name."""
    try:
        return Written(text)
    except ValueError:
        return float(text)


class _DuplicateKey(ValueError):
    def __init__(self, key):
        super().__init__(key)
        self.key = key


def _unique_keys(pairs):
    found = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
    return found


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


def _json_locator(text):
    """(table, key) → the first line at or after the table's own key that sets ``key``."""
    rows = text.splitlines()

    def line_of(key, start):
        pattern = re.compile(r'"' + re.escape(json.dumps(key)[1:-1]) + r'"\s*:')
        for number in range(start, len(rows)):
            if pattern.search(rows[number]):
                return number + 1
        return None

    def locate(table, key):
        start = 0
        if table is not None:
            found = line_of(table, 0)
            if found is None:
                return None
            start = found - 1
        return line_of(key, start)

    return locate
