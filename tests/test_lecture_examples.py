"""lecture.examples: the lecture's worked examples build the networks its figures show."""

import pytest

from lecture import EXAMPLES, SECTION7, SECTION8, SECTION10


def test_registry():
    assert list(EXAMPLES) == ["section7", "section10", "section8"]


@pytest.mark.parametrize("example, sizes", [(SECTION7, [2, 1]), (SECTION10, [2, 2]), (SECTION8, [1, 1])])
def test_networks_have_the_lectures_shapes_and_weights(example, sizes):
    network = example.network()
    assert network.n_inputs == len(example.x) and network.layer_sizes == sizes
    assert {p.label: p.data for p in network.parameters()} == dict(example.weights)
    assert len(example.t) == sizes[-1]


def test_section10_weights_follow_the_lectures_w_ij_from_i_to_j():
    network = SECTION10.network()
    # net1 = 0.5(0.15) + 0.8(0.25): w11 = 0.15 and w21 = 0.25 both feed hidden unit 1
    assert {w.label: w.data for w in network.layers[0].neurons[0].w} == {"w11": 0.15, "w21": 0.25}
    assert {w.label: w.data for w in network.layers[1].neurons[1].w} == {"w14": 0.5, "w24": 0.55}


def test_each_call_builds_a_fresh_network():
    first = SECTION7.network()
    first.parameters()[0].data = 1.0
    assert SECTION7.network().parameters()[0].data == 0.2
