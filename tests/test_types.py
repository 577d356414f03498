"""pyright (basic mode, configured in pyproject.toml) finds no error in the public API.

Skips without pyright, except where CI is set: there it must be installed (the test extra).
"""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("autodiff", "nn", "viz", "lecture", "stepgrad")


def test_every_package_is_marked_typed():
    assert all((ROOT / package / "py.typed").is_file() for package in PACKAGES)


@pytest.mark.slow
def test_pyright_finds_no_error():
    pyright = shutil.which("pyright") or shutil.which("pyright", path=os.path.dirname(sys.executable))
    if pyright is None:
        if os.environ.get("CI"):
            pytest.fail("pyright is not installed (it belongs to the test extra)")
        pytest.skip("pyright is not installed")
    done = subprocess.run([pyright, "--pythonpath", sys.executable], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert done.stdout.startswith("0 errors") or "\n0 errors" in done.stdout


# The faces whose public API is annotated throughout.
ANNOTATED = ("autodiff", "nn", "viz", "stepgrad.stepping", "lecture", "stepgrad.classroom")


def _unannotated(qualname, function):
    """``qualname: parameters and -> missing`` for a function lacking annotations, else None."""
    import inspect
    hints = function.__annotations__
    parameters = list(inspect.signature(function).parameters.values())
    missing = [p.name for i, p in enumerate(parameters)
               if p.name not in hints and not (i == 0 and p.name in ("self", "cls"))]
    if "return" not in hints and function.__name__ != "__init__":
        missing.append("->")
    return f"{qualname}: {', '.join(missing)}" if missing else None


def _public_functions(package):
    """(qualname, function) for each function in ``__all__`` and each public method (or
    property, __init__, __call__) of a class there that the project defines."""
    import importlib
    import inspect
    face = importlib.import_module(package)
    for name in face.__all__:
        obj = getattr(face, name)
        if inspect.isfunction(obj):
            yield f"{package}.{name}", obj
        elif inspect.isclass(obj) and obj.__module__.split(".")[0] in PACKAGES:
            for attr, member in vars(obj).items():
                if attr.startswith("_") and attr not in ("__init__", "__new__", "__call__"):
                    continue
                member = getattr(member, "__func__", member)
                member = member.fget if isinstance(member, property) else member
                if inspect.isfunction(member) and member.__module__.split(".")[0] in PACKAGES:
                    yield f"{package}.{name}.{attr}", member


@pytest.mark.parametrize("package", ANNOTATED)
def test_the_public_api_is_annotated(package):
    missing = [m for m in (_unannotated(q, f) for q, f in _public_functions(package)) if m]
    assert not missing, "\n".join(missing)
