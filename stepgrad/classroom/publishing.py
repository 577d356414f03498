"""A graded class's files published as one set: the output folder holds the whole of one run or
of the run before, never a mix and never nothing, whether a run fails, fills the disk or is
killed at any point.

A run writes every file into a fresh folder beside the output folder, ``.NAME.new-XXXX``, as it
goes, flushes them to disk at once (sync(2)), then swaps the two folders in one step (Linux's
renameat2) and removes the previous set. Where the system
cannot swap, the previous set is first moved into ``.NAME.old-XXXX/out`` and the fresh folder
then renamed into place; a run killed between those two renames leaves no output folder, and
the next run puts the previous set back before anything else. Either way the next run removes
what an interrupted one left beside the folder.
"""

import contextlib
import os
import pathlib
import shutil
import tempfile
from collections.abc import Mapping
from typing import TextIO

from stepgrad._ground import exchange, printable, write_new

__all__ = ["OUTPUTS", "publish", "recover", "Staging"]

OUTPUTS = ("gradebook.csv", "gradebook.json", "summary.md", "moodle.csv", "canvas.csv", "reports")
_SYNC = getattr(os, "sync", None)     # sync(2); without it, each file is synced as written


def publish(out: "str | os.PathLike[str]", files: "Mapping[str, str]") -> None:
    """Write ``files`` (name → text) as the set in the folder ``out``, which holds only what
    grade writes: a link in it, or a file grade does not write, is refused (ValueError) and
    nothing is changed. Any failure (OSError: a full disk) leaves ``out`` as it was."""
    with Staging(out) as staging:
        for name, text in files.items():
            staging.write(name, text)


class Staging:
    """A set being written, file by file, into a fresh folder beside ``out``; published as one
    when the ``with`` block ends without an error (``publish`` says what that guarantees), and
    removed, publishing nothing, when it ends with one."""

    def __init__(self, out: "str | os.PathLike[str]") -> None:
        self.out = out = pathlib.Path(out)
        if out.is_symlink():
            raise ValueError(f"{printable(str(out))}: --out is a symbolic link; refused")
        recover(out)
        self.parent = parent = out.absolute().parent
        # NOTE: the folders made for it go again with a run that publishes nothing
        self._made = [p for p in (parent, *parent.parents) if not p.exists()]
        parent.mkdir(parents=True, exist_ok=True)
        self.folder = pathlib.Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=parent))
        self._folders = {self.folder}
        self._streamed = []

    def write(self, name: str, text: str, replace: bool = False) -> None:
        """Add the file ``name`` (a path inside the set) holding ``text``; ``replace``: the
        file may have been written before, and this text replaces it."""
        path = self.folder / name
        if path.parent not in self._folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(path.parent)
        data = text.encode("utf-8")
        # NOTE: not synced one by one: the whole set is synced once, before the swap
        try:
            write_new(path, data, flush=_SYNC is None)
        except FileExistsError:
            if not replace:
                raise
            os.unlink(path)
            write_new(path, data, flush=_SYNC is None)

    def open(self, name: str) -> TextIO:
        """A new file ``name`` in the set, opened for writing text (UTF-8), for a file written
        in pieces; flushed with the rest before the swap."""
        self._streamed.append(self.folder / name)
        return open(self.folder / name, "x", encoding="utf-8")

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None:
            self._discard()
            return
        try:
            self._publish()
        except BaseException:
            self._discard()
            raise

    def _publish(self):
        out, fresh, parent = self.out, self.folder, self.parent
        _check(out)
        if _SYNC is not None:
            _SYNC()                         # every file of the set on disk before it is swapped in
        else:
            for path in self._streamed:
                _sync(path)
        old = None
        if not out.exists():
            os.rename(fresh, out)
        elif exchange(fresh, out):
            old = fresh                     # it now holds the previous set
        else:
            old = pathlib.Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent))
            os.rename(out, old / "out")
            os.rename(fresh, out)
        _sync(parent)
        if old is not None:
            shutil.rmtree(old)

    def _discard(self):
        shutil.rmtree(self.folder, ignore_errors=True)
        with contextlib.suppress(Exception):
            recover(self.out)       # the previous set back at once, if it was moved aside
        for folder in self._made:
            with contextlib.suppress(OSError):
                folder.rmdir()      # only while empty


def recover(out: "str | os.PathLike[str]") -> None:
    """Put right what an interrupted run left beside ``out``: the previous set moved aside
    goes back when ``out`` is missing; a set never published, or one already replaced, is
    removed. Something else under those names is refused (ValueError), untouched."""
    out = pathlib.Path(out)
    parent = out.absolute().parent
    prefixes = (f".{out.name}.old-", f".{out.name}.new-")
    try:
        found = [p for p in parent.iterdir() if p.name.startswith(prefixes)]
    except (FileNotFoundError, NotADirectoryError):
        return
    for path in found:
        if path.is_symlink() or not path.is_dir():
            raise ValueError(f"{printable(str(path))}: beside --out, under the name of a folder "
                             f"stepgrad grade uses while it writes, but not one; refused: move "
                             f"it away")
    # NOTE: newest first: were two runs interrupted in turn, the later one's previous set is
    # the one last published
    found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for path in found:
        held = path / "out"
        if path.name.startswith(prefixes[0]) and not os.path.lexists(out) \
                and held.is_dir() and not held.is_symlink():
            os.rename(held, out)
        shutil.rmtree(path)


def _check(out):
    if not out.exists():
        return
    if not out.is_dir():
        raise ValueError(f"{printable(str(out))}: --out is not a folder")
    for child in out.iterdir():
        if child.name not in OUTPUTS or child.is_symlink() or (
                child.name == "reports" and not child.is_dir()):
            raise ValueError(f"{printable(str(child))}: --out holds what stepgrad grade "
                             f"does not write (or a link); refused: use another --out")
    for child in (out / "reports").rglob("*") if (out / "reports").is_dir() else ():
        if child.is_symlink() or child.is_dir():
            raise ValueError(f"{printable(str(child))}: a link or folder in --out/reports; "
                             f"refused")


def _sync(folder):
    """Flush the folder's entries (or a file) to disk, so the new set survives a power cut as
    well."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass            # a file system that cannot sync a folder: the renames still hold
    finally:
        os.close(handle)
