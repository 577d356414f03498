"""Every input error is exit status 2 with one line naming the file and the field; never 3."""

import pytest
from classes import files_in, make_class

from stepgrad.cli import main

PROBLEM = ('[network]\nlayers = [["1"], ["2"]]\n[weights]\nw12 = 0.4\n[biases]\nb2 = 0.1\n'
           '[example]\nx = [1.0]\nt = [1.0]\n[training]\neta = 0.5\n')


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("extra, said", [
    ("[given]\nzzz = 1\n", "[given] zzz: not a quantity of this problem"),
    ("delta = []\n", "[training] delta: expected"),
    ("frozen = [[]]\n", "[training] frozen: a list is not a weight or bias"),
    ("digits = 0\n", "[training] digits: expected the significant digits asked"),
])
def test_a_problem_file_with_a_bad_field(tmp_path, capsys, extra, said):
    path = tmp_path / "problem.toml"
    text = PROBLEM + extra if extra.startswith("[") else PROBLEM.replace("eta = 0.5\n", "eta = 0.5\n" + extra)
    path.write_text(text)
    status, out, err = run(capsys, "check", path)
    assert status == 2 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "problem.toml" in err and said in err


@pytest.mark.parametrize("template, said", [
    ("delta = []\n", "delta: expected"),
    ("frozen = [[]]\n", "frozen: expected a list of parameter names"),
])
def test_a_template_with_a_bad_field(tmp_path, capsys, template, said):
    path = tmp_path / "template.toml"
    path.write_text(template)
    status, out, err = run(capsys, "exercise", "new", "--template", path, "--student", "s1",
                           "--out", tmp_path / "class")
    assert status == 2 and said in err and "template.toml" in err
    assert not (tmp_path / "class").exists()


def test_a_points_file_whose_points_would_overflow(tmp_path, capsys):
    make_class(tmp_path, ("s1",), seed=1)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "s1.toml").write_text((tmp_path / "class" / "exercises" / "s1" / "answers.toml").read_text())
    points = tmp_path / "points.toml"
    points.write_text("[points]\ndefault = 1e308\n")
    status, out, err = run(capsys, "grade", "--key", tmp_path / "class" / "keys", subs, "--points", points,
                           "--out", tmp_path / "grades")
    assert status == 2 and "points.toml:2: [points] default: expected a number from 0 to" in err
    assert not (tmp_path / "grades").exists()


def test_exercise_new_never_overwrites_what_the_teacher_edited(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("student\ns1\ns2\n")
    out = tmp_path / "cls"
    assert run(capsys, "exercise", "new", "--students", roster, "--out", out, "--seed", 3)[0] == 0
    assert run(capsys, "exercise", "new", "--students", roster, "--out", out, "--seed", 3)[0] == 0
    key = out / "keys" / "s1" / "key.toml"
    key.write_text(key.read_text() + "# the teacher's note\n")
    before = files_in(out)
    status, _, err = run(capsys, "exercise", "new", "--students", roster, "--out", out, "--seed", 3)
    assert status == 2 and "keys/s1/key.toml changed since stepgrad wrote it" in err
    assert files_in(out) == before


def test_exercise_new_refuses_a_changed_template_under_the_same_name(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("student\ns1\n")
    template = tmp_path / "template.toml"
    template.write_text('name = "homework"\neta = 0.5\n')
    out = tmp_path / "cls"
    assert run(capsys, "exercise", "new", "--template", template, "--students", roster, "--out", out,
               "--seed", 3)[0] == 0
    template.write_text('name = "homework"\neta = 0.7\n')
    status, _, err = run(capsys, "exercise", "new", "--template", template, "--students", roster,
                         "--out", out, "--seed", 3)
    assert status == 2 and "the template 'homework' has changed" in err
