"""Exit statuses: one table for the whole command line. The libraries return records (a check's
Report, a class's Gradebook); what status a command ends with, and what each status means, is
decided here, and ``stepgrad.cli``, ``stepgrad check`` and ``stepgrad grade`` all read it."""

__all__ = ["EXIT_STATUSES", "EXIT_CODES", "check_status", "grade_status", "status_line"]

# per command, every status it can end with and what it means
EXIT_STATUSES = {
    "check": {0: "every value is right (or follows from your rounding)",
              1: "a value is wrong, or a given of the problem was copied differently",
              2: "the file cannot be read (the message says where)",
              4: "nothing is wrong, but some names could not be checked"},
    "grade": {0: "every student was graded",
              1: "some students could not be graded (missing, malformed or misfiled "
                 "submissions): each has a row that says why",
              2: "a key, roster or points file, or --out, cannot be used (the message names "
                 "it), a file could not be written (a full disk), or a grading process was "
                 "killed: nothing is published, --out is as it was"},
}

# the statuses of every command, as ``stepgrad --help`` lists them
EXIT_CODES = """\
exit status:
  0    done (check: every value is right; grade: every student graded)
  1    check: a value is wrong; grade: a student could not be graded
  2    bad input: a file, an argument or an option that cannot be used; one
       line on stderr says what is wrong and where (file, line, field)
  3    an internal error, a bug in stepgrad: its traceback follows; please
       report it
  4    check: nothing is wrong, but some names could not be checked
  130  interrupted (Ctrl-C)
Output that cannot be written (stdout closed, a pipe whose reader has gone as
with | head -1, a full disk) changes no status: a command's files are its
result (grade: 0 or 1 once the gradebook and the reports are published)."""


def check_status(report):
    """0: every value checked and none wrong; 1: a value is wrong (or a given changed, or a
    value unreadable); 4: none wrong, but some could not be checked (names the problem does
    not have)."""
    if not report.ok:
        return 1
    return 4 if report.unknown else 0


def grade_status(book):
    """0: every student graded; 1: some could not be."""
    return 0 if all(r.status == "graded" for r in book.results) else 1


def status_line(command, status):
    """``exit status 1: a value is wrong, …``: the line a report may end with."""
    return f"exit status {status}: {EXIT_STATUSES[command][status]}"
