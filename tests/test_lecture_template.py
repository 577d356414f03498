"""lecture.template: the built-in template, template files, and errors that name file, line and field."""

from decimal import Decimal

import pytest

from stepgrad.classroom.template import BUILTIN, BUILTIN_TEXT, TemplateError, load_template, shape_units


def write(tmp_path, text, name="mine.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_builtin_template_is_the_lecture_section_7_style():
    assert BUILTIN.name == "section7" and BUILTIN.shapes == ((3, 2, 1),)
    assert BUILTIN.activations == (("sigmoid",),) and BUILTIN.losses == ("squared_error",)
    assert BUILTIN.etas == (Decimal("0.9"),) and BUILTIN.sign == "lecture" and BUILTIN.digits == 4
    assert (BUILTIN.weights.lo, BUILTIN.weights.hi, BUILTIN.weights.decimals) == (Decimal("-0.5"), Decimal("0.5"), 1)
    assert BUILTIN.inputs.steps == (1, 10) and BUILTIN.targets.steps == (0, 1)
    assert BUILTIN.zeros is False       # no bias or input of 0: it would hide typical mistakes
    assert load_template(None) is BUILTIN


def test_units_are_numbered_as_the_lecture_numbers_them():
    assert shape_units((3, 2, 1)) == (("1", "2", "3"), ("4", "5"), ("6",))
    assert shape_units((2, 3, 2)) == (("1", "2"), ("3", "4", "5"), ("6", "7"))


def test_a_file_overrides_the_builtin_field_by_field(tmp_path):
    path = write(tmp_path, 'shapes = ["2-3-2", [2, 2, 1]]\nactivations = ["tanh", ["relu", "sigmoid"]]\n'
                           'eta = 0.5\nloss = ["squared_error", "mean_squared_error"]\n'
                           'asked = ["delta", "w13_new"]\ndigits = 3\n'
                           '[weights]\nrange = [-1, 1]\ndecimals = 2\n')
    template = load_template(path)
    assert template.name == "mine" and template.source == str(path)
    assert template.shapes == ((2, 3, 2), (2, 2, 1))
    assert template.activations == (("tanh",), ("relu", "sigmoid"))
    assert template.choices((2, 3, 2)) == [("tanh", "tanh"), ("relu", "sigmoid")]
    assert template.etas == (Decimal("0.5"),) and template.digits == 3
    assert template.weights.steps == (-100, 100) and template.biases == BUILTIN.biases
    assert template.asked == ("delta", "w13_new")


def test_the_printed_builtin_text_is_the_builtin(tmp_path):
    assert load_template(write(tmp_path, BUILTIN_TEXT, "section7.toml")) == \
        BUILTIN.__class__(**{**BUILTIN.__dict__, "source": str(tmp_path / "section7.toml")})


@pytest.mark.parametrize("text, message", [
    ('colour = "red"\n', "mine.toml:1: colour: unknown field; a template has name, title, shapes"),
    ('[weights]\nrange = [-0.5, 0.5]\ndecimal = 1\n',
     "mine.toml:3: [weights] decimal: unknown field; [weights] has range, decimals"),
    ('shapes = "3-x-1"\n', "mine.toml:1: shapes: expected units per layer, inputs first"),
    ('shapes = "3-9-1"\n', "mine.toml:1: shapes: 3-9-1: a hand exercise has 2 to 5 layers of 1 to 6 units"),
    ('activations = [["tanh", "sigmoid", "sigmoid"]]\n',
     "mine.toml:1: activations: ['tanh', 'sigmoid', 'sigmoid'] names 3 layers; shape 3-2-1 has 2"),
    ('activations = "softmax"\n', "mine.toml:1: activations: expected activation names"),
    ('loss = "hinge"\n', "mine.toml:1: loss: expected one of squared_error, mean_squared_error, cross_entropy"),
    ('eta = [0.5, 0]\n', "mine.toml:1: eta: expected η or a list of η, each in (0, 10]"),
    ('digits = 2\n', "mine.toml:1: digits: expected a whole number of significant digits from 3 to 8"),
    ('asked = ["delta9"]\n', "mine.toml:1: asked: 'delta9' is neither a kind"),
    ('[inputs]\nrange = [1, 0]\n', "mine.toml:2: [inputs] range: expected lowest ≤ highest"),
    ('[inputs]\nrange = [0.1, 0.9]\ndecimals = 0\n', "mine.toml:2: [inputs] range: no multiple of 1 lies in [0.1, 0.9]"),
    ('[weights]\nrange = [0, 0]\n', "mine.toml:2: [weights] range: a weight is never 0"),
    ('activations = "tanh"\n[targets]\nrange = [-2, 1]\ndecimals = 1\n',
     "mine.toml:3: [targets] range: a tanh output reaches [-1, 1]"),
    ('loss = "cross_entropy"\nactivations = "tanh"\n', "mine.toml:1: loss: cross_entropy needs a sigmoid output"),
    ('name = "my class"\n', "mine.toml:1: name: expected letters, digits, - and _"),
    ("digits = 4\nshapes = = 1\n", "mine.toml:2: invalid TOML"),
])
def test_a_bad_template_names_file_line_and_field(tmp_path, text, message):
    with pytest.raises(TemplateError) as caught:
        load_template(write(tmp_path, text))
    assert str(caught.value).startswith(str(tmp_path / message.split(":", 1)[0]) + ":" + message.split(":", 1)[1])
    assert "\n" not in str(caught.value)


def test_a_template_file_needs_a_known_suffix(tmp_path):
    with pytest.raises(TemplateError, match=r"a template is a \.toml or \.json file"):
        load_template(write(tmp_path, "", "mine.yaml"))

