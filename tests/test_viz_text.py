"""viz.text: the JSON export and the Unicode tree, which need no Graphviz."""

import json
import math

import pytest

import viz
from autodiff import Value

TREE = """\
n5 c = -18  grad 1  ← +
├─ n2 s = -6  grad 3  ← ×
│  ├─ n0 a = 2  grad -9
│  └─ n1 b = -3  grad 6
└─ n4 = -12  grad 1  ← ×
   ├─ n2 s = -6  grad 3  ← ×  (shown above)
   └─ n3 2 (constant)"""


def shared():
    """c = s + s·2 with s = a·b: s is used twice."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    s = a * b
    s.label = "s"
    c = s + s * 2
    c.label = "c"
    c.backward()
    return a, b, s, c


def test_json_lists_nodes_and_edges_in_order():
    a, b, s, c = shared()
    document = json.loads(viz.to_json(c))
    assert document["format"] == "stepgrad.graph/1"
    assert document["root"] == "n5"
    nodes = {node["id"]: node for node in document["nodes"]}
    assert [node["id"] for node in document["nodes"]] == [f"n{i}" for i in range(6)]
    assert nodes["n0"] == {"id": "n0", "label": "a", "op": None, "symbol": None,
                           "data": a.data, "grad": a.grad}
    assert nodes["n2"]["op"] == "mul" and nodes["n2"]["symbol"] == "×"
    assert nodes["n3"]["op"] == "const" and nodes["n3"]["data"] == 2.0
    assert nodes["n5"]["grad"] == 1.0 and nodes["n5"]["op"] == "add"
    assert document["edges"] == [
        {"source": "n0", "target": "n2", "operand": 0},
        {"source": "n1", "target": "n2", "operand": 1},
        {"source": "n2", "target": "n4", "operand": 0},
        {"source": "n3", "target": "n4", "operand": 1},
        {"source": "n2", "target": "n5", "operand": 0},
        {"source": "n4", "target": "n5", "operand": 1},
    ]


def test_json_keeps_both_edges_of_a_times_a_and_exact_floats():
    a = Value(0.1, label="a")
    b = a * a
    document = json.loads(viz.to_json(b))
    assert document["edges"] == [{"source": "n0", "target": "n1", "operand": 0},
                                 {"source": "n0", "target": "n1", "operand": 1}]
    assert document["nodes"][1]["data"] == 0.1 * 0.1


def test_json_spells_out_nan_and_infinity_and_stays_strict_json():
    x = Value(math.inf, label="x")
    y = x - x
    text = viz.to_json(y)
    document = json.loads(text, parse_constant=lambda name: pytest.fail(f"bare {name} in JSON"))
    assert document["nodes"][0]["data"] == "Infinity"
    assert document["nodes"][1]["data"] == "NaN"


def test_json_of_a_hostile_label_round_trips():
    x = Value(1.0, label='"}\n<\\>\u2028')
    assert json.loads(viz.to_json(x))["nodes"][0]["label"] == '"}\n<\\>\u2028'


def test_tree_prints_a_shared_subgraph_once():
    *_, c = shared()
    assert viz.to_tree(c) == TREE


def test_tree_cuts_at_max_depth():
    *_, c = shared()
    lines = viz.to_tree(c, max_depth=1).splitlines()
    assert lines == ["n5 c = -18  grad 1  ← +",
                     "├─ n2 s = -6  grad 3  ← ×",
                     "│  └─ … operands below depth 1 not shown",
                     "└─ n4 = -12  grad 1  ← ×",
                     "   └─ … operands below depth 1 not shown"]
    with pytest.raises(ValueError, match="max_depth must be a non-negative int or None"):
        viz.to_tree(c, max_depth=-1)


def test_tree_of_a_million_node_chain_is_quick_and_short(tanh_chain):
    _, y = tanh_chain
    lines = viz.to_tree(y).splitlines()
    assert len(lines) == 102
    assert lines[0].startswith("n1000000 = ")
    assert lines[-1].endswith("… operands below depth 100 not shown")


def test_text_outputs_reject_a_non_value():
    with pytest.raises(TypeError, match="to_json: root must be a Value, got int"):
        viz.to_json(3)
    with pytest.raises(TypeError, match="to_tree: root must be a Value, got str"):
        viz.to_tree("x")


def test_tree_and_stepper_table_escape_control_and_bidi_characters():
    from stepgrad.stepping.steps import Stepper
    x = Value(2.0, label="x\x1b[2J\u202e")
    y = x * 3.0
    y.label = "y\x07"
    y.backward()
    tree = viz.to_tree(y)
    assert "\x1b" not in tree and "\u202e" not in tree and "\x07" not in tree
    assert "x\\x1b[2J\\u202e" in tree and "y\\x07" in tree
    stepper = Stepper(y)
    stepper.run()
    text = stepper.table() + "\n".join(step.text() for step in stepper.steps)
    assert "\x1b" not in text and "\u202e" not in text and "x\\x1b[2J\\u202e" in text


def test_json_of_a_million_node_chain_is_capped(tanh_chain):
    _, y = tanh_chain
    document = json.loads(viz.to_json(y, indent=None, max_nodes=1000))
    assert len(document["nodes"]) == 1000 and document["omitted"] == 1_000_001 - 1000
    assert document["root"] == "n1000000" and len(document["edges"]) == 999
    with pytest.raises(ValueError, match="max_nodes must be a positive int or None"):
        viz.to_json(y, max_nodes=0)
