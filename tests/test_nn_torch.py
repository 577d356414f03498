"""MLP.to_torch and MLP.from_torch: the same network in PyTorch, outputs and gradients to 1e-12."""

import os

import pytest

from autodiff import grad
from lecture import SECTION7
from nn import MLP, squared_error

# An optional extra: skip without it, except where CI is set (there it must be installed).
if os.environ.get("CI"):
    import torch
else:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install 'stepgrad[torch]')")


def _close(a, b):
    return abs(a - b) <= 1e-12 * max(1.0, abs(b))


@pytest.mark.parametrize("network", [
    SECTION7.network(),
    MLP(3, [4, 3, 2], activation=["tanh", "relu", "identity"], init="xavier", seed=5),
])
def test_outputs_and_gradients_agree_in_float64(network):
    module = network.to_torch(dtype=torch.float64)
    assert module[0].weight.dtype == torch.float64
    x, t = [0.5, -1.0, 2.0], [1.0] * network.layer_sizes[-1]
    outputs = network(x)
    error = squared_error(outputs, t)
    grads = grad(error, network.parameters())
    xs = torch.tensor([x], dtype=torch.float64)
    o = module(xs)[0]
    torch_error = 0.5 * ((torch.tensor(t, dtype=torch.float64) - o) ** 2).sum()
    torch_error.backward()
    assert all(_close(a.data, b) for a, b in zip(outputs, o.tolist()))
    assert _close(error.data, torch_error.item())
    linear = [m for m in module if isinstance(m, torch.nn.Linear)]
    torch_grads = [g for layer in linear for row, b in zip(layer.weight.grad.tolist(), layer.bias.grad.tolist())
                   for g in (*row, b)]
    assert len(torch_grads) == len(grads) and all(_close(a, b) for a, b in zip(grads, torch_grads))


def test_from_torch_reads_back_the_very_weights():
    network = MLP(2, [3, 1], activation=["relu", "sigmoid"], init="he", seed=2)
    back = MLP.from_torch(network.to_torch(dtype=torch.float64), unit_names=network.unit_names)
    assert back.weights() == network.weights() and back.activations == network.activations
    assert repr(back) == repr(network)
    trained = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    read = MLP.from_torch(trained)
    assert read.activations == ["tanh", "identity"] and read.layer_sizes == [4, 1]
    assert read.weights()[0][0] == trained[0].weight.detach().double().tolist()


@pytest.mark.parametrize("module, message", [
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 3, bias=False)), "module 0 .Linear. has no bias"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(4, 1)), "module 1 takes 4 inputs"),
    (lambda: torch.nn.Sequential(torch.nn.ReLU()), r"module 0 \(ReLU\) is not a Linear"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Softmax(dim=1)), r"module 1 \(Softmax\)"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Tanh()), r"module 2 \(Tanh\)"),
    (lambda: torch.nn.Sequential(), "no Linear layer"),
])
def test_from_torch_names_the_module_that_does_not_fit(module, message):
    with pytest.raises(ValueError, match=message):
        MLP.from_torch(module())
    with pytest.raises(TypeError, match="expected a torch.nn.Sequential or torch.nn.Linear"):
        MLP.from_torch(torch.nn.Tanh())


def test_handover_notebook_runs_and_agrees(tmp_path, monkeypatch):
    import nbclient
    import nbformat
    from test_viz_notebook import KERNEL, REPO, kernel_spec
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_spec(tmp_path)))
    notebook = nbformat.read(REPO / "examples" / "torch_handover.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, kernel_name=KERNEL, timeout=120,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = {cell.id: "".join(o.get("text", "") for o in cell.outputs)
               for cell in notebook.cells if cell.cell_type == "code"}
    assert "Sigmoid()" in printed["torch"] and "w46" in printed["side_by_side"]
    assert "PyTorch, 10 more steps: E = " in printed["torch"]


def test_to_torch_follows_the_default_dtype_so_a_float32_input_fits():
    network = MLP(3, [2, 1], init="xavier", seed=1)
    module = network.to_torch()
    assert torch.get_default_dtype() == torch.float32
    assert all(p.dtype == torch.float32 for p in module.parameters())
    out = module(torch.tensor([[0.5, -1.0, 2.0]]))          # float32, PyTorch's default
    assert out.dtype == torch.float32
    assert abs(out.item() - network([0.5, -1.0, 2.0])[0].item()) < 1e-6
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        assert network.to_torch()[0].weight.dtype == torch.float64
    finally:
        torch.set_default_dtype(previous)
    assert network.to_torch(dtype=torch.float64)[0].weight.dtype == torch.float64


def test_pytorchs_state_dict_comes_from_to_torch_and_goes_back_through_from_torch():
    network = MLP(2, [3, 1], activation=["tanh", "identity"], init="he", seed=3)
    state = network.to_torch(dtype=torch.float64).state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    other = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(),
                                torch.nn.Linear(3, 1)).double()
    other.load_state_dict(state)
    assert MLP.from_torch(other).weights() == network.weights()
    with pytest.warns(DeprecationWarning, match="to_torch"):
        flat = network.state_dict()
    assert flat == network.parameter_values()


def test_from_torch_reads_a_bare_linear_layer():
    linear = torch.nn.Linear(3, 2, dtype=torch.float64)
    network = MLP.from_torch(linear)
    assert network.layer_sizes == [2] and network.activations == ["identity"]
    assert network.weights() == ([linear.weight.tolist()], [linear.bias.tolist()])
    x = [0.5, -1.0, 2.0]
    expected = linear(torch.tensor(x, dtype=torch.float64)).tolist()
    assert all(_close(a.item(), b) for a, b in zip(network(x), expected))


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_from_torch_refuses_non_finite_weights_naming_the_parameter(bad):
    module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(), torch.nn.Linear(3, 1))
    with torch.no_grad():
        module[2].weight[0, 1] = bad
    with pytest.raises(ValueError, match=r"parameter 2\.weight\[0, 1\] is -?(nan|inf).*finite"):
        MLP.from_torch(module)
    linear = torch.nn.Linear(2, 2)
    with torch.no_grad():
        linear.bias[1] = bad
    with pytest.raises(ValueError, match=r"parameter bias\[1\] is"):
        MLP.from_torch(linear)


def test_value_item_backward_retain_graph_and_zero_grad_set_to_none():
    from autodiff import Value, backward, zero_grad
    from nn import SGD
    x = Value(2.0)
    y = x * x
    assert y.item() == 4.0 and type(y.item()) is float
    y.backward(retain_graph=True)
    y.backward(retain_graph=False, accumulate=True)     # the graph is never freed
    assert x.grad == 8.0
    backward(y, None, True, retain_graph=True)           # None is the implicit seed 1
    assert x.grad == 12.0
    y.zero_grad(set_to_none=True)
    assert x.grad == 0.0 and x.grad is not None
    y.backward()
    zero_grad(y, set_to_none=False)
    assert x.grad == 0.0
    network = MLP(2, [1])
    optimizer = SGD(network.parameters(), lr=0.1)
    network([1.0, 2.0])[0].backward()
    optimizer.zero_grad(set_to_none=True)
    assert all(p.grad == 0.0 for p in network.parameters())
