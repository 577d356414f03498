"""lecture.tables: the tables' cells reproduce the lecture, are aligned, and read the same every run."""

import html

import pytest
from lecture_numbers import SECTION7_TABLE2

from lecture import SECTION7, SECTION10, training_step
from lecture.tables import (
    format_table,
    step_report,
    unit_rows,
    unit_table,
    verification_rows,
    verification_table,
    weight_rows,
    weight_table,
)
from nn import MLP
from stepgrad._ground.numbers import fixed as format_number


def step_of(example):
    return training_step(example.network(), example.x, example.t, example.eta)


def number(cell):
    return float(cell.replace("−", "-"))


def cells(header_and_rows, key=0):
    """{a row's key cell: the row's cells as numbers} for the rows as a table prints them."""
    _, rows = header_and_rows
    return {row[key]: [number(c) if c else None for c in row[key + 1:]] for row in rows}


def unit_cells(step, digits):
    """{unit: [net, o, ∂o/∂net, −∂E/∂o, δ]} from the unit table's rows (inputs left out)."""
    _, rows = unit_rows(step, digits)
    return {row[1]: [number(c) for c in row[2:]] for row in rows if row[2]}




def test_weight_table_reproduces_table2(printed):
    rows = cells(weight_rows(step_of(SECTION7), digits=3))
    assert set(rows) == set(SECTION7_TABLE2)
    for label, (old, new, change) in SECTION7_TABLE2.items():
        w, x, delta, dw, w_new = rows[label]
        printed(w, old)
        printed(w_new, new)
        printed(dw, change)


def test_verification_table_reproduces_table2_output_and_error(printed):
    table2 = cells(verification_rows(step_of(SECTION7), digits=3))
    for label, expected in (("o6", ("0.474", "0.515", "+0.041")),
                            ("|t − o6|", ("0.526", "0.485", "-0.041"))):
        for value, text in zip(table2[label], expected):
            printed(value, text)
    rows = cells(verification_rows(step_of(SECTION7), digits=4))
    for label, expected in (("net4", ("-0.7", "-0.724")), ("o4", ("0.332", "0.327")),
                            ("net5", ("0.1", "0.082")), ("o5", ("0.525", "0.521")),
                            ("net6", ("-0.1046", "0.061"))):
        for value, text in zip(rows[label], expected):
            printed(value, text)


def test_unit_table_reproduces_sections_7_and_10(printed):
    rows = unit_cells(step_of(SECTION7), digits=4)
    for unit, (net, out, delta) in {"4": ("-0.7", "0.332", "-0.0087"),
                                    "5": ("0.1", "0.525", "-0.0065"),
                                    "6": ("-0.1046", "0.474", "0.1311")}.items():
        printed(rows[unit][0], net)
        printed(rows[unit][1], out)
        printed(rows[unit][4], delta)
    printed(rows["6"][3], "0.526")  # t − o6
    rows = unit_cells(step_of(SECTION10), digits=4)
    for unit, (net, out, delta) in {"3": ("0.49", "0.620", "0.0895"),
                                    "4": ("0.605", "0.647", "-0.148")}.items():
        printed(rows[unit][0], net)
        printed(rows[unit][1], out)
        printed(rows[unit][4], delta)


def test_rows_are_what_the_table_prints():
    step = step_of(SECTION10)
    for rows_of, table_of in ((unit_rows, unit_table), (weight_rows, weight_table),
                              (verification_rows, verification_table)):
        header, rows = rows_of(step, 3)
        lines = table_of(step, 3).splitlines()
        assert len(lines) == len(rows) + 2
        for row, line in zip([header, *rows], [lines[0], *lines[2:]]):
            assert line.split() == " ".join(row).split()


def test_unit_table_golden():
    assert unit_table(step_of(SECTION7)) == """\
layer      unit       net        o   o(1 − o)    −∂E/∂o   δ = −∂E/∂net
──────────────────────────────────────────────────────────────────────
input      1                1.0000
           2                0.0000
           3                1.0000
hidden 1   4      -0.7000   0.3318     0.2217   -0.0394        -0.0087
           5       0.1000   0.5250     0.2494   -0.0262        -0.0065
output     6      -0.1045   0.4739     0.2493    0.5261         0.1312"""


def test_weight_table_golden_at_three_digits():
    table = weight_table(step_of(SECTION7), digits=3)
    assert table.splitlines()[:3] == [
        "weight        w       x        δ   Δw = η·δ·x    w_new",
        "──────────────────────────────────────────────────────",
        "w14       0.200   1.000   -0.009       -0.008    0.192"]
    assert table.splitlines()[-3:] == [
        "w46      -0.300   0.332    0.131       +0.039   -0.261",
        "w56      -0.200   0.525    0.131       +0.062   -0.138",
        "b6        0.100   1.000    0.131       +0.118    0.218"]


def test_report_is_identical_run_to_run_and_names_everything():
    first, second = step_report(step_of(SECTION10)), step_report(step_of(SECTION10))
    assert first == second
    assert first.startswith("x = (0.5, 0.8), t = (1, 0), η = 0.5")
    for text in ("E = ½Σ(t − o)² = 0.2814", "w24", "b4", "|t − o3|", "|t − o4|", "Verification"):
        assert text in first


def test_slope_header_follows_the_activation():
    for activation, header in (("tanh", "1 − o²"), ("relu", "[net > 0]"),
                               ("identity", "∂o/∂net")):
        network = MLP(2, [2, 1], activation=activation, init="xavier", seed=1)
        header_cells, _ = unit_rows(training_step(network, [0.5, -0.5], [1.0], 0.1))
        assert header_cells[4] == header
    mixed = MLP(2, [2, 1], activation=["tanh", "sigmoid"], init="xavier", seed=1)
    assert "∂o/∂net" in unit_table(training_step(mixed, [0.5, -0.5], [1.0], 0.1))


def test_columns_are_aligned():
    table = weight_table(step_of(SECTION10))
    lines = table.splitlines()
    assert len({len(line) for line in lines}) == 1
    # numbers are right-aligned: every decimal point of a column in the same place
    points = [{i for i, c in enumerate(line) if c == "."} for line in lines[2:]]
    assert all(p == points[0] for p in points)


@pytest.mark.parametrize("x, digits, sign, text", [
    (0.13116, 4, False, "0.1312"), (-0.0087, 4, False, "-0.0087"), (0.039, 3, True, "+0.039"),
    (-0.0, 4, False, "0.0000"), (-0.00001, 3, True, "0.000"), (0.0, 2, True, "0.00")])
def test_format_number(x, digits, sign, text):
    assert format_number(x, digits, sign) == text


def test_format_table_aligns_text_left_and_numbers_right():
    assert format_table(["a", "value"], [["long name", "1.5"], ["b", "-10.25"]]) == (
        "a            value\n"
        "──────────────────\n"
        "long name      1.5\n"
        "b           -10.25")


def test_a_step_shows_itself_as_html_tables_in_a_notebook():
    step = training_step(SECTION7.network(), SECTION7.x, SECTION7.t, SECTION7.eta)
    page = step._repr_html_()
    assert page.count("<table") == 3 and "<caption" in page
    for header, rows in (unit_rows(step), weight_rows(step)):
        for cell in header + [c for row in rows for c in row if c]:
            assert f">{html.escape(cell)}</" in page
