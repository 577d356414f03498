"""Hostile input through the stepgrad command: status 2 and one line naming the file and the
field, no traceback, bounded CPU time and memory, no file touched; no control character printed raw."""

import json
import os
import pathlib
import subprocess
import sys
from dataclasses import dataclass, field

import pytest
from limits import bounded

from lecture import SECTION7
from nn.weights_file import dumps_network
from stepgrad._ground.text import printable
from stepgrad.cli import main

DEEP = 100_000
WEIGHTS = dumps_network(SECTION7.network(), description="the lecture's section 7")
W01 = "layers.0.neurons.0.w.1"


def weights(change=None, **fields):
    """The section 7 weights file, its text changed by ``change`` or its fields replaced."""
    if fields:
        document = json.loads(WEIGHTS)
        document.update(fields)
        return json.dumps(document, indent=1)
    return change(WEIGHTS) if change else WEIGHTS


def unit_name(name):
    document = json.loads(WEIGHTS)
    document["unit_names"][1][0] = name
    return json.dumps(document, indent=1)


@dataclass
class Case:
    name: str
    files: dict                   # file name → str (UTF-8) or bytes, in the test's folder
    argv: list                    # {d} stands for the folder
    message: str                  # the one line after "stepgrad CMD: error: ", {d} the folder
    code: int = 2
    lines: int = 1                # expr shows the expression and a caret under the message
    setup: object = field(default=None)


SAVE = ["--save", "{d}/saved.json"]       # saved.json exists beforehand: it must survive
EXAMPLE = ["example", "section7", "--weights", "{d}/net.json", *SAVE]
GRAPH = ["graph", "{d}/e.toml", "--out", "{d}/g.dot"]
GRAPH_JSON = ["graph", "{d}/e.json", "--out", "{d}/g.dot"]

