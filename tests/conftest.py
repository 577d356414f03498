"""Shared test set-up: the hypothesis profile, engine-state hygiene and the lecture-rounding check."""

from decimal import Decimal

import pytest
from hypothesis import settings

from autodiff import Value, value

# NOTE: no deadline, because the machines that run the suite are shared and timings are noisy.
settings.register_profile("stepgrad", deadline=None)
settings.load_profile("stepgrad")


@pytest.fixture(autouse=True)
def engine_modes_restored():
    """Fail a test that leaves no_grad() or detect_anomaly() switched on."""
    yield
    assert value.is_recording(), "a test left no_grad() on"
    assert not value.anomaly_mode(), "a test left detect_anomaly() on"


def _within_printed(exact, printed):
    """|exact − printed| ≤ one unit in the last printed digit (the lecture rounds as it goes)."""
    unit = Decimal(1).scaleb(Decimal(printed).as_tuple().exponent)
    return abs(Decimal(repr(float(exact))) - Decimal(printed)) <= unit


@pytest.fixture
def printed():
    """``printed(exact, "0.4700")`` asserts that ``exact`` reproduces the lecture's printed number."""

    def check(exact, text):
        assert _within_printed(exact, text), f"{exact!r} does not round to the printed {text}"

    return check


@pytest.fixture(scope="module")
def tanh_chain():
    """x and y = tanh(tanh(…tanh(x)…)): a chain of 1,000,000 nodes (about a second to build)."""
    x = Value(0.5, label="x")
    y = x
    for _ in range(1_000_000):
        y = y.tanh()
    return x, y
