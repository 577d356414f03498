"""Networks as JSON files (format ``stepgrad.mlp/1``): save, load, and clear errors for bad files.

A file is one JSON object::

    {
      "format": "stepgrad.mlp/1",
      "description": "optional free text",
      "n_inputs": 3,
      "layer_sizes": [2, 1],
      "activation": ["sigmoid", "sigmoid"],
      "unit_names": [["1", "2", "3"], ["4", "5"], ["6"]],
      "state": {"layers.0.neurons.0.w.0": 0.2, …, "layers.1.neurons.0.b": 0.1}
    }

``activation`` (one name, or one per layer; default sigmoid), ``unit_names`` (one list per
layer, inputs first; default 1, 2, 3, … in order) and ``description`` may be left out. ``state``
holds every weight and bias, named as ``MLP.named_parameters`` names them, and nothing else.
Floats are written with ``repr``, so a save and a load give back the very same numbers.

A file is read within ``autodiff.files``' limits (size, nesting, number length) and holds at
most ``MAX_PARAMETERS`` weights and biases; the sizes are checked against that, and against
``state``, before anything is built.
"""

import contextlib
import json
import os
import pathlib
from typing import Any

from stepgrad._ground import DataFileError, loads_data, printable, read_data, write_atomic

from .layers import ACTIVATIONS, MLP

__all__ = ["FORMAT", "MAX_PARAMETERS", "WeightsFileError", "network_to_dict", "network_from_dict",
           "dumps_network", "loads_network", "save_network", "load_network"]

FORMAT = "stepgrad.mlp/1"
MAX_PARAMETERS = 100_000
_FIELDS = ("format", "description", "n_inputs", "layer_sizes", "activation", "unit_names", "state")


class WeightsFileError(DataFileError):
    """A weights file that cannot be read: bad JSON, or a field that is missing or wrong."""


def network_to_dict(network, description=None):
    """The JSON document for ``network``, as a dict."""
    document: "dict[str, Any]" = {"format": FORMAT}
    if description is not None:
        document["description"] = str(description)
    document.update({
        "n_inputs": network.n_inputs,
        "layer_sizes": list(network.layer_sizes),
        "activation": network.activations,
        "unit_names": [list(names) for names in network.unit_names],
        "state": network.parameter_values(),
    })
    return document


def dumps_network(network, description=None):
    """The JSON text for ``network``: one field a line, one parameter a line, in network order."""
    def dump(value):
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    lines = []
    for key, value in network_to_dict(network, description).items():
        if key == "state":
            entries = [f"    {dump(name)}: {dump(x)}" for name, x in value.items()]
            lines.append('  "state": {\n' + ",\n".join(entries) + "\n  }")
        else:
            lines.append(f"  {dump(key)}: {dump(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def save_network(network: MLP, path: "str | os.PathLike[str]", description: "str | None" = None) -> pathlib.Path:
    """Write ``network`` to ``path`` as JSON; the file is replaced whole or not at all
    (``autodiff.files.write_atomic``)."""
    return write_atomic(path, dumps_network(network, description).encode("utf-8"))


def load_network(path: "str | os.PathLike[str]") -> MLP:
    """The network stored in the JSON file at ``path``."""
    with _as_weights_file_error():
        document = read_data(path, "json")
    return network_from_dict(document, str(path))


def loads_network(text, source="<string>"):
    """The network stored in JSON ``text``; errors name ``source`` and the field or line."""
    with _as_weights_file_error():
        document = loads_data(text, "json", source)
    return network_from_dict(document, source)


@contextlib.contextmanager
def _as_weights_file_error():
    try:
        yield
    except DataFileError as error:
        raise WeightsFileError(error.source, error.problem, error.line, error.field) from None


def network_from_dict(document, source="<document>"):
    """An MLP from a parsed document; every field is checked before the network is built."""
    def fail(field, problem):
        raise WeightsFileError(source, problem, field=field)

    if not isinstance(document, dict):
        raise WeightsFileError(source, f"expected a JSON object, got {_kind(document)}")
    for key in document:
        if key not in _FIELDS:
            fail(key, f"unknown field (fields are {', '.join(_FIELDS)})")
    for key in ("format", "n_inputs", "layer_sizes", "state"):
        if key not in document:
            fail(key, "missing")
    if document["format"] != FORMAT:
        fail("format", f"expected {FORMAT!r}, got {document['format']!r:.60}")
    if "description" in document and not isinstance(document["description"], str):
        fail("description", f"expected a string, got {_kind(document['description'])}")
    n_inputs = _size(document["n_inputs"], "n_inputs", fail)
    sizes = document["layer_sizes"]
    if not isinstance(sizes, list) or not sizes:
        fail("layer_sizes", f"expected a non-empty list of layer sizes, got {_kind(sizes)}")
    sizes = [_size(s, f"layer_sizes[{k}]", fail) for k, s in enumerate(sizes)]
    count = sum((fan_in + 1) * fan_out for fan_in, fan_out in zip([n_inputs, *sizes], sizes))
    if count > MAX_PARAMETERS:
        fail("layer_sizes", f"a {_shape(n_inputs, sizes)} network has {count:,} weights and "
                            f"biases, more than the limit of {MAX_PARAMETERS:,}")
    state = document["state"]
    if not isinstance(state, dict):
        fail("state", f"expected an object of parameter names and numbers, got {_kind(state)}")
    activation = _activations(document.get("activation", "sigmoid"), len(sizes), fail)
    names = _unit_names(document.get("unit_names"), [n_inputs, *sizes], fail)
    fans = zip([n_inputs, *sizes], sizes)
    zeros = [[[0.0] * fan_in for _ in range(fan_out)] for fan_in, fan_out in fans]
    network = MLP(n_inputs, sizes, activation=activation, weights=zeros,
                  biases=[[0.0] * size for size in sizes], unit_names=names)
    try:
        network.load_parameter_values(state, where="state")
    except ValueError as error:
        raise WeightsFileError(source, str(error)) from None
    return network


_KINDS = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}


