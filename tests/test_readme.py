"""The REPL examples of the README and of every page in docs/ run and print what the page shows."""

import doctest
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# The pages that have `>>>` examples; the others (drawings, the command, the benchmark, the
# layout) show code that needs the `dot` program, a shell or minutes, not a REPL session.
WITH_EXAMPLES = {"README.md", "docs/engine.md", "docs/tape.md", "docs/networks.md",
                 "docs/stepping.md", "docs/checking.md", "docs/classroom.md"}
# The one-page README of before the manual moved to docs/ had 133 examples; none were dropped.
OLD_README_EXAMPLES = 133


def name_of(page):
    return page.relative_to(ROOT).as_posix()


def examples_of(page):
    # A code fence right after an example would read as expected output: blank it out.
    text = re.sub(r"^```\w*$", "", page.read_text(encoding="utf-8"), flags=re.MULTILINE)
    # One namespace per page: a page's examples build on the ones above them, as in a REPL.
    return doctest.DocTestParser().get_doctest(text, {}, name_of(page), str(page), 0)


@pytest.mark.parametrize("page", PAGES, ids=name_of)
def test_examples_run_as_shown(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    test = examples_of(page)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures = []
    runner.run(test, out=failures.append)
    if name_of(page) in WITH_EXAMPLES:
        assert len(test.examples) > 0
    assert runner.failures == 0, "".join(failures)


def test_the_pages_keep_every_example_the_old_readme_had():
    assert {name_of(page) for page in PAGES} >= WITH_EXAMPLES
    assert sum(len(examples_of(page).examples) for page in PAGES) >= OLD_README_EXAMPLES
