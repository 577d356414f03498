"""nn.weights_file: exact JSON round trips, and a clear error for every kind of bad file."""

import json
import math
import pathlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from limits import bounded

from lecture import EXAMPLES, SECTION7
from nn import MLP, weights_file
from nn.weights_file import (
    FORMAT,
    MAX_PARAMETERS,
    WeightsFileError,
    dumps_network,
    load_network,
    loads_network,
    network_from_dict,
    network_to_dict,
    save_network,
)

EXAMPLE_FILES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def section7_document():
    return network_to_dict(SECTION7.network())


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=9, max_size=9),
       st.sampled_from(["sigmoid", "tanh", "relu", "identity"]))
def test_round_trip_is_exact(values, activation):
    network = MLP(2, [2, 1], activation=activation)
    network.load_parameter_values(dict(zip(network.parameter_values(), values)))
    loaded = loads_network(dumps_network(network))
    assert list(loaded.parameter_values().values()) == values
    assert [math.copysign(1, v) for v in loaded.parameter_values().values()] == \
        [math.copysign(1, v) for v in values]
    assert loaded.activations == network.activations
    assert loaded.unit_names == network.unit_names


def test_save_and_load_a_file(tmp_path):
    network = MLP(3, [4, 2], activation=["tanh", "sigmoid"], init="he", seed=3)
    path = save_network(network, tmp_path / "sub" / "net.json", description="he-initialised")
    loaded = load_network(path)
    assert loaded.parameter_values() == network.parameter_values()
    assert loaded.activations == ["tanh", "sigmoid"]
    assert json.loads(path.read_text())["description"] == "he-initialised"
    assert [p.name for p in path.parent.iterdir()] == ["net.json"]  # no temporary left behind
    x = [0.1, -0.4, 0.9]
    assert [o.data for o in loaded(x)] == [o.data for o in network(x)]


def test_document_format_and_names():
    document = section7_document()
    assert document["format"] == FORMAT == "stepgrad.mlp/1"
    assert list(document["state"])[:4] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                                           "layers.0.neurons.0.w.2", "layers.0.neurons.0.b"]
    assert document["state"]["layers.1.neurons.0.b"] == 0.1
    assert document["unit_names"] == [["1", "2", "3"], ["4", "5"], ["6"]]


def test_optional_fields_take_defaults():
    document = section7_document()
    del document["activation"], document["unit_names"]
    network = network_from_dict(document)
    assert network.activations == ["sigmoid", "sigmoid"]
    assert network.unit_names == [["1", "2", "3"], ["4", "5"], ["6"]]
    document["activation"] = "tanh"
    assert network_from_dict(document).activations == ["tanh", "tanh"]


def test_shipped_example_files_hold_the_lectures_weights():
    for name, example in EXAMPLES.items():
        loaded = load_network(EXAMPLE_FILES / f"{name}.json")
        built = example.network()
        assert loaded.parameter_values() == built.parameter_values()
        assert loaded.unit_names == built.unit_names
        assert loaded.activations == built.activations


def broken(change):
    document = section7_document()
    change(document)
    return document


def put(path, value):
    def change(document):
        *parents, last = path
        target = document
        for key in parents:
            target = target[key]
        target[last] = value
    return change


def remove(key):
    return lambda document: document.pop(key)


def both(first, second):
    return lambda document: (first(document), second(document))


W01 = "layers.0.neurons.0.w.1"

