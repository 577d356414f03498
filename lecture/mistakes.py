"""The typical mistakes of hand backpropagation, each one record: what it changes, why it is wrong, its formula.

A mistake changes the rule (or the inputs) of some kinds of quantity; the checker recomputes a
wrong value with it and names it only when it reproduces the written value to its digits. The
texts follow the unit's activation: o(1 − o) for σ, 1 − o² for tanh.
"""

from collections.abc import Callable
from dataclasses import dataclass

from nn import weight_label

from . import quantities as Q
from .problem import Problem

__all__ = ["Mistake", "MISTAKES", "eta_mistake", "DIAGNOSES"]


@dataclass(frozen=True)
class Mistake:
    """A typical slip: ``id``; the kinds of quantity whose own formula it changes (``kinds``);
    ``applies(q, catalog)``, whether it can happen at quantity q; ``change(q, catalog)``, q as
    the mistake computes it; ``explain(q, catalog)``, what went wrong in words;
    ``hides(q, catalog)``, what a right value does not show when the mistake gives it too."""

    id: str
    title: str
    kinds: tuple
    applies: "Callable[[Q.Quantity, Q.Catalog], bool]"
    change: "Callable[[Q.Quantity, Q.Catalog], Q.Quantity]"
    explain: "Callable[[Q.Quantity, Q.Catalog], str]"
    hides: "Callable[[Q.Quantity, Q.Catalog], str]"
    eta: float | None = None

    def changes(self, q: "Q.Quantity", catalog: "Q.Catalog") -> bool:
        """True if the mistake changes q's own formula."""
        return q.kind.name in self.kinds and q.given is None and self.applies(q, catalog)

    def apply(self, q: "Q.Quantity", catalog: "Q.Catalog") -> "Q.Quantity | None":
        """q as the mistake computes it, or None where it does not change q."""
        return self.change(q, catalog) if self.changes(q, catalog) else None


def _updated(q):
    """The weight a new value updates: w46 for w46_new."""
    assert q.label is not None   # a w_new quantity names its weight
    return q.label.removesuffix("_new")


def _o(q):
    return f"o{q.unit}"


def _slope_text(q, activation=None):
    return Q.slope_rule_text(activation or q.activation, _o(q), f"net{q.unit}")


def _error_text(q):
    t = Problem.target_label(q.unit)
    right, wrong = (f"{t} − o{q.unit}", f"o{q.unit} − {t}")
    if q.sign == "gradient":
        right, wrong = wrong, right
    return right, wrong


def _flipped_error(q, catalog):
    if q.kind.name == "delta":
        return q.but(rule=rule_cross_entropy_delta_flipped)
    return q.but(rule=Q.rule_flipped_signal)


def rule_cross_entropy_delta_flipped(q, t, o):
    return -Q.rule_cross_entropy_delta(q, t, o)


def _flipped_error_applies(q, catalog):
    return q.output and (q.kind.name != "delta" or q.rule is Q.rule_cross_entropy_delta)


def _new_weights(q, catalog):
    inputs = list(q.inputs)
    prefix = f"{q.scope}." if q.scope else ""
    for k in range(1, len(inputs), 2):
        downstream = catalog.quantities[inputs[k]].unit
        inputs[k - 1] = f"{prefix}{weight_label(q.unit, downstream)}_new"
    return q.but(inputs=tuple(inputs))


def _new_weights_applies(q, catalog):
    if q.output or not q.inputs:
        return False
    prefix = f"{q.scope}." if q.scope else ""
    downstream = catalog.quantities[q.inputs[1]].unit
    return f"{prefix}{weight_label(q.unit, downstream)}_new" in catalog.quantities


def _slope_of_net(q, catalog):
    net = f"{q.scope}.net{q.unit}" if q.scope else f"net{q.unit}"
    return q.but(inputs=(net,), reads=("o",))


def _eta_text(q, catalog, mistake):
    eta = catalog.problem.eta
    if mistake.eta == 1.0:
        return f"η is left out of Δ{q.label} (η = {eta:g})"
    return f"η = {mistake.eta:g} is used instead of η = {eta:g}"


def _is_weight_update(q, catalog):
    return not q.frozen and q.rule is not Q.rule_sum


def rule_new_weight_flipped(q, w, dw):
    """A mistake: the new weight as w − Δw, when Δw is already the step (+η·δ·x)."""
    return w - dw


def _update_sign_applies(q, catalog):
    if q.kind.name == "w_new":
        return not q.frozen and q.rule is Q.rule_new_weight
    return _is_weight_update(q, catalog)


def _update_sign(q, catalog):
    if q.kind.name == "w_new":
        return q.but(rule=rule_new_weight_flipped)
    return q.but(rule=Q.rule_update_flipped)


