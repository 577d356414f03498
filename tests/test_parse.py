"""Tests of autodiff.parse: expressions become graphs through a whitelist; errors point at a column."""

import math

import pytest

from autodiff import CONST, OPS, topological_order
from autodiff.parse import FUNCTIONS, Expression, ExpressionError, parse_expression
from stepgrad._ground.files import DataFileError
from stepgrad.arguments import parse_assignments
from stepgrad.sources import load_expression


def test_an_expression_becomes_a_labeled_graph():
    e = parse_expression("sigmoid(w*x + b)", {"w": 0.5, "x": 1, "b": 0}, root_label="f")
    assert isinstance(e, Expression) and e.text == "sigmoid(w*x + b)"
    assert e.root.label == "f" and e.root.op is OPS["sigmoid"]
    assert e.root.data == pytest.approx(1 / (1 + math.exp(-0.5)), rel=1e-15)
    add = e.root.parents[0]
    assert add.label == "w*x + b" and add.parents[0].label == "w*x"
    assert set(e.variables) == {"w", "x", "b"}
    assert all(leaf.label == name and leaf.op is None for name, leaf in e.variables.items())


def test_each_variable_is_one_shared_leaf():
    e = parse_expression("x*x + x", {"x": 3.0})
    x = e.variables["x"]
    square = e.root.parents[0]
    assert square.parents == (x, x) and e.root.parents[1] is x
    e.root.backward()
    assert x.grad == 7.0


def test_operators_precedence_and_every_function():
    values = {"a": 0.7, "b": 2.0}
    cases = {"a + b * 2 ** 2": 0.7 + 8.0, "-a ** 2": -(0.7 ** 2), "(a - b) / b": -0.65,
             "+a": 0.7, "abs(a - b)": 1.3}
    for text, expected in cases.items():
        assert parse_expression(text, values).root.data == pytest.approx(expected, rel=1e-15)
    for name, op in FUNCTIONS.items():
        root = parse_expression(f"{name}(a)", values).root
        assert root.op is op and root.data == op.forward(0.7)


def test_numbers_fold_into_constants():
    e = parse_expression("-2*x + 3**2", {"x": 1.0}, label_subexpressions=False)
    product, nine = e.root.parents
    assert nine.op is CONST and nine.data == 9.0
    assert product.parents[0].op is CONST and product.parents[0].data == -2.0
    assert e.root.label is None and e.root.data == 7.0
    constant = parse_expression("1 + 2", {})
    assert constant.root.data == 3.0 and constant.root.label == "1 + 2" and not constant.variables


def test_unused_values_are_not_variables_and_spaces_are_trimmed():
    e = parse_expression("  x * 2  ", {"x": 1.0, "y": 2.0})
    assert list(e.variables) == ["x"] and e.text == "x * 2"


def error_of(text, values=None):
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text, values if values is not None else {"w": 0.5, "x": 1.0, "b": 0.0})
    return caught.value


@pytest.mark.parametrize("text, message, column", [
    ("sigmoid(q*x + b)", "'q' has no value (variables given: w, x, b); set it with q=NUMBER", 8),
    ("w ^ x", "operator ^ is not supported; for a power write **", 2),
    ("w // x", "operator // is not supported", 2),
    ("w.real", "attribute access is not allowed; use numbers, names", 0),
    ("w[0]", "indexing is not allowed", 0),
    ("w < x", "a comparison is not allowed", 0),
    ("w if x else b", "if/else is not allowed", 0),
    ("lambda: w", "lambda is not allowed", 0),
    ("foo(w)", "unknown function 'foo'; functions: sigmoid, tanh, relu, exp, log, sqrt, sin, cos, abs", 0),
    ("w(x)", "w is a variable, not a function", 0),
    ("__import__('os')", "unknown function '__import__'", 0),
    ("sigmoid(w, x)", "sigmoid() takes 1 argument, got 2", 0),
    ("exp(x=w)", "exp() takes no keyword arguments", 6),
    ("sigmoid", "sigmoid is a function: write sigmoid(...)", 0),
    ("'a' + w", "only real numbers are allowed, got a string 'a'", 0),
    ("True * w", "only real numbers are allowed, got a boolean True", 0),
    ("2j * w", "only real numbers are allowed, got a complex number 2j", 0),
    ("w * 1e400", "number too large for a float", 4),
    ("w * 10**400", "pow: result too large for a float", 6),
    ("w + 1/0", "div: division by zero", 5),
    ("log(b)", "log: log of a non-positive number; a = 0.0 ('b')", 0),
    ("w +", "the expression ends too soon", 3),
    ("w x", "invalid syntax", 2),
    ("(w", "'(' was never closed", 0),
    ("", "empty expression", 0),
])
def test_every_error_names_the_problem_and_its_column(text, message, column):
    error = error_of(text)
    assert error.message.startswith(message)
    assert error.column == column
    assert str(error) == f"{error.message} (column {column + 1})\n  {text}\n  {' ' * column}^"


def test_the_caret_counts_characters_not_bytes():
    error = error_of("abs(w) + é", {"w": 1.0})
    assert error.column == 9 and str(error).endswith("\n  abs(w) + é\n           ^")


def test_an_expression_is_one_line():
    error = error_of("w +\n x")
    assert error.message == "an expression is one line" and error.column == 3


