"""A graded class is published as one set: whatever point a run is stopped at (an error, a full
disk, kill -9), --out holds the whole of one run or of the run before, and the next run puts
right what was left beside it."""

import csv
import errno
import io
import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap

import pytest
from classes import grade_argv, hand_in, make_class
from measured import ENV

from stepgrad._ground import files as ground_files
from stepgrad.classroom import publishing, recover, report_stem
from stepgrad.cli import main

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run_set(tag, students):
    """A set of outputs as grade writes them: a gradebook row and two reports per student."""
    files = {"gradebook.csv": "student,status\n" + "".join(f"{s},{tag}\n" for s in students),
             "summary.md": f"# {tag}\n"}
    for s in students:
        files[f"reports/{s}.md"] = f"{s} {tag}\n"
        files[f"reports/{s}.html"] = f"<p>{s} {tag}</p>\n"
    return files


A = run_set("run A", ["s1", "s2", "s3"])
B = run_set("run B", ["s1", "s4"])
C = run_set("run C", ["s5"])


def tree(out):
    return {str(p.relative_to(out)): p.read_text() for p in sorted(out.rglob("*")) if p.is_file()}


def leftovers(out):
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def agree(out):
    """gradebook.csv and reports/ name the same students (the set is whole)."""
    rows = {r["student"] for r in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))
            if r["student"]}
    reports = {p.stem for p in (out / "reports").iterdir()}
    return reports == {report_stem(s) for s in rows}


class Killed(BaseException):
    """Stands for kill -9: raised at one point, after which nothing runs (no clean-up)."""


class Stop:
    """The point a run is stopped at: ``at`` wraps a step to raise Killed on its ``count``-th
    call; ``guard`` wraps a clean-up step to do nothing once killed."""

    def __init__(self):
        self.killed = False

    def at(self, real, count=1):
        calls = []

        def step(*args, **kwargs):
            calls.append(1)
            if len(calls) == count:
                self.killed = True
                raise Killed()
            return real(*args, **kwargs)
        return step

    def guard(self, real):
        def step(*args, **kwargs):
            return None if self.killed else real(*args, **kwargs)
        return step


def _writing(mp, stop):
    mp.setattr(publishing, "write_new", stop.at(publishing.write_new, 3))


def _swap(mp, stop):
    mp.setattr(publishing, "exchange", stop.at(publishing.exchange))


def _after_swap(mp, stop):
    mp.setattr(publishing.shutil, "rmtree", stop.at(publishing.shutil.rmtree))


def _between_renames(mp, stop):
    mp.setattr(publishing, "exchange", lambda a, b: False)
    mp.setattr(publishing.os, "rename", stop.at(publishing.os.rename, 2))


def _after_renames(mp, stop):
    mp.setattr(publishing, "exchange", lambda a, b: False)
    mp.setattr(publishing.shutil, "rmtree", stop.at(publishing.shutil.rmtree))


def _at_sync(mp, stop):
    mp.setattr(publishing, "_sync", stop.at(publishing._sync))


# each point, and the set --out holds once the run is stopped there (None: no --out)
POINTS = {"while writing": (_writing, A), "at the swap": (_swap, A),
          "after the swap": (_after_swap, B), "between the two renames": (_between_renames, None),
          "after the two renames": (_after_renames, B), "at the sync": (_at_sync, B)}


@pytest.mark.parametrize("point", POINTS)
def test_a_run_stopped_at_any_point_leaves_one_whole_set(point, tmp_path, monkeypatch):
    out = tmp_path / "grades"
    publishing.publish(out, A)
    stop_at, expected = POINTS[point]
    stop = Stop()
    with monkeypatch.context() as mp:
        stop_at(mp, stop)
        mp.setattr(publishing.shutil, "rmtree", stop.guard(publishing.shutil.rmtree))
        mp.setattr(publishing, "recover", stop.guard(publishing.recover))
        with pytest.raises(Killed):
            publishing.publish(out, B)
    assert stop.killed
    if expected is None:            # the one window of the fallback's two renames: no --out,
        assert not out.exists() and leftovers(out)
    else:
        assert tree(out) == tree_of(expected) and agree(out)
    recover(out)                    # which the next run puts back before anything else
    assert tree(out) == tree_of(expected or A) and agree(out)
    assert leftovers(out) == []
    publishing.publish(out, C)
    assert tree(out) == tree_of(C) and leftovers(out) == []


