"""lecture.worksheet and lecture.markup: worksheets and worked solutions in Markdown, LaTeX and HTML."""

import json
import re
from html.parser import HTMLParser

import pytest

from stepgrad._ground.text import escape_html, escape_latex, escape_markdown
from stepgrad.classroom.exercise import generate
from stepgrad.classroom.template import BUILTIN, template_from_dict
from stepgrad.classroom.worksheet import (
    solution_html,
    solution_latex,
    solution_markdown,
    solution_steps,
    worksheet_html,
    worksheet_latex,
    worksheet_markdown,
)
from stepgrad.stepping.markup import formula_html, formula_latex

HOSTILE = 'Week 3 <script>alert(1)</script> $x$ & 50% #1 _a ^b ~c \\d {e} `f` *g* [h](i) \x1b[2J'
SVG = ('<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n'
       '<svg width="100pt" height="50pt" viewBox="0 0 100 50"><text>w14</text></svg>\n')
ALL_KINDS = ["net", "o", "slope", "signal", "delta", "E", "dEdo", "dEdnet", "dEdw", "dw", "w_new",
             "net_new", "o_new", "signal_new", "E_new"]


@pytest.fixture(scope="module")
def exercise():
    return generate(BUILTIN, "alice", 2024)


@pytest.fixture(scope="module")
def hostile():
    return generate(template_from_dict({"title": HOSTILE}), "alice", 2024)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(page):
    parser = _Elements()
    parser.feed(page)
    return parser.found


def test_escaping_for_each_format():
    assert escape_html('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    assert escape_html("a\x1bb") == "a\\x1bb"
    assert escape_latex("$x$ & 50% #1 _a ^b ~c \\d {e}") == (
        r"\$x\$ \& 50\% \#1 \_a \textasciicircum{}b \textasciitilde{}c \textbackslash{}d \{e\}")
    assert escape_latex("η = 0.9, δ") == r"$\eta$ = 0.9, $\delta$"
    assert escape_markdown("<img src=x onerror=alert(1)> *b* `c`") == \
        r"\<img src=x onerror=alert(1)\> \*b\* \`c\`"
    assert escape_markdown("two\nlines") == "two lines"


def test_formulas_with_subscripts():
    formula = "δ6 = o6·(1 − o6)·(t6 − o6)"
    assert formula_latex(formula) == r"\delta_{6} = o_{6}\cdot (1 - o_{6})\cdot (t_{6} - o_{6})"
    assert formula_html("w46_new = w46 + Δw46") == \
        "w<sub>46</sub><sup>new</sup> = w<sub>46</sub> + Δw<sub>46</sub>"
    assert formula_latex("∂E/∂net4 = −δ4") == r"\partial E/\partial \mathrm{net}_{4} = -\delta_{4}"
    assert formula_latex("o3 = tanh(net3) = σ(1e-05)") == \
        r"o_{3} = \tanh(\mathrm{net}_{3}) = \sigma (1\times 10^{-5})"
    assert formula_html("w4,12 · log") == "w<sub>4,12</sub> · log"


@pytest.mark.parametrize("template", [
    {"shapes": "2-3-2", "activations": [["tanh", "sigmoid"]], "asked": ALL_KINDS},
    {"shapes": "2-2-1", "activations": [["relu", "identity"]], "loss": "mean_squared_error",
     "asked": ALL_KINDS, "targets": {"range": [-1, 1], "decimals": 1}},
    {"shapes": "2-2-2", "loss": "cross_entropy", "delta": "dE/dnet", "asked": ALL_KINDS},
])
def test_every_formula_of_the_catalog_becomes_plain_latex(template):
    exercise = generate(template_from_dict(template), "x", 1)
    for name in exercise.asked:
        for text in (exercise.catalog.formula(name), exercise.catalog.numbers(name, exercise.values)):
            latex = formula_latex(text)
            assert latex.isascii(), (text, latex)
            assert "\\text" not in latex, (text, latex)


def test_the_html_worksheet_has_a_labelled_field_per_asked_quantity(exercise):
    page = worksheet_html(exercise, SVG)
    found = elements(page)
    inputs = {a["name"]: a for tag, a in found if tag == "input"}
    labels = {a["for"] for tag, a in found if tag == "label"}
    assert list(inputs) == [n for _, _, names in exercise.parts() for n in names]
    assert set(inputs) == set(exercise.asked)
    assert {a["id"] for a in inputs.values()} == labels
    assert all(a["data-quantity"] == name for name, a in inputs.items())
    assert '<label for="q-delta6">δ<sub>6</sub></label>' in page
    assert '<label for="q-w46_new">w<sub>46</sub><sup>new</sup></label>' in page
    assert page.count("<svg") == 1 and "<?xml" not in page and "DOCTYPE svg" not in page
    assert "<svg" not in worksheet_html(exercise)


def test_the_html_worksheet_saves_answers_named_as_the_answer_file(exercise):
    page = worksheet_html(exercise)
    data = json.loads(re.search(r'id="stepgrad-answers">(.*?)</script>', page, re.S)[1])
    assert data["head"].endswith("\n[answers]") and 'problem = "exercise.toml"' in data["head"]
    assert data["keys"] == {n: n for n in exercise.asked}
    assert re.fullmatch(data["pattern"], " −0,25 ") and not re.fullmatch(data["pattern"], "1 2")


def test_every_document_escapes_what_came_from_a_file(hostile):
    for page in (worksheet_html(hostile), solution_html(hostile)):
        assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "\x1b" not in page
        scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, re.S)
        assert all("alert(1)" not in s or "\\u003c" in s for s in scripts)
    for text in (worksheet_latex(hostile), solution_latex(hostile)):
        assert r"\$x\$ \& 50\% \#1" in text and "\x1b" not in text
    for text in (worksheet_markdown(hostile), solution_markdown(hostile)):
        assert "<script>" not in text and r"\<script\>" in text and "\x1b" not in text


