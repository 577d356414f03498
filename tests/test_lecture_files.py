"""lecture.files and lecture.schema: problems and derivations from TOML, JSON or dicts, written digits
kept, every malformed file named by line and field."""

import json
import pathlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lecture import (
    EXAMPLES,
    SECTION7,
    SECTION8,
    DerivationError,
    Written,
    check_derivation,
    load_problem,
    load_submission,
    loads_submission,
    problem_from_dict,
    submission_from_dict,
)
from lecture.schema import LIMITS
from lecture.written import read_written

REPO = pathlib.Path(__file__).resolve().parent.parent
DERIVATIONS = REPO / "examples" / "derivations"

GOOD = """\
[network]
layers = [["1", "2"], ["3"]]

[weights]
w13 = 0.5
w23 = -0.25

[example]
x = [1, 2]
t = [1]
eta = 0.5

[answers]
net3 = 0.0
o3 = 0.500
"δ3" = "0.1250"
"""


@pytest.mark.parametrize("text, value, unit, digits", [
    ("0.400", 0.4, 1e-3, 3), ("-0.7", -0.7, 0.1, 1), ("3", 3.0, 1.0, 1), ("0", 0.0, 1.0, 1),
    ("0.000", 0.0, 1e-3, 1), ("1.5e-3", 0.0015, 1e-4, 2), ("-0.00936", -0.00936, 1e-5, 3),
    ("1_000", 1000.0, 1.0, 4),
])
def test_a_written_number_keeps_its_digits(text, value, unit, digits):
    w = Written(text)
    assert float(w) == value and w.text == text and repr(w) == text
    assert w.unit == pytest.approx(unit) and w.digits == digits


@settings(max_examples=500, deadline=None)
@given(st.from_regex(r"\A-?[0-9]{1,15}(\.[0-9]{0,15})?\Z"))
def test_a_plain_decimal_is_read_as_decimal_reads_it(text):
    # the plain texts skip decimal.Decimal; every field must be what it would give
    fast, slow = Written(text), Written._decimal(text)
    assert repr(float(fast)) == repr(float(slow)) and type(fast) is type(slow)
    for field in ("text", "unit", "decimals", "digits", "note"):
        assert getattr(fast, field) == getattr(slow, field), field
    assert read_written(text).text == text


@pytest.mark.parametrize("text, message", [("abc", "is not a number"), ("nan", "is not a finite"),
                                           ("inf", "is not a finite"), ("", "is not a number"),
                                           ("1e999", "too large for a float")])
def test_only_finite_numbers_are_written_numbers(text, message):
    with pytest.raises(ValueError, match=message):
        Written(text)


def test_toml_keeps_each_numbers_written_digits():
    s = loads_submission(GOOD, "toml", "good.toml")
    assert s.source == "good.toml" and s.problem.unit_names == (("1", "2"), ("3",))
    assert dict(s.problem.weights) == {"w13": 0.5, "w23": -0.25, "b3": 0.0}
    answers = {a.key: a for a in s.answers}
    assert [answers[k].value.text for k in ("net3", "o3", "δ3")] == ["0.0", "0.500", "0.1250"]
    assert answers["o3"].value.unit == pytest.approx(1e-3) and answers["o3"].line == 15


def test_json_keeps_them_too():
    document = {"network": {"layers": [[1, 2], [3]]}, "weights": {"w13": 0.5, "w23": -0.25},
                "example": {"x": [1, 2], "t": 1, "eta": 0.5}, "answers": {"o3": 0.500}}
    text = json.dumps(document, indent=2).replace("0.5\n", "0.500\n")
    s = loads_submission(text, "json", "good.json")
    (answer,) = s.answers
    assert answer.value.text == "0.500" and answer.line == 26
    assert s.problem.t == (1.0,)


def test_the_shipped_files_load_and_pass():
    names = sorted(path.name for path in DERIVATIONS.iterdir())
    assert names == ["mazur.toml", "section10.toml", "section7.toml", "section7_mistakes.toml",
                     "section8.json", "section8.toml"]
    for name in names:
        submission = load_submission(DERIVATIONS / name)
        assert submission.title and submission.answers
        assert check_derivation(DERIVATIONS / name).ok == (name != "section7_mistakes.toml")


def test_json_and_toml_of_the_same_derivation_check_alike(tmp_path):
    s = load_submission(DERIVATIONS / "section8.toml")
    document = {"title": s.title, "network": {"layers": [["x"], ["h"], ["o"]]},
                "weights": {"wxh": 0.5, "who": 0.8}, "example": {"x": [1], "t": [1], "eta": 0.9},
                "answers": {a.key: a.value.text for a in s.answers}}
    path = tmp_path / "section8.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    from_json, from_toml = check_derivation(path), check_derivation(DERIVATIONS / "section8.toml")
    assert [(r.key, r.yours.text, r.verdict) for r in from_json.rows] == \
        [(r.key, r.yours.text, r.verdict) for r in from_toml.rows]


