"""lecture.textbook: the lecture's sections 7, 10 and 8 number by number, and δ = −∂E/∂net everywhere."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lecture_numbers import SECTION7_TABLE2

from autodiff import OPS, Value, grad, topological_order
from lecture import SECTION7, SECTION8, SECTION10, apply_step, training_step
from nn import MLP, squared_error


@pytest.fixture(scope="module")
def section7():
    network = SECTION7.network()
    return network, training_step(network, SECTION7.x, SECTION7.t, SECTION7.eta)


@pytest.fixture(scope="module")
def section10():
    network = SECTION10.network()
    return network, training_step(network, SECTION10.x, SECTION10.t, SECTION10.eta)


@pytest.fixture(scope="module")
def section8():
    network = SECTION8.network()
    return network, training_step(network, SECTION8.x, SECTION8.t, SECTION8.eta)


def products(net):
    """The w·x products that a unit's net = b + w·x + w·x + … adds up, in order."""
    terms = []
    while net.op is OPS["add"]:
        net, term = net.parents
        terms.append(term.data)
    return terms[::-1]


# -- section 7: the 3-2-1 network -------------------------------------------------------------

SECTION7_UNITS = {  # unit: (net, o, 1 − o, δ) as printed in Part 1 and Part 2
    "4": ("-0.7", "0.332", "0.668", "-0.0087"),
    "5": ("0.1", "0.525", "0.475", "-0.0065"),
    "6": ("-0.1046", "0.474", "0.526", "0.1311"),
}

SECTION7_WEIGHTS = {  # label: (Δw, w_new) as printed in Part 3
    "w46": ("0.0391", "-0.261"), "w56": ("0.0619", "-0.138"), "b6": ("0.118", "0.218"),
    "w14": ("-0.0078", "0.192"), "w24": ("0", "0.4"), "w34": ("-0.0078", "-0.508"),
    "b4": ("-0.0078", "-0.408"),
    "w15": ("-0.0059", "-0.306"), "w25": ("0", "0.1"), "w35": ("-0.0059", "0.194"),
    "b5": ("-0.0059", "0.194"),
}



@pytest.mark.parametrize("name", SECTION7_UNITS)
def test_section7_forward_and_error_terms(section7, printed, name):
    _, step = section7
    net, out, one_minus_out, delta = SECTION7_UNITS[name]
    unit = step.unit(name)
    printed(unit.net, net)
    printed(unit.out, out)
    printed(1 - unit.out, one_minus_out)
    printed(unit.delta, delta)


def test_section7_output_error_and_products(section7, printed):
    network, step = section7
    printed(step.t[0] - step.outputs[0], "0.526")
    # net6 = (0.332)(−0.3) + (0.525)(−0.2) + 0.1 = −0.0996 − 0.105 + 0.1
    w46_o4, w56_o5 = products(network.layers[1].neurons[0].net)
    printed(w46_o4, "-0.0996")
    printed(w56_o5, "-0.105")
    # δ6 = 0.474 × 0.526 × 0.526: o(1 − o) times the error signal t − o
    printed(step.unit(6).signal, "0.526")
    # δ5 = o5(1 − o5)·w65·δ6, δ4 = o4(1 − o4)·w64·δ6: the hidden units' error signal Σ w·δ
    for name, w in (("5", -0.2), ("4", -0.3)):
        assert step.unit(name).signal == pytest.approx(w * step.unit(6).delta, rel=1e-12)


@pytest.mark.parametrize("label", SECTION7_WEIGHTS)
def test_section7_weight_updates(section7, printed, label):
    _, step = section7
    dw, w_new = SECTION7_WEIGHTS[label]
    record = step.weight(label)
    printed(record.dw, dw)
    printed(record.w_new, w_new)


@pytest.mark.parametrize("label", SECTION7_TABLE2)
def test_section7_table2(section7, printed, label):
    _, step = section7
    old, new, change = SECTION7_TABLE2[label]
    record = step.weight(label)
    printed(record.w, old)
    printed(record.w_new, new)
    printed(record.w_new - record.w, change)


def test_section7_verification_pass(section7, printed):
    _, step = section7
    for name, net, out in (("4", "-0.724", "0.327"), ("5", "0.082", "0.521"), ("6", "0.061", "0.515")):
        printed(step.new_unit(name).net, net)
        printed(step.new_unit(name).out, out)
    printed(step.new_outputs[0], "0.515")
    old_error, new_error = 1 - step.outputs[0], 1 - step.new_outputs[0]
    printed(old_error, "0.526")
    printed(new_error, "0.485")
    printed(old_error - new_error, "0.041")
    # Table 2's last rows: Output 0.474 → 0.515 (+0.041), Error 0.526 → 0.485 (−0.041)
    printed(step.new_outputs[0] - step.outputs[0], "+0.041")
    printed(new_error - old_error, "-0.041")
    assert step.new_error < step.error


# -- section 10: two output units --------------------------------------------------------------

SECTION10_UNITS = {"1": ("0.275", "0.568"), "2": ("0.34", "0.584"),
                   "3": ("0.49", "0.620"), "4": ("0.605", "0.647")}
