"""Array code for the op table's rules: each forward and partial run once on stand-ins, then on arrays."""

import functools
import itertools
import math
import types

import numpy as np

from .symbolic import Symbol

__all__ = ["Program", "NotVectorisable", "Trouble", "compile_rule", "run", "run_checked", "agrees"]

_MAX_PATHS = 32
_PROBES = (0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0, 0.1, -7.25, 1e-300, -1e-300,
           1e300, -1e300, 710.0, -746.0, math.inf, -math.inf, math.nan)


class NotVectorisable(Exception):
    """A rule did something the stand-ins cannot follow; run it on floats instead."""


class Trouble(Exception):
    """A program met a row where arrays and Python floats may part ways; run the rule on floats."""


# -- functions on arrays ---------------------------------------------------------------------

class _Elementwise:
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
    return _Elementwise(function)


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

def _spec(x, recorder):
    """An instruction argument: a register number for a stand-in, a float for a number."""
    if isinstance(x, (ArraySymbol, _Condition)):
        if x.recorder is not recorder:
            raise NotVectorisable("stand-ins of two rules met")
        return x.register
    if type(x) is bool or not isinstance(x, (int, float)):
        raise NotVectorisable(f"operand of type {type(x).__name__}")
    return float(x)


class _Recorder:
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
        register = self.record(function, tuple(_spec(a, self) for a in args))
        return _Condition(self, register) if condition else ArraySymbol(self, register)

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


class _Condition:
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
    __hash__ = None
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


def _lifted(function):
    """``function`` with ``math`` lifted to stand-ins: the same code, run against other globals."""
    if isinstance(function, types.FunctionType):
        return types.FunctionType(function.__code__, {**function.__globals__, "math": _MATH},
                                  function.__name__, function.__defaults__, function.__closure__)
    name = getattr(function, "__name__", None)
    if name is not None and getattr(math, name, None) is function:
        return getattr(_MATH, name)
    raise NotVectorisable(f"{function!r} is neither Python code nor a math function")


# -- programs --------------------------------------------------------------------------------

class Program:
    """A rule as data: a decision tree whose nodes each run a few instructions.

    Registers 0..n−1 hold the arguments; each instruction ``(register, function, specs)`` fills
    one more (a spec is a register number or a float). A node is ``("leaf", instructions, value,
    raises)`` or ``("if", instructions, condition register, node if true, node if false)``: the
    rows that meet a condition go one way, the others the other way, so each branch computes only
    its own rows, as the rule on floats does.
    """

    __slots__ = ("n_operands", "tree", "size")

    def __init__(self, n_operands, tree, size):
        self.n_operands, self.tree, self.size = n_operands, tree, size

    @property
    def constant(self):
        """The value when the rule is a constant that never raises (add's 1), else None."""
        kind, instructions, value, *rest = self.tree
        return value if kind == "leaf" and not rest[0] and type(value) is float else None

    def __repr__(self):
        return _text_of(self.tree, "")


def _text_of(node, indent):
    lines = [f"{indent}r{r} = {getattr(f, '__name__', f)!s}({', '.join(_text(s) for s in specs)})"
             for r, f, specs in node[1]]
    if node[0] == "leaf":
        lines.append(f"{indent}raise" if node[3] else f"{indent}value {_text(node[2])}")
    else:
        lines += [f"{indent}if r{node[2]}:", _text_of(node[3], indent + "  "), f"{indent}else:",
                  _text_of(node[4], indent + "  ")]
    return "\n".join(lines)


def _text(spec):
    return f"r{spec}" if type(spec) is int else repr(spec)


def run(program, operands):
    """The program's value on ``operands`` (arrays of one shape, or floats for fixed operands).

    Raises ``Trouble`` where a row would raise on floats; call it inside ``np.errstate`` with
    over, divide and invalid set to raise, so that a row where arrays and floats may part ways
    raises ``FloatingPointError``.
    """
    return _run(program.tree, [*operands, *[None] * (program.size - len(operands))])


