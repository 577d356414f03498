"""autodiff.files: data files read within limits with one-line errors; files written whole or not at all."""

import json
import os
import signal
import subprocess
import sys

import pytest
from limits import bounded

from stepgrad._ground import files
from stepgrad._ground.files import (
    MAX_DEPTH,
    MAX_NUMBER_LENGTH,
    DataFileError,
    field_name,
    loads_data,
    read_data,
    write_atomic,
    write_atomic_all,
)

DEEP = 100_000


def test_json_and_toml_by_suffix(tmp_path):
    (tmp_path / "a.json").write_text('{"x": [1, 2.5], "name": "w14"}', encoding="utf-8")
    (tmp_path / "a.toml").write_text('name = "w14"\nx = [1, 2.5]\n', encoding="utf-8")
    assert read_data(tmp_path / "a.json") == read_data(tmp_path / "a.toml") == \
        {"x": [1, 2.5], "name": "w14"}
    assert read_data(tmp_path / "a.json", "json")["x"] == [1, 2.5]


@pytest.mark.parametrize("fmt, text", [("json", '{"a": 0.400, "b": [1e-3], "n": 3}'),
                                       ("toml", "a = 0.400\nb = [1e-3]\nn = 3\n")])
def test_parse_float_receives_each_float_as_written(fmt, text):
    data = loads_data(text, fmt, parse_float=lambda written: ("float", written))
    assert data == {"a": ("float", "0.400"), "b": [("float", "1e-3")], "n": 3}


HOSTILE = [
    ("json", '{"a": ' + "[" * DEEP + "]" * DEEP + "}", 1, None, "nested more than 32 levels deep"),
    ("json", '{\n"a": {"b": ' + "[" * 40 + "]" * 40 + "}}", 2, None, "nested more than 32 levels"),
    ("toml", "a = " + "[" * DEEP + "]" * DEEP, 1, None, "nested more than 32 levels deep"),
    ("toml", "x = 1\n" + ".".join(["a"] * DEEP) + " = 1", 2, None, "a dotted key of more than 32"),
    ("toml", "[" + ".".join(["a"] * DEEP) + "]", 1, None, "a dotted key of more than 32 parts"),
    ("toml", "[" + ".".join("a" * 20) + "]\n" + ".".join("b" * 20) + " = 1", None,
     "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.b.b.b.b.b.b.b.b.b.b.b.b",
     "nested more than 32 levels deep"),
    ("json", '{"w":\n' + "1" * 400 + "}", 2, None, "a number written with more than 300 characters (400)"),
    ("json", '{"w": -' + "1" * 5001 + "}", 1, None, "a number written with more than 300 characters (5,002)"),
    ("toml", "w = " + "1" * 5001, 1, None, "a number written with more than 300 characters (5,001)"),
    ("toml", "w = 1e1" + "0" * 400, 1, None, "a number written with more than 300 characters"),
    ("json", '{"a": 1,\n "b": {"a": 2,\n  "a": 3}}', 3, None, "invalid JSON: the key 'a' is given twice"),
    ("json", '{"a": 1,,}', 1, None, "invalid JSON: Expecting property name enclosed in double "
                                    "quotes (column 9)"),
    ("toml", "a = 1\nb = [1,,]", 2, None, "invalid TOML: Invalid value (column 8)"),
    ("toml", "a = 1\nb = ", 2, None, "invalid TOML: Invalid value (at the end)"),
    ("json", '{"a": {"b": "\\ud800"}}', None, "a.b", "a string holds a lone surrogate (\\ud800)"),
    # a string's brackets and digits do not count; an unclosed one is scanned once
    ("json", '{"a": "' + "[" * 100 + "1" * 400 + '"}', None, None, None),
    ("json", '"\\' * 500_000, 1, None, "invalid JSON: Unterminated string"),
    ("toml", "'" * 500_001, 1, None, "invalid TOML"),
    ("toml", 'a = """' + '"' * 100_000, 1, None, "invalid TOML"),
]


@pytest.mark.parametrize("fmt, text, line, field, problem", HOSTILE,
                         ids=[f"{case[0]}-{k}" for k, case in enumerate(HOSTILE)])
def test_hostile_text_is_one_line_error_in_bounded_time_and_memory(fmt, text, line, field, problem):
    with bounded(cpu_seconds=2.0, megabytes=60):
        try:
            loads_data(text, fmt, f"f.{fmt}")
            error = None
        except DataFileError as caught:
            error = caught
    if problem is None:
        assert error is None
        return
    assert error is not None and (error.line, error.field) == (line, field)
    assert error.problem.startswith(problem)
    place = f"f.{fmt}" + (f":{line}" if line else "")
    assert str(error) == f"{place}: " + (f"{field}: " if field else "") + error.problem
    assert "\n" not in str(error) and len(str(error)) < 300


def test_the_limits_are_what_the_module_says():
    assert MAX_DEPTH == 32 and MAX_NUMBER_LENGTH == 300
    nested = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert loads_data(nested, "json") is not None
    with pytest.raises(DataFileError, match="nested more than 32"):
        loads_data("[" + nested + "]", "json")
    assert loads_data("1" * MAX_NUMBER_LENGTH, "json") == int("1" * MAX_NUMBER_LENGTH)
    assert float(loads_data("9" * MAX_NUMBER_LENGTH, "json")) < float("inf")
    with pytest.raises(DataFileError, match="more than 300 characters"):
        loads_data("1" * (MAX_NUMBER_LENGTH + 1), "json")