MALFORMED = [
    (put(["format"], "stepgrad.mlp/2"), r"format: expected 'stepgrad.mlp/1', got 'stepgrad.mlp/2'"),
    (remove("state"), r"state: missing"),
    (remove("n_inputs"), r"n_inputs: missing"),
    (put(["stat"], {}), r"stat: unknown field"),
    (put(["n_inputs"], "3"), r"n_inputs: expected a positive integer, got a string"),
    (put(["n_inputs"], 3.0), r"n_inputs: expected a positive integer, got the number 3.0"),
    (put(["n_inputs"], True), r"n_inputs: expected a positive integer, got a boolean"),
    (put(["layer_sizes"], []), r"layer_sizes: expected a non-empty list"),
    (put(["layer_sizes"], [2, 0]), r"layer_sizes\[1\]: expected a positive integer, got the number 0"),
    (put(["activation"], "softmax"), r"activation: unknown activation 'softmax'"),
    (put(["activation"], ["sigmoid"]), r"activation: expected one name or a list of 2"),
    (put(["activation"], ["sigmoid", "step"]), r"activation\[1\]: unknown activation 'step'"),
    (put(["activation"], [[], "sigmoid"]), r"activation\[0\]: unknown activation \[\]"),
    (put(["unit_names"], [["1", "2", "3"], ["4", "5"]]), r"unit_names: expected a list of 3 lists"),
    (put(["unit_names", 1], ["4"]), r"unit_names\[1\]: expected a list of 2 names, got a list of 1"),
    (put(["unit_names", 2, 0], 6), r"unit_names\[2\]\[0\]: expected a non-empty string"),
    (put(["description"], 7), r"description: expected a string"),
    (put(["state"], [0.2, 0.4]), r"state: expected an object of parameter names and numbers"),
    (put(["state", W01], "0.4"), rf"state\['{W01}'\]: expected a number, got str '0.4'"),
    (put(["state", W01], None), rf"state\['{W01}'\]: expected a number, got NoneType"),
    (put(["state", W01], True), rf"state\['{W01}'\]: expected a number, got bool"),
    (put(["state", W01], [0.4]), rf"state\['{W01}'\]: expected a number, got list"),
    (lambda d: d["state"].pop(W01), rf"state: missing '{W01}'"),
    (put(["state", "layers.0.neurons.0.w.3"], 1.0), r"state: unexpected 'layers.0.neurons.0.w.3'"),
    (put(["layer_sizes"], [3, 1]), r"unit_names\[1\]: expected a list of 3 names, got a list of 2"),
    (both(remove("unit_names"), put(["layer_sizes"], [3, 1])),
     r"state: missing 'layers.0.neurons.2.w.0', 'layers.0.neurons.2.w.1', 'layers.0.neurons.2.w.2'"
     r" and 2 more"),
    (both(remove("unit_names"), put(["n_inputs"], 2)),
     r"state: unexpected 'layers.0.neurons.0.w.2', 'layers.0.neurons.1.w.2' \(this network has "
     r"9 parameters"),
]


@pytest.mark.parametrize("change, message", MALFORMED)
def test_malformed_documents_name_the_field(change, message):
    text = json.dumps(broken(change))
    with pytest.raises(WeightsFileError, match="^net.json: " + message):
        loads_network(text, source="net.json")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_refused(token):
    text = json.dumps(section7_document()).replace('"layers.0.neurons.0.w.1": 0.4',
                                                   f'"layers.0.neurons.0.w.1": {token}')
    assert token in text
    with pytest.raises(WeightsFileError, match=rf"state\['{W01}'\]: expected a finite number"):
        loads_network(text, source="net.json")


def test_bad_json_names_its_line_and_column():
    text = dumps_network(SECTION7.network()).replace('"n_inputs": 3,', '"n_inputs": 3')
    line = next(i for i, row in enumerate(text.splitlines(), 1) if '"layer_sizes"' in row)
    with pytest.raises(WeightsFileError,
                       match=rf"^net.json:{line}: invalid JSON: Expecting ',' delimiter \(column 3\)"):
        loads_network(text, source="net.json")


def test_duplicate_keys_are_refused():
    text = '{"format": "stepgrad.mlp/1", "format": "stepgrad.mlp/1"}'
    with pytest.raises(WeightsFileError, match="^net.json:1: invalid JSON: the key 'format' is given twice"):
        loads_network(text, source="net.json")


def test_a_document_that_is_not_an_object():
    with pytest.raises(WeightsFileError, match="expected a JSON object, got a list"):
        loads_network("[1, 2]")