def _run(node, registers):
    for register, function, specs in node[1]:
        registers[register] = function(*[registers[s] if type(s) is int else s for s in specs])
    if node[0] == "leaf":
        if node[3]:
            raise Trouble("a row takes a branch that raises")
        value = node[2]
        return registers[value] if type(value) is int else value
    condition = registers[node[2]]
    if condition.all():
        return _run(node[3], registers)
    if not condition.any():
        return _run(node[4], registers)
    out = np.empty(condition.shape)
    out[condition] = _run(node[3], _rows(registers, condition))
    otherwise = ~condition
    out[otherwise] = _run(node[4], _rows(registers, otherwise))
    return out


def _rows(registers, mask):
    return [x[mask] if type(x) is np.ndarray else x for x in registers]


def run_checked(program, operands):
    """Per row: the program's value, and whether ``run`` would count that row as trouble (a
    non-finite operand or intermediate on its path, a math function raising, a raising branch)."""
    registers = [*operands, *[None] * (program.size - len(operands))]
    shape = next(a.shape for a in operands if type(a) is np.ndarray)
    trouble = np.zeros(shape, bool)
    for x in operands:
        if type(x) is np.ndarray:
            trouble |= ~np.isfinite(x)
    with np.errstate(all="ignore"):
        return _probe(program.tree, registers, trouble)


def _probe(node, registers, trouble):
    for register, function, specs in node[1]:
        args = [registers[s] if type(s) is int else s for s in specs]
        result = function.safe(*args) if isinstance(function, _Elementwise) else function(*args)
        registers[register] = result
        if type(result) is np.ndarray and result.dtype.kind == "f":
            trouble = trouble | ~np.isfinite(result)
    if node[0] == "leaf":
        if node[3]:
            return np.full(trouble.shape, math.nan), np.ones(trouble.shape, bool)
        value = registers[node[2]] if type(node[2]) is int else np.full(trouble.shape, node[2])
        return value, trouble
    condition = registers[node[2]]
    out, flagged = np.empty(condition.shape), np.empty(condition.shape, bool)
    for mask, branch in ((condition, node[3]), (~condition, node[4])):
        out[mask], flagged[mask] = _probe(branch, _rows(registers, mask), trouble[mask])
    return out, flagged


def _paths(function, arguments, recorder):
    """Every path through ``function`` on these stand-ins: (decisions, result or _ERROR)."""
    paths, pending = [], [()]
    while pending:
        script = pending.pop()
        recorder.start(script)
        try:
            result = function(*arguments)
        except NotVectorisable:
            raise
        except (ArithmeticError, ValueError):
            result = _ERROR
        except Exception as error:  # anything else the stand-ins do not support
            raise NotVectorisable(f"{type(error).__name__}: {error}") from None
        taken = tuple(recorder.taken)
        for k in range(len(script), len(taken)):
            pending.append(tuple(outcome for _, outcome in taken[:k]) + (False,))
        if result is not _ERROR:
            result = _spec(result, recorder) if not isinstance(result, _Condition) else None
            if result is None:
                raise NotVectorisable("a rule returned a comparison")
        paths.append((taken, result))
        if len(paths) > _MAX_PATHS:
            raise NotVectorisable(f"more than {_MAX_PATHS} branches")
    return paths


_ERROR = object()


def _same(x, y):
    """The same leaf: one register (int), or one constant (float) to the bit."""
    if type(x) is not type(y):
        return False
    return x.hex() == y.hex() if type(x) is float else x == y


def _tree(paths, depth=0):
    """The paths as a decision tree: a leaf, or (condition register, if true, if false)."""
    if len(paths) == 1 and len(paths[0][0]) == depth:
        return paths[0][1]
    condition = paths[0][0][depth][0]
    yes = _tree([p for p in paths if p[0][depth][1]], depth + 1)
    no = _tree([p for p in paths if not p[0][depth][1]], depth + 1)
    if type(yes) is not tuple and type(no) is not tuple and _same(yes, no):
        return yes
    return (condition, yes, no)


def _annotate(tree, producer, available):
    """The decision tree with, at each node, the instructions it needs that its ancestors lack."""
    if type(tree) is tuple:
        condition, yes, no = tree
        before = _needed(condition, producer, available)
        available = available | {r for r, _, _ in before}
        return ("if", before, condition, _annotate(yes, producer, available),
                _annotate(no, producer, available))
    if tree is _ERROR:
        return ("leaf", (), math.nan, True)
    return ("leaf", _needed(tree, producer, available), tree, False)


