"""Hostile input through the stepgrad command: status 2 and one line naming the file and the
field, no traceback, no file touched, no control character printed raw; and a class of hostile
submissions graded with every other student's row intact. Each run is a process of its own,
its time and peak memory measured and bounded."""

import csv
import io
import json
import os
import pathlib
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field

import pytest
from classes import answers_of, files_in, grade_argv, make_class
from measured import run_measured

from lecture import SECTION7
from nn.weights_file import dumps_network
from stepgrad._ground.text import printable
from stepgrad.classroom import workers
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


@pytest.fixture(scope="module")
def measured_cases(tmp_path_factory):
    """Every case run as a process of its own (one fork each), measured: {name: (folder, the
    folder's files before, Measured)}."""
    root = tmp_path_factory.mktemp("hostile")
    folders, before, commands = {}, {}, []
    for k, case in enumerate(CASES):
        folder = folders[case.name] = root / f"case{k}"
        folder.mkdir()
        for name, content in case.files.items():
            path = folder / name
            path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        if case.setup:
            case.setup(folder)
        (folder / "saved.json").write_text("the weights saved before")
        before[case.name] = snapshot(folder)
        commands.append([arg.replace("{d}", str(folder)) for arg in case.argv])
    done = run_measured(commands, root / "output")
    return {case.name: (folders[case.name], before[case.name], measures)
            for case, measures in zip(CASES, done)}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input_is_one_clear_line_in_bounded_time_and_memory(case, measured_cases):
    folder, before, run = measured_cases[case.name]
    assert (run.status, run.out) == (case.code, "")
    assert "Traceback" not in run.err and run.err.count("\n") == case.lines
    first = run.err.splitlines()[0]
    assert first == f"stepgrad {case.argv[0]}: error: " + case.message.replace("{d}", str(folder))
    assert snapshot(folder) == before            # no file written, moved or changed
    # NOTE: generous bounds, against hangs and blow-ups (a normal run: well under a second,
    # about 40 MB, most of it Python and stepgrad themselves)
    assert run.cpu_seconds < 3 and run.seconds < 20, run
    assert run.megabytes < 150, run


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


# -- a class of hostile submissions: one run of stepgrad grade, measured ---------------------

def _largest(text):
    """The worst a file within every limit can do: 20,000 answers (the most), each a wrong
    value of a real quantity with notes of its own, under [answers.*] tables."""
    return text[:text.index("[answers]")] + "".join(f"[answers.e{k}]\no4 = 0.9\n"
                                                    for k in range(20_000))


def _deep(folder, student):
    """A file 1,000 folders down (the walk reads 16)."""
    path = os.fsencode(folder / student)
    os.mkdir(path)
    for _ in range(1000):          # os.makedirs recurses once a level
        path += b"/d"
        os.mkdir(path)
    with open(path + b"/answers.toml", "w") as handle:
        handle.write("o4 = 0.5\n")


# student: (what they hand in, given their right answers' text; the row's status; in its message)
HOSTILE_CLASS = {
    "s01": (lambda right: right, "graded", ""),
    "s02": (_deep, "refused", "nested more than 16 levels deep"),
    "s03": (lambda right: right + "# " + "x" * 2_000_000 + "\n", "graded", ""),   # one line
    "s04": (lambda right: right + "[t]\n" * 10**6, "malformed", "larger than the limit"),
    "s05": (lambda right: '{"answers": ' + "[" * 10**5 + "]" * 10**5 + "}", "malformed",
            "more than 100,000 fields"),                # counted before the nesting is seen
    # nested 5,000 deep: not TOML within the limits, so read line by line, that line left out
    "s15": (lambda right: right.replace('o4 = "', 'o4 = ' + "[" * 5000 + "]" * 5000 + '\nx = "'),
            "graded", ""),
    "s06": (lambda right: right.replace('o4 = "', 'o4 = 1e999999\nx = "'), "graded", ""),
    # a 100,000-digit number: not TOML within the limits; read line by line, that line left out
    "s07": (lambda right: right.replace('o4 = "', 'o4 = ' + "1" * 10**5 + '\nx = "'),
            "graded", ""),
    "s16": (lambda right: right + "big = " + "1" * 10**5 + "\n" + "#" * 1_000_000 + "\n",
            "malformed", "a number written with more than 300 characters (100,000)"),
    "s08": (os.mkfifo, "refused", "not a regular file"),
    "s09": (lambda right: right.encode("utf-8"), "missing", ""),       # in a file named s09\xff
    "s10": (lambda right: right[:-25], "graded", ""),                  # cut off mid-line
    "s11": (_largest, "graded", ""),
    "s12": (lambda right: right + "# \U0001F600" + "w" * 1_900_000 + "\n", "graded", ""),
    "s13": (lambda right: right + "m = [\n[" + " " * 100_000 + "1]]\n", "graded", ""),
    "s14": (lambda right: right + "[t]\n" * 120_000, "malformed", "more than 100,000 fields"),
}


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    """The class graded once as a process of its own: (root, files before, Measured, rows)."""
    root = make_class(tmp_path_factory.mktemp("class"), tuple(HOSTILE_CLASS), seed=99)
    subs = root / "subs"
    subs.mkdir()
    # NOTE: the 1,000-level chain is removed whatever happens: pytest's own clean-up of old
    # temporary folders (shutil.rmtree, which recurses) would fail on it, in any later session
    try:
        _hand_in(root, subs)
        before = _files_under(root)
        out = root / "grades"
        (run,) = run_measured([grade_argv(root, out)], root / "output", timeout=120)
        rows = list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text())))
        yield root, before, run, rows
    finally:
        if (subs / "s02").exists():
            _remove_deep(subs / "s02")


