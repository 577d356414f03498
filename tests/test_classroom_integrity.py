"""A class built as a cheating student would: restated givens, copies, links, impersonation,
resubmissions. Each is flagged or refused, and none gains a mark."""

import csv
import errno
import io
import os
import sys

import pytest
from classes import files_in, grade_argv, make_class

from lecture import Catalog, Problem, load_problem
from lecture.engine import exact_values
from stepgrad.classroom import FLAG_COPY, FLAG_GIVENS, FLAG_SAME, grade, grading, load_keys, read_roster, workers
from stepgrad.cli import main

STUDENTS = [f"s{k}" for k in range(1, 13)]


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    return make_class(tmp_path_factory.mktemp("klass"), STUDENTS, seed=4242)


def _answers(root, student):
    """The key's [answers] lines of a student (right to 4 digits)."""
    text = (root / "class" / "keys" / student / "key.toml").read_text()
    return text[text.index("[answers]"):]


def _head(student, exercise_of=None, root=None):
    exercise_of = exercise_of or student
    text = (root / "class" / "keys" / exercise_of / "key.toml").read_text()
    exercise_id = text.split('id = "', 1)[1].split('"', 1)[0]
    return f'[exercise]\nid = "{exercise_id}"\nstudent = "{student}"\n\n'


def _exercise(root, student):
    return load_problem(root / "class" / "exercises" / student / "exercise.toml")


def _trivial(problem, eta=None, zero=True):
    """The values of ``problem`` with every weight, bias and input 0 (or only η changed)."""
    weights = {k: 0.0 for k in problem.weights} if zero else dict(problem.weights)
    examples = problem.examples
    if zero:
        examples = tuple(type(e)(tuple(0.0 for _ in e.x), e.t) if hasattr(e, "x") else e
                         for e in examples)
    changed = Problem(problem.title, problem.unit_names, problem.activations, weights,
                      examples, problem.eta if eta is None else eta, name="trivial")
    return changed, exact_values(changed, Catalog(changed))


def _write_values(values, names):
    return "[answers]\n" + "".join(f'{n} = "{values[n]:.4g}"\n' for n in names)


ASKED = None


def _asked(root):
    text = (root / "class" / "keys" / "s1" / "key.toml").read_text()
    block = text.split("asked = [", 1)[1].split("]", 1)[0]
    return [w.strip().strip('"') for w in block.replace("\n", " ").split(",") if w.strip()]


@pytest.fixture(scope="module")
def graded(klass):
    root = klass
    subs = root / "subs"
    subs.mkdir()
    asked = _asked(root)
    # s1: honest and right
    (subs / "s1.toml").write_text(_head("s1", root=root) + _answers(root, "s1"))
    # s2: every given rewritten as 0, the trivial values of that network
    problem = _exercise(root, "s2")
    changed, values = _trivial(problem)
    givens = "[weights]\n" + "".join(f"{k} = 0.0\n" for k in problem.weights
                                     if not k.startswith("b"))
    givens += "[biases]\n" + "".join(f"{k} = 0.0\n" for k in problem.weights if k.startswith("b"))
    (subs / "s2.toml").write_text(_head("s2", root=root) + givens + _write_values(values, asked))
    # s3: eta = 0 only
    changed, values = _trivial(problem := _exercise(root, "s3"), eta=0.0, zero=False)
    (subs / "s3.toml").write_text(_head("s3", root=root) + '[example]\neta = 0.0\n'
                                  + _write_values(values, asked))
    # s4: s1's whole file, only student changed
    (subs / "s4.toml").write_text(_head("s4", "s1", root) + _answers(root, "s1"))
    # s5: s1's numbers typed into s5's own file
    (subs / "s5.toml").write_text(_head("s5", root=root) + _answers(root, "s1"))
    # s6: a link to s6's own key
    os.symlink(root / "class" / "keys" / "s6" / "key.toml", subs / "s6.toml")
    # s7: named s7, but the header says s8 (impersonation); s8's real file
    (subs / "s7.toml").write_text(_head("s8", root=root) + _answers(root, "s8"))
    (subs / "s8.toml").write_text(_head("s8", root=root) + _answers(root, "s8"))
    # s9: resubmitted: the first attempt right, the second with one value wrong
    (subs / "s9.toml").write_text(_head("s9", root=root) + _answers(root, "s9"))
    wrong = _answers(root, "s9").replace('net4 = "', 'net4 = "9', 1)
    (subs / "s9 (1).toml").write_text(_head("s9", root=root) + wrong)
    # s10: a link to a folder outside
    os.symlink(root / "class" / "keys", subs / "s10")
    # s11: an id not on the roster (a typo in the header) in a file named nothing useful
    (subs / "answers.toml").write_text(_head("s111", "s11", root) + _answers(root, "s11"))
    book = grade(load_keys([root / "class" / "keys"]), [subs],
                 read_roster(root / "roster.csv"))
    return {r.student: r for r in book.results}, book


