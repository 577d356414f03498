"""lecture.grading and stepgrad grade: every submission against its own key, partial credit, a
gradebook, a class summary; bad submissions never stop the batch, nothing is written half."""

import csv
import io
import json

import pytest
from lecture_students import derive

from lecture import SECTION7, SECTION8, Catalog, Problem
from lecture.engine import exact_values
from stepgrad.classroom import RosterError, grade, load_keys, load_scheme, read_roster
from stepgrad.cli import main

ASKED = ("net4", "o4", "net6", "o6", "E", "delta6", "delta4", "dw46", "w46_new", "dw14", "w14_new")


def problem_dict(problem):
    return {"network": {"layers": [list(layer) for layer in problem.unit_names],
                        "activation": list(problem.activations)},
            "weights": {k: v for k, v in problem.weights.items() if not k.startswith("b")},
            "biases": {k: v for k, v in problem.weights.items() if k.startswith("b")},
            "example": {"x": list(problem.x), "t": list(problem.t), "eta": problem.eta}}


def variant(k):
    """Section 7 with w46 changed per student: each student their own numbers."""
    weights = dict(SECTION7.weights)
    weights["w46"] = round(-0.3 + 0.1 * k, 1)
    return Problem(SECTION7.title, SECTION7.unit_names, SECTION7.activations, weights,
                   SECTION7.examples, SECTION7.eta, name=f"ex{k}")


def write_key(folder, problem, exercise, student, asked=ASKED):
    catalog = Catalog(problem)
    values = exact_values(problem, catalog)
    answers = {name: f"{values[name]:.4g}" for name in asked}
    path = folder / f"{exercise}.key.json"
    path.write_text(json.dumps({**problem_dict(problem), "answers": answers,
                                "exercise": {"id": exercise, "student": student}}), encoding="utf-8")
    return path


def write_submission(folder, student, problem, exercise, mistake=None, at=None, eta=None):
    derivation = derive(problem, mistake, at, eta=eta)
    path = folder / f"{student}.json"
    path.write_text(json.dumps({"exercise": {"id": exercise, "student": student},
                                "answers": derivation.answers}, ensure_ascii=False), encoding="utf-8")
    return derivation


@pytest.fixture
def klass(tmp_path):
    keys, subs = tmp_path / "keys", tmp_path / "subs"
    keys.mkdir()
    subs.mkdir()
    for k in range(4):
        write_key(keys, variant(k), f"ex{k}", f"s{k}")
    return keys, subs, tmp_path


def test_a_right_submission_scores_full_and_a_mistake_costs_its_row(klass):
    keys, subs, _ = klass
    write_submission(subs, "s0", variant(0), "ex0")
    write_submission(subs, "s1", variant(1), "ex1", "flipped_error", "delta6")
    book = grade(load_keys([keys]), [subs])
    right, wrong = book.results
    assert (right.status, right.score, right.total) == ("graded", 11.0, 11.0)
    assert right.first_wrong is None
    assert wrong.status == "graded" and wrong.first_wrong == "δ6"
    verdicts = {q: verdict for q, _, verdict, _, _ in wrong.parts}
    assert verdicts["delta6"] == "wrong" and verdicts["dw46"] == "carried"
    assert verdicts["delta4"] == "carried" and verdicts["o4"] == "correct"
    assert wrong.score == 10.0            # carried rows earn full credit by default


def test_points_and_credit_come_from_the_teacher(klass, tmp_path):
    keys, subs, _ = klass
    write_submission(subs, "s1", variant(1), "ex1", "flipped_error", "delta6")
    points = tmp_path / "points.toml"
    points.write_text("[points]\ndelta = 2\ndefault = 1\n[credit]\ncarried = 0.5\n")
    scheme = load_scheme(points)
    (result,) = grade(load_keys([keys]), [subs], scheme=scheme).results
    # 9 quantities at 1 and two δ at 2: 13 points; δ6 lost (2); carried: δ4 (2), dw46, w46_new,
    # dw14, w14_new (1 each) at half credit
    assert result.total == 13.0 and result.score == 13.0 - 2 - 0.5 * 2 - 0.5 * 4
    bad = tmp_path / "bad.toml"
    bad.write_text("[credit]\ncarried = 1.5\n")
    with pytest.raises(RosterError, match=r"bad.toml:2: \[credit\] carried: expected a number from 0 to 1"):
        load_scheme(bad)


