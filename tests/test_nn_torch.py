"""MLP.to_torch and MLP.from_torch: the same network in PyTorch, outputs and gradients to 1e-12."""

import os

import pytest

from autodiff import grad
from nn import MLP, squared_error
from lecture import SECTION7

try:
    import torch
except ImportError:  # an optional extra: skip without it, except where CI is set
    if os.environ.get("CI"):
        raise
    pytest.skip("PyTorch is not installed (pip install 'stepgrad[torch]')", allow_module_level=True)


def _close(a, b):
    return abs(a - b) <= 1e-12 * max(1.0, abs(b))


@pytest.mark.parametrize("network", [
    SECTION7.network(),
    MLP(3, [4, 3, 2], activation=["tanh", "relu", "identity"], init="xavier", seed=5),
])
def test_outputs_and_gradients_agree_in_float64(network):
    module = network.to_torch()
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
    back = MLP.from_torch(network.to_torch(), unit_names=network.unit_names)
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
    with pytest.raises(TypeError, match="expected a torch.nn.Sequential"):
        MLP.from_torch(torch.nn.Linear(2, 1))


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