MISTAKES = (
    Mistake("flipped_error", "the error written the other way round (o − t for t − o)",
            ("signal", "signal_new", "delta"), _flipped_error_applies,
            _flipped_error,
            lambda q, c: (f"the error is written as {_error_text(q)[1]}; it is "
                          f"{_error_text(q)[0]} (δ = {'−' if q.sign == 'lecture' else ''}∂E/∂net)"),
            lambda q, c: f"the error is {_error_text(q)[0]} rather than {_error_text(q)[1]}"),
    Mistake("flipped_delta", "the sign of a hidden unit's δ flipped",
            ("delta",), lambda q, c: not q.output and q.rule is Q.rule_delta,
            lambda q, c: q.but(rule=Q.rule_delta_flipped),
            lambda q, c: (f"the sign of δ{q.unit} is flipped: δ{q.unit} = {_slope_text(q)}·"
                          f"Σ w·δ, with the downstream δ as they are"),
            lambda q, c: f"δ{q.unit} has the right sign"),
    Mistake("no_slope", "δ without the activation's derivative ∂o/∂net",
            ("delta",),
            lambda q, c: q.rule is Q.rule_delta and q.activation != "identity",
            lambda q, c: q.but(rule=Q.rule_delta_no_slope),
            lambda q, c: (f"the factor ∂o/∂net = {_slope_text(q)} is missing from δ{q.unit}"),
            lambda q, c: f"δ{q.unit} has the factor {_slope_text(q)}"),
    Mistake("other_slope", "the derivative of the other activation (σ′ for tanh, or tanh′ for σ)",
            ("slope",), lambda q, c: q.activation in ("sigmoid", "tanh"),
            lambda q, c: q.but(rule=Q.rule_other_slope),
            lambda q, c: (f"{_other_slope_text(q)} "
                          f"is used for a {'tanh' if q.activation == 'tanh' else 'σ'} unit, whose "
                          f"derivative is {_slope_text(q)}"),
            lambda q, c: f"the derivative is {_slope_text(q)}"),
    Mistake("slope_of_net", "∂o/∂net computed from net instead of o",
            ("slope",), lambda q, c: "o" in q.reads, _slope_of_net,
            lambda q, c: (f"∂o/∂net = {_slope_text(q)} is computed from net{q.unit} instead of "
                          f"o{q.unit}"),
            lambda q, c: f"∂o/∂net is computed from o{q.unit} rather than net{q.unit}"),
    Mistake("new_weights", "a hidden δ from the updated weights instead of the old",
            ("signal",), _new_weights_applies, _new_weights,
            lambda q, c: (f"δ{q.unit} of a hidden unit uses the updated weights (w_new) instead of "
                          f"the old ones; every δ comes from the old weights"),
            lambda q, c: "the old weights are used"),
    Mistake("no_bias", "the bias left out of net",
            ("net", "net_new"), lambda q, c: q.bias is True,
            lambda q, c: q.but(inputs=q.inputs[:-1], bias=False),
            lambda q, c: (f"the bias b{q.unit} is left out of net{q.unit} "
                          f"(net = Σ w·x + b)"),
            lambda q, c: f"the bias b{q.unit} is in net{q.unit}"),
    Mistake("bias_not_updated", "a bias not updated",
            ("dw",),
            lambda q, c: q.bias is True and _is_weight_update(q, c),
            lambda q, c: q.but(rule=Q.rule_zero),
            lambda q, c: f"the bias b{q.unit} is not updated (Δb{q.unit} = η·δ{q.unit})",
            lambda q, c: f"b{q.unit} is updated"),
    Mistake("frozen_updated", "a fixed parameter updated",
            ("dw", "w_new"), lambda q, c: q.frozen,
            lambda q, c: q.but(rule=Q.rule_update if q.kind.name == "dw" else Q.rule_new_weight),
            lambda q, c: f"{q.label} is updated, but this problem keeps it fixed",
            lambda q, c: f"{q.label} is kept fixed"),
    Mistake("update_sign", "the update with the wrong sign",
            ("dw", "w_new"), _update_sign_applies, _update_sign,
            lambda q, c: (f"the update has the wrong sign: the new value is {_updated(q)} "
                          f"+ Δ{_updated(q)}, not {_updated(q)} − Δ{_updated(q)}" if q.kind.name == "w_new" else
                          "the update has the wrong sign: with δ = −∂E/∂net it is Δw = +η·δ·x"
                          if q.sign == "lecture" else
                          "the update has the wrong sign: with δ = ∂E/∂net it is Δw = −η·δ·x"),
            lambda q, c: "the update's sign is right"),
    Mistake("no_half", "the ½ left out of E",
            ("E", "E_new"),
            lambda q, c: q.loss == "squared_error" and q.rule is Q.rule_error,
            lambda q, c: q.but(rule=Q.rule_error_no_half),
            lambda q, c: "the ½ is left out of E = ½Σ(t − o)²",
            lambda q, c: "E has its ½"),
)


def eta_mistake(eta):
    """The mistake of computing Δw with learning rate ``eta`` (1: η left out)."""
    mistake = Mistake("eta", "η left out of Δw" if eta == 1 else f"η = {eta:g} used", ("dw",),
                      _is_weight_update,
                      lambda q, c: q.but(eta=float(eta)),
                      lambda q, c: _eta_text(q, c, mistake),
                      lambda q, c: f"η = {c.problem.eta:g} is used", float(eta))
    return mistake


# What the checker says when no mistake record explains a value, or a value is too rough.
DIAGNOSES = {
    "digit_slip": "a digit slip: two digits swapped, or one digit mistyped",
    "arithmetic_slip": "an arithmetic slip: no typical mistake gives this value",
    "rounded_early": "rounded too early: a value with fewer significant digits than asked",
    "unreadable": "unreadable: a value that cannot be read as a number",
    "too_rough": "too rough to check: a value that shows no significant digit of the exact value",
    "changed_given": "a given of the problem copied with a different value",
}


def _other_slope_text(q):
    """The slope of the other activation, as a student who mixed them up used it."""
    if q.activation == "tanh":
        return "σ′ = " + _slope_text(q, "sigmoid")
    return "tanh′ = " + _slope_text(q, "tanh")
