"""The lecture's numbers (sections 3.3, 4 and 8) from bare Value ops and backward, within the
printed rounding."""

import pytest

from autodiff import Value

ETA = 0.9  # the learning rate of section 8


def test_section_3_3_weighted_sum_and_sigmoid(printed):
    x = [Value(0.5, label="x1"), Value(0.8, label="x2"), Value(0.2, label="x3")]
    w = [Value(0.4, label="wj1"), Value(-0.3, label="wj2"), Value(0.6, label="wj3")]
    b = Value(-0.2, label="bj")
    products = [wi * xi for wi, xi in zip(w, x)]
    for product, text in zip(products, ["0.20", "-0.24", "0.12"]):
        printed(product.data, text)
    net = sum(products, b)
    printed(net.data, "-0.12")
    # NOTE: the lecture prints 1/(1 + e^0.12) = 1/1.1275 = 0.4700, but 1.1275 is e^0.12 alone:
    # the denominator is 2.1275, and 1/2.1275 = 0.4700 as printed.
    printed((-net).exp().data, "1.1275")
    o = net.sigmoid()
    printed(o.data, "0.4700")
    assert o.data == pytest.approx(1 / (1 + (-net).exp().data), rel=1e-15)


def test_section_3_3_self_test(printed):
    x = [Value(0.5), Value(0.2), Value(0.8)]
    w = [Value(0.3), Value(-0.4), Value(0.6)]
    products = [wi * xi for wi, xi in zip(w, x)]
    for product, text in zip(products, ["0.15", "-0.08", "0.48"]):
        printed(product.data, text)
    printed(sum(products[1:], products[0]).data, "0.55")


@pytest.mark.parametrize("net_value, exp_text, denominator_text, sigma_text, complement_text, slope_text", [
    (0.0, "1", "2", "0.5", "0.5", "0.25"),
    (2.0, "0.1353", "1.1353", "0.8808", "0.1192", "0.1050"),
    (-1.5, "4.4817", "5.4817", "0.1824", "0.8176", "0.1491"),
])
def test_section_4_sigmoid_and_its_derivative(printed, net_value, exp_text, denominator_text,
                                              sigma_text, complement_text, slope_text):
    net = Value(net_value, label="net")
    printed((-net).exp().data, exp_text)  # e^(−net)
    printed((1 + (-net).exp()).data, denominator_text)
    o = net.sigmoid()
    printed(o.data, sigma_text)
    printed((1 - o).data, complement_text)
    o.backward()
    printed(net.grad, slope_text)  # σ′(net) by backward
    printed((o * (1 - o)).data, slope_text)  # and by the lecture's σ(1 − σ)


def test_section_8_the_1_1_1_chain(printed):
    x, t = Value(1.0, label="x"), 1.0
    w_xh, w_ho = Value(0.5, label="w_xh"), Value(0.8, label="w_ho")
    net_h = x * w_xh  # all biases are 0
    printed(net_h.data, "0.5")
    o_h = net_h.sigmoid()
    printed(o_h.data, "0.6225")
    net_o = o_h * w_ho
    printed(net_o.data, "0.498")
    o_o = net_o.sigmoid()
    printed(o_o.data, "0.622")
    printed((1 - o_o).data, "0.378")
    printed((1 - o_h).data, "0.3775")

    error = 0.5 * (t - o_o) ** 2  # E = ½(t − o)²
    error.backward()
    delta_o, delta_h = -net_o.grad, -net_h.grad  # δ = −∂E/∂net
    printed(delta_o, "0.0889")
    printed(delta_h, "0.0167")
    # backward agrees with the lecture's formulas for δ, evaluated on the same forward values
    assert delta_o == pytest.approx(o_o.data * (1 - o_o.data) * (t - o_o.data), rel=1e-14)
    assert delta_h == pytest.approx(o_h.data * (1 - o_h.data) * w_ho.data * delta_o, rel=1e-14)

    change_ho, change_xh = -ETA * w_ho.grad, -ETA * w_xh.grad  # Δw = −η·∂E/∂w = η·δ·input
    printed(change_ho, "0.0498")
    printed(w_ho.data + change_ho, "0.8498")
    printed(change_xh, "0.0150")
    printed(w_xh.data + change_xh, "0.5150")
    assert change_ho == pytest.approx(ETA * delta_o * o_h.data, rel=1e-14)
    assert change_xh == pytest.approx(ETA * delta_h * x.data, rel=1e-14)


def test_the_printed_check_rejects_a_wrong_number(printed):
    with pytest.raises(AssertionError, match="does not round to the printed 0.4700"):
        printed(0.4702, "0.4700")
    printed(0.47009, "0.4700")
