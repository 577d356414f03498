"""The training loop: online, mini-batch or full-batch updates with the lecture's stopping criteria."""

import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from autodiff import no_grad

from .layers import MLP
from .losses import squared_error
from .optim import SGD, Optimizer
from .taped import TapedLoss, can_tape

__all__ = ["History", "fit", "evaluate", "accuracy"]


@dataclass
class History:
    """What a ``fit`` run did: the error after each epoch and why it stopped.

    ``train[e]`` is the loss over the whole training set after epoch e + 1 (and
    ``validation[e]`` over the validation set, when one is given): with the lecture's
    E = ½ΣΣ(t − o)², a sum over the examples, so compare the two through ``mean_train`` and
    ``mean_validation``, per example. ``stopped`` is ``"epochs"``, ``"target_error"`` or
    ``"patience"``.
    """

    train: list = field(default_factory=list)
    validation: list = field(default_factory=list)
    stopped: str = ""
    best_epoch: int = 0      # the epoch (from 1) with the lowest validation error, 0 if none
    train_size: int = 0      # examples in the training set (0: not known)
    validation_size: int = 0

    @property
    def epochs(self) -> int:
        return len(self.train)

    @property
    def mean_train(self) -> "list[float]":
        """The training error per example, ``train[e] / train_size``."""
        return _per_example(self.train, self.train_size, "train_size")

    @property
    def mean_validation(self) -> "list[float]":
        """The validation error per example, ``validation[e] / validation_size``."""
        return _per_example(self.validation, self.validation_size, "validation_size")


def _per_example(errors, size, name):
    if errors and size < 1:
        raise ValueError(f"History: {name} is not known, so there is no error per example")
    return [e / size for e in errors]


def evaluate(network: "MLP", inputs: "Sequence", targets: "Sequence",
             loss: "Callable" = squared_error) -> float:
    """The loss over all examples as a float, computed without recording a graph."""
    with no_grad():
        return float(loss([network(x) for x in inputs], targets))


def accuracy(network: "MLP", inputs: "Sequence", targets: "Sequence",
             threshold: float = 0.5) -> float:
    """The fraction of examples whose every output lands on its target's side of ``threshold``."""
    if not inputs:
        raise ValueError("accuracy: no examples")
    correct = 0
    with no_grad():
        for x, t in zip(inputs, targets):
            outputs = network(x)
            correct += all((o.data > threshold) == (tk > threshold) for o, tk in zip(outputs, t))
    return correct / len(inputs)


