"""Array code for the op table's rules: each forward and partial run once on stand-ins, then on arrays."""

import functools
import itertools
import math

import numpy as np

from .stand_ins import ArraySymbol, Condition, Elementwise, NotVectorisable, Recorder, Trouble, lifted, spec

__all__ = ["Program", "NotVectorisable", "Trouble", "compile_rule", "run", "run_checked", "agrees"]

_MAX_PATHS = 32
# Each program is checked against its rule on floats at every combination of these.
_PROBES = (0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0, 0.1, -7.25, 1e-300, -1e-300,
           1e300, -1e300, 710.0, -746.0, math.inf, -math.inf, math.nan)


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
    yes, no = node[3], node[4]
    if yes[0] == no[0] == "leaf" and not (yes[1] or no[1] or yes[3] or no[3]):   # relu's: pick, no work
        return np.where(condition, *[registers[v] if type(v) is int else v for v in (yes[2], no[2])])
    if condition.all():
        return _run(yes, registers)
    if not condition.any():
        return _run(no, registers)
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
        result = function.safe(*args) if isinstance(function, Elementwise) else function(*args)
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
    paths = []
    pending: list[tuple[bool, ...]] = [()]
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
            result = spec(result, recorder) if not isinstance(result, Condition) else None
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
    recorder = Recorder(len(fixed))
    arguments = [ArraySymbol(recorder, i) if x is None else x for i, x in enumerate(fixed)]
    tree = _tree(_paths(lifted(function), arguments, recorder))
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
