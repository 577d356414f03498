"""Telling stepgrad's packages apart from what hides or damages them: a student's ``autodiff.py``
or ``nn.py`` beside their work, another distribution's package of the same name (PyPI has a
``viz`` and an ``nn``), or a file that uninstalling such a distribution took with it."""

import functools
import importlib.util
import json
import os
import pathlib
import sys

__all__ = ["HOME", "require"]

HOME = pathlib.Path(__file__).resolve().parent   # stepgrad's packages sit beside this file

_RESTART = "then restart Python (or the Jupyter kernel)"


def require(*names):
    """ImportError, saying what is wrong and what to do, if one of stepgrad's packages ``names``
    would not be imported from stepgrad's own, whole files in ``HOME``.

    Three causes, each with its own message: a file or folder of that name in the working folder
    (or the script's), which Python finds first; another installed distribution's package of that
    name, found first or written over stepgrad's files; a file of stepgrad's package that is gone
    (``pip uninstall viz`` removes the ``viz/__init__.py`` it wrote over stepgrad's). Call this
    before importing the packages ``names``.
    """
    for name in names:
        problem = _problem(name)
        if problem is not None:
            message, path = problem
            raise ImportError(message, name=name, path=str(path))


def _problem(name):
    """(message, path) for what keeps stepgrad's package ``name`` from importing, or None."""
    ours = HOME / name
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):   # a broken parent or a module without __spec__
        spec = None
    found = _location(spec)
    if found is not None and not _same_file(found, ours):
        owners = _owners(name, found)
        if owners:
            return _hidden_by_distribution(name, found, owners), found
        return _hidden_by_file(name, found, spec), found
    missing, changed = _damage(name)
    if spec is not None and spec.origin is not None and spec.origin != "namespace" \
            and not missing and not changed:
        return None
    if spec is None and not missing:
        return None   # not there at all, and never was: the import itself says so
    owners = _owners(name, ours)
    if changed and owners:
        return _written_over(name, changed, owners), ours
    if missing:
        return _missing(name, missing), ours
    return _changed(name, changed), ours


def _location(spec):
    """The folder of a package, the file of a module, or None (not found, built in)."""
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return pathlib.Path(next(iter(spec.submodule_search_locations)))
    if spec.has_location and spec.origin:
        return pathlib.Path(spec.origin)
    return None


def _hidden_by_file(name, found, spec):
    ours = HOME / name
    kind = "folder" if spec.submodule_search_locations else "file"
    rename = f"my_{name}{'' if kind == 'folder' else found.suffix}"
    if _is_near(found.parent):
        why = "it sits in the working folder (or the script's)"
    else:
        why = (f"its folder {found.parent} comes before stepgrad's on sys.path (through "
               f"PYTHONPATH or a .pth file)")
    return (f"the {kind} {found} hides stepgrad's package {name!r} ({ours}): Python finds it "
            f"first because {why}. Rename it, for example to {rename}, {_RESTART}.")


def _hidden_by_distribution(name, found, owners):
    dist = owners[0]
    steps = [f"{_pip()} uninstall -y {dist.name}"]
    if _install().kind == "installed":   # its uninstall may take files it shares with ours
        steps.append(_reinstall())
    return (f"{found}, of the installed distribution {dist.label}, hides stepgrad's package "
            f"{name!r} ({HOME / name}): both are named {name!r} and Python finds {dist.name}'s "
            f"first. Remove it with `{' && '.join(steps)}`, {_RESTART}; to use both, give each "
            f"its own virtual environment.")


def _written_over(name, changed, owners):
    dist = owners[0]
    return (f"the distribution {dist.label}, installed after stepgrad, wrote its files over "
            f"stepgrad's package {name!r} ({HOME / name}: {_listing(changed)}): both are named "
            f"{name!r}. Repair with `{_pip()} uninstall -y {dist.name} && {_reinstall()}`, "
            f"{_RESTART}; to use both, give each its own virtual environment.")


def _missing(name, missing):
    what = ("its __init__.py" if missing == ["__init__.py"]
            else f"{_listing(missing)}")
    cause = (f"probably by uninstalling another distribution that uses the name {name!r} (as "
             f"`pip uninstall {name}` does)")
    install = _install()
    if install.kind == "installed":
        fix = f"Reinstall stepgrad with `{_reinstall()}`"
    elif (HOME / ".git").exists():
        paths = " ".join(f"{name}/{file}" for file in missing)
        fix = f"Restore it with `git -C {HOME} checkout -- {paths}`"
    else:
        fix = "Restore it from stepgrad's source"
    return (f"stepgrad's package {name!r} ({HOME / name}) is missing {what}: removed, {cause}. "
            f"{fix}, {_RESTART}.")


