"""An exercise's worksheet and its worked solution, as Markdown, LaTeX and standalone HTML pages.

The worksheet states the network, the givens and the rules, and has a field for every asked
quantity, named as the lecture names it (δ6, Δw46, w46_new) and as the answer file does
(delta6, dw46, w46_new). The solution works each quantity out in the lecture's form: the
formula, the numbers that go in, the result to the digits asked. The network's picture is an
argument (SVG text for HTML, an image file's name for Markdown and LaTeX), so this module draws
nothing; everything that came from a file (titles, ids) is escaped for the format.
"""

import json

from stepgrad._ground import decimal, escape_html, escape_latex, escape_markdown, html_page, short
from stepgrad.stepping import formula_html, formula_latex

from .exercise import Exercise
from .exercise_files import answers_toml, toml_key

__all__ = ["worksheet_markdown", "worksheet_latex", "worksheet_html", "solution_markdown",
           "solution_latex", "solution_html", "solution_steps"]

ACTIVATIONS = {"sigmoid": "o = σ(net) = 1/(1 + exp(−net))", "tanh": "o = tanh(net)",
               "relu": "o = relu(net) = max(0, net)", "identity": "o = net"}
LOSS_FORMULAS = {"squared_error": "E = ½·Σ(t − o)²", "mean_squared_error": "E = Σ(t − o)²/n",
          "cross_entropy": "E = −Σ(t·log(o) + (1 − t)·log(1 − o))/n"}
RULES = {"lecture": ("δ = −∂E/∂net", "Δw = η·δ·x", "w_new = w + Δw"),
         "gradient": ("δ = ∂E/∂net", "Δw = −η·δ·x", "w_new = w + Δw")}
_SYMBOLS = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu", "identity": "identity"}


# -- what every document says ---------------------------------------------------------------

def _network_text(problem):
    names = problem.unit_names
    parts = [f"inputs {', '.join(names[0])}"]
    for k, (layer, activation) in enumerate(zip(names[1:], problem.activations), 1):
        kind = "output" if k == len(names) - 1 else "hidden"
        units = "unit" + "s" * (len(layer) > 1)
        parts.append(f"{kind} {units} {', '.join(layer)} ({_SYMBOLS[activation]})")
    shape = "-".join(str(len(layer)) for layer in names)
    return f"A {shape} network: " + "; ".join(parts) + "."


def _givens(problem):
    """[(heading, [(name, value text)])]: the example, η, and the weights into each unit."""
    groups = [("Inputs", [(problem.input_label(u), short(x)) for u, x in zip(problem.inputs, problem.x)]),
              ("Target" + "s" * (len(problem.outputs) > 1),
               [(problem.target_label(u), short(t)) for u, t in zip(problem.outputs, problem.t)]),
              ("Learning rate", [("η", short(problem.eta))])]
    for unit in problem.units:
        groups.append((f"Into unit {unit}", [(c.label, short(problem.weights[c.label]))
                                             for c in problem.connections if c.target == unit]))
    return groups


def _rules(problem):
    acts = [ACTIVATIONS[a] for a in dict.fromkeys(problem.activations)]
    n = len(problem.outputs)
    loss = LOSS_FORMULAS[problem.loss] + ("" if problem.loss == "squared_error" else f" (n = {n})")
    return [*acts, loss, *RULES[problem.sign]]


def _instructions(exercise):
    return (f"Take one training step on this example, as the lecture's section 7 does, and work "
            f"out the quantities below. Give each value to {exercise.digits} significant digits "
            f"and write it in answers.toml under the name in the second column (leave \"\" for a "
            f"value you did not compute). A bias is a weight whose input is 1.")


def _solution_note(exercise):
    return (f"Results to {exercise.digits} significant digits; the numbers that go in are shown "
            f"to 5. Asked values are in bold.")


def _meta(exercise):
    return [("exercise", exercise.id), *([("student", exercise.student)] if exercise.student else []),
            ("template", exercise.template)]


