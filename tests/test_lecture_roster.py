"""lecture.roster: student ids from a CSV roster, and errors that name the file, line and column."""

import pytest

from stepgrad.classroom.roster import RosterError, check_student_id
from stepgrad.classroom.roster import roster_ids as read_roster


def roster(tmp_path, text, name="roster.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_ids_are_read_from_the_id_column_in_order(tmp_path):
    path = roster(tmp_path, "name,Student,mail\nAlice A,alice,a@x\n\nBob, bob.b ,b@x\n"
                            "\"Cho, C\",cho@uni.edu,c@x\n")
    assert read_roster(path) == ["alice", "bob.b", "cho@uni.edu"]
    assert read_roster(roster(tmp_path, "id,student\n17,alice\n")) == ["alice"]


def test_semicolons_tabs_and_a_byte_order_mark_are_understood(tmp_path):
    assert read_roster(roster(tmp_path, "\ufeffid;name\nalice;A\nbob;B\n")) == ["alice", "bob"]
    assert read_roster(roster(tmp_path, "ID\tname\ns1\tA\n", "r.tsv")) == ["s1"]


@pytest.mark.parametrize("text, message", [
    ("name,mail\nA,a@x\n", "roster.csv:1: no student id column: the header has 'name', 'mail'; "
                           "name the column of ids student or id"),
    ("id\nalice\nbob\nBob\n", "roster.csv:4: [id] 'Bob' is given twice (line 3; ids are compared ignoring case)"),
    ("id,name\n,Nobody\n", "roster.csv:2: [id] empty: every row needs a student id"),
    ("id\nalice\n../evil\n", "roster.csv:3: [id] '../evil' is not a student id"),
    ("id\nal ice\n", "roster.csv:2: [id] 'al ice' is not a student id"),
    ("id\n", "roster.csv: no students: the roster has a header row only"),
    ("", "roster.csv: empty; a roster has a header row and a row per student"),
    ("id\n\"alice\n", "roster.csv:2: bad CSV"),
])
def test_a_bad_roster_names_the_line_and_the_column(tmp_path, text, message):
    with pytest.raises(RosterError) as caught:
        read_roster(roster(tmp_path, text))
    assert str(caught.value).startswith(f"{tmp_path}/{message}")


def test_a_roster_that_is_not_utf8_or_missing(tmp_path):
    with pytest.raises(RosterError, match=r"roster.csv:3: not UTF-8 text"):
        read_roster(roster(tmp_path, "id\nalice\nb\xf6b\n", encoding="latin-1"))
    with pytest.raises(RosterError, match=r"gone.csv: cannot read it"):
        read_roster(tmp_path / "gone.csv")


def test_a_student_id_names_a_folder_safely():
    assert check_student_id("s-01_a.b@x+y") == "s-01_a.b@x+y"
    for bad in ("", ".hidden", "a/b", "a\\b", "x" * 65, "é", "a\x1b"):
        with pytest.raises(RosterError, match="is not a student id"):
            check_student_id(bad)
