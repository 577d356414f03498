"""viz.escape: hostile labels reach Graphviz escaped and come out of dot as written."""

import pytest
from viz_support import needs_dot, svg_texts

import viz
from autodiff import CONST, OPS, Value, apply, topological_order
from stepgrad.stepping.notation import formula, node_names
from viz.escape import html_bold, html_text

# (label, the lines dot must draw for it)
HOSTILE = [
    ('"', ['"']),
    ("{x}", ["{x}"]),
    ("a|b", ["a|b"]),
    ("<", ["<"]),
    (">", [">"]),
    ("<B>bold</B>", ["<B>bold</B>"]),
    ("\\", ["\\"]),
    ("trailing\\", ["trailing\\"]),
    ("\\N \\G \\L \\n \\E", ["\\N \\G \\L \\n \\E"]),
    ("a:b:c", ["a:b:c"]),
    ("two\nlines", ["two", "lines"]),
    ("crlf\r\nend", ["crlf", "end"]),
    ('"; n0 -> n1 [label="pwned', ['"; n0 -> n1 [label="pwned']),
    ("> ]; digraph { x", ["> ]; digraph { x"]),
    ("&amp; &#92; &lt;", ["&amp; &#92; &lt;"]),
    ("]]> <!-- -->", ["]]> <!-- -->"]),
    ("'single'", ["'single'"]),
    ("  spaced  out  ", ["  spaced  out  "]),
    ("é σ ∂ ∞ ½ 😀", ["é σ ∂ ∞ ½ 😀"]),
    ("tab\there", ["tab\\there"]),
    ("bell\x07", ["bell\\x07"]),
    ("surrogate \ud800", ["surrogate \\ud800"]),
]


@pytest.mark.parametrize("text, expected", [
    ("plain", "plain"),
    ("a & b", "a &amp; b"),
    ("<x>", "&lt;x&gt;"),
    ('say "hi"', "say &quot;hi&quot;"),
    ("it's", "it&#39;s"),
    ("\\N", "\\\\N"),
    ("one\ntwo", "one<BR/>two"),
    ("one\r\ntwo\rthree", "one<BR/>two<BR/>three"),
    ("tab\t", "tab\\\\t"),
    ("\x01", "\\\\x01"),
    ("\ufffe", "\\\\ufffe"),
    ("{}|:", "{}|:"),
    (2.5, "2.5"),
])
def test_html_text_escapes_markup_backslashes_and_controls(text, expected):
    assert html_text(text) == expected


def test_html_bold_leaves_out_an_empty_text():
    assert html_bold("w<1>") == "<B>w&lt;1&gt;</B>"
    assert html_bold("") == ""


def _labelled_sum(labels):
    root = Value(0.0, label="start")
    for label in labels:
        root = root + Value(1.0, label=label)
    return root


def test_hostile_labels_never_reach_the_dot_text_raw():
    root = _labelled_sum([label for label, _ in HOSTILE])
    source = viz.to_dot(root).source
    assert "pwned" in source
    assert '[label="pwned' not in source
    assert "&gt; ]; digraph { x" in source
    assert "\\N" not in source.replace("\\\\N", ""), "every backslash is doubled"
    assert "tab\\\\there" in source


@needs_dot
def test_hostile_labels_render_through_dot_as_written():
    labels = [label for label, _ in HOSTILE] + [""]
    root = _labelled_sum(labels)
    graph = viz.to_dot(root, title="title \\N <&> \"q\"", local_derivatives=True)
    texts = svg_texts(graph.pipe(format="svg", quiet=True))
    for label, lines in HOSTILE:
        for line in lines:
            assert line in texts, f"{label!r}: {line!r} is not drawn as written"
    assert 'title \\N <&> "q"' in texts
    png = graph.pipe(format="png", quiet=True)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def _every_op():
    """One node per op of the table, operands inside its test domain, all feeding one root."""
    x = Value(0.7, label="x")
    y = Value(1.3, label="y")
    nodes = []
    for name, op in sorted(OPS.items()):
        operands = [x, y][: op.arity]
        node = apply(op, *operands)
        node.label = f"{name} «{op.symbol}»"
        nodes.append(node)
    root = nodes[0]
    for node in nodes[1:]:
        root = root + node
    root.label = "root"
    return root, nodes


@needs_dot
@pytest.mark.parametrize("image_format", ["svg", "png"])
def test_a_graph_of_every_op_renders(image_format):
    root, nodes = _every_op()
    root.backward()
    graph = viz.to_dot(root, local_derivatives=True)
    data = graph.pipe(format=image_format, quiet=True)
    if image_format == "png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000
        return
    texts = svg_texts(data)
    names = node_names(topological_order(root))
    for node in nodes:
        assert node.label in texts
        assert node.op.symbol in texts
        for i, parent in enumerate(node.parents):
            if parent.op is CONST:
                continue
            named = formula(node, i, names).replace("-", "−")   # the rule in the nodes' names
            assert any(text.startswith(named) for text in texts), named
