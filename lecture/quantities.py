"""The lecture's quantities of a problem, each kind written once as a row: its rule serves numbers,
intervals (rounded inputs) and Symbols (the printed formula) alike, as the op table's rules do.

For a unit j after the inputs, weights w_ji and bias b_j, in the lecture's order (forward, error,
then backward from the output layer down with each layer's updates, then the verification pass):

=================  ===========================================================================
``net4``           Σ_i w_4i·x_i + b4 (x_i the inputs, or the outputs o_i of the layer before)
``o4``             σ(net4): the layer's activation
``slope4``         ∂o4/∂net4, the activation op's own rule: o4·(1 − o4) for σ, 1 − o4² for tanh
``signal4``        the error signal −∂E/∂o4 (``err4``): t6 − o6 at an output, Σ_k w_k4·δ_k hidden
``delta4``         δ4 = −∂E/∂net4 = slope4·signal4
``E``              the loss: ½Σ_k (t_k − o_k)² (or the problem's)
``dEdnet4``        ∂E/∂net4 = −δ4; ``dEdo4`` ∂E/∂o4; ``dEdw14`` ∂E/∂w14 = ∂E/∂net4·x1
``dw14``, ``db4``  Δw14 = η·δ4·x1, Δb4 = η·δ4
``w14_new``        w14 + Δw14 (``b4_new`` likewise)
``net4_new`` …     ``o4_new``, ``signal6_new`` (outputs), ``E_new``: the verification pass
=================  ===========================================================================

With the other sign (δ = ∂E/∂net) the error signal is ∂E/∂o and Δw = −η·δ·x. With several
examples or epochs, each pass has a scope: ``example2.net4``, ``epoch2.example1.delta6``; in
batch mode an epoch's update sums the examples' Δw (``epoch1.dw14``).
"""

import difflib
import math
import re
from collections import ChainMap
from collections.abc import Callable, Collection, Container, Mapping
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any, Protocol, overload

from autodiff import OPS, Symbol
from nn import weight_label

from .intervals import Interval, monotone
from .problem import Problem

__all__ = ["Kind", "KINDS", "Quantity", "Catalog", "activate", "slope_rule_text"]


# -- rules: each kind's formula, on floats, Intervals and Symbols --------------------------

def activate(activation, net):
    """o = activation(net), on a float, an Interval or a Symbol."""
    if activation == "identity":
        return net
    op = OPS[activation]
    if isinstance(net, Symbol):
        inner = net.text[1:-1] if re.fullmatch(r"\(-[\d.e+-]+\)", net.text) else net.text
        return Symbol(f"{op.symbol}({inner})")
    if isinstance(net, Interval):
        return monotone(op.forward, net)       # σ, tanh and relu never decrease
    return op.forward(net)


def slope_reads(activation):
    """Which of (o, net) the activation's derivative rule reads: out and/or its operand a."""
    if activation == "identity":
        return ()
    words = set(re.findall(r"[a-z]+", OPS[activation].formulas[0]))
    return tuple(name for name, word in (("o", "out"), ("net", "a")) if word in words)


def _slope_value(activation, out, net):
    if activation == "identity":
        return 1.0
    rule = OPS[activation].partials[0]
    if isinstance(out, Interval) or isinstance(net, Interval):
        # NOTE: the rule at the corners of the box: relu's [a > 0] cannot take an Interval.
        outs = (out.lo, out.hi) if isinstance(out, Interval) else (out,)
        nets = (net.lo, net.hi) if isinstance(net, Interval) else (net,)
        values = [rule(o, a) for o in outs for a in nets]
        return Interval(min(values), max(values))
    return rule(out, net)


def _reads(q, values):
    found = dict(zip(q.reads, values))
    return found.get("o"), found.get("net")


def rule_net(q, *v):
    """Σ w·x (+ b): values are w1, x1, …, wn, xn and, last, b (when q.bias)."""
    pairs = v[:-1] if q.bias else v
    total = None
    for w, x in zip(pairs[0::2], pairs[1::2]):
        total = w * x if total is None else total + w * x
    return total + v[-1] if q.bias else total


