"""``stepgrad exercise`` (stepgrad.commands.exercise): files per student, the manifest, bad input."""

import json
import pathlib

import pytest
from classes import files_in
from viz_support import needs_dot

import viz
from lecture import check_derivation, load_submission
from stepgrad.classroom import folder
from stepgrad.classroom.folder import template_digest
from stepgrad.classroom.template import BUILTIN, BUILTIN_TEXT
from stepgrad.cli import main
from stepgrad.exits import check_status

STUDENT_FILES = ["answers.toml", "exercise.toml", "network.pdf", "network.svg", "worksheet.html",
                 "worksheet.md", "worksheet.tex"]
KEY_FILES = ["key.toml", "network.pdf", "network.svg", "solution.html", "solution.md",
             "solution.tex"]


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("name,id\nAlice A,alice\nBob B,bob\nCarol C,carol\n", encoding="utf-8")
    return path


@needs_dot
def test_a_class_gets_an_exercise_worksheet_and_key_each(capsys, tmp_path, roster):
    out = tmp_path / "class"
    status, text, err = run(capsys, "exercise", "new", "--students", roster, "--seed", 2024, "--out", out)
    assert status == 0 and err == ""
    assert " ".join(text.split()) == (f"wrote 3 exercises to {out}: exercises/ (hand these out), "
                                      f"keys/ (keep these), manifest.json")
    for student in ("alice", "bob", "carol"):
        assert sorted(p.name for p in (out / "exercises" / student).iterdir()) == STUDENT_FILES
        assert sorted(p.name for p in (out / "keys" / student).iterdir()) == KEY_FILES
        key = out / "keys" / student / "key.toml"
        report = check_derivation(key)
        assert check_status(report) == 0 and {r.verdict for r in report.rows} == {"correct"}
        assert load_submission(out / "exercises" / student / "answers.toml").answers == ()
        assert report.problem.name == str(out / "exercises" / student / "exercise.toml")
        assert b"<svg" in (out / "exercises" / student / "worksheet.html").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "stepgrad.exercises/1" and manifest["class_seed"] == 2024
    assert manifest["template"] == {"name": "section7", "file": None, "content": template_digest(BUILTIN)}
    entries = {e["student"]: e for e in manifest["exercises"]}
    assert list(entries) == ["alice", "bob", "carol"]
    assert entries["alice"]["id"] == "section7-65a8ab0d7b35" and entries["alice"]["shape"] == "3-2-1"
    for entry in entries.values():
        assert all((out / path).is_file() for path in entry["files"].values())
        submission = load_submission(out / entry["files"]["key"])
        assert submission.exercise["id"] == entry["id"] and submission.exercise["student"] == entry["student"]


@needs_dot
def test_one_student_regenerates_byte_for_byte(capsys, tmp_path, roster):
    out = tmp_path / "class"
    run(capsys, "exercise", "new", "--students", roster, "--seed", 77, "--out", out)
    before = files_in(out)
    (out / "keys" / "bob" / "key.toml").unlink()
    (out / "exercises" / "bob" / "worksheet.html").write_text("lost", encoding="utf-8")
    status, _, _ = run(capsys, "exercise", "new", "--students", roster, "--student", "bob", "--out", out)
    assert status == 0 and files_in(out) == before      # the seed comes from the manifest
    other = tmp_path / "again"
    run(capsys, "exercise", "new", "--student", "bob", "--seed", 77, "--out", other)
    assert files_in(other)["keys/bob/key.toml"] == before["keys/bob/key.toml"]


def test_one_exercise_from_a_seed(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(folder, "pipe", _no_dot)
    out = tmp_path / "one"
    status, text, _ = run(capsys, "exercise", "new", "--seed", 7, "--out", out)
    assert status == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = manifest["exercises"]
    assert entry["student"] == "" and entry["files"]["key"] == f"keys/{entry['id']}/key.toml"
    assert check_status(check_derivation(out / entry["files"]["key"])) == 0
    assert "the Graphviz 'dot' program is missing" in text
    assert "<svg" not in (out / entry["files"]["worksheet_html"]).read_text(encoding="utf-8")
    assert max(len(line) for line in text.splitlines()) <= 80


def _no_dot(graph, fmt):
    raise viz.DotNotFoundError()


def test_without_a_seed_a_class_seed_is_drawn_and_kept(capsys, tmp_path, roster, monkeypatch):
    monkeypatch.setattr(folder, "pipe", _no_dot)
    out = tmp_path / "class"
    status, text, _ = run(capsys, "exercise", "new", "--students", roster, "--out", out)
    seed = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["class_seed"]
    assert status == 0
    assert f"class seed {seed} (drawn at random, saved in manifest.json: keep it)" in " ".join(text.split())
    status, _, err = run(capsys, "exercise", "new", "--students", roster, "--seed", seed + 1, "--out", out)
    assert status == 2 and f"holds the exercises of class seed {seed} and template 'section7'" in err


@pytest.mark.parametrize("files, argv, message", [
    ({"r.csv": "name,mail\nA,a@x\n"}, ["--students", "r.csv", "--seed", "1"],
     "r.csv:1: no student id column: the header has 'name', 'mail'"),
    ({"r.csv": "id\nalice\nALICE\n"}, ["--students", "r.csv", "--seed", "1"],
     "r.csv:3: [id] 'ALICE' is given twice (line 2; ids are compared ignoring case)"),
    ({"t.toml": 'shapes = "3-2-1"\ncolour = "red"\n'}, ["--template", "t.toml", "--seed", "1"],
     "t.toml:2: colour: unknown field; a template has name, title"),
    ({"r.csv": "id\nalice\n"}, ["--students", "r.csv", "--student", "bob", "--seed", "1"],
     "--student: 'bob' is not in"),
    ({}, ["--student", "../x", "--seed", "1"], "--student: '../x' is not a student id"),
    ({}, [], "give --students ROSTER.csv (a class), --student ID, or --seed N (one exercise)"),
])
def test_bad_input_exits_2_and_writes_nothing(capsys, tmp_path, monkeypatch, files, argv, message):
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    status, out, err = run(capsys, "exercise", "new", *argv, "--out", "out")
    assert status == 2 and out == ""
    assert err.startswith("stepgrad exercise: error: ") and message in err
    assert err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_the_template_command_prints_the_builtin_as_the_manual_shows_it(capsys):
    status, out, _ = run(capsys, "exercise", "template")
    assert status == 0 and out == BUILTIN_TEXT
    assert max(len(line) for line in out.splitlines()) <= 80
    page = pathlib.Path(__file__).resolve().parent.parent / "docs" / "classroom.md"
    assert f"```toml\n{BUILTIN_TEXT}```\n" in page.read_text(encoding="utf-8")


def test_help_fits_80_columns(capsys):
    with pytest.raises(SystemExit):
        main(["exercise", "new", "--help"])
    out = capsys.readouterr().out
    assert "roster is a CSV file" in out and max(len(line) for line in out.splitlines()) <= 80