CASES = [
    # weights files (stepgrad example --weights): nesting, huge numbers, encoding, bombs
    Case("weights-deep", {"net.json": weights(lambda t: t.replace(
        '"n_inputs": 3', '"n_inputs": 3, "x": ' + "[" * DEEP + "]" * DEEP))}, EXAMPLE,
         "{d}/net.json:4: nested more than 32 levels deep"),
    Case("weights-400-digits", {"net.json": weights(lambda t: t.replace("0.4,", "1" * 400 + ","))},
         EXAMPLE, "{d}/net.json:10: a number written with more than 300 characters (400)"),
    Case("weights-5001-digits", {"net.json": weights(lambda t: t.replace("0.4,", "1" * 5001 + ","))},
         EXAMPLE, "{d}/net.json:10: a number written with more than 300 characters (5,001)"),
    Case("weights-latin-1", {"net.json": weights().replace("section 7", "séction 7").encode("latin-1")},
         EXAMPLE, "{d}/net.json:3: not UTF-8 text (byte 0xe9 at column 34); save the file as UTF-8"),
    Case("weights-89-byte-bomb", {"net.json": json.dumps(
        {"format": "stepgrad.mlp/1", "n_inputs": 100000, "layer_sizes": [100000, 1], "state": {}})},
         EXAMPLE, "{d}/net.json: layer_sizes: a 100000-100000-1 network has 10,000,200,001 weights "
                  "and biases, more than the limit of 100,000"),
    Case("weights-1e9-inputs", {"net.json": weights(n_inputs=1e9)}, EXAMPLE,
         "{d}/net.json: n_inputs: expected a positive integer, got the number 1000000000.0"),
    Case("weights-10**9-inputs", {"net.json": weights(n_inputs=10 ** 9)}, EXAMPLE,
         "{d}/net.json: n_inputs: 1,000,000,000 units: more than the limit of 100,000 weights "
         "and biases"),
    Case("weights-duplicate-key", {"net.json": weights(lambda t: t.replace(
        '"n_inputs": 3', '"n_inputs": 3,\n "n_inputs": 3'))}, EXAMPLE,
         "{d}/net.json:5: invalid JSON: the key 'n_inputs' is given twice"),
    Case("weights-escape-in-a-unit-name", {"net.json": unit_name("4\x1b[2J")}, EXAMPLE,
         "{d}/net.json: unit_names[1][0]: a name cannot hold control or bidi characters (a line "
         "break, an escape, …), got '4\\x1b[2J'"),
    Case("weights-bidi-in-a-unit-name", {"net.json": unit_name("4\u202e")}, EXAMPLE,
         "{d}/net.json: unit_names[1][0]: a name cannot hold control or bidi characters (a line "
         "break, an escape, …), got '4\\u202e'"),
    Case("weights-string-number", {"net.json": weights(lambda t: t.replace(
        f'"{W01}": 0.4', f'"{W01}": "0.4"'))}, EXAMPLE,
         f"{{d}}/net.json: state['{W01}']: expected a number, got str '0.4'"),
    Case("weights-nan", {"net.json": weights(lambda t: t.replace(f'"{W01}": 0.4', f'"{W01}": NaN'))},
         EXAMPLE, f"{{d}}/net.json: state['{W01}']: expected a finite number, got nan"),
    Case("weights-too-large", {"net.json": "[" + " " * (8 << 20) + "]"}, EXAMPLE,
         "{d}/net.json: larger than the limit of 8,388,608 bytes"),
    Case("weights-fifo", {}, EXAMPLE, "{d}/net.json: not a regular file",
         setup=lambda d: os.mkfifo(d / "net.json")),
    Case("weights-absent", {}, EXAMPLE,
         "[Errno 2] No such file or directory: '{d}/net.json'"),
    # expression files (stepgrad graph)
    Case("expression-deep-toml", {"e.toml": "expression = 'x'\nvalues = " + "[" * DEEP + "]" * DEEP},
         GRAPH, "{d}/e.toml:2: nested more than 32 levels deep"),
    Case("expression-dotted-key-bomb", {"e.toml": ".".join(["a"] * DEEP) + " = 1"}, GRAPH,
         "{d}/e.toml:1: a dotted key of more than 32 parts"),
    Case("expression-deep-json", {"e.json": '{"expression": ' + "[" * DEEP + "]" * DEEP + "}"},
         GRAPH_JSON, "{d}/e.json:1: nested more than 32 levels deep"),
    Case("expression-5001-digit-value", {"e.toml": "expression = 'x'\n[values]\nx = " + "1" * 5001},
         GRAPH, "{d}/e.toml:3: a number written with more than 300 characters (5,001)"),
    Case("expression-5001-digit-literal", {"e.toml": "expression = 'x + 1" + "0" * 5000 + "'\n"
                                                     "[values]\nx = 1\n"},
         GRAPH, "{d}/e.toml: expression: a number of 5,001 characters is too long (at most 300) "
                "(column 5)"),
    Case("expression-latin-1", {"e.toml": "label = 'café'\nexpression = 'x'\n".encode("latin-1")},
         GRAPH, "{d}/e.toml:1: not UTF-8 text (byte 0xe9 at column 13); save the file as UTF-8"),
    Case("expression-nan", {"e.json": '{"expression": "x", "values": {"x": NaN}}'}, GRAPH_JSON,
         "{d}/e.json: values.x: expected a finite number, got nan"),
    Case("expression-duplicate-key", {"e.json": '{"expression": "x",\n"expression": "y"}'},
         GRAPH_JSON, "{d}/e.json:2: invalid JSON: the key 'expression' is given twice"),
    Case("expression-division-by-zero", {"e.toml": "expression = 'x/0'\n[values]\nx = 1\n"}, GRAPH,
         "{d}/e.toml: expression: div: division by zero; a = 1.0 ('x'), b = 0.0 (column 2)"),
    Case("expression-unknown-field", {"e.toml": "expression = 'x'\ncolour = 'red'\n"}, GRAPH,
         "{d}/e.toml: colour: unknown field; the fields are expression, values, label"),
    # expressions on the command line (stepgrad expr): the message, then the expression and a caret
    Case("expr-5001-digit-literal", {}, ["expr", "x + 1" + "0" * 5000, "--set", "x=1"],
         "a number of 5,001 characters is too long (at most 300) (column 5)", lines=3),
    Case("expr-nested-too-deeply", {}, ["expr", "+".join(["x"] * 20_000), "--set", "x=1"],
         "the expression is nested too deeply to parse (column 1)", lines=3),
    Case("expr-division-by-zero", {}, ["expr", "x/0", "--set", "x=1"],
         "div: division by zero; a = 1.0 ('x'), b = 0.0 (column 2)", lines=3),
    Case("expr-infinite-value", {}, ["expr", "x", "--set", "x=1e999"],
         "--set 'x=1e999': the value must be finite"),
]


