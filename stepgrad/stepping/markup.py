"""The lecture's formulas (δ6 = o6·(1 − o6)·(t6 − o6)) in HTML and LaTeX, with subscripts, as the
worksheets and answer keys print them."""

import re

from stepgrad._ground import LATEX_SPECIALS, LATEX_SYMBOLS, escape_html, escape_latex, printable

__all__ = ["formula_html", "formula_latex", "name_latex"]

# A name of the lecture (net4, o6_new, w4,12, δ6, x1, t6, E) or a word (tanh, log), a number
# (0.5, 1e-05), or any other character.
_TOKENS = re.compile(r"""
    (?P<name>(?<![A-Za-z_])(?P<stem>net|err|δ|o|w|b|x|t|E)(?P<sub>\d+(?:,\d+)?)?(?P<new>_new)?(?![A-Za-z]))
  | (?P<number>\d+(?:\.\d+)?(?:e[+-]?\d+)?)
  | (?P<word>[A-Za-z]+)
  | (?P<other>.)""", re.VERBOSE | re.DOTALL)
_LATEX_STEMS = {"net": r"\mathrm{net}", "err": r"\mathrm{err}", "δ": r"\delta"}
_LATEX_WORDS = {"tanh": r"\tanh", "log": r"\log", "exp": r"\exp", "max": r"\max",
                "relu": r"\operatorname{relu}"}
def formula_html(text: str) -> str:
    """A formula or name in the lecture's symbols as HTML: net<sub>4</sub>, w<sub>46</sub><sup>new</sup>."""
    out = []
    for token in _TOKENS.finditer(printable(text)):
        if token["name"]:
            stem, sub, new = token.group("stem", "sub", "new")
            out.append(escape_html(stem))
            if sub:
                out.append(f"<sub>{escape_html(sub)}</sub>")
            if new:
                out.append("<sup>new</sup>")
        else:
            out.append(escape_html(token[0]))
    return "".join(out)


def formula_latex(text: str) -> str:
    """A formula or name in the lecture's symbols as LaTeX math (without the $ signs):
    \\delta_{6} = o_{6}\\cdot (1 - o_{6})."""
    out = []
    for token in _TOKENS.finditer(printable(text)):
        if token["name"]:
            stem, sub, new = token.group("stem", "sub", "new")
            out.append(_LATEX_STEMS.get(stem, stem))
            if sub:
                out.append("_{" + sub + "}")
            if new:
                out.append(r"^{\mathrm{new}}")
        elif token["number"]:
            mantissa, _, exponent = token["number"].partition("e")
            out.append(mantissa + (rf"\times 10^{{{int(exponent)}}}" if exponent else ""))
        elif token["word"]:
            word = token["word"]
            out.append(_LATEX_WORDS.get(word, r"\mathrm{" + word + "}"))
        else:
            char = token["other"]
            if char in LATEX_SYMBOLS:
                out.append(LATEX_SYMBOLS[char])
            elif char in LATEX_SPECIALS and char not in "<>":
                out.append(r"\text{" + LATEX_SPECIALS[char] + "}")
            elif char.isascii():
                out.append(char)
            else:
                out.append(r"\text{" + escape_latex(char) + "}")
    return "".join(out)


def name_latex(name):
    """A node's name as LaTeX math, for explanations: w46 → w_{46}, net6 → \\mathrm{net}_{6}, E → E;
    an expression name token by token (t6 − o6 → t_{6} - o_{6}, w46·o4 → w_{46} \\cdot o_{4});
    anything else in \\text{…}."""
    tokens = _LATEX_TOKEN.findall(name)
    if "".join(tokens) != name or not tokens:
        return _latex_text(name)
    parts = []
    for token in tokens:
        if token in _LATEX_OPERATORS:
            parts.append(_LATEX_OPERATORS[token])
        elif token[0].isalpha():
            parts.append(_latex_identifier(token))
        elif token.isspace():
            continue
        else:
            parts.append(token.replace("#", r"\#"))
    return "".join(parts)


_LATEX_TOKEN = re.compile(r"[A-Za-z]+[0-9,]*|#\d+|\d+(?:\.\d+)?(?:e[-+]?\d+)?|[()^+·−σ√ ]")
_LATEX_OPERATORS = {"·": r" \cdot ", "−": " - ", "+": " + ", "σ": r"\sigma", "√": r"\sqrt",
                    "^": "^", "(": "(", ")": ")"}


def _latex_identifier(name):
    letters = name.rstrip("0123456789,")
    digits = name[len(letters):]
    if letters.isalpha() and letters.isascii():
        base = letters if len(letters) == 1 else rf"\mathrm{{{letters}}}"
        return f"{base}_{{{digits}}}" if digits else base
    return _latex_text(name)


def _latex_text(name):
    escaped = "".join(LATEX_SPECIALS.get(c) or c for c in name)
    return rf"\text{{{escaped}}}"