def _changed(name, changed):
    return (f"stepgrad's package {name!r} ({HOME / name}) has files that differ from the ones "
            f"stepgrad installed ({_listing(changed)}), and no installed distribution claims "
            f"them. Reinstall stepgrad with `{_reinstall()}`, {_RESTART}.")


def _listing(files, most=3):
    shown = ", ".join(files[:most])
    return shown if len(files) <= most else f"{shown} and {len(files) - most} more"


# ---- what is installed where -------------------------------------------------------------------

class _Install:
    """How stepgrad's files in HOME got there: kind is "installed" (a wheel: HOME is a
    site-packages folder and ``dist``'s RECORD lists the files), "editable" (pip install -e) or
    "source" (a checkout on sys.path, not installed)."""

    def __init__(self, kind, dist=None, source=None):
        self.kind, self.dist, self.source = kind, dist, source


@functools.lru_cache(maxsize=None)
def _wheel():
    """stepgrad's distribution if it was installed from a wheel into HOME, else None. Looked up
    without importlib.metadata, which is slow to import, where there is no dist-info."""
    for info in sorted(HOME.glob("stepgrad-*.dist-info")):
        import importlib.metadata
        dist = importlib.metadata.PathDistribution(info)
        if any(str(file) == "_stepgrad_packages.py" and _same_file(dist.locate_file(file), __file__)
               for file in dist.files or ()):
            return dist
    return None


@functools.lru_cache(maxsize=None)
def _install():
    import importlib.metadata
    if _wheel() is not None:
        return _Install("installed", _wheel(), _source(_wheel()))
    try:
        dist = importlib.metadata.distribution("stepgrad")
    except importlib.metadata.PackageNotFoundError:
        return _Install("source")
    url = _direct_url(dist)
    if url.get("dir_info", {}).get("editable") and _same_file(_url_path(url.get("url")), HOME):
        return _Install("editable", dist, str(HOME))
    return _Install("source")


def _direct_url(dist):
    try:
        return json.loads(dist.read_text("direct_url.json") or "{}")
    except ValueError:
        return {}


def _url_path(url):
    if not url or not url.startswith("file:"):
        return None
    import urllib.parse
    import urllib.request
    return urllib.request.url2pathname(urllib.parse.urlparse(url).path)


def _source(dist):
    """What to give pip to install this stepgrad again: its folder, its archive, or its version."""
    url = _direct_url(dist)
    path = _url_path(url.get("url"))
    if path is not None and os.path.exists(path):
        return path
    if url.get("url") and "dir_info" not in url:
        return url["url"]
    return f"stepgrad=={dist.version}"


def _pip():
    return f"{sys.executable} -m pip"


def _reinstall():
    install = _install()
    editable = "-e " if install.kind == "editable" else ""
    return f"{_pip()} install --force-reinstall --no-deps {editable}{install.source or HOME}"


def _damage(name):
    """(missing, changed): files of stepgrad's package ``name`` that are gone, or whose size is not
    the one in stepgrad's RECORD (installed from a wheel); for a checkout, just __init__.py."""
    dist = _wheel()
    if dist is None:
        ours = HOME / name
        gone = ours.is_dir() and not (ours / "__init__.py").exists()
        return (["__init__.py"] if gone else []), []
    missing, changed = [], []
    for file in dist.files or ():
        if file.parts[:1] != (name,) or file.suffix == ".pyc":
            continue
        path = pathlib.Path(dist.locate_file(file))
        inner = "/".join(file.parts[1:])
        if not path.exists():
            missing.append(inner)
        elif file.size is not None and path.stat().st_size != file.size:
            changed.append(inner)
    return missing, changed


class _Owner:
    def __init__(self, dist):
        self.name = dist.metadata["Name"] or "?"
        self.label = f"{self.name} {dist.version}"


def _owners(name, where):
    """Installed distributions other than stepgrad that have a file at ``where`` or in it."""
    import importlib.metadata
    owners, seen = [], set()
    for dist in importlib.metadata.distributions():
        dist_name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if dist_name == "stepgrad" or dist_name in seen:
            continue
        for file in dist.files or ():
            if file.parts[:1] not in ((name,), (f"{name}.py",)):
                continue
            if _within(dist.locate_file(file), where):
                owners.append(_Owner(dist))
                seen.add(dist_name)
                break
    return owners


def _within(path, where):
    path, where = os.path.realpath(path), os.path.realpath(where)
    return path == where or path.startswith(where.rstrip(os.sep) + os.sep)


def _is_near(folder):
    """Whether ``folder`` is the working folder or the script's (sys.path[0])."""
    try:
        cwd = os.getcwd()
    except OSError:   # the working folder was removed
        cwd = None
    return any(_same_file(folder, near) for near in (cwd, (sys.path[:1] or [""])[0] or cwd))


def _same_file(a, b):
    try:
        return a is not None and os.path.samefile(a, b)
    except (OSError, TypeError):
        return False
