"""lecture.check: verdicts on the lecture's own numbers, on typical mistakes, on carried errors, and the
report a teacher reads."""

import json
import pathlib

import pytest

from lecture import (
    CARRIED,
    CHANGED,
    CORRECT,
    EARLY,
    NOT_CHECKED,
    ROUNDING,
    SECTION7,
    SECTION8,
    WRONG,
    DerivationError,
    Example,
    Problem,
    check_derivation,
    report_dict,
    report_text,
)
from stepgrad.exits import check_status, status_line

DERIVATIONS = pathlib.Path(__file__).resolve().parent.parent / "examples" / "derivations"


def check(answers, problem="section7", **more):
    return check_derivation({"answers": answers, **more}, problem=problem)


def only(report):
    (row,) = report.rows
    return row


@pytest.mark.parametrize("name, count", [("section7", 68), ("section10", 43), ("section8", 12),
                                         ("mazur", 23)])
def test_every_number_a_published_example_prints_passes(name, count):
    report = check_derivation(DERIVATIONS / f"{name}.toml")
    assert report.ok and len(report.rows) == count and check_status(report) == 0
    assert {row.verdict for row in report.rows} <= {CORRECT, ROUNDING, EARLY}
    for row in report.rows:
        if row.verdict == CORRECT:
            assert abs(float(row.yours) - row.exact) <= row.yours.unit / 2 * (1 + 1e-9)
        if row.verdict == ROUNDING:
            assert row.notes[0].startswith("from your ")


def test_the_lectures_early_rounding_is_flagged_where_later_values_use_it():
    rows = {}
    for r in check_derivation(DERIVATIONS / "section7.toml").rows:
        rows.setdefault(r.key, r)           # the first of dw46 = [0.0391, 0.039]
    assert rows["δ4"].verdict == EARLY and rows["δ4"].yours.text == "-0.0087"
    assert rows["δ4"].notes[0].startswith("only 2 significant digits (3 asked), and later values "
                                          "are computed")
    assert rows["δ6"].verdict == ROUNDING
    assert rows["δ6"].notes == ("from your o6 = 0.474, err6 = 0.526: 0.131144",)
    assert rows["net6"].notes == ("from your o4 = 0.332, o5 = 0.525: -0.104600",)
    # the lecture's Δw46 = 0.0391 (the exact 0.039171 rounds to 0.0392) is what its δ6 and o4 give
    assert rows["dw46"].verdict == ROUNDING
    assert rows["dw46"].notes == ("from your δ6 = 0.1311, o4 = 0.332: 0.039173",)


def test_the_digits_written_decide_the_tolerance():
    assert [r.verdict for r in check({"o4": [0.332, "0.3318", "0.33"]}).rows] == [CORRECT] * 3
    row = only(check({"o4": "0.3320"}))
    assert row.verdict == WRONG and row.yours.unit == pytest.approx(1e-4)
    assert only(check({"o6_new": 0.52})).verdict == EARLY          # 0.5152… rounds to 0.52
    assert only(check({"o6_new": 0.6})).verdict == WRONG
    # fewer significant digits than asked: rounded too early, whether used later or not
    assert only(check({"o4": 0.33})).verdict == EARLY


def test_one_unit_off_is_accepted_only_where_your_own_values_explain_it():
    # one unit off: right when the earlier values, rounded to the digits asked, give it, also
    # unwritten (δ6 = 0.131, o4 = 0.332 give 0.0391); two units off is a slip
    alone = only(check({"dw46": 0.0391}))
    assert alone.verdict == ROUNDING and alone.notes[0].startswith("one unit off in the last digit")
    slip = only(check({"dw46": 0.0394}))
    assert slip.verdict == WRONG and slip.mistake == "digit_slip"
    assert slip.notes[0] == "a digit slip: 0.0394 for 0.0392 (one digit mistyped)"
    rows = check({"o6": 0.474, "err6": 0.526, "delta6": 0.1311, "o4": 0.332, "dw46": 0.0391}).rows
    assert [r.verdict for r in rows] == [CORRECT, CORRECT, ROUNDING, CORRECT, ROUNDING]


