"""The lecture's formulas (δ6 = o6·(1 − o6)·(t6 − o6)) in HTML and LaTeX, with subscripts, as the
worksheets and answer keys print them."""

import re

from stepgrad._ground import LATEX_SPECIALS, LATEX_SYMBOLS, escape_html, escape_latex, printable

__all__ = ["formula_html", "formula_latex"]

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
def formula_html(text):
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


def formula_latex(text):
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
