"""The Makefile: a Python too old is said in one line before any venv; each target installs its own."""

import pathlib
import shutil
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None or not pathlib.Path("/bin/sh").exists(),
                                reason="needs make and /bin/sh")

# An old python3: answers --version like Python 3.10 and fails any other call (the -c check).
OLD = '#!/bin/sh\ncase "$1" in --version) echo "Python 3.10.12";; *) exit 1;; esac\n'


def shim(folder, name, text):
    path = folder / name
    path.write_text(text)
    path.chmod(0o755)


def make(tmp_path, path, *args):
    """make in the real tree, with PATH only `path` (so no python but the shims), and a venv
    folder in tmp_path (so that nothing in the tree changes)."""
    return subprocess.run([MAKE, f"VENV={tmp_path / 'venv'}", *args],
                          env={"PATH": str(path), "HOME": str(tmp_path)}, cwd=ROOT,
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("target", ["demo", "test", "lab", "bench"])
def test_an_old_python3_and_no_newer_one_is_one_line_before_any_venv(tmp_path, target):
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    shim(bin_, "python3", OLD)
    start = time.monotonic()
    done = make(tmp_path, bin_, target)
    assert time.monotonic() - start < 5
    assert done.returncode != 0
    assert done.stdout == ""
    ours = [line for line in done.stderr.splitlines() if not line.startswith("make: ")]
    assert ours == [
        "stepgrad needs Python 3.11 or newer, but python3 is Python 3.10.12, and PATH has no "
        "python3.11 ... python3.14: install one (apt install python3.11-venv, brew install "
        "python@3.12, or python.org) and run make again, or make PYTHON=/path/to/python3.11"]
    assert not (tmp_path / "venv").exists()


def test_no_python3_at_all_is_said_too(tmp_path):
    done = make(tmp_path, tmp_path, "demo")
    assert done.returncode != 0
    assert done.stderr.startswith("stepgrad needs Python 3.11 or newer, but python3 is missing, ")
    assert not (tmp_path / "venv").exists()


def test_an_explicit_python_too_old_is_named(tmp_path):
    old = tmp_path / "python3.10"
    shim(tmp_path, "python3.10", OLD)
    done = make(tmp_path, tmp_path, f"PYTHON={old}", "demo")
    assert done.returncode != 0
    assert done.stderr.startswith(f"stepgrad needs Python 3.11 or newer, but {old} is Python "
                                  f"3.10.12: install one")


def test_a_newer_python3_1x_is_picked_when_python3_is_old(tmp_path):
    shim(tmp_path, "python3", OLD)
    shim(tmp_path, "python3.12", f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    done = make(tmp_path, tmp_path, "-n", "demo")
    assert done.returncode == 0, done.stderr
    assert f"python3.12 -m venv {tmp_path / 'venv'}" in done.stdout.splitlines()


def _plan(tmp_path, target):
    """The commands `make -n target` would run with a fresh venv folder."""
    bin_ = tmp_path / "bin"
    bin_.mkdir(exist_ok=True)
    shim(bin_, "python3", f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    done = subprocess.run([MAKE, "-n", f"VENV={tmp_path / 'venv'}", target],
                          env={"PATH": f"{bin_}:/usr/bin:/bin", "HOME": str(tmp_path)},
                          cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_demo_installs_the_package_alone_and_says_what_comes_next(tmp_path):
    plan = _plan(tmp_path, "demo")
    assert f"{tmp_path / 'venv'}/bin/pip install -q -e ." in plan.splitlines()
    assert "torch" not in plan and "[test]" not in plan
    assert "--no-install-recommends graphviz" in plan
    assert ". " + str(tmp_path / "venv") + "/bin/activate" in plan
    assert "stepgrad --help" in plan and "make lab" in plan


def test_test_installs_the_test_extra_and_never_torch(tmp_path):
    plan = _plan(tmp_path, "test")
    assert f"{tmp_path / 'venv'}/bin/pip install -q -e '.[test]'" in plan.splitlines()
    assert "torch" not in plan
    assert "--no-install-recommends chromium chromium-driver" in plan


def test_lab_installs_the_notebook_extra_and_opens_the_examples(tmp_path):
    plan = _plan(tmp_path, "lab").splitlines()
    assert f"{tmp_path / 'venv'}/bin/pip install -q -e '.[notebook]'" in plan
    assert plan[-1] == f"{tmp_path / 'venv'}/bin/jupyter lab examples/"


def test_the_notebook_extra_is_declared():
    import configparser
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    notebook = config["options.extras_require"]["notebook"].split()
    assert {r.split(">")[0] for r in notebook} == {"jupyterlab", "ipywidgets", "matplotlib",
                                                   "ipykernel"}
    assert "torch" not in config["options.extras_require"]["test"]
