"""The example notebooks run top to bottom in a real Jupyter kernel; the stepper widget is driven
from code and what it displays is checked."""

import json
import os
import pathlib
import socket
import sys
import xml.etree.ElementTree as ET

import pytest

import lecture
from autodiff import topological_order
from viz import style
from viz_support import needs_dot, optional_module

REPO = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
KERNEL = "stepgrad-test"
SVG = "{http://www.w3.org/2000/svg}"
LOOPBACK = ("the Jupyter kernel talks to the test over ZeroMQ sockets on the loopback interface "
            "(127.0.0.1), which this machine does not offer")


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


def loopback_available():
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
        return True
    except OSError:
        return False


def run_notebook(path, tmp_path, monkeypatch):
    """Execute the notebook at ``path`` in a fresh kernel; returns it with its outputs, and the
    widgets' state as the frontend would show it."""
    nbformat = optional_module("nbformat")
    nbclient = optional_module("nbclient")
    optional_module("ipykernel")
    if not loopback_available():
        if os.environ.get("CI"):
            pytest.fail(f"cannot run {path.name}: {LOOPBACK}")
        pytest.skip(f"{path.name} not run: {LOOPBACK}")
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_spec(tmp_path)))
    notebook = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    client = nbclient.NotebookClient(notebook, kernel_name=KERNEL, timeout=180,
                                     store_widget_state=True,
                                     resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute()   # raises CellExecutionError, with the traceback, if a cell fails
    except (RuntimeError, TimeoutError) as error:     # a cell's own error is raised as it is
        raise AssertionError(f"the kernel for {path.name} did not start or answer ({error}); "
                             "it needs the loopback interface (127.0.0.1) for its ZeroMQ "
                             "sockets") from error
    outputs = {cell.id: cell.outputs for cell in notebook.cells if cell.cell_type == "code"}
    for cell_id, cell_outputs in outputs.items():
        assert not [o for o in cell_outputs if o.output_type == "error"], cell_id
    state = notebook.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    return outputs, state


def printed(outputs):
    return "".join(o.text for o in outputs if o.output_type == "stream")


def results(outputs, mime):
    return [o.data[mime] for o in outputs
            if o.output_type in ("execute_result", "display_data") and mime in o.data]


def lit_nodes(svg):
    """The DOT ids (the <title> of each node group) of the nodes with a highlighted cell."""
    root = ET.fromstring(svg[svg.index("<svg"):svg.index("</svg>") + len("</svg>")])
    lit = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        title = group.find(f"{SVG}title").text
        if title != "legend" and any(s.get("fill") == style.HIGHLIGHT for s in group.iter()):
            lit.append(title)
    return lit


@needs_dot
def test_section7_notebook_runs_and_draws_svg(tmp_path, monkeypatch):
    outputs, _ = run_notebook(EXAMPLES / "section7.ipynb", tmp_path, monkeypatch)
    for cell_id in ("before", "after", "collapsed", "network", "frames"):
        svgs = results(outputs[cell_id], "image/svg+xml")
        assert len(svgs) == 1 and "<svg" in svgs[0], cell_id
    assert results(outputs["step"], "text/plain")         # the training step, shown
    assert "steps; step" in printed(outputs["frames"])


@needs_dot
def test_the_stepper_widget_driven_from_code_shows_the_step_and_lights_its_node(
        tmp_path, monkeypatch):
    optional_module("ipywidgets")
    outputs, state = run_notebook(EXAMPLES / "section7_stepper.ipynb", tmp_path, monkeypatch)
    graph = lecture.error_graph("section7")
    ids = {node: f"n{i}" for i, node in enumerate(topological_order(graph.root))}
    unit6 = graph.network.layers[1].neurons[0]

    # A Value shows its graph.
    (value,) = results(outputs["value"], "text/html")
    assert value.startswith("<div><code>Value(label=&#x27;E&#x27;") and "<svg" in value

    # The widget is displayed, and answers its controls.
    assert results(outputs["widget"], "application/vnd.jupyter.widget-view+json")
    assert printed(outputs["drive"]).startswith("step 2/7: unit 6, output layer: δ6 = −∂E/∂net6")
    assert printed(outputs["slider"]).startswith("step 3/7: the weights of unit 6")
    assert printed(outputs["grain"]).startswith("step 5/33: net6 = b6 + w46·o4 + w56·o5 [add]")

    # What it shows after the grain switch: the SVG with net6 (this step's node) lit, and its text.
    (shown,) = results(outputs["shown"], "text/html")
    assert lit_nodes(shown) == [f"{ids[unit6.net]}op", ids[unit6.net]]   # net6 and its +
    models = [model["state"] for model in state.values()
              if model.get("model_name") == "HTMLModel"]
    graphs = [m["value"] for m in models if "<svg" in m.get("value", "")]
    texts = [m["value"] for m in models if m.get("value", "").startswith("<pre")]
    assert graphs == [shown]
    assert len(texts) == 1 and "step 5/33: net6 = b6 + w46·o4 + w56·o5 [add]" in texts[0]
    sliders = [model["state"] for model in state.values()
               if model.get("model_name") == "IntSliderModel"]
    assert [(s["value"], s["max"]) for s in sliders] == [(5, 33)]
    grains = [model["state"] for model in state.values()
              if model.get("model_name") == "ToggleButtonsModel"]
    assert [g["_options_labels"] for g in grains] == [["node", "neuron", "layer"]]

    # A Stepper's step shows its graph (by layer: the layers collapsed) beside its text.
    (stepper,) = results(outputs["stepper"], "text/html")
    assert "<svg" in stepper and "step 2/3: layer 2 (output)" in stepper
    lit = lit_nodes(stepper)
    assert len(lit) == 1 and ">layer 2<" in stepper

    # The explanation is typeset.
    (latex,) = results(outputs["explain"], "text/latex")
    assert latex.startswith(r"$$\frac{\partial E}{\partial w_{46}}")
    assert "7 frames" in printed(outputs["frames"])
    (frame,) = results(outputs["frames"], "image/svg+xml")
    assert "step 4/7: unit 4, hidden layer 1" in frame.replace("\u00a0", " ")