def rule_activate(q, net):
    return activate(q.activation, net)


def rule_slope(q, *v):
    out, net = _reads(q, v)
    return _slope_value(q.activation, out, net)


def rule_other_slope(q, *v):
    """A mistake: σ′ = o(1 − o) for a tanh unit, tanh′ = 1 − o² for a σ unit."""
    out, _ = _reads(q, v)
    other = {"tanh": "sigmoid", "sigmoid": "tanh"}[q.activation]
    return _slope_value(other, out, None)


def _difference(q, t, o):
    return o - t if q.sign == "gradient" else t - o


def rule_output_signal(q, t, o):
    """−∂E/∂o at an output (∂E/∂o with the other sign), for the problem's loss."""
    if q.loss == "squared_error":
        return _difference(q, t, o)
    if q.loss == "mean_squared_error":
        return _per(q, 2 * _difference(q, t, o))
    return _difference(q, t, o) / (_per(q, o) * (1 - o) if q.n == 1 else q.n * o * (1 - o))


def rule_flipped_signal(q, t, o):
    """A mistake: the error written the other way round (o − t for t − o)."""
    return rule_output_signal(q.but(sign="gradient" if q.sign == "lecture" else "lecture"), t, o)


def rule_hidden_signal(q, *v):
    """Σ_k w_kj·δ_k over the units k that unit j feeds."""
    total = None
    for w, delta in zip(v[0::2], v[1::2]):
        total = w * delta if total is None else total + w * delta
    return total


def rule_delta(q, slope, signal):
    return slope * signal


def rule_delta_flipped(q, slope, signal):
    """A mistake: δ with its sign flipped."""
    return -(slope * signal)


def rule_delta_no_slope(q, slope, signal):
    """A mistake: δ without the activation's derivative."""
    return signal


def rule_cross_entropy_delta(q, t, o):
    """δ of a σ output under cross-entropy: the σ′ cancels, δ = (t − o)/n."""
    return _per(q, _difference(q, t, o))


def _per(q, x):
    """x/n, for a loss that averages over n outputs; x itself when n is 1."""
    return x if q.n == 1 else x / q.n


def rule_negate(q, x):
    """∂E/∂net = −δ (∂E/∂o = −err) with the lecture's sign; the same with the other."""
    return x if q.sign == "gradient" else -x


def rule_times(q, a, *x):
    """∂E/∂w = ∂E/∂net·x (a bias's x is 1)."""
    return a * x[0] if x else a


def rule_update(q, eta, delta, *x):
    """Δw = η·δ·x (−η·δ·x with the other sign); a bias's x is 1."""
    if q.eta is not None:                 # a mistake: another η
        eta = q.eta
    if q.sign == "gradient":
        eta = -eta
    return eta * delta * x[0] if x else eta * delta


def rule_update_flipped(q, eta, delta, *x):
    """A mistake: the update with the wrong sign (gradient ascent)."""
    return -rule_update(q, eta, delta, *x)


def rule_zero(q, *v):
    """A parameter that does not change: Δ = 0."""
    return 0.0


def rule_sum(q, *v):
    total = v[0]
    for x in v[1:]:
        total = total + x
    return total


def rule_keep(q, w, *v):
    """A parameter that does not change: w_new = w."""
    return w


def rule_new_weight(q, w, dw):
    return w + dw


def rule_error(q, *v):
    """The loss over (t, o) pairs: ½Σ(t − o)², (1/n)Σ(t − o)² or cross-entropy."""
    pairs = list(zip(v[0::2], v[1::2]))
    if q.loss == "cross_entropy":
        terms = [_cross_entropy_term(t, o) for t, o in pairs]
        return _per(q, -rule_sum(q, *terms))
    total = rule_sum(q, *[(t - o) ** 2 for t, o in pairs])
    if q.loss == "mean_squared_error":
        return _per(q, total)
    return _half(total)