def _kind(x):
    """How a JSON value is described in an error: a string, a list of 2, the number 3.0."""
    if type(x) in _KINDS:
        return _KINDS[type(x)] + (f" of {len(x)}" if isinstance(x, list) else "")
    return f"the number {x!r}" if isinstance(x, (int, float)) else type(x).__name__


def _size(x, field, fail):
    if isinstance(x, bool) or not isinstance(x, int) or x < 1:
        fail(field, f"expected a positive integer, got {_kind(x)}")
    if x > MAX_PARAMETERS:
        fail(field, f"{x:,} units: more than the limit of {MAX_PARAMETERS:,} weights and biases")
    return x


def _shape(n_inputs, sizes):
    shape = [n_inputs, *sizes]
    return "-".join(map(str, shape if len(shape) <= 6 else [*shape[:3], "…", *shape[-2:]]))


def _activations(activation, n_layers, fail):
    choices = ", ".join(ACTIVATIONS)
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            fail("activation", f"unknown activation {activation!r}; choose one of {choices}")
        return [activation] * n_layers
    if not isinstance(activation, list) or len(activation) != n_layers:
        fail("activation", f"expected one name or a list of {n_layers} (one per layer), "
                           f"got {_kind(activation)}")
    for k, name in enumerate(activation):
        if not isinstance(name, str) or name not in ACTIVATIONS:
            fail(f"activation[{k}]", f"unknown activation {name!r:.40}; choose one of {choices}")
    return activation


def _unit_names(names, sizes, fail):
    if names is None:
        return None
    if not isinstance(names, list) or len(names) != len(sizes):
        fail("unit_names", f"expected a list of {len(sizes)} lists (inputs, then each layer), "
                           f"got {_kind(names)}")
    for k, (layer, size) in enumerate(zip(names, sizes)):
        if not isinstance(layer, list) or len(layer) != size:
            fail(f"unit_names[{k}]", f"expected a list of {size} names, got {_kind(layer)}")
        for j, name in enumerate(layer):
            if not isinstance(name, str) or not name:
                fail(f"unit_names[{k}][{j}]", f"expected a non-empty string, got {_kind(name)}")
            if "\n" in name or printable(name) != name:
                fail(f"unit_names[{k}][{j}]", f"a name cannot hold control or bidi characters "
                                              f"(a line break, an escape, …), got {name!r:.60}")
    return names