def test_a_failed_save_keeps_the_old_file(tmp_path):
    path = tmp_path / "net.json"
    save_network(SECTION7.network(), path)
    before = path.read_text()
    network = SECTION7.network()
    network.layers[0].neurons[0].w[0].data = float("nan")
    with pytest.raises(ValueError):
        save_network(network, path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_network(tmp_path / "absent.json")


# -- hostile files: sizes checked before anything is built, limits of autodiff.files ---------

BOMBS = [
    ('{"format": "stepgrad.mlp/1", "n_inputs": 100000, "layer_sizes": [100000, 1], "state": {}}',
     "layer_sizes: a 100000-100000-1 network has 10,000,200,001 weights and biases, more than "
     "the limit of 100,000"),
    ('{"format":"stepgrad.mlp/1","n_inputs":1e9,"layer_sizes":[1],"state":{}}',
     "n_inputs: expected a positive integer, got the number 1000000000.0"),
    ('{"format":"stepgrad.mlp/1","n_inputs":1000000000,"layer_sizes":[1],"state":{}}',
     "n_inputs: 1,000,000,000 units: more than the limit of 100,000 weights and biases"),
    ('{"format":"stepgrad.mlp/1","n_inputs":1,"layer_sizes":[' + "1," * 200_000 + '1],"state":{}}',
     "layer_sizes: a 1-1-1-…-1-1 network has 400,002 weights and biases, more than the limit"),
    ('{"format":"stepgrad.mlp/1","n_inputs":300,"layer_sizes":[300,1],"state":{}}',
     "state: missing 'layers.0.neurons.0.w.0', 'layers.0.neurons.0.w.1', "
     "'layers.0.neurons.0.w.2' and 90598 more"),
]


@pytest.mark.parametrize("text, message", BOMBS)
def test_sizes_are_checked_against_the_limit_and_the_data_first(text, message):
    assert len(BOMBS[0][0]) == 89
    with bounded(cpu_seconds=2.0, megabytes=40):
        with pytest.raises(WeightsFileError) as caught:
            loads_network(text, source="bomb.json")
    assert str(caught.value).startswith(f"bomb.json: {message}")


def test_the_limit_counts_every_weight_and_bias(monkeypatch):
    text = dumps_network(SECTION7.network())          # a 3-2-1 network: 8 weights, 3 biases
    assert MAX_PARAMETERS == 100_000
    monkeypatch.setattr(weights_file, "MAX_PARAMETERS", 11)
    assert loads_network(text).parameter_values() == SECTION7.network().parameter_values()
    monkeypatch.setattr(weights_file, "MAX_PARAMETERS", 10)
    with pytest.raises(WeightsFileError, match="a 3-2-1 network has 11 weights and biases, more "
                                               "than the limit of 10"):
        loads_network(text)


@pytest.mark.parametrize("name", ["4\x1b[2J", "\x1b]0;pwned\x07", "exe\u202etxt", "a\nb", "\x7f"])
def test_unit_names_with_control_characters_are_refused(name):
    document = section7_document()
    document["unit_names"][1][0] = name
    with pytest.raises(WeightsFileError) as caught:
        loads_network(json.dumps(document), source="net.json")
    message = str(caught.value)
    assert message.startswith("net.json: unit_names[1][0]: a name cannot hold control or bidi")
    assert message.isprintable()


HOSTILE_TEXTS = [
    (lambda text: text.replace('"n_inputs": 3', '"n_inputs": 3, "description": ' + "[" * 100_000
                               + "]" * 100_000), "net.json:3: nested more than 32 levels deep"),
    (lambda text: text.replace("0.4,", "1" * 400 + ","),
     "net.json:9: a number written with more than 300 characters (400)"),
    (lambda text: text.replace("0.4,", "1" * 5001 + ","),
     "net.json:9: a number written with more than 300 characters (5,001)"),
]


@pytest.mark.parametrize("change, message", HOSTILE_TEXTS)
def test_hostile_weights_files_are_one_line_errors(change, message, tmp_path):
    path = tmp_path / "net.json"
    path.write_text(change(dumps_network(SECTION7.network())), encoding="utf-8")
    with bounded(cpu_seconds=1.0, megabytes=40):
        with pytest.raises(WeightsFileError) as caught:
            load_network(path)
    assert str(caught.value) == f"{tmp_path}/{message}"


def test_a_latin1_weights_file_names_the_file_and_the_line(tmp_path):
    path = tmp_path / "net.json"
    text = dumps_network(SECTION7.network(), description="café")
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(WeightsFileError, match=rf"^{path}:3: not UTF-8 text \(byte 0xe9 at "
                                               r"column 22\); save the file as UTF-8$"):
        load_network(path)
