"""--json on the classroom commands: what a script reads, as JSON on stdout."""

import json

from stepgrad.cli import main


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_exercise_new_and_grade_print_json(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("student\ns1\ns2\n")
    status, out, err = run(capsys, "exercise", "new", "--students", roster, "--out", tmp_path / "cls",
                           "--seed", 5, "--json")
    assert status == 0 and err == ""
    written = json.loads(out)
    assert written["class_seed"] == 5 and written["seed_drawn"] is False
    assert [e["student"] for e in written["exercises"]] == ["s1", "s2"]
    assert all(e["id"].startswith("section7-") for e in written["exercises"])

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "s1.toml").write_text((tmp_path / "cls" / "exercises" / "s1" / "answers.toml").read_text())
    status, out, err = run(capsys, "grade", "--key", tmp_path / "cls" / "keys", "--roster", roster, subs,
                           "--out", tmp_path / "grades", "--json")
    book = json.loads(out)
    assert status == 1 and err == ""          # s2 handed in nothing
    assert book["format"] == "stepgrad.gradebook/1"
    assert {s["student"]: s["status"] for s in book["students"]}["s2"] == "missing"
    assert out == (tmp_path / "grades" / "gradebook.json").read_text()
