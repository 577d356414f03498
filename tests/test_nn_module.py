"""nn.module: parameter names, parameter_values and an all-or-nothing load_parameter_values; the old names warn."""

import pytest

from lecture import SECTION7
from nn import MLP
from nn.module import check_number


def test_parameter_values_names_and_order():
    network = MLP(2, [1, 1])
    assert list(network.parameter_values()) == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                                          "layers.0.neurons.0.b", "layers.1.neurons.0.w.0",
                                          "layers.1.neurons.0.b"]
    assert list(network.parameter_values().values()) == [p.data for p in network.parameters()]


def test_load_parameter_values_sets_every_parameter():
    network = MLP(2, [1, 1])
    state = {name: float(i) for i, name in enumerate(network.parameter_values())}
    network.load_parameter_values(state)
    assert network.parameter_values() == state


def test_load_parameter_values_changes_nothing_when_one_value_is_bad():
    network = SECTION7.network()
    before = network.parameter_values()
    state = {name: 1.0 for name in before}
    state["layers.1.neurons.0.b"] = float("nan")
    with pytest.raises(ValueError, match=r"state\['layers.1.neurons.0.b'\]: expected a finite"):
        network.load_parameter_values(state)
    assert network.parameter_values() == before
    state.pop("layers.1.neurons.0.b")
    with pytest.raises(ValueError, match="missing 'layers.1.neurons.0.b'"):
        network.load_parameter_values(state)
    assert network.parameter_values() == before
    with pytest.raises(ValueError, match="expected a mapping"):
        network.load_parameter_values([1.0] * 11)


def test_zero_grad_clears_every_parameter():
    network = SECTION7.network()
    sum(network(SECTION7.x), 0.0).backward()
    assert any(p.grad for p in network.parameters())
    network.zero_grad()
    assert all(p.grad == 0.0 for p in network.parameters())


@pytest.mark.parametrize("value, message", [
    ("1", "expected a number, got str '1'"), (True, "expected a number, got bool"),
    (float("inf"), "expected a finite number, got inf"), (None, "expected a number, got NoneType")])
def test_check_number_refuses(value, message):
    with pytest.raises(ValueError, match=f"^here: {message}"):
        check_number(value, "here")


def test_check_number_accepts_ints_and_floats():
    assert check_number(3, "here") == 3.0 and type(check_number(3, "here")) is float
    assert check_number(-0.5, "here") == -0.5


def test_the_old_names_still_work_for_one_release_and_say_why():
    network = MLP(2, [1])
    with pytest.warns(DeprecationWarning, match=r"renamed parameter_values\(\).*to_torch\(\)\.state_dict\(\)"):
        state = network.state_dict()
    assert state == network.parameter_values()
    with pytest.warns(DeprecationWarning, match=r"renamed load_parameter_values"):
        network.load_state_dict({name: 0.5 for name in state})
    assert set(network.parameter_values().values()) == {0.5}


def test_zero_grad_takes_pytorchs_set_to_none():
    network = MLP(2, [1])
    for p in network.parameters():
        p.grad = 1.0
    network.zero_grad(set_to_none=True)
    assert all(p.grad == 0.0 for p in network.parameters())
    for p in network.parameters():
        p.grad = 1.0
    network.zero_grad(set_to_none=False)
    assert all(p.grad == 0.0 for p in network.parameters())
