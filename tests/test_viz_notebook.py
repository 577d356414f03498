"""The example notebooks run top to bottom in a real Jupyter kernel and give the outputs they are
committed with; the stepper widget is driven from code and what it displays is checked; Steppers
and the widget in one kernel, on one graph, each show ∂E/∂node as autodiff.grad gives it.

``python tests/test_viz_notebook.py`` runs the example notebooks again and writes them with
their outputs and the widgets' state (about 80 kB: a notebook opened before it is run shows the
widget where the run left it, its buttons idle until the cells run again).
"""

import contextlib
import copy
import json
import math
import os
import pathlib
import re
import socket
import sys
import tempfile
import xml.etree.ElementTree as ET

import pytest
from viz_support import needs_dot, optional_module, svg_texts

import lecture
from autodiff import topological_order
from viz import style

REPO = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
NOTEBOOKS = ("section7.ipynb", "section7_stepper.ipynb", "torch_handover.ipynb")
KERNEL = "stepgrad-test"
SVG = "{http://www.w3.org/2000/svg}"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
LOOPBACK = ("the Jupyter kernel talks to the test over ZeroMQ sockets on the loopback interface "
            "(127.0.0.1), which this machine does not offer")


def kernel_spec(tmp_path):
    """A kernel spec for this Python, in a folder of its own (JUPYTER_PATH points at it)."""
    folder = pathlib.Path(tmp_path) / "jupyter" / "kernels" / KERNEL
    folder.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "stepgrad test", "language": "python",
            # the checkout itself, whether or not the installed package is up to date
            "env": {"PYTHONPATH": str(REPO)}}
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return pathlib.Path(tmp_path) / "jupyter"


def loopback_available():
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
        return True
    except OSError:
        return False


@contextlib.contextmanager
def jupyter_path(folder):
    """JUPYTER_PATH at a kernel spec of our own while the block runs."""
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(kernel_spec(folder))
    try:
        yield
    finally:
        if old is None:
            del os.environ["JUPYTER_PATH"]
        else:
            os.environ["JUPYTER_PATH"] = old


def execute(notebook, folder, timeout=180):
    """Run ``notebook`` (a NotebookNode, filled in place) in a fresh kernel working in
    ``folder``; a failing cell raises CellExecutionError with its traceback."""
    import nbclient
    with jupyter_path(folder):
        client = nbclient.NotebookClient(notebook, kernel_name=KERNEL, timeout=timeout,
                                         store_widget_state=True,
                                         resources={"metadata": {"path": str(folder)}})
        client.execute()
    return notebook


def check_kernel_can_run(name):
    optional_module("nbformat")
    optional_module("nbclient")
    optional_module("ipykernel")
    if not loopback_available():
        if os.environ.get("CI"):
            pytest.fail(f"cannot run {name}: {LOOPBACK}")
        pytest.skip(f"{name} not run: {LOOPBACK}")


_RUNS = {}


def run_notebook(name, tmp_path):
    """The example notebook ``name`` executed in a fresh kernel (once per test session): its
    outputs by cell id, the widgets' state as the frontend would show it, and the notebook."""
    check_kernel_can_run(name)
    if name not in _RUNS:
        import nbformat
        notebook = nbformat.read(EXAMPLES / name, as_version=4)
        try:
            execute(notebook, tmp_path)
        except (RuntimeError, TimeoutError) as error:     # a cell's own error is raised as it is
            raise AssertionError(f"the kernel for {name} did not start or answer ({error}); "
                                 "it needs the loopback interface (127.0.0.1) for its ZeroMQ "
                                 "sockets") from error
        _RUNS[name] = notebook
    notebook = _RUNS[name]
    outputs = {cell.id: cell.outputs for cell in notebook.cells if cell.cell_type == "code"}
    for cell_id, cell_outputs in outputs.items():
        assert not [o for o in cell_outputs if o.output_type == "error"], cell_id
    state = notebook.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    return outputs, state, notebook


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


