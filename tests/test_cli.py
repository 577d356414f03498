"""stepgrad.cli: exit statuses, --version, expressions starting with -, output escaped at the boundary."""

import io
import subprocess
import sys

import pytest

import stepgrad
from stepgrad.cli import PrintableStream, main
from stepgrad.exits import EXIT_CODES


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"stepgrad {stepgrad.__version__} (Python ") and out.count("\n") == 1


def test_help_documents_the_exit_statuses(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert EXIT_CODES in out
    for status in ("0 ", "1 ", "2 ", "3 ", "130 "):
        assert f"\n  {status}" in out


def test_bad_input_is_one_line_and_status_2(capsys, tmp_path):
    code, out, err = run(capsys, "check", str(tmp_path / "absent.toml"))
    assert (code, out) == (2, "") and err.count("\n") == 1 and "absent.toml" in err


@pytest.mark.parametrize("error", [TypeError("a bug"), KeyError("a bug"), AttributeError("bug"),
                                   RecursionError(), MemoryError()])
def test_a_bug_shows_its_traceback_and_status_3(capsys, monkeypatch, error):
    def broken(args):
        raise error
    monkeypatch.setattr("stepgrad.commands.check.run", broken)
    code, out, err = run(capsys, "check", "anything.toml")
    assert code == 3 and out == ""
    assert err.startswith("Traceback (most recent call last):")
    assert f"{type(error).__name__}" in err
    assert err.endswith("stepgrad check: internal error (a bug in stepgrad); please report it "
                        "with the traceback above\n")


def test_an_interruption_is_status_130_without_a_traceback(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt
    monkeypatch.setattr("stepgrad.commands.check.run", interrupted)
    assert run(capsys, "check", "x.toml") == (130, "", "stepgrad check: interrupted\n")


@pytest.mark.parametrize("argv, first_line", [
    (["expr", "-x", "--set", "x=2"], "f = -x = -2"),
    (["expr", "--set", "x=2", "-x*x"], "f = -x*x = -4"),
    (["expr", "-2*x", "--set", "x=2", "--explain", "x"], "f = -2*x = -4"),
    (["expr", "--set", "x=2", "--", "-x"], "f = -x = -2"),
    (["expr", "-(x)", "--set", "x=2"], "f = -(x) = -2"),
])
def test_an_expression_may_start_with_a_minus(capsys, argv, first_line):
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "") and out.splitlines()[0] == first_line


def test_expr_help_still_works(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["expr", "-h"])
    assert stopped.value.code == 0 and "EXPRESSION" in capsys.readouterr().out


def test_the_output_boundary_escapes_control_and_bidi_characters():
    underneath = io.StringIO()
    stream = PrintableStream(underneath)
    stream.write("o4\x1b[2J \u202etxt.exe\r\tok\n")
    assert underneath.getvalue() == "o4\\x1b[2J \\u202etxt.exe\\x0d\\x09ok\n"
    assert stream.unfiltered is underneath and stream.getvalue() == underneath.getvalue()


def test_text_the_terminal_cannot_encode_is_escaped_not_a_crash():
    raw = io.BytesIO()
    text = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
    stream = PrintableStream(text)
    stream.write("wrote net\udcff.json δ\n")
    stream.flush()
    assert raw.getvalue() == b"wrote net\\udcff.json \\u03b4\n"


def test_streams_are_restored_after_a_run(capsys):
    before = sys.stdout, sys.stderr
    run(capsys, "check", "absent.toml")
    assert (sys.stdout, sys.stderr) == before


def test_the_console_script_exits_with_the_status(tmp_path):
    done = subprocess.run([sys.executable, "-c", "import sys; from stepgrad.cli import main; "
                           "sys.exit(main())", "check", str(tmp_path / "absent.toml")],
                          capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr

