"""Tests of autodiff.explain: chain-rule explanations of one gradient, path by path."""

import math
import re

import pytest
from lecture_numbers import SECTION7_TABLE2
from sample_graphs import section7_error, two_paths

from autodiff import Value, gradients
from lecture import SECTION10
from nn import squared_error
from stepgrad.stepping.explain import explain
from stepgrad.stepping.notation import number

GOLDEN_EXPLANATION = """\
∂L/∂x: 2 paths from L to x
  path 1 = ∂L/∂(0.6·x + x·0.4) · ∂(0.6·x + x·0.4)/∂(0.6·x) · ∂(0.6·x)/∂x
         = (0.42)(1)(0.6) = 0.252
  path 2 = ∂L/∂(0.6·x + x·0.4) · ∂(0.6·x + x·0.4)/∂(x·0.4) · ∂(x·0.4)/∂x
         = (0.42)(1)(0.4) = 0.168
where
  ∂L/∂(0.6·x + x·0.4) = 1 − L² = 0.42   (tanh: 1 − out²)
  ∂(0.6·x + x·0.4)/∂(0.6·x) = 1   (+: 1)
  ∂(0.6·x)/∂x = 0.6   (×: a)
  ∂(0.6·x + x·0.4)/∂(x·0.4) = 1   (+: 1)
  ∂(x·0.4)/∂x = 0.4   (×: b)
sum over 2 paths: 0.252 + 0.168 = 0.419974; ∂L/∂x = 0.419974 = x.grad
update: Δx = −η·∂L/∂x = η × (-0.419974)"""

GOLDEN_LATEX = r"""\begin{aligned}
\text{path 1} &: \frac{\partial L}{\partial (0.6 \cdot x + x \cdot 0.4)} \cdot \frac{\partial (0.6 \cdot x + x \cdot 0.4)}{\partial (0.6 \cdot x)} \cdot \frac{\partial (0.6 \cdot x)}{\partial x} = (0.42)(1)(0.6) = 0.252 \\
\text{path 2} &: \frac{\partial L}{\partial (0.6 \cdot x + x \cdot 0.4)} \cdot \frac{\partial (0.6 \cdot x + x \cdot 0.4)}{\partial (x \cdot 0.4)} \cdot \frac{\partial (x \cdot 0.4)}{\partial x} = (0.42)(1)(0.4) = 0.168 \\
\frac{\partial L}{\partial x} &= 0.252 + 0.168 = 0.42
\end{aligned}"""

# ∂E/∂w14 in section 7: every factor named as the lecture names it, and the update it implies.
GOLDEN_W14 = """\
∂E/∂w14 = ∂E/∂o6 · ∂o6/∂net6 · ∂net6/∂o4 · ∂o4/∂net4 · ∂net4/∂w14
        = (-0.526)(0.249)(-0.3)(0.222)(1) = 0.00872
where
  ∂E/∂o6 = −(t6 − o6) = -0.526   (through 3 ops: ×, ^, −)
  ∂o6/∂net6 = o6·(1 − o6) = 0.249   (σ: out·(1 − out))
  ∂net6/∂o4 = w46 = -0.3   (through 3 ops: +, +, ×)
  ∂o4/∂net4 = o4·(1 − o4) = 0.222   (σ: out·(1 − out))
  ∂net4/∂w14 = x1 = 1   (through 4 ops: +, +, +, ×)
sum over 1 path: 0.00872456; ∂E/∂w14 = 0.00872456 = w14.grad
update (η = 0.9): Δw14 = −η·∂E/∂w14 = -0.9 × 0.00872456 = -0.00785211
  w14 ← 0.2 + (-0.00785211) = 0.192148"""


def test_golden_explanation_of_two_paths():
    x, root = two_paths()
    root.backward()
    explanation = explain(root, x)
    assert explanation.count == 2 and len(explanation.paths) == 2
    assert str(explanation) == GOLDEN_EXPLANATION == repr(explanation)
    assert explanation.latex() == GOLDEN_LATEX


