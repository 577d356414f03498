"""A class of 30 end to end: exercises generated for a roster, answers filled in by simulated
students with seeded mistakes, graded; every planted mistake is found and scored as the points say,
and the reports render in a real browser."""

import csv
import io
import random
import re

import pytest
from browser import browser, needs_chromium, open_page  # noqa: F401 (a fixture)
from lecture_students import depends_on, derive
from selenium.webdriver.common.by import By

from lecture import load_problem, load_submission
from stepgrad.cli import main

STUDENTS = [f"s{k:02d}" for k in range(30)]
# (mistake, where) a 3-2-1 sigmoid student may make; None: a right derivation
PLANTS = [None, ("no_bias", "net5"), ("flipped_error", "delta6"), ("no_slope", "delta4"),
          ("new_weights", "delta5"), ("eta", "dw46"), ("update_sign", "dw14"),
          ("bias_not_updated", "db6"), ("digit_slip", "o5"), ("arithmetic_slip", "net6"),
          ("no_half", "E"), ("slope_of_net", "delta6")]
POINTS = "[points]\ndelta = 2\n\n[credit]\ncarried = 0.5\n"


def canonical(key):
    return "delta" + key[1:] if key.startswith("δ") else "d" + key[1:] if key.startswith("Δ") else key


def fill(template, answers, blank=()):
    """The blank answer file with the student's values written in (``blank`` left out)."""
    def value(match):
        name = match[1]
        if name in answers and name not in blank:
            return f'{name} = "{answers[name]}"'
        return match[0]
    return re.sub(r'^(\w+) = ""', value, template, flags=re.M)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("klass")
    roster = folder / "roster.csv"
    roster.write_text("student,name\n" + "".join(f"{s},Student {s}\n" for s in STUDENTS))
    assert main(["exercise", "new", "--students", str(roster), "--seed", "90210",
                 "--out", str(folder / "class")]) == 0
    rng = random.Random(7)
    submissions = folder / "submissions"
    submissions.mkdir()
    planted = {}
    for k, student in enumerate(STUDENTS):
        exercise = folder / "class" / "exercises" / student
        problem = load_problem(exercise / "exercise.toml")
        plant = PLANTS[k % len(PLANTS)]
        eta = round(rng.choice([0.5, 0.1]), 1) if plant and plant[0] == "eta" else None
        derivation = derive(problem, *(plant or (None, None)), eta=eta)
        answers = {canonical(key): text for key, text in derivation.answers.items()}
        blank = {"E_new"} if k % 5 == 4 else set()      # some leave a value out
        template = (exercise / "answers.toml").read_text(encoding="utf-8")
        (submissions / f"{student}.toml").write_text(fill(template, answers, blank), encoding="utf-8")
        # what the same student writes without the mistake: rounding alone, full credit
        clean = {canonical(key): text for key, text in derive(problem, None, None).answers.items()}
        planted[student] = (plant, derivation, answers, blank, clean)
    (folder / "points.toml").write_text(POINTS)
    assert main(["grade", "--key", str(folder / "class" / "keys"), "--roster", str(roster),
                 "--points", str(folder / "points.toml"), str(submissions),
                 "--out", str(folder / "grades")]) == 0
    return folder, planted


def key_values(folder, student):
    key = load_submission(folder / "class" / "keys" / student / "key.toml")
    return {answer.key: answer.value.text for answer in key.answers}


def test_every_planted_mistake_is_found_and_scored_as_the_points_say(graded):
    folder, planted = graded
    rows = {r["student"]: r for r in csv.DictReader(
        io.StringIO((folder / "grades" / "gradebook.csv").read_text(encoding="utf-8")))}
    assert list(rows) == STUDENTS and {r["status"] for r in rows.values()} == {"graded"}
    seen = 0
    for student, (plant, derivation, answers, blank, clean) in planted.items():
        row, key = rows[student], key_values(folder, student)
        expected = total = 0.0
        for name, exact in key.items():
            points = 2.0 if name.startswith("delta") else 1.0
            total += points
            if name in blank or name not in answers:     # not answered: nothing
                continue
            written = answers[name]
            shown = "δ" + name[5:] if name.startswith("delta") else \
                "Δ" + name[1:] if name.startswith(("dw", "db")) else name
            if plant and shown == derivation.planted and float(written) != float(exact):
                continue                                   # the wrong step earns nothing
            if plant and depends_on(derivation, shown, derivation.planted) and \
                    float(written) != float(exact) and float(written) != float(clean.get(name, exact)):
                expected += 0.5 * points                   # carried, at half credit
            else:
                expected += points
        assert float(row["points"]) == total
        assert float(row["score"]) == pytest.approx(expected), (student, plant)
        visible = plant is not None and float(answers[plant[1]]) != float(key[plant[1]])
        if not visible:      # no mistake, or one that gives the right value here (x1 = 0)
            assert row["first_wrong"] == "" and row["mistakes"] == ""
        else:
            mistake, where = plant
            assert row["mistakes"].split()[0] == mistake, (student, row)
            assert canonical(row["first_wrong"]) == where
            seen += 1
    assert seen >= 20                   # most of the 27 planted mistakes change a value


def test_the_summary_counts_each_mistake_once_per_student(graded):
    folder, planted = graded
    summary = (folder / "grades" / "summary.md").read_text(encoding="utf-8")
    assert "30 of 30 students graded" in summary
    for mistake in ("no_bias", "flipped_error", "no_slope", "eta"):
        count = sum(1 for plant, *_ in planted.values() if plant and plant[0] == mistake)
        # one line per cause (η = 0.5 and η = 0.1 are two), each student counted once in it
        found = re.findall(rf"\({mistake}\): (\d+) students? \(\d+ values?\)", summary)
        assert sum(map(int, found)) == count, mistake


@needs_chromium
def test_a_students_report_renders_in_a_browser(browser, graded):
    folder, planted = graded
    student = STUDENTS[2]                        # flipped_error at δ6
    errors = open_page(browser, folder / "grades" / "reports" / f"{student}.html", 900, 1000)
    assert errors == []
    heading = browser.find_element(By.TAG_NAME, "h1")
    assert heading.text.startswith(f"{student}, exercise ") and heading.is_displayed()
    first = browser.find_elements(By.TAG_NAME, "p")[0].text
    assert first.startswith("Your first wrong step is delta6 = ")
    assert "the error is written as o6 − t6" in first
    rows = browser.find_elements(By.CSS_SELECTOR, "table.stepgrad-check tbody tr")
    answered = [k for k in planted[student][2] if k not in planted[student][3]]
    assert len(rows) == len(answered) and all(r.is_displayed() for r in rows)
    verdicts = {r.get_attribute("data-verdict") for r in rows}
    assert {"correct", "carried", "wrong"} <= verdicts
    table = browser.find_element(By.CSS_SELECTOR, "table.stepgrad-check")
    assert table.rect["width"] > 300
