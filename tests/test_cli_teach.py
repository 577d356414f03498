"""Tests of ``stepgrad explain``, ``step`` and ``expr`` (stepgrad.commands.teach)."""

import pathlib
import re

from viz_support import needs_dot

from stepgrad.cli import main

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples" / "derivations"


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_explain_writes_the_chain_rule_with_numbers(capsys):
    status, out, _ = run(capsys, "explain", "section7", "--wrt", "w46")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("Section 7: the 3-2-1 network")
    assert lines[2:4] == ["∂E/∂w46 = ∂E/∂o6 · ∂o6/∂net6 · ∂net6/∂w46",
                          "        = (-0.526)(0.249)(0.332) = -0.0435"]
    status, out, _ = run(capsys, "explain", "section10", "--wrt", "w11", "--latex", "--digits", "2")
    assert status == 0 and r"\frac{\partial E}{\partial w_{11}} &= -0.0044 + 0.0091 = 0.0047" in out


def test_explain_defaults_to_every_weight_and_reads_files(capsys):
    status, out, _ = run(capsys, "explain", EXAMPLES / "section8.toml")
    assert status == 0
    assert [line.split(" = ")[0] for line in out.splitlines() if line.startswith("∂E/∂")] == \
        ["∂E/∂wxh", "∂E/∂bh", "∂E/∂who", "∂E/∂bo"]


def test_explain_names_what_it_cannot_find(capsys):
    status, _, err = run(capsys, "explain", "section7", "--wrt", "w99")
    assert status == 2 and err.startswith("stepgrad explain: error: --wrt: no node labeled 'w99'; labels: t6, b6, w46, b4, w14,")
    status, _, err = run(capsys, "explain", "section9")
    assert status == 2 and "unknown source 'section9': use section7, section10, section8 or a problem or derivation file" in err


def test_step_goes_in_the_lectures_order_up_to_where_a_weight_gets_its_gradient(capsys):
    status, out, _ = run(capsys, "step", "section8", "--to", "who", "--table")
    assert status == 0
    steps = [line for line in out.splitlines() if re.match(r"step \d", line)]
    assert steps == ["step 1/5: the error E = 0.5·(t_o − oo)^2 = 0.071449",
                     "step 2/5: unit o, output layer: δo = −∂E/∂neto",
                     "step 3/5: the weights of unit o: ∂E/∂w = ∂E/∂neto · ∂neto/∂w"]
    assert "  ∂E/∂who = ∂E/∂neto·oh = (-0.0888799)(0.622459) = -0.0553241" in out
    table = out.split("\n\n")[-1].splitlines()
    assert table[0].split() == ["step", "node", "op", "data", "grad"]
    assert table[1].split() == ["1", "E", "mul", "0.071449", "1"]
    assert ["oh", "sigmoid", "0.622459", "-0.0711039", "so", "far"] == table[7].split()


def test_step_node_by_node_stops_at_the_step_that_gives_the_gradient(capsys):
    status, out, _ = run(capsys, "step", "section8", "--grain", "node", "--to", "who")
    assert status == 0
    steps = [line for line in out.splitlines() if re.match(r"step \d", line)]
    assert steps[-1] == "step 6/13: who·oh [mul], data = 0.497967" and len(steps) == 6
    assert out.rstrip().endswith("    contribution -0.0888799 × 0.8 = -0.0711039; oh.grad = -0.0711039")
    assert "constant" not in out
    status, out, _ = run(capsys, "step", "section8", "--grain", "node", "--constants")
    assert status == 0 and "0.5 [constant]: takes no gradient" in out


def test_step_and_explain_fit_80_columns(capsys):
    for name in ("section7", "section8", "section10"):
        for argv in (["step", name, "--table"], ["step", name, "--grain", "layer"],
                     ["step", name, "--grain", "node", "--constants", "--table"],
                     ["explain", name], ["explain", name, "--max-paths", "1"]):
            status, out, _ = run(capsys, *argv)
            assert status == 0 and max(map(len, out.splitlines())) <= 80, argv


def test_step_names_what_it_cannot_find(capsys):
    status, _, err = run(capsys, "step", "section7", "--to", "w99")
    assert status == 2 and err.startswith("stepgrad step: error: --to: no step or node named 'w99'")


def test_explain_ends_with_the_update(capsys):
    status, out, _ = run(capsys, "explain", "section7", "--wrt", "w46")
    assert status == 0
    assert out.splitlines()[-2:] == [
        "update (η = 0.9): Δw46 = −η·∂E/∂w46 = -0.9 × (-0.0435235) = 0.0391712",
        "  w46 ← -0.3 + 0.0391712 = -0.260829"]


