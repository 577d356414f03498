"""Number styles: each way stepgrad writes a number, named once.

Text a user may copy into Python keeps the ASCII minus; only drawings use the typographic −.
"""

import math
from decimal import ROUND_HALF_EVEN, Decimal

__all__ = ["general", "fixed", "decimal", "short", "drawn", "score"]


def general(x, digits=6):
    """``x`` with ``digits`` significant digits, an exponent where Python's ``g`` puts one:
    -0.526139, 1, 2.5e-07 (steps, explanations, checker messages)."""
    return f"{x:.{digits}g}"


def fixed(x, decimals=4, sign=False):
    """``x`` with ``decimals`` decimals; ``sign`` shows + too; zero is unsigned (tables)."""
    text = f"{x:.{decimals}f}"
    if float(text) == 0.0:
        return f"{0.0:.{decimals}f}"
    return "+" + text if sign and not text.startswith("-") else text


def decimal(x, digits):
    """``x`` rounded half-even to ``digits`` significant digits as plain decimal text, never an
    exponent; whole numbers keep every digit (answer keys, worksheets).

    >>> decimal(0.33181222783183395, 4), decimal(-0.007852105768889938, 4)
    ('0.3318', '-0.007852')
    >>> decimal(0.99996, 4), decimal(-0.0, 4), decimal(12345.6, 3)
    ('1.000', '0', '12346')
    """
    if x == 0:
        return "0"
    exact = Decimal(x)
    rounded = exact.quantize(quantum(exact, digits), rounding=ROUND_HALF_EVEN)
    if rounded.adjusted() > exact.adjusted():          # 0.99996 → 1.0000: one digit too many
        rounded = exact.quantize(quantum(rounded, digits), rounding=ROUND_HALF_EVEN)
    return format(rounded, "f")


def quantum(number, digits):
    """The unit of the last of ``digits`` significant digits of the Decimal ``number`` (at most 1)."""
    return Decimal(1).scaleb(min(number.adjusted() - digits + 1, 0))


def short(x):
    """A given (a weight, an input, η) as its shortest decimal: 0.2, -0.5, 1.

    >>> short(0.2), short(-0.5), short(1.0)
    ('0.2', '-0.5', '1')
    """
    text = repr(float(x) + 0.0)
    return text[:-2] if text.endswith(".0") else text


def drawn(x, precision=4, minus="−"):
    """``x`` with ``precision`` significant digits and NaN/∞ spelled out; drawings use the
    typographic minus −, text for a terminal passes ``minus="-"``."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else minus + "∞"
    text = format(x, f".{precision}g")
    if text in ("-0", "0"):
        text = "0"
    return text.replace("-", minus)


def score(x):
    """A mark: a whole number as such, else two decimals without trailing zeros (7, 7.5, 7.25)."""
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))
