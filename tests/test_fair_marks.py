"""Issue 17, fair marks: what each written value earns, read as a teacher reads it."""

from lecture import CORRECT, EARLY, ROUNDING, WRONG, check_derivation

SECTION7 = ["net4", "o4", "net5", "o5", "net6", "o6", "delta6", "delta5", "delta4", "dw46",
            "dw56", "db6", "w46_new", "dw14", "w14_new", "b4_new"]


def check(answers, problem="section7", **more):
    return check_derivation({"answers": answers, **more}, problem=problem)


def only(report):
    (row,) = report.rows
    return row


def test_a_value_that_shows_no_significant_digit_is_too_rough_to_check():
    row = only(check({"delta4": "0"}))
    assert row.verdict == WRONG and row.mistake == "too_rough"
    assert any("too rough to check" in note for note in row.notes)
    assert only(check({"delta4": "0.000"})).verdict == WRONG
    # unless the exact value is that number: Δw24 = η·δ4·x2 with x2 = 0
    assert only(check({"dw24": "0"})).verdict == CORRECT


def test_zeros_and_ones_in_every_box_earn_next_to_nothing():
    zeros = check({name: "0" for name in SECTION7})
    assert not any(r.verdict in (CORRECT, ROUNDING) for r in zeros.rows)
    ones = check({name: "1" for name in SECTION7})
    assert not any(r.verdict in (CORRECT, ROUNDING) for r in ones.rows)
    assert {r.verdict for r in ones.rows} <= {WRONG, EARLY}


def test_fewer_digits_than_asked_is_rounded_too_early_with_the_digits_asked():
    assert only(check({"o4": "0.33"})).verdict == EARLY
    assert only(check({"o4": "0.33"}, exercise={"digits": 2})).verdict == CORRECT
    assert only(check({"o4": "0.3318"}, exercise={"digits": 4})).verdict == CORRECT
    assert only(check({"o4": "0.332"}, exercise={"digits": 4})).verdict == EARLY


def test_the_textbooks_last_unit_from_rounded_values_is_right_even_unwritten():
    row = only(check({"delta6": "0.1311"}))           # exact 0.131169: from o6 = 0.474
    assert row.verdict == ROUNDING
    assert only(check({"delta6": "0.1315"})).verdict == WRONG


def test_a_last_unit_difference_at_nine_digits_is_never_wrong():
    assert only(check({"o4": "0.331812228"})).verdict in (CORRECT, ROUNDING)
    assert only(check({"o4": "0.331812229"})).verdict in (CORRECT, ROUNDING)