def test_text_outputs_escape_control_characters(capsys, tmp_path):
    hostile = "w\x1b[2J\u202e"
    path = tmp_path / "hostile.toml"
    path.write_text((EXAMPLES / "section8.toml").read_text(encoding="utf-8").replace(
        'title = "', 'title = "\\u001b]0;owned\\u0007 ', 1), encoding="utf-8")
    for argv in (["step", path], ["explain", path], ["step", path, "--grain", "node", "--table"]):
        status, out, err = run(capsys, *argv)
        assert status == 0, err
        assert "\x1b" not in out and "\x07" not in out and "\\x1b]0;owned\\x07" in out
    status, out, err = run(capsys, "expr", "x*y", "--set", "x=1", "y=2", "--explain", "x")
    assert status == 0
    status, out, err = run(capsys, "explain", "section7", "--wrt", hostile)
    assert status == 2 and "\x1b" not in err and "\u202e" not in err


def test_expr_steps_and_explains(capsys):
    status, out, _ = run(capsys, "expr", "sigmoid(w*x + b)", "--set", "w=0.5", "x=1", "b=0")
    assert status == 0
    assert out.splitlines()[:2] == ["f = sigmoid(w*x + b) = 0.622459",
                                    "step 1/6: f = σ(w*x + b) [sigmoid], data = 0.622459"]
    assert "  w.grad = 0.235004" in out
    assert "  → w: local ∂(w*x)/∂w = x = 1" in out          # the operand's name, not "b"
    status, out, _ = run(capsys, "expr", "sigmoid(w*x + b)", "--set", "w=0.5", "x=1", "b=0", "--explain", "w")
    assert status == 0 and out.splitlines()[1:3] == [
        "∂f/∂w = ∂f/∂(w*x + b) · ∂(w*x + b)/∂(w*x) · ∂(w*x)/∂w",
        "      = (0.235)(1)(1) = 0.235"]


def test_expr_errors_point_at_the_column(capsys):
    status, out, err = run(capsys, "expr", "sigmoid(q*x + b)", "--set", "w=0.5", "x=1", "b=0")
    assert status == 2 and out == ""
    assert err == ("stepgrad expr: error: 'q' has no value (variables given: w, x, b); set it with "
                   "q=NUMBER (column 9)\n  sigmoid(q*x + b)\n          ^\n")
    for argv, message in [(["x*x", "--set", "x=1", "z=2"], "--set z: not in the expression 'x*x'"),
                          (["x*x", "--set", "x=1", "--explain", "y"],
                           "--explain y: not a variable of the expression; variables: x"),
                          (["x*x", "--set", "x"], "--set: expected NAME=NUMBER, got 'x'")]:
        status, _, err = run(capsys, "expr", *argv)
        assert status == 2 and message in err


def test_expr_refuses_a_bad_image_name_before_any_work(capsys, tmp_path):
    status, out, err = run(capsys, "expr", "x*x", "--set", "x=1", "--out", tmp_path / "g.gif")
    assert status == 2 and out == "" and "cannot tell the image format" in err
    assert list(tmp_path.iterdir()) == []


@needs_dot
def test_expr_draws_the_graph(capsys, tmp_path):
    status, out, _ = run(capsys, "expr", "tanh(a*b)", "--set", "a=2", "b=-1", "--out", tmp_path / "g.svg")
    assert status == 0 and out.splitlines()[-1] == f"wrote {tmp_path / 'g.svg'}"
    assert "<svg" in (tmp_path / "g.svg").read_text()


def test_expr_reproduces_the_lectures_sections_3_3_and_4(capsys, printed):
    status, out, _ = run(capsys, "expr", "w1*x1 + w2*x2 + w3*x3 + b", "--set", "x1=0.5", "x2=0.8",
                         "x3=0.2", "w1=0.4", "w2=-0.3", "w3=0.6", "b=-0.2", "--explain", "b")
    assert status == 0
    printed(float(out.splitlines()[0].split(" = ")[-1].replace("−", "-")), "-0.12")
    status, out, _ = run(capsys, "expr", "sigmoid(w1*x1 + w2*x2 + w3*x3 + b)", "--set", "x1=0.5",
                         "x2=0.8", "x3=0.2", "w1=0.4", "w2=-0.3", "w3=0.6", "b=-0.2")
    assert status == 0
    printed(float(out.splitlines()[0].split(" = ")[-1]), "0.4700")
    for net, out_text, slope_text in (("0", "0.5", "0.25"), ("2", "0.8808", "0.1050"),
                                      ("-1.5", "0.1824", "0.1491")):
        status, out, _ = run(capsys, "expr", "sigmoid(net)", "--set", f"net={net}", "--explain", "net")
        assert status == 0
        printed(float(out.splitlines()[0].split(" = ")[-1]), out_text)
        total = out.splitlines()[-2]           # "sum over 1 path: …; ∂f/∂net = 0.104994 = net.grad"
        printed(float(total.split("∂f/∂net = ")[1].split(" = ")[0]), slope_text)


def test_expr_with_the_names_of_the_formula_slots(capsys):
    status, out, _ = run(capsys, "expr", "a*b", "--set", "a=2", "b=0")
    assert status == 0
    assert "  → a: local ∂f/∂a = b = 0" in out and "  → b: local ∂f/∂b = a = 2" in out


