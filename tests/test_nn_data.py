"""nn.data: the datasets are seeded, balanced, shaped as the engine takes them, and split cleanly."""

import math

import pytest

from nn import DATASETS, Dataset, circles, moons, split, xor


def test_xor_truth_table():
    data = xor()
    assert data.inputs == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert data.targets == [[0.0], [1.0], [1.0], [0.0]]
    assert len(data) == 4 and data.n_inputs == 2


@pytest.mark.parametrize("make", [moons, circles])
def test_same_seed_same_points_and_plain_floats(make):
    first, again, other = make(n=60, seed=3), make(n=60, seed=3), make(n=60, seed=4)
    assert first == again and first != other
    assert all(type(v) is float for x in first.inputs for v in x)
    assert all(type(t[0]) is float for t in first.targets)
    assert len(first) == 60 and first.n_inputs == 2


@pytest.mark.parametrize("make", [moons, circles])
def test_classes_are_balanced(make):
    data = make(n=101, seed=0)
    ones = sum(t[0] for t in data.targets)
    assert ones == 50 and len(data) == 101


def test_circles_radii():
    data = circles(n=200, noise=0.0, factor=0.4, seed=1)
    for x, t in zip(data.inputs, data.targets):
        assert math.hypot(*x) == pytest.approx(0.4 if t[0] else 1.0, abs=1e-12)


def test_moons_arcs_without_noise():
    data = moons(n=50, noise=0.0, seed=1)
    for (a, b), t in zip(data.inputs, data.targets):
        if t[0]:
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0, abs=1e-12) and b <= 0.5 + 1e-12
        else:
            assert math.hypot(a, b) == pytest.approx(1.0, abs=1e-12) and b >= -1e-12


def test_split_holds_out_a_seeded_fraction():
    data = moons(n=100, seed=0)
    train, validation = split(data, 0.25, seed=2)
    assert (len(train), len(validation)) == (75, 25)
    assert sorted(map(tuple, train.inputs + validation.inputs)) == sorted(map(tuple, data.inputs))
    assert split(data, 0.25, seed=2) == (train, validation)
    assert split(data, 0.25, seed=3) != (train, validation)
    pairs = set(zip(map(tuple, data.inputs), map(tuple, data.targets)))
    assert set(zip(map(tuple, train.inputs), map(tuple, train.targets))) <= pairs


@pytest.mark.parametrize("call, message", [
    (lambda: moons(n=1), "n must be an integer ≥ 2"), (lambda: moons(n=10.5), "n must be an integer"),
    (lambda: circles(noise=-0.1), "noise must be a finite number ≥ 0"),
    (lambda: circles(factor=1.5), r"factor must be in \(0, 1\)"),
    (lambda: split(xor(), 1.0), r"validation fraction must be in \(0, 1\)"),
    (lambda: split(xor(), 0.1), "4 examples are too few to hold out 10%"),
    (lambda: Dataset("d", [[0.0]], []), "dataset d: 1 inputs for 0 targets"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_registry():
    assert set(DATASETS) == {"xor", "moons", "circles"}