def test_a_network_reads_like_the_lecture():
    network, error = section7_error()
    error.backward()
    w46 = network.layers[1].neurons[0].w[0]
    text = explain(error, w46).text()
    assert text.splitlines()[:2] == [
        "∂E/∂w46 = ∂E/∂o6 · ∂o6/∂net6 · ∂net6/∂w46",
        "        = (-0.526)(0.249)(0.332) = -0.0435"]
    assert "  ∂o6/∂net6 = o6·(1 − o6) = 0.249   (σ: out·(1 − out))" in text
    assert "  ∂E/∂o6 = −(t6 − o6) = -0.526   (through 3 ops: ×, ^, −)" in text
    assert "  ∂net6/∂w46 = o4 = 0.332   (through 3 ops: +, +, ×)" in text
    assert "#" not in text                     # the folded nodes need no names
    assert text.splitlines()[-2] == f"sum over 1 path: -0.0435235; ∂E/∂w46 = {number(w46.grad)} = w46.grad"
    assert text.endswith("update: Δw46 = −η·∂E/∂w46 = η × 0.0435235")
    assert explain(error, w46).latex() == (
        r"\frac{\partial E}{\partial w_{46}} = \frac{\partial E}{\partial o_{6}} \cdot "
        r"\frac{\partial o_{6}}{\partial \mathrm{net}_{6}} \cdot "
        r"\frac{\partial \mathrm{net}_{6}}{\partial w_{46}} = (-0.526)(0.249)(0.332) = -0.0435")


def test_every_path_of_the_2_2_2_network_sums_to_the_gradient():
    network = SECTION10.network()
    error = squared_error(network(SECTION10.x), SECTION10.t)
    error.backward()
    for name, w in network.named_parameters():
        explanation = explain(error, w)
        assert explanation.count == (2 if name.startswith("layers.0") else 1)
        total = math.fsum(p.value for p in explanation.paths)
        assert total == pytest.approx(w.grad, rel=1e-12, abs=1e-18)
        for path in explanation.paths:
            assert math.prod(f.value for f in path.factors) == pytest.approx(path.value, rel=1e-12)
            assert path.factors[0].upper is error and path.factors[-1].lower is w


def test_unfolded_paths_have_one_factor_per_edge():
    network, error = section7_error()
    w14 = network.layers[0].neurons[0].w[0]
    (path,) = explain(error, w14, fold=False).paths
    assert all(len(f.edges) == 1 for f in path.factors)
    assert len(path.factors) == 12


def test_path_count_is_exact_and_the_listing_capped():
    x = Value(1.0, label="x")
    y = x
    for _ in range(100):
        y = y + y                  # every level doubles the paths
    explanation = explain(y, x, max_paths=5)
    assert explanation.count == 2 ** 100 and len(explanation.paths) == 5
    assert explanation.gradient == 2.0 ** 100
    text = explanation.text()
    assert max(map(len, text.splitlines())) <= 80
    assert f"showing 5 of {2 ** 100:,} paths, which sum to 5; the other {2 ** 100 - 5:,} add" in \
        " ".join(line.strip() for line in text.splitlines())


def test_a_long_chain_is_explained_without_recursion():
    x = Value(0.1, label="x")
    y = x
    for _ in range(20000):
        y = y * 1.0
    y.label = "y"
    (path,) = explain(y, x, fold=True).paths
    assert len(path.factors) == 1 and len(path.factors[0].edges) == 20000
    assert path.value == 1.0


def test_explain_without_a_path_and_of_the_root_itself():
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    root = x * 3.0
    root.label = "r"
    assert str(explain(root, y)) == "∂r/∂y = 0: no path from r to y"
    assert explain(root, y).latex() == r"\frac{\partial r}{\partial y} = 0"
    itself = explain(root, root)
    assert itself.count == 1 and itself.gradient == 1.0 and str(itself).startswith("∂r/∂r = 1")