def error_of(text, fmt="toml"):
    with pytest.raises(DerivationError) as caught:
        loads_submission(text, fmt, f"bad.{fmt}")
    return str(caught.value)


@pytest.mark.parametrize("change, message", [
    (("w13 = 0.5", "w13 = = 0.5"), "bad.toml:5: invalid TOML: Invalid value (column 7)"),
    (("w13 = 0.5", "w17 = 0.5"), "bad.toml:5: [weights] w17: no unit named '7'; the units are 1, 2, 3"),
    (("w13 = 0.5", "w12 = 0.5"), "bad.toml:5: [weights] w12: units 1 and 2 are not connected: "
                                 "a weight joins a unit to one in the next layer"),
    (("w13 = 0.5", 'w13 = "0.5"'), "bad.toml:5: [weights] w13: expected a number, got the string '0.5'"),
    (("w13 = 0.5", "w13 = true"), "bad.toml:5: [weights] w13: expected a number, got the boolean true"),
    (("w13 = 0.5", "w13 = nan"), "bad.toml:5: [weights] w13: nan is not a finite number"),
    (("w13 = 0.5", "w13 = 1e999"), "bad.toml:5: [weights] w13: inf is not a finite number"),
    (("w13 = 0.5", "w13 = " + "9" * 400), "bad.toml:5: a number written with more than 300 characters"),
    (("w13 = 0.5\n", ""), "bad.toml:4: [weights]: missing weight w13; every connection needs one"),
    (("w13 = 0.5", "w13 = 0.5\nbias = 1"), "bad.toml:6: [weights] bias: not a weight name"),
    (('o3 = 0.500', 'o3 = "abc"'), "bad.toml:15: [answers] o3: 'abc' is not a number"),
    (('o3 = 0.500', 'o3 = true'), "bad.toml:15: [answers] o3: expected a number (or a number in "
                                  "a string), got the boolean true"),
    (("x = [1, 2]", "x = [1]"), "bad.toml:9: [example] x: 1 inputs for 2 input units"),
    (("t = [1]", "t = [1, 0]"), "bad.toml:10: [example] t: 2 targets for 1 output units"),
    (("eta = 0.5", "eta = -0.5"), "bad.toml:11: [example] eta: the learning rate must be positive"),
    (("eta = 0.5\n", ""), "bad.toml: [training]: missing eta (the learning rate η)"),
    (("eta = 0.5", "eta = 0.5\ny = 1"), "bad.toml:12: [example] y: unknown field; [example] has x, t, eta"),
    (('[["1", "2"], ["3"]]', '[["1", "2"]]'), "bad.toml:2: [network] layers: expected a list of at least two"),
    (('[["1", "2"], ["3"]]', '[["1", "1"], ["3"]]'), "bad.toml:2: [network] layers: layer 0 names a unit twice"),
    (('[["1", "2"], ["3"]]', '[["1", "2"], ["h-1"]]'),
     "bad.toml:2: [network] layers: layer 1: unit names are up to 12 ASCII letters and digits, got 'h-1'"),
    (('layers', 'activation = "softmax"\nlayers'),
     "bad.toml:2: [network] activation: unknown activation the string 'softmax'; choose from sigmoid"),
    (("[answers]", "[answer]"), "bad.toml:13: [answer]: unknown table; the tables are title, problem"),
    (("[answers]", "[training]\nloss = \"hinge\"\n[answers]"),
     "bad.toml:14: [training] loss: expected one of squared_error, mean_squared_error, cross_entropy"),
    (("[answers]", "[training]\nfrozen = [\"b9\"]\n[answers]"),
     "bad.toml:14: [training] frozen: the string 'b9' is not a weight or bias of this network"),
    (("[answers]", "[training]\nepochs = 0\n[answers]"),
     "bad.toml:14: [training] epochs: expected a whole number from 1 to 100, got 0"),
    (("[answers]", "[training]\ndelta = \"up\"\n[answers]"),
     "bad.toml:14: [training] delta: expected \"-dE/dnet\" (the lecture's δ) or \"dE/dnet\""),
])
def test_every_malformed_file_names_its_line_and_field(change, message):
    old, new = change
    assert old in GOOD
    assert error_of(GOOD.replace(old, new, 1)).startswith(message)


def test_bad_json_names_its_line_and_column():
    assert error_of('{\n  "network": {,\n}', "json") == (
        "bad.json:2: invalid JSON: Expecting property name enclosed in double quotes (column 15)")
    assert error_of('{"answers": {"o3": 1,\n "o3": 2}}', "json") == (
        "bad.json:2: invalid JSON: the key 'o3' is given twice")
    assert error_of('[1, 2]', "json") == "bad.json: expected a table (an object) at the top, got a list"


