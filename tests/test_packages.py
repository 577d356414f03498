"""_stepgrad_packages: a student's autodiff.py or nn.py beside their work is named, not a riddle."""

import subprocess
import sys

import pytest

from _stepgrad_packages import HOME, require


def python_in(folder, code):
    return subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True,
                          text=True)


@pytest.mark.parametrize("shadow, code", [
    ("autodiff.py", "import viz"),
    ("autodiff.py", "import nn"),
    ("autodiff.py", "from stepgrad.cli import main"),
    ("nn.py", "from stepgrad.cli import main"),
    ("viz.py", "from stepgrad.cli import main"),
])
def test_a_file_that_hides_a_package_is_named_with_what_to_do(tmp_path, shadow, code):
    (tmp_path / shadow).write_text("print('a student file')\n")
    done = python_in(tmp_path, code)
    package = shadow.removesuffix(".py")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last == (f"ImportError: the file {tmp_path / shadow} hides stepgrad's package "
                    f"{package!r} ({HOME / package}): Python finds it first because it sits in "
                    f"the working folder (or the script's). Rename it, for example to "
                    f"my_{shadow}, then restart Python (or the Jupyter kernel).")


def test_a_folder_that_hides_a_package_is_named_too(tmp_path):
    (tmp_path / "autodiff").mkdir()
    done = python_in(tmp_path, "import viz")
    assert done.returncode == 1
    assert f"the folder {tmp_path / 'autodiff'} hides stepgrad's package 'autodiff'" in done.stderr


def test_no_complaint_without_a_shadow_and_a_students_own_nn_is_theirs(tmp_path):
    assert python_in(tmp_path, "import viz, nn, lecture; from stepgrad.cli import main").returncode == 0
    (tmp_path / "nn.py").write_text("LAYERS = 3\n")
    done = python_in(tmp_path, "import autodiff, viz, nn; print(nn.LAYERS)")
    assert done.returncode == 0 and done.stdout == "3\n"


def test_require_in_process():
    require("autodiff", "nn", "lecture", "viz", "stepgrad")
    require("a_package_that_does_not_exist")      # missing: the import itself will say so
