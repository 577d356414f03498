"""Text into HTML, LaTeX and Markdown: escaping what came from a file, and the lecture's formulas
(δ6 = o6·(1 − o6)·(t6 − o6)) with subscripts, as the worksheets and answer keys print them."""

import html
import re

from autodiff.notation import printable

__all__ = ["escape_html", "escape_latex", "escape_markdown", "formula_html", "formula_latex"]

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
_LATEX_SYMBOLS = {"·": r"\cdot ", "−": "-", "²": "^{2}", "³": "^{3}", "½": r"\tfrac{1}{2}",
                  "σ": r"\sigma ", "Δ": r"\Delta ", "∂": r"\partial ", "η": r"\eta ", "Σ": r"\sum ",
                  "δ": r"\delta ", "∞": r"\infty ", "→": r"\to ", "≤": r"\le ", "≥": r"\ge "}
_LATEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                   "#": r"\#", "%": r"\%", "_": r"\_", "~": r"\textasciitilde{}",
                   "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}"}
# NOTE: what opens markup inside a line: emphasis, code, links and images, raw HTML, entities,
# table cells, headings. With [ ] escaped no link can form, so ( ) . - : stay readable.
_MARKDOWN_SPECIALS = set("\\`*_{}[]#!|<>~&")


def escape_html(text):
    """``text`` safe in HTML text and attribute values; control characters shown as escapes."""
    return html.escape(printable(text), quote=True)


def escape_markdown(text):
    """``text`` as literal Markdown inline text: the characters that open markup
    backslash-escaped (so neither markup nor raw HTML gets through), line breaks made spaces."""
    text = " ".join(printable(text).split())
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in text)


def escape_latex(text):
    """``text`` as literal LaTeX text (pdflatex with utf8 input): the special characters
    escaped, the lecture's Greek letters and symbols in math mode, line breaks made spaces."""
    out = []
    for char in " ".join(printable(text).split()):
        if char in _LATEX_SPECIALS:
            out.append(_LATEX_SPECIALS[char])
        elif char in _LATEX_SYMBOLS:
            out.append(f"${_LATEX_SYMBOLS[char].strip()}$")
        else:
            out.append(char)
    return "".join(out)


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
            if char in _LATEX_SYMBOLS:
                out.append(_LATEX_SYMBOLS[char])
            elif char in _LATEX_SPECIALS and char not in "<>":
                out.append(r"\text{" + _LATEX_SPECIALS[char] + "}")
            elif char.isascii():
                out.append(char)
            else:
                out.append(r"\text{" + escape_latex(char) + "}")
    return "".join(out)
