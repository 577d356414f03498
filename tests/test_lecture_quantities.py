"""lecture.quantities: each row's rule, run on the exact inputs, gives the engine's value; formulas read like the lecture."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lecture import SECTION7, SECTION8, SECTION10, Catalog, Example, Problem
from lecture.engine import exact_values
from nn import weight_label


def problem_strategy():
    """Small random problems: shapes, activations, losses, modes, epochs, signs, frozen biases."""
    @st.composite
    def build(draw):
        sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=4))
        names = []
        start = 1
        for size in sizes:
            names.append(tuple(str(u) for u in range(start, start + size)))
            start += size
        loss = draw(st.sampled_from(["squared_error", "mean_squared_error", "cross_entropy"]))
        acts = [draw(st.sampled_from(["sigmoid", "tanh", "relu", "identity"]))
                for _ in names[1:-1]]
        acts.append("sigmoid" if loss == "cross_entropy" else
                    draw(st.sampled_from(["sigmoid", "tanh", "identity"])))
        number = st.floats(-1, 1, allow_nan=False).map(lambda v: round(v, 2))
        weights = {}
        for k in range(1, len(names)):
            for j in names[k]:
                for i in names[k - 1]:
                    weights[weight_label(i, j)] = draw(number)
                weights[f"b{j}"] = draw(number)
        count = draw(st.integers(1, 3))
        target = st.floats(0, 1) if loss == "cross_entropy" else number
        examples = tuple(Example(tuple(draw(number) for _ in names[0]),
                                 tuple(round(draw(target), 2) for _ in names[-1]))
                         for _ in range(count))
        frozen = draw(st.sampled_from([(), tuple(w for w in weights if w.startswith("b"))]))
        return Problem("random", tuple(names), tuple(acts), weights, examples,
                       draw(st.sampled_from([0.1, 0.5, 0.9])), loss,
                       draw(st.sampled_from(["online", "batch"])), draw(st.integers(1, 2)),
                       frozen, draw(st.sampled_from(["lecture", "gradient"])))
    return build()


@pytest.mark.parametrize("problem", [SECTION7, SECTION10, SECTION8], ids=lambda p: p.name)
def test_the_rows_reproduce_the_engine_on_the_lectures_examples(problem):
    catalog = Catalog(problem)
    rows, engine = catalog.evaluate(), exact_values(problem, catalog)
    assert set(engine) == set(catalog.quantities)
    for name, value in engine.items():
        assert rows[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name


@settings(max_examples=60)
@given(problem_strategy())
def test_the_rows_reproduce_the_engine_on_random_problems(problem):
    catalog = Catalog(problem)
    rows, engine = catalog.evaluate(), exact_values(problem, catalog)
    for name, value in engine.items():
        assert math.isclose(rows[name], value, rel_tol=1e-9, abs_tol=1e-12), (name, rows[name], value)


def test_the_catalog_is_in_the_lectures_order():
    names = Catalog(SECTION7).names
    assert names[:6] == ["net4", "o4", "slope4", "net5", "o5", "slope5"]
    assert names.index("E") < names.index("signal6") < names.index("delta6") < names.index("dw46")
    assert names.index("w46_new") < names.index("signal4") < names.index("delta4") < names.index("dw14")
    assert names[-2:] == ["signal6_new", "E_new"]


@pytest.mark.parametrize("name, formula", [
    ("net4", "net4 = w14·x1 + w24·x2 + w34·x3 + b4"),
    ("o4", "o4 = σ(net4)"),
    ("delta6", "δ6 = o6·(1 − o6)·(t6 − o6)"),
    ("delta4", "δ4 = o4·(1 − o4)·(w46·δ6)"),
    ("E", "E = ½·(t6 − o6)²"),
    ("dw46", "Δw46 = η·δ6·o4"),
    ("db6", "Δb6 = η·δ6"),
    ("w46_new", "w46_new = w46 + Δw46"),
    ("dEdw14", "∂E/∂w14 = ∂E/∂net4·x1"),
])
def test_formulas_read_like_the_lecture(name, formula):
    assert Catalog(SECTION7).formula(name) == formula


def test_the_half_of_e_covers_every_output():
    catalog = Catalog(SECTION10)
    assert catalog.formula("E") == "E = ½·((t3 − o3)² + (t4 − o4)²)"
    assert catalog.numbers("E", catalog.evaluate()).startswith("½·((1 − ")


def test_equal_numbers_stay_a_product():
    p = Problem("p", (("1",), ("2",)), ("tanh",), {"w12": 0.5, "b2": 0.0},
                (Example((0.5,), (1.0,)),), 0.5)
    catalog = Catalog(p)
    assert catalog.numbers("net2", catalog.evaluate()) == "0.5·0.5 + 0"
    assert catalog.formula("slope2") == "∂o2/∂net2 = 1 − o2²"


def test_numbers_fill_the_formula_in():
    catalog = Catalog(SECTION7)
    assert catalog.numbers("delta4", catalog.evaluate()) == \
        "0.33181·(1 − 0.33181)·((-0.3)·0.13117)"
    assert catalog.numbers("o4", catalog.evaluate()) == "σ(-0.7)"


def test_tanh_cross_entropy_and_the_other_sign_have_their_own_formulas():
    p = Problem("p", (("1",), ("2",), ("3",)), ("tanh", "sigmoid"),
                {"w12": 0.5, "b2": 0.0, "w23": -0.4, "b3": 0.1}, (Example((1.0,), (1.0,)),), 0.5,
                loss="cross_entropy", sign="gradient")
    catalog = Catalog(p)
    assert catalog.formula("slope2") == "∂o2/∂net2 = 1 − o2²"
    assert catalog.formula("delta3") == "δ3 = o3 − t3"
    assert catalog.formula("signal3") == "err3 = (o3 − t3)/(o3·(1 − o3))"
    assert catalog.formula("dw23") == "Δw23 = −η·δ3·o2"
    assert catalog.formula("E") == "E = −(t3·log(o3) + (1 − t3)·log(1 − o3))"


def test_scopes_name_each_pass_of_several_examples_and_epochs():
    p = Problem("p", (("1",), ("2",)), ("sigmoid",), {"w12": 0.5, "b2": 0.0},
                (Example((1.0,), (1.0,)), Example((0.0,), (0.0,))), 0.5, mode="batch", epochs=2)
    names = Catalog(p).names
    assert "epoch1.example2.delta2" in names and "epoch2.dw12" in names
    assert "epoch1.w12_new" in names and "E_new" not in names
    assert Catalog(p).quantities["epoch2.example1.net2"].inputs[0] == "epoch1.w12_new"


def test_frozen_parameters_keep_their_value():
    p = Problem("p", (("1",), ("2",)), ("sigmoid",), {"w12": 0.5, "b2": 0.3},
                (Example((1.0,), (1.0,)),), 0.5, frozen={"b2"})
    values = Catalog(p).evaluate()
    assert values["db2"] == 0.0 and values["b2_new"] == 0.3 and values["dw12"] != 0.0