def fit(network: "MLP", inputs: "Sequence", targets: "Sequence", *,
        loss: "Callable" = squared_error, optimizer: "Optimizer | None" = None,
        epochs: int = 100, batch_size: "int | None" = 1, shuffle: bool = True,
        seed: "int | None" = 0, target_error: "float | None" = None,
        validation: "tuple[Sequence, Sequence] | None" = None, patience: "int | None" = None,
        restore_best: bool = True, progress: "bool | None" = None,
        tape: bool = True) -> "History":
    """Train ``network`` on examples (``inputs[d]``, ``targets[d]``); returns a ``History``.

    Args:
        loss: a loss of ``(outputs, targets)``; the default is the lecture's E = ½ΣΣ(t − o)².
        optimizer: defaults to ``SGD(network.parameters(), lr=0.5)``.
        epochs: the most passes over the data (the lecture's first stopping criterion).
        batch_size: 1 for online updates after every example (the lecture's stochastic
            mode), k for mini-batches of k, ``None`` for the full batch.
        shuffle, seed: the order of examples is shuffled each epoch by ``random.Random(seed)``,
            so the same seed gives the same run.
        target_error: stop once the training error is below this (error threshold).
        validation: ``(inputs, targets)`` held out; its error is recorded every epoch.
        patience: with ``validation``, stop after this many epochs without a new lowest
            validation error (early stopping); ``restore_best`` then puts back the weights
            of the best epoch.
        progress: show a tqdm progress bar; ``None`` shows one when stderr is a terminal
            and the run lasts more than a moment.
        tape: replay one traced example's graph (``autodiff.trace``) for every batch when the
            network is an ``MLP``, the loss is ``squared_error`` or ``mean_squared_error`` and
            the examples are numbers; the history is the same as without (to rounding, 1e-12).
            ``False`` builds every example's graph with Values, as the lecture does.
    """
    inputs, targets = list(inputs), list(targets)
    _check_fit(network, inputs, targets, epochs, batch_size, target_error, validation, patience)
    if optimizer is None:
        optimizer = SGD(network.parameters(), lr=0.5)
    size = len(inputs) if batch_size is None else batch_size
    order = list(range(len(inputs)))
    rng = random.Random(seed)
    history = History(train_size=len(inputs),
                      validation_size=0 if validation is None else len(validation[0]))
    best, best_state, waited = float("inf"), None, 0
    taped = None
    if tape and can_tape(network, loss, batch_size, inputs + list(validation[0] if validation else []),
                         targets + list(validation[1] if validation else [])):
        taped = TapedLoss(network, loss)
        xs, ts = taped.arrays(inputs, targets)
    errors = _errors(network, loss, inputs, targets, validation, taped)
    bar = _progress_bar(epochs, progress)
    try:
        for epoch in range(1, epochs + 1):
            if shuffle:
                rng.shuffle(order)
            for start in range(0, len(order), size):
                batch = order[start:start + size]
                optimizer.zero_grad()
                if taped:
                    _, grads = taped.gradients(xs[batch], ts[batch])
                    for p, g in zip(taped.parameters, grads.tolist()):
                        p.grad = g
                else:
                    error = loss([network(inputs[d]) for d in batch], [targets[d] for d in batch])
                    error.backward()
                optimizer.step()
            train_error, current = errors()
            history.train.append(train_error)
            if validation is not None:
                history.validation.append(current)
                if current < best:  # pyright: ignore[reportOptionalOperand, reportOperatorIssue]
                    best, waited, history.best_epoch = current, 0, epoch
                    if restore_best and patience is not None:
                        best_state = network.parameter_values()
                else:
                    waited += 1
            if bar is not None:
                bar.update(1)
                bar.set_postfix(error=f"{history.train[-1]:.4g}", refresh=False)
            if target_error is not None and history.train[-1] < target_error:
                history.stopped = "target_error"
                break
            if patience is not None and waited >= patience:
                history.stopped = "patience"
                if best_state is not None:
                    network.load_parameter_values(best_state)
                break
        else:
            history.stopped = "epochs"
    finally:
        if bar is not None:
            bar.close()
    return history


def _errors(network, loss, inputs, targets, validation, taped):
    """A function giving the errors over the training and the validation set (None without one)."""
    if taped is None:
        return lambda: (evaluate(network, inputs, targets, loss),
                        None if validation is None else evaluate(network, *validation, loss))  # pyright: ignore[reportCallIssue]
    if validation is None:
        train = taped.arrays(inputs, targets)
        return lambda: (taped.losses(train)[0], None)
    both = taped.arrays(inputs, targets), taped.arrays(*validation)
    return lambda: tuple(taped.losses(*both))   # one replay over both sets


def _check_fit(network, inputs, targets, epochs, batch_size, target_error, validation, patience):
    if not inputs:
        raise ValueError("fit: no training examples")
    if len(inputs) != len(targets):
        raise ValueError(f"fit: {len(inputs)} inputs for {len(targets)} targets")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive integer, got {epochs!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                   or batch_size < 1):
        raise ValueError(f"fit: batch_size must be a positive integer or None, got {batch_size!r}")
    if target_error is not None and not target_error > 0:
        raise ValueError(f"fit: target_error must be positive, got {target_error!r}")
    if patience is not None:
        if validation is None:
            raise ValueError("fit: patience needs a validation set")
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 1:
            raise ValueError(f"fit: patience must be a positive integer, got {patience!r}")
    if validation is not None:
        if len(validation) != 2 or len(validation[0]) != len(validation[1]) or not validation[0]:
            raise ValueError("fit: validation must be (inputs, targets) of the same, non-zero length")
    n = network.n_inputs
    for d, x in enumerate(inputs):
        if len(x) != n:
            raise ValueError(f"fit: example {d} has {len(x)} inputs, the network takes {n}")


def _progress_bar(epochs, progress):
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    from tqdm import tqdm
    # delay: a run that ends within a second never shows a bar. The bar's own \r must reach the
    # terminal, past the stepgrad command's filter of control characters (``unfiltered``).
    return tqdm(total=epochs, unit="epoch", desc="training", delay=1.0, leave=False,
                file=getattr(sys.stderr, "unfiltered", sys.stderr))
