"""nn.train: online, mini-batch and full-batch updates, the stopping criteria, seeding, progress."""

import io

import pytest
from tqdm import tqdm

from autodiff import grad
from lecture import SECTION7, training_step
from nn import (
    MLP,
    SGD,
    Adam,
    History,
    accuracy,
    binary_cross_entropy,
    evaluate,
    fit,
    mean_squared_error,
    moons,
    split,
    squared_error,
    xor,
)
from nn import train as train_module
from nn.taped import TapedLoss


class CountingSGD(SGD):
    def __init__(self, parameters, lr):
        super().__init__(parameters, lr)
        self.steps = 0

    def step(self):
        self.steps += 1
        super().step()


def xor_network(seed=0):
    return MLP(2, [3, 1], init="xavier", seed=seed)


@pytest.mark.parametrize("batch_size, updates_per_epoch", [(1, 4), (3, 2), (4, 1), (None, 1)])
def test_batch_size_sets_the_updates_per_epoch(batch_size, updates_per_epoch):
    data = xor()
    network = xor_network()
    optimizer = CountingSGD(network.parameters(), lr=0.5)
    history = fit(network, data.inputs, data.targets, optimizer=optimizer, epochs=3,
                  batch_size=batch_size)
    assert optimizer.steps == 3 * updates_per_epoch
    assert history.epochs == 3 and history.stopped == "epochs"


def test_online_epoch_on_one_example_is_the_lectures_step():
    step = training_step(SECTION7.network(), SECTION7.x, SECTION7.t, SECTION7.eta)
    network = SECTION7.network()
    history = fit(network, [SECTION7.x], [SECTION7.t], optimizer=SGD(network.parameters(), 0.9),
                  epochs=1)
    assert list(network.parameter_values().values()) == pytest.approx([w.w_new for w in step.weights],
                                                                rel=1e-12)
    assert history.train == [pytest.approx(step.new_error, rel=1e-12)]


def test_full_batch_is_gradient_descent_on_the_summed_error():
    data = xor()
    network, reference = xor_network(), xor_network()
    outputs = [reference(x) for x in data.inputs]
    gradients = grad(squared_error(outputs, data.targets), reference.parameters())
    expected = [p.data - 0.5 * g for p, g in zip(reference.parameters(), gradients)]
    fit(network, data.inputs, data.targets, optimizer=SGD(network.parameters(), 0.5), epochs=1,
        batch_size=None)
    assert list(network.parameter_values().values()) == pytest.approx(expected, rel=1e-12)


def test_history_records_the_error_after_each_epoch():
    data = xor()
    network = xor_network()
    history = fit(network, data.inputs, data.targets, epochs=2)
    assert len(history.train) == 2
    assert history.train[-1] == evaluate(network, data.inputs, data.targets)
    assert history.validation == [] and history.best_epoch == 0


def test_error_threshold_stops_at_the_first_epoch_below_it():
    data = xor()
    network = xor_network()
    history = fit(network, data.inputs, data.targets, optimizer=Adam(network.parameters(), 0.1),
                  epochs=2000, target_error=0.05)
    assert history.stopped == "target_error"
    assert history.train[-1] < 0.05 <= min(history.train[:-1])


def test_epoch_limit():
    data = xor()
    history = fit(xor_network(), data.inputs, data.targets, epochs=7, target_error=1e-9)
    assert (history.epochs, history.stopped) == (7, "epochs")


def test_patience_stops_and_restores_the_best_weights():
    data = xor()
    network = xor_network()
    # a validation set with the opposite targets gets worse as training gets better
    flipped = [[1.0 - t[0]] for t in data.targets]
    history = fit(network, data.inputs, data.targets, optimizer=Adam(network.parameters(), 0.1),
                  epochs=500, validation=(data.inputs, flipped), patience=5)
    assert history.stopped == "patience"
    assert history.epochs == history.best_epoch + 5
    best = min(history.validation)
    assert history.validation[history.best_epoch - 1] == best
    assert all(v > best for v in history.validation[history.best_epoch:])
    assert evaluate(network, data.inputs, flipped) == best


def test_patience_without_restoring_keeps_the_last_weights():
    data = xor()
    network = xor_network()
    flipped = [[1.0 - t[0]] for t in data.targets]
    history = fit(network, data.inputs, data.targets, optimizer=Adam(network.parameters(), 0.1),
                  epochs=500, validation=(data.inputs, flipped), patience=5, restore_best=False)
    assert evaluate(network, data.inputs, flipped) == history.validation[-1]


def test_same_seed_same_run_and_another_seed_another():
    data = xor()

    def run(seed):
        network = xor_network()
        history = fit(network, data.inputs, data.targets, epochs=5, seed=seed,
                      optimizer=Adam(network.parameters(), 0.05))
        return network.parameter_values(), history.train
    assert run(1) == run(1)
    assert run(1)[0] != run(2)[0]


def test_accuracy():
    data = xor()
    network = MLP(2, [2, 1], weights=[[[20.0, 20.0], [-20.0, -20.0]], [[20.0, 20.0]]],
                  biases=[[-10.0, 30.0], [-30.0]])
    assert accuracy(network, data.inputs, data.targets) == 1.0
    assert accuracy(network, data.inputs, [[1.0 - t[0]] for t in data.targets]) == 0.0


def test_progress_bar_only_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True
    monkeypatch.setattr(train_module.sys, "stderr", io.StringIO())
    assert train_module._progress_bar(10, None) is None
    assert train_module._progress_bar(10, False) is None
    terminal = Terminal()
    monkeypatch.setattr(train_module.sys, "stderr", terminal)
    bar = train_module._progress_bar(10, None)
    assert bar is not None and bar.total == 10
    bar.close()


