"""Files on disk: JSON and TOML data files read within limits, and files written whole or not at all.

A data file comes from someone else (a student's weights, a handed-in derivation), so reading it
is bounded before any parser runs: at most ``MAX_BYTES`` bytes, UTF-8 text, lists and tables
nested at most ``MAX_DEPTH`` deep, numbers of at most ``MAX_NUMBER_LENGTH`` characters (so
every integer fits a float), no key given twice. Each failure is a ``DataFileError``, one line
that names the file and, where known, the line and the field.
"""

import contextlib
import ctypes
import errno
import json
import os
import pathlib
import re
import stat
import sys

__all__ = ["read_text_any", "DataFileError", "read_data", "read_text", "loads_data", "field_name",
           "write_atomic", "write_atomic_all", "write_new", "exchange", "FORMATS", "MAX_BYTES", "MAX_DEPTH",
           "MAX_NUMBER_LENGTH"]

FORMATS = {".json": "json", ".toml": "toml"}
MAX_BYTES = 8 * 1024 * 1024    # a 100,000-parameter weights file is about 5 MB
MAX_DEPTH = 32                 # lists and tables inside one another (a weights file uses 2)
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)   # never through a link
_BATCH = 1024                  # new files per sync(2): what a killed run may leave behind
MAX_NUMBER_LENGTH = 300        # characters; 10³⁰⁰ is far below the largest float, 1.8·10³⁰⁸

# Strings (and TOML's comments) are blanked before the scan, so that brackets and digits inside
# them do not count; TOML's triple-quoted strings keep their newlines, so lines still count.
# NOTE: closing quotes are optional, so an unclosed string ends the line (or the text) instead
# of being searched for again from every quote: each scan is linear.
_BASIC_STRING = r'"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"?'     # possessive: no backtracking memory
_JSON_STRING = re.compile(_BASIC_STRING)
_TOML_STRING = re.compile(r'"""[\s\S]*?(?:"""|\Z)|\'\'\'[\s\S]*?(?:\'\'\'|\Z)|' + _BASIC_STRING
                          + r"|'[^'\n]*+'?|#[^\n]*+")
_BRACKET = re.compile(r"[\[\]{}]")
_JSON_TOKEN = re.compile(r"(%s)\s*:|%s|[\[\]{}]" % (_BASIC_STRING, _BASIC_STRING))
# The look-behinds start a match only where a run starts, so each run is scanned once.
_LONG_NUMBER = re.compile(r"(?<![0-9_.eE+-])[0-9_.eE+-]{%d,}" % (MAX_NUMBER_LENGTH + 1))
_DOTTED_KEY = re.compile(r'(?<![A-Za-z0-9_".-])(?:(?:[A-Za-z0-9_-]++|"")[ \t]*+\.[ \t]*+){%d}'
                         % MAX_DEPTH)
_TOML_POSITION = re.compile(r"^(.*) \(at (?:line (\d+), column (\d+)|end of document)\)$")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class DataFileError(ValueError):
    """A data file that cannot be read: too large, not UTF-8, malformed, or past a limit.

    ``str()`` is one line, ``file:line: field: problem`` (line and field where known), and the
    parts are kept as ``source``, ``line``, ``field`` and ``problem``.
    """

    def __init__(self, source, problem, line=None, field=None):
        if field is not None and len(field) > 200:      # a path of keys the file chose
            field = field[:199] + "…"
        self.source, self.problem, self.line, self.field = str(source), problem, line, field
        place = f"{source}:{line}" if line else str(source)
        super().__init__(f"{place}: {field}: {problem}" if field else f"{place}: {problem}")


def read_data(path, fmt=None, parse_float=None, max_bytes=MAX_BYTES):
    """The data in the JSON or TOML file at ``path`` (``fmt`` "json" or "toml"; by default
    from the suffix), within the module's limits.

    ``parse_float`` is called with the text of every non-integer number (as ``json.loads``
    and ``tomli.loads`` do), so a reader can keep the digits as written. An unreadable file
    raises ``OSError``; everything else, ``DataFileError``.
    """
    path = pathlib.Path(path)
    fmt = fmt or FORMATS.get(path.suffix.lower())
    if fmt not in ("json", "toml"):
        raise DataFileError(path, f"expected a .json or .toml file, not "
                                  f"{path.suffix or 'a name without a suffix'}")
    return loads_data(read_text(path, max_bytes), fmt, str(path), parse_float)