def test_the_honest_student_scores_full(graded):
    rows, _ = graded
    assert rows["s1"].status == "graded" and rows["s1"].percent == 100
    # s4 and s5 copied s1: s1 is told of it, and loses nothing (no value of s1's is carried)
    assert {(f, o) for f, o, _ in rows["s1"].flags} == {(FLAG_SAME, "s4")}


def test_rewritten_givens_earn_nothing_and_are_flagged(graded):
    rows, _ = graded
    for student in ("s2", "s3"):
        row = rows[student]
        assert row.status == "graded" and row.percent < 50, (student, row.percent)
        assert row.flags and row.flags[0][0] == FLAG_GIVENS


def test_copies_are_flagged_with_the_other_student_and_earn_no_more(graded):
    rows, _ = graded
    for student in ("s4", "s5"):
        row = rows[student]
        flags = {(f, o) for f, o, _ in row.flags}
        assert (FLAG_COPY, "s1") in flags, row.flags
        assert row.percent < 50
    assert any(f == FLAG_SAME for f, _, _ in rows["s1"].flags)


def test_links_are_refused_on_the_students_row(graded):
    rows, _ = graded
    for student in ("s6", "s10"):
        assert rows[student].status == "refused" and "symbolic link" in rows[student].message
        assert rows[student].score == 0


def test_impersonation_is_a_conflict_given_to_nobody(graded):
    rows, book = graded
    assert rows["s8"].status == "graded" and rows["s8"].path.endswith("s8.toml")
    assert rows["s7"].status == "missing"
    conflicts = [r for r in book.results if r.status == "conflict"]
    assert any("s7.toml" in r.path and "s8" in r.message for r in conflicts)
    assert any("s111" in r.message and "s11" in r.message for r in conflicts)
    assert rows["s11"].status == "missing"


def test_resubmissions_give_one_row_by_the_policy(graded, klass):
    rows, book = graded
    assert [r.student for r in book.results].count("s9") == 1
    assert rows["s9"].path.endswith("s9 (1).toml") and rows["s9"].percent < 100
    assert "not graded" in rows["s9"].notes[0] and "s9.toml" in rows["s9"].notes[0]
    root = klass
    for policy, full in (("first", True), ("best", True)):
        book = grade(load_keys([root / "class" / "keys"]), [root / "subs"],
                     read_roster(root / "roster.csv"), attempt=policy)
        row = next(r for r in book.results if r.student == "s9")
        assert (row.percent == 100) == full


def test_a_copying_slip_in_one_given_keeps_carried_credit(klass, tmp_path):
    root = klass
    problem = _exercise(root, "s12")
    name, value = next((k, v) for k, v in problem.weights.items() if v not in (0, 1) and
                       len(f"{v}") >= 3)
    text = f"{value}"
    slipped = text[:-1] + ("1" if text[-1] != "1" else "2")
    weights = dict(problem.weights)
    weights[name] = float(slipped)
    changed = Problem(problem.title, problem.unit_names, problem.activations, weights,
                      problem.examples, problem.eta, name="slip")
    values = exact_values(changed, Catalog(changed))
    table = "[biases]\n" if name.startswith("b") else "[weights]\n"
    (tmp_path / "s12.toml").write_text(_head("s12", root=root) + f"{table}{name} = {slipped}\n"
                                       + _write_values(values, _asked(root)))
    book = grade(load_keys([root / "class" / "keys"]), [tmp_path / "s12.toml"])
    (row,) = book.results
    assert not row.flags and row.notes and "copying slip" in row.notes[0]
    assert row.percent > 80


