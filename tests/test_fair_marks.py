"""Issue 17, fair marks: what each written value earns, read as a teacher reads it."""

import pytest

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
    assert [r.key for r in ones.rows if r.verdict == EARLY] == ["o5"]     # 0.525 rounds to 1
    assert only(check({"o4": "1"})).mistake == "too_rough"               # 0.33 does not


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


# -- reading what students write -------------------------------------------------------------

def student_file(tmp_path, text, encoding="utf-8", name="s.toml"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_commas_minus_fractions_and_powers_of_ten_are_read():
    from lecture.written import read_written
    for text, value in [("0,52", 0.52), ("\u22120.5", -0.5), ("1/4", 0.25), ("1.2e-3", 0.0012),
                        ("1.2×10⁻³", 0.0012), ("- 0.0087", -0.0087), ("≈0.33", 0.33)]:
        assert float(read_written(text)) == value, text
    assert read_written("0,52").text == "0.52" and "decimal comma" in read_written("0,52").note


def test_one_unreadable_field_costs_that_field_never_the_file(tmp_path):
    path = student_file(tmp_path, 'problem = "section7"\nnotes = "I used eta = 0.9 throughout"\n'
                                  '[answers]\nδ6 = 0,1311\no4 = "\u22120.332"\nΔw46 = 1/4\n'
                                  'o5 = 0.525\ndw14 = 7..1\nnet6 = "-0.104')
    report = check_derivation(path, lenient=True)
    rows = {r.key: r for r in report.rows}
    assert list(rows) == ["δ6", "o4", "Δw46", "o5", "dw14"]      # the cut-off last line: left out
    assert rows["δ6"].verdict == ROUNDING and rows["o5"].verdict == CORRECT
    assert rows["dw14"].verdict == "unreadable" and rows["dw14"].notes[0].startswith("unreadable: ")
    assert rows["o4"].verdict == WRONG and float(rows["o4"].yours) == -0.332
    assert report.submission.extras == (("notes", "I used eta = 0.9 throughout"),)
    assert any("not valid TOML" in note for note in report.submission.notes)
    assert any("cut off" in note for note in report.submission.notes)


def test_windows_1252_and_latin_1_are_read_with_a_note(tmp_path):
    for encoding in ("cp1252", "latin-1"):
        path = student_file(tmp_path, 'problem = "section7"\ntitle = "Ren\u00e9e\u2019s answers"'
                            if encoding == "cp1252" else 'problem = "section7"\ntitle = "Ren\u00e9e"',
                            encoding)
        path.write_bytes(path.read_bytes() + "\n[answers]\no4 = 0.332\n".encode())
        report = check_derivation(path, lenient=True)
        assert [r.verdict for r in report.rows] == [CORRECT]
        assert report.submission.notes[0].startswith("the file is not UTF-8")


# -- naming ----------------------------------------------------------------------------------

def test_w_minus_dw_on_a_new_weight_row_is_the_update_sign_mistake():
    rows = check({"dw46": "0.0392", "w46_new": "-0.339", "dw14": "-0.00785",
                  "w14_new": "0.208"}).rows
    assert [(r.verdict, r.mistake) for r in rows] == [(CORRECT, None), (WRONG, "update_sign"),
                                                       (CORRECT, None), (WRONG, "update_sign")]


def test_a_zero_that_eta_over_ten_explains_is_named():
    row = only(check({"dw46": "0.00"}))
    assert row.verdict == WRONG and row.mistake == "eta"
    assert row.notes[0].startswith("η = 0.09 is used instead of η = 0.9")


def test_an_expression_follows_a_wrong_value_like_any_row():
    rows = check({"delta6": "-0.1312", "-delta6*x1": "0.1312"}).rows
    assert [r.verdict for r in rows] == [WRONG, "carried"]


# -- exercises that show the mistakes --------------------------------------------------------

def test_no_generated_exercise_has_a_zero_bias_input_or_weight_by_default():
    from stepgrad.classroom import BUILTIN, generate
    from stepgrad.classroom.template import template_from_dict
    for template in (BUILTIN, template_from_dict({"shapes": "2-3-2"})):
        for k in range(30):
            problem = generate(template, f"s{k:02d}", 90210).problem
            assert all(v != 0 for v in problem.weights.values()) and all(problem.x), k
    allowed = template_from_dict({"zeros": True, "inputs": {"range": [0, 1], "decimals": 0}})
    assert any(0 in generate(allowed, f"s{k}", 1).problem.x for k in range(30))


def test_a_template_may_ask_for_examples_epochs_batch_updates_and_frozen_parameters(tmp_path):
    from stepgrad.classroom import exercise_toml, generate, key_toml
    from stepgrad.classroom.template import template_from_dict
    template = template_from_dict({"shapes": "2-2-1", "examples": 2, "epochs": 2, "mode": "batch",
                                   "frozen": "biases", "asked": ["delta", "dw", "w_new"]})
    exercise = generate(template, "bob", 1)
    problem = exercise.problem
    assert len(problem.examples) == 2 and problem.epochs == 2 and problem.mode == "batch"
    assert problem.frozen == {"b3", "b4", "b5"}
    assert not any(name.split(".")[-1].startswith("db") for name in exercise.asked)
    (tmp_path / "exercise.toml").write_text(exercise_toml(exercise), encoding="utf-8")
    (tmp_path / "key.toml").write_text(key_toml(exercise), encoding="utf-8")
    report = check_derivation(tmp_path / "key.toml")
    assert report.rows and {r.verdict for r in report.rows} == {CORRECT}


def test_names_written_loosely_are_read_as_the_quantity():
    rows = check({"Δw_46": "0.0392", "w46new": "-0.261", "o_4": "0.332", "NET4": "-0.7",
                  "w_{46}^{new}": "-0.261", "net₄": "-0.7", "E_total": "0.1384"}).rows
    assert [r.quantity for r in rows] == ["dw46", "w46_new", "o4", "net4", "w46_new", "net4", "E"]
    assert only(check({"dleta4": "0.1"})).quantity is None          # a misspelling stays one


def test_a_number_with_an_aside_a_full_stop_or_brackets_is_read():
    from lecture.written import read_written
    for text in ("0.332 (rounded)", "0.332.", "(0.332)", "0,332"):
        assert float(read_written(text)) == 0.332, text


def test_values_written_outside_answers_are_answers_and_words_are_kept(tmp_path):
    path = student_file(tmp_path, 'problem = "section7"\no4 = 0.332\nname = "Ann Lee"\n'
                                  '[forward]\nnet4 = -0.7\nremark = "see page 2"\n'
                                  '[answers.backward]\n"δ6" = 0.1311\n')
    report = check_derivation(path, lenient=True)
    assert [(r.quantity, r.verdict) for r in report.rows] == [
        ("o4", CORRECT), ("net4", CORRECT), ("delta6", ROUNDING)]
    assert dict(report.submission.extras) == {"name": "Ann Lee", "remark": "see page 2"}


def test_hints_and_verdicts_hold_back_the_exact_answers():
    from lecture import report_html, report_markdown
    report = check({"o4": "0.3319", "delta6": "-0.1312", "dw46": "0.0391", "o5": "0.9"})
    full = report_markdown(report)
    assert "0.33181" in full and "| exact |" in full
    for feedback in ("hints", "verdicts"):
        for text in (report_markdown(report, feedback), report_html(report, feedback=feedback)):
            assert "0.33181" not in text and "0.131169" not in text and "0.52498" not in text
    hints = report_markdown(report, "hints")
    assert "the error is written as o6 − t6" in hints            # the cause is still named
    assert "the error is written" not in report_markdown(report, "verdicts")


def test_trailing_zeros_left_off_are_no_early_rounding():
    # net5 = 0.1 exactly; E_new… : a value whose rounding to the digits asked ends in zeros
    assert only(check({"net4": "-0.7"}, exercise={"digits": 4})).verdict == CORRECT
    row = only(check({"o5": "0.525"}, exercise={"digits": 4}))   # 0.52498 → 0.5250
    assert row.verdict == CORRECT
    assert only(check({"o5": "0.52"}, exercise={"digits": 4})).verdict == EARLY


def test_a_json_upload_cut_off_is_read_pair_by_pair(tmp_path):
    path = student_file(tmp_path, '{"problem": "section7", "exercise": {"id": "x1"},\n'
                                  ' "answers": {"o4": 0.332, "net4": "-0,7",\n "dw46": 0.03', name="s.json")
    report = check_derivation(path, lenient=True)
    assert [(r.quantity, r.verdict) for r in report.rows] == [("o4", CORRECT), ("net4", CORRECT)]
    assert report.submission.exercise == {"id": "x1"}


def test_a_problem_states_the_digits_its_answers_are_asked_to(tmp_path):
    problem = tmp_path / "problem.toml"
    problem.write_text('[network]\nlayers = [["1"], ["2"]]\n[weights]\nw12 = 0.4\n[biases]\nb2 = 0.1\n'
                       '[example]\nx = [1.0]\nt = [1.0]\n[training]\neta = 0.5\ndigits = 2\n')
    # o2 = σ(0.5) = 0.6225: two digits are what this problem asks, three what the default asks
    assert only(check({"o2": "0.62"}, problem=problem)).verdict == CORRECT
    assert only(check({"o2": "0.6"}, problem=problem)).verdict == EARLY
    assert only(check({"o2": "0.62"}, problem=problem, exercise={"digits": 3})).verdict == EARLY
    problem.write_text(problem.read_text().replace("digits = 2", "digits = 0"))
    with pytest.raises(ValueError, match=r"training.*digits.*whole number from 1 to 17"):
        check({"o2": "0.62"}, problem=problem)
