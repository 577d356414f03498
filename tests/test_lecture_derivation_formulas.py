"""Tests of lecture.derivation_formulas: the lecture's quantities, their formulas and recomputation."""

import pytest

from lecture import EXAMPLES, SECTION7
from lecture.derivation_formulas import MISTAKES, Lecture, eta_mistake
from lecture.derivation_spec import Derivation, derivation_from_dict


def lecture(example=SECTION7):
    return Lecture(Derivation.from_example(example))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_recomputing_from_nothing_gives_the_engines_values(name):
    """The formulas, run on numbers, agree with lecture.textbook.training_step (the engine)."""
    lec = lecture(EXAMPLES[name])
    exact = lec.exact()
    computed, values = lec.evaluate()
    assert computed == values and set(computed) == set(exact) == set(lec.names)
    for q in lec.names:
        assert computed[q] == pytest.approx(exact[q], rel=1e-12, abs=1e-15), q


def test_the_names_of_section7_in_the_lectures_order():
    names = lecture().names
    assert names[:7] == ["net4", "o4", "slope4", "net5", "o5", "slope5", "net6"]
    assert names[9:13] == ["E", "signal6", "delta6", "dw46"]
    assert names.index("delta4") > names.index("w46_new")
    assert names[-3:] == ["o6_new", "signal6_new", "E_new"] and len(names) == 46


def test_aliases_find_quantities():
    lec = lecture()
    for key, name in [("δ6", "delta6"), ("Δw46", "dw46"), ("Δb4", "db4"), ("err6", "signal6"),
                      ("err6_new", "signal6_new"), ("w4,6_new", "w46_new"), ("dw1,4", "dw14"),
                      (" o4 ", "o4")]:
        assert lec.lookup(key).name == name
    assert lec.lookup("o7") is None and lec.lookup("w14") is None


def test_formulas_read_like_the_lecture():
    lec, exact = lecture(), lecture().exact()
    assert lec.formula("net4") == "net4 = w14·x1 + w24·x2 + w34·x3 + b4"
    assert lec.formula("o6") == "o6 = σ(net6)"
    assert lec.formula("slope6") == "slope6 = o6·(1 − o6)"
    assert lec.formula("delta6") == "δ6 = o6·(1 − o6)·(t6 − o6)"
    assert lec.formula("delta4") == "δ4 = o4·(1 − o4)·(w46·δ6)"
    assert lec.formula("E") == "E = 0.5·(t6 − o6)^2"
    assert lec.formula("dw14") == "Δw14 = η·δ4·x1" and lec.formula("db4") == "Δb4 = η·δ4"
    assert lec.formula("w46_new") == "w46_new = w46 + Δw46"
    assert lec.formula("net6_new") == "net6_new = w46_new·o4_new + w56_new·o5_new + b6_new"
    assert lec.numbers("o4", exact) == "σ(-0.7)"
    assert lec.numbers("net4", exact) == "0.2·1 + 0.4·0 + (-0.5)·1 + (-0.4)"
    section10 = lecture(EXAMPLES["section10"])
    assert section10.formula("delta1") == "δ1 = o1·(1 − o1)·(w13·δ3 + w14·δ4)"
    assert section10.formula("E") == "E = 0.5·((t3 − o3)^2 + (t4 − o4)^2)"


def test_the_slope_is_the_activations_rule():
    d = derivation_from_dict({"network": {"layers": [["1"], ["2"], ["3"]],
                                          "activation": ["tanh", "identity"]},
                              "weights": {"w12": 0.5, "w23": 2.0},
                              "example": {"x": [1], "t": [0], "eta": 0.1}})
    lec = Lecture(d)
    assert lec.formula("slope2") == "slope2 = 1 − o2·o2" and lec.formula("o3") == "o3 = net3"
    assert lec.formula("delta2") == "δ2 = (1 − o2·o2)·(w23·δ3)"
    computed, _ = lec.evaluate()
    assert computed["slope3"] == 1.0
    assert computed["delta2"] == pytest.approx(lec.exact()["delta2"], rel=1e-12)


def test_given_values_carry_into_what_follows():
    lec = lecture()
    computed, values = lec.evaluate({"o4": 0.332, "o5": 0.525})
    assert values["o4"] == 0.332 and computed["o4"] == pytest.approx(0.331812, abs=1e-6)
    assert computed["net6"] == pytest.approx(0.332 * -0.3 + 0.525 * -0.2 + 0.1, rel=1e-12)


def test_each_mistake_changes_what_it_should():
    lec = lecture()
    exact = lec.exact()
    by_key = {m.key: lec.evaluate(mistake=m)[0] for m in MISTAKES}
    assert by_key["delta_sign"]["delta6"] == -exact["delta6"]
    assert by_key["delta_sign"]["delta4"] == pytest.approx(-exact["delta4"], rel=1e-12)
    assert by_key["no_slope"]["delta6"] == exact["signal6"]
    assert by_key["new_weights"]["delta6"] == exact["delta6"]
    assert by_key["new_weights"]["signal4"] == pytest.approx(exact["w46_new"] * exact["delta6"], rel=1e-12)
    assert by_key["no_bias"]["net4"] == pytest.approx(-0.3, rel=1e-12)
    assert by_key["bias_not_updated"]["b6_new"] == 0.1 and by_key["bias_not_updated"]["w46_new"] == exact["w46_new"]
    assert lec.evaluate(mistake=eta_mistake(0.5))[0]["dw46"] == pytest.approx(exact["dw46"] * 0.5 / 0.9, rel=1e-12)
    assert lec.recompute("delta4", exact, MISTAKES[0]) == pytest.approx(-exact["delta4"], rel=1e-12)
