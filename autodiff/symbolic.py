"""Symbolic stand-ins that turn an op's derivative rule into its printed formula."""

__all__ = ["Symbol", "as_symbol", "number_text"]

# Precedence: higher binds tighter.
_ADD, _MUL, _NEG, _POW, _ATOM = 1, 2, 3, 4, 5
_SUPERSCRIPTS = {2: "²", 3: "³"}


def number_text(x):
    """A number as a formula shows it: 1 rather than 1.0."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def as_symbol(x):
    """A Symbol for x, which may be a number."""
    if isinstance(x, Symbol):
        return x
    text = number_text(x)
    return Symbol(text, _NEG if x < 0 else _ATOM)


def _wrap(s, needed):
    return f"({s.text})" if s.prec < needed else s.text


class Symbol:
    """A formula under construction: rules called with Symbols return their own text.

    >>> out = Symbol("out")
    >>> str(out * (1 - out))
    'out·(1 − out)'
    """

    __slots__ = ("text", "prec")

    def __init__(self, text, prec=_ATOM):
        self.text = text
        self.prec = prec

    def __str__(self):
        return self.text

    __repr__ = __str__

    def _binary(self, other, fmt, prec, left_needs, right_needs, reflected=False):
        a, b = (as_symbol(other), self) if reflected else (self, as_symbol(other))
        return Symbol(fmt.format(_wrap(a, left_needs), _wrap(b, right_needs)), prec)

    def __add__(self, other):
        return self._binary(other, "{} + {}", _ADD, _ADD, _ADD)

    def __radd__(self, other):
        return self._binary(other, "{} + {}", _ADD, _ADD, _ADD, True)

    def __sub__(self, other):
        return self._binary(other, "{} − {}", _ADD, _ADD, _MUL)

    def __rsub__(self, other):
        return self._binary(other, "{} − {}", _ADD, _ADD, _MUL, True)

    def __mul__(self, other):
        if other is self:
            return self ** 2                       # out·out reads as out²; 0.5·0.5 stays
        return self._binary(other, "{}·{}", _MUL, _MUL, _NEG + 1)

    def __rmul__(self, other):
        return self._binary(other, "{}·{}", _MUL, _MUL, _NEG + 1, True)

    def __truediv__(self, other):
        return self._binary(other, "{}/{}", _MUL, _MUL, _POW)

    def __rtruediv__(self, other):
        return self._binary(other, "{}/{}", _MUL, _MUL, _POW, True)

    def __pow__(self, other):
        if not isinstance(other, Symbol) and other in _SUPERSCRIPTS:
            return Symbol(_wrap(self, _ATOM) + _SUPERSCRIPTS[other], _POW)
        return self._binary(other, "{}^{}", _POW, _ATOM, _ATOM)

    def __rpow__(self, other):
        return self._binary(other, "{}^{}", _POW, _ATOM, _ATOM, True)

    def __neg__(self):
        return Symbol("−" + _wrap(self, _NEG), _NEG)

    def call(self, name):
        """The formula `name(self)`."""
        return Symbol(f"{name}({self.text})")

    def compare(self, relation, value):
        """An Iverson bracket such as [a > 0]: 1 where it holds, else 0."""
        return Symbol(f"[{self.text} {relation} {number_text(value)}]")

    def log(self):
        return self.call("log")

    def sin(self):
        return self.call("sin")

    def cos(self):
        return self.call("cos")