def test_expr_of_many_terms_prints_short_lines_and_draws_quickly(capsys, tmp_path):
    terms = " + ".join(f"x*{k}" for k in range(1, 2001))      # x used 2,000 times
    status, out, _ = run(capsys, "expr", terms, "--set", "x=0.5")
    assert status == 0 and len(out) < 1_500_000 and max(map(len, out.splitlines())) <= 80
    assert out.splitlines()[0].startswith("f = x*1 + x*2") and "… = 1.0005e+06" in out


@needs_dot
def test_expr_of_100_terms_using_one_variable_draws_in_time(capsys, tmp_path):
    terms = " + ".join(["x"] * 100)
    status, out, _ = run(capsys, "expr", terms, "--set", "x=1", "--out", tmp_path / "e.png")
    assert status == 0 and (tmp_path / "e.png").stat().st_size > 1000


def test_every_stepping_command_takes_a_built_in_a_derivation_or_an_expression(capsys, tmp_path):
    expression = tmp_path / "e.toml"
    expression.write_text('expression = "sigmoid(w*x + b)"\n[values]\nw = 0.5\nx = 1\nb = 0\n',
                          encoding="utf-8")
    for source in ("section8", EXAMPLES / "section8.toml", EXAMPLES / "mazur.toml", expression):
        for command in (["step"], ["explain"], ["graph"]):
            status, out, err = run(capsys, *command, source)
            assert status == 0 and err == "", (command, source, err)
    status, out, _ = run(capsys, "explain", expression, "--wrt", "w")
    assert " ".join(out.split("\n\n")[0].split()) == f"{expression}: f = sigmoid(w*x + b)"
    assert "∂f/∂w = " in out
    status, _, err = run(capsys, "network", expression, "--out", tmp_path / "n.dot")
    assert status == 2 and "network" in err


def test_explain_json_gives_paths_factors_and_the_total_as_numbers(capsys):
    import json
    status, out, _ = run(capsys, "explain", "section7", "--wrt", "w46", "--wrt", "w14", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["title"].startswith("Section 7: the 3-2-1 network")
    w46, w14 = data["explanations"]
    assert (w46["root"], w46["wrt"], w46["count"], w46["truncated"]) == ("E", "w46", 1, False)
    (path,) = w46["paths"]
    assert [(f["upper"], f["lower"], f["formula"]) for f in path["factors"]] == [
        ("E", "o6", "−(t6 − o6)"), ("o6", "net6", "o6·(1 − o6)"), ("net6", "w46", "o4")]
    assert path["factors"][1]["ops"] == ["sigmoid"]
    product = 1.0
    for f in path["factors"]:
        assert isinstance(f["value"], float)
        product *= f["value"]
    assert abs(product - path["value"]) < 1e-15
    assert round(w46["gradient"], 4) == -0.0435 and w46["sum"] == w46["gradient"] == w46["grad"]
    assert w46["update"]["eta"] == 0.9
    assert abs(w46["update"]["change"] + 0.9 * w46["gradient"]) < 1e-15
    assert w14["wrt"] == "w14" and len(w14["paths"][0]["factors"]) == 5
    status, _, err = run(capsys, "explain", "section7", "--json", "--latex")
    assert status == 2 and "--json and --latex: choose one" in err


def test_step_json_gives_every_step_node_and_parent(capsys):
    import json
    status, out, _ = run(capsys, "step", "section7", "--grain", "node", "--json", "--table")
    assert status == 0
    data = json.loads(out)
    assert (data["root"], data["grain"]) == ("E", "node")
    steps = data["steps"]
    assert len(steps) == steps[0]["count"] and [s["index"] for s in steps] == list(
        range(1, len(steps) + 1))
    (o6,) = [n for s in steps for n in s["nodes"] if n["node"] == "o6"]
    assert (o6["kind"], o6["op"], o6["expression"]) == ("op", "sigmoid", "σ(net6)")
    (edge,) = o6["parents"]
    assert (edge["parent"], edge["formula"], edge["rule"]) == ("net6", "o6·(1 − o6)", "out·(1 − out)")
    assert edge["contribution"] == o6["upstream"] * edge["local"]
    assert o6["received"] == [{"from": "t6 − o6", "amount": o6["upstream"]}]
    (root,) = steps[0]["nodes"]
    assert root["received"] == [{"from": None, "amount": 1.0}]
    constants = [e for e in root["parents"] if e["local"] is None]
    assert constants and all(e["contribution"] is None and e["total"] is None for e in constants)
    assert round(data["gradients"]["w46"], 4) == -0.0435
    status, out, _ = run(capsys, "step", "section7", "--json", "--to", "δ6")
    data = json.loads(out)
    assert data["grain"] == "neuron" and data["steps"][-1]["text"][0].startswith("step 2/")
    assert all(len(s["nodes"]) >= 1 for s in data["steps"])