def test_under_stepgrad_the_bar_writes_below_the_escaping_stream(monkeypatch):
    from stepgrad.cli import PrintableStream

    class Terminal(io.StringIO):
        def isatty(self):
            return True
    terminal = Terminal()
    monkeypatch.setattr(train_module.sys, "stderr", PrintableStream(terminal))
    bar = train_module._progress_bar(10, None)
    bar.update(1)
    bar.refresh()
    bar.close()
    assert "\r" in terminal.getvalue() and "\\x0d" not in terminal.getvalue()


def test_fit_advances_the_bar_once_per_epoch(monkeypatch):
    stream = io.StringIO()

    def bar(epochs, progress):
        return tqdm(total=epochs, file=stream, mininterval=0) if progress else None
    monkeypatch.setattr(train_module, "_progress_bar", bar)
    data = xor()
    fit(xor_network(), data.inputs, data.targets, epochs=3, progress=True)
    assert "3/3" in stream.getvalue()


@pytest.mark.parametrize("kwargs, message", [
    (dict(epochs=0), "epochs must be a positive integer"),
    (dict(batch_size=0), "batch_size must be a positive integer or None"),
    (dict(target_error=-1.0), "target_error must be positive"),
    (dict(patience=3), "patience needs a validation set"),
    (dict(validation=([[0.0, 0.0]], []), patience=3), "validation must be"),
    (dict(validation=([[0.0, 0.0]], [[1.0]]), patience=0), "patience must be a positive integer"),
])
def test_bad_settings(kwargs, message):
    data = xor()
    with pytest.raises(ValueError, match=message):
        fit(xor_network(), data.inputs, data.targets, **kwargs)


def test_bad_data():
    with pytest.raises(ValueError, match="no training examples"):
        fit(xor_network(), [], [])
    with pytest.raises(ValueError, match="2 inputs for 1 targets"):
        fit(xor_network(), [[0, 0], [1, 1]], [[0]])
    with pytest.raises(ValueError, match="example 1 has 3 inputs, the network takes 2"):
        fit(xor_network(), [[0, 0], [1, 1, 1]], [[0], [1]])


def test_history_knows_its_set_sizes_and_errors_per_example():
    train, held = split(moons(n=40, noise=0.1, seed=0), validation=0.25, seed=0)
    net = MLP(2, [3, 1], init="xavier", seed=0)
    history = fit(net, train.inputs, train.targets, epochs=2,
                  validation=(held.inputs, held.targets))
    assert (history.train_size, history.validation_size) == (30, 10)
    assert history.mean_train == [e / 30 for e in history.train]
    assert history.mean_validation == [e / 10 for e in history.validation]
    assert History(train=[1.0, 2.0], train_size=4).mean_train == [0.25, 0.5]
    with pytest.raises(ValueError, match="train_size is not known"):
        History(train=[1.0]).mean_train


# -- the tape: one traced example's graph replayed per batch ----------------------------------

def _fit_both(loss, batch_size, optimizer, epochs, **kwargs):
    from nn.data import DATASETS, split
    from nn.optim import make_optimizer
    train, held = split(DATASETS["moons"](n=60, noise=0.2, seed=3), 0.25, seed=3)
    runs = []
    for tape in (True, False):
        network = MLP(2, [5, 1], activation=["tanh", "sigmoid"], init="xavier", seed=3)
        history = fit(network, train.inputs, train.targets, loss=loss, epochs=epochs,
                      batch_size=batch_size, optimizer=make_optimizer(optimizer, network.parameters(), 0.05),
                      validation=(held.inputs, held.targets), seed=3, tape=tape, **kwargs)
        runs.append((history, network.parameter_values()))
    return runs


@pytest.mark.parametrize("loss, batch_size, optimizer", [
    (squared_error, None, "adam"), (squared_error, 8, "momentum"), (mean_squared_error, 16, "sgd"),
    (mean_squared_error, None, "adam")])
def test_tape_gives_the_same_history_and_weights(loss, batch_size, optimizer):
    (taped, taped_state), (built, built_state) = _fit_both(loss, batch_size, optimizer, epochs=60)
    for a, b in ((taped.train, built.train), (taped.validation, built.validation),
                 (list(taped_state.values()), list(built_state.values()))):
        assert len(a) == len(b) and all(abs(x - y) <= 1e-12 * abs(y) for x, y in zip(a, b))
    assert taped.stopped == built.stopped and taped.best_epoch == built.best_epoch


@pytest.mark.parametrize("loss, batch_size, network, traced", [
    (squared_error, None, xor_network, True), (squared_error, 1, xor_network, False),
    (binary_cross_entropy, None, xor_network, False),
    (squared_error, None, lambda: _Wrapped(xor_network()), False)])
def test_tape_is_used_only_where_it_replays_the_same_graph(monkeypatch, loss, batch_size, network, traced):
    made = []
    monkeypatch.setattr(train_module, "TapedLoss", lambda *args: made.append(args) or TapedLoss(*args))
    data = xor()
    fit(network(), data.inputs, data.targets, loss=loss, epochs=2, batch_size=batch_size)
    assert bool(made) == traced


class _Wrapped(MLP):
    """A network class of the user's own: fit cannot know its graph's shape, so it builds it."""

    def __init__(self, network):
        self.__dict__.update(network.__dict__)
