"""A graded class's files published as one set: the output folder holds the whole of one run or
of the run before, never a mix and never nothing, whether a run fails, fills the disk or is
killed at any point.

A run writes every file into a fresh folder beside the output folder, ``.NAME.new-XXXX``, then
swaps the two in one step (Linux's renameat2) and removes the previous set. Where the system
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

from stepgrad._ground import exchange, printable, write_atomic

__all__ = ["OUTPUTS", "publish", "recover"]

OUTPUTS = ("gradebook.csv", "gradebook.json", "summary.md", "moodle.csv", "canvas.csv", "reports")


def publish(out: "str | os.PathLike[str]", files: "Mapping[str, str]") -> None:
    """Write ``files`` (name → text) as the set in the folder ``out``, which holds only what
    grade writes: a link in it, or a file grade does not write, is refused (ValueError) and
    nothing is changed. Any failure (OSError: a full disk) leaves ``out`` as it was."""
    out = pathlib.Path(out)
    if out.is_symlink():
        raise ValueError(f"{printable(str(out))}: --out is a symbolic link; refused")
    recover(out)
    _check(out)
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    fresh = pathlib.Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=parent))
    try:
        for name, text in files.items():
            write_atomic(fresh / name, text.encode("utf-8"))
        if not out.exists():
            os.rename(fresh, out)
        elif exchange(fresh, out):
            shutil.rmtree(fresh)            # it now holds the previous set
        else:
            old = pathlib.Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent))
            os.rename(out, old / "out")
            os.rename(fresh, out)
            shutil.rmtree(old)
        _sync(parent)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        with contextlib.suppress(Exception):
            recover(out)        # the previous set back at once, if it was moved aside
        raise


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
    """Flush the folder's entries to disk, so the new set survives a power cut as well."""
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
