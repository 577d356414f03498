"""Stand-ins for an op's operands that record, as numpy instructions, what its rule does to them."""

import functools
import itertools
import math
import types

import numpy as np

from autodiff.symbolic import Symbol

__all__ = ["ArraySymbol", "Recorder", "Condition", "Elementwise", "NotVectorisable", "Trouble", "lifted", "spec"]


class NotVectorisable(Exception):
    """A rule did something the stand-ins cannot follow; run it on floats instead."""


class Trouble(Exception):
    """A program met a row where arrays and Python floats may part ways; run the rule on floats."""


# -- functions on arrays ---------------------------------------------------------------------

class Elementwise:
    """A ``math`` function applied element by element: the very floats the engine computes."""

    __slots__ = ("function",)

    def __init__(self, function):
        self.function = function

    def _columns(self, args):
        shape = next(a.shape for a in args if type(a) is np.ndarray)
        columns = [a.ravel().tolist() if type(a) is np.ndarray else itertools.repeat(a) for a in args]
        return shape, columns

    def __call__(self, *args):
        shape, columns = self._columns(args)
        try:
            values = np.fromiter(map(self.function, *columns), np.float64, math.prod(shape))
        except (ValueError, OverflowError, ZeroDivisionError, TypeError):
            raise Trouble(self.function.__name__) from None
        return values.reshape(shape)

    def safe(self, *args):
        """As a call, with NaN where the function raises (for the probe check)."""
        shape, columns = self._columns(args)
        function = self.function

        def guarded(*x):
            try:
                return float(function(*x))
            except (ValueError, OverflowError, ZeroDivisionError, TypeError):
                return math.nan

        return np.fromiter(map(guarded, *columns), np.float64, math.prod(shape)).reshape(shape)

    def __repr__(self):
        return f"elementwise({self.function.__name__})"


# NOTE: IEEE 754 rounds sqrt (and fabs) exactly, so numpy and math agree bit for bit there.
_EXACT = {"sqrt": np.sqrt, "fabs": np.fabs}


@functools.cache
def _array_function(name):
    """The array form of ``math.<name>`` (one object per name, so recorded programs can share it)."""
    if name in _EXACT:
        return _EXACT[name]
    function = getattr(math, name, None)
    if not callable(function):
        raise NotVectorisable(f"no array form of {name}")
    return Elementwise(function)


def _is_integer(x):
    return np.isfinite(x) & (np.floor(x) == x)


def _iverson(relation):
    compare = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal,
               "==": np.equal, "!=": np.not_equal}.get(relation)
    if compare is None:
        raise NotVectorisable(f"comparison {relation!r}")
    return _IVERSON.setdefault(relation, lambda x, value: compare(x, value).astype(np.float64))


_IVERSON = {}
_CALLS = {"sign": np.sign}   # Symbol.call names that are not math functions


# -- stand-ins -------------------------------------------------------------------------------

def spec(x, recorder):
    """An instruction argument: a register number for a stand-in, a float for a number."""
    if isinstance(x, (ArraySymbol, Condition)):
        if x.recorder is not recorder:
            raise NotVectorisable("stand-ins of two rules met")
        return x.register
    if type(x) is bool or not isinstance(x, (int, float)):
        raise NotVectorisable(f"operand of type {type(x).__name__}")
    return float(x)


class Recorder:
    """The instructions recorded so far (shared by every path) and the branch decisions of one run."""

    def __init__(self, n_operands):
        self.n_operands = n_operands
        self.instructions = []          # (register, function, argument specs)
        self.known = {}                 # (function, specs) → register: each value computed once
        self.script = ()
        self.taken = []                 # (condition register, outcome) in the order first met
        self.outcome = {}

    def start(self, script):
        self.script, self.taken, self.outcome = script, [], {}

    def emit(self, function, args, condition=False):
        register = self.record(function, tuple(spec(a, self) for a in args))
        return Condition(self, register) if condition else ArraySymbol(self, register)

    def record(self, function, specs):
        """The register of ``function(*specs)``, recording the instruction if it is new."""
        register = self.known.get((function, specs))
        if register is None:
            register = self.n_operands + len(self.instructions)
            self.instructions.append((register, function, specs))
            self.known[(function, specs)] = register
        return register

    def decide(self, register):
        if register in self.outcome:
            return self.outcome[register]
        k = len(self.taken)
        outcome = self.script[k] if k < len(self.script) else True
        self.taken.append((register, outcome))
        self.outcome[register] = outcome
        return outcome