def test_the_command_writes_flags_and_a_report_per_id(graded, klass, tmp_path):
    root = klass
    out = tmp_path / "grades"
    status = main(["grade", "--key", str(root / "class" / "keys"), "--roster",
                   str(root / "roster.csv"), str(root / "subs"), "--out", str(out)])
    assert status == 1
    rows = list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text())))
    by = {r["student"]: r for r in rows}
    assert by["s2"]["flags"].startswith(FLAG_GIVENS) and "s1" in by["s4"]["flags"]
    assert "Flagged" in (out / "summary.md").read_text()
    names = {p.name for p in (out / "reports").iterdir()}
    assert {"s1.md", "s1.html"} <= names


def test_one_bad_file_never_costs_the_class(klass, tmp_path, capsys):
    root = klass
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "s1.toml").write_text(_head("s1", root=root) + _answers(root, "s1"))
    os.mkdir(subs / "s2.toml")                                   # a folder where a file should be
    os.mkfifo(subs / "s3.toml")                                  # a device
    (subs / "s4.toml").write_bytes(b"x" * (9 * 1024 * 1024))     # oversized
    (subs / "s5.toml").write_text((_head("s5", root=root) + _answers(root, "s5"))[:-40])
    os.close(os.open(os.fsencode(subs) + b"/s6\xff.toml", os.O_CREAT | os.O_WRONLY))
    deep = subs / "s7"
    path = os.fsencode(deep)
    os.mkdir(path)
    for _ in range(300):
        path += b"/d"
        os.mkdir(path)
    out = tmp_path / "grades"
    status = main(["grade", "--key", str(root / "class" / "keys"), "--roster",
                   str(root / "roster.csv"), str(subs), "--out", str(out)])
    assert status == 1
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))}
    assert rows["s1"]["status"] == "graded" and rows["s1"]["percent"] == "100.0"
    assert rows["s2"]["status"] == "graded" or rows["s2"]["status"] in ("missing", "refused")
    assert rows["s3"]["status"] == "refused"
    assert rows["s4"]["status"] == "malformed"
    assert rows["s5"]["status"] == "graded"      # a cut-off upload: every complete line is read
    assert rows["s7"]["status"] == "refused" and "deep" in rows["s7"]["message"]
    assert any("not UTF-8" in r["message"] for r in rows.values())
    printed = capsys.readouterr()
    assert "\x1b" not in printed.out + printed.err and "Traceback" not in printed.err


def test_outputs_are_published_as_a_set_and_a_planted_link_is_refused(klass, tmp_path, capsys):
    root = klass
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "s1.toml").write_text(_head("s1", root=root) + _answers(root, "s1"))
    (subs / "s2.toml").write_text(_head("s2", root=root) + _answers(root, "s2"))
    out = tmp_path / "grades"
    args = ["grade", "--key", str(root / "class" / "keys"), str(subs), "--out", str(out)]
    assert main(args) == 0 and (out / "reports" / "s2.md").exists()
    (subs / "s2.toml").unlink()
    assert main(args) == 0
    assert not (out / "reports" / "s2.md").exists()          # no stale report
    target = tmp_path / "elsewhere"
    target.mkdir()
    os.symlink(target, out / "reports" / "planted")
    before = (out / "gradebook.csv").read_text()
    assert main(args) == 2 and "refused" in capsys.readouterr().err
    assert (out / "gradebook.csv").read_text() == before and not list(target.iterdir())
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".grades")]


def test_an_unreadable_file_for_another_students_exercise_is_a_flagged_row(klass, tmp_path):
    # once a bug: the copy was rescored from a report the malformed file never had
    root = klass
    (tmp_path / "s12.toml").write_text(_head("s12", "s1", root) + _answers(root, "s1")
                                       + '\n[network]\nlayers = "nonsense"\n')
    book = grade(load_keys([root / "class" / "keys"]), [tmp_path / "s12.toml"])
    (row,) = book.results
    assert row.status == "malformed" and row.report is None and row.score == 0
    assert [(flag, other) for flag, other, _ in row.flags] == [(FLAG_COPY, "s1")]


