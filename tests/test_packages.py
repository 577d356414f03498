"""_stepgrad_packages: a student's autodiff.py or nn.py beside their work, another distribution's
package of the same name, or a file an uninstall took, is named with what to do, not a riddle."""

import base64
import hashlib
import json
import os
import pathlib
import shutil
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


# ---- another distribution's package of the same name, and files an uninstall took ----------------
# Each test works on a copy of stepgrad's files in a temporary folder (the real tree is never
# changed): laid out as pip lays out a wheel (a site folder with stepgrad's dist-info and RECORD),
# or as a checkout; and a fake distribution, a dist-info whose RECORD lists its files.

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("autodiff", "nn", "viz", "lecture", "stepgrad")


def copy_stepgrad(folder):
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "_stepgrad_packages.py", folder)
    for name in PACKAGES:
        shutil.copytree(ROOT / name, folder / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return folder


def record_line(site, path):
    data = path.read_bytes()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path.relative_to(site).as_posix()},sha256={digest},{len(data)}"


def add_distribution(site, name, version, files, direct_url=None):
    """A distribution ``name`` in ``site``, as pip leaves it: its files (path: text), written over
    whatever is there, and NAME-VERSION.dist-info with METADATA and a RECORD listing them."""
    info = site / f"{name}-{version}.dist-info"
    info.mkdir()
    for relative, text in files.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(text)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "INSTALLER").write_text("pip\n")
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url))
    lines = [record_line(site, site / relative) for relative in files]
    lines += [record_line(site, info / part) for part in sorted(p.name for p in info.iterdir())]
    (info / "RECORD").write_text("\n".join(lines + [f"{info.name}/RECORD,,"]) + "\n")


def install_stepgrad(site):
    """stepgrad in ``site`` as `pip install <checkout>` (not editable) leaves it."""
    copy_stepgrad(site)
    files = {path.relative_to(site).as_posix(): path.read_text()
             for path in sorted(site.rglob("*")) if path.is_file()}
    add_distribution(site, "stepgrad", "0.1.0", files,
                     direct_url={"url": ROOT.as_uri(), "dir_info": {}})
    return site


