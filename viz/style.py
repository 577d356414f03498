"""Colours and marks shared by the computation-graph and network drawings."""

import math

from autodiff import OPS, DomainError, local_derivative
from stepgrad._ground import drawn

__all__ = ["FONT", "POSITIVE", "NEGATIVE", "ZERO", "HIGHLIGHT", "BORDER", "CONSTANT", "PATH_EDGE",
           "MARKS", "SATURATION", "signed", "shade", "marks_of", "local_or_none"]

FONT = "Helvetica,Arial,sans-serif"

# Five shades per sign, pale to strong; blue and orange stay apart for colour-blind readers.
POSITIVE = ("#eef4fb", "#d6e6f5", "#b9d4ee", "#93bde3", "#6aa4d6")
NEGATIVE = ("#fef0e2", "#fddcbc", "#fdc391", "#fca562", "#f6873a")
ZERO = "#ffffff"
HIGHLIGHT = "#ffe14d"
BORDER = "#444444"
CONSTANT = "#666666"
PATH_EDGE = "#b8860b"

# A local derivative below this is a saturated unit: almost no gradient passes it.
SATURATION = 0.01

# mark → (border colour, symbol, what the legend says)
MARKS = {
    "nonfinite": ("#d62728", "⚠", "NaN or ±∞ in data or gradient"),
    "saturated": ("#7b3294", "◆", f"saturated σ or tanh: local derivative < {SATURATION}"),
    "dead": ("#555555", "✕", "dead relu: input ≤ 0, passes no gradient"),
}

_SATURATING = (OPS["sigmoid"], OPS["tanh"])
_RELU = OPS["relu"]


def signed(x, precision=4):
    """``drawn(x)`` with an explicit sign: +0.0391, −0.0078."""
    text = drawn(x, precision)
    return text if text.startswith("−") or text == "0" else "+" + text


def shade(g, scale):
    """The fill for gradient ``g`` when the largest |gradient| drawn is ``scale``: hue by sign,
    depth by size (five steps); white for zero, None for NaN/∞ (the mark says it)."""
    if not math.isfinite(g):
        return None
    if g == 0.0 or scale <= 0.0:
        return ZERO
    level = min(4, int(4.999 * min(1.0, abs(g) / scale)))
    return (POSITIVE if g > 0 else NEGATIVE)[level]


def local_or_none(node, index):
    """∂node/∂(operand ``index``) (``autodiff.local_derivative``), or None where it is undefined."""
    try:
        return float(local_derivative(node, index))
    except DomainError:
        return None


def marks_of(node, grad):
    """The marks a node carries, as ``(mark, detail)`` pairs in MARKS order."""
    found = []
    if not math.isfinite(node.data) or (grad is not None and not math.isfinite(grad)):
        bad = node.data if not math.isfinite(node.data) else grad
        found.append(("nonfinite", drawn(bad)))
    if node.op in _SATURATING:
        slope = local_or_none(node, 0)
        if slope is not None and abs(slope) < SATURATION:
            found.append(("saturated", f"{node.op.symbol}′ = {drawn(slope, 2)}"))
    elif node.op is _RELU and local_or_none(node, 0) == 0.0:
        found.append(("dead", "dead relu"))
    return found
