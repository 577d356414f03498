"""A Stepper's state as a drawing: the gradients reached so far, the current step's nodes and edges lit."""

from typing import Any

import graphviz

from stepgrad.stepping import Stepper

from .dot import to_dot

__all__ = ["stepper_dot"]


def stepper_dot(stepper: Stepper, position: "int | None" = None, *, caption: bool = False,
                **options: Any) -> graphviz.Digraph:
    """The graph of ``stepper`` at ``position`` (default: where it stands) as a Digraph.

    Nodes backward has reached show their gradient so far, the others are blank; the step's
    nodes are highlighted and the edges its gradient flows along drawn thick. At neuron or layer
    grain the network is collapsed (``collapse=``) unless ``options`` say otherwise. With
    ``caption=True`` the step's text is the caption. ``options`` are ``to_dot``'s.
    """
    if not isinstance(stepper, Stepper):
        raise TypeError(f"expected an autodiff.steps.Stepper, got {type(stepper).__name__}")
    position = stepper.position if position is None else position
    if not 0 <= position <= stepper.position:
        raise ValueError(f"position {position} is not in 0..{stepper.position} (the steps taken)")
    step = stepper.steps[position - 1] if position else None
    if stepper.grain != "node" and "collapse" not in options:
        options["collapse"] = stepper.network
        options.setdefault("collapse_level", "layer" if stepper.grain == "layer" else "neuron")
    nodes, edges = [], []
    if step is not None:
        for s in step.steps:
            nodes.append(s.node)
            edges += [(e.parent, s.node) for e in s.edges if e.local is not None]
        if not nodes and step.node is not None:
            nodes.append(step.node)
    if caption and "title" not in options:
        options["title"] = step.text() if step is not None else \
            f"before backward: {len(stepper)} steps to go"
    return to_dot(stepper.root, grads=stepper.gradients(position), highlight=nodes,
                  highlight_edges=edges, **options)