def snapshot(folder):
    return {path.name: (path.read_bytes() if path.is_file() else "not a file")
            for path in sorted(folder.iterdir())}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input_is_one_clear_line_in_bounded_time_and_memory(case, tmp_path, capsys):
    for name, content in case.files.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    if case.setup:
        case.setup(tmp_path)
    (tmp_path / "saved.json").write_text("the weights saved before")
    before = snapshot(tmp_path)
    argv = [arg.replace("{d}", str(tmp_path)) for arg in case.argv]
    with bounded(cpu_seconds=3.0, megabytes=80):
        code = main(argv)
    out, err = capsys.readouterr()
    assert (code, out) == (case.code, "")
    assert "Traceback" not in err and err.count("\n") == case.lines
    command = argv[0]
    first = err.splitlines()[0]
    assert first == f"stepgrad {command}: error: " + case.message.replace("{d}", str(tmp_path))
    assert snapshot(tmp_path) == before          # no file written, moved or changed


@pytest.mark.parametrize("argv, first_line", [
    (["expr", "-x", "--set", "x=2"], "f = -x = -2"),
    (["expr", "ｘ * 3", "--set", "ｘ=2"], "f = ｘ * 3 = 6"),
    (["expr", "x * 3", "--set", "ｘ=2"], "f = x * 3 = 6"),
])
def test_expressions_a_careless_user_types_work(capsys, argv, first_line):
    assert main(argv) == 0
    assert capsys.readouterr().out.splitlines()[0] == first_line


# -- every text output escapes control characters --------------------------------------------

DERIVATIONS = pathlib.Path(__file__).resolve().parent.parent / "examples" / "derivations"
HOSTILE = "\x1b[2J\x1b]0;pwned\x07\u202e\r\x08\x9b"
ESCAPED = printable(HOSTILE)


def derivation():
    """Section 8's derivation with a hostile title and a hostile answer key."""
    text = (DERIVATIONS / "section8.toml").read_text(encoding="utf-8")
    title = json.dumps(HOSTILE)[1:-1]
    text = text.replace('title = "Section 8', f'title = "{title}Section 8')
    text = text.replace("neth = 0.5\n", f'neth = 0.5\n"net{title}" = 0.5\n')
    return text


OUTPUTS = [
    ["check", "{d}/hostile.toml"],
    ["step", "{d}/hostile.toml", "--table"],
    ["explain", "{d}/hostile.toml", "--wrt", "wxh"],
    ["graph", "{d}/label.toml"],
    ["graph", "{d}/label.toml", "--out", "{d}/" + HOSTILE + ".dot"],
    ["graph", "section8", "--path", HOSTILE],
    ["network", "{d}/hostile.toml", "--out", "{d}/" + HOSTILE + ".dot"],
    ["expr", "x" + HOSTILE, "--set", "x=1"],
    ["expr", "x", "--set", "x=1", "--explain", HOSTILE],
    ["expr", "x", "--set", HOSTILE + "=1"],
    ["example", "section7", "--weights", "{d}/names.json"],
    ["check", "{d}/" + HOSTILE + ".toml"],
]


@pytest.mark.parametrize("argv", OUTPUTS, ids=[" ".join(a[:2]) + f" {k}" for k, a in enumerate(OUTPUTS)])
def test_every_text_output_escapes_control_characters(argv, tmp_path, capsys):
    (tmp_path / "hostile.toml").write_text(derivation(), encoding="utf-8")
    (tmp_path / "label.toml").write_text(f"expression = 'x*2'\nlabel = {json.dumps(HOSTILE)}\n"
                                         "[values]\nx = 1\n", encoding="utf-8")
    (tmp_path / "names.json").write_text(unit_name(HOSTILE), encoding="utf-8")
    main([arg.replace("{d}", str(tmp_path)) for arg in argv])
    out, err = capsys.readouterr()
    text = out + err
    assert printable(text) == text and "\r" not in text, "a control character was printed raw"
    assert "\\x1b" in text and "\\u202e" in text   # the hostile text did reach the output


def test_the_real_command_prints_no_escape_byte(tmp_path):
    (tmp_path / "hostile.toml").write_text(derivation(), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", "import sys; from stepgrad.cli import main; "
                           "sys.exit(main())", "check", str(tmp_path / "hostile.toml")],
                          capture_output=True)
    output = done.stdout + done.stderr
    assert done.returncode == 2 and b"\\x1b[2J" in output   # 2: a name with an escape is refused
    assert not any(byte in output for byte in (b"\x1b", b"\x07", b"\r", b"\xe2\x80\xae"))
