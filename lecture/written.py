"""Numbers as a person wrote them: the value, the text, and the digits that decide how closely it must agree."""

import decimal
import math
import re

from stepgrad._ground import printable

__all__ = ["Written", "Unreadable", "read_written"]


class Written(float):
    """A number as it was written: ``float(w)`` its value, ``w.text`` its text, ``w.unit`` one
    unit in its last written digit (0.001 for 0.400, 1 for 3), ``w.digits`` how many
    significant digits it has (3 for 0.400), ``w.decimals`` how many after the point.

    >>> w = Written("-0.0870")
    >>> float(w), w.unit, w.digits, w.decimals
    (-0.087, 0.0001, 3, 4)
    """

    text: str
    unit: float
    decimals: int
    digits: int
    note: "str | None"     # how read_written read it, when the text was not plain

    def __new__(cls, text: object) -> "Written":
        text = str(text).strip()
        plain = _PLAIN.fullmatch(text) if len(text) <= 30 else None
        return cls._decimal(text) if plain is None else cls._plain(plain)

    @classmethod
    def _plain(cls, plain: "re.Match[str]") -> "Written":
        """``Written(text)`` for a plain decimal, ``_PLAIN``'s match of its text."""
        # NOTE: most texts are plain decimals (0.0870); read without Decimal, a class's
        # files are read twice as fast, to the same fields (tests compare the two)
        text, whole, fraction = plain[0], plain[1], plain[2] or ""
        self = float.__new__(cls, text)
        self.text, self.unit, self.decimals = text, 10.0 ** -len(fraction), len(fraction)
        self.digits = len((whole + fraction).lstrip("0")) or 1
        self.note = None
        return self

    @classmethod
    def _decimal(cls, text: str) -> "Written":
        """``Written(text)`` read through ``decimal.Decimal``, as any text is."""
        try:
            number = decimal.Decimal(text.replace("_", ""))
        except (decimal.InvalidOperation, ValueError):
            raise ValueError(f"{text[:40]!r} is not a number") from None
        if not number.is_finite():
            raise ValueError(f"{text!r} is not a finite number")
        value = float(number)
        if value in (float("inf"), float("-inf")):
            raise ValueError(f"{text[:40]!r} is too large for a float")
        self = float.__new__(cls, value)
        self.text = text
        digits = number.as_tuple()
        assert isinstance(digits.exponent, int)   # a finite number's exponent ('n', 'N', 'F': NaN, inf)
        self.unit = 10.0 ** digits.exponent
        self.decimals = max(0, -digits.exponent)
        # significant digits; a written 0 (or 0.000) counts as one
        self.digits = len(digits.digits) if number != 0 else 1
        self.note = None
        return self

    @classmethod
    def of(cls, value: "Written | int | float | str") -> "Written":
        """A Written for a number given in Python: an int or float as ``repr`` writes it."""
        if isinstance(value, Written):
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise TypeError(f"expected a number, got {type(value).__name__}")
        return cls(repr(value) if isinstance(value, float) else str(value))

    def __repr__(self) -> str:
        return self.text


class Unreadable(Written):
    """A value that cannot be read as a number: ``text`` as written (printable, shortened),
    ``reason`` why. It is a NaN, so no comparison ever holds; the checker gives it a verdict of
    its own."""

    reason: str

    def __new__(cls, text: object, reason: str) -> "Unreadable":
        self = float.__new__(cls, "nan")
        self.text = printable(str(text))[:40]
        self.reason = reason
        self.unit, self.decimals, self.digits = math.nan, 0, 0
        self.note = None
        return self


_PLAIN = re.compile(r"-?([0-9]+)(?:\.([0-9]+))?")      # 30 characters at most: no overflow
_MINUS = dict.fromkeys(map(ord, "\u2212\u2013\u2014\u2012\ufe63\uff0d"), "-") | {ord("\uff0b"): "+"}
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f_]+")
_COMMA = re.compile(r"[+-]?\d*,\d+")
_ASIDE = re.compile(r"^(\S+?)\s*(?:\([^()]{0,60}\)|\[[^\[\]]{0,60}\])$")   # 0.332 (rounded)
_TIMES_TEN = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))(?:[x×·*]|\\times|\\cdot)10(?:\^|\*\*)?\(?([+-]?\d{1,3})\)?")
_FRACTION = re.compile(r"([+-]?\d{1,12}(?:\.\d{1,12})?)/([+-]?\d{1,12}(?:\.\d{1,12})?)")


def read_written(text: object) -> Written:
    """A number as a student writes it, as a Written: a decimal comma (``0,52``), the Unicode
    minus, spaces between digits, ``1.2×10⁻³`` or ``1.2e-3``, a fraction (``1/4``, exact), an
    ``≈`` in front. The Written's ``note`` says how it was read when it was not plain; a text
    that is no number raises ValueError."""
    original = str(text)
    plain = _PLAIN.fullmatch(original) if len(original) <= 30 else None
    if plain is not None:
        return Written._plain(plain)                # plain: nothing to read loosely
    if len(original) > 400:
        raise ValueError("a value of more than 400 characters")
    shown = printable(original.strip())[:40]
    aside = _ASIDE.match(original.strip())
    t = _SPACES.sub("", original.translate(_MINUS)).lstrip("≈~").translate(_SUPERSCRIPT)
    note = None
    if aside and any(c.isdigit() for c in aside[1]):
        t = _SPACES.sub("", aside[1].translate(_MINUS)).lstrip("≈~").translate(_SUPERSCRIPT)
        note = "the words after it left aside"
    if len(t) > 2 and t[0] == "(" and t[-1] == ")":
        t = t[1:-1]
    if t.endswith(".") and t.count(".") == 2:
        t = t[:-1]                                   # 0.332. (a full stop)
    comma = _COMMA.match(t)
    if comma and "." not in t and t.count(",") == 1:
        t, note = t.replace(",", "."), "a decimal comma"
    times = _TIMES_TEN.fullmatch(t)
    if times:
        t, note = f"{times[1]}e{times[2]}", "a power of ten"
    fraction = _FRACTION.fullmatch(t)
    if fraction:
        top, bottom = decimal.Decimal(fraction[1]), decimal.Decimal(fraction[2])
        if bottom == 0:
            raise ValueError(f"{printable(original)[:40]!r}: a fraction over 0")
        with decimal.localcontext() as context:
            context.prec = 12
            value = (top / bottom).normalize()
        written = Written(f"{value:f}")
        written.text = t
        written.note = f"written {shown}: a fraction, read as {value:f}"
        return written
    try:
        written = Written(t)
    except ValueError:
        raise ValueError(f"{printable(original)[:40]!r} is not a number") from None
    if note is not None:
        written.note = f"written {shown}: {note}, read as {t}"
    elif t != original.strip():
        written.note = f"written {shown}: read as {t}"
    return written
