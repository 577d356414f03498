"""The files of an exercise as TOML text: the exercise (a problem file), its answer key, and the
blank answer template a student fills in.

All three carry the exercise's ``[exercise]`` table (id, student, seed, template, asked,
digits). The key and the answer template name the exercise file (``problem = "exercise.toml"``)
and list the asked quantities by their canonical names (net4, delta6, dw46, w46_new) in the
lecture's order; the key's values are strings, so that ``"0.4000"`` keeps its zeros.
"""

import textwrap
from typing import TYPE_CHECKING

from stepgrad._ground import short

if TYPE_CHECKING:
    from .exercise import Exercise

__all__ = ["exercise_toml", "key_toml", "answers_toml", "toml_string", "toml_key"]

EXERCISE_FILE = "exercise.toml"
WIDTH = 80


def toml_string(text):
    """``text`` as a TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for char in str(text):
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or code == 0x7F:
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\u{code:04X}"))
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\uFFFD")           # a lone surrogate cannot be written as UTF-8
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_key(key):
    """A key bare when TOML allows it (w14, delta6), quoted otherwise ("dw4,12")."""
    return key if key and all(c.isascii() and (c.isalnum() or c in "_-") for c in key) \
        else toml_string(key)


def _value(value):
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)


def _table(name, items):
    lines = [f"[{name}]"]
    for key, value in items:
        line = f"{toml_key(key)} = {_value(value)}"
        if isinstance(value, list) and len(line) > WIDTH:
            items = textwrap.wrap(", ".join(_value(v) for v in value) + ",", WIDTH - 4,
                                  break_long_words=False, break_on_hyphens=False)
            line = "\n".join([f"{toml_key(key)} = [", *("    " + i for i in items), "]"])
        lines.append(line)
    return lines


def _comment(text):
    """Comment lines of at most WIDTH columns that no newline in ``text`` can end early."""
    return "\n".join(textwrap.wrap(" ".join(str(text).split()), WIDTH, initial_indent="# ",
                                   subsequent_indent="# ", break_long_words=False,
                                   break_on_hyphens=False))


def exercise_toml(exercise: "Exercise") -> str:
    """The exercise as a problem file (lecture.schema) with its [exercise] table."""
    p = exercise.problem
    who = f" for {exercise.student}" if exercise.student else ""
    lines = [_comment(f"Exercise {exercise.id}{who}, made by stepgrad from the template "
                      f"{exercise.template}."),
             _comment("The asked quantities are listed in [exercise] asked; write them in "
                      "answers.toml."),
             f"title = {toml_string(p.title)}", "",
             *_table("exercise", exercise.table().items()), "",
             "[network]", f"layers = {_value([list(layer) for layer in p.unit_names])}"]
    activations = p.activations
    lines.append(f"activation = {_value(activations[0] if len(set(activations)) == 1 else list(activations))}")
    lines += ["", "[weights]"]
    lines += [f"{toml_key(c.label)} = {short(p.weights[c.label])}" for c in p.connections
              if c.source is not None]
    lines += ["", "[biases]"]
    lines += [f"{toml_key(c.label)} = {short(p.weights[c.label])}" for c in p.connections
              if c.source is None]
    if len(p.examples) == 1:
        lines += ["", "[example]", f"x = [{', '.join(short(v) for v in p.x)}]",
                  f"t = [{', '.join(short(v) for v in p.t)}]"]
    else:
        for example in p.examples:
            lines += ["", "[[examples]]", f"x = [{', '.join(short(v) for v in example.x)}]",
                      f"t = [{', '.join(short(v) for v in example.t)}]"]
    lines += ["", "[training]", f"eta = {short(p.eta)}", f"loss = {toml_string(p.loss)}",
              f"delta = {toml_string('-dE/dnet' if p.sign == 'lecture' else 'dE/dnet')}"]
    if p.mode != "online":
        lines.append(f"mode = {toml_string(p.mode)}")
    if p.epochs != 1:
        lines.append(f"epochs = {p.epochs}")
    if p.frozen:
        lines.append(f"frozen = [{', '.join(toml_string(f) for f in sorted(p.frozen))}]")
    return "\n".join(lines) + "\n"


def _answers(exercise, problem_file, values, head):
    lines = [*(_comment(line) for line in head), f"title = {toml_string(exercise.problem.title)}",
             f"problem = {toml_string(problem_file)}", "",
             *_table("exercise", exercise.table().items()), "", "[answers]"]
    for _, heading, names in exercise.parts():
        lines.append(_comment(heading))
        for name in names:
            line = f"{toml_key(name)} = {toml_string(values.get(name, ''))}"
            shown = exercise.catalog.display(name)
            lines.append(line + (f"  # {shown}" if shown != name else ""))
    return "\n".join(lines) + "\n"


def key_toml(exercise: "Exercise", problem_file: str = EXERCISE_FILE) -> str:
    """The answer key: a derivation of every asked quantity, exact to the digits asked."""
    head = [f"Answer key of exercise {exercise.id}"
            + (f" ({exercise.student})" if exercise.student else "")
            + f": every asked value, exact, to {exercise.digits} significant digits.",
            "Check it with: stepgrad check key.toml"]
    return _answers(exercise, problem_file, exercise.key, head)


def answers_toml(exercise: "Exercise", problem_file: str = EXERCISE_FILE) -> str:
    """The blank answer template: every asked quantity with an empty value ""."""
    head = [f"Your answers to exercise {exercise.id}"
            + (f" ({exercise.student})" if exercise.student else "") + ".",
            f"Write each value between the quotes, to {exercise.digits} significant digits "
            f"(\"0.3318\", \"-0.007852\"); leave \"\" where you have no value."]
    return _answers(exercise, problem_file, {}, head)