def solution_steps(exercise):
    """[(part id, heading, [(name, asked, formula, numbers, result)])]: every asked quantity and
    every quantity they are computed from (but the ∂o/∂net and error signal that δ's formula
    writes out), each with the formula, the numbers that go in, and the result."""
    catalog = exercise.catalog
    asked = set(exercise.asked)
    values = {name: value + 0.0 for name, value in exercise.values.items()}
    names = [n for n in catalog.cone(exercise.asked)
             if n in asked or catalog.quantities[n].kind.name not in ("slope", "signal")]
    steps = []
    for part, heading, inside in exercise.parts(names):
        rows = [(n, n in asked, catalog.formula(n), catalog.numbers(n, values),
                 decimal(values[n], exercise.digits)) for n in inside]
        steps.append((part, heading, rows))
    return steps


# -- Markdown ------------------------------------------------------------------------------

def _markdown_head(exercise, heading, figure):
    lines = [f"# {heading}{escape_markdown(exercise.problem.title)}", "",
             " · ".join(f"{k} {escape_markdown(v)}" for k, v in _meta(exercise)), "",
             "## The network", ""]
    if figure:
        lines += [f"![The network, with every weight and bias]({escape_markdown(figure)})", ""]
    lines += [_network_text(exercise.problem), ""]
    for heading_, items in _givens(exercise.problem):
        lines.append(f"- {heading_}: " + ", ".join(f"`{n} = {v}`" for n, v in items))
    lines += ["", "Rules: " + "; ".join(f"`{r}`" for r in _rules(exercise.problem)) + ".", ""]
    return lines


def worksheet_markdown(exercise: Exercise, figure: str | None = None) -> str:
    """The worksheet in Markdown; ``figure`` is the network picture's file name, if any."""
    lines = _markdown_head(exercise, "", figure)
    lines += ["## What to compute", "", _instructions(exercise), ""]
    for _, heading, names in exercise.parts():
        lines += [f"### {heading}", "", "| quantity | in answers.toml | your value |",
                  "|---|---|---|"]
        lines += [f"| `{exercise.catalog.display(n)}` | `{n}` | |" for n in names]
        lines.append("")
    return "\n".join(lines)


def solution_markdown(exercise: Exercise, figure: str | None = None) -> str:
    """The worked solution in Markdown: each quantity's formula, numbers and result."""
    lines = _markdown_head(exercise, "Answer key: ", figure)
    lines += ["## Worked solution", "", _solution_note(exercise), ""]
    for _, heading, rows in solution_steps(exercise):
        lines += [f"### {heading}", ""]
        for name, asked, formula, numbers, result in rows:
            shown = f"**{result}**" if asked else result
            lines.append(f"- `{formula}` = `{numbers}` = {shown}")
        lines.append("")
    lines += ["## The answers", "", "| quantity | in answers.toml | value |", "|---|---|---:|"]
    lines += [f"| `{exercise.catalog.display(n)}` | `{n}` | {v} |" for n, v in exercise.key.items()]
    return "\n".join(lines) + "\n"


# -- LaTeX ---------------------------------------------------------------------------------