def test_explain_rejects_what_has_no_gradient():
    x = Value(1.0)
    root = x * 2.0
    with pytest.raises(ValueError, match="wrt is a constant"):
        explain(root, root.parents[1])
    with pytest.raises(TypeError, match="wrt must be a Value"):
        explain(root, 1.0)
    with pytest.raises(ValueError, match="max_paths must be a positive integer"):
        explain(root, x, max_paths=0)


def test_explain_gradient_comes_from_the_engine():
    network, error = section7_error()
    grads = gradients(error)
    for w in network.parameters():
        assert explain(error, w).gradient == grads[w]


def test_factors_are_named_and_the_update_follows():
    network, error = section7_error()
    error.backward()
    w14 = network.layers[0].neurons[0].w[0]
    assert explain(error, w14, eta=0.9).text() == GOLDEN_W14
    assert explain(error, w14, eta=0.9)._repr_latex_().startswith(r"$$\frac{\partial E}")
    with pytest.raises(ValueError, match="eta must be a finite number, got 'fast'"):
        explain(error, w14, eta="fast")


def test_the_update_reproduces_the_lectures_table_2(printed):
    network, error = section7_error()
    error.backward()
    for w in network.parameters():
        last = explain(error, w, eta=0.9).text().splitlines()[-1]
        new = float(last.rsplit(" = ", 1)[1])
        printed(new, SECTION7_TABLE2[w.label][1])


def test_a_million_node_chain_is_explained_in_bounded_text():
    x = Value(1.0, label="x")
    y = x
    for _ in range(1_000_000):
        y = y + x                  # x is used a million times: a million paths, each long
    y.label = "y"
    explanation = explain(y, x)
    assert explanation.count == 1_000_001 and explanation.truncated
    text = explanation.text()
    assert len(text) < 2_000 and max(map(len, text.splitlines())) <= 80
    assert "listing stopped after 200,000 edges" in text and "∂y/∂x = 1e+06" in text


def test_every_line_fits_80_columns_for_the_lectures_examples():
    from lecture import error_graph
    for name in ("section7", "section8", "section10"):
        graph = error_graph(name)
        graph.root.backward()
        for w in graph.network.parameters():
            for fold in (True, False):
                text = explain(graph.root, w, fold=fold, eta=graph.problem.eta).text()
                assert max(map(len, text.splitlines())) <= 80, (name, w.label, fold)


def _rule_tags(text):
    """The op rules in parentheses at the ends of the "where" lines: [("×", "v"), ...]."""
    return [match.groups() for line in text.splitlines()
            if (match := re.search(r"   \((\S+): (.+)\)\Z", line)) and not line.startswith("  path")]


def test_a_rules_operand_names_never_clash_with_the_users_own():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a * b
    c.label = "c"
    d = (c + a).tanh()
    d.label = "d"
    text = explain(d, a, fold=False).text()
    assert "  ∂c/∂a = b = 3   (×: v)" in text          # b is the user's; the rule's is v
    assert "  ∂d/∂(c + a) = 1 − d² = 4.5e-07   (tanh: 1 − y²)" in text
    names = {"a", "b", "c", "d", "out"}
    for _, rule in _rule_tags(text):
        assert not names & set(re.findall(r"\w+", rule)), rule
    out, y = Value(1.0, label="out"), Value(2.0, label="y")
    z = (out * y).sigmoid()
    z.label = "z"
    text = explain(z, out).text()
    assert "(σ: z·(1 − z))" not in text and "(σ: out·(1 − out))" not in text
    for _, rule in _rule_tags(text):
        assert not {"out", "y", "z"} & set(re.findall(r"\w+", rule)), rule
    # without a clash the rule keeps the op table's names
    x = Value(0.5, label="x")
    assert "(×: a)" in explain((0.6 * x).tanh(), x, fold=False).text()
