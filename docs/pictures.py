"""The README's pictures, drawn by stepgrad itself: ``python docs/pictures.py`` writes them to
docs/images/ (``--out FOLDER`` elsewhere).

section7_graph.svg is the lecture's section 7 network (Figure 3; x = (1, 0, 1), t = 1) as the
computation graph of its error E = ½(t − o6)², every box with ∂E/∂node (from
``autodiff.gradients``: ``.grad`` is not used) and the paths from w14 to E highlighted, sized for
the README's column. section7_graph.gv is the DOT text it is drawn from. Both are the same bytes
on every run: the DOT text everywhere, the SVG for the
same Graphviz version (tests/test_pictures.py checks both against the committed files).
"""

import argparse
import pathlib
import sys

import lecture
import viz
from autodiff import gradients

FOLDER = pathlib.Path(__file__).resolve().parent / "images"
WIDTH = (860, 1400)        # GitHub's README column is about 860 px wide


def section7_graph():
    """The section 7 error graph with its gradients, as a ``graphviz.Digraph``."""
    graph = lecture.error_graph("section7")
    error, network = graph.root, graph.network
    w14 = network.layers[0].neurons[0].w[0]
    return viz.to_dot(error, grads=gradients(error), highlight_path=w14, fit=WIDTH)


def write(folder=FOLDER):
    """Write every picture (and its DOT text) to ``folder``; returns the paths written."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    drawing = section7_graph()
    source = folder / "section7_graph.gv"
    source.write_bytes(drawing.source.encode("utf-8"))
    return [source, viz.write_image(drawing, folder / "section7_graph.svg")]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=FOLDER, help="the folder to write to")
    args = parser.parse_args(argv)
    for path in write(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
