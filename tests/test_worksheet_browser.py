"""The HTML worksheet and answer key in a real headless Chromium: the network drawn, every field there."""

import pytest
from browser import browser, fits_window, needs_chromium, open_page  # noqa: F401 (a fixture)
from selenium.webdriver.common.by import By
from viz_support import needs_dot

from lecture import load_problem, loads_submission
from stepgrad.classroom.exercise import generate
from stepgrad.classroom.template import BUILTIN
from stepgrad.cli import main


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A class of two, written by the command: (folder, alice's exercise)."""
    folder = tmp_path_factory.mktemp("class")
    roster = folder / "roster.csv"
    roster.write_text("id\nalice\nbob\n", encoding="utf-8")
    assert main(["exercise", "new", "--students", str(roster), "--seed", "2024",
                 "--out", str(folder / "out")]) == 0
    return folder / "out", generate(BUILTIN, "alice", 2024)


def size(element):
    rect = element.rect
    return rect["width"], rect["height"]


def check_figure(driver):
    (figure,) = driver.find_elements(By.CSS_SELECTOR, "figure svg")
    width, height = size(figure)
    assert width > 400 and height > 150 and figure.is_displayed()
    labels = [t.text for t in figure.find_elements(By.CSS_SELECTOR, "text")]
    assert any(label.startswith("w14") for label in labels)


@needs_dot
@needs_chromium
def test_the_worksheet_renders_the_network_and_a_field_per_quantity(browser, made):
    out, exercise = made
    errors = open_page(browser, out / "exercises" / "alice" / "worksheet.html")
    assert errors == []
    check_figure(browser)
    for name in exercise.asked:
        field = browser.find_element(By.CSS_SELECTOR, f'input[name="{name}"]')
        label = browser.find_element(By.CSS_SELECTOR, f'label[for="{field.get_attribute("id")}"]')
        assert field.is_displayed() and label.is_displayed()
        width, height = size(field)
        assert width > 60 and height > 15
        assert label.text.replace("\n", "") == exercise.catalog.display(name).replace("_new", "new")
    assert fits_window(browser)


@needs_dot
@needs_chromium
def test_the_worksheet_saves_typed_answers_as_an_answer_file(browser, made):
    out, exercise = made
    open_page(browser, out / "exercises" / "alice" / "worksheet.html")
    typed = {"o4": "0.2497", "delta6": "−0,1283", "w46_new": "abc"}
    for name, text in typed.items():
        browser.find_element(By.CSS_SELECTOR, f'input[name="{name}"]').send_keys(text)
    invalid = browser.execute_script(
        "return [...document.querySelectorAll('input[data-quantity]')]"
        ".filter(i => i.validity.patternMismatch).map(i => i.name)")
    assert invalid == ["w46_new"]
    result = browser.execute_script("return stepgradAnswers()")
    assert result["bad"] == ["w46_new"]
    submission = loads_submission(result["text"], problem=load_problem(out / "exercises" / "alice" / "exercise.toml"))
    assert {a.key: a.value.text for a in submission.answers} == {"o4": "0.2497", "delta6": "-0.1283"}
    assert submission.exercise == exercise.table()


@needs_dot
@needs_chromium
def test_the_worksheet_fits_a_narrow_window(browser, made):
    out, exercise = made
    open_page(browser, out / "exercises" / "bob" / "worksheet.html", width=420, height=900)
    figure_width = browser.find_element(By.CSS_SELECTOR, "figure svg").rect["width"]
    assert 200 < figure_width <= 420
    for name in ("o6", "dw46", "w46_new", "E_new"):
        field = browser.find_element(By.CSS_SELECTOR, f'input[name="{name}"]')
        assert field.is_displayed() and field.rect["x"] + field.rect["width"] <= 420
    assert fits_window(browser)


@needs_dot
@needs_chromium
def test_the_key_renders_the_network_and_every_answer(browser, made):
    out, exercise = made
    errors = open_page(browser, out / "keys" / "alice" / "solution.html")
    assert errors == []
    check_figure(browser)
    for name, value in exercise.key.items():
        step = browser.find_element(By.CSS_SELECTOR, f'.step.asked[data-quantity="{name}"]')
        assert step.is_displayed() and step.text.endswith(f"= {value}")
        row = browser.find_element(By.CSS_SELECTOR, f'tr[data-quantity="{name}"] td.value')
        assert row.text == value