def read_text(path, max_bytes=MAX_BYTES):
    """The UTF-8 text of the regular file at ``path`` (a byte-order mark dropped), at most
    ``max_bytes`` long: ``DataFileError`` otherwise, ``OSError`` if it cannot be opened."""
    path = pathlib.Path(path)
    data = _read_bytes(path, max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        raise DataFileError(path, f"not UTF-8 text (byte 0x{data[error.start]:02x} at column "
                                  f"{error.start - line_start + 1}); save the file as UTF-8",
                            line=data.count(b"\n", 0, error.start) + 1) from None
    return text.removeprefix("\ufeff")


def read_text_any(path, max_bytes=MAX_BYTES):
    """``(text, encoding)`` of the regular file at ``path``: UTF-8 (a byte-order mark dropped),
    else Windows-1252, else Latin-1 (every byte is a Latin-1 character), within ``max_bytes``."""
    data = _read_bytes(pathlib.Path(path), max_bytes)
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return data.decode(encoding).removeprefix("\ufeff"), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")


def _read_bytes(path, max_bytes):
    # NOTE: O_NONBLOCK so that a FIFO planted under a data file's name cannot block the open.
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            raise DataFileError(path, "not a regular file")
        with os.fdopen(handle, "rb", closefd=False) as stream:
            # NOTE: read to its size, not to the limit: a buffer of the limit's size each
            # time costs more than reading a class's small files
            data = stream.read(min(status.st_size, max_bytes) + 1)
            if len(data) > status.st_size:      # it grew since: read on, up to the limit
                data += stream.read(max(0, max_bytes + 1 - len(data)))
    finally:
        os.close(handle)
    if len(data) > max_bytes:
        raise DataFileError(path, f"larger than the limit of {max_bytes:,} bytes")
    return data


def loads_data(text, fmt, source="<string>", parse_float=None):
    """The data in JSON or TOML ``text`` (``fmt``), within the module's limits; ``source``
    names it in errors. See ``read_data``."""
    if fmt not in ("json", "toml"):
        raise ValueError(f"loads_data: fmt must be 'json' or 'toml', got {fmt!r}")
    _scan(text, fmt, source)
    if fmt == "json":
        try:
            data = json.loads(text, parse_float=parse_float, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as error:
            raise DataFileError(source, f"invalid JSON: {error.msg} (column {error.colno})",
                                error.lineno) from None
        except _DuplicateKey as error:
            raise DataFileError(source, f"invalid JSON: the key {error.args[0]!r} is given twice",
                                _line_of_duplicate(text)) from None
    else:
        data = _loads_toml(text, source, parse_float)
    _check_tree(data, source, fmt == "json" and _SURROGATE_ESCAPE.search(text) is not None)
    return data


def _loads_toml(text, source, parse_float):
    # NOTE: tomli, not the standard library's tomllib (its older copy): tomli's wheels are
    # compiled, three times faster on a class's thousands of keys; imported here, not at the
    # top, as it is a tenth of the time ``import autodiff`` takes
    import tomli
    try:
        return tomli.loads(text, parse_float=parse_float or float)
    except tomli.TOMLDecodeError as error:
        match = _TOML_POSITION.match(str(error))
        if match is None:
            raise DataFileError(source, f"invalid TOML: {error}") from None
        if match[2] is None:
            raise DataFileError(source, f"invalid TOML: {match[1]} (at the end)",
                                text.rstrip("\n").count("\n") + 1) from None
        raise DataFileError(source, f"invalid TOML: {match[1]} (column {match[3]})",
                            int(match[2])) from None


def _scan(text, fmt, source):
    """Refuse, before parsing, what would make the parser recurse deeply, build quadratic
    tables (TOML's dotted keys) or convert enormous integers."""
    if fmt == "json":
        text = _JSON_STRING.sub('""', text)
    else:
        text = _TOML_STRING.sub(lambda string: '""' + "\n" * string[0].count("\n"), text)

    def line(position):
        return text.count("\n", 0, position) + 1

    depth = 0
    for bracket in _BRACKET.finditer(text):
        depth += 1 if bracket[0] in "[{" else -1
        if depth > MAX_DEPTH:
            raise DataFileError(source, f"nested more than {MAX_DEPTH} levels deep",
                                line(bracket.start()))
    number = _LONG_NUMBER.search(text)
    if number:
        raise DataFileError(source, f"a number written with more than {MAX_NUMBER_LENGTH} "
                                    f"characters ({len(number[0]):,})", line(number.start()))
    if fmt == "toml":
        key = _DOTTED_KEY.search(text)
        if key:
            raise DataFileError(source, f"a dotted key of more than {MAX_DEPTH} parts",
                                line(key.start()))


class _DuplicateKey(ValueError):
    """A JSON object names a key twice (``args[0]``); json itself would keep the last value."""


def _unique_keys(pairs):
    document = dict(pairs)
    if len(document) < len(pairs):      # rare: find the key that came twice
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return document


def _line_of_duplicate(text):
    """The line where a JSON object names a key for the second time (keys compared as decoded)."""
    objects = []   # per open bracket: the keys of an object so far, None for a list
    for token in _JSON_TOKEN.finditer(text):
        if token[1] is not None:
            keys = objects[-1] if objects else None
            if keys is not None:
                key = json.loads(token[1])
                if key in keys:
                    return text.count("\n", 0, token.start()) + 1
                keys.add(key)
        elif token[0] in "[{":
            objects.append(set() if token[0] == "{" else None)
        elif token[0] in "]}" and objects:
            objects.pop()
    return None


def _check_tree(data, source, check_text):
    """The nesting limit on the parsed data (TOML can also nest by dotted keys and table
    headers), and, where the text has escapes for them, no lone surrogates in strings."""
    if check_text and isinstance(data, str):
        _check_text(data, source, None)
    stack: "list[tuple[dict | list, int, tuple | None]]" = [(data, 0, None)] if isinstance(data, (dict, list)) else []
    while stack:
        node, depth, trail = stack.pop()
        if depth == MAX_DEPTH:
            raise DataFileError(source, f"nested more than {MAX_DEPTH} levels deep",
                                field=field_name(_keys(trail)))
        for key, child in node.items() if isinstance(node, dict) else enumerate(node):
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1, (key, trail)))
            elif check_text and isinstance(child, str):
                _check_text(child, source, (key, trail))
            if check_text and isinstance(key, str):
                _check_text(key, source, trail)


