"""Tests of lecture.derivation_file: TOML and JSON derivations, written digits kept, errors with lines."""

import json
import pathlib

import pytest

from lecture.derivation import check_derivation
from lecture.derivation_file import load_derivation, loads_derivation
from lecture.derivation_spec import DerivationError

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples" / "derivations"

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


def test_toml_keeps_each_numbers_written_digits():
    d = loads_derivation(GOOD, "toml", "good.toml")
    assert d.source == "good.toml" and d.unit_names == (("1", "2"), ("3",))
    assert d.weights == {"w13": 0.5, "w23": -0.25, "b3": 0.0}
    answers = {a.key: a for a in d.answers}
    assert [answers[k].value.text for k in ("net3", "o3", "δ3")] == ["0.0", "0.500", "0.1250"]
    assert answers["o3"].value.unit == pytest.approx(1e-3) and answers["o3"].line == 15


def test_json_keeps_them_too():
    document = {"network": {"layers": [[1, 2], [3]]}, "weights": {"w13": 0.5, "w23": -0.25},
                "example": {"x": [1, 2], "t": 1, "eta": 0.5}, "answers": {"o3": 0.500}}
    text = json.dumps(document, indent=2).replace("0.5\n", "0.500\n")
    d = loads_derivation(text, "json", "good.json")
    (answer,) = d.answers
    assert answer.value.text == "0.500" and answer.line == 26
    assert d.t == (1.0,) and d.unit_names == (("1", "2"), ("3",))


def test_the_shipped_files_load():
    names = sorted(path.name for path in EXAMPLES.iterdir())
    assert names == ["section10.toml", "section7.toml", "section7_mistakes.toml", "section8.json",
                     "section8.toml"]
    for name in names:
        assert load_derivation(EXAMPLES / name).title


def test_the_json_example_keeps_written_zeros_both_ways():
    answers = {a.key: a.value for a in load_derivation(EXAMPLES / "section8.json").answers}
    assert answers["Δwxh"].text == "0.0150" and answers["wxh_new"].text == "0.5150"
    assert answers["wxh_new"].unit == pytest.approx(1e-4)
    report = check_derivation(EXAMPLES / "section8.json")
    assert report.ok and [r.verdict for r in report.rows] == ["correct"] * 12


def test_json_and_toml_of_the_same_derivation_check_alike(tmp_path):
    d = load_derivation(EXAMPLES / "section8.toml")
    document = {"title": d.title, "network": {"layers": [list(layer) for layer in d.unit_names]},
                "weights": {"wxh": 0.5, "who": 0.8}, "example": {"x": [1], "t": [1], "eta": 0.9},
                "answers": {a.key: a.value.text for a in d.answers}}
    path = tmp_path / "section8.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    from_json, from_toml = check_derivation(path), check_derivation(EXAMPLES / "section8.toml")
    assert [(r.key, r.yours.text, r.verdict) for r in from_json.rows] == \
        [(r.key, r.yours.text, r.verdict) for r in from_toml.rows]


def error_of(text, fmt="toml"):
    with pytest.raises(DerivationError) as caught:
        loads_derivation(text, fmt, f"bad.{fmt}")
    return str(caught.value)


