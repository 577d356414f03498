"""An interactive stepper for Jupyter (ipywidgets): previous / next / slider / grain, redrawing the
graph and the step's text. Needs the ``widget`` extra: pip install 'stepgrad[widget]'."""

import ipywidgets as widgets

from stepgrad.stepping import Stepper, preformatted

from .notebook import box_for, strip_svg, svg_of
from .stepping import stepper_dot

__all__ = ["StepperWidget"]


class StepperWidget(widgets.VBox):
    """Backward through ``root`` one step at a time, driven by buttons, a slider and a grain menu.

    ``grain`` is "node", "neuron" or "layer" (the last two need ``network``, an ``nn.MLP``
    whose forward pass built the graph; with one the widget starts at "neuron"). ``fit`` is the
    graph's box (``to_dot``'s fit; by default a collapsed graph fits beside the text, a graph of
    every node the cell's width, below the text); other ``options`` are ``to_dot``'s. The controls are
    attributes, so code can drive it: ``next_button.click()``, ``slider.value = 3``,
    ``grain.value = "node"``; ``graph.value`` and ``text.value`` hold what it shows.

    The numbers and the drawing are the widget's ``stepper``'s (a ``Stepper``: a backward pass
    of its own, from zero), never what ``.grad`` held, so another Stepper or ``backward()`` run
    in between changes nothing it shows. The display follows its stepper wherever it is moved
    from: ``widget.stepper.reset()`` (or ``widget.reset()``) shows the start again.
    """

    def __init__(self, root, network=None, grain=None, *, fit=None, **options):
        grains = ("node", "neuron", "layer") if network is not None else ("node",)
        grain = grain or grains[min(1, len(grains) - 1)]
        if grain not in grains:
            raise ValueError(f"StepperWidget: grain {grain!r} needs network=…" if network is None
                             else f"StepperWidget: grain must be one of {', '.join(grains)}")
        self.root, self.network, self.fit, self.options = root, network, fit, options
        self.stepper = Stepper(root, grain=grain, network=network)
        self.previous_button = widgets.Button(description="◀ previous", tooltip="undo a step")
        self.next_button = widgets.Button(description="next ▶", tooltip="take the next step")
        self.slider = widgets.IntSlider(value=0, min=0, max=len(self.stepper), description="step",
                                        continuous_update=False)
        self.grain = widgets.ToggleButtons(options=list(grains), value=grain,
                                           tooltips=["one node at a time", "the lecture's order: "
                                                     "δ and weights, unit by unit",
                                                     "one layer at a time"][:len(grains)])
        self.graph = widgets.HTML()
        self.text = widgets.HTML()
        controls = widgets.HBox([self.previous_button, self.next_button, self.slider, self.grain],
                                layout=widgets.Layout(flex_flow="row wrap"))
        body = widgets.HBox([self.text, self.graph],
                            layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"))
        super().__init__([controls, body])
        self._following = False      # True while the slider is set to follow the stepper
        self.previous_button.on_click(lambda _: self._move(self.slider.value - 1))
        self.next_button.on_click(lambda _: self._move(self.slider.value + 1))
        self.slider.observe(self._slid, names="value")
        self.grain.observe(lambda change: self._regrain(change["new"]), names="value")
        self.stepper.on_move(self._show)
        self.stepper.goto(0)

    def reset(self):
        """Back to the start (before backward), display and ``.grad`` alike."""
        self.stepper.reset()

    def _move(self, position):
        self.slider.value = max(0, min(position, self.slider.max))

    def _slid(self, change):
        if not self._following:
            self.stepper.goto(change["new"])

    def _show(self, stepper):
        """Show ``stepper`` where it stands: slider, buttons, graph and text."""
        position = stepper.position
        self._following = True
        try:
            self.slider.value = position
        finally:
            self._following = False
        fit = box_for(stepper.grain) if self.fit is None else self.fit
        svg = svg_of(stepper_dot(stepper, fit=fit, **self.options))
        self.graph.value = (strip_svg(svg) if svg is not None else
                            "<i>(the graph needs Graphviz's dot program: apt install graphviz)</i>")
        current = stepper.current
        text = current.text() if current is not None else \
            f"before backward: {len(stepper)} steps to go ({stepper.grain} by {stepper.grain})"
        self.text.value = preformatted(text)
        self.previous_button.disabled = position == 0
        self.next_button.disabled = position == len(stepper)

    def _regrain(self, grain):
        """About the same moment of backward at another grain: the step of the node the current
        step is about (E, o6 for δ6, net6 for unit 6's weights)."""
        old = self.stepper
        current = old.current
        old.on_move(self._show, remove=True)
        self.stepper = Stepper(self.root, grain=grain, network=self.network)
        position = 0 if current is None else self.stepper.index_of(current.node)
        self._following = True
        try:
            self.slider.max = len(self.stepper)
        finally:
            self._following = False
        self.stepper.on_move(self._show)
        self.stepper.goto(position)
