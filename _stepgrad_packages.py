"""Telling a student's ``autodiff.py`` or ``nn.py`` apart from stepgrad's packages of that name."""

import importlib.util
import os
import pathlib

__all__ = ["HOME", "require"]

HOME = pathlib.Path(__file__).resolve().parent   # stepgrad's packages sit beside this file


def require(*names):
    """ImportError, saying which file hides which package and what to do, if one of stepgrad's
    packages ``names`` would be imported from anywhere but ``HOME``.

    Python looks in the working folder (or the script's) first, so a file ``autodiff.py``,
    ``nn.py``, ``viz.py`` or ``lecture.py`` there, or a folder of that name, hides the package,
    and the import that follows fails with "cannot import name 'CONST'". Call this before
    importing the packages ``names``.
    """
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue   # not found at all: the import itself says so
        if spec.origin is not None and _same_file(spec.origin, HOME / name / "__init__.py"):
            continue
        if spec.submodule_search_locations:
            kind, found = "folder", next(iter(spec.submodule_search_locations))
        else:
            kind, found = "file", spec.origin
        raise ImportError(
            f"the {kind} {found} hides stepgrad's package {name!r} ({HOME / name}): Python finds "
            f"it first because it sits in the working folder (or the script's). Rename it, for "
            f"example to my_{name}{'.py' if kind == 'file' else ''}, then restart Python (or the "
            f"Jupyter kernel).", name=name, path=str(found))


def _same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
