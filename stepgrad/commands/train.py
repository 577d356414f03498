"""``stepgrad train DATASET``: train a sigmoid MLP on XOR, two moons or circles."""

import argparse
import textwrap

from nn import OPTIMIZERS, RECIPES, check_plot_path, plot_training, run_recipe, save_network
from stepgrad.arguments import positive_float, positive_int

__all__ = ["add_parsers", "run"]

def _layer_sizes(text):
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes such as 8 or 8,4, got {text!r}") from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got {text!r}")
    return sizes


def add_parsers(subparsers):
    recipes = "\n".join(
        f"  {name:<8} {r.dataset_options.get('n', 4)} points, hidden {','.join(map(str, r.hidden))}, "
        f"{r.optimizer} η = {r.lr:g}, ≤ {r.epochs} epochs"
        + (f", until E < {r.target_error:g}" if r.target_error else "")
        + (f", {r.validation:.0%} held out" if r.validation else "")
        for name, r in RECIPES.items())
    updates = "Updates: " + ", ".join(f"{name} {_mode(r.batch_size)}" for name, r in RECIPES.items())
    parser = subparsers.add_parser(
        "train", help="train a sigmoid MLP on xor, moons or circles",
        description=textwrap.fill(
            "Train a sigmoid MLP on a small seeded dataset and report the error per "
            "epoch, why training stopped and the accuracy. The same seed gives the same "
            "data, initial weights, shuffling and result.", 79),
        epilog=f"datasets and their defaults:\n{recipes}\n{updates}\n\n"
               "The table shows the error per example, E = ½Σ(t − o)² averaged over each\n"
               "set (the sets differ in size); --target-error compares the lecture's sum\n"
               "over the training set, E = ½ΣΣ(t − o)².\n"
               "Example: stepgrad train moons --plot moons.png --save moons.json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", choices=list(RECIPES), metavar="DATASET",
                        help=f"one of {', '.join(RECIPES)}")
    parser.add_argument("--epochs", metavar="N", type=positive_int, help="the most epochs")
    parser.add_argument("--seed", metavar="S", type=int, default=0, help="the seed (default 0)")
    parser.add_argument("--hidden", metavar="SIZES", type=_layer_sizes,
                        help="hidden layer sizes, e.g. 8 or 8,4")
    parser.add_argument("--optimizer", choices=list(OPTIMIZERS),
                        help="sgd, momentum (μ = 0.9) or adam")
    parser.add_argument("--lr", metavar="η", type=positive_float, help="the learning rate")
    parser.add_argument("--batch-size", metavar="K", type=positive_int,
                        help="examples per update (1: online, the lecture's mode)")
    parser.add_argument("--full-batch", action="store_true", help="one update per epoch")
    parser.add_argument("--no-tape", dest="tape", action="store_false",
                        help="build every example's graph with Values instead of replaying one "
                             "traced example's graph per batch (same results, slower)")
    parser.add_argument("--target-error", metavar="E", type=positive_float,
                        help="stop once the training error is below E")
    parser.add_argument("--patience", metavar="N", type=positive_int,
                        help="stop after N epochs without a better validation error "
                             "(and keep the best weights)")
    parser.add_argument("--plot", metavar="FILE.png",
                        help="draw the error curve and the decision boundary (needs matplotlib)")
    parser.add_argument("--save", metavar="FILE.json", help="write the trained weights")
    parser.set_defaults(run=run)


def run(args):
    if args.batch_size is not None and args.full_batch:
        raise ValueError("give --batch-size or --full-batch, not both")
    if args.plot:
        try:
            check_plot_path(args.plot)
        except ImportError as error:  # reported like any other bad request: message, status 2
            raise ValueError(str(error)) from None
    changes = {key: value for key, value in (
        ("epochs", args.epochs), ("hidden", args.hidden), ("optimizer", args.optimizer),
        ("lr", args.lr), ("batch_size", args.batch_size), ("target_error", args.target_error),
        ("patience", args.patience)) if value is not None}
    if args.full_batch:
        changes["batch_size"] = None
    if args.patience is not None and RECIPES[args.dataset].validation is None:
        raise ValueError(f"--patience needs a validation set, and {args.dataset} has none")
    result = run_recipe(args.dataset, seed=args.seed, tape=args.tape, **changes)
    _report(args, result)
    if args.plot:
        train, held = result.train, result.validation
        inputs = train.inputs + (held.inputs if held is not None else [])
        targets = train.targets + (held.targets if held is not None else [])
        path = plot_training(result.history, args.plot, result.network, inputs, targets)
        print(f"wrote {path}")
    if args.save:
        path = save_network(result.network, args.save,
                            description=f"trained on {args.dataset}, seed {args.seed}")
        print(f"wrote {path}")
    return 0


def _mode(batch_size):
    return ("online" if batch_size == 1 else "full batch" if batch_size is None
            else f"mini-batches of {batch_size}")


def _stop_reason(recipe, history):
    if history.stopped == "target_error":
        return (f"the error threshold: E < {recipe.target_error:g}, summed over the "
                f"{history.train_size} training examples")
    if history.stopped == "patience":
        return f"patience: no better validation error for {recipe.patience} epochs"
    return "the epoch limit"


def _weights_kept(history):
    """Which epoch's weights the network holds, beside the epoch of the lowest validation error."""
    best, last = history.best_epoch, history.epochs
    lowest = history.mean_validation[best - 1]
    if history.stopped == "patience":
        return (f"The weights kept are epoch {best}'s, which has the lowest validation error "
                f"({lowest:.6f} per example).")
    if best == last:
        return f"The weights kept are the last epoch's, {last}, which has the lowest validation error."
    return (f"The weights kept are the last epoch's, {last} (validation error "
            f"{history.mean_validation[-1]:.6f} per example); the lowest, {lowest:.6f}, was at "
            f"epoch {best}. --patience N stops after N epochs without a better validation error "
            f"and keeps the best weights.")


def _report(args, result):
    recipe, history, network = result.recipe, result.history, result.network
    shape = "-".join(str(n) for n in [network.n_inputs, *network.layer_sizes])
    held = f", {len(result.validation)} for validation" if result.validation is not None else ""
    mode = _mode(recipe.batch_size)
    print(f"Training a {shape} sigmoid MLP on {args.dataset}: {len(result.train)} examples{held}")
    print(f"{recipe.optimizer} (η = {recipe.lr:g}), {mode} updates, at most {recipe.epochs} "
          f"epochs, seed {args.seed}")
    print("The error per example: E = ½Σ(t − o)², averaged over each set.")
    header = f"{'epoch':>7}   {'train E':>10}"
    if history.validation:
        header += f"   {'validation E':>12}"
    print(header)
    print("─" * len(header))
    step = max(1, history.epochs // 10)
    shown = sorted({1, history.epochs, history.best_epoch or 1,
                    *range(step, history.epochs + 1, step)})
    for epoch in shown:
        line = f"{epoch:>7}   {history.mean_train[epoch - 1]:>10.6f}"
        if history.validation:
            line += f"   {history.mean_validation[epoch - 1]:>12.6f}"
            if epoch == history.best_epoch:
                line += "   ← lowest validation E"
        print(line)
    print(f"Stopped after {history.epochs} epochs by {_stop_reason(recipe, history)}.")
    if history.validation:
        print(textwrap.fill(_weights_kept(history), 79))
    accuracy = f"Accuracy: {result.train_accuracy:.1%} on the training set"
    if result.validation_accuracy is not None:
        accuracy += f", {result.validation_accuracy:.1%} on the validation set"
    print(accuracy)