@pytest.mark.parametrize("change, message", [
    (("w13 = 0.5", "w13 = = 0.5"), "bad.toml:5: bad TOML: Invalid value (column 7)"),
    (("w13 = 0.5", "w17 = 0.5"), "bad.toml:5: [weights] w17: no unit named '7'; the units are 1, 2, 3"),
    (("w13 = 0.5", "w12 = 0.5"), "bad.toml:5: [weights] w12: units 1 and 2 are not connected: a weight joins "
                                 "a unit to one in the next layer (layers [['1', '2'], ['3']])"),
    (("w13 = 0.5", 'w13 = "0.5"'), "bad.toml:5: [weights] w13: expected a number, got the string '0.5'"),
    (("w13 = 0.5", "w13 = true"), "bad.toml:5: [weights] w13: expected a number, got the boolean true"),
    (("w13 = 0.5", "w13 = nan"), "bad.toml:5: [weights] w13: nan is not a finite number"),
    (("w13 = 0.5\n", ""), "bad.toml:4: [weights]: missing weight w13; every connection needs one"),
    (("w13 = 0.5", "w13 = 0.5\nbias = 1"), "bad.toml:6: [weights] bias: not a weight name"),
    (("[weights]", "[weights]\nw1,3 = 1"), "bad.toml:5: bad TOML: Expected '=' after a key in a key/value pair (column 3)"),
    (('o3 = 0.500', 'o3 = "abc"'), "bad.toml:15: [answers] o3: 'abc' is not a number"),
    (('o3 = 0.500', 'o3 = true'), "bad.toml:15: [answers] o3: expected a number (or a number in a string), "
                                  "got the boolean true"),
    (('o3 = 0.500', 'o3 = {a = 1}'), "bad.toml:15: [answers] o3: expected a number (or a number in a string), "
                                     "got a table"),
    (("x = [1, 2]", "x = [1]"), "bad.toml:9: [example] x: 1 inputs for 2 input units"),
    (("x = [1, 2]", 'x = [1, "2"]'), "bad.toml:9: [example] x: expected a number, got the string '2'"),
    (("t = [1]", "t = [1, 0]"), "bad.toml:10: [example] t: 2 targets for 1 output units"),
    (("eta = 0.5", "eta = -0.5"), "bad.toml:11: [example] eta: the learning rate must be positive, got -0.5"),
    (("eta = 0.5\n", ""), "bad.toml:8: [example]: missing eta"),
    (("eta = 0.5", "eta = 0.5\ny = 1"), "bad.toml:12: [example] y: unknown field; [example] has x, t and eta"),
    (('[["1", "2"], ["3"]]', '[["1", "2"]]'), "bad.toml:2: [network] layers: expected a list of at least two"),
    (('[["1", "2"], ["3"]]', '[["1", "1"], ["3"]]'), "bad.toml:2: [network] layers: layer 0 names a unit twice"),
    (('[["1", "2"], ["3"]]', '[["1", "2"], ["3"], ["3"]]'),
     "bad.toml:2: [network] layers: unit 3 is in layers 1 and 2; units after the inputs need distinct names"),
    (('[["1", "2"], ["3"]]', '[["1", "2"], ["h-1"]]'),
     "bad.toml:2: [network] layers: layer 1: unit names are letters and digits, got 'h-1'"),
    (('layers', 'activation = "softmax"\nlayers'),
     "bad.toml:2: [network] activation: unknown activation 'softmax'; choose from sigmoid, tanh, relu, identity"),
    (("[answers]", "[answer]"), "bad.toml:13: [answer]: unknown table; the tables are title, network, weights, "
                                "biases, example, answers"),
    (("[answers]", "[biases]\nb1 = 1\n\n[answers]"), "bad.toml:14: [biases] b1: not a bias: biases are "
                                                       "b<unit> for the units after the inputs: b3"),
])
def test_every_malformed_file_names_its_line_and_field(change, message):
    old, new = change
    assert old in GOOD
    assert error_of(GOOD.replace(old, new, 1)).startswith(message)


def test_a_missing_table():
    assert error_of(GOOD.replace("[example]", "[examples]")) == (
        "bad.toml:8: [examples]: unknown table; the tables are title, network, weights, biases, "
        "example, answers")
    text = GOOD.split("[example]")[0]
    assert error_of(text) == "bad.toml: missing table [example]"


def test_bad_json_names_its_line_and_column():
    assert error_of('{\n  "network": {,\n}', "json") == (
        "bad.json:2: bad JSON: Expecting property name enclosed in double quotes (column 15)")
    assert error_of('{"answers": {"o3": 1,\n "o3": 2}}', "json") == (
        "bad.json:2: bad JSON: the key 'o3' is given twice")
    assert error_of('[1, 2]', "json") == "bad.json: expected a table (an object) at the top, got list"
    document = json.dumps({"network": {"layers": [["1"], ["2"]]}, "weights": {"w12": "x"},
                           "example": {"x": [1], "t": [1], "eta": 1}}, indent=2)
    assert error_of(document, "json") == "bad.json:13: [weights] w12: expected a number, got the string 'x'"


def test_files_must_be_toml_or_json_in_utf8(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text("x: 1")
    with pytest.raises(DerivationError, match=r"d.yaml: a derivation file is .toml or .json, not .yaml"):
        load_derivation(path)
    path = tmp_path / "d.toml"
    path.write_bytes(b"title = 'a'\n\xff\n")
    with pytest.raises(DerivationError, match=r"d.toml:2: not UTF-8 text \(invalid start byte\)"):
        load_derivation(path)
    with pytest.raises(FileNotFoundError):
        load_derivation(tmp_path / "missing.toml")
    with pytest.raises(ValueError, match="fmt must be 'toml' or 'json'"):
        loads_derivation("", "yaml")