# -- what an output says, without what changes from run to run --------------------------------

_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")          # <graphviz.graphs.Digraph at 0x7f…>
_NUMBER = re.compile(r"[-−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def drawn(svg):
    """An SVG drawing as the words and numbers it shows (not its coordinates, which another
    Graphviz version may place a little differently)."""
    return "[svg: " + " | ".join(t for t in svg_texts(svg[svg.index("<svg"):]) if t.strip()) + "]"


def essence(cell):
    """A code cell's outputs as what a reader sees: printed text, results as text, HTML with
    its drawings as their texts, LaTeX; not widget model ids, image bytes, execution counts."""
    said = []
    for output in cell.get("outputs", []):
        kind = output.output_type
        if kind == "stream":          # one print may arrive as several messages, or one
            said.append(f"{output.name}: {output.text}")
            if len(said) > 1 and said[-2].startswith(f"{output.name}: "):
                said[-2:] = [said[-2] + output.text]
        elif kind == "error":
            said.append(f"error: {output.ename}: {output.evalue}")
        else:
            data = output.data
            if WIDGET_VIEW in data:
                said.append("widget")           # its model id and repr change with every run
                continue
            for mime in sorted(data):
                value = data[mime]
                if mime == "image/svg+xml":
                    value = drawn(value)
                elif mime == "text/html":
                    value = _SVG.sub(lambda m: drawn(m.group(0)), value)
                elif not mime.startswith("text/"):
                    value = ""                   # image bytes
                value = _ADDRESS.sub(" at 0x…", value)
                said.append(f"{mime}: {value}")
    return said


def same_text(got, committed):
    """Equal, but for the last bits of floating point numbers (another CPU or BLAS) and the
    spaces that align them."""
    words = lambda text: [" ".join(part.split()) for part in _NUMBER.split(text)]  # noqa: E731
    if words(got) != words(committed):
        return False
    numbers = [(float(a.replace("−", "-")), float(b.replace("−", "-")))
               for a, b in zip(_NUMBER.findall(got), _NUMBER.findall(committed))]
    return all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in numbers)


# -- the examples ------------------------------------------------------------------------------

@needs_dot
@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_an_example_notebook_gives_the_outputs_it_is_committed_with(name, tmp_path):
    import nbformat
    if name == "torch_handover.ipynb":
        optional_module("torch")
    if name == "section7_stepper.ipynb":
        optional_module("ipywidgets")
    committed = nbformat.read(EXAMPLES / name, as_version=4)
    _, _, executed = run_notebook(name, tmp_path)
    ran = {cell.id: cell for cell in executed.cells if cell.cell_type == "code"}
    stale = []
    for cell in committed.cells:
        if cell.cell_type != "code":
            continue
        assert cell.outputs, f"{name}, cell {cell.id}: committed without its outputs"
        got, kept = essence(ran[cell.id]), essence(cell)
        if len(got) != len(kept) or not all(map(same_text, got, kept)):
            stale.append(cell.id)
    assert not stale, (f"{name}: cells {', '.join(stale)} now give other outputs than the "
                       "committed ones; run python tests/test_viz_notebook.py to write them")
    assert committed.metadata.kernelspec.name == "python3"
    assert (EXAMPLES / name).stat().st_size < 400_000


@needs_dot
def test_section7_notebook_runs_and_draws_svg(tmp_path):
    outputs, _, _ = run_notebook("section7.ipynb", tmp_path)
    for cell_id in ("before", "after", "collapsed", "network", "frames"):
        svgs = results(outputs[cell_id], "image/svg+xml")
        assert len(svgs) == 1 and "<svg" in svgs[0], cell_id
    assert results(outputs["step"], "text/plain")         # the training step, shown
    assert "steps; step" in printed(outputs["frames"])
    assert "(before)" not in results(outputs["frames"], "image/svg+xml")[0]   # after backward()