def _needed(spec, producer, available):
    needed, stack = set(), [spec] if type(spec) is int else []
    while stack:
        register = stack.pop()
        if register in needed or register in available or register not in producer:
            continue
        needed.add(register)
        stack.extend(s for s in producer[register][2] if type(s) is int)
    return tuple(producer[r] for r in sorted(needed))


def _program(function, fixed):
    recorder = _Recorder(len(fixed))
    arguments = [ArraySymbol(recorder, i) if x is None else x for i, x in enumerate(fixed)]
    tree = _tree(_paths(_lifted(function), arguments, recorder))
    producer = {instruction[0]: instruction for instruction in recorder.instructions}
    size = len(fixed) + len(recorder.instructions)
    return Program(len(fixed), _annotate(tree, producer, frozenset()), size)


@functools.lru_cache(maxsize=1024)
def compile_rule(function, fixed, reference=None):
    """The checked array program of ``function`` with these fixed arguments, or None.

    The rule is called with ``ArraySymbol`` stand-ins, which record the numpy operations applied
    to them instead of computing anything. A branch on a stand-in (``if b == 0.0``, ``x if x > 0
    else 0``) is followed both ways; a branch that raises marks its rows as trouble. ``math``
    functions are applied element by element, so arrays get exactly the floats the engine gets
    (numpy's own exp, tanh and pow differ in the last bit), except sqrt and fabs, which IEEE
    rounds exactly. What the stand-ins cannot follow (``float(x)``, an unknown function, more
    than 32 paths) gives None, and the caller runs the rule on floats. So does a program that
    disagrees with the rule on floats anywhere it claims to be valid, over a grid of probe values
    (0, ±0, 1, large, tiny, ±inf, nan, ...): valid means no numpy floating-point flag (overflow,
    division by zero, invalid), no element-wise function raising and no raising branch, exactly
    the rows where Python floats and IEEE arrays behave alike.

    Args:
        function: an op's forward, or one of its partials.
        fixed: one entry per argument: None for an array, or the float every row shares,
            given by ``float.hex`` (so that −0.0 and NaN are keys like any other).
        reference: for a partial, the op's forward, which gives ``out`` (the first argument)
            on the probe grid; None for a forward.

    Returns None when the rule cannot be vectorised or its program disagrees with it on floats.
    """
    fixed = tuple(None if x is None else float.fromhex(x) for x in fixed)
    try:
        program = _program(function, fixed)
    except NotVectorisable:
        return None
    return program if _agrees_on_probes(program, function, fixed, reference) else None


def _agrees_on_probes(program, function, fixed, reference):
    """``agrees`` on every combination of probe values for the operands that vary."""
    operands = fixed[1:] if reference is not None else fixed
    free = [i for i, x in enumerate(operands) if x is None]
    rows = list(itertools.product(_PROBES, repeat=len(free)))
    columns = [np.array([row[free.index(i)] for row in rows]) if x is None else x
               for i, x in enumerate(operands)]
    return agrees(program, function, columns, reference)


def _row(operands, j):
    return [float(x[j]) if type(x) is np.ndarray else x for x in operands]


def _float_or_nan(function, *args):
    try:
        return float(function(*args))
    except (ArithmeticError, ValueError, TypeError):
        return math.nan


def agrees(program, function, operands, reference=None):
    """True if, on every row the program claims valid (see ``run``), it equals ``function`` on
    floats to the bit (``function`` raising counts as NaN).

    ``operands`` are arrays (one row each) or shared floats. With ``reference``, the op's
    forward, ``function`` is a partial: ``out`` is computed first, and rows where the forward
    raises are left out (backward never reaches them).
    """
    if reference is not None:
        n = next((len(x) for x in operands if type(x) is np.ndarray), 1)
        outs, keep = [], []
        for j in range(n):
            try:
                outs.append(float(reference(*_row(operands, j))))
            except (ArithmeticError, ValueError):
                continue
            keep.append(j)
        keep = np.array(keep, np.intp)
        operands = [np.array(outs), *[x[keep] if type(x) is np.ndarray else x for x in operands]]
    got, trouble = run_checked(program, operands)
    for j in range(len(got)):
        if trouble[j]:
            continue
        want = _float_or_nan(function, *_row(operands, j))
        if not (got[j] == want or (math.isnan(want) and math.isnan(got[j]))):
            return False
    return True
