"""The lecture's quantities for a derivation: names, formulas, exact values and recomputations.

For a network with units j (after the inputs), weights w_ji and biases b_j, in the lecture's
order (forward, error, backward from the output layer down with each layer's updates, then the
verification pass with the new weights):

=================  ===========================================================================
``net4``           Σ_i w_4i·x_i + b4 (x_i the inputs, or the outputs o_i of the layer before)
``o4``             σ(net4) — the layer's activation op
``slope4``         ∂o4/∂net4 as the activation's rule writes it: o4·(1 − o4) for σ
``signal4``        the error signal −∂E/∂o4: t6 − o6 at an output, Σ_k w_k4·δ_k at a hidden unit
``delta4``         δ4 = −∂E/∂net4 = slope4·signal4
``E``              ½ Σ_k (t_k − o_k)²
``dw14``, ``db4``  Δw14 = η·δ4·x1, Δb4 = η·δ4
``w14_new``        w14 + Δw14 (``b4_new`` likewise)
``net4_new``       …, ``o4_new``, ``signal6_new`` (outputs only), ``E_new``: the verification pass
=================  ===========================================================================

Aliases: ``δ4`` for delta4, ``Δw14``/``Δb4`` for dw14/db4, ``err4`` for signal4, and
``w1,4`` for w14 anywhere. Formulas are written once, on numbers and on Symbols (their text), as
the op table's rules are; derivatives come from the engine (``autodiff.grad`` and ``op.partials``).
Every quantity can be recomputed from values a person wrote (``evaluate(given)``) and with one
of the typical mistakes applied (``MISTAKES``).
"""

import re
from dataclasses import dataclass

from autodiff import OPS, Value, grad
from autodiff.symbolic import Symbol

from nn.layers import weight_label
from nn.losses import squared_error
from .textbook import training_step

__all__ = ["Lecture", "Quantity", "Mistake", "MISTAKES", "eta_mistake"]


@dataclass(frozen=True)
class Quantity:
    """One named quantity of the lecture's training step."""

    name: str              # canonical: delta4, dw14, w14_new
    kind: str              # net, o, slope, signal, delta, E, dw, w_new, net_new, o_new, signal_new, E_new
    unit: str = None
    connection: object = None
    inputs: tuple = ()     # the quantities it is computed from


@dataclass(frozen=True)
class Mistake:
    """A typical slip, applied when recomputing: ``key`` says which, ``eta`` the η used."""

    key: str
    eta: float = None

    # kinds of quantity whose own formula the mistake changes
    DIRECT = {"delta_sign": ("delta",), "no_slope": ("delta",), "new_weights": ("signal", "delta"),
              "no_bias": ("net", "net_new"), "bias_not_updated": ("dw", "w_new"),
              "eta": ("dw",)}

    def describe(self, lecture):
        """What went wrong, in words."""
        if self.key == "delta_sign":
            return ("the sign of δ is flipped (δ = −∂E/∂net: o(1 − o)(t − o) at an output, "
                    "not o(1 − o)(o − t))")
        if self.key == "no_slope":
            return f"the factor ∂o/∂net = {lecture.slope_text()} is missing from δ"
        if self.key == "new_weights":
            return ("δ of a hidden unit used the updated weights (w_new) instead of the old ones; "
                    "every δ comes from the old weights")
        if self.key == "no_bias":
            return "the bias is left out of net (net_j = Σ_i w_ji·x_i + b_j)"
        if self.key == "bias_not_updated":
            return "the bias is not updated (Δb_j = η·δ_j·1)"
        if self.eta == 1.0:
            return f"η is left out of Δw = η·δ·x (η = {_plain(lecture.eta)})"
        return f"η = {_plain(self.eta)} is used instead of η = {_plain(lecture.eta)}"

    def changes(self, lecture, quantity):
        """True if the mistake changes ``quantity``'s own formula (not only what it is fed)."""
        if quantity.kind not in self.DIRECT[self.key]:
            return False
        if self.key == "bias_not_updated":
            return quantity.connection.source is None
        if self.key == "delta_sign":
            return quantity.unit in lecture.targets
        if self.key == "new_weights":
            return quantity.unit not in lecture.targets
        return True


MISTAKES = tuple(Mistake(key) for key in
                 ("delta_sign", "no_slope", "new_weights", "no_bias", "bias_not_updated"))


def eta_mistake(eta):
    """The mistake of using learning rate ``eta``."""
    return Mistake("eta", float(eta))


def _plain(x):
    return f"{x:.6g}"


def _number_symbol(x, digits=5):
    """A number as a term of a printed formula: 0.33181, or (-0.3) in parentheses."""
    if x < 0:
        return Symbol(f"(-{-x:.{digits}g})")
    return Symbol(f"{x:.{digits}g}")