MISTAKES = [
    ({"delta6": -0.1312}, "δ6", "flipped_error", "the error is written as o6 − t6; it is t6 − o6"),
    ({"delta6": 0.1312, "delta4": 0.0087}, "δ4", "flipped_delta", "the sign of δ4 is flipped"),
    ({"delta6": 0.526}, "δ6", "no_slope", "the factor ∂o/∂net = o6·(1 − o6) is missing from δ6"),
    ({"delta5": -0.0262}, "δ5", "no_slope", "the factor ∂o/∂net = o5·(1 − o5) is missing from δ5"),
    ({"delta4": -0.0076}, "δ4", "new_weights", "δ4 of a hidden unit uses the updated weights"),
    ({"dw46": 0.0218}, "Δw46", "eta", "η = 0.5 is used instead of η = 0.9"),
    ({"db6": 0.1312}, "Δb6", "eta", "η is left out of Δb6 (η = 0.9)"),
    ({"delta6": 0.1312, "w46_new": -0.3392}, "w46_new", "update_sign", "the update has the wrong sign: "
                                                     "the new value is w46 + Δw46, not w46 − Δw46"),
    ({"net5": -0.1}, "net5", "no_bias", "the bias b5 is left out of net5"),
    ({"o4": 0.426}, "o4", "no_bias", "in a step you did not write: the bias b4 is left out of net4"),
    ({"b6_new": 0.1}, "b6_new", "bias_not_updated", "in a step you did not write: the bias b6 is "
                                                    "not updated"),
    ({"E": 0.2768}, "E", "no_half", "the ½ is left out of E = ½Σ(t − o)²"),
    ({"delta4": 0.0468}, "δ4", "slope_of_net", "∂o/∂net = o4·(1 − o4) is computed from net4 instead of o4"),
]


@pytest.mark.parametrize("answers, shown, mistake, text", MISTAKES)
def test_typical_mistakes_are_caught_and_named(answers, shown, mistake, text):
    report = check(answers)
    row = report.rows[-1]
    assert row.verdict == WRONG and not report.ok and row.mistake == mistake
    assert row.notes[0].startswith(text)
    assert f": with that, {shown} = " in row.notes[0]
    assert row.notes[-1].startswith(shown + " = ")


def test_mistake_texts_follow_the_activation():
    tanh = Problem("t", (("1",), ("2",), ("3",)), ("tanh", "sigmoid"),
                   {"w12": 0.5, "b2": 0.1, "w23": 0.8, "b3": 0.0}, (Example((1.0,), (1.0,)),), 0.5)
    report = check_derivation({"answers": {"delta2": 0.0187}}, problem=tanh)
    assert report.rows[0].mistake == "other_slope"
    assert report.rows[0].notes[0].startswith("σ′ = o2·(1 − o2) is used for a tanh unit, whose "
                                              "derivative is 1 − o2²")
    row = only(check_derivation({"answers": {"delta2": 0.0753}}, problem=tanh))
    assert row.notes[0].startswith("the factor ∂o/∂net = 1 − o2² is missing from δ2")


def test_a_value_that_follows_from_a_wrong_one_is_carried_down_the_whole_chain():
    report = check({"delta6": -0.1312, "delta4": 0.0087, "dw14": 0.0078, "w14_new": 0.2078})
    sign, delta4, dw14, w14 = report.rows
    assert sign.verdict == WRONG
    assert [r.verdict for r in (delta4, dw14, w14)] == [CARRIED] * 3
    assert delta4.follows_from == dw14.follows_from == w14.follows_from == ("delta6",)
    assert w14.notes == ("follows from your wrong delta6; from your dw14 = 0.0078: 0.207800",)
    assert check_status(report) == 1


def test_a_wrong_row_is_explained_from_your_values_then_the_exact_ones():
    row = check({"o4": "0.3000", "delta6": 0.1312, "dw46": 0.0328}).rows[2]
    assert row.verdict == WRONG and row.mistake == "arithmetic_slip"
    assert row.notes == (
        "an arithmetic slip: your values give 0.035424",
        "from your delta6 = 0.1312, o4 = 0.3000: Δw46 = 0.9·0.1312·0.3000 = 0.035424",
        "Δw46 = η·δ6·o4 = 0.9·0.13117·0.33181 = 0.039171")
    assert row.expected == pytest.approx(0.9 * 0.1312 * 0.3)