def _hand_in(root, subs):
    for student, (hand_in, _, _) in HOSTILE_CLASS.items():
        if hand_in is os.mkfifo:
            os.mkfifo(subs / f"{student}.toml")
            continue
        if hand_in is _deep:
            _deep(subs, student)
            continue
        written = hand_in(answers_of(root, student))
        name = os.fsencode(subs / student) + (b"\xff" if isinstance(written, bytes) else b"")
        suffix = b".json" if student == "s05" else b".toml"
        with open(name + suffix, "wb") as handle:
            handle.write(written if isinstance(written, bytes) else written.encode("utf-8"))


def _files_under(root):
    """Every path under ``root`` (bytes names), with its kind, size and modification time;
    walked without recursion (os.walk recurses once a level)."""
    found, stack = {}, [os.fsencode(root)]
    while stack:
        folder = stack.pop()
        for entry in os.scandir(folder):
            info = entry.stat(follow_symlinks=False)
            found[entry.path] = (stat.S_IFMT(info.st_mode), info.st_size, info.st_mtime_ns)
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    return found


def _remove_deep(top):
    """Remove the 1,000-level chain bottom up (shutil.rmtree recurses once a level)."""
    paths = sorted((p for p, (kind, _, _) in _files_under(top).items()), key=len, reverse=True)
    for path in paths:
        if os.path.isdir(path) and not os.path.islink(path):
            os.rmdir(path)
        else:
            os.unlink(path)
    os.rmdir(top)


def test_a_hostile_class_is_graded_in_bounded_time_and_memory(hostile_class):
    root, before, run, rows = hostile_class
    assert run.status == 1 and "Traceback" not in run.err and run.err == "", run.err
    by = {row["student"]: row for row in rows if row["student"]}
    for student, (_, status, message) in HOSTILE_CLASS.items():
        assert by[student]["status"] == status, (student, by[student])
        assert message in by[student]["message"], (student, by[student]["message"])
    for student in ("s01", "s03", "s12", "s13"):         # the honest work counts in full
        assert by[student]["percent"] == "100.0", (student, by[student])
    assert float(by["s07"]["percent"]) < 100 and "left out" in _report(root, "s07")
    nobody = [row for row in rows if not row["student"]]
    assert [row["status"] for row in nobody] == ["refused"]
    assert "not UTF-8" in nobody[0]["message"] and "s09" in nobody[0]["message"]
    # nothing outside --out (and the measuring's own output) was written, moved or changed
    after = {path: kind for path, kind in _files_under(root).items()
             if not path.startswith(os.fsencode(root / "grades"))
             and not path.startswith(os.fsencode(root / "output"))}
    assert after == before
    # NOTE: generous bounds against hangs and blow-ups: the run takes a few seconds and under
    # 80 MB here; the bound for one submission is 100 MB, and the run holds them all
    assert run.seconds < 60 and run.megabytes < 100, run


def _report(root, student):
    return (root / "grades" / "reports" / f"{student}.md").read_text()


def test_reports_are_no_larger_than_what_a_file_holds(hostile_class):
    root, _, _, rows = hostile_class
    out = root / "grades"
    largest = (root / "subs" / "s11.toml").stat().st_size
    reports = sum(p.stat().st_size for p in (out / "reports").glob("s11.*"))
    entry = next(e for e in json.loads((out / "gradebook.json").read_text())["students"]
                 if e["student"] == "s11")
    assert reports + len(json.dumps(entry)) < largest, (reports, largest)
    assert entry["report"]["hidden"] > 19_000            # the rest of the 20,000 are counted
    # every output together: the files handed in, and a fixed allowance per student
    written = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    handed_in = sum(os.lstat(p).st_size for p in (root / "subs").iterdir())
    assert written < handed_in + 100_000 * len(HOSTILE_CLASS), (written, handed_in)


def test_the_hostile_class_graded_by_workers_writes_the_same_files(hostile_class, tmp_path,
                                                                   monkeypatch):
    # the same class, its files shared among two forked workers (a class this small is
    # graded in one process unless told): every file the same, in bounded time
    root = hostile_class[0]
    monkeypatch.setattr(workers, "MIN_ITEMS", 1)
    out = tmp_path / "grades"
    start = time.monotonic()
    assert main(grade_argv(root, out, "--jobs", "2")) == 1
    assert time.monotonic() - start < 60
    mine, theirs = files_in(out), files_in(root / "grades")
    assert len(mine) > 30 and mine.keys() == theirs.keys()
    assert [name for name in mine if mine[name] != theirs[name]] == []
