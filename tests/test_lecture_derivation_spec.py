"""Tests of lecture.derivation_spec: written numbers, validation of a derivation, the network it builds."""

import pytest

from lecture import EXAMPLES
from lecture.derivation_spec import Derivation, DerivationError, Written, derivation_from_dict
from lecture.textbook import training_step


@pytest.mark.parametrize("text, value, unit, digits", [
    ("0.400", 0.4, 1e-3, 3), ("-0.7", -0.7, 0.1, 1), ("3", 3.0, 1.0, 1), ("0", 0.0, 1.0, 1),
    ("0.000", 0.0, 1e-3, 1), ("1.5e-3", 0.0015, 1e-4, 2), ("-0.00936", -0.00936, 1e-5, 3),
    ("1_000", 1000.0, 1.0, 4),
])
def test_a_written_number_keeps_its_digits(text, value, unit, digits):
    w = Written(text)
    assert float(w) == value and w.text == text and repr(w) == text
    assert w.unit == pytest.approx(unit) and w.digits == digits


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "", "1.2.3"])
def test_only_finite_numbers_are_written_numbers(text):
    with pytest.raises(ValueError, match="is not a (finite )?number"):
        Written(text)


def section8_dict(**changes):
    data = {"title": "chain", "network": {"layers": [["x"], ["h"], ["o"]]},
            "weights": {"wxh": 0.5, "who": 0.8}, "example": {"x": [1], "t": [1], "eta": 0.9},
            "answers": {"oh": 0.6225, "neto": [0.498, "0.4980"]}}
    data.update(changes)
    return data


def test_a_dict_becomes_a_derivation():
    d = derivation_from_dict(section8_dict())
    assert d.title == "chain" and d.unit_names == (("x",), ("h",), ("o",))
    assert d.activations == ("sigmoid", "sigmoid") and d.eta == 0.9
    assert d.weights == {"wxh": 0.5, "bh": 0.0, "who": 0.8, "bo": 0.0}
    assert [(a.key, a.value.text) for a in d.answers] == [("oh", "0.6225"), ("neto", "0.498"),
                                                          ("neto", "0.4980")]
    assert [c.label for c in d.connections] == ["wxh", "bh", "who", "bo"]


def test_the_network_and_the_built_in_examples_agree():
    for example in EXAMPLES.values():
        d = Derivation.from_example(example)
        mine = training_step(d.network(), d.x, d.t, d.eta)
        theirs = training_step(example.network(), example.x, example.t, example.eta)
        assert mine.error == theirs.error and mine.new_outputs == theirs.new_outputs
        assert [w.label for w in mine.weights] == [c.label for c in d.connections]


def test_weights_accept_the_comma_form_and_activations_per_layer():
    d = derivation_from_dict(section8_dict(
        network={"layers": [["x"], ["h"], ["o"]], "activation": ["tanh", "identity"]},
        weights={"wx,h": 0.5, "who": 0.8}))
    assert d.weights["wxh"] == 0.5 and d.activations == ("tanh", "identity")
    assert d.network().layers[1].neurons[0].activation == "identity"


@pytest.mark.parametrize("changes, message", [
    ({"weights": {"wxh": 0.5, "who": 0.8, "wxo": 1.0}},
     "derivation: [weights] wxo: units x and o are not connected"),
    ({"weights": {"wxh": 0.5, "wx,h": 0.6, "who": 0.8}}, "derivation: [weights] wx,h: wxh is given twice"),
    ({"biases": {"bx": 1.0}}, "derivation: [biases] bx: not a bias: biases are b<unit> for the units "
                              "after the inputs: bh, bo"),
    ({"biases": []}, "derivation: [biases]: expected a table, got a list"),
    ({"title": 3}, "derivation: title: expected a string, got int"),
    ({"network": {"layers": [["x"], ["h"], ["o"]], "size": 3}},
     "derivation: [network] size: unknown field; [network] has layers and activation"),
    ({"network": {"layers": [["x"], ["h"], ["o"]], "activation": ["tanh"]}},
     "derivation: [network] activation: expected one name or a list of 2"),
    ({"network": {"layers": [["x"], [True], ["o"]]}},
     "derivation: [network] layers: layer 1: unit names are letters and digits, got the boolean true"),
    ({"example": {"x": 1, "t": [1], "eta": 0.9}},
     "derivation: [example] x: expected a list of 1 numbers, got int"),
    ({"answers": {"oh": [0.6, None]}},
     "derivation: [answers] oh: expected a number (or a number in a string), got NoneType"),
    ({"answers": []}, "derivation: [answers]: expected a table, got a list"),
])
def test_validation_errors_name_the_field(changes, message):
    with pytest.raises(DerivationError) as error:
        derivation_from_dict(section8_dict(**changes))
    assert str(error.value).startswith(message)


def test_the_top_level_must_be_a_table():
    with pytest.raises(DerivationError, match="derivation: expected a table"):
        derivation_from_dict([])