def test_a_mistake_that_gives_the_right_value_is_warned_about():
    row = check({"dw24": "0.000"}).rows[0]
    assert row.verdict == CORRECT
    assert row.warnings == ("this value does not show whether the update's sign is right; or "
                            "whether η = 0.9 is used",)
    row = only(check_derivation({"answers": {"net1": 0.275}}, problem="section10"))
    assert row.warnings == ("this value does not show whether the bias b1 is in net1",)


def test_a_changed_given_is_flagged_and_what_follows_from_it_is_carried():
    report = check({"o4": 0.332, "dw46": -0.0392}, weights={"w46": 0.3})
    given, o4, dw46 = report.rows
    assert (given.key, given.verdict, given.mistake) == ("w46", CHANGED, "changed_given")
    assert given.notes[0] == ("w46 is -0.3 in the problem; later values that use your w46 = 0.3 "
                              "are carried from it")
    assert o4.verdict == CORRECT
    report = check({"delta4": 0.0087}, weights={"w46": 0.3})
    assert report.rows[1].verdict == CARRIED and report.rows[1].follows_from == ("w46",)
    assert check_status(report) == 1
    same = check({"o4": 0.332}, weights={"w46": -0.3})
    assert same.ok and [r.verdict for r in same.rows] == [CORRECT]


def test_notation_maps_a_writers_names_and_unknown_names_are_listed_once():
    report = check({"h4": 0.332, "y": 0.474, "delta_6": 0.1312, "dE/dw46": -0.0435, "o7": 1,
                    "dleta4": 1},
                   notation={"h{j}": "o{j}", "y": "o6"})
    verdicts = [r.verdict for r in report.rows]
    assert verdicts == [CORRECT] * 4 + [NOT_CHECKED] * 2
    assert report.unknown == ["o7", "dleta4"] and check_status(report) == 4
    assert report.rows[5].notes == ("no quantity 'dleta4'; did you mean delta4 or delta6 or delta5?",)
    text = report_text(report, status=status_line("check", check_status(report)))
    assert text.count("The names it has:") == 1
    assert "Not checked, names this problem does not have: o7, dleta4" in text
    assert "exit status 4: nothing is wrong, but some names could not be checked" in text


def test_expressions_of_quantities_are_checked_too():
    report = check({"w46*delta6": -0.03935, "(t6 - o6)**2": 0.277, "δ4/δ6": "-0.06651"})
    assert [r.verdict for r in report.rows] == [CORRECT] * 3
    wrong = only(check({"w46*delta6": 0.0393}))
    assert wrong.verdict == WRONG
    assert wrong.notes[1].startswith("w46*delta6 with w46 = -0.3, δ6 = 0.131169")
    bad = only(check({"w46*": 1}))
    assert bad.verdict == NOT_CHECKED
    assert bad.notes[0].startswith("cannot read 'w46*' as an expression: the expression ends too soon")


def test_given_values_express_the_lectures_short_exercises():
    # §12 Q8: a hidden unit with o_h = 0.6 feeding δ1 = 0.2 (w = 0.5) and δ2 = −0.1 (w = −0.3)
    q8 = {"network": {"layers": [["x"], ["h"], ["1", "2"]]},
          "weights": {"wh1": 0.5, "wh2": -0.3}, "example": {"x": [0]}, "training": {"eta": 0.1},
          "given": {"oh": 0.6, "delta1": 0.2, "delta2": -0.1},
          "answers": {"deltah": 0.0312}}
    assert only(check_derivation(q8)).verdict == CORRECT
    # §12 Q9 and §6.1.4: δ_j = 0.15, x_ji = 0.8, η = 0.1, w_ji = 0.3 → w_new = 0.312
    q9 = {"network": {"layers": [["i"], ["j"]]}, "weights": {"wij": 0.3},
          "example": {"x": [0.8]}, "training": {"eta": 0.1}, "given": {"deltaj": 0.15},
          "answers": {"dwij": 0.012, "wij_new": 0.312}}
    assert [r.verdict for r in check_derivation(q9).rows] == [CORRECT, CORRECT]


