"""Small graphs several test modules explain and step through."""

from autodiff import Value
from lecture import SECTION7
from nn import squared_error


def two_paths():
    """L = tanh(0.6·x + x·0.4): x reaches L along two paths, with constants on either side."""
    x = Value(1.0, label="x")
    root = (0.6 * x + x * 0.4).tanh()
    root.label = "L"
    return x, root


def section7_error():
    network = SECTION7.network()
    error = squared_error(network(SECTION7.x), network.targets(SECTION7.t))
    error.label = "E"
    return network, error
