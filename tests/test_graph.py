"""topological_order and reverse_topological_order: order, duplicates, determinism, depth."""

import subprocess
import sys
from pathlib import Path

import pytest

from autodiff import Value, reverse_topological_order, topological_order


def labelled(name, node):
    node.label = name
    return node


def diamond():
    """x → a = x·2, b = x + 1 → d = a·b: x reaches d along two paths."""
    x = Value(3.0, label="x")
    a = labelled("a", x * 2)
    b = labelled("b", x + 1)
    return x, a, b, labelled("d", a * b)


def labels(nodes):
    return [node.label for node in nodes]


def test_parents_come_before_the_nodes_that_use_them():
    x, a, b, d = diamond()
    order = topological_order(d)
    position = {node: i for i, node in enumerate(order)}
    assert order[-1] is d
    for node in order:
        for parent in node.parents:
            assert position[parent] < position[node]


def test_each_node_once_first_parent_first():
    x, a, b, d = diamond()
    order = topological_order(d)
    assert len(order) == len(set(order)) == 6  # x, 2, a, 1, b, d
    assert labels(order) == ["x", None, "a", None, "b", "d"]
    assert [node.data for node in order] == [3.0, 2.0, 6.0, 1.0, 4.0, 24.0]


def test_reverse_order_is_backwards_order():
    *_, d = diamond()
    assert reverse_topological_order(d) == topological_order(d)[::-1]
    assert reverse_topological_order(d)[0] is d


def test_a_times_a_lists_a_once():
    a = Value(2.0, label="a")
    y = a * a
    assert topological_order(y) == [a, y]


def test_a_leaf_is_its_own_order():
    x = Value(1.0)
    assert topological_order(x) == [x]


def test_order_is_deterministic_within_and_across_runs():
    def build():
        x, y = Value(1.0, label="x"), Value(2.0, label="y")
        shared = labelled("s", x * y)
        out = labelled("u", shared.tanh()) + labelled("v", shared.exp() * x)
        return labelled("out", out / (y + shared))

    first, second = build(), build()
    assert topological_order(first) == topological_order(first)
    # depth first, first parent first: x·y, then tanh, then exp(s)·x, then the sum, then y + s
    golden = ["x", "y", "s", "u", None, "v", None, None, "out"]
    assert labels(topological_order(first)) == labels(topological_order(second)) == golden


ROOT = str(Path(__file__).resolve().parents[1])
ORDER_SCRIPT = """
from autodiff import Value, topological_order
x, y = Value(1.0, label="x"), Value(2.0, label="y")
nodes = [x, y]
for i in range(200):
    node = nodes[i] * nodes[(i * 7) % len(nodes)] + nodes[-1]
    node.label = str(i)
    nodes.append(node)
print(" ".join(str(n.label) for n in topological_order(nodes[-1])))
"""


def test_order_is_identical_in_separate_processes():
    # node addresses (and so set and dict layouts) differ from process to process
    outputs = {subprocess.run([sys.executable, "-c", ORDER_SCRIPT], capture_output=True, text=True,
                              check=True, env={"PYTHONHASHSEED": seed, "PYTHONPATH": ROOT}).stdout
               for seed in ("1", "2", "3")}
    assert len(outputs) == 1 and outputs.pop().split()[-1] == "199"


@pytest.mark.slow
def test_a_million_node_chain_at_the_default_recursion_limit(tanh_chain):
    x, y = tanh_chain
    assert sys.getrecursionlimit() <= 10_000
    order = topological_order(y)
    assert len(order) == 1_000_001
    assert order[0] is x and order[-1] is y
    assert all(node.parents[0] is previous for previous, node in zip(order, order[1:]))
