"""Text safety: what someone else wrote, made safe for a terminal, HTML, Markdown, LaTeX or CSV."""

import functools
import html
import re

__all__ = ["printable", "escape_html", "escape_markdown", "escape_latex", "escape_csv", "html_page",
           "LATEX_SPECIALS", "LATEX_SYMBOLS"]

# C0 and C1 controls but the newline, DEL, and the bidirectional formatting characters, which can
# reorder what a terminal shows (U+202E turns "exe.txt" into "txt.exe").
_UNPRINTABLE = {c: None for c in [*range(0x00, 0x0A), *range(0x0B, 0x20), *range(0x7F, 0xA0),
                                  0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
                                  *range(0x2066, 0x206A)]}
# NOTE: one regular expression, not a test per character: reports run to megabytes
_UNPRINTABLE_FOUND = re.compile("[" + "".join(re.escape(chr(c)) for c in _UNPRINTABLE) + "]")


def printable(text):
    """``text`` safe for a terminal: control characters (but the newline), DEL and bidi
    overrides become visible escapes (``\\x1b``, ``\\u202e``); everything else is kept.

    Applied to every text output that carries a name or title someone else wrote, so a file
    cannot clear the screen, hide text or reorder a line. Idempotent.

    >>> printable("w1\\x1b[2J\\u202e")
    'w1\\\\x1b[2J\\\\u202e'
    """
    text = str(text)
    if text.isprintable() or _UNPRINTABLE_FOUND.search(text) is None:
        return text
    return _UNPRINTABLE_FOUND.sub(_escape, text)


def _escape(match):
    code = ord(match[0])
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


LATEX_SYMBOLS = {"·": r"\cdot ", "−": "-", "²": "^{2}", "³": "^{3}", "½": r"\tfrac{1}{2}",
                  "σ": r"\sigma ", "Δ": r"\Delta ", "∂": r"\partial ", "η": r"\eta ", "Σ": r"\sum ",
                  "δ": r"\delta ", "∞": r"\infty ", "→": r"\to ", "≤": r"\le ", "≥": r"\ge "}
LATEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                   "#": r"\#", "%": r"\%", "_": r"\_", "~": r"\textasciitilde{}",
                   "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}"}
# NOTE: what opens markup inside a line: emphasis, code, links and images, raw HTML, entities,
# table cells, headings. With [ ] escaped no link can form, so ( ) . - : stay readable.
_MARKDOWN_SPECIALS = set("\\`*_{}[]#!|<>~&")
_MARKDOWN_ESCAPES = str.maketrans({c: "\\" + c for c in _MARKDOWN_SPECIALS})


def escape_html(text):
    """``text`` safe in HTML text and attribute values; control characters shown as escapes."""
    if type(text) is str and len(text) <= _REMEMBERED:
        return _html_remembered(text)
    return _html(text)


def escape_markdown(text):
    """``text`` as literal Markdown inline text: the characters that open markup
    backslash-escaped (so neither markup nor raw HTML gets through), line breaks made spaces."""
    if type(text) is str and len(text) <= _REMEMBERED:
        return _markdown_remembered(text)
    return _markdown(text)


def _html(text):
    return html.escape(printable(text), quote=True)


def _markdown(text):
    text = " ".join(printable(text).split())
    return text.translate(_MARKDOWN_ESCAPES)   # NOTE: one pass in C: reports call it per cell


# NOTE: a class's reports escape the same short texts (names, verdicts, numbers) hundreds of
# thousands of times; only plain strings are remembered (a Written 0.10 equals a float 0.1)
_REMEMBERED = 200
_html_remembered = functools.lru_cache(maxsize=8192)(_html)
_markdown_remembered = functools.lru_cache(maxsize=8192)(_markdown)


def escape_latex(text):
    """``text`` as literal LaTeX text (pdflatex with utf8 input): the special characters
    escaped, the lecture's Greek letters and symbols in math mode, line breaks made spaces."""
    out = []
    for char in " ".join(printable(text).split()):
        if char in LATEX_SPECIALS:
            out.append(LATEX_SPECIALS[char])
        elif char in LATEX_SYMBOLS:
            out.append(f"${LATEX_SYMBOLS[char].strip()}$")
        else:
            out.append(char)
    return "".join(out)




def escape_csv(text):
    """``text`` as a CSV cell a spreadsheet will not run as a formula (=, +, -, @ at the start)."""
    text = printable(text).replace("\n", " ")
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def html_page(title, body, style="", script=""):
    """A whole HTML page: ``title`` (escaped here) and ``body``, ``style`` and ``script`` (markup
    the caller built and escaped)."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{escape_html(title)}</title>\n" + (f"<style>{style}</style>\n" if style else "")
            + f"</head>\n<body>\n{body}\n{script}</body>\n</html>\n")