_LATEX_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage{amsmath}
\usepackage{graphicx}
\usepackage{longtable}
\usepackage[margin=2cm]{geometry}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5em}
\begin{document}
"""


def _latex_head(exercise, heading, figure):
    meta = ", ".join(f"{k} \\texttt{{{escape_latex(v)}}}" for k, v in _meta(exercise))
    lines = [_LATEX_PREAMBLE.rstrip("\n"),
             f"\\section*{{{heading}{escape_latex(exercise.problem.title)}}}", meta, "",
             "\\subsection*{The network}"]
    if figure:
        name = escape_latex(figure)
        lines += [f"\\IfFileExists{{{name}}}{{\\begin{{center}}\\includegraphics[width=\\linewidth,"
                  f"height=0.35\\textheight,keepaspectratio]{{{name}}}\\end{{center}}}}{{}}"]
    lines += [escape_latex(_network_text(exercise.problem)), "", "\\begin{itemize}"]
    for heading_, items in _givens(exercise.problem):
        values = ", ".join(f"${formula_latex(n)} = {formula_latex(v)}$" for n, v in items)
        lines.append(f"\\item {escape_latex(heading_)}: {values}")
    lines += ["\\end{itemize}", "Rules: " + "; ".join(f"${formula_latex(r)}$"
                                                      for r in _rules(exercise.problem)) + ".", ""]
    return lines


def worksheet_latex(exercise: Exercise, figure: str | None = None) -> str:
    """The worksheet as a LaTeX document (pdflatex); ``figure`` names a PDF or PNG of the
    network beside it, included when the file is there."""
    lines = _latex_head(exercise, "", figure)
    lines += ["\\subsection*{What to compute}", escape_latex(_instructions(exercise))]
    for _, heading, names in exercise.parts():
        lines += [f"\\subsubsection*{{{escape_latex(heading)}}}",
                  "\\begin{longtable}{@{}l l p{6cm}@{}}",
                  "quantity & in answers.toml & your value \\\\ \\hline"]
        lines += [f"${formula_latex(exercise.catalog.display(n))}$ & "
                  f"\\texttt{{{escape_latex(n)}}} & \\rule{{0pt}}{{1.6em}}\\hrulefill \\\\"
                  for n in names]
        lines.append("\\end{longtable}")
    lines.append("\\end{document}")
    return "\n".join(lines) + "\n"


def solution_latex(exercise: Exercise, figure: str | None = None) -> str:
    """The worked solution as a LaTeX document."""
    lines = _latex_head(exercise, "Answer key: ", figure)
    lines += ["\\subsection*{Worked solution}", escape_latex(_solution_note(exercise))]
    for _, heading, rows in solution_steps(exercise):
        lines += [f"\\subsubsection*{{{escape_latex(heading)}}}", "\\begin{flushleft}"]
        for name, asked, formula, numbers, result in rows:
            shown = f"\\mathbf{{{result}}}" if asked else result
            lines.append(f"${formula_latex(formula)} = {formula_latex(numbers)} = {shown}$\\\\")
        lines.append("\\end{flushleft}")
    lines.append("\\end{document}")
    return "\n".join(lines) + "\n"


# -- HTML ----------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, "DejaVu Sans", sans-serif; max-width: 62rem; margin: 1.5rem auto;
       padding: 0 1rem; line-height: 1.45; color: #1a1a1a; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.2rem; margin-top: 1.6rem; }
.meta { color: #555; } .meta code { color: #1a1a1a; }
figure { margin: 1rem 0; text-align: center; position: relative; left: 50%;
         transform: translateX(-50%); width: calc(100vw - 3rem); }
figure svg { max-width: 100%; height: auto; }
.givens { border-collapse: collapse; } .givens th { text-align: left; padding: 2px 12px 2px 0;
          font-weight: normal; color: #555; vertical-align: top; }
.givens td span { display: inline-block; margin-right: 1.2rem; font-variant-numeric: tabular-nums; }
.rules li { margin: 0.1rem 0; }
fieldset { border: 1px solid #ccc; border-radius: 6px; margin: 1rem 0; padding: 0.6rem 1rem; }
legend { font-weight: 600; padding: 0 0.4rem; }
.fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); gap: 0.5rem 1.5rem; }
.field { display: grid; grid-template-columns: 5.5rem 8rem auto; align-items: center; gap: 0.5rem; }
.field label { text-align: right; font-size: 1.05rem; }
.field input { font: inherit; width: 7.5rem; padding: 2px 4px; }
.field input:invalid { border-color: #c0392b; background: #fdecea; }
.field code, .key { color: #666; font-size: 0.85rem; }
.step { margin: 0.35rem 0; } .step.asked .result { font-weight: 700; }
.step .formula { color: #333; } .answers td { padding: 1px 10px; } .answers td.value { text-align: right; }
button { font: inherit; padding: 0.3rem 0.8rem; }
.fields.pairs { grid-template-columns: repeat(2, minmax(17rem, 21rem)); }
@media (max-width: 40rem) { .fields.pairs { grid-template-columns: 1fr; } }
@media print { button, .noprint { display: none; } fieldset { break-inside: avoid; }
               figure { position: static; transform: none; width: auto; } }
"""
# A number as a person types it: a sign (− too), digits with a point or a comma, an exponent.
_NUMBER = r"\s*[\-+\u2212]?(\d+([.,]\d*)?|[.,]\d+)([eE][\-+]?\d+)?\s*"
_SCRIPT = """
function stepgradAnswers() {
  const data = JSON.parse(document.getElementById("stepgrad-answers").textContent);
  const number = new RegExp("^(?:" + data.pattern + ")$");
  const lines = [data.head], bad = [];
  for (const input of document.querySelectorAll("input[data-quantity]")) {
    let value = input.value.trim();
    if (value && !number.test(value)) { bad.push(input.dataset.quantity); value = ""; }
    value = value.replace("\\u2212", "-").replace(",", ".");
    lines.push(data.keys[input.dataset.quantity] + ' = "' + value + '"');
  }
  return {text: lines.join("\\n") + "\\n", bad: bad};
}
function stepgradSave() {
  const result = stepgradAnswers();
  if (result.bad.length) {
    alert("Not a number, left blank: " + result.bad.join(", "));
  }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([result.text], {type: "application/toml"}));
  link.download = "answers.toml";
  document.body.appendChild(link);
  link.click();
  link.remove();
}
document.getElementById("save").addEventListener("click", stepgradSave);
document.getElementById("answers").addEventListener("submit", event => event.preventDefault());
"""


