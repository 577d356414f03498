"""The lecture's worked problems: sections 7 (3-2-1), 10 (2-2-2) and 8 (the 1-1-1 chain)."""

from nn import weight_label

from .problem import Example, Problem

__all__ = ["EXAMPLES", "SECTION7", "SECTION8", "SECTION10"]


def _problem(name, title, unit_names, weights, biases, x, t, eta):
    """A Problem from nested lists, weights[layer][unit][input] and biases[layer][unit]."""
    values = {}
    for k in range(1, len(unit_names)):
        for j, target in enumerate(unit_names[k]):
            for i, source in enumerate(unit_names[k - 1]):
                values[weight_label(source, target)] = weights[k - 1][j][i]
            values[f"b{target}"] = biases[k - 1][j]
    names = tuple(tuple(layer) for layer in unit_names)
    return Problem(title, names, ("sigmoid",) * (len(names) - 1), values,
                   (Example(tuple(x), tuple(t)),), eta, name=name)


SECTION7 = _problem(
    "section7", "Section 7: the 3-2-1 network of Figure 3 (x = (1, 0, 1), t = 1, η = 0.9)",
    [["1", "2", "3"], ["4", "5"], ["6"]],
    [[[0.2, 0.4, -0.5], [-0.3, 0.1, 0.2]], [[-0.3, -0.2]]], [[-0.4, 0.2], [0.1]],
    [1.0, 0.0, 1.0], [1.0], 0.9)

# Section 10 numbers hidden units 1, 2 and output units 3, 4; w_ij runs from unit i to unit j.
SECTION10 = _problem(
    "section10",
    "Section 10: the 2-2-2 network with two output units (x = (0.5, 0.8), t = (1, 0), η = 0.5)",
    [["1", "2"], ["1", "2"], ["3", "4"]],
    [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.45], [0.50, 0.55]]], [[0.0, 0.0], [0.0, 0.0]],
    [0.5, 0.8], [1.0, 0.0], 0.5)

SECTION8 = _problem(
    "section8", "Section 8: the 1-1-1 chain x → h → o (x = 1, t = 1, η = 0.9, biases 0)",
    [["x"], ["h"], ["o"]], [[[0.5]], [[0.8]]], [[0.0], [0.0]], [1.0], [1.0], 0.9)

EXAMPLES = {p.name: p for p in (SECTION7, SECTION10, SECTION8)}