class Lecture:
    """The quantities of one derivation: ``names``, ``lookup(key)``, ``exact()``, ``evaluate()``,
    and each quantity's formula as text (``formula(name)``, ``numbers(name, values)``)."""

    def __init__(self, derivation):
        self.derivation = derivation
        self.eta = derivation.eta
        names = derivation.unit_names
        self.inputs = names[0]
        self.outputs = names[-1]
        self.layer_of = {u: k for k in range(1, len(names)) for u in names[k]}
        self.activation = {u: derivation.activations[k - 1] for u, k in self.layer_of.items()}
        conns = derivation.connections
        self.into = {u: [c for c in conns if c.target == u] for u in self.layer_of}
        self.out_of = {u: [c for c in conns if c.source == u and c.layer == self.layer_of.get(u, 0) + 1]
                       for layer in names[1:-1] for u in layer}
        self.targets = dict(zip(self.outputs, derivation.t))
        self.constants = {c.label: derivation.weights[c.label] for c in conns}
        self.constants.update({f"x{u}": x for u, x in zip(self.inputs, derivation.x)})
        self.constants.update({f"t{u}": t for u, t in self.targets.items()})
        self.constants["eta"] = derivation.eta
        self.quantities = self._catalog(names)

    # -- the catalog -------------------------------------------------------------------------
    def _catalog(self, names):
        order = []

        def add(name, kind, unit=None, connection=None, inputs=()):
            order.append(Quantity(name, kind, unit, connection, tuple(inputs)))

        layers = [list(layer) for layer in names]
        for k in range(1, len(layers)):
            for u in layers[k]:
                sources = [] if k == 1 else [f"o{c.source}" for c in self.into[u] if c.source]
                add(f"net{u}", "net", u, inputs=sources)
                add(f"o{u}", "o", u, inputs=[f"net{u}"])
                add(f"slope{u}", "slope", u, inputs=self._slope_inputs(u))
        add("E", "E", inputs=[f"o{u}" for u in self.outputs])
        for k in range(len(layers) - 1, 0, -1):
            for u in layers[k]:
                if k == len(layers) - 1:
                    add(f"signal{u}", "signal", u, inputs=[f"o{u}"])
                else:
                    add(f"signal{u}", "signal", u,
                        inputs=[f"delta{c.target}" for c in self.out_of[u]])
                add(f"delta{u}", "delta", u, inputs=[f"slope{u}", f"signal{u}"])
            for u in layers[k]:
                for c in self.into[u]:
                    x = [f"o{c.source}"] if c.source and k > 1 else []
                    add(f"d{c.label}", "dw", u, c, inputs=[f"delta{u}", *x])
                    add(f"{c.label}_new", "w_new", u, c, inputs=[f"d{c.label}"])
        for k in range(1, len(layers)):
            for u in layers[k]:
                sources = [] if k == 1 else [f"o{c.source}_new" for c in self.into[u] if c.source]
                add(f"net{u}_new", "net_new", u,
                    inputs=[*sources, *[f"{c.label}_new" for c in self.into[u]]])
                add(f"o{u}_new", "o_new", u, inputs=[f"net{u}_new"])
        for u in self.outputs:
            add(f"signal{u}_new", "signal_new", u, inputs=[f"o{u}_new"])
        add("E_new", "E_new", inputs=[f"o{u}_new" for u in self.outputs])
        self._order = order
        return {q.name: q for q in order}

    def _slope_inputs(self, unit):
        """What the activation's rule reads: out (o4), its operand a (net4), or both."""
        activation = self.activation[unit]
        if activation == "identity":
            return ()
        words = set(re.findall(r"[a-z]+", OPS[activation].formulas[0]))
        return tuple(name for word, name in (("out", f"o{unit}"), ("a", f"net{unit}"))
                     if word in words)

    @property
    def names(self):
        """Every quantity's canonical name, in the lecture's order."""
        return [q.name for q in self._order]

    def lookup(self, key):
        """The Quantity a key names (canonical or alias), or None."""
        key = key.strip()
        for alias, canonical in (("δ", "delta"), ("Δ", "d"), ("err", "signal")):
            if key.startswith(alias):
                key = canonical + key[len(alias):]
        if key not in self.quantities and "," in key:
            prefix = "dw" if key.startswith("dw") else "w" if key.startswith("w") else None
            if prefix:
                body, _, suffix = key[len(prefix):].partition("_")
                if body.count(",") == 1:
                    source, target = body.split(",")
                    key = ("d" if prefix == "dw" else "") + weight_label(source, target) + \
                        (f"_{suffix}" if suffix else "")
        return self.quantities.get(key)

    def help_text(self):
        """The names a derivation may use, as patterns over this network's units."""
        units = ", ".join(self.layer_of)
        labels = [c.label for c in self.derivation.connections]
        return (f"net<j>, o<j>, slope<j>, signal<j> (err<j>), delta<j> (δ<j>) for units {units}; E; "
                f"dw<ij>/db<j> (Δw, Δb) and <w>_new for {labels[0]} … {labels[-1]}; "
                f"net<j>_new, o<j>_new; signal<k>_new for outputs {', '.join(self.outputs)}; E_new; "
                f"or an expression of these and the givens (w14, x1, t6, eta) such as \"w46*delta6\"")

    def slope_text(self, unit=None):
        """The activation's rule for ∂o/∂net, in o and net (or o4, net4): o·(1 − o)."""
        activation = self.activation[unit] if unit else self.derivation.activations[-1]
        if activation == "identity":
            return "1"
        suffix = unit or ""
        rule = OPS[activation].partials[0]
        return str(rule(Symbol(f"o{suffix}"), Symbol(f"net{suffix}")))

    # -- exact values ------------------------------------------------------------------------
    def exact(self):
        """Every quantity's exact value, from ``nn.textbook.training_step`` (the engine)."""
        step = training_step(self.derivation.network(), self.derivation.x, self.derivation.t,
                             self.derivation.eta)
        values = {"E": step.error, "E_new": step.new_error}
        for u in step.units:
            values.update({f"net{u.name}": u.net, f"o{u.name}": u.out, f"slope{u.name}": u.slope,
                           f"signal{u.name}": u.signal, f"delta{u.name}": u.delta})
        for u in step.new_units:
            values.update({f"net{u.name}_new": u.net, f"o{u.name}_new": u.out})
            if u.name in self.targets:
                values[f"signal{u.name}_new"] = u.signal
        for w in step.weights:
            values.update({f"d{w.label}": w.dw, f"{w.label}_new": w.w_new})
        return {name: values[name] for name in self.names}

    # -- recomputation -----------------------------------------------------------------------
    def evaluate(self, given=None, mistake=None):
        """Recompute every quantity in order, each from the values before it.

        Where ``given`` (name → number) holds a value, later quantities use it instead of the
        recomputed one. Returns ``(computed, values)``: ``computed[q]`` is q recomputed from
        the values before it, ``values[q]`` the value later quantities used.
        """
        given = given or {}
        computed, values = {}, {}
        for q in self._order:
            computed[q.name] = self._compute(q, values, mistake)
            values[q.name] = given.get(q.name, computed[q.name])
        return computed, values

    def variables(self, values):
        """The names an expression answer may use: the givens, the quantities and their
        aliases (err6, δ6, Δw46, Δb6)."""
        found = {**self.constants, **values}
        for name, value in values.items():
            for prefix, alias in (("signal", "err"), ("delta", "δ"), ("dw", "Δw"), ("db", "Δb")):
                if name.startswith(prefix):
                    found[alias + name[len(prefix):]] = value
        return found

    def recompute(self, name, values, mistake=None, given=()):
        """Quantity ``name`` from ``values`` (every quantity before it), with ``mistake``
        applied to its own formula only; a δ's signal counts as part of its formula unless
        it is among ``given``."""
        q = self.quantities[name]
        signal = f"signal{q.unit}"
        if q.kind == "delta" and signal not in given:
            values = {**values, signal: self._compute(self.quantities[signal], values, mistake, True)}
        return self._compute(q, values, mistake, local=True)

    def _compute(self, q, v, mistake, local=False):
        key = mistake.key if mistake else None
        c = self.constants
        if q.kind in ("net", "net_new"):
            new = q.kind == "net_new"
            return self._net(q.unit, lambda name: v[name] if name in v else c[name], new,
                             key != "no_bias")
        if q.kind in ("o", "o_new"):
            net = v[f"net{q.unit}" + ("_new" if q.kind == "o_new" else "")]
            activation = self.activation[q.unit]
            return net if activation == "identity" else OPS[activation].forward(net)
        if q.kind == "slope":
            activation = self.activation[q.unit]
            if activation == "identity":
                return 1.0
            return OPS[activation].partials[0](v[f"o{q.unit}"], v[f"net{q.unit}"])
        if q.kind in ("signal", "signal_new"):
            suffix = "_new" if q.kind == "signal_new" else ""
            if q.unit in self.targets:
                return _output_signal(v[f"o{q.unit}{suffix}"], self.targets[q.unit])
            label = "_new" if key == "new_weights" else ""
            pairs = [(v[f"{cn.label}_new"] if label else c[cn.label], v[f"delta{cn.target}"])
                     for cn in self.out_of[q.unit]]
            return _hidden_signal(v[f"o{q.unit}"], pairs)
        if q.kind == "delta":
            slope, signal = v[f"slope{q.unit}"], v[f"signal{q.unit}"]
            if key == "no_slope":
                return signal
            if key == "delta_sign" and (local or q.unit in self.targets):
                return -(slope * signal)         # o(1 − o)(o − t): hidden units pass it on
            return slope * signal
        if q.kind in ("E", "E_new"):
            suffix = "_new" if q.kind == "E_new" else ""
            return squared_error([v[f"o{u}{suffix}"] for u in self.outputs],
                                 [self.targets[u] for u in self.outputs])
        conn = q.connection
        if q.kind == "dw":
            if key == "bias_not_updated" and conn.source is None:
                return 0.0
            eta = mistake.eta if key == "eta" else self.eta
            return eta * v[f"delta{q.unit}"] * self._input(conn, lambda name: v.get(name, c.get(name)))
        if key == "bias_not_updated" and conn.source is None:
            return c[conn.label]
        return c[conn.label] + v[f"d{conn.label}"]       # w_new

    def _input(self, conn, term, new=False):
        """x_ji of a connection: the input x_i, the output o_i of the layer before, or 1 for a bias."""
        if conn.source is None:
            return 1.0
        if conn.layer == 1:
            return term(f"x{conn.source}")
        return term(f"o{conn.source}" + ("_new" if new else ""))

    def _net(self, unit, term, new, with_bias):
        """Σ_i w_ji·x_i + b_j, on numbers or Symbols (``term`` gives each name's value)."""
        suffix = "_new" if new else ""
        weights = [cn for cn in self.into[unit] if cn.source is not None]
        total = None
        for cn in weights:
            product = term(cn.label + suffix) * self._input(cn, term, new)
            total = product if total is None else total + product
        if with_bias:
            total = total + term(f"b{unit}" + suffix)
        return total

    # -- formulas as text --------------------------------------------------------------------
    def formula(self, name):
        """Quantity ``name``'s formula in the lecture's symbols: δ6 = o6·(1 − o6)·(t6 − o6)."""
        return f"{self.display(name)} = {self._symbolic(self.quantities[name], self._name_term)}"

    def numbers(self, name, values):
        """The same formula with the numbers that go in (from ``values`` and the givens)."""
        all_values = self.variables(values)
        return str(self._symbolic(self.quantities[name],
                                  lambda ref: _number_symbol(all_values[ref])))

    def display(self, name):
        """A name as the lecture prints it: δ6, Δw46, Δb6, η; others unchanged."""
        if name.startswith("delta"):
            return "δ" + name[5:]
        if name.startswith("dw") or name.startswith("db"):
            return "Δ" + name[1:]
        return "η" if name == "eta" else name

    def _name_term(self, ref):
        return Symbol(self.display(ref))

    def _symbolic(self, q, term):
        kind, unit = q.kind, q.unit
        if kind in ("net", "net_new"):
            return self._net(unit, term, kind == "net_new", True)
        if kind in ("o", "o_new"):
            net = term(f"net{unit}" + ("_new" if kind == "o_new" else ""))
            activation = self.activation[unit]
            if activation == "identity":
                return net
            inner = str(net)[1:-1] if str(net).startswith("(-") else str(net)
            return Symbol(f"{OPS[activation].symbol}({inner})")
        if kind in ("slope", "delta"):
            activation = self.activation[unit]
            slope = (Symbol("1") if activation == "identity" else
                     OPS[activation].partials[0](term(f"o{unit}"), term(f"net{unit}")))
            if kind == "slope":
                return slope
            return slope * self._signal(unit, term, "")
        if kind in ("signal", "signal_new"):
            return self._signal(unit, term, "_new" if kind == "signal_new" else "")
        if kind in ("E", "E_new"):
            suffix = "_new" if kind == "E_new" else ""
            return squared_error([term(f"o{u}{suffix}") for u in self.outputs],
                                 [term(f"t{u}") for u in self.outputs])
        conn = q.connection
        if kind == "dw":
            return term("eta") * term(f"delta{unit}") * self._input(conn, term) \
                if conn.source is not None else term("eta") * term(f"delta{unit}")
        return term(conn.label) + term(f"d{conn.label}")

    def _signal(self, unit, term, suffix):
        if unit in self.targets:
            return term(f"t{unit}") - term(f"o{unit}{suffix}")
        total = None
        for cn in self.out_of[unit]:
            product = term(cn.label) * term(f"delta{cn.target}")
            total = product if total is None else total + product
        return total


def _output_signal(o, t):
    """−∂E/∂o for one output, E = ½(t − o)², from the engine."""
    out = Value(o)
    (g,) = grad(squared_error([out], [t]), [out])
    return -g


def _hidden_signal(o, pairs):
    """−∂E/∂o_h = −Σ_k ∂E/∂net_k·∂net_k/∂o_h with ∂E/∂net_k = −δ_k, the ∂net_k/∂o_h from the engine."""
    out = Value(o)
    terms = [(w * out) * -delta for w, delta in pairs]
    (g,) = grad(sum(terms[1:], terms[0]), [out])
    return -g
