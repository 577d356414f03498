"""viz.widget and viz.notebook in this process: the stepper widget's controls, the rich displays."""

import sys

import pytest
from viz_support import needs_dot, optional_module

import lecture
import viz
from autodiff import Value, topological_order
from stepgrad.stepping import explain
from stepgrad.stepping.steps import Stepper, backward_steps


@pytest.fixture
def section7():
    return lecture.error_graph("section7")


@needs_dot
def test_the_widget_moves_with_its_buttons_slider_and_grain(section7):
    optional_module("ipywidgets")
    widget = viz.stepper_widget(section7.root, section7.network)
    assert widget.grain.value == "neuron" and widget.slider.max == 7
    assert widget.previous_button.disabled and "before backward: 7 steps to go" in widget.text.value
    widget.next_button.click()
    widget.next_button.click()
    assert widget.slider.value == 2 and "δ6 = −∂E/∂net6" in widget.text.value
    assert "<svg" in widget.graph.value and "unit 6" in widget.graph.value
    widget.previous_button.click()
    assert widget.stepper.position == 1 and "the error E" in widget.text.value
    widget.slider.value = 7
    assert widget.next_button.disabled and "weights of unit 5" in widget.text.value
    widget.grain.value = "layer"                  # the same moment: the last layer step
    assert widget.slider.max == 3 and widget.slider.value == 3
    net4 = section7.network.layers[0].neurons[0].net
    assert widget.stepper.current.node is net4
    widget.grain.value = "node"                   # the step of the node that step is about
    assert widget.slider.max == 33 and widget.stepper.current.node is net4
    widget.slider.value = 0
    assert all(node.grad == 0.0 for node in topological_order(section7.root))


def test_without_a_network_the_widget_steps_node_by_node(section7):
    optional_module("ipywidgets")
    x = Value(2.0, label="x")
    y = x * x
    widget = viz.stepper_widget(y)
    assert widget.grain.options == ("node",) and widget.slider.max == 2
    with pytest.raises(ValueError, match="grain 'neuron' needs network="):
        viz.stepper_widget(y, grain="neuron")


def test_the_widget_says_what_to_install(monkeypatch, section7):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    monkeypatch.delitem(sys.modules, "viz.widget", raising=False)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'stepgrad\[widget\]'"):
        viz.stepper_widget(section7.root, section7.network)


@needs_dot
def test_values_steps_and_steppers_display_their_graph_in_ipython(section7):
    interactive = optional_module("IPython.core.interactiveshell")
    shell = interactive.InteractiveShell.instance()
    assert viz.notebook.register(shell)
    shown = lambda obj: shell.display_formatter.format(obj)[0]   # noqa: E731  mime → data
    error = section7.root
    value = shown(error)
    assert "<svg" in value["text/html"] and value["text/plain"].startswith("Value(label='E'")
    stepper = Stepper(error, grain="neuron", network=section7.network)
    step = stepper.next()
    html = shown(step)["text/html"]
    assert "<svg" in html and "step 1/7: the error E" in html
    assert "<svg" in shown(stepper)["text/html"]
    stepper.run()
    latex = shown(explain(error, section7.network.layers[1].neurons[0].w[0]))["text/latex"]
    assert latex.startswith("$$") and r"\frac{\partial E}{\partial w_{46}}" in latex
    loose = next(iter(backward_steps(Value(1.0, label="a"))))
    assert shown(loose)["text/html"].startswith("<pre")        # no stepper: the text alone


def test_without_dot_a_value_falls_back_to_its_text(tmp_path, monkeypatch, section7):
    interactive = optional_module("IPython.core.interactiveshell")
    shell = interactive.InteractiveShell.instance()
    viz.notebook.register(shell)
    monkeypatch.setenv("PATH", str(tmp_path))
    data = shell.display_formatter.format(section7.root)[0]
    assert "text/html" not in data and data["text/plain"].startswith("Value(label='E'")
