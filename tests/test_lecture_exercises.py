"""The lecture's short worked examples and self-test answers (sections 6.1.3, 6.1.4, 9.2 and 12),
computed through Values, backward and nn's SGD, within the printed rounding."""

import math

import pytest

from autodiff import Value
from nn import SGD


def unit_with_output(o, label):
    """A sigmoid unit whose output is ``o``: net = σ⁻¹(o), so δ is read off net.grad."""
    net = Value(math.log(o / (1 - o)), label=f"net{label}")
    return net, net.sigmoid()


def test_section_6_1_3_output_and_hidden_error_terms(printed):
    # o_k = 0.8, t_k = 1; o_h = 0.6 feeds the output unit through w_kh = 0.5.
    net_h, o_h = unit_with_output(0.6, "h")
    w_kh = Value(0.5, label="wkh")
    rest = math.log(0.8 / 0.2) - 0.5 * 0.6  # the output's other inputs, so that o_k = 0.8
    net_k = w_kh * o_h + rest
    o_k = net_k.sigmoid()
    printed(o_k.data, "0.8")
    error = 0.5 * (1.0 - o_k) ** 2
    error.backward()
    printed(-net_k.grad, "0.032")      # δ_k = o_k(1 − o_k)(t_k − o_k)
    printed(-net_h.grad, "0.00384")    # δ_h = o_h(1 − o_h)·w_kh·δ_k
    printed(w_kh.data * -net_k.grad, "0.016")
    printed(o_h.data * (1 - o_h.data), "0.24")


def one_sgd_update(w, delta, x, eta):
    """w after one SGD step on a unit whose error term is δ and whose input is x.

    E = −δ·net with net = w·x, so −∂E/∂net = δ and SGD's w − η·∂E/∂w is the lecture's w + η·δ·x.
    """
    weight = Value(w, label="w")
    net = weight * x
    error = -delta * net
    error.backward()
    SGD([weight], lr=eta).step()
    return weight.data


def test_section_6_1_4_weight_update(printed):
    new = one_sgd_update(w=0.3, delta=0.15, x=0.8, eta=0.1)
    assert new == pytest.approx(0.3 + 0.1 * 0.15 * 0.8, rel=1e-15)  # SGD is w + η·δ·x
    printed(new - 0.3, "0.012")
    printed(new, "0.312")


@pytest.mark.parametrize("eta, change, new", [
    (0.01, "0.0016", "0.5016"),
    (0.1, "0.016", "0.516"),
    (1.0, "0.16", "0.66"),
])
def test_section_9_2_learning_rates(printed, eta, change, new):
    w_new = one_sgd_update(w=0.5, delta=0.2, x=0.8, eta=eta)
    assert w_new == pytest.approx(0.5 + eta * 0.2 * 0.8, rel=1e-15)
    printed(w_new - 0.5, change)
    printed(w_new, new)


def test_section_12_self_test_answers(printed):
    # 6: a sigmoid unit at net = 0.5, its output and the derivative o(1 − o) from backward.
    net = Value(0.5, label="net")
    o = net.sigmoid()
    o.backward()
    printed(o.data, "0.622")
    printed(net.grad, "0.235")
    # 7: δ of an output unit with o = 0.8 and t = 1.
    net_k, o_k = unit_with_output(0.8, "k")
    (0.5 * (1.0 - o_k) ** 2).backward()
    printed(-net_k.grad, "0.032")
    # 8: a hidden unit with o_h = 0.6 feeding two units with δ1 = 0.2 (w = 0.5), δ2 = −0.1
    # (w = −0.3): E = −(δ1·net1 + δ2·net2) makes −∂E/∂net_k = δ_k.
    net_h, o_h = unit_with_output(0.6, "h")
    net1, net2 = 0.5 * o_h, -0.3 * o_h
    error = -(0.2 * net1 + -0.1 * net2)
    error.backward()
    printed(-net1.grad * 0.5 + -net2.grad * -0.3, "0.13")
    printed(-net_h.grad, "0.0312")
    assert -net_h.grad == pytest.approx(0.6 * 0.4 * (0.2 * 0.5 + -0.1 * -0.3), rel=1e-12)
    # 9: δ = 0.15, x = 0.8, η = 0.1, w = 0.3.
    printed(one_sgd_update(w=0.3, delta=0.15, x=0.8, eta=0.1), "0.312")