def test_the_markdown_and_latex_worksheets_list_every_asked_quantity(exercise):
    markdown = worksheet_markdown(exercise, "network.svg")
    latex = worksheet_latex(exercise, "network.pdf")
    for name in exercise.asked:
        assert f"| `{exercise.catalog.display(name)}` | `{name}` | |" in markdown
        assert f"\\texttt{{{name.replace('_', chr(92) + '_')}}}" in latex
    assert "![The network, with every weight and bias](network.svg)" in markdown
    assert "\\includegraphics" in latex and "network.pdf" in latex
    assert latex.startswith("\\documentclass") and latex.rstrip().endswith("\\end{document}")
    assert "includegraphics" not in worksheet_latex(exercise) and "![" not in worksheet_markdown(exercise)


def test_the_solution_works_each_quantity_out_in_the_lecture_form(exercise):
    steps = {name: row for _, _, rows in solution_steps(exercise) for name, *row in rows}
    assert set(exercise.asked) <= set(steps)
    asked, formula, numbers, result = steps["delta6"]
    assert asked and formula == "δ6 = o6·(1 − o6)·(t6 − o6)" and result == "-0.1475"
    assert numbers == "0.64051·(1 − 0.64051)·(0 − 0.64051)"
    assert steps["w14_new"][2] == "0.1 + (-0.002297)" and steps["w14_new"][3] == "0.09770"
    page = solution_html(exercise, SVG)
    for name, value in exercise.key.items():
        assert f'<tr data-quantity="{name}">' in page and f'<td class="value">{value}</td>' in page
    assert '<div class="step asked" data-quantity="delta6">δ<sub>6</sub> = ' in page
    markdown = solution_markdown(exercise)
    assert "- `δ6 = o6·(1 − o6)·(t6 − o6)` = `0.64051·(1 − 0.64051)·(0 − 0.64051)` = **-0.1475**" in markdown
    assert "$\\delta_{6} = o_{6}\\cdot (1 - o_{6})" in solution_latex(exercise)


def test_only_an_svg_figure_is_inlined(exercise):
    with pytest.raises(ValueError, match="expected SVG text"):
        worksheet_html(exercise, "not a picture")