def _svg(svg):
    """The <svg> element of an SVG document (without its XML prolog and doctype)."""
    start = svg.find("<svg")
    if start < 0:
        raise ValueError("figure: expected SVG text with an <svg> element")
    return svg[start:].strip()


def _html_head(exercise, heading, svg, caption):
    meta = " · ".join(f"{escape_html(k)} <code>{escape_html(v)}</code>" for k, v in _meta(exercise))
    parts = [f"<header><h1>{escape_html(heading + exercise.problem.title)}</h1>",
             f"<p class=\"meta\">{meta}</p></header>", "<section id=\"network\">",
             "<h2>The network</h2>"]
    if svg:
        parts.append(f"<figure id=\"figure\">{_svg(svg)}<figcaption>{escape_html(caption)}"
                     f"</figcaption></figure>")
    parts += [f"<p>{escape_html(_network_text(exercise.problem))}</p>", "<table class=\"givens\">"]
    for heading_, items in _givens(exercise.problem):
        cells = "".join(f"<span>{formula_html(n)} = {escape_html(v)}</span>" for n, v in items)
        parts.append(f"<tr><th>{escape_html(heading_)}</th><td>{cells}</td></tr>")
    parts += ["</table>", "<ul class=\"rules\">"]
    parts += [f"<li>{formula_html(rule)}</li>" for rule in _rules(exercise.problem)]
    parts += ["</ul>", "</section>"]
    return parts


def _paired(exercise, names):
    """True when ``names`` alternate between two kinds (net4, o4, net5, o5): two columns."""
    kinds = [exercise.catalog.quantities[n].kind.name for n in names]
    firsts, seconds = set(kinds[0::2]), set(kinds[1::2])
    return len(kinds) > 2 and len(kinds) % 2 == 0 and len(firsts) == len(seconds) == 1 \
        and firsts != seconds