@needs_dot
def test_the_stepper_widget_driven_from_code_shows_the_step_and_lights_its_node(tmp_path):
    optional_module("ipywidgets")
    outputs, state, _ = run_notebook("section7_stepper.ipynb", tmp_path)
    graph = lecture.error_graph("section7")
    ids = {node: f"n{i}" for i, node in enumerate(topological_order(graph.root))}
    unit6 = graph.network.layers[1].neurons[0]

    # A Value shows its graph.
    (value,) = results(outputs["value"], "text/html")
    assert value.startswith("<div><code>Value(label=&#x27;E&#x27;") and "<svg" in value

    # The widget is displayed, and answers its controls.
    assert results(outputs["widget"], WIDGET_VIEW)
    assert printed(outputs["drive"]).startswith("step 2/7: unit 6, output layer: δ6 = −∂E/∂net6")
    assert printed(outputs["slider"]).startswith("step 3/7: the weights of unit 6")
    assert printed(outputs["grain"]).startswith("step 5/33: net6 = b6 + w46·o4 + w56·o5 [add]")

    # What it shows after the grain switch: the SVG with net6 (this step's node) lit.
    (shown,) = results(outputs["shown"], "text/html")
    assert lit_nodes(shown) == [f"{ids[unit6.net]}op", ids[unit6.net]]   # net6 and its +

    # A Stepper's step shows its graph (by layer: the layers collapsed) beside its text.
    (stepper,) = results(outputs["stepper"], "text/html")
    assert "<svg" in stepper and "step 2/3: layer 2 (output)" in stepper
    lit = lit_nodes(stepper)
    assert len(lit) == 1 and ">layer 2<" in stepper

    # The explanation is typeset.
    (latex,) = results(outputs["explain"], "text/latex")
    assert latex.startswith(r"$$\frac{\partial E}{\partial w_{46}}")

    # After that stepper ran to the end, the widget's next step is still its own.
    again = printed(outputs["again"])
    assert again.startswith("step 6/33: ")
    upstream = re.search(r"upstream ∂E/∂\S+ = (\S+)", again).group(1)
    assert again.rstrip().endswith(f"by autodiff.grad: {upstream}")
    models = [model["state"] for model in state.values()
              if model.get("model_name") == "HTMLModel"]
    texts = [m["value"] for m in models if m.get("value", "").startswith("<pre")]
    assert len(texts) == 1 and "step 6/33: " in texts[0] and upstream in texts[0]
    sliders = [model["state"] for model in state.values()
               if model.get("model_name") == "IntSliderModel"]
    assert [(s["value"], s["max"]) for s in sliders] == [(6, 33)]
    grains = [model["state"] for model in state.values()
              if model.get("model_name") == "ToggleButtonsModel"]
    assert [g["_options_labels"] for g in grains] == [["node", "neuron", "layer"]]
    assert "7 frames" in printed(outputs["frames"])
    (frame,) = results(outputs["frames"], "image/svg+xml")
    assert "step 4/7: unit 4, hidden layer 1" in frame.replace("\u00a0", " ")


# -- steppers sharing a graph, in a kernel -----------------------------------------------------

