"""examples/section7.ipynb runs top to bottom in a real Jupyter kernel and shows its drawings."""

import json
import pathlib
import sys

from viz_support import needs_dot, optional_module

REPO = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "examples" / "section7.ipynb"
KERNEL = "stepgrad-test"


def kernel_spec(tmp_path):
    """A kernel spec for this Python, in a folder of its own (JUPYTER_PATH points at it)."""
    folder = tmp_path / "jupyter" / "kernels" / KERNEL
    folder.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "stepgrad test", "language": "python",
            # the checkout itself, whether or not the installed package is up to date
            "env": {"PYTHONPATH": str(REPO)}}
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return tmp_path / "jupyter"


@needs_dot
def test_section7_notebook_runs_and_draws_svg(tmp_path, monkeypatch):
    nbformat = optional_module("nbformat")
    nbclient = optional_module("nbclient")
    optional_module("ipykernel")
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_spec(tmp_path)))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    client = nbclient.NotebookClient(notebook, kernel_name=KERNEL, timeout=120,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()   # raises CellExecutionError, with the traceback, if a cell fails
    outputs = {cell.id: cell.outputs for cell in notebook.cells if cell.cell_type == "code"}
    for cell_id, cell_outputs in outputs.items():
        assert not [o for o in cell_outputs if o.output_type == "error"], cell_id
    for cell_id in ("before", "after", "collapsed", "network", "frames"):
        svgs = [o.data["image/svg+xml"] for o in outputs[cell_id]
                if o.output_type == "execute_result" and "image/svg+xml" in o.data]
        assert len(svgs) == 1 and "<svg" in svgs[0], cell_id
    printed = "".join(o.text for o in outputs["step"] if o.output_type == "stream")
    assert "w14" in printed and "b6" in printed
    assert "steps; step" in "".join(o.text for o in outputs["frames"] if o.output_type == "stream")
