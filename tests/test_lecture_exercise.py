"""lecture.exercise and lecture.exercise_files: seeded exercises per student, their keys and templates."""

import hashlib
import os
import subprocess
import sys
from decimal import Decimal

import pytest

import stepgrad.classroom.exercise as exercise_module
from lecture import check_derivation, load_problem, load_submission
from stepgrad._ground import decimal as significant
from stepgrad._ground import short as plain
from stepgrad.classroom.exercise import ExerciseError, exercise_seed, generate
from stepgrad.classroom.exercise_files import answers_toml, exercise_toml, key_toml
from stepgrad.classroom.template import BUILTIN, template_from_dict
from stepgrad.exits import check_status

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KINDS = ["net", "o", "slope", "signal", "delta", "E", "dEdo", "dEdnet", "dEdw", "dw", "w_new",
         "net_new", "o_new", "signal_new", "E_new"]
TEMPLATES = {
    "builtin": BUILTIN,
    "tanh 2-3-2": template_from_dict({"shapes": "2-3-2", "activations": [["tanh", "sigmoid"]],
                                      "eta": [0.5, 0.1], "asked": KINDS, "digits": 5,
                                      "weights": {"range": [-1, 1], "decimals": 1},
                                      "inputs": {"range": [-1, 1], "decimals": 1},
                                      "targets": {"range": [0, 1], "decimals": 1}}),
    "relu 2-2-1 mse": template_from_dict({"shapes": ["2-2-1", "3-3-1"], "activations": [["relu", "identity"]],
                                          "loss": "mean_squared_error", "eta": 0.1, "asked": KINDS,
                                          "targets": {"range": [-1, 1], "decimals": 1}}),
    "cross-entropy 2-2-2, other sign": template_from_dict({
        "shapes": "2-2-2", "loss": "cross_entropy", "delta": "dE/dnet", "eta": 0.5, "digits": 3,
        "inputs": {"range": [0, 1], "decimals": 1}}),
}

# The key of alice's exercise from the built-in template with class seed 2024, byte for byte.
GOLDEN_KEY = "405957e6384a07a15bec75e1a5dfc9bdfcd8adffb74a278d3552bb4d32541f30"
GOLDEN_EXERCISE = "523db37d2b465787cf91070add99788b5b5ea8fc54f022349c8f215ccbc7be5a"


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_files(folder, exercise):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exercise.toml").write_text(exercise_toml(exercise), encoding="utf-8")
    (folder / "key.toml").write_text(key_toml(exercise), encoding="utf-8")
    (folder / "answers.toml").write_text(answers_toml(exercise), encoding="utf-8")
    return folder


def in_parts(exercise):
    """The asked names as the files list them: by the lecture's parts (forward, error, δ, ...)."""
    return [name for _, _, names in exercise.parts() for name in names]


def test_a_student_seed_comes_from_sha256_of_the_class_seed_and_the_id():
    data = b"stepgrad.exercise/1\x002024\x00alice"
    assert exercise_seed(2024, "alice") == int.from_bytes(hashlib.sha256(data).digest()[:6], "big")
    assert exercise_seed(2024, "alice") != exercise_seed(2025, "alice") != exercise_seed(2024, "bob")


def test_the_same_seed_gives_the_same_bytes_on_any_machine():
    exercise = generate(BUILTIN, "alice", 2024)
    assert exercise.id == "section7-65a8ab0d7b35" and exercise.seed == 111775098698549
    assert exercise.key["net4"] == "-0.7700" and exercise.key["delta6"] == "-0.1475"
    assert sha256(key_toml(exercise)) == GOLDEN_KEY
    assert sha256(exercise_toml(exercise)) == GOLDEN_EXERCISE


