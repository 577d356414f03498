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
