"""Escaping text for Graphviz HTML-like labels, so that any label renders as written."""

import unicodedata

__all__ = ["html_text", "html_bold"]

# NOTE: Graphviz expands \N, \G, \L ... even inside HTML labels; only \\ is a literal backslash.
_BACKSLASH = "\\\\"
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
             "\\": _BACKSLASH, "\n": "<BR/>"}


def _undrawable(char):
    """True for characters no font draws and XML forbids: controls, lone surrogates, U+FFFE/F."""
    return unicodedata.category(char) in ("Cc", "Cs") or char in "\ufffe\uffff"


def _python_escape(char):
    code = ord(char)
    if char == "\t":
        return "t"
    return f"x{code:02x}" if code <= 0xFF else f"u{code:04x}"


def html_text(text):
    """``text`` as the content of an HTML-like label, drawn exactly as written.

    Markup characters become entities, a newline a line break, a backslash a literal backslash,
    and a character that cannot be drawn (a control character such as a tab, a lone surrogate)
    its Python escape, ``\\t`` or ``\\x01``.
    """
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    parts = []
    for char in text:
        escaped = _ENTITIES.get(char)
        if escaped is None:
            escaped = _BACKSLASH + _python_escape(char) if _undrawable(char) else char
        parts.append(escaped)
    return "".join(parts)


def html_bold(text):
    """``text`` escaped and in bold; nothing for an empty text (Graphviz rejects an empty <B>)."""
    escaped = html_text(text)
    return f"<B>{escaped}</B>" if escaped else ""