def rule_error_no_half(q, *v):
    """A mistake: E = Σ(t − o)² without the ½."""
    return rule_sum(q, *[(t - o) ** 2 for t, o in zip(v[0::2], v[1::2])])


def _half(x):
    return Symbol(f"½·{_wrapped(x)}") if isinstance(x, Symbol) else 0.5 * x


def _wrapped(x):
    text = x.text
    return text if re.fullmatch(r"[\w.²]+", text) or _one_group(text) else f"({text})"


def _one_group(text):
    """True for "(a − b)" or "(a − b)²", not for "(a − b)² + (c − d)²"."""
    if not re.fullmatch(r"\(.*\)²?", text):
        return False
    depth = 0
    for k, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return text[k + 1:] in ("", "²")
    return False


def _cross_entropy_term(t, o):
    if isinstance(o, Symbol):
        return Symbol(f"{t.text}·log({o.text}) + (1 − {t.text})·log(1 − {o.text})", 1)
    if isinstance(o, Interval) or isinstance(t, Interval):
        return t * Interval.of(o).log() + (1 - t) * (1 - Interval.of(o)).log()
    return _log_term(t, o) + _log_term(1 - t, 1 - o)


def _log_term(weight, p):
    if weight == 0:
        return 0.0
    if p <= 0:
        raise ValueError("log of a non-positive number")
    return weight * math.log(p)