def _json_for_script(data):
    """JSON that cannot close its <script> element early."""
    return json.dumps(data, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026")


def worksheet_html(exercise: Exercise, svg: str | None = None) -> str:
    """The worksheet as a standalone HTML page: the network drawn (``svg``, the SVG text of
    its picture, inlined so the page works offline), the givens, and a labelled field for
    every asked quantity; a button saves the fields as answers.toml."""
    parts = _html_head(exercise, "", svg, "The network with its weights and biases.")
    parts += ["<section id=\"task\">", "<h2>What to compute</h2>",
              f"<p>{escape_html(_instructions(exercise))}</p>", "<form id=\"answers\">"]
    for part, heading, names in exercise.parts():
        pairs = " pairs" * _paired(exercise, names)
        parts += [f"<fieldset id=\"part-{part}\"><legend>{escape_html(heading)}</legend>",
                  f"<div class=\"fields{pairs}\">"]
        for name in names:
            ident = escape_html(f"q-{name}")
            parts.append(f"<div class=\"field\"><label for=\"{ident}\">"
                         f"{formula_html(exercise.catalog.display(name))}</label>"
                         f"<input id=\"{ident}\" name=\"{escape_html(name)}\" "
                         f"data-quantity=\"{escape_html(name)}\" type=\"text\" inputmode=\"decimal\" "
                         f"autocomplete=\"off\" spellcheck=\"false\" pattern=\"{escape_html(_NUMBER)}\" "
                         f"title=\"a number, such as 0.3318 or -0.007852\">"
                         f"<code>{escape_html(name)}</code></div>")
        parts += ["</div>", "</fieldset>"]
    parts += ["</form>", "<p class=\"noprint\"><button type=\"button\" id=\"save\">Save my "
              "answers as answers.toml</button> (into your downloads folder; hand it in with "
              "your exercise)</p>", "</section>"]
    head = answers_toml(exercise).split("\n[answers]\n")[0] + "\n[answers]"
    data = {"head": head, "pattern": _NUMBER, "keys": {n: toml_key(n) for n in exercise.asked}}
    script = (f"<script type=\"application/json\" id=\"stepgrad-answers\">{_json_for_script(data)}"
              f"</script>\n<script>{_SCRIPT}</script>\n")
    return html_page(exercise.problem.title, "\n".join(parts), _CSS, script)


def solution_html(exercise: Exercise, svg: str | None = None,
                  caption: str = "The network, with one training step on it.") -> str:
    """The worked solution as a standalone HTML page: the network (``svg``, with ``caption``),
    each quantity's formula, numbers and result, and the table of answers."""
    parts = _html_head(exercise, "Answer key: ", svg, caption)
    parts += ["<section id=\"solution\">", "<h2>Worked solution</h2>",
              f"<p>{escape_html(_solution_note(exercise))}</p>"]
    for part, heading, rows in solution_steps(exercise):
        parts.append(f"<h3>{escape_html(heading)}</h3>")
        for name, asked, formula, numbers, result in rows:
            lhs, _, rhs = formula.partition(" = ")
            parts.append(f"<div class=\"step{' asked' * asked}\" data-quantity=\"{escape_html(name)}\">"
                         f"{formula_html(lhs)} = <span class=\"formula\">{formula_html(rhs)}</span>"
                         f" = {formula_html(numbers)} = <span class=\"result\">{escape_html(result)}"
                         f"</span></div>")
    parts += ["</section>", "<section id=\"key\">", "<h2>The answers</h2>",
              "<table class=\"answers\"><tr><th>quantity</th><th>in answers.toml</th>"
              "<th>value</th></tr>"]
    parts += [f"<tr data-quantity=\"{escape_html(n)}\"><td>{formula_html(exercise.catalog.display(n))}"
              f"</td><td><code>{escape_html(n)}</code></td><td class=\"value\">{escape_html(v)}</td></tr>"
              for n, v in exercise.key.items()]
    parts += ["</table>", "</section>"]
    return html_page("Answer key: " + exercise.problem.title, "\n".join(parts), _CSS)
