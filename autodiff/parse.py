"""A safe parser from expression text such as ``sigmoid(w*x + b)`` to a graph of Values.

Python's ``ast`` reads the text; only a whitelist of node types becomes a graph and nothing
is ever evaluated as Python: numbers, variable names, ``+ - * / **``, unary ``-`` and ``+``,
and calls of the functions in ``FUNCTIONS`` (ops of the table). Anything else is an
ExpressionError that points at its column. Names are compared after NFKC normalisation, as
Python compares identifiers: a fullwidth ``ｘ`` is ``x``.
"""

import ast
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from .ops import OPS
from .value import AnomalyError, Value, apply, as_float

__all__ = ["parse_expression", "Expression", "ExpressionError", "FUNCTIONS", "MAX_LITERAL_LENGTH"]

FUNCTIONS = {name: OPS[name] for name in
             ("sigmoid", "tanh", "relu", "exp", "log", "sqrt", "sin", "cos", "abs")}
_BINARY = {ast.Add: OPS["add"], ast.Sub: OPS["sub"], ast.Mult: OPS["mul"], ast.Div: OPS["div"],
           ast.Pow: OPS["pow"]}
_OTHER_OPERATORS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
                    ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^",
                    ast.Invert: "~", ast.Not: "not"}
_DESCRIPTIONS = {ast.Attribute: "attribute access", ast.Subscript: "indexing",
                 ast.Compare: "a comparison", ast.BoolOp: "and/or", ast.IfExp: "if/else",
                 ast.Lambda: "lambda", ast.Tuple: "a tuple", ast.List: "a list", ast.Dict: "a dict",
                 ast.Set: "a set", ast.ListComp: "a comprehension",
                 ast.GeneratorExp: "a comprehension", ast.Starred: "unpacking",
                 ast.NamedExpr: "assignment (:=)", ast.JoinedStr: "an f-string",
                 ast.Await: "await", ast.Slice: "a slice"}
_ALLOWED = "numbers, names, + − * / **, unary − and calls of " + ", ".join(FUNCTIONS)
MAX_LITERAL_LENGTH = 300   # characters of one number; 10³⁰⁰ is far below the largest float
_LONG_NUMBER = re.compile(r"(?<![\w.])[0-9.][0-9_.eE]{%d,}" % MAX_LITERAL_LENGTH)


class ExpressionError(ValueError):
    """A malformed expression; ``str()`` shows the message, the expression and a caret."""

    def __init__(self, message: str, expression: str, column: int) -> None:
        self.message = message
        self.expression = expression
        self.column = column        # 0-based, in characters
        shown, at = expression, column
        if len(expression) > 80:    # a window around the column
            start = max(0, column - 35)
            end = min(len(expression), start + 70)
            shown = ("…" if start else "") + expression[start:end] + ("…" if end < len(expression) else "")
            at = column - start + (1 if start else 0)
        super().__init__(f"{message} (column {column + 1})\n  {shown}\n  {' ' * at}^")


@dataclass(frozen=True, eq=False)
class Expression:
    """A parsed expression: its ``root`` Value and its ``variables`` (name → leaf Value)."""

    text: str
    root: Value
    variables: dict


def parse_expression(text: str, values: "Mapping[str, float]", label_subexpressions: bool = True,
                     root_label: "str | None" = None) -> Expression:
    """Build the graph of ``text`` with variables set from ``values`` (name → number).

    Each variable becomes one labeled leaf, shared by all its uses. With
    ``label_subexpressions`` every op node is labeled with its source text (``w*x + b``), so
    steps and explanations name nodes as the expression writes them; ``root_label`` names the
    root instead (``f``). Leading and trailing spaces are dropped; columns count from there.

    >>> e = parse_expression("sigmoid(w*x + b)", {"w": 0.5, "x": 1, "b": 0})
    >>> round(e.root.data, 4), e.root.label
    (0.6225, 'sigmoid(w*x + b)')
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_expression: expected a str, got {type(text).__name__}")
    text = text.strip()
    for column, char in enumerate(text):
        if char in "\r\n":
            raise ExpressionError("an expression is one line", text.replace("\r", " ").replace("\n", " "), column)
    if not text.strip():
        raise ExpressionError("empty expression", text, 0)
    long_number = _LONG_NUMBER.search(text)
    if long_number:
        raise ExpressionError(f"a number of {len(long_number[0]):,} characters is too long "
                              f"(at most {MAX_LITERAL_LENGTH})", text, long_number.start())
    leaves = {}
    for name, number in values.items():
        name = unicodedata.normalize("NFKC", name)
        if not name.isidentifier():
            raise ValueError(f"variable name {name!r} is not a valid name")
        if name in FUNCTIONS:
            raise ValueError(f"variable name {name!r} is a function's name")
        leaves[name] = Value(as_float(number, f"variable {name}"), label=name)
    tree = _parse(text)
    root = _build(tree.body, text, leaves, label_subexpressions)
    if root_label is not None and root.parents:
        root.label = root_label
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return Expression(text, root, {name: leaf for name, leaf in leaves.items() if name in used})


def _parse(text):
    try:
        return ast.parse(text, mode="eval")
    except SyntaxError as error:
        message = "invalid syntax" if error.msg.startswith("invalid syntax") else error.msg
        if not error.offset or error.lineno not in (None, 1):
            message, column = "the expression ends too soon", len(text)
        else:
            column = error.offset - 1
        raise ExpressionError(message, text, min(column, len(text))) from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is nested too deeply to parse", text, 0) from None


def _column(text, node):
    """ast's byte offset as a character offset."""
    return len(text.encode("utf-8")[:node.col_offset].decode("utf-8", errors="ignore"))