# -- kinds ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    """One lecture quantity: its canonical name and display patterns, what it means, its rule.

    In the patterns {j} is the unit and {w} the weight's label (w14, b4).
    """

    name: str
    pattern: str
    display: str
    meaning: str
    rule: "Callable[..., Any]"   # on floats, Intervals or Symbols (formulas): polymorphic


KINDS = {k.name: k for k in [
    Kind("net", "net{j}", "net{j}", "the weighted sum Σ w·x + b into unit j", rule_net),
    Kind("o", "o{j}", "o{j}", "unit j's output, its activation of net", rule_activate),
    Kind("slope", "slope{j}", "∂o{j}/∂net{j}", "the activation's derivative ∂o/∂net", rule_slope),
    Kind("E", "E", "E", "the error of the example", rule_error),
    Kind("signal", "signal{j}", "err{j}", "the error signal −∂E/∂o (t − o at an output, Σ w·δ "
         "at a hidden unit)", rule_hidden_signal),
    Kind("delta", "delta{j}", "δ{j}", "the error term δ = −∂E/∂net", rule_delta),
    Kind("dEdo", "dEdo{j}", "∂E/∂o{j}", "the gradient ∂E/∂o", rule_negate),
    Kind("dEdnet", "dEdnet{j}", "∂E/∂net{j}", "the gradient ∂E/∂net", rule_negate),
    Kind("dEdw", "dEd{w}", "∂E/∂{w}", "the gradient ∂E/∂w = ∂E/∂net·x", rule_times),
    Kind("dw", "d{w}", "Δ{w}", "the update Δw = η·δ·x", rule_update),
    Kind("w_new", "{w}_new", "{w}_new", "the new weight w + Δw", rule_new_weight),
    Kind("net_new", "net{j}_new", "net{j}_new", "net with the new weights", rule_net),
    Kind("o_new", "o{j}_new", "o{j}_new", "o with the new weights", rule_activate),
    Kind("signal_new", "signal{j}_new", "err{j}_new", "the error signal with the new weights",
         rule_output_signal),
    Kind("E_new", "E_new", "E_new", "the error with the new weights", rule_error),
]}


@dataclass(eq=False, slots=True)      # NOTE: not frozen: a frozen __init__ is 3× slower
class Quantity:
    """One quantity of a problem: its kind, scope, unit or weight, the values it is computed
    from (``inputs``, names in the rule's order) and what its rule needs besides them."""

    name: str                 # canonical, with its scope: delta4, example2.dw14
    kind: Kind
    inputs: tuple
    rule: "Callable[..., Any]"
    scope: str = ""
    unit: str | None = None
    label: str | None = None  # the weight or bias (w14, b4) of dEdw, dw and w_new
    activation: str | None = None
    reads: tuple = ()         # slope: which of ("o", "net") the rule reads
    loss: str | None = None
    n: int = 1
    sign: str = "lecture"
    bias: bool | None = None  # net: a bias term last; dw: True for a bias; E: False drops ½
    output: bool = False
    frozen: bool = False
    given: float | None = None
    eta: float | None = None  # a mistake's η in place of the problem's

    def but(self, **changes: Any) -> "Quantity":
        """This quantity with ``changes`` (as ``dataclasses.replace``, which a checked class
        calls tens of thousands of times at four times the cost)."""
        values = list(_FIELD_VALUES(self))
        for name, value in changes.items():
            values[_FIELD_INDEX[name]] = value
        return Quantity(*values)

    @property
    def base(self):
        """The name without its scope: delta4."""
        return self.name.rsplit(".", 1)[-1]

    def display(self):
        """As the lecture writes it: δ4, Δw14, w14_new (the scope after it: δ4 (example 2))."""
        text = self.kind.display.format(j=self.unit, w=self.label)
        if self.kind.name == "dw" and self.label is not None and self.label.startswith("b"):
            text = f"Δ{self.label}"
        return text + (f" ({scope_text(self.scope)})" if self.scope else "")

    def evaluate(self, values):
        """The rule on ``values`` (the inputs' values in order); NaN where it is undefined
        (a log of 0 from someone's o = 1, a division by 0)."""
        try:
            return self.rule(self, *values)
        except (ArithmeticError, ValueError):
            if any(isinstance(v, Interval) for v in values):
                return Interval(math.nan, math.nan)
            return math.nan


_FIELD_NAMES = tuple(f.name for f in fields(Quantity))
_FIELD_INDEX = {name: k for k, name in enumerate(_FIELD_NAMES)}
_FIELD_VALUES = attrgetter(*_FIELD_NAMES)


def scope_text(scope):
    """example2 → example 2; epoch2.example1 → epoch 2, example 1."""
    return ", ".join(re.sub(r"(\D+)(\d+)", r"\1 \2", part) for part in scope.split("."))


def slope_rule_text(activation, o="o", net="net"):
    """The activation's derivative in a unit's names: o·(1 − o), 1 − o², [net > 0], 1."""
    if activation == "identity":
        return "1"
    return str(OPS[activation].partials[0](Symbol(o), Symbol(net)))


# -- the catalog ---------------------------------------------------------------------------

class MistakeRule(Protocol):
    """What the catalog asks of a typical mistake (``lecture.mistakes.Mistake``, which imports
    this module): q as the mistake computes it, or None where it does not change q."""

    def apply(self, q: "Quantity", catalog: "Catalog") -> "Quantity | None": ...


class Catalog:
    """Every quantity of a problem in the lecture's order, the givens (``constants``) and the
    arithmetic over them: ``evaluate``, ``cone``, ``formula``, ``numbers``."""

    problem: Problem
    constants: "dict[str, float]"           # weights, biases, x, t, η: name → float
    quantities: "dict[str, Quantity]"       # name → Quantity, in the lecture's order

    def __init__(self, problem: Problem):
        self.problem = problem
        self.constants = {}           # weights, biases, x, t, η: name → float
        self.quantities = {}          # name → Quantity, in the lecture's order
        self._position = {}
        self._build()

    # -- building --------------------------------------------------------------------------
    def _add(self, name, kind, inputs, rule=None, **fields):
        q = Quantity(name, KINDS[kind], tuple(inputs), rule or KINDS[kind].rule, **fields)
        self._position[name] = len(self.quantities)
        self.quantities[name] = q
        return q

    def _build(self):
        p = self.problem
        for label, value in p.weights.items():
            if value is not None:
                self.constants[label] = float(value)
        self.constants["eta"] = float(p.eta)
        several = len(p.examples) > 1
        for d, example in enumerate(p.examples, 1):
            prefix = f"example{d}." if several else ""
            for unit, x in zip(p.inputs, example.x):
                if x is not None:
                    self.constants[prefix + p.input_label(unit)] = float(x)
            for unit, t in zip(p.outputs, example.t):
                if t is not None:
                    self.constants[prefix + p.target_label(unit)] = float(t)
        weights = {label: label for label in p.weights}
        for epoch in range(1, p.epochs + 1):
            if p.mode == "online":
                for d in range(1, len(p.examples) + 1):
                    weights = self._pass(self.scope(epoch, d), d, weights, update=True)
            else:
                scopes = [self.scope(epoch, d) for d in range(1, len(p.examples) + 1)]
                for d, scope in enumerate(scopes, 1):
                    self._pass(scope, d, weights, update=False)
                weights = self._batch_update(self.scope(epoch, None), scopes, weights)
        if p.steps == 1 and len(p.examples) == 1:
            self._verification(weights)
        self._apply_given()

    def scope(self, epoch: int, example: int | None) -> str:
        """The scope of a pass (epoch, example) or, with example None, of a batch update."""
        parts = []
        if self.problem.epochs > 1:
            parts.append(f"epoch{epoch}")
        if example is not None and len(self.problem.examples) > 1:
            parts.append(f"example{example}")
        return ".".join(parts)

    def _forward(self, scope, d, weights, suffix=""):
        """net, o (and slope, unless ``suffix``) of every unit; returns the name of each unit's o."""
        p = self.problem
        name = lambda base: f"{scope}.{base}" if scope else base
        example = f"example{d}." if len(p.examples) > 1 else ""
        source = {u: example + p.input_label(u) for u in p.inputs}
        kinds = ("net_new", "o_new") if suffix else ("net", "o")
        for k in range(1, len(p.unit_names)):
            activation = p.activations[k - 1]
            outputs = {}
            for j in p.unit_names[k]:
                inputs = []
                for i in p.unit_names[k - 1]:
                    inputs += [weights[weight_label(i, j)], source[i]]
                net = self._add(name(f"net{j}{suffix}"), kinds[0], [*inputs, weights[f"b{j}"]],
                                scope=scope, unit=j, bias=True)
                out = self._add(name(f"o{j}{suffix}"), kinds[1], [net.name], scope=scope, unit=j,
                                activation=activation)
                if not suffix:
                    reads = slope_reads(activation)
                    self._add(name(f"slope{j}"), "slope",
                              [{"o": out.name, "net": net.name}[r] for r in reads], scope=scope,
                              unit=j, activation=activation, reads=reads)
                outputs[j] = out.name
            source = outputs
        return source

    def _error_inputs(self, scope, d, outputs):
        example = f"example{d}." if len(self.problem.examples) > 1 else ""
        inputs = []
        for k in self.problem.outputs:
            inputs += [example + self.problem.target_label(k), outputs[k]]
        return inputs

    def _n(self, batch):
        p = self.problem
        return len(p.outputs) * (len(p.examples) if batch else 1)

    def _pass(self, scope, d, weights, update):
        p = self.problem
        name = lambda base: f"{scope}.{base}" if scope else base
        outputs = self._forward(scope, d, weights)
        n = self._n(batch=not update)
        self._add(name("E"), "E", self._error_inputs(scope, d, outputs), scope=scope, loss=p.loss,
                  n=n)
        example = f"example{d}." if len(p.examples) > 1 else ""
        last = len(p.unit_names) - 1
        for k in range(last, 0, -1):
            activation = p.activations[k - 1]
            for j in p.unit_names[k]:
                common = dict(scope=scope, unit=j, sign=p.sign)
                if k == last:
                    self._add(name(f"signal{j}"), "signal", [example + p.target_label(j), name(f"o{j}")],
                              rule_output_signal, loss=p.loss, n=n, output=True, **common)
                    if p.loss == "cross_entropy" and activation == "sigmoid":
                        self._add(name(f"delta{j}"), "delta", [example + p.target_label(j), name(f"o{j}")],
                                  rule_cross_entropy_delta, loss=p.loss, n=n, output=True,
                                  activation=activation, **common)
                    else:
                        self._add(name(f"delta{j}"), "delta", [name(f"slope{j}"), name(f"signal{j}")],
                                  output=True, activation=activation, **common)
                else:
                    inputs = []
                    for m in p.unit_names[k + 1]:
                        inputs += [weights[weight_label(j, m)], name(f"delta{m}")]
                    self._add(name(f"signal{j}"), "signal", inputs, **common)
                    self._add(name(f"delta{j}"), "delta", [name(f"slope{j}"), name(f"signal{j}")],
                              activation=activation, **common)
                self._add(name(f"dEdo{j}"), "dEdo", [name(f"signal{j}")], **common)
                self._add(name(f"dEdnet{j}"), "dEdnet", [name(f"delta{j}")], **common)
            for j in p.unit_names[k]:
                for i in (*p.unit_names[k - 1], None):
                    label = weight_label(i, j) if i is not None else f"b{j}"
                    x = [] if i is None else [example + p.input_label(i) if k == 1 else name(f"o{i}")]
                    common = dict(scope=scope, unit=j, label=label, sign=p.sign,
                                  frozen=label in p.frozen, bias=i is None)
                    self._add(name(f"dEd{label}"), "dEdw", [name(f"dEdnet{j}"), *x], **common)
                    # NOTE: a frozen parameter keeps its inputs, unused, for the mistake of updating it
                    self._add(name(f"d{label}"), "dw", ["eta", name(f"delta{j}"), *x],
                              rule_zero if label in p.frozen else None, **common)
                    if update:
                        self._new_weight(name, label, weights, name(f"d{label}"), common)
        return {label: name(f"{label}_new") for label in weights} if update else weights

    def _new_weight(self, name, label, weights, change, common):
        self._add(name(f"{label}_new"), "w_new", [weights[label], change],
                  rule_keep if common["frozen"] else None, **common)

    def _batch_update(self, scope, scopes, weights):
        p = self.problem
        name = lambda base: f"{scope}.{base}" if scope else base
        self._add(name("E"), "E", [f"{s}.E" for s in scopes], rule_sum, scope=scope)
        for c in p.connections:
            common = dict(scope=scope, unit=c.target, label=c.label, sign=p.sign,
                          frozen=c.label in p.frozen, bias=c.source is None)
            self._add(name(f"d{c.label}"), "dw", [f"{s}.d{c.label}" for s in scopes], rule_sum,
                      **common)
            self._new_weight(name, c.label, weights, name(f"d{c.label}"), common)
        return {label: name(f"{label}_new") for label in weights}

    def _verification(self, weights):
        p = self.problem
        outputs = self._forward("", 1, weights, suffix="_new")
        for k in p.outputs:
            self._add(f"signal{k}_new", "signal_new", [p.target_label(k), outputs[k]], rule_output_signal,
                      unit=k, loss=p.loss, n=self._n(False), sign=p.sign, output=True)
        inputs = []
        for k in p.outputs:
            inputs += [p.target_label(k), outputs[k]]
        self._add("E_new", "E_new", inputs, loss=p.loss, n=self._n(False))

    def _apply_given(self):
        """Quantities the problem gives outright; drop what the problem leaves undetermined."""
        for key, value in self.problem.given.items():
            if key not in self.quantities:
                near = difflib.get_close_matches(key, list(self.quantities), 3, 0.5)
                raise ValueError(f"{self.problem.name}: [given] {key}: not a quantity of this problem"
                                 + (f" (did you mean {', '.join(near)}?)" if near else ""))
            q = self.quantities[key]
            self.quantities[key] = q.but(inputs=(), rule=_given_rule, given=float(value))
        known = set(self.constants)
        for name, q in list(self.quantities.items()):
            if all(i in known for i in q.inputs):
                known.add(name)
            else:
                del self.quantities[name]
        self._position = {name: k for k, name in enumerate(self.quantities)}

    # -- reading ---------------------------------------------------------------------------
    @property
    def names(self) -> "list[str]":
        return list(self.quantities)

    def position(self, name: str) -> int:
        """Where a quantity stands in the lecture's order (givens first, at −1)."""
        return self._position.get(name, -1)

    @overload
    def evaluate(self, fixed: "Mapping[str, float] | None" = None, mistake: "MistakeRule | None" = None,
                 names: "Collection[str] | None" = None, only: bool = False,
                 known: "Mapping[str, float] | None" = None) -> "dict[str, float]": ...
    @overload
    def evaluate(self, fixed: "Mapping[str, float | Interval] | None" = None, mistake: "MistakeRule | None" = None,
                 names: "Collection[str] | None" = None, only: bool = False,
                 known: "Mapping[str, float | Interval] | None" = None) -> "dict[str, float | Interval]": ...
    def evaluate(self, fixed: "Mapping[str, float | Interval] | None" = None, mistake: "MistakeRule | None" = None,
                 names: "Collection[str] | None" = None, only: bool = False,
                 known: "Mapping[str, float | Interval] | None" = None) -> "dict[str, Any]":
        """Every quantity (or ``names`` and what they need), in order, each from the values
        before it; where ``fixed`` (a mapping) holds a value, that value is used instead (a
        person's answer, or a given copied differently). With ``mistake``, the quantities it
        changes use its rule, except the fixed. With ``only``, just ``names`` are computed and
        every other input is read from ``fixed``. ``known`` holds values computed before with
        the same mistake, used as they are. Returns name → value of the quantities computed or
        fixed on the way (floats, or Intervals where ``fixed`` holds Intervals)."""
        fixed = {} if fixed is None else fixed
        known = {} if known is None else known
        constants, values = self.constants, {}
        if names is None:
            todo = self.quantities
        elif only:
            todo = sorted(names, key=self._position.__getitem__)
        else:
            todo = self.cone(names, stop=(fixed, known), mistake=mistake)
        for name in todo:
            if not only and (name in fixed or name in known):
                values[name] = fixed[name] if name in fixed else known[name]
                continue
            q = self.quantities[name]
            if mistake is not None:
                q = mistake.apply(q, self) or q
            args = []
            for i in q.inputs:
                args.append(values[i] if i in values else fixed[i] if i in fixed
                            else known[i] if i in known else constants[i])
            values[name] = q.evaluate(args)
        return values

    def cone(self, names: "Collection[str]",
             stop: "Container[str] | tuple[Container[str], ...]" = (),
             mistake: "MistakeRule | None" = None) -> "list[str]":
        """``names`` and every quantity they are computed from (as ``mistake`` computes them,
        if given), up to and including those in ``stop`` (a collection, or a tuple of them):
        in the lecture's order. Iterative, so depth is no limit."""
        stops = stop if isinstance(stop, tuple) else (stop,)
        seen, stack = set(), [n for n in names if n in self.quantities]
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            if name not in names and any(name in s for s in stops):
                continue
            q = self.quantities[name]
            if mistake is not None:
                q = mistake.apply(q, self) or q
            for i in q.inputs:
                if i in self.quantities and i not in seen:
                    stack.append(i)
        return sorted(seen, key=self._position.__getitem__)

    # -- text ------------------------------------------------------------------------------
    def display(self, name: str) -> str:
        """A name as the lecture writes it: δ6, Δw46, w46_new; givens as they are (w46, x1, η)."""
        if name in self.quantities:
            return self.quantities[name].display()
        if name == "eta":
            return "η"
        return name.rsplit(".", 1)[-1]

    def _term(self, name, scope):
        """How an input shows inside a formula of ``scope``: its name, a weight updated in an
        earlier step as the weight itself (w14)."""
        if name in self.quantities:
            q = self.quantities[name]
            if q.scope != scope and q.kind.name == "w_new":
                return q.label
            text = q.kind.display.format(j=q.unit, w=q.label)
            return f"Δ{q.label}" if q.kind.name == "dw" and (q.label or "").startswith("b") else text
        return self.display(name)

    def formula(self, name: str, mistake: "MistakeRule | None" = None,
                inline: "Collection[str]" = ("slope", "signal")) -> str:
        """``name``'s formula in the lecture's symbols: δ6 = o6·(1 − o6)·(t6 − o6); the slope
        and the error signal are written out, as the lecture does."""
        q = self.quantities[name]
        return f"{self._term(name, q.scope)} = {self._symbolic(name, self._name_symbol, mistake, inline)}"

    def numbers(self, name: str, values: "Mapping[str, float | Interval]", mistake: "MistakeRule | None" = None,
                inline: "Collection[str]" = ("slope", "signal"), keep: "Mapping[str, str] | None" = None) -> str:
        """The same formula with the numbers that go in (from ``values``); an input in ``keep``
        (name → the text someone wrote for it) is shown as written, not written out."""
        # NOTE: not a copy: called per wrong value (ChainMap only reads here; typeshed wants mutable maps)
        values = ChainMap(values, self.constants)  # pyright: ignore[reportArgumentType]
        keep = keep or {}

        def term(n, scope):
            if n in keep:
                text = keep[n]
                return Symbol(f"({text})" if text.startswith("-") else text)
            return _number_symbol(values[n])
        return str(self._symbolic(name, term, mistake, inline, keep))

    def _name_symbol(self, name, scope):
        return Symbol(self._term(name, scope))

    def _symbolic(self, name, term, mistake, inline, keep=()):
        q = self.quantities[name]
        if mistake is not None:
            q = mistake.apply(q, self) or q
        if q.given is not None:
            return _number_symbol(q.given)
        symbols = []
        for i in q.inputs:
            inner = self.quantities.get(i)
            if inner is not None and inner.kind.name in inline and i not in keep \
                    and inner.given is None and inner.scope == q.scope:
                symbols.append(self._symbolic(i, term, mistake, (), keep))
            else:
                symbols.append(term(i, q.scope))
        return q.rule(q, *symbols)

    def help_text(self) -> str:
        """The names this problem's quantities have, as patterns over its units."""
        p = self.problem
        units = ", ".join(p.units)
        labels = [c.label for c in p.connections]
        scoped = ""
        scopes = list(dict.fromkeys(q.scope for q in self.quantities.values() if q.scope))
        if scopes:
            scoped = (f"; with several passes, in a table per pass ({', '.join(scopes[:3])}"
                      f"{' …' if len(scopes) > 3 else ''}) or prefixed: {scopes[0]}.net4")
        return (f"net<j>, o<j>, delta<j> (δ<j>), signal<j> (err<j>), slope<j> for units {units}; "
                f"E; dw<ij>/db<j> (Δw, Δb), <w>_new, dEd<w> (∂E/∂w) for {labels[0]} … {labels[-1]}"
                + ("; net<j>_new, o<j>_new, E_new" if "E_new" in self.quantities else "")
                + f"{scoped}; or an expression of these and the givens (w14, x1, t6, eta) such "
                  f"as \"w46*delta6\"")


def _given_rule(q):
    return q.given


def _number_symbol(x, digits=5):
    """A number as a term of a printed formula: 0.33181, or (-0.3) in parentheses."""
    if isinstance(x, Interval):
        x = x.mid
    if x < 0:
        return Symbol(f"(-{-x:.{digits}g})")
    return Symbol(f"{x:.{digits}g}")