def test_the_same_seed_gives_the_same_key_in_two_processes():
    code = ("from stepgrad.classroom import generate, key_toml, BUILTIN; "
            " import sys; "
            "sys.stdout.buffer.write(key_toml(generate(BUILTIN, 'bob', 7)).encode())")
    outputs = [subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, cwd=ROOT,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert outputs[0] == outputs[1] == key_toml(generate(BUILTIN, "bob", 7)).encode()


def test_different_students_get_different_numbers():
    problems = [generate(BUILTIN, f"student{k}", 99).problem for k in range(30)]
    numbers = {(tuple(p.weights.values()), p.x, p.t) for p in problems}
    assert len(numbers) == 30
    assert len({generate(BUILTIN, "alice", seed).id for seed in range(10)}) == 10


@pytest.mark.parametrize("name", TEMPLATES)
def test_draws_avoid_the_degenerate_cases(name):
    template = TEMPLATES[name]
    for k in range(25):
        exercise = generate(template, f"s{k}", 5)
        p, values = exercise.problem, exercise.values
        assert all(p.weights[c.label] != 0 for c in p.connections if c.source is not None)
        assert any(p.x)
        for unit in p.units:
            assert abs(values[f"delta{unit}"]) >= template.min_delta
            assert abs(values[f"net{unit}"]) >= 1e-9
        assert values["E_new"] < values["E"]
        for layer in p.unit_names[1:]:
            rows = {tuple(p.weights[c.label] for c in p.connections if c.target == u) for u in layer}
            assert len(rows) == len(layer)
        for q, text in exercise.key.items():
            quantum = Decimal(1).scaleb(Decimal(text).as_tuple().exponent)
            assert abs(Decimal(text) - Decimal(values[q])) <= quantum / 2
            if values[q]:
                distance = (abs(Decimal(values[q])) / quantum) % 1
                assert abs(distance - Decimal("0.5")) >= Decimal("1e-6")


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_key_passes_the_checker(tmp_path, name):
    template = TEMPLATES[name]
    for k in range(6):
        exercise = generate(template, f"s{k}", 11)
        folder = write_files(tmp_path / f"s{k}", exercise)
        report = check_derivation(folder / "key.toml")
        assert check_status(report) == 0 and len(report.rows) == len(exercise.asked)
        assert {row.verdict for row in report.rows} == {"correct"}
        assert [row.quantity for row in report.rows] == in_parts(exercise)


def test_the_asked_quantities_are_canonical_names_in_the_lecture_order():
    exercise = generate(BUILTIN, "alice", 2024)
    positions = [exercise.catalog.position(name) for name in exercise.asked]
    assert positions == sorted(positions) and len(exercise.asked) == 39
    assert exercise.asked[:7] == ("net4", "o4", "net5", "o5", "net6", "o6", "E")
    assert "db6" in exercise.asked and "b6_new" in exercise.asked and "slope4" not in exercise.asked
    named = generate(template_from_dict({"asked": ["δ6", "Δw46", "E"]}), "alice", 2024)
    assert named.asked == ("E", "delta6", "dw46")


def test_the_exercise_file_is_the_problem(tmp_path):
    exercise = generate(TEMPLATES["tanh 2-3-2"], "carol", 3)
    folder = write_files(tmp_path, exercise)
    problem = load_problem(folder / "exercise.toml")
    original = exercise.problem
    assert problem.unit_names == original.unit_names and problem.activations == original.activations
    assert dict(problem.weights) == dict(original.weights)
    assert (problem.x, problem.t, problem.eta, problem.loss, problem.sign) == \
        (original.x, original.t, original.eta, original.loss, original.sign)
    text = exercise_toml(exercise)
    assert 'activation = ["tanh", "sigmoid"]' in text and max(map(len, text.splitlines())) <= 80


def test_the_blank_answer_template_parses_with_its_exercise_table(tmp_path):
    exercise = generate(BUILTIN, "alice", 2024)
    submission = load_submission(write_files(tmp_path, exercise) / "answers.toml")
    assert submission.answers == ()
    assert submission.exercise == exercise.table()
    assert submission.exercise["asked"] == list(exercise.asked)
    assert check_status(check_derivation(submission)) == 0
    text = answers_toml(exercise)
    assert 'delta6 = ""  # δ6' in text and 'dw46 = ""  # Δw46' in text
    assert max(map(len, text.splitlines())) <= 80


def test_the_key_carries_the_same_exercise_table(tmp_path):
    exercise = generate(BUILTIN, "alice", 2024)
    submission = load_submission(write_files(tmp_path, exercise) / "key.toml")
    assert submission.exercise == exercise.table()
    assert [a.key for a in submission.answers] == in_parts(exercise)
    assert [a.value.text for a in submission.answers] == [exercise.key[n] for n in in_parts(exercise)]
    assert max(map(len, key_toml(exercise).splitlines())) <= 80


def test_an_id_from_a_file_cannot_break_the_toml(tmp_path):
    hostile = template_from_dict({"title": 'x" \n[answers]\no4 = "1\u0007\\'})
    exercise = generate(hostile, "alice", 1)
    folder = write_files(tmp_path, exercise)
    assert load_problem(folder / "exercise.toml").title == exercise.problem.title
    assert load_submission(folder / "answers.toml").answers == ()


def test_a_template_with_no_usable_draw_says_why(monkeypatch):
    dead = template_from_dict({"activations": "relu", "asked": ["o"],
                               "weights": {"range": [-0.5, -0.1], "decimals": 1},
                               "biases": {"range": [-0.5, -0.1], "decimals": 1},
                               "targets": {"range": [0, 1], "decimals": 0}})
    monkeypatch.setattr(exercise_module, "MAX_DRAWS", 40)
    with pytest.raises(ExerciseError, match=r"no usable exercise in 40 draws .*a δ below min_delta"):
        generate(dead, "alice", 1)


def test_significant_digits_and_givens_as_text():
    assert significant(0.33181222783183395, 4) == "0.3318"
    assert significant(-0.007852105768889938, 4) == "-0.007852"
    assert significant(0.99996, 4) == "1.000" and significant(-1.0999999, 3) == "-1.10"
    assert significant(-0.0, 4) == "0" and significant(12345.6, 3) == "12346"
    assert plain(0.2) == "0.2" and plain(-0.5) == "-0.5" and plain(1.0) == "1" and plain(-0.0) == "0"
