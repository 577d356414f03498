"""Tests of lecture.derivation: verdicts on the lecture's own numbers and on typical mistakes."""

import pathlib

import pytest

from lecture.derivation import CARRIED, CORRECT, NOT_CHECKED, WRONG, DerivationReport, check_derivation
from lecture.derivation_spec import Derivation
from lecture.examples import SECTION7

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples" / "derivations"

SECTION7_PROBLEM = {
    "network": {"layers": [["1", "2", "3"], ["4", "5"], ["6"]]},
    "weights": {"w14": 0.2, "w24": 0.4, "w34": -0.5, "w15": -0.3, "w25": 0.1, "w35": 0.2,
                "w46": -0.3, "w56": -0.2},
    "biases": {"b4": -0.4, "b5": 0.2, "b6": 0.1},
    "example": {"x": [1, 0, 1], "t": [1], "eta": 0.9},
}


def check(answers, problem=SECTION7_PROBLEM):
    return check_derivation({**problem, "answers": answers})


def only(report):
    (row,) = report.rows
    return row


@pytest.mark.parametrize("name, count", [("section7", 68), ("section10", 43), ("section8", 12)])
def test_every_number_the_lecture_prints_passes(name, count):
    report = check_derivation(EXAMPLES / f"{name}.toml")
    assert report.ok and len(report.rows) == count
    assert {row.verdict for row in report.rows} <= {CORRECT, CARRIED}
    assert report.count(CORRECT) > report.count(CARRIED)
    for row in report.rows:
        if row.verdict == CORRECT:
            assert abs(float(row.yours) - row.exact) <= row.yours.unit / 2 * (1 + 1e-9)
        else:
            assert row.note.startswith(("from your ", "within one unit of its last digit"))


def test_the_2_2_2_error_is_correct_with_rounding_carried():
    report = check_derivation(EXAMPLES / "section10.toml")
    (row,) = [r for r in report.rows if r.key == "E"]
    assert row.verdict == CARRIED
    assert abs(row.exact - 0.2814) <= 0.0001 and row.yours.text == "0.282"
    assert row.note == "from your o3 = 0.620, o4 = 0.647: 0.28150"


def test_section7_carried_values_name_the_values_they_come_from():
    rows = {}
    for r in check_derivation(EXAMPLES / "section7.toml").rows:
        rows.setdefault(r.key, r)           # the first of dw46 = [0.0391, 0.039]
    assert rows["net6"].verdict == CARRIED
    assert rows["net6"].note == "from your o4 = 0.332, o5 = 0.525: -0.104600"
    assert rows["δ6"].note == "from your o6 = 0.474, err6 = 0.526: 0.131144"
    assert rows["dw46"].note == "within one unit of its last digit: the rounding of steps not written down"


def test_the_digits_written_decide_the_tolerance():
    # w24_new is exactly 0.4; o4 is 0.33181…: "0.332" is right, "0.3320" is not
    assert [r.verdict for r in check({"o4": [0.332, "0.3318", "0.33"]}).rows] == [CORRECT] * 3
    row = only(check({"o4": "0.3320"}))
    assert row.verdict == WRONG and row.yours.unit == pytest.approx(1e-4)
    assert only(check({"w24_new": "0.400"})).yours.unit == pytest.approx(1e-3)


def test_a_value_with_few_digits_gets_no_one_unit_allowance():
    assert only(check({"o6_new": 0.52})).verdict == CORRECT        # 0.5152… rounds to 0.52
    assert only(check({"o6_new": 0.6})).verdict == WRONG           # within 0.1, but 1 digit
    assert only(check({"dw46": 0.0391})).verdict == CARRIED        # 3 digits, one unit off


MISTAKES = [
    ({"delta6": -0.1311}, "δ6", "the sign of δ is flipped"),
    ({"delta4": 0.0087}, "δ4", "the sign of δ is flipped"),
    ({"delta6": 0.526}, "δ6", "the factor ∂o/∂net = o·(1 − o) is missing from δ"),
    ({"delta5": -0.0262}, "δ5", "the factor ∂o/∂net = o·(1 − o) is missing from δ"),
    ({"delta4": -0.0076}, "δ4", "δ of a hidden unit used the updated weights (w_new) instead of the old ones"),
    ({"dw46": 0.0218}, "Δw46", "η = 0.5 is used instead of η = 0.9"),
    ({"db6": 0.1312}, "Δb6", "η is left out of Δw = η·δ·x (η = 0.9)"),
    ({"w46_new": -0.2565}, "w46_new", "follows from an earlier mistake: η is left out"),
    ({"net5": -0.1}, "net5", "the bias is left out of net (net_j = Σ_i w_ji·x_i + b_j)"),
    ({"o4": 0.426}, "o4", "follows from an earlier mistake: the bias is left out of net"),
    ({"b6_new": 0.1}, "b6_new", "the bias is not updated (Δb_j = η·δ_j·1)"),
    ({"dw14": 0.0079}, "Δw14", "follows from an earlier mistake: the sign of δ is flipped"),
]