def test_files_must_be_toml_or_json_in_utf8(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text("x: 1")
    with pytest.raises(DerivationError, match=r"d.yaml: a problem or derivation file is .toml or .json"):
        load_submission(path)
    path = tmp_path / "d.toml"
    path.write_bytes(b"title = 'a'\n\xff\n")
    with pytest.raises(DerivationError, match=r"d.toml:2: not UTF-8 text \(byte 0xff at column 1\)"):
        load_submission(path)
    with pytest.raises(DerivationError, match="missing.toml: cannot read it: No such file"):
        load_submission(tmp_path / "missing.toml")


def test_sizes_are_refused_before_anything_is_built():
    layer = [str(u) for u in range(LIMITS["units per layer"] + 1)]
    with pytest.raises(DerivationError, match=r"layer 0 has 101 units; at most 100"):
        problem_from_dict({"network": {"layers": [layer, ["a"]]}, "weights": {}})
    wide = [[f"{name}{u}" for u in range(100)] for name in "abcdefg"]
    with pytest.raises(DerivationError, match=r"60,600 weights and biases; a derivation has at most 25,000"):
        problem_from_dict({"network": {"layers": wide}, "weights": {}})


def test_a_derivation_can_name_its_problem_built_in_or_beside_it(tmp_path):
    s = submission_from_dict({"problem": "section8", "answers": {"oh": 0.6225}}, resolve=load_problem)
    assert s.problem is SECTION8 and s.restated == ()
    (tmp_path / "p.toml").write_text('[network]\nlayers = [["1"], ["2"]]\n[weights]\nw12 = 1\n'
                                     '[example]\nx = [1]\nt = [1]\n[training]\neta = 0.5\n')
    (tmp_path / "a.toml").write_text('problem = "p.toml"\n[answers]\nnet2 = 1\n')
    report = check_derivation(tmp_path / "a.toml")
    assert report.problem.name == str(tmp_path / "p.toml") and report.ok
    (tmp_path / "b.toml").write_text('problem = "q.toml"\n[answers]\nnet2 = 1\n')
    with pytest.raises(DerivationError, match="b.toml: problem: 'q.toml' is neither a built-in problem"):
        check_derivation(tmp_path / "b.toml")
    (tmp_path / "c.toml").write_text('problem = "a.toml"\n[answers]\nnet2 = 1\n')
    with pytest.raises(DerivationError, match="a.toml: problem: a problem file states its network"):
        check_derivation(tmp_path / "c.toml")


def test_several_examples_epochs_and_answer_tables():
    s = submission_from_dict({
        "network": {"layers": [["1"], ["2"]]}, "weights": {"w12": 0.5},
        "examples": [{"x": [1], "t": [1]}, {"x": [0], "t": [0]}],
        "training": {"eta": 0.5, "mode": "batch", "epochs": 2},
        "answers": {"epoch1": {"example2": {"net2": 0.0}, "dw12": 0.06}}})
    assert s.problem.steps == 2 and len(s.problem.examples) == 2
    assert [a.key for a in s.answers] == ["epoch1.example2.net2", "epoch1.dw12"]


def test_every_built_in_problem_is_a_problem():
    for name, problem in EXAMPLES.items():
        assert load_problem(name) is problem and problem.name == name


PARTIAL = """\
[network]
layers = [["1"], ["2"]]
[weights]
w12 = 0.5
[example]
t = [1]
[training]
eta = 0.5
[given]
delta2 = 0.1
"""


def test_a_problem_that_leaves_x_open_is_refused_where_the_network_must_run(tmp_path, capsys):
    # [given] lets a problem leave x open (Example.x holds None): checking it works, but a
    # command that runs the network says what is missing instead of failing inside the engine
    from stepgrad.cli import main
    path = tmp_path / "partial.toml"
    path.write_text(PARTIAL)
    problem = load_problem(path)
    assert problem.x == (None,)
    with pytest.raises(ValueError, match=r"the network needs x1, which the problem does not give"):
        problem.example_values()
    for command in (["step", path], ["graph", path, "--out", tmp_path / "g.txt"],
                    ["network", path, "--out", tmp_path / "n.txt"]):
        assert main([str(a) for a in command]) == 2
        assert "the network needs x1, which the problem does not give" in capsys.readouterr().err


def test_check_reads_a_whole_textbook_network_that_grade_would_refuse(tmp_path):
    """grade's per-student budget counts 100,000 marks; a file one checks oneself may hold a
    100-100-100 derivation (about 160,000), and is still bounded."""
    from lecture import read_student_document
    from lecture.files import MAX_BYTES, MAX_CHECK_ITEMS, MAX_ITEMS
    path = tmp_path / "big.json"
    path.write_text('{"answers": {' + ", ".join(f'"v{k}": 0.25' for k in range(40_000)) + "}}")
    with pytest.raises(DerivationError, match="more than 100,000 fields"):
        read_student_document(path)
    data, _, _ = read_student_document(path, MAX_BYTES, MAX_CHECK_ITEMS)
    assert len(data["answers"]) == 40_000 and MAX_ITEMS < 160_000 < MAX_CHECK_ITEMS


def test_a_long_extra_field_is_shown_cut_with_an_ellipsis():
    s = submission_from_dict({"answers": {"o4": "0.5"}, "comment": "x" * 500}, problem=SECTION7,
                             lenient=True)
    assert list(s.extras) == [("comment", "x" * 199 + "…")]