def test_bad_submissions_never_stop_the_batch(klass):
    keys, subs, tmp_path = klass
    write_submission(subs, "s0", variant(0), "ex0")
    (subs / "s1.json").write_text("{not json", encoding="utf-8")
    (subs / "s2.json").write_text(json.dumps({"exercise": {"id": "ex3", "student": "s2"},
                                              "answers": {}}))
    (subs / "stranger.json").write_text(json.dumps({"answers": {"o4": 0.33}}))
    roster = tmp_path / "roster.csv"
    roster.write_text("student,exercise\ns0,ex0\ns1,ex1\ns2,ex2\ns3,ex3\n")
    book = grade(load_keys([keys]), [subs], read_roster(roster))
    statuses = {r.student: r.status for r in book.results}
    # s2's file is s3's exercise: graded against s2's own, flagged; stranger is nobody's
    assert statuses == {"s0": "graded", "s1": "malformed", "s2": "graded",
                        "s3": "missing", "": "conflict"}
    s2 = next(r for r in book.results if r.student == "s2")
    assert s2.flags[0][:2] == ("answers another exercise", "s3") and s2.score == 0
    malformed = next(r for r in book.results if r.student == "s1")
    assert "s1.json:1: invalid JSON" in malformed.message
    assert [r.student for r in book.results] == ["s0", "s1", "s2", "s3", ""]
    assert "stranger.json" in book.results[-1].path


def test_rosters_and_keys_are_checked(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("name\nAda\n")
    with pytest.raises(RosterError, match=r"r.csv:1: no student id column: the header has 'name'"):
        read_roster(roster)
    roster.write_text("student,exercise\na,ex1\nb\n")
    assert read_roster(roster) == [("a", "ex1", ""), ("b", None, "")]
    key = tmp_path / "k.json"
    key.write_text(json.dumps({**problem_dict(SECTION8), "answers": {"oh": 0.6225}}))
    with pytest.raises(RosterError, match=r"k.json: \[exercise\] id: a key names its exercise"):
        load_keys([key])


def test_the_class_summary_counts_mistakes_by_students(klass):
    keys, subs, _ = klass
    write_submission(subs, "s0", variant(0), "ex0", "no_slope", "delta6")
    write_submission(subs, "s1", variant(1), "ex1", "no_slope", "delta6")
    write_submission(subs, "s2", variant(2), "ex2", "eta", "dw46", eta=0.5)
    write_submission(subs, "s3", variant(3), "ex3")
    summary = grade(load_keys([keys]), [subs]).summary()
    assert [(m["id"], m["students"]) for m in summary["mistakes"]] == [("no_slope", 2), ("eta", 1)]
    assert summary["quantities"][0] == {"quantity": "delta6", "verdict": "wrong", "students": 2}
    assert summary["graded"] == summary["students"] == 4


def test_the_command_writes_the_gradebook_summary_and_reports(klass, capsys):
    keys, subs, tmp_path = klass
    write_submission(subs, "s0", variant(0), "ex0")
    write_submission(subs, "s1", variant(1), "ex1", "no_bias", "net4")
    (subs / "s2.json").write_text("[", encoding="utf-8")
    out = tmp_path / "grades"
    status = main(["grade", "--key", str(keys), str(subs), "--out", str(out)])
    printed = capsys.readouterr().out
    assert status == 1 and "2 of 3 students graded" in printed
    rows = list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text())))
    # every row has an explicit status and a score: 0 for a student not graded
    assert [(r["student"], r["status"], r["score"], r["points"]) for r in rows] == [
        ("s0", "graded", "11", "11"), ("s1", "graded", "10", "11"), ("s2", "malformed", "0", "")]
    assert rows[1]["first_wrong"] == "net4" and rows[1]["mistakes"] == "no_bias"
    data = json.loads((out / "gradebook.json").read_text())
    assert data["format"] == "stepgrad.gradebook/1" and len(data["students"][1]["report"]["rows"]) > 10
    report = (out / "reports" / "s1.md").read_text()
    assert report.startswith("# s1, exercise ex1: 10 of 11 points (91%)")
    assert "Your first wrong step is net4 = " in report and "the bias b4 is left out of net4" in report
    assert "Credited as carried" in report
    assert (out / "reports" / "s1.html").read_text().startswith("<!DOCTYPE html>")
    assert "Mistakes, by how many students made them" in (out / "summary.md").read_text()


def test_a_key_that_cannot_be_read_writes_nothing(klass, capsys):
    keys, subs, tmp_path = klass
    (keys / "broken.key.json").write_text("{", encoding="utf-8")
    out = tmp_path / "grades"
    status = main(["grade", "--key", str(keys), str(subs), "--out", str(out)])
    assert status == 2 and not out.exists()
    assert "broken.key.json:1: invalid JSON" in capsys.readouterr().err


def test_student_ids_are_safe_file_names_one_to_one(klass):
    from stepgrad.classroom import report_stem
    assert report_stem("s2401001") == "s2401001" and report_stem("ada-l") == "ada-l"
    assert report_stem("../../etc/passwd").startswith("etc-passwd_")
    stems = [report_stem(s) for s in ("a+b", "a_b", "a_b_2", "A_b", "a b", "a.b", "ab")]
    assert len({s.lower() for s in stems}) == len(stems)