SHARED = {
    "setup": """
import lecture, viz
from autodiff import CONST, grad, topological_order
from stepgrad.stepping import Stepper
from viz.notebook import strip_svg, svg_of, box_for

graph = lecture.error_graph("section7")
E, network = graph.root, graph.network
nodes = [n for n in topological_order(E) if n.op is not CONST]
exact = dict(zip(nodes, grad(E, nodes)))

def check(stepper):
    "Every finished gradient, upstream and .grad at this step are autodiff.grad's."
    done = [s for step in stepper.steps for s in step.steps]
    for s in done:
        assert s.upstream == exact[s.node], (s.name, s.upstream, exact[s.node])
    reached = stepper.gradients()
    for s in done:
        assert reached[s.node] == exact[s.node]
    for node in nodes:
        assert node.grad == reached.get(node, 0.0)

def fresh_drawing(grain, position):
    "The drawing of a stepper that never shared its graph, at the same step."
    alone = lecture.error_graph("section7")
    stepper = Stepper(alone.root, grain=grain, network=alone.network)
    stepper.goto(position)
    return strip_svg(svg_of(viz.stepper_dot(stepper, fit=box_for(grain))))
""",
    "two": """
E.backward()                                   # .grad holds a pass already: steppers ignore it
first = Stepper(E, grain="neuron", network=network)
second = Stepper(E)
first.run()
check(first)
for k in range(len(second)):
    second.next()
    check(second)
    if k == 3:                                 # the other runs again midway: nothing changes
        first.reset(); first.run()
        second.goto(second.position)
        check(second)
first.previous()
check(first)
print("steppers agree with autodiff.grad:", len(first), len(second))
""",
    "widget": """
widget = viz.stepper_widget(E, network)
other = Stepper(E, grain="layer", network=network)
for k in range(1, len(widget.stepper) + 1):
    other.run()                                # .grad full before every click
    widget.next_button.click()
    assert widget.slider.value == k
    check(widget.stepper)
    assert widget.graph.value == fresh_drawing("neuron", k), k
print(widget.stepper.current.text())
""",
    "reset": """
widget.stepper.reset()                         # from code: the display follows
assert widget.slider.value == 0 and "before backward: 7 steps to go" in widget.text.value
assert widget.previous_button.disabled and not widget.next_button.disabled
assert widget.graph.value == fresh_drawing("neuron", 0)
assert all(n.grad == 0.0 for n in nodes)
widget.slider.value = 4
assert widget.stepper.position == 4 and "step 4/7" in widget.text.value
widget.reset()
assert widget.stepper.position == 0 and widget.slider.value == 0
widget.grain.value = "node"
widget.stepper.goto(9)
assert widget.slider.value == 9 and widget.slider.max == 33 and "step 9/33" in widget.text.value
check(widget.stepper)
print("reset shown")
""",
}


@needs_dot
@pytest.mark.slow
def test_steppers_and_the_widget_sharing_a_graph_each_show_autodiff_grad(tmp_path):
    check_kernel_can_run("the shared-graph notebook")
    optional_module("ipywidgets")
    import nbformat
    notebook = nbformat.v4.new_notebook()
    for cell_id, source in SHARED.items():
        cell = nbformat.v4.new_code_cell(source.strip())
        cell.id = cell_id
        notebook.cells.append(cell)
    execute(notebook, tmp_path)
    outputs = {cell.id: cell.outputs for cell in notebook.cells}
    assert printed(outputs["two"]) == "steppers agree with autodiff.grad: 7 33\n"
    assert printed(outputs["widget"]).startswith("step 7/7: the weights of unit 5")
    assert printed(outputs["reset"]) == "reset shown\n"


# -- writing the notebooks with their outputs --------------------------------------------------

def write_outputs(names=NOTEBOOKS):
    """Run each example notebook and write it with its outputs, keeping its own metadata (the
    kernel is ``python3``, not the test's) and adding the widgets' state."""
    import nbformat
    for name in names:
        path = EXAMPLES / name
        notebook = nbformat.read(path, as_version=4)
        metadata = copy.deepcopy(notebook.metadata)
        with tempfile.TemporaryDirectory() as folder:
            execute(notebook, pathlib.Path(folder))
        widgets = notebook.metadata.get("widgets")
        notebook.metadata = metadata
        if widgets is not None:
            notebook.metadata["widgets"] = widgets
        for cell in notebook.cells:
            cell.metadata.pop("execution", None)
        nbformat.write(notebook, path)
        print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    write_outputs(sys.argv[1:] or NOTEBOOKS)
