"""Issue 17: a class round trip with independent simulated students, one per behaviour real
students show, graded by ``stepgrad grade``; every row's verdict and every total is checked
against an oracle written out by hand from the teacher's rules (not from the checker)."""

import csv
import io
import json

import pytest

from lecture import SECTION7, Catalog
from lecture.engine import exact_values
from stepgrad._ground import decimal as significant
from stepgrad.cli import main

ASKED = ["net4", "o4", "net5", "o5", "net6", "o6", "delta6", "delta5", "delta4", "dw46", "dw56",
         "db6", "w46_new", "w56_new", "dw14", "dw24", "w14_new", "w24_new"]
EXACT = exact_values(SECTION7, Catalog(SECTION7))
KEY = {name: significant(EXACT[name], 4) for name in ASKED}
W = {"w46": -0.3, "w56": -0.2, "w14": 0.2, "w24": 0.4}
# the teacher's rules: 2 points per δ, 1 per other value; carried work earns half;
# one mistake repeated over many rows is penalised once (the repeats earn as carried)
POINTS = '[points]\ndelta = 2\n\n[credit]\ncarried = 0.5\n\n[policy]\nrepeated = "once"\n'
C, R, CA, E, WR, UN, MI = ("correct", "correct, rounding carried", "carried", "rounded too early",
                           "wrong", "unreadable", "not answered")
CREDIT = {C: 1, R: 1, CA: 0.5, E: 0.5, WR: 0, UN: 0, MI: 0}


def points(name):
    return 2 if name.startswith("delta") else 1


def toml(answers, head="", key_style=str):
    lines = [head + 'problem = "section7"', "", "[exercise]", 'id = "s7"', "", "[answers]"]
    lines += [f"{key_style(k)} = {v}" for k, v in answers.items()]
    return "\n".join(lines) + "\n"


def quoted(answers):
    return {k: f'"{v}"' for k, v in answers.items()}


def comma(text):
    return text.replace(".", ",")


def eta_left_out():
    """Δw = δ·x without η, every new weight from it (carried)."""
    values = dict(KEY)
    for name in ("dw46", "dw56", "db6", "dw14", "dw24"):
        values[name] = significant(EXACT[name] / 0.9, 4)
    for w in W:
        values[f"{w}_new"] = significant(W[w] + float(values[f"d{w}"]), 4)
    return values


def w_minus_dw():
    values = dict(KEY)
    for w in W:
        values[f"{w}_new"] = significant(W[w] - float(KEY[f"d{w}"]), 4)
    return values


# (student, file name, bytes, {name: expected verdict} for the rows that are not correct)
STUDENTS = [
    ("zeros", "zeros.toml", toml(quoted({k: "0" for k in ASKED})).encode(),
     {**{k: WR for k in ASKED}, "dw24": C}),
    # 1 shows a digit of o5 = 0.525 only (rounded far too early); elsewhere it shows none
    ("ones", "ones.toml", toml(quoted({k: "1" for k in ASKED})).encode(),
     {**{k: WR for k in ASKED}, "o5": E}),
    ("commas", "commas.toml", toml({k: comma(v) for k, v in KEY.items()}).encode(), {}),
    ("fractions", "fractions.toml",
     toml(quoted({**KEY, "net4": "-7/10", "net5": "1/10", "dw24": "0/5"})).encode(), {}),
    ("cp1252", "cp1252.toml",
     toml(quoted({**KEY, "net4": "\u20130.7"}), 'title = "Ren\u00e9e\u2019s answers"\n').encode("cp1252"),
     {}),
    ("truncated", "truncated.toml", toml(quoted(KEY)).encode()[:-4],
     {"w24_new": MI}),
    ("extras", "extras.toml",
     toml(quoted(KEY), 'notes = "I rounded every value to 4 digits"\n').replace(
         "[answers]", '[answers]\ncomment = "net first, then o"').encode(), {}),
    ("greek", "greek.toml",
     toml({k: f'"{v}"' for k, v in KEY.items()},
          key_style=lambda k: k.replace("delta", "δ").replace("dw", "Δw").replace("db", "Δb")).encode(), {}),
    ("toplevel", "toplevel.toml",       # no [answers] table: the values at the top
     ('problem = "section7"\n' + "".join(f'{k} = "{v}"\n' for k, v in KEY.items())
      + '\n[exercise]\nid = "s7"\n').encode(), {}),
    ("wminus", "wminus.toml", toml(quoted(w_minus_dw())).encode(),
     {"w46_new": WR, "w56_new": WR, "w14_new": WR}),
    ("eta", "eta.toml", toml(quoted(eta_left_out())).encode(),
     {"dw46": WR, "dw56": WR, "db6": WR, "dw14": WR, "w46_new": CA, "w56_new": CA,
      "w14_new": CA}),
    ("unreadable", "unreadable.toml", toml(quoted({**KEY, "o4": "0.33.2", "o5": "about a half"})).encode(),
     {"o4": UN, "o5": UN}),
]
# the typical mistake each student's wrong rows show, and whether it counts once
NAMED = {"wminus": "update_sign", "eta": "eta"}