SECTION10_NEW = {"w13": "0.4254", "w23": "0.4761", "w14": "0.4580", "w24": "0.5068",
                 "w11": "0.1477", "w21": "0.2463", "w12": "0.1975", "w22": "0.2960"}


@pytest.mark.parametrize("name", SECTION10_UNITS)
def test_section10_forward(section10, printed, name):
    _, step = section10
    net, out = SECTION10_UNITS[name]
    printed(step.unit(name).net, net)
    printed(step.unit(name).out, out)


def test_section10_products(section10, printed):
    network, _ = section10
    hidden, output = network.layers
    expected = [("0.075", "0.2"), ("0.1", "0.24"), ("0.227", "0.263"), ("0.284", "0.321")]
    nets = [n.net for n in hidden.neurons + output.neurons]
    for net, texts in zip(nets, expected):
        for value, text in zip(products(net), texts):
            printed(value, text)


def test_section10_error_and_output_deltas(section10, printed):
    _, step = section10
    (t1, t2), (o1, o2) = step.t, step.outputs
    printed((t1 - o1) ** 2, "0.144")
    printed((t2 - o2) ** 2, "0.419")
    printed(step.unit(3).delta, "0.0895")
    printed(step.unit(4).delta, "-0.148")
    printed(1 - o1, "0.380")
    printed(1 - o2, "0.353")


def test_section10_error_within_the_lectures_carried_rounding(section10, printed):
    """E = 0.282 is printed; the exact E is 0.28138…, which rounds to 0.281.

    The lecture squares its rounded outputs (0.620, 0.647): ½[(1 − 0.620)² + (0 − 0.647)²]
    = 0.28150…, which rounds up to 0.282. So the exact E is within one unit of 0.282 but does
    not round to it; the printed value is reproduced from the printed outputs.
    """
    _, step = section10
    printed(step.error, "0.282")
    assert round(step.error, 3) == 0.281
    printed(step.outputs[0], "0.620")
    printed(step.outputs[1], "0.647")
    from_printed = squared_error([Value(0.620), Value(0.647)], step.t)
    assert round(from_printed.data, 3) == 0.282


def test_section10_hidden_deltas_within_the_lectures_carried_rounding(section10, printed):
    """δ1 = −0.00936 and δ2 = −0.00999 are computed from rounded δ3, δ4 and h(1 − h).

    Exact: δ1 = −0.0093452, δ2 = −0.0099609, 1.5 and 2.9 units of the last printed digit away,
    because δ4 = −0.14777 was carried as −0.148 (an error of 2.3·10⁻⁴, times w = 0.5 or 0.55
    and h(1 − h) ≈ 0.245). Each intermediate the lecture prints matches the engine to its own
    rounding, the lecture's arithmetic on them gives its printed δ, and the exact δ is within
    the error that rounding carries in (3·10⁻⁵).
    """
    network, step = section10
    delta3, delta4 = step.unit(3).delta, step.unit(4).delta
    rounded = {"3": Value(0.0895), "4": Value(-0.148)}
    cases = [("1", "0.432", "0.245", ("0.0358", "-0.074"), "-0.0382", "-0.00936"),
             ("2", "0.416", "0.243", ("0.0403", "-0.0814"), "-0.0411", "-0.00999")]
    for j, (name, one_minus_h, slope, terms, signal, delta) in enumerate(cases):
        unit = step.unit(name)
        printed(1 - unit.out, one_minus_h)
        printed(unit.slope, slope)
        w3, w4 = (n.w[j].data for n in network.layers[1].neurons)
        printed(w3 * delta3, terms[0])
        # the lecture's 0.55 × (−0.148) = −0.0814 is the engine's −0.0813 carried through −0.148
        lecture_terms = [w3 * rounded["3"], w4 * rounded["4"]]
        for value, text in zip(lecture_terms, terms):
            printed(value.data, text)
        lecture_signal = lecture_terms[0] + lecture_terms[1]
        printed(lecture_signal.data, signal)
        printed((Value(float(slope)) * lecture_signal).data, delta)
        assert abs(unit.delta - float(delta)) <= 3e-5
        assert unit.delta == pytest.approx(unit.slope * (w3 * delta3 + w4 * delta4), rel=1e-12)


@pytest.mark.parametrize("label", SECTION10_NEW)
def test_section10_new_weights(section10, printed, label):
    _, step = section10
    printed(step.weight(label).w_new, SECTION10_NEW[label])


# -- section 8: the 1-1-1 chain ----------------------------------------------------------------

def test_section8_chain(section8, printed):
    _, step = section8
    h, o = step.unit("h"), step.unit("o")
    printed(h.net, "0.5")
    printed(h.out, "0.6225")
    printed(o.net, "0.498")
    printed(o.out, "0.622")
    printed(1 - o.out, "0.378")
    printed(1 - h.out, "0.3775")
    printed(o.delta, "0.0889")
    printed(h.delta, "0.0167")
    printed(step.weight("who").dw, "0.0498")
    printed(step.weight("who").w_new, "0.8498")
    printed(step.weight("wxh").dw, "0.0150")
    printed(step.weight("wxh").w_new, "0.5150")


