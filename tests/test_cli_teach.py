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
    assert status == 2 and err.startswith("stepgrad explain: error: --wrt: no node labeled 'w99'; labels: b6, w46, b4, w14,")
    status, _, err = run(capsys, "explain", "section9")
    assert status == 2 and "unknown source 'section9': use section7, section10, section8 or a problem or derivation file" in err


def test_step_prints_every_step_up_to_a_node_and_the_table(capsys):
    status, out, _ = run(capsys, "step", "section8", "--to", "who", "--table")
    assert status == 0
    steps = [line for line in out.splitlines() if re.match(r"step \d", line)]
    assert steps[0] == "step 1/17: E = 0.5 × #4 [mul], data = 0.071449"
    assert steps[-1] == "step 14/17: who [leaf], data = 0.8" and len(steps) == 14
    assert out.split("\n\n")[1].endswith("  who.grad = -0.0553241")
    table = out.split("\n\n")[-1].splitlines()
    assert table[0].split() == ["step", "node", "op", "data", "grad"]
    assert table[1].split() == ["1", "E", "mul", "0.071449", "1"]
    assert table[-1].split() == ["bo", "leaf", "0", "-0.0888799", "so", "far"]


def test_expr_steps_and_explains(capsys):
    status, out, _ = run(capsys, "expr", "sigmoid(w*x + b)", "--set", "w=0.5", "x=1", "b=0")
    assert status == 0
    assert out.splitlines()[:2] == ["f = sigmoid(w*x + b) = 0.622459",
                                    "step 1/6: f = σ(w*x + b) [sigmoid], data = 0.622459"]
    assert "  w.grad = 0.235004" in out
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
        total = out.splitlines()[-1]           # "sum over 1 path: …; ∂f/∂net = 0.104994 = net.grad"
        printed(float(total.split("∂f/∂net = ")[1].split(" = ")[0]), slope_text)