def _check_text(text, source, trail):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise DataFileError(source, f"a string holds a lone surrogate "
                                    f"(\\u{ord(text[error.start]):04x}), which is not text",
                            field=field_name(_keys(trail)) or None) from None


def _keys(trail):
    keys = []
    while trail is not None:
        key, trail = trail
        keys.append(key)
    return keys[::-1]


def field_name(keys):
    """A path of keys and indices as errors write it: ``state['layers.0.b']``, ``values.x``,
    ``unit_names[1][0]``."""
    parts = []
    for key in keys:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif key.isidentifier() and key.isascii():
            parts.append(f".{key}" if parts else key)
        else:
            parts.append(f"[{key!r}]")
    return "".join(parts)


def write_atomic(path, data):
    """Write ``data`` (bytes) to ``path`` whole or not at all; returns ``path`` as a Path.

    The bytes go to a new file in the same folder, flushed to disk (fsync), which then
    replaces ``path`` in one rename. Where the system allows (Linux), the new file has no
    name until it is complete, so a killed process leaves nothing behind; elsewhere it is
    created exclusively under a random name, never through a symlink planted there, and
    removed if the write fails. Errors name ``path``, not the temporary file. A missing
    parent folder is created.
    """
    path = pathlib.Path(path)
    with _naming(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        if not _write_unnamed(path, data):
            _write_named(path, data)
    return path


@contextlib.contextmanager
def _naming(path):
    """An OSError inside names ``path`` (not a temporary file, not nothing)."""
    try:
        yield
    except OSError as error:
        if error.errno is None:
            raise
        raise OSError(error.errno, error.strerror, str(path)) from None


def write_new(path, data, flush=False):
    """Write ``data`` (bytes) to ``path``, a new file (never through a symlink, never over
    something there); flushed to disk (fsync) only when ``flush``: a folder of files nobody
    reads yet is synced as a whole (sync(2)) before it is made visible."""
    with _naming(path):
        handle = os.open(path, _NEW, 0o666)
        try:
            _write_all(handle, data)
            if flush:
                os.fsync(handle)
        finally:
            os.close(handle)


def write_atomic_all(files):
    """Write ``files`` (path → bytes), each whole or not at all as ``write_atomic`` writes one,
    but flushed to disk together: one sync(2) for every 1,024 files instead of an fsync each
    (a class's exercises are thousands of small files). Each goes to a new file beside its
    path, created exclusively (never through a symlink), and all are renamed into place once
    on disk; on an error or an interrupt the new files are removed and nothing is replaced.
    Only a killed process leaves them behind (.NAME.<random>.tmp)."""
    items = list(files.items())
    sync = getattr(os, "sync", None)
    if sync is None:            # no sync(2): one fsync per file
        for path, data in items:
            write_atomic(path, data)
        return
    for start in range(0, len(items), _BATCH):
        made = []
        try:
            for path, data in items[start:start + _BATCH]:
                path = pathlib.Path(path)
                with _naming(path):
                    path.parent.mkdir(parents=True, exist_ok=True)
                    made.append((_new_beside(path, data, flush=False), path))
            sync()
            for temporary, path in made:
                os.replace(temporary, path)
            made = []
        finally:
            for temporary, _ in made:
                temporary.unlink(missing_ok=True)


def _write_unnamed(path, data):
    """Write through Linux's O_TMPFILE, naming the file only once it is complete; False
    where the system or the file system does not support it."""
    if not hasattr(os, "O_TMPFILE") or not os.path.isdir("/proc/self/fd"):
        return False
    try:
        handle = os.open(path.parent, os.O_TMPFILE | os.O_WRONLY, 0o666)
    except OSError as error:
        if error.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            return False
        raise
    try:
        _write_all(handle, data)
        os.fsync(handle)
        # NOTE: any dir_fd makes os.link call linkat(AT_SYMLINK_FOLLOW), which links the file
        # the /proc entry points to; plain link(2) would try to link that entry itself.
        temporary, _ = _free_name(path, lambda name: os.link(f"/proc/self/fd/{handle}", name,
                                                             src_dir_fd=handle))
    finally:
        os.close(handle)
    _replace(temporary, path)
    return True


def _write_named(path, data):
    _replace(_new_beside(path, data, flush=True), path)


def _new_beside(path, data, flush):
    """A new file beside ``path`` holding ``data`` (fsynced when ``flush``): its name. On an
    error it is removed again."""
    temporary, handle = _free_name(path, lambda name: os.open(name, _NEW, 0o666))
    try:
        try:
            _write_all(handle, data)
            if flush:
                os.fsync(handle)
        finally:
            os.close(handle)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _free_name(path, create):
    """``(name, create(name))`` for a new random name beside ``path``; ``create`` must fail
    with FileExistsError where something exists (O_EXCL and link(2) never follow a symlink)."""
    for _ in range(8):
        name = path.with_name(f".{path.name}.{os.urandom(8).hex()}.tmp")
        try:
            return name, create(name)
        except FileExistsError:  # 64 random bits: only something planted there collides
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name beside the file", str(path))


def _write_all(handle, data):
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view):]


def _replace(temporary, path):
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def exchange(a, b):
    """Swap the two existing paths ``a`` and ``b`` in one step (Linux's renameat2 with
    RENAME_EXCHANGE), so that no moment sees either name missing; False, having done nothing,
    where the system or the file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):       # a libc without it (glibc before 2.28, musl)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))
