"""Which file is whose: the submissions found in the folders named, and the student each is for.

Walking a folder follows no symbolic link and reads nothing outside it: a link, a device, a
name that is not UTF-8 or a folder nested too deep is an entry with a problem, for the row of
the student it names. The student of a file is decided from the roster (the ids known), the
file's name or folders, and its ``[exercise]`` table together; when they disagree the file is a
conflict, named with the nearest ids, and goes to nobody. Several files for one student are
attempts: ``s1 (1).toml`` is attempt 1 of s1, a folder named ``attempt 2`` holds attempt 2.
"""

import difflib
import hashlib
import os
import pathlib
import re
import stat
from dataclasses import dataclass

from stepgrad._ground import printable

__all__ = ["Entry", "MAX_DEPTH", "MAX_FILES", "ATTEMPTS", "find_entries", "name_ids",
           "attempt_of", "nearest", "report_stem"]

MAX_DEPTH = 16                # folders inside the folder named
MAX_FILES = 200_000           # files looked at in all
ATTEMPTS = ("latest", "first", "best")
SUFFIXES = (".toml", ".json")
_COPY = re.compile(r"\s*[\(\[_-]\s*(\d{1,4})\s*[\)\]]?$")
_ATTEMPT = re.compile(r"attempt[\s_-]*(\d{1,6})", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """A file found: its path, whether it was named on the command line, its place among the
    folders walked (the folder names between), and ``problem`` when it cannot be read."""

    path: pathlib.Path
    named: bool
    folders: tuple = ()
    problem: str | None = None

    @property
    def shown(self):
        return _text(str(self.path))


def find_entries(paths):
    """Every submission file in ``paths`` (files, or folders walked without following links),
    and an Entry with a problem for each thing that is not a regular file where one should be."""
    found = []
    for path in map(pathlib.Path, paths):
        try:
            is_dir = path.is_dir()
        except (OSError, ValueError):
            is_dir = False
        if is_dir:
            _walk(path, (), found)
        else:
            found.append(_entry(path, True, ()))
        if len(found) > MAX_FILES:
            raise ValueError(f"{printable(str(path))}: more than {MAX_FILES:,} files")
    return found


def _entry(path, named, folders):
    name = str(path)
    if _undecodable(name):
        return Entry(path, named, folders, "the file name is not UTF-8 text")
    try:
        mode = os.lstat(path).st_mode if not named else os.stat(path).st_mode
    except (OSError, ValueError) as error:
        return Entry(path, named, folders, f"cannot be read ({error.__class__.__name__})")
    if stat.S_ISLNK(mode):
        return Entry(path, named, folders, "a symbolic link: only files inside the submissions "
                                           "folder are read, and this one is not read")
    if not stat.S_ISREG(mode):
        return Entry(path, named, folders, "not a regular file (a device, pipe or socket)")
    return Entry(path, named, folders)


def _walk(root, folders, found):
    stack = [(root, folders)]
    while stack:
        folder, trail = stack.pop()
        try:
            with os.scandir(folder) as listing:
                children = sorted(listing, key=lambda e: e.name)
        except (OSError, ValueError) as error:
            found.append(Entry(pathlib.Path(folder), False, trail,
                               f"the folder cannot be read ({error.__class__.__name__})"))
            continue
        later = []
        for child in children:
            path = pathlib.Path(child.path)
            try:
                is_link = child.is_symlink()
                is_dir = not is_link and child.is_dir(follow_symlinks=False)
            except OSError:
                is_link, is_dir = False, False
            if is_dir:
                if len(trail) >= MAX_DEPTH:
                    found.append(Entry(path, False, trail, f"a folder nested more than "
                                                           f"{MAX_DEPTH} levels deep; not read"))
                else:
                    later.append((path, trail + (child.name,)))
                continue
            if not is_link and pathlib.PurePath(child.name).suffix.lower() not in SUFFIXES:
                continue
            found.append(_entry(path, False, trail))
            if len(found) > MAX_FILES:
                return
        stack.extend(reversed(later))


def _text(name):
    """A file name as printable text: bytes that are not UTF-8 shown as �."""
    return printable(name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


def _undecodable(text):
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _stem(path):
    return _COPY.sub("", pathlib.PurePath(_text(path.name)).stem).strip()


def name_ids(entry):
    """The ids a file's name and folders stand for, nearest first (the name without a copy
    number, then each folder up to the one named)."""
    names = [_stem(entry.path)] + [_text(f) for f in reversed(entry.folders)]
    return [n for n in names if n]


def attempt_of(entry):
    """The attempt number a file's name or folders say: ``s1 (2).toml`` 2, ``attempt 3/`` 3."""
    number = 0
    match = _COPY.search(pathlib.PurePath(_text(entry.path.name)).stem)
    if match and _stem(entry.path):
        number = int(match.group(1))
    for folder in entry.folders:
        found = _ATTEMPT.search(_text(folder))
        if found:
            number = max(number, int(found.group(1)))
    return number


def nearest(student, known, count=3):
    """The roster ids nearest to ``student`` (for a message)."""
    return difflib.get_close_matches(student, list(known), n=count, cutoff=0.6)


def report_stem(student: str) -> str:
    """A file name for a student's report, one to one with ids: a lower-case id of letters,
    digits and hyphens is its own name; any other id is made safe and followed by a hash of
    it, so that ``a+b``, ``a_b`` and ``A_b`` never share a file."""
    if re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", student):
        return student
    safe = re.sub(r"[^A-Za-z0-9-]", "-", student).strip("-")[:60] or "student"
    return f"{safe}_{hashlib.sha256(student.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"