def test_deep_nesting_is_an_error_not_a_crash():
    error = error_of("+".join(["w"] * 200000))
    assert error.message == "the expression is nested too deeply to parse"
    assert len(str(error)) < 200
    nested = "(" * 300 + "w" + ")" * 300
    assert error_of(nested).message.startswith("too many nested parentheses")


def test_a_long_flat_expression_builds_iteratively():
    # 1500 levels: deeper than Python's recursion limit, which a recursive builder would hit
    root = parse_expression("+".join(["x"] * 1500), {"x": 1.0}, label_subexpressions=False).root
    assert root.data == 1500.0 and len(topological_order(root)) == 1500


def test_a_long_expression_is_shown_around_the_error():
    text = "x + " * 100 + "q + x" + " + x" * 100
    error = error_of(text, {"x": 1.0})
    first, shown, caret = str(error).splitlines()
    assert first == "'q' has no value (variables given: x); set it with q=NUMBER (column 401)"
    assert shown.startswith("  …") and shown.endswith("…") and len(shown) < 100
    assert shown[caret.index("^")] == "q"


def test_variables_must_be_names_and_numbers():
    with pytest.raises(ValueError, match="variable name '1x' is not a valid name"):
        parse_expression("x", {"1x": 1.0})
    with pytest.raises(ValueError, match="variable name 'exp' is a function's name"):
        parse_expression("x", {"exp": 1.0})
    with pytest.raises(TypeError, match="variable x: expected a real number"):
        parse_expression("x", {"x": "1"})
    with pytest.raises(TypeError, match="expected a str, got int"):
        parse_expression(3, {})


def test_assignments_from_the_command_line():
    assert parse_assignments(["w=0.5", " x = 1", "b=-2e-1"]) == {"w": 0.5, "x": 1.0, "b": -0.2}
    for item, message in [("w0.5", "--set: expected NAME=NUMBER, got 'w0.5'"),
                          ("=1", "--set: expected NAME=NUMBER"),
                          ("2w=1", "--set '2w=1': '2w' is not a valid name"),
                          ("w=abc", "--set 'w=abc': 'abc' is not a number"),
                          ("w=nan", "--set 'w=nan': the value must be finite")]:
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
            parse_assignments([item])
    with pytest.raises(ValueError, match="--set: w is given twice"):
        parse_assignments(["w=1", "w=2"])


def test_names_are_compared_after_nfkc_normalisation():
    # Python reads a fullwidth ｘ in the expression as x; --set and values do the same
    assert parse_assignments(["ｘ=2"]) == {"x": 2.0}
    e = parse_expression("ｘ * 3", {"ｘ": 2.0})
    assert e.root.data == 6.0 and list(e.variables) == ["x"] and e.variables["x"].label == "x"
    assert parse_expression("x * 3", parse_assignments(["ｘ=2"])).root.data == 6.0


@pytest.mark.parametrize("digits", [301, 5001])
def test_a_number_too_long_to_read_says_so_at_its_column(digits):
    error = error_of("w + " + "1" * digits)
    assert error.message == f"a number of {digits:,} characters is too long (at most 300)"
    assert error.column == 4
    assert parse_expression("w + " + "1" * 300, {"w": 0.0}).root.data == float("1" * 300)


def test_an_expression_file(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text('expression = "sigmoid(ｗ*x + b)"\nlabel = "y"\n[values]\n"ｗ" = 0.5\nx = 1\n'
                    "b = 0\n", encoding="utf-8")
    e = load_expression(path)
    assert e.root.label == "y" and set(e.variables) == {"w", "x", "b"}
    assert e.root.data == pytest.approx(1 / (1 + math.exp(-0.5)), rel=1e-15)
    (tmp_path / "e.json").write_text('{"expression": "x*x", "values": {"x": 3}}')
    assert load_expression(tmp_path / "e.json").root.data == 9.0


@pytest.mark.parametrize("content, message", [
    ("[1, 2]", "expected a table with 'expression' and 'values'"),
    ('{"expression": "x", "colour": 1}', "colour: unknown field; the fields are expression, "
                                         "values, label"),
    ('{"values": {}}', "expression: missing"),
    ('{"expression": 3}', "expression: expected a string, got int"),
    ('{"expression": "x", "values": [1]}', "values: expected a table of name = number"),
    ('{"expression": "x", "values": {"x": "1"}}', "values.x: expected a number, got str"),
    ('{"expression": "x", "values": {"x": true}}', "values.x: expected a number, got bool"),
    ('{"expression": "x", "values": {"x": NaN}}', "values.x: expected a finite number, got nan"),
    ('{"expression": "x", "values": {"a b": 1}}', "values: variable name 'a b' is not a valid"),
    ('{"expression": "x", "values": {"1x": 1}}', "values: variable name '1x' is not a valid name"),
    ('{"expression": "x", "label": 1}', "label: expected a string, got int"),
    ('{"expression": "x +", "values": {"x": 1}}', "expression: the expression ends too soon "
                                                  "(column 4)"),
    ('{"expression": "x + 1' + "0" * 5000 + '"}', "expression: a number of 5,001 characters"),
    ('{"expression": "x", "values": {"x": ' + "9" * 400 + "}}",
     "a number written with more than 300 characters"),
])
def test_a_bad_expression_file_is_one_line_naming_the_file_and_field(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_expression(path)
    text = str(caught.value)
    assert text.startswith(f"{path}") and message in text and "\n" not in text
