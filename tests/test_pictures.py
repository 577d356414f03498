"""docs/pictures.py draws the README's pictures: run again, it writes the committed files."""

import pathlib
import re
import subprocess
import sys

import pytest
from viz_support import needs_dot

REPO = pathlib.Path(__file__).resolve().parents[1]
IMAGES = REPO / "docs" / "images"
VERSION = re.compile(rb"graphviz version (\S+)")


def graphviz_version():
    done = subprocess.run(["dot", "-V"], capture_output=True)
    return VERSION.search(done.stderr + done.stdout).group(1)


@needs_dot
def test_the_script_reproduces_the_committed_pictures(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "docs" / "pictures.py"), "--out",
                           str(tmp_path)], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"wrote {tmp_path / 'section7_graph.gv'}",
                                        f"wrote {tmp_path / 'section7_graph.svg'}"]
    # The DOT text is stepgrad's own: the same bytes everywhere.
    assert (tmp_path / "section7_graph.gv").read_bytes() == (IMAGES / "section7_graph.gv").read_bytes()
    committed = (IMAGES / "section7_graph.svg").read_bytes()
    drawn = VERSION.search(committed).group(1)
    if graphviz_version() != drawn:
        pytest.skip(f"the SVG was drawn by Graphviz {drawn.decode()}, this is "
                    f"{graphviz_version().decode()}: its layout may differ (the DOT text matched)")
    assert (tmp_path / "section7_graph.svg").read_bytes() == committed


def test_the_readme_shows_the_picture():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "](docs/images/section7_graph.svg)" in readme