class Condition:
    """A comparison of stand-ins: a boolean array, and a branch point when Python asks for its truth."""

    __slots__ = ("recorder", "register")

    def __init__(self, recorder, register):
        self.recorder, self.register = recorder, register

    def __bool__(self):
        return self.recorder.decide(self.register)


def _binary(function, reflected=False):
    def method(self, other):
        return self.recorder.emit(function, (other, self) if reflected else (self, other))
    return method


def _compare(function):
    def method(self, other):
        return self.recorder.emit(function, (self, other), condition=True)
    return method


def _opaque(self, *args):
    raise NotVectorisable("a stand-in cannot become a single number")


class ArraySymbol(Symbol):
    """A stand-in for an array of values: operations on it are recorded as numpy instructions.

    It is a ``Symbol``, so the op table's helpers take their symbolic branch (``step`` compares,
    ``sign`` calls sign), written for any non-float operand.
    """

    __slots__ = ("recorder", "register")

    def __init__(self, recorder, register):
        super().__init__(f"r{register}")
        self.recorder, self.register = recorder, register

    __add__, __radd__ = _binary(np.add), _binary(np.add, True)
    __sub__, __rsub__ = _binary(np.subtract), _binary(np.subtract, True)
    __mul__, __rmul__ = _binary(np.multiply), _binary(np.multiply, True)
    __truediv__, __rtruediv__ = _binary(np.divide), _binary(np.divide, True)
    # NOTE: Python's float ** and math.pow both call C's pow(); numpy's power rounds differently.
    __pow__, __rpow__ = _binary(_array_function("pow")), _binary(_array_function("pow"), True)
    __lt__, __le__ = _compare(np.less), _compare(np.less_equal)
    __gt__, __ge__ = _compare(np.greater), _compare(np.greater_equal)
    __eq__, __ne__ = _compare(np.equal), _compare(np.not_equal)
    __hash__ = None  # pyright: ignore[reportAssignmentType]  (Python's way to make a class unhashable)
    __float__ = __int__ = __index__ = __complex__ = __round__ = __trunc__ = __floor__ = __ceil__ = _opaque

    def __neg__(self):
        return self.recorder.emit(np.negative, (self,))

    def __pos__(self):
        return self

    def __abs__(self):
        return self.recorder.emit(np.fabs, (self,))

    def __bool__(self):
        return bool(self != 0.0)

    def is_integer(self):
        return self.recorder.emit(_is_integer, (self,), condition=True)

    def call(self, name):
        """``name(self)``; Symbol's log, sin and cos come here too."""
        function = _CALLS.get(name) or _array_function(name)
        return self.recorder.emit(function, (self,))

    def compare(self, relation, value):
        return self.recorder.emit(_iverson(relation), (self, value))


class _LiftedMath:
    """``math`` as a rule sees it while running on stand-ins: its functions accept stand-ins too."""

    def __getattr__(self, name):
        value = getattr(math, name)
        if not callable(value):
            return value
        return functools.partial(_lifted_call, name, value)


def _lifted_call(name, function, *args):
    symbols = [a for a in args if isinstance(a, ArraySymbol)]
    if not symbols:
        return function(*args)
    return symbols[0].recorder.emit(_array_function(name), args)


_MATH = _LiftedMath()


def lifted(function):
    """``function`` with ``math`` lifted to stand-ins: the same code, run against other globals."""
    if isinstance(function, types.FunctionType):
        return types.FunctionType(function.__code__, {**function.__globals__, "math": _MATH},
                                  function.__name__, function.__defaults__, function.__closure__)
    name = getattr(function, "__name__", None)
    if name is not None and getattr(math, name, None) is function:
        return getattr(_MATH, name)
    raise NotVectorisable(f"{function!r} is neither Python code nor a math function")
