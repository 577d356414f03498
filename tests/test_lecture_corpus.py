"""A corpus of simulated student derivations, each with one planted mistake: the checker finds every
mistake at its first wrong step and names it, credits every later value that follows from it as
carried, and calls no right value wrong."""

import pytest
from lecture_students import depends_on, derive

from lecture import (
    CARRIED,
    CORRECT,
    ROUNDING,
    SECTION7,
    SECTION8,
    SECTION10,
    WRONG,
    Example,
    Problem,
    check_derivation,
)
from stepgrad.exits import check_status

TANH = Problem("an exercise with tanh hidden units", (("1", "2"), ("3", "4"), ("5",)),
               ("tanh", "sigmoid"),
               {"w13": 0.3, "w23": -0.2, "b3": 0.1, "w14": 0.5, "w24": 0.4, "b4": -0.3,
                "w35": 0.7, "w45": -0.6, "b5": 0.2},
               (Example((1.0, 0.5), (1.0,)),), 0.5, name="tanh221")
CROSS_ENTROPY = Problem("an exercise with cross-entropy", (("1", "2"), ("3", "4"), ("5",)),
                        ("sigmoid", "sigmoid"),
                        {"w13": 0.2, "w23": 0.4, "b3": -0.1, "w14": -0.5, "w24": 0.3, "b4": 0.2,
                         "w35": 0.6, "w45": -0.4, "b5": 0.1},
                        (Example((0.5, 1.0), (1.0,)),), 0.8, loss="cross_entropy", name="ce221")

# (problem, mistake id, where it is made, the wrong η of an eta mistake)
PLANTED = [
    (SECTION7, "no_bias", "net5", None), (SECTION7, "flipped_error", "delta6", None),
    (SECTION7, "no_slope", "delta6", None), (SECTION7, "no_slope", "delta4", None),
    (SECTION7, "flipped_delta", "delta5", None), (SECTION7, "new_weights", "delta4", None),
    (SECTION7, "slope_of_net", "delta4", None), (SECTION7, "eta", "dw46", 0.5),
    (SECTION7, "eta", "db6", 1.0), (SECTION7, "update_sign", "dw14", None),
    (SECTION7, "bias_not_updated", "db4", None), (SECTION7, "no_half", "E", None),
    (SECTION7, "digit_slip", "o4", None), (SECTION7, "arithmetic_slip", "net6", None),
    (SECTION7, "digit_slip", "dw56", None), (SECTION7, "other_slope", "delta5", None),
    (SECTION8, "no_slope", "deltah", None), (SECTION8, "flipped_error", "deltao", None),
    (SECTION8, "eta", "dwho", 0.5), (SECTION8, "arithmetic_slip", "oh", None),
    (SECTION8, "slope_of_net", "deltah", None),
    (SECTION10, "flipped_error", "delta4", None), (SECTION10, "no_slope", "delta1", None),
    (SECTION10, "new_weights", "delta2", None), (SECTION10, "digit_slip", "net2", None),
    (SECTION10, "update_sign", "dw21", None), (SECTION10, "no_half", "E", None),
    (TANH, "other_slope", "delta3", None), (TANH, "no_slope", "delta4", None),
    (TANH, "flipped_delta", "delta3", None), (TANH, "flipped_error", "delta5", None),
    (TANH, "no_bias", "net4", None), (TANH, "eta", "dw35", 1.0),
    (TANH, "arithmetic_slip", "delta4", None),
    (CROSS_ENTROPY, "flipped_error", "delta5", None), (CROSS_ENTROPY, "no_slope", "delta3", None),
    (CROSS_ENTROPY, "new_weights", "delta4", None), (CROSS_ENTROPY, "digit_slip", "o3", None),
    (CROSS_ENTROPY, "bias_not_updated", "db5", None), (CROSS_ENTROPY, "eta", "dw14", 0.5),
]


def submission(problem, mistake=None, at=None, eta=None, digits=4):
    derivation = derive(problem, mistake, at, digits=digits, eta=eta)
    report = check_derivation({"answers": dict(derivation.answers)}, problem=problem)
    return derivation, report


