"""Intervals: where a value computed from rounded numbers can lie, so rounding is told apart from a slip."""

import math

__all__ = ["Interval", "around", "monotone"]


class Interval:
    """The numbers from ``lo`` to ``hi``; arithmetic gives an interval holding every result.

    A number written as 0.332 stands for anything that rounds to it, [0.3315, 0.3325]; a value
    computed from such numbers lies in the interval the same formula gives on them.

    >>> x = around(0.332, 0.001)
    >>> y = x * (1 - x)
    >>> round(y.lo, 5), round(y.hi, 5)
    (0.22128, 0.22228)
    """

    __slots__ = ("lo", "hi")

    def __init__(self, lo, hi=None):
        self.lo = float(lo)
        self.hi = self.lo if hi is None else float(hi)

    def __repr__(self):
        return f"Interval({self.lo!r}, {self.hi!r})"

    @staticmethod
    def of(x):
        return x if isinstance(x, Interval) else Interval(x)

    def contains(self, x, tolerance=0.0):
        """True if ``x`` is within ``tolerance`` of the interval."""
        return self.lo - tolerance <= x <= self.hi + tolerance

    @property
    def mid(self):
        return (self.lo + self.hi) / 2

    def __add__(self, other):
        other = Interval.of(other)
        return Interval(self.lo + other.lo, self.hi + other.hi)

    __radd__ = __add__

    def __neg__(self):
        return Interval(-self.hi, -self.lo)

    def __sub__(self, other):
        return self + -Interval.of(other)

    def __rsub__(self, other):
        return Interval.of(other) + -self

    def __mul__(self, other):
        other = Interval.of(other)
        products = (self.lo * other.lo, self.lo * other.hi, self.hi * other.lo, self.hi * other.hi)
        return Interval(min(products), max(products))

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = Interval.of(other)
        if other.lo <= 0.0 <= other.hi:
            return Interval(-math.inf, math.inf)
        return self * Interval(1.0 / other.hi, 1.0 / other.lo)

    def __rtruediv__(self, other):
        return Interval.of(other) / self

    def __pow__(self, exponent):
        if exponent != 2:
            return monotone(lambda x: x ** exponent, self)
        lo, hi = sorted((self.lo * self.lo, self.hi * self.hi))
        return Interval(0.0 if self.lo <= 0.0 <= self.hi else lo, hi)

    def log(self):
        return monotone(math.log, self)


def around(value, unit):
    """The interval of numbers that round to ``value`` written with last digit ``unit``."""
    return Interval(value - unit / 2, value + unit / 2)


def monotone(function, x):
    """``function`` (monotone) on an interval: its values at the two ends, in order."""
    if not isinstance(x, Interval):
        return function(x)
    a, b = function(x.lo), function(x.hi)
    return Interval(min(a, b), max(a, b))
