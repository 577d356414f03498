"""Simulated students: a hand derivation of one training step in plain floats, rounded as people round,
with one planted mistake, written out as a derivation's answers.

Independent of lecture.quantities on purpose: the checker is judged against this model of what a
student writes, not against its own rules.
"""

import math
from dataclasses import dataclass, field

from nn import weight_label

ACTIVATE = {"sigmoid": lambda z: 1 / (1 + math.exp(-z)), "tanh": math.tanh,
            "relu": lambda z: max(z, 0.0), "identity": lambda z: z}
SLOPE = {"sigmoid": lambda o, z: o * (1 - o), "tanh": lambda o, z: 1 - o * o,
         "relu": lambda o, z: 1.0 if z > 0 else 0.0, "identity": lambda o, z: 1.0}


@dataclass
class Derivation:
    """What the student wrote (key → text, in order), which earlier keys each value used, and
    where the planted mistake is."""

    answers: dict = field(default_factory=dict)
    uses: dict = field(default_factory=dict)      # key → the written keys it was computed from
    planted: str | None = None                    # the key whose value holds the mistake
    mistake: str | None = None                    # its id, as the checker names it


def significant(x, digits):
    """x rounded to ``digits`` significant digits, as text (no exponent)."""
    if x == 0:
        return "0." + "0" * (digits - 1) if digits > 1 else "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:.{decimals}f}"


def swap_digits(text):
    """Two neighbouring, different digits swapped (the last such pair), or None."""
    chars = list(text)
    for i in range(len(chars) - 2, -1, -1):
        a, b = chars[i], chars[i + 1]
        if a.isdigit() and b.isdigit() and a != b and not (i == 0 and b == "0"):
            chars[i], chars[i + 1] = b, a
            return "".join(chars)
    return None


def derive(problem, mistake=None, at=None, digits=4, eta=None):
    """The student's derivation of ``problem`` (one example, squared error or cross-entropy).

    ``mistake`` (an id of lecture.mistakes, or digit_slip, arithmetic_slip) is made at the key
    ``at`` (None: a right derivation); every value is rounded to ``digits`` significant digits
    and the student goes on from the rounded values. ``eta`` is the wrong η of the eta mistake.
    """
    d = Derivation()
    names = problem.unit_names
    weights = dict(problem.weights)
    value = {}

    def write(key, x, used):
        if key == at and mistake == "arithmetic_slip":
            x = x * 1.37 + 0.01
        text = significant(x, digits)
        if key == at and mistake == "digit_slip":
            slipped = swap_digits(text)
            if slipped is None:
                raise ValueError(f"no digits to swap in {text}")
            text = slipped
        d.answers[key] = text
        value[key] = float(text)
        d.uses[key] = set(used)
        if key == at:
            d.planted, d.mistake = key, mistake

    def here(kind):
        return mistake == kind

    x = dict(zip(names[0], problem.x))
    source = {u: (x[u], None) for u in names[0]}
    for k in range(1, len(names)):
        act = problem.activations[k - 1]
        outputs = {}
        for j in names[k]:
            key = f"net{j}"
            net, used = 0.0, []
            for i in names[k - 1]:
                v, ref = source[i]
                net += weights[weight_label(i, j)] * v
                used += [ref] if ref else []
            if not (here("no_bias") and at == key):
                net += weights[f"b{j}"]
            write(key, net, used)
            write(f"o{j}", ACTIVATE[act](value[key]), [key])
            outputs[j] = (value[f"o{j}"], f"o{j}")
        source = outputs
    n = len(names[-1])
    t = dict(zip(names[-1], problem.t))
    if problem.loss == "cross_entropy":
        error = -sum(t[k] * math.log(value[f"o{k}"]) + (1 - t[k]) * math.log(1 - value[f"o{k}"])
                     for k in names[-1]) / n
    else:
        error = sum((t[k] - value[f"o{k}"]) ** 2 for k in names[-1])
        error = error if (here("no_half") and at == "E") else error / 2
    write("E", error, [f"o{k}" for k in names[-1]])
    new = {}
    for k in range(len(names) - 1, 0, -1):
        act = problem.activations[k - 1]
        for j in names[k]:
            key = f"delta{j}"
            o = value[f"o{j}"]
            slope = SLOPE[act](o, value[f"net{j}"])
            if at == key and here("other_slope"):
                slope = SLOPE["sigmoid" if act == "tanh" else "tanh"](o, 0.0)
            if at == key and here("slope_of_net"):
                z = value[f"net{j}"]
                slope = SLOPE[act](z, z)
            if k == len(names) - 1:
                signal = t[j] - o
                if at == key and here("flipped_error"):
                    signal = -signal
                if problem.loss == "cross_entropy":
                    delta = signal / n
                else:
                    delta = signal if (at == key and here("no_slope")) else slope * signal
                used = [f"o{j}"]
            else:
                downstream = names[k + 1]
                table = new if (at == key and here("new_weights")) else weights
                signal = sum(table[weight_label(j, m)] * value[f"delta{m}"] for m in downstream)
                used = [f"o{j}", *[f"delta{m}" for m in downstream]]
                if at == key and here("new_weights"):
                    used += [f"{weight_label(j, m)}_new" for m in downstream]
                delta = signal if (at == key and here("no_slope")) else slope * signal
                if at == key and here("flipped_delta"):
                    delta = -delta
            write(key, delta, used)
        for j in names[k]:
            for i in (*names[k - 1], None):
                label = weight_label(i, j) if i is not None else f"b{j}"
                key = f"d{label}"
                rate = eta if (at == key and here("eta")) else problem.eta
                if i is None:
                    xi, ref = 1.0, None
                elif k == 1:
                    xi, ref = x[i], None
                else:
                    xi, ref = value[f"o{i}"], f"o{i}"
                change = rate * value[f"delta{j}"] * xi
                if at == key and here("update_sign"):
                    change = -change
                if at == key and here("bias_not_updated"):
                    change = 0.0
                write(key, change, [f"delta{j}", *([ref] if ref else [])])
                write(f"{label}_new", weights[label] + value[key], [key])
                new[label] = value[f"{label}_new"]
    d.answers = {_key(k): v for k, v in d.answers.items()}
    d.uses = {_key(k): {_key(u) for u in v} for k, v in d.uses.items()}
    d.planted = None if d.planted is None else _key(d.planted)
    return d


def _key(key):
    """The student's own spelling: δ and Δ as the lecture writes them."""
    if key.startswith("delta"):
        return "δ" + key[5:]
    if key.startswith("dw") or key.startswith("db"):
        return "Δ" + key[1:]
    return key


def depends_on(derivation, key, planted):
    """True if ``key``'s value was computed, directly or through others, from ``planted``."""
    seen, stack = set(), list(derivation.uses.get(key, ()))
    while stack:
        used = stack.pop()
        if used == planted:
            return True
        if used not in seen:
            seen.add(used)
            stack.extend(derivation.uses.get(used, ()))
    return False