def _build(top, text, leaves, label):
    """The graph of ``top``, built iteratively (post-order with an explicit stack)."""
    results = {}
    stack = [(top, False)]
    while stack:
        node, ready = stack.pop()
        if not ready:
            children = _children(node, text, leaves)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children))
            continue
        value = _node_value(node, text, leaves, results)
        if label and isinstance(value, Value) and value.parents and value.label is None:
            value.label = ast.get_source_segment(text, node)
        results[node] = value
    return results[top] if isinstance(results[top], Value) else Value(results[top], label=text.strip())


def _children(node, text, leaves):
    """The operands of an allowed node; an ExpressionError for anything else."""
    fail = lambda message: ExpressionError(message, text, _column(text, node))  # noqa: E731
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            symbol = _OTHER_OPERATORS.get(type(node.op), type(node.op).__name__)
            hint = "; for a power write **" if symbol == "^" else ""
            raise ExpressionError(f"operator {symbol} is not supported{hint}", text,
                                  _operator_column(text, node))
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise fail(f"operator {_OTHER_OPERATORS.get(type(node.op), '?')} is not supported")
        return [node.operand]
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise fail("only the functions " + ", ".join(FUNCTIONS) + " can be called")
        name = node.func.id
        if name not in FUNCTIONS:
            if name in leaves:
                raise fail(f"{name} is a variable, not a function")
            raise fail(f"unknown function {name!r}; functions: {', '.join(FUNCTIONS)}")
        if node.keywords:
            raise ExpressionError(f"{name}() takes no keyword arguments", text,
                                  _column(text, node.keywords[0].value))
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise fail("unpacking (*) is not allowed")
        arity = FUNCTIONS[name].arity
        if len(node.args) != arity:
            raise fail(f"{name}() takes {arity} argument{'s' * (arity != 1)}, got {len(node.args)}")
        return list(node.args)
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise fail(f"{node.id} is a function: write {node.id}(...)")
        if node.id not in leaves:
            given = ", ".join(leaves) or "none"
            raise fail(f"{node.id!r} has no value (variables given: {given}); set it with "
                       f"{node.id}=NUMBER")
        return []
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            kind = {bool: "a boolean", str: "a string", complex: "a complex number",
                    bytes: "bytes"}.get(type(node.value), type(node.value).__name__)
            raise fail(f"only real numbers are allowed, got {kind} {node.value!r:.40}")
        if node.value in (float("inf"), float("-inf")):
            raise fail("number too large for a float")
        return []
    description = _DESCRIPTIONS.get(type(node), type(node).__name__)
    raise fail(f"{description} is not allowed; use {_ALLOWED}")


def _operator_column(text, node):
    """The column of a binary operator: the first non-space after the left operand."""
    line = text.encode("utf-8")
    end = node.left.end_col_offset
    while end < len(line) and chr(line[end]) in " )\t":
        end += 1
    return len(line[:end].decode("utf-8", errors="ignore"))


def _node_value(node, text, leaves, results):
    """Apply the node's op to its operands' results: a Value, or a float when every operand
    is a number (constants fold, so ``-2*x`` multiplies x by the constant −2)."""
    if isinstance(node, ast.Constant):
        try:
            return float(node.value)  # pyright: ignore[reportArgumentType]
        except OverflowError:
            raise ExpressionError("number too large for a float", text, _column(text, node)) from None
    if isinstance(node, ast.Name):
        return leaves[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
        return results[node.operand]
    if isinstance(node, ast.BinOp):
        op, operands = _BINARY[type(node.op)], [results[node.left], results[node.right]]
    elif isinstance(node, ast.UnaryOp):
        op, operands = OPS["neg"], [results[node.operand]]
    else:
        op, operands = FUNCTIONS[node.func.id], [results[a] for a in node.args]
    try:
        if any(isinstance(x, Value) for x in operands):
            return apply(op, *operands)
        return op.forward(*operands)
    except AnomalyError:
        raise
    except (ArithmeticError, ValueError) as error:
        message = str(error)
        if not message.startswith(f"{op.name}:"):
            message = f"{op.name}: {message}"
        column = _operator_column(text, node) if isinstance(node, ast.BinOp) else _column(text, node)
        raise ExpressionError(message, text, column) from None