def expected_total(student, verdicts):
    """The oracle's total: each asked value's points times its credit; with repeated = once,
    the rows of a repeated mistake after the first earn as carried."""
    total, seen = 0.0, False
    for name in ASKED:
        verdict = verdicts.get(name, C)
        credit = CREDIT[verdict]
        if verdict == WR and student in NAMED:
            credit, seen = (CREDIT[CA] if seen else 0), True
        total += points(name) * credit
    return total


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roundtrip")
    keys, subs = folder / "keys", folder / "subs"
    keys.mkdir()
    subs.mkdir()
    (keys / "key.toml").write_text(toml(quoted(KEY)), encoding="utf-8")
    roster = "ID number,First name,Surname,exercise\n" + "".join(
        f"{s},{s.title()},Student,s7\n" for s, *_ in STUDENTS) + "absent,Ab,Sent,s7\n"
    (folder / "roster.csv").write_text(roster, encoding="utf-8")
    for student, name, data, _ in STUDENTS:
        (subs / f"{student}.toml").write_bytes(data)
    (folder / "points.toml").write_text(POINTS, encoding="utf-8")
    status = main(["grade", "--key", str(keys), "--roster", str(folder / "roster.csv"),
                   "--points", str(folder / "points.toml"), str(subs), "--out",
                   str(folder / "grades")])
    return folder, status


def test_every_row_and_every_total_is_the_teachers(graded):
    folder, status = graded
    assert status == 1                          # one student on the roster has no file
    book = json.loads((folder / "grades" / "gradebook.json").read_text(encoding="utf-8"))
    students = {s["student"]: s for s in book["students"]}
    for student, _, _, wrong in STUDENTS:
        entry = students[student]
        assert entry["status"] == "graded", (student, entry["message"])
        verdicts = {p["quantity"]: p["verdict"] for p in entry["parts"]}
        expected = {name: wrong.get(name, C) for name in ASKED}
        # a value right to its digits may also be credited as rounding carried
        got = {n: (C if v == R and expected[n] == C else v) for n, v in verdicts.items()}
        assert got == expected, student
        assert entry["score"] == pytest.approx(expected_total(student, wrong)), student
        if student in NAMED:
            mistakes = {m["id"] for m in entry["report"]["mistakes"]}
            assert mistakes == {NAMED[student]}, student
    assert sum(p["points"] for p in students["commas"]["parts"]) == sum(map(points, ASKED))


def test_the_gradebook_has_names_a_status_and_a_score_for_every_roster_row(graded):
    folder, _ = graded
    rows = list(csv.DictReader(io.StringIO((folder / "grades" / "gradebook.csv").read_text())))
    assert list(rows[0])[:4] == ["student", "name", "exercise", "status"]
    by = {r["student"]: r for r in rows}
    assert by["absent"]["status"] == "missing" and by["absent"]["score"] == "0"
    assert by["zeros"]["name"] == "Zeros Student"
    moodle = (folder / "grades" / "moodle.csv").read_text().splitlines()
    assert moodle[0].startswith("ID number,") and any(l.startswith("absent,") for l in moodle)
    canvas = (folder / "grades" / "canvas.csv").read_text().splitlines()
    assert canvas[0].startswith("Student,ID,SIS User ID,SIS Login ID,Section,")


def test_the_summary_counts_students_not_values(graded):
    folder, _ = graded
    summary = (folder / "grades" / "summary.md").read_text(encoding="utf-8")
    assert "η is left out of Δw (η = 0.9) (eta): 1 student (4 values)" in summary
    assert "Each question, the share of the class right:" in summary


def test_extras_and_reading_notes_reach_the_students_report(graded):
    folder, _ = graded
    extras = (folder / "grades" / "reports" / "extras.md").read_text(encoding="utf-8")
    assert "not graded: notes = I rounded every value to 4 digits" in extras
    cp = (folder / "grades" / "reports" / "cp1252.md").read_text(encoding="utf-8")
    assert "Windows-1252" in cp


def test_an_unknown_points_name_is_an_error_with_the_nearest_names(tmp_path, capsys):
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "key.toml").write_text(toml(quoted(KEY)), encoding="utf-8")
    for text, hint in [("[points]\nwnew = 1\n", "w_new"), ("[points]\nb_new = 0.25\n", "b6_new"),
                       ('[credit]\n"rounded too erly" = 0.2\n', "rounded_too_early"),
                       ('[policy]\nrepeated = "twice"\n', "'once'")]:
        (tmp_path / "points.toml").write_text(text, encoding="utf-8")
        status = main(["grade", "--key", str(keys), "--points", str(tmp_path / "points.toml"),
                       str(keys), "--out", str(tmp_path / "out")])
        err = capsys.readouterr().err
        assert status == 2 and hint in err, (text, err)