def tree_of(files):
    return dict(sorted(files.items()))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_on_linux_the_swap_is_one_step(tmp_path, monkeypatch):
    out = tmp_path / "grades"
    publishing.publish(out, A)

    def no_rename(*args):
        raise AssertionError("a rename: a moment without --out")
    monkeypatch.setattr(publishing.os, "rename", no_rename)
    publishing.publish(out, B)
    assert tree(out) == tree_of(B) and leftovers(out) == []


# a run of publish in a process of its own, which stops (and says so) at the step named
KILLED_RUN = textwrap.dedent("""
    import json, os, sys, time
    from stepgrad.classroom import publishing
    out, where, files = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    def stop(real, count):
        calls = []
        def step(*args, **kwargs):
            calls.append(1)
            result = real(*args, **kwargs)
            if len(calls) == count:
                print("stopped", flush=True)
                time.sleep(120)
            return result
        return step
    if where == "between the two renames":
        publishing.exchange = lambda a, b: False
        os.rename = stop(os.rename, 1)
    else:
        publishing.write_new = stop(publishing.write_new, 2)
    publishing.publish(out, files)
""")


@pytest.mark.parametrize("where", ["while writing", "between the two renames"])
def test_kill_9_loses_no_published_set(where, tmp_path):
    out = tmp_path / "grades"
    publishing.publish(out, A)
    with subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(out), where, json.dumps(B)],
                          stdout=subprocess.PIPE, env=ENV, text=True) as run:
        try:
            assert run.stdout.readline() == "stopped\n"
        finally:
            run.send_signal(signal.SIGKILL)
        assert run.wait(timeout=60) == -signal.SIGKILL
    assert leftovers(out)                   # what the killed run left beside --out
    if where == "while writing":
        assert tree(out) == tree_of(A) and agree(out)
    else:
        assert not out.exists()
    # the next run, even one that fails on its input, puts things right first
    assert main(["grade", "--key", str(tmp_path / "no-keys"), str(tmp_path), "--out", str(out)]) == 2
    assert tree(out) == tree_of(A) and agree(out) and leftovers(out) == []


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """Three students' exercises and keys, and each student's right answers handed in."""
    root = make_class(tmp_path_factory.mktemp("klass"))
    hand_in(root, ("s1", "s2", "s3"))
    return root


def test_a_full_disk_is_exit_2_and_publishes_nothing(klass, tmp_path, monkeypatch, capsys):
    out = tmp_path / "grades"
    assert main(grade_argv(klass, out)) == 0 and agree(out)
    before = tree(out)
    calls, write_all = [], ground_files._write_all

    def full(handle, data):         # the fourth file finds the disk full
        calls.append(1)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return write_all(handle, data)
    monkeypatch.setattr(ground_files, "_write_all", full)
    assert main(grade_argv(klass, out)) == 2 and len(calls) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and "Traceback" not in err
    assert tree(out) == before and agree(out) and leftovers(out) == []


@pytest.mark.parametrize("plant", ["reports", "reports/s9.md", "summary.md", ".grades.new-x"])
def test_a_link_planted_in_or_beside_out_is_refused(plant, klass, tmp_path, capsys):
    out = tmp_path / "grades"
    assert main(grade_argv(klass, out)) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.md").write_text("not the grader's")
    link = (out / plant) if not plant.startswith(".") else (tmp_path / plant)
    if link.exists():
        os.rename(link, tmp_path / "moved-away")
    os.symlink(elsewhere, link)
    before = tree(out) if plant != "reports" else None
    assert main(grade_argv(klass, out)) == 2
    assert "refused" in capsys.readouterr().err
    assert [p.name for p in elsewhere.iterdir()] == ["keep.md"]
    assert (elsewhere / "keep.md").read_text() == "not the grader's"
    assert link.is_symlink()
    if before is not None:
        assert tree(out) == before
