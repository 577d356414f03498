"""A small class for command tests: exercises and keys as stepgrad exercise new makes them
(without Graphviz's pictures, which take most of the time), and students' files handed in."""

import pytest

from stepgrad.classroom import folder as folder_module
from stepgrad.cli import main

__all__ = ["make_class", "hand_in", "grade_argv", "answers_of", "files_in"]


def _no_dot(graph, fmt):
    raise folder_module.viz.DotNotFoundError()


def make_class(root, students=("s1", "s2", "s3"), seed=77):
    """``root``/roster.csv and ``root``/class (exercises, keys); returns ``root``."""
    (root / "roster.csv").write_text("student\n" + "".join(f"{s}\n" for s in students))
    mp = pytest.MonkeyPatch()
    mp.setattr(folder_module, "pipe", _no_dot)
    try:
        assert main(["exercise", "new", "--students", str(root / "roster.csv"), "--seed",
                     str(seed), "--out", str(root / "class")]) == 0
    finally:
        mp.undo()
    return root


def answers_of(root, student):
    """A right submission of ``student``: the [exercise] id and student, and the key's answers."""
    key = (root / "class" / "keys" / student / "key.toml").read_text()
    return key[key.index("[exercise]"):key.index("seed =")] + key[key.index("[answers]"):]


def hand_in(root, students, folder="subs"):
    """Each of ``students`` hands in their right answers, in ``root``/``folder``."""
    subs = root / folder
    subs.mkdir(exist_ok=True)
    for student in students:
        (subs / f"{student}.toml").write_text(answers_of(root, student))
    return subs


def grade_argv(root, out, *more, folder="subs"):
    return ["grade", "--key", str(root / "class" / "keys"), "--roster", str(root / "roster.csv"),
            str(root / folder), "--out", str(out), *more]


def files_in(folder):
    """Every file under ``folder``: its path inside it → its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}
