"""``stepgrad check`` (stepgrad.commands.check): verdicts, formats and exit statuses."""

import json
import pathlib

from stepgrad.cli import main

DERIVATIONS = pathlib.Path(__file__).resolve().parent.parent / "examples" / "derivations"


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_check_passes_the_lecture(capsys):
    for name, count in (("section7", 68), ("section10", 43), ("section8", 12), ("mazur", 23)):
        status, out, err = run(capsys, "check", DERIVATIONS / f"{name}.toml")
        assert status == 0 and err == ""
        assert f"{count} values: " in out and " wrong" not in out.split("\n\n")[-1]
        assert out.splitlines()[-1] == "exit status 0: every value is right (or follows from your rounding)"


def test_check_exits_1_on_a_wrong_value(capsys):
    status, out, _ = run(capsys, "check", DERIVATIONS / "section7_mistakes.toml")
    assert status == 1
    assert "9 values: 3 correct, 6 wrong" in out
    assert "    η = 0.5 is used instead of η = 0.9: with that, Δw46 = 0.021762" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_check_exits_2_on_a_malformed_file(capsys, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[network]\nlayers = [["1"], ["2"]]\n[weights]\nw12 = "0.5"\n'
                    '[example]\nx = [1]\nt = [1]\neta = 1\n')
    status, out, err = run(capsys, "check", path)
    assert status == 2 and out == ""
    assert err == f"stepgrad check: error: {path}:4: [weights] w12: expected a number, got the string '0.5'\n"
    status, _, err = run(capsys, "check", tmp_path / "missing.toml")
    assert status == 2 and "missing.toml: cannot read it: No such file or directory" in err


def test_check_exits_4_when_names_are_unknown(capsys, tmp_path):
    path = tmp_path / "a.toml"
    path.write_text('problem = "section7"\n[answers]\no4 = 0.332\no9 = 1\n', encoding="utf-8")
    status, out, _ = run(capsys, "check", path)
    assert status == 4 and "Not checked, names this problem does not have: o9" in out


def test_check_answers_against_a_problem_given_on_the_command_line(capsys, tmp_path):
    path = tmp_path / "a.toml"
    path.write_text('[weights]\nw46 = 0.3\n[answers]\no4 = 0.332\n', encoding="utf-8")
    status, out, _ = run(capsys, "check", path, "--problem", "section7")
    assert status == 1 and "w46 is -0.3 in the problem" in out


def test_check_writes_json_markdown_and_html(capsys):
    status, out, _ = run(capsys, "check", DERIVATIONS / "section7_mistakes.toml", "--format", "json")
    data = json.loads(out)
    assert status == 1 and data["exit_status"] == 1 and len(data["rows"]) == 9
    assert [m["id"] for m in data["mistakes"]] == ["no_bias", "flipped_error", "no_slope",
                                                   "new_weights", "eta", "bias_not_updated"]
    _, out, _ = run(capsys, "check", DERIVATIONS / "section8.toml", "--format", "markdown")
    assert "| quantity | yours | exact | verdict |" in out
    _, out, _ = run(capsys, "check", DERIVATIONS / "section8.toml", "--format", "html")
    assert out.startswith("<!DOCTYPE html>") and 'data-verdict="correct"' in out


def test_check_help_says_what_each_exit_status_means(capsys):
    try:
        main(["check", "--help"])
    except SystemExit:
        pass
    out = capsys.readouterr().out
    for line in ("  0  every value is right", "  1  a value is wrong", "  2  the file cannot be read",
                 "  4  nothing is wrong, but some names could not be checked"):
        assert line in out
