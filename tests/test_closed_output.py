"""Output nobody reads: stdout on a full disk, closed, or a pipe whose reader has gone (| head -1).
The command still ends with its own status (the files it writes are its result), with no
traceback; run as real processes, since it is the process's descriptors that are closed."""

import os
import pathlib
import subprocess
import sys

import pytest
from classes import grade_argv, hand_in, make_class
from measured import ENV

ROOT = pathlib.Path(__file__).resolve().parent.parent
DERIVATION = ROOT / "examples" / "derivations" / "section7_mistakes.toml"
STEPGRAD = [sys.executable, "-m", "stepgrad"]


STUDENTS = ("s1", "s2", "s3", "s4", "s5", "s6")


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """Five students of six hand in (status 1): gradebook.json is longer than a pipe holds
    (64 KiB on Linux), and so is the check of a file with 2,000 values."""
    root = make_class(tmp_path_factory.mktemp("klass"), STUDENTS)
    hand_in(root, STUDENTS[:5])
    (root / "long.toml").write_text('problem = "section7"\n' + "".join(
        f"[answers.e{k}]\no4 = 0.9\n" for k in range(2000)))
    return root


def shell(command, *argv):
    """``argv`` run by sh with ``command`` after it (a redirection): (status, stderr)."""
    done = subprocess.run(["sh", "-c", f'"$@" {command}', "sh", *argv], env=ENV,
                          stdout=subprocess.DEVNULL if ">" not in command else None,
                          stderr=subprocess.PIPE, text=True, timeout=120)
    return done.returncode, done.stderr


def published(out):
    return (out / "gradebook.csv").read_text().count("\n") == 1 + len(STUDENTS) and \
        len(list((out / "reports").iterdir())) == 2 * len(STUDENTS)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_a_full_disk_under_stdout_keeps_the_status(klass, tmp_path):
    out = tmp_path / "grades"
    status, err = shell("> /dev/full", *STEPGRAD, *grade_argv(klass, out))
    assert status == 1 and published(out)
    assert "Traceback" not in err and err.count("\n") == 1
    assert "could not be written (No space left on device); exit status 1 stands" in err
    status, err = shell("> /dev/full", *STEPGRAD, "check", str(DERIVATION))
    assert status == 1 and "Traceback" not in err        # 1: the derivation has mistakes


@pytest.mark.parametrize("argv", [["grade"], ["grade", "--json"], ["check"]])
def test_a_closed_stdout_keeps_the_status(argv, klass, tmp_path):
    out = tmp_path / "grades"
    command = [*grade_argv(klass, out), *argv[1:]] if argv[0] == "grade" else ["check",
                                                                                str(DERIVATION)]
    status, err = shell(">&-", *STEPGRAD, *command)
    assert status == 1 and err == ""
    if argv[0] == "grade":
        assert published(out)
        # NOTE: fd 1 was closed: no file of the set may have taken its number and the output
        assert "students graded" not in (out / "gradebook.csv").read_text()


@pytest.mark.parametrize("command", ["grade --json", "check"])
def test_a_reader_gone_keeps_the_status(command, klass, tmp_path):
    out = tmp_path / "grades"
    argv = [*grade_argv(klass, out), "--json"] if command == "grade --json" else [
        "check", str(klass / "long.toml")]
    with subprocess.Popen([*STEPGRAD, *argv], env=ENV, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as run:
        # | head -1: one line read, then the pipe closed (grade: closed before it prints)
        first = run.stdout.readline() if command == "check" else b"-"
        run.stdout.close()
        err = run.stderr.read().decode()
        status = run.wait(timeout=120)
    assert first and status == 1 and err == ""   # 1: s6 has no file; the values are wrong
    if command == "grade --json":
        assert published(out)