# -- the step's bookkeeping ---------------------------------------------------------------------

def test_the_update_is_gradient_descent(section7):
    _, step = section7
    for record in step.weights:
        assert record.dw == pytest.approx(-step.eta * record.grad, rel=1e-12)
        assert record.w_new == record.w + record.dw
        assert record.delta == step.unit(record.target).delta


def test_each_weights_x_is_its_source_output(section7):
    _, step = section7
    outputs = dict(zip(step.input_names, step.x)) | {u.name: u.out for u in step.units}
    for record in step.weights:
        assert record.x == (1.0 if record.source is None else outputs[record.source])


def test_apply_false_leaves_the_weights_and_apply_true_sets_w_new():
    network = SECTION7.network()
    before = network.parameter_values()
    step = training_step(network, SECTION7.x, SECTION7.t, SECTION7.eta)
    assert network.parameter_values() == before
    applied = SECTION7.network()
    training_step(applied, SECTION7.x, SECTION7.t, SECTION7.eta, apply=True)
    assert list(applied.parameter_values().values()) == [w.w_new for w in step.weights]
    copy = SECTION7.network()
    apply_step(copy, step)
    assert copy.parameter_values() == applied.parameter_values()
    assert [o.data for o in applied(SECTION7.x)] == step.new_outputs


def test_apply_step_refuses_another_network(section7):
    _, step = section7
    with pytest.raises(ValueError, match="updates 11 parameters, the network has 12"):
        apply_step(SECTION10.network(), step)


def test_root_is_the_error_with_gradients(section7):
    network, step = section7
    assert step.root.data == step.error
    assert step.root.grad == 1.0
    assert network.layers[1].neurons[0].w[0] in topological_order(step.root)
    assert step.input_names == ["1", "2", "3"]


def test_unknown_names_raise_key_error(section7):
    _, step = section7
    with pytest.raises(KeyError, match="no unit '9'"):
        step.unit(9)
    with pytest.raises(KeyError, match="no weight 'w99'"):
        step.weight("w99")


# -- δ = −∂E/∂net on random networks ------------------------------------------------------------

@st.composite
def networks(draw):
    n_inputs = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)) + [draw(st.integers(1, 2))]
    activation = draw(st.lists(st.sampled_from(["sigmoid", "tanh", "identity"]),
                               min_size=len(sizes), max_size=len(sizes)))
    network = MLP(n_inputs, sizes, activation=activation, init="xavier",
                  seed=draw(st.integers(0, 2 ** 32)))
    number = st.floats(-2.0, 2.0, allow_nan=False)
    x = draw(st.lists(number, min_size=n_inputs, max_size=n_inputs))
    t = draw(st.lists(st.floats(0.0, 1.0), min_size=sizes[-1], max_size=sizes[-1]))
    return network, x, t


@settings(max_examples=60)
@given(networks(), st.floats(0.01, 2.0))
def test_delta_is_minus_de_dnet_from_grad(case, eta):
    network, x, t = case
    step = training_step(network, x, t, eta)
    nets = [n.net for n in network.neurons]
    for unit, de_dnet in zip(step.units, grad(step.root, nets)):
        assert unit.delta == pytest.approx(-de_dnet, rel=1e-12)
    weights = [p for p in network.parameters()]
    for record, de_dw in zip(step.weights, grad(step.root, weights)):
        assert record.dw == pytest.approx(-eta * de_dw, rel=1e-12, abs=1e-15)


def test_delta_follows_the_lectures_formulas_for_sigmoid_networks():
    rng = random.Random(7)
    for trial in range(30):
        sizes = [rng.randint(1, 4) for _ in range(rng.randint(1, 3))] + [rng.randint(1, 3)]
        n_inputs = rng.randint(1, 4)
        network = MLP(n_inputs, sizes, init="xavier", seed=trial)
        x = [rng.uniform(-2, 2) for _ in range(n_inputs)]
        t = [rng.uniform(0, 1) for _ in range(sizes[-1])]
        step = training_step(network, x, t, 0.5)
        # δ_k = o_k(1 − o_k)(t_k − o_k) at the outputs, δ_h = o_h(1 − o_h) Σ_k w_kh δ_k below
        deltas = [o.data * (1 - o.data) * (tk - o.data)
                  for o, tk in zip((n.out for n in network.layers[-1].neurons), t)]
        expected = {}
        for k in range(len(network.layers) - 1, -1, -1):
            layer = network.layers[k]
            if k < len(network.layers) - 1:
                above = network.layers[k + 1].neurons
                deltas = [n.out.data * (1 - n.out.data)
                          * math.fsum(a.w[h].data * d for a, d in zip(above, deltas))
                          for h, n in enumerate(layer.neurons)]
            expected.update({id(n): d for n, d in zip(layer.neurons, deltas)})
        for neuron, unit in zip(network.neurons, step.units):
            assert unit.delta == pytest.approx(expected[id(neuron)], rel=1e-10)
