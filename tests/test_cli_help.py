"""Every ``stepgrad … --help`` fits an 80-column terminal, every line of it."""

import argparse
import unicodedata

import pytest

from stepgrad.cli import build_parser, main


def _commands():
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(subparsers.choices)


def _columns(line):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_every_command_is_covered():
    assert {"explain", "step", "expr", "check", "grade", "exercise", "example", "demo",
            "train"} <= set(_commands())


@pytest.mark.parametrize("command", [None, *_commands()])
def test_help_lines_fit_80_columns(command, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit) as done:
        main(["--help"] if command is None else [command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.strip()
    wide = [(_columns(line), line) for line in out.splitlines() if _columns(line) > 80]
    assert not wide, f"stepgrad {command or ''} --help has lines over 80 columns: {wide}"