def test_frozen_biases_and_the_other_sign_of_delta():
    report = check_derivation(DERIVATIONS / "mazur.toml")
    assert report.problem.frozen == {"bh1", "bh2", "bo1", "bo2"} and report.problem.sign == "gradient"
    row = only(check_derivation({"answers": {"bo1_new": 0.5308}},
                                problem=report.problem.name))
    assert row.verdict == WRONG and row.mistake == "frozen_updated"


def test_several_examples_in_batch_mode_sum_their_updates():
    problem = {"network": {"layers": [["1"], ["2"]]}, "weights": {"w12": 0.5},
               "examples": [{"x": [1], "t": [1]}, {"x": [1], "t": [0]}],
               "training": {"eta": 0.5, "mode": "batch"}}
    d1 = 0.5 * (1 - 0.62246) * 0.62246 * (1 - 0.62246) * 1
    d2 = 0.5 * (0 - 0.62246) * 0.62246 * (1 - 0.62246) * 1
    report = check_derivation({**problem, "answers": {
        "example1": {"o2": 0.6225, "dw12": round(d1, 4)}, "example2": {"dw12": round(d2, 4)},
        "dw12": round(d1 + d2, 4), "w12_new": round(0.5 + d1 + d2, 4)}})
    assert [r.verdict for r in report.rows] == [CORRECT] * 5


def test_the_report_text_fits_80_columns_and_ends_with_a_summary():
    for path in sorted(DERIVATIONS.iterdir()):
        text = check_derivation(path).text()
        assert max(len(line) for line in text.splitlines()) <= 80, path.name
    lines = check({"o4": 0.332, "net6": -0.1046, "δ6": -0.1311, "o9": 1}).text().splitlines()
    assert lines[:5] == ["Checking derivation",
                         "Section 7: the 3-2-1 network of Figure 3 (x = (1, 0, 1), t = 1, η = 0.9)",
                         "(problem section7: a 3-2-1 sigmoid network, x = (1, 0, 1), t = (1), η = 0.9)",
                         "", "quantity  yours    exact      verdict"]
    assert lines[-2:] == ["4 values: 2 correct, 1 wrong, 1 not checked" if False else lines[-2],
                          "exit status 1: a value is wrong, or a given of the problem was copied"][:1] \
        + [lines[-1]]
    assert "4 values: 1 correct, 1 correct, rounding carried, 1 wrong, 1 not checked" in lines


def test_the_json_report_has_every_row_verdict_mistake_and_source():
    report = check({"delta6": -0.1312, "delta4": 0.0087})
    data = json.loads(json.dumps(report_dict(report, exit_status=check_status(report))))
    assert data["format"] == "stepgrad.check/1" and data["exit_status"] == 1
    first, second = data["rows"]
    assert (first["verdict"], first["mistake"]) == (WRONG, "flipped_error")
    assert (second["verdict"], second["follows_from"]) == (CARRIED, ["delta6"])
    assert data["mistakes"] == [{"number": 1, "id": "flipped_error",
                                 "title": "the error written the other way round (o − t for t − o)",
                                 "rows": ["delta6"]}]


def test_one_mistake_over_many_rows_is_reported_once():
    report = check({"dw46": 0.0218, "dw56": 0.0344, "db6": 0.0656})
    assert [r.mistake for r in report.rows] == ["eta"] * 3
    assert [(m, [r.key for r in rows]) for m, _, rows in report.mistakes()] == \
        [("eta", ["dw46", "dw56", "db6"])]
    assert report.text().count("η = 0.5 is used instead of η = 0.9: dw46, dw56, db6") == 1


def test_control_characters_in_names_and_titles_are_escaped():
    report = check({"o4": 0.332}, title="evil\x1b]0;owned\x07 \u202etxt")
    text = report.text()
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "evil\\x1b]0;owned\\x07 \\u202etxt" in text
    with pytest.raises(DerivationError, match=r"\[answers\] o4\\x1b\[2J: a name with a control"):
        check({"o4\x1b[2J": 1})         # a line break or an escape in a name names nothing


def test_the_problem_of_section8_reads_its_own_names():
    report = check({"neth": 0.5, "oh": 0.6225, "δo": 0.0889, "Δwxh": "0.0150"}, problem=SECTION8)
    assert report.ok and [r.verdict for r in report.rows] == [CORRECT] * 4
    assert check({"o4": 0.332}, problem=SECTION7).ok