@pytest.mark.parametrize("answers, shown, mistake", MISTAKES)
def test_typical_mistakes_are_caught_and_named(answers, shown, mistake):
    report = check(answers)
    row = only(report)
    assert row.verdict == WRONG and not report.ok
    assert row.note.startswith(mistake)
    assert f": with that, {shown} = " in row.note
    assert row.formula.startswith(shown + " = ")


def test_a_wrong_value_shows_the_formula_and_numbers_that_go_in():
    row = only(check({"δ4": "0.0500"}))
    assert row.verdict == WRONG and row.note == "the exact value is -0.008725"
    assert row.formula == ("δ4 = o4·(1 − o4)·(w46·δ6) = 0.33181·(1 − 0.33181)·((-0.3)·0.13117) "
                           "= -0.008725")
    row = only(check({"net6": 1.5}))
    assert row.formula == ("net6 = w46·o4 + w56·o5 + b6 = (-0.3)·0.33181 + (-0.2)·0.52498 + 0.1 "
                           "= -0.105")


def test_a_value_that_follows_from_a_wrong_one_is_marked_as_carried():
    report = check({"delta6": -0.1311, "dw46": -0.0392})
    sign, update = report.rows
    assert sign.verdict == WRONG and update.verdict == CARRIED
    assert update.note == ("from your delta6 = -0.1311: -0.039151 (your delta6 is wrong; this "
                           "follows from it correctly)")


def test_not_checked_names_what_the_derivation_has():
    report = check({"o7": 1, "w14": 0.2, "dleta4": 1, "w46*": 1})
    assert [r.verdict for r in report.rows] == [NOT_CHECKED] * 4 and report.ok
    unknown, given, typo, bad = report.rows
    assert unknown.note.startswith("no quantity 'o7'; names: net<j>, o<j>, slope<j>, signal<j> (err<j>), "
                                   "delta<j> (δ<j>) for units 4, 5, 6; E;")
    assert given.note == "w14 is given in the problem, not computed"
    assert typo.note.startswith("no quantity 'dleta4'; did you mean delta4 or delta6 or delta5? names:")
    assert bad.note.startswith("cannot read 'w46*' as an expression: the expression ends too soon")


def test_expressions_of_quantities_are_checked_too():
    report = check({"w46*delta6": -0.03935, "(t6 - o6)**2": 0.277, "δ4/δ6": "-0.06651"})
    product, square, ratio = report.rows
    assert product.verdict == CORRECT and product.exact == pytest.approx(-0.3 * 0.1311690782)
    assert square.verdict == CORRECT
    assert ratio.verdict == CORRECT and ratio.exact == pytest.approx(-0.0087245619 / 0.1311690782)
    wrong = only(check({"w46*delta6": 0.0393}))
    assert wrong.verdict == WRONG and wrong.formula.startswith("w46*delta6 with w46 = -0.3, δ6 = 0.131169")


def test_a_derivation_from_python_and_from_an_example():
    report = check_derivation(Derivation.from_example(SECTION7, answers=()))
    assert isinstance(report, DerivationReport) and report.rows == ()
    assert report.text() == ("Checking section7: Section 7: the 3-2-1 network of Figure 3 "
                             "(x = (1, 0, 1), t = 1, η = 0.9)\nno answers to check")
    with pytest.raises(TypeError, match="expected a Derivation, a dict or a path, got int"):
        check_derivation(3)


def test_the_report_text_is_a_table_with_notes_and_a_summary():
    text = check({"o4": 0.332, "net6": -0.1046, "δ6": -0.1311, "o9": 1}).text()
    assert text.splitlines() == [
        "Checking derivation",
        "quantity  yours    exact      verdict",
        "o4        0.332    0.33181    correct",
        "net6      -0.1046  -0.104540  correct, rounding carried",
        "    from your o4 = 0.332: -0.104596",
        "δ6        -0.1311  0.131169   wrong",
        "    the sign of δ is flipped (δ = −∂E/∂net: o(1 − o)(t − o) at an output, not "
        "o(1 − o)(o − t)): with that, δ6 = -0.131172",       # from your net6
        "    δ6 = o6·(1 − o6)·(t6 − o6) = 0.47389·(1 − 0.47389)·(1 − 0.47389) = 0.131169",
        "o9        1                   not checked",
        "    no quantity 'o9'; " + text.splitlines()[9].split("no quantity 'o9'; ")[1],
        "4 values: 1 correct, 1 correct with rounding carried, 1 wrong, 1 not checked"]