def python_with(path, code, tmp_path):
    """Python with ``path`` first on sys.path (PYTHONPATH), in an empty working folder."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(p) for p in path))
    return subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True,
                          text=True)


def error_line(done):
    assert done.returncode == 1, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: "), done.stderr
    assert "internal error" not in done.stderr
    return last.removeprefix("ImportError: ")


PIP = f"{sys.executable} -m pip"
RESTART = "then restart Python (or the Jupyter kernel)"


def test_an_installed_stepgrad_whole_is_quiet(tmp_path):
    site = install_stepgrad(tmp_path / "site")
    done = python_with([site], "import viz, nn, lecture; from stepgrad.cli import main; "
                               "import _stepgrad_packages as p; print(p.HOME)", tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{site}\n"


def test_another_distributions_package_found_first_is_named_with_its_uninstall(tmp_path):
    # Like `pip install viz` beside an editable stepgrad: its viz/ comes first on sys.path.
    site = tmp_path / "site"
    site.mkdir()
    add_distribution(site, "viz", "0.0.5", {"viz/__init__.py": "ANSWER = 42\n",
                                            "viz/core.py": "\n"})
    message = error_line(python_with([site, ROOT], "from stepgrad.cli import main", tmp_path))
    assert message == (
        f"{site / 'viz'}, of the installed distribution viz 0.0.5, hides stepgrad's package "
        f"'viz' ({ROOT / 'viz'}): both are named 'viz' and Python finds viz's first. Remove it "
        f"with `{PIP} uninstall -y viz`, {RESTART}; to use both, give each its own virtual "
        f"environment.")


def test_a_module_file_of_another_distribution_is_named_too(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    add_distribution(site, "nn-tools", "1.2", {"nn.py": "X = 1\n"})
    message = error_line(python_with([site, ROOT], "import lecture", tmp_path))
    assert message.startswith(f"{site / 'nn.py'}, of the installed distribution nn-tools 1.2, "
                              f"hides stepgrad's package 'nn' ({ROOT / 'nn'}): ")
    assert f"`{PIP} uninstall -y nn-tools`" in message


def test_a_distribution_written_over_an_installed_stepgrad_is_named_with_the_repair(tmp_path):
    # Like `pip install viz` after a (non-editable) `pip install .`: same folder, its __init__.py.
    site = install_stepgrad(tmp_path / "site")
    add_distribution(site, "viz", "0.0.5", {"viz/__init__.py": "ANSWER = 42\n"})
    message = error_line(python_with([site], "from stepgrad.cli import main", tmp_path))
    assert message == (
        f"the distribution viz 0.0.5, installed after stepgrad, wrote its files over stepgrad's "
        f"package 'viz' ({site / 'viz'}: __init__.py): both are named 'viz'. Repair with "
        f"`{PIP} uninstall -y viz && {PIP} install --force-reinstall --no-deps {ROOT}`, "
        f"{RESTART}; to use both, give each its own virtual environment.")


def test_after_uninstalling_viz_and_nn_the_missing_init_is_named_once(tmp_path):
    # `pip uninstall viz nn` after the above: their RECORDs took stepgrad's __init__.py files.
    site = install_stepgrad(tmp_path / "site")
    (site / "viz" / "__init__.py").unlink()
    (site / "nn" / "__init__.py").unlink()
    message = error_line(python_with([site], "from stepgrad.cli import main", tmp_path))
    assert message == (
        f"stepgrad's package 'nn' ({site / 'nn'}) is missing its __init__.py: removed, probably "
        f"by uninstalling another distribution that uses the name 'nn' (as `pip uninstall nn` "
        f"does). Reinstall stepgrad with `{PIP} install --force-reinstall --no-deps {ROOT}`, "
        f"{RESTART}.")
    assert message.count(str(site / "nn")) == 1 and "hides" not in message
    (site / "nn" / "__init__.py").write_text((ROOT / "nn" / "__init__.py").read_text())
    message = error_line(python_with([site], "from stepgrad.cli import main", tmp_path))
    assert message.startswith(f"stepgrad's package 'viz' ({site / 'viz'}) is missing its "
                              f"__init__.py: ")


def test_several_missing_files_are_listed(tmp_path):
    site = install_stepgrad(tmp_path / "site")
    gone = sorted(p.name for p in (site / "viz").glob("*.py"))
    for name in gone:
        (site / "viz" / name).unlink()
    message = error_line(python_with([site], "from stepgrad.cli import main", tmp_path))
    assert message.startswith(f"stepgrad's package 'viz' ({site / 'viz'}) is missing "
                              f"{', '.join(gone[:3])} and {len(gone) - 3} more: removed, ")


def test_a_changed_file_no_distribution_claims_is_said_so(tmp_path):
    site = install_stepgrad(tmp_path / "site")
    with open(site / "viz" / "__init__.py", "a") as file:
        file.write("# edited\n")
    message = error_line(python_with([site], "from stepgrad.cli import main", tmp_path))
    assert message == (
        f"stepgrad's package 'viz' ({site / 'viz'}) has files that differ from the ones stepgrad "
        f"installed (__init__.py), and no installed distribution claims them. Reinstall stepgrad "
        f"with `{PIP} install --force-reinstall --no-deps {ROOT}`, {RESTART}.")


@pytest.mark.parametrize("git", [False, True])
def test_a_checkout_missing_an_init_says_how_to_restore_it(tmp_path, git):
    source = copy_stepgrad(tmp_path / "source")
    if git:
        (source / ".git").mkdir()
    (source / "viz" / "__init__.py").unlink()
    message = error_line(python_with([source], "from stepgrad.cli import main", tmp_path))
    fix = (f"Restore it with `git -C {source} checkout -- viz/__init__.py`" if git
           else "Restore it from stepgrad's source")
    assert message == (
        f"stepgrad's package 'viz' ({source / 'viz'}) is missing its __init__.py: removed, "
        f"probably by uninstalling another distribution that uses the name 'viz' (as `pip "
        f"uninstall viz` does). {fix}, {RESTART}.")


def test_a_student_file_earlier_on_sys_path_is_named_with_where_it_comes_from(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "autodiff.py").write_text("print('a student file')\n")
    message = error_line(python_with([other, ROOT], "import viz", tmp_path))
    assert message == (
        f"the file {other / 'autodiff.py'} hides stepgrad's package 'autodiff' "
        f"({ROOT / 'autodiff'}): Python finds it first because its folder {other} comes before "
        f"stepgrad's on sys.path (through PYTHONPATH or a .pth file). Rename it, for example to "
        f"my_autodiff.py, {RESTART}.")
