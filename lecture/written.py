"""Numbers as a person wrote them: the value, the text, and the digits that decide how closely it must agree."""

import decimal

__all__ = ["Written"]


class Written(float):
    """A number as it was written: ``float(w)`` its value, ``w.text`` its text, ``w.unit`` one
    unit in its last written digit (0.001 for 0.400, 1 for 3), ``w.digits`` how many
    significant digits it has (3 for 0.400), ``w.decimals`` how many after the point.

    >>> w = Written("-0.0870")
    >>> float(w), w.unit, w.digits, w.decimals
    (-0.087, 0.0001, 3, 4)
    """

    def __new__(cls, text):
        text = str(text).strip()
        try:
            number = decimal.Decimal(text.replace("_", ""))
        except (decimal.InvalidOperation, ValueError):
            raise ValueError(f"{text[:40]!r} is not a number") from None
        if not number.is_finite():
            raise ValueError(f"{text!r} is not a finite number")
        value = float(number)
        if value in (float("inf"), float("-inf")):
            raise ValueError(f"{text[:40]!r} is too large for a float")
        self = super().__new__(cls, value)
        self.text = text
        digits = number.as_tuple()
        self.unit = 10.0 ** digits.exponent
        self.decimals = max(0, -digits.exponent)
        # significant digits; a written 0 (or 0.000) counts as one
        self.digits = len(digits.digits) if number != 0 else 1
        return self

    @classmethod
    def of(cls, value):
        """A Written for a number given in Python: an int or float as ``repr`` writes it."""
        if isinstance(value, Written):
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise TypeError(f"expected a number, got {type(value).__name__}")
        return cls(repr(value) if isinstance(value, float) else str(value))

    def __repr__(self):
        return self.text