def test_size_limit(tmp_path):
    path = tmp_path / "big.json"
    path.write_text("[" + " " * 98 + "]")
    assert read_data(path, max_bytes=100) == []
    path.write_text("[" + " " * 99 + "]")
    with pytest.raises(DataFileError, match=rf"^{path}: larger than the limit of 100 bytes$"):
        read_data(path, max_bytes=100)


def test_text_that_is_not_utf8_names_the_line_and_column(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{\n"a": 1,\n"description": "café"}'.encode("latin-1"))
    with pytest.raises(DataFileError) as caught:
        read_data(path)
    assert str(caught.value) == (f"{path}:3: not UTF-8 text (byte 0xe9 at column 20); "
                                 "save the file as UTF-8")


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"a": 1}).encode())
    assert read_data(path) == {"a": 1}


def test_only_regular_files_are_read(tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)                        # no writer: a plain open() would block for ever
    with pytest.raises(DataFileError, match="fifo.json: not a regular file"):
        read_data(fifo)
    (tmp_path / "folder.toml").mkdir()
    with pytest.raises(DataFileError, match="folder.toml: not a regular file"):
        read_data(tmp_path / "folder.toml")
    with pytest.raises(FileNotFoundError):
        read_data(tmp_path / "absent.json")
    with pytest.raises(DataFileError, match=r"expected a \.json or \.toml file, not \.yaml"):
        read_data(tmp_path / "data.yaml")


def test_field_names():
    assert field_name(["state", "layers.0.b"]) == "state['layers.0.b']"
    assert field_name(["values", "x"]) == "values.x"
    assert field_name(["unit_names", 1, 0]) == "unit_names[1][0]"
    assert field_name(["a\x1bb"]) == r"['a\x1bb']"
    assert field_name([]) == ""


# -- writing ---------------------------------------------------------------------------------

@pytest.fixture(params=["unnamed", "named"])
def mode(request, monkeypatch):
    """Both ways of writing: Linux's unnamed O_TMPFILE, and the exclusive random name."""
    if request.param == "unnamed" and not (hasattr(os, "O_TMPFILE")
                                           and os.path.isdir("/proc/self/fd")):
        pytest.skip("no O_TMPFILE here")
    if request.param == "named":
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    return request.param


def test_write_atomic_replaces_the_file_and_leaves_nothing_else(tmp_path, mode):
    path = tmp_path / "sub" / "out.json"
    assert write_atomic(path, b"first") == path
    write_atomic(str(path), b"second")
    assert path.read_bytes() == b"second"
    assert [p.name for p in path.parent.iterdir()] == ["out.json"]
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_write_atomic_all_replaces_every_file_with_one_sync(tmp_path, monkeypatch):
    syncs = []
    monkeypatch.setattr(files.os, "sync", lambda: syncs.append(1))
    (tmp_path / "a.txt").write_bytes(b"old")
    monkeypatch.setattr(files, "_BATCH", 2)
    write_atomic_all({tmp_path / "a.txt": b"A", str(tmp_path / "x" / "b.txt"): b"B",
                      tmp_path / "x" / "c.txt": b"C"})
    assert (tmp_path / "a.txt").read_bytes() == b"A" and len(syncs) == 2   # 2 files a sync
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == ["b.txt", "c.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "x"]


def test_write_atomic_all_replaces_nothing_when_one_file_fails(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"old")
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder")
    with pytest.raises(OSError) as caught:
        write_atomic_all({tmp_path / "a.txt": b"new", blocker / "out.json": b"data"})
    assert caught.value.filename == str(blocker / "out.json")
    assert (tmp_path / "a.txt").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "file"]


def test_a_symlink_planted_at_the_temporary_name_is_not_followed(tmp_path, mode, monkeypatch):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    names = iter([b"\xaa\xaa", b"\xbb\xbb"])
    monkeypatch.setattr(files.os, "urandom", lambda n: next(names))
    planted = tmp_path / ".out.json.aaaa.tmp"
    planted.symlink_to(victim)
    write_atomic(tmp_path / "out.json", b"data")
    assert victim.read_text() == "keep me" and planted.is_symlink()
    assert (tmp_path / "out.json").read_bytes() == b"data"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.json.aaaa.tmp", "out.json",
                                                          "victim.txt"]


def test_a_failed_write_keeps_the_old_file_names_the_path_and_leaves_no_temporary(tmp_path, mode):
    target = tmp_path / "taken"
    (target / "inside").mkdir(parents=True)          # a folder that is not empty: rename fails
    with pytest.raises(OSError) as caught:
        write_atomic(target, b"data")
    assert caught.value.filename == str(target) and ".tmp" not in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder")
    with pytest.raises(OSError) as caught:
        write_atomic(blocker / "out.json", b"data")
    assert caught.value.filename == str(blocker / "out.json")
    assert blocker.read_text() == "a file, not a folder"


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, mode, monkeypatch):
    path = tmp_path / "net.json"
    path.write_bytes(b"old")

    def interrupt(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(files.os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, b"new")
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["net.json"]


KILLED_SAVE = """
import os, signal, sys
from stepgrad._ground import files
files.os.fsync = lambda handle: os.kill(os.getpid(), signal.SIGKILL)
files.write_atomic(sys.argv[1], b"x" * 100000)
"""


@pytest.mark.skipif(not hasattr(os, "O_TMPFILE"), reason="no O_TMPFILE on this system")
def test_a_killed_save_leaves_no_file_behind(tmp_path):
    done = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(tmp_path / "net.json")])
    assert done.returncode == -signal.SIGKILL
    assert list(tmp_path.iterdir()) == []