@pytest.mark.parametrize("policy", ["latest", "first", "best"])
def test_several_processes_write_the_same_files_as_one(graded, klass, tmp_path, monkeypatch, policy):
    # the class above (every flag, conflict, link and resubmission) graded by 1 and by 2
    # processes: what the workers graded is the same, to the byte
    root = klass
    monkeypatch.setattr(workers, "MIN_ITEMS", 1)
    graders = tmp_path / "graders"
    real = grading._grade_file

    def noted(*args):
        with open(graders, "a") as log:
            log.write(f"{os.getpid()}\n")
        return real(*args)
    monkeypatch.setattr(grading, "_grade_file", noted)
    outs = {}
    for jobs in (1, 2):
        outs[jobs] = tmp_path / f"grades{jobs}"
        graders.write_text("")
        assert main(grade_argv(root, outs[jobs], "--attempt", policy, "--jobs", str(jobs))) == 1
        pids = set(graders.read_text().split())
        assert (pids == {str(os.getpid())}) == (jobs == 1), pids
    one, two = files_in(outs[1]), files_in(outs[2])
    assert len(one) > 20 and one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []


def test_a_bug_in_a_worker_is_an_internal_error_not_a_hang(klass, tmp_path, monkeypatch, capsys):
    root = klass
    monkeypatch.setattr(workers, "MIN_ITEMS", 1)

    def broken(*args):
        raise RuntimeError("a bug")
    monkeypatch.setattr(grading, "_grade_file", broken)
    out = tmp_path / "grades"
    assert main(["grade", "--key", str(root / "class" / "keys"), str(root / "subs"),
                 "--out", str(out), "--jobs", "2"]) == 3
    assert "internal error" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize("jobs", ["0", "-1", "two", "1000"])
def test_jobs_is_a_number_of_processes(klass, tmp_path, capsys, jobs):
    with pytest.raises(SystemExit) as stop:
        main(["grade", "--key", str(klass / "class" / "keys"), str(tmp_path), "--jobs", jobs])
    assert stop.value.code == 2 and "--jobs" in capsys.readouterr().err


def test_a_worker_killed_is_exit_2_and_publishes_nothing(klass, tmp_path, monkeypatch, capsys):
    root = klass
    monkeypatch.setattr(workers, "MIN_ITEMS", 1)
    parent, real = os.getpid(), grading._grade_file

    def killed(*args):
        if os.getpid() != parent:
            os._exit(9)         # as the kernel's out-of-memory killer would end it
        return real(*args)
    monkeypatch.setattr(grading, "_grade_file", killed)
    out = tmp_path / "grades"
    assert main(["grade", "--key", str(root / "class" / "keys"), str(root / "subs"),
                 "--out", str(out), "--jobs", "2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "grading process stopped" in err and "Traceback" not in err
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_full_disk_with_workers_is_exit_2_and_publishes_nothing(klass, tmp_path, monkeypatch,
                                                                   capsys):
    root = klass
    monkeypatch.setattr(workers, "MIN_ITEMS", 1)
    monkeypatch.setattr(workers, "CHUNK", 1)
    publishing = sys.modules["stepgrad.classroom.publishing"]

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(publishing, "write_new", full)
    out = tmp_path / "grades"
    assert main(["grade", "--key", str(root / "class" / "keys"), str(root / "subs"),
                 "--out", str(out), "--jobs", "2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("files, quota", [
    ({"cpu.max": "150000 100000\n"}, 1.5), ({"cpu.max": "max 100000\n"}, None),
    ({"cpu/cpu.cfs_quota_us": "200000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 2.0),
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None), ({}, None)])
def test_a_containers_cpu_quota_limits_the_workers(tmp_path, files, quota):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    assert workers._cpu_quota(str(tmp_path)) == quota
    assert 1 <= workers.default_jobs() <= workers.DEFAULT_MOST