def outcome(derivation, report):
    """How the report reads the planted mistake: ``named`` (the row is wrong and names it),
    ``listed`` (it is among the mistakes that fit), ``misnamed`` (another one is named),
    and the false alarms: a row that does not depend on the mistake but is not right, or a row
    after it that is wrong, or carried without naming it."""
    named = listed = False
    misnamed, false_alarms = [], []
    for row in report.rows:
        key = row.key
        if key == derivation.planted:
            named = row.verdict == WRONG and row.mistake == derivation.mistake
            listed = named or derivation.mistake in row.candidates
            if row.verdict == WRONG and row.mistake not in (None, derivation.mistake):
                misnamed.append((key, row.mistake))
        elif derivation.planted and depends_on(derivation, key, derivation.planted):
            # NOTE: rounding can wash a mistake out: a later value may come out right again
            if row.verdict not in (CARRIED, CORRECT, ROUNDING) or (
                    row.verdict == CARRIED and derivation.planted not in row.follows_from):
                false_alarms.append((key, row.verdict))
        elif row.verdict not in (CORRECT, ROUNDING):
            false_alarms.append((key, row.verdict))
    return named, listed, misnamed, false_alarms


def test_the_corpus_has_at_least_30_submissions_over_five_problems():
    assert len(PLANTED) >= 30
    assert {p.name for p, *_ in PLANTED} == {"section7", "section8", "section10", "tanh221",
                                             "ce221"}


@pytest.mark.parametrize("problem", [SECTION7, SECTION8, SECTION10, TANH, CROSS_ENTROPY],
                         ids=lambda p: p.name)
def test_a_right_derivation_has_no_wrong_row(problem):
    derivation, report = submission(problem)
    assert report.ok and len(report.rows) == len(derivation.answers)
    assert {row.verdict for row in report.rows} <= {CORRECT, ROUNDING}


@pytest.mark.parametrize("problem, mistake, at, eta", PLANTED,
                         ids=[f"{p.name}-{m}-{a}" for p, m, a, _ in PLANTED])
def test_each_planted_mistake_is_found_named_and_carried(problem, mistake, at, eta):
    derivation, report = submission(problem, mistake, at, eta)
    assert derivation.planted is not None
    named, _, misnamed, false_alarms = outcome(derivation, report)
    row = next(r for r in report.rows if r.key == derivation.planted)
    assert named, (row.verdict, row.mistake, row.notes)
    assert not misnamed and not false_alarms, false_alarms
    later = [r for r in report.rows if depends_on(derivation, r.key, derivation.planted)]
    assert any(r.verdict == CARRIED for r in later) or not later or mistake == "no_half"
    for r in later:
        if r.verdict == CARRIED:
            assert r.follows_from == (derivation.planted,)
            assert r.notes[0].startswith(f"follows from your wrong {derivation.planted}; from your ")
    assert check_status(report) == 1


@pytest.mark.parametrize("digits", [3, 5])
def test_rounded_coarser_or_finer_no_mistake_is_misnamed_and_no_right_value_called_wrong(digits):
    for problem, mistake, at, eta in PLANTED:
        derivation, report = submission(problem, mistake, at, eta, digits)
        named, listed, misnamed, false_alarms = outcome(derivation, report)
        assert listed and not misnamed and not false_alarms, (problem.name, mistake, at)


def rates(digits=4):
    """Over the corpus: (mistakes named, mistakes listed among those that fit, submissions,
    false alarms, rows that do not depend on a mistake, later rows credited (carried, or right
    again), later rows)."""
    named = listed = alarms = right_rows = credited = later_rows = 0
    for problem, mistake, at, eta in PLANTED:
        derivation, report = submission(problem, mistake, at, eta, digits)
        n, l, _, false_alarms = outcome(derivation, report)
        named, listed, alarms = named + n, listed + l, alarms + len(false_alarms)
        for row in report.rows:
            if row.key == derivation.planted:
                continue
            if depends_on(derivation, row.key, derivation.planted):
                later_rows += 1
                credited += row.verdict in (CARRIED, CORRECT, ROUNDING)
            else:
                right_rows += 1
    return named, listed, len(PLANTED), alarms, right_rows, credited, later_rows


def test_the_catch_and_false_alarm_rates_over_the_whole_corpus():
    named, listed, total, alarms, right_rows, credited, later_rows = rates()
    assert named == listed == total and alarms == 0
    assert right_rows > 500 and credited == later_rows > 300
