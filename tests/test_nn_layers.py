"""nn.layers: building MLPs, calling them, activations, initialisation and the lecture's labels."""

import math

import pytest

from autodiff import CONST, Value, grad, topological_order
from nn import MLP, Neuron, weight_label

# The lecture's section 7 network (Figure 3): weights[layer][unit][input], biases[layer][unit]
WEIGHTS = [[[0.2, 0.4, -0.5], [-0.3, 0.1, 0.2]], [[-0.3, -0.2]]]
BIASES = [[-0.4, 0.2], [0.1]]


def test_mlp_3_2_1_returns_values_and_is_sigmoid_by_default():
    network = MLP(3, [2, 1])
    outputs = network([1.0, 0.0, 1.0])
    assert len(outputs) == 1 and isinstance(outputs[0], Value)
    assert network.activations == ["sigmoid", "sigmoid"]
    assert 0.0 < outputs[0].data < 1.0
    assert len(network.parameters()) == 2 * 3 + 2 + 2 + 1
    assert network.n_inputs == 3 and network.layer_sizes == [2, 1]


def test_neuron_computes_net_and_out():
    neuron = Neuron([0.2, 0.4, -0.5], -0.4, name="4")
    out = neuron([1, 0, 1])
    assert neuron.net.data == pytest.approx(-0.7, abs=1e-15)
    assert out.data == pytest.approx(1 / (1 + math.exp(0.7)), rel=1e-15)
    assert (neuron.net.label, out.label) == ("net4", "o4")
    assert [w.label for w in neuron.w] == ["w14", "w24", "w34"] and neuron.b.label == "b4"


def test_given_weights_reproduce_the_example():
    network = MLP(3, [2, 1], weights=WEIGHTS, biases=BIASES)
    assert network.weights() == (WEIGHTS, BIASES)
    assert network.unit_names == [["1", "2", "3"], ["4", "5"], ["6"]]
    assert [n.name for n in network.neurons] == ["4", "5", "6"]


@pytest.mark.parametrize("activation, expected", [
    ("tanh", math.tanh(0.3)), ("relu", 0.3), ("identity", 0.3), ("sigmoid", 1 / (1 + math.exp(-0.3)))])
def test_activations(activation, expected):
    network = MLP(1, [1], activation=activation, weights=[[[1.0]]], biases=[[0.0]])
    assert network([0.3])[0].data == pytest.approx(expected, rel=1e-15)


def test_activation_per_layer():
    network = MLP(2, [3, 1], activation=["relu", "identity"], init="he", seed=2)
    assert network.activations == ["relu", "identity"]
    out = network([0.5, -1.0])[0]
    assert out is network.layers[1].neurons[0].net  # identity: o is net itself


@pytest.mark.parametrize("init", ["uniform", "xavier", "he"])
def test_initialisation_is_seeded(init):
    first, again = MLP(4, [3, 2], init=init, seed=5), MLP(4, [3, 2], init=init, seed=5)
    other = MLP(4, [3, 2], init=init, seed=6)
    assert first.parameter_values() == again.parameter_values()
    assert first.parameter_values() != other.parameter_values()


def test_initial_ranges():
    uniform = MLP(10, [10], init="uniform", seed=1)
    assert all(-0.05 <= p.data <= 0.05 for p in uniform.parameters())
    xavier = MLP(10, [10], init="xavier", seed=1)
    limit = math.sqrt(6 / 20)
    weights = [w.data for n in xavier.neurons for w in n.w]
    assert all(-limit <= w <= limit for w in weights) and max(map(abs, weights)) > 0.05
    assert all(n.b.data == 0.0 for n in xavier.neurons)
    he = MLP(200, [50], init="he", seed=1)
    weights = [w.data for n in he.neurons for w in n.w]
    variance = sum(w * w for w in weights) / len(weights)
    assert variance == pytest.approx(2 / 200, rel=0.05)


def test_copy_is_independent():
    network = MLP(3, [2, 1], weights=WEIGHTS, biases=BIASES)
    copy = network.copy()
    assert copy.parameter_values() == network.parameter_values()
    assert copy.unit_names == network.unit_names and copy.activations == network.activations
    copy.parameters()[0].data = 9.0
    assert network.parameters()[0].data == 0.2


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_inputs=3, layer_sizes=[0, 1]), "layer sizes must be positive"),
    (dict(n_inputs=3, layer_sizes=[2, 1], activation="softmax"), "unknown activation 'softmax'"),
    (dict(n_inputs=3, layer_sizes=[2, 1], activation=["tanh"]), "1 activations for 2 layers"),
    (dict(n_inputs=3, layer_sizes=[2, 1], init="zeros"), "unknown init 'zeros'"),
    (dict(n_inputs=3, layer_sizes=[2, 1], weights=WEIGHTS), "give both weights and biases"),
    (dict(n_inputs=2, layer_sizes=[2, 1], weights=WEIGHTS, biases=BIASES),
     "layer 0 neuron 0: needs 2 weights, got 3"),
    (dict(n_inputs=3, layer_sizes=[2, 1], unit_names=[["a"], ["b"], ["c"]]), "unit_names have shape"),
])
def test_bad_construction(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP(**kwargs)


def test_wrong_number_of_inputs():
    with pytest.raises(ValueError, match="unit 4: expected 3 inputs, got 2"):
        MLP(3, [2, 1], weights=WEIGHTS, biases=BIASES)([1.0, 0.0])


def test_delta_before_a_forward_pass():
    with pytest.raises(ValueError, match="no forward pass yet"):
        MLP(1, [1]).neurons[0].delta


def test_weight_label():
    assert weight_label(1, 4) == "w14"
    assert weight_label(4, 12) == "w4,12"


def test_numeric_inputs_become_one_labelled_constant_each_shared_by_the_weights():
    network = MLP(3, [2, 1], weights=WEIGHTS, biases=BIASES)
    out = network([1.0, 0.0, 1.0])[0]
    users = {}
    for node in topological_order(out):
        for parent in node.parents:
            if parent.op is CONST:
                users.setdefault(parent, []).append(node)
    inputs = sorted((p for p in users if p.label), key=lambda p: p.label)
    assert [(p.label, p.data) for p in inputs] == [("x1", 1.0), ("x2", 0.0), ("x3", 1.0)]
    for p in inputs:  # one node per input, multiplied by its weight into units 4 and 5
        assert sorted(n.parents[0].label for n in users[p]) == [f"w{p.label[1]}4", f"w{p.label[1]}5"]
        assert p.grad == 0.0


def test_value_inputs_are_used_as_given():
    x = [Value(1.0, label="a"), Value(0.0, label="b"), Value(1.0, label="c")]
    out = MLP(3, [2, 1], weights=WEIGHTS, biases=BIASES)(x)[0]
    out.backward()
    # the very Values given are the graph's leaves: they take gradients, labels unchanged
    assert [v.grad for v in x] == list(grad(out, x)) and x[0].grad != 0.0
    assert [v.label for v in x] == ["a", "b", "c"]
