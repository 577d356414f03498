"""Smoke tests of bench/: every workload runs on tiny sizes, and the engines compute the same numbers."""

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # bench/ is a directory of scripts, not an installed package
    sys.path.insert(0, str(REPO))

from bench import classroom, measure, run  # noqa: E402
from bench.engine_floats import ENGINE as FLOATS  # noqa: E402
from bench.engine_stepgrad import ENGINE as STEPGRAD  # noqa: E402
from bench.engine_tape import ENGINE as TAPE  # noqa: E402
from bench.workloads import QUICK, learning_rate, mlp_weights, random_plan, two_moons  # noqa: E402

HAVE_MICROGRAD = importlib.util.find_spec("micrograd") is not None


@pytest.fixture
def micrograd():
    """micrograd's adapter. micrograd is a benchmark-only package (the bench extra), so the tests
    that compare with it skip without it, also in CI."""
    if not HAVE_MICROGRAD:
        pytest.skip("micrograd 0.1.0 is not installed (pip install -e '.[bench]')")
    from bench.engine_micrograd import ENGINE
    return ENGINE


def _all_close(a, b):
    return len(a) == len(b) and all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) for x, y in zip(a, b))


def _train(engine, steps=3):
    points, labels = two_moons(QUICK.points, seed=3)
    model = engine.mlp(mlp_weights(2, QUICK.layers, seed=3))
    losses = [engine.mlp_step(model, points, labels, learning_rate(k)) for k in range(steps)]
    return losses, engine.mlp_parameters(model)


def _graph(engine, plan):
    root, leaves = engine.build(plan)
    engine.backward(root)
    return engine.root_value(root), engine.leaf_gradients(root, leaves), engine.count_nodes(root)


# -- the seeded inputs ---------------------------------------------------------------------

def test_two_moons_is_seeded_and_balanced():
    points, labels = two_moons(101, seed=7)
    assert len(points) == 101 and all(len(p) == 2 for p in points)
    assert sorted(set(labels)) == [-1.0, 1.0]
    assert labels.count(-1.0) == 50 and labels.count(1.0) == 51
    assert two_moons(101, seed=7) == (points, labels)
    assert two_moons(101, seed=8)[0] != points


def test_random_plan_reaches_every_node_from_its_root():
    plan = random_plan(30, 500, seed=5)
    assert plan == random_plan(30, 500, seed=5)
    for k, (code, i, j) in enumerate(plan.ops):
        assert 0 <= i < len(plan.leaves) + k and j < len(plan.leaves) + k
    _, _, nodes = _graph(STEPGRAD, plan)
    assert nodes == plan.n_nodes


def test_random_plan_rejects_an_empty_graph():
    with pytest.raises(ValueError, match="at least 1 leaf and 1 op"):
        random_plan(0, 10)


# -- each workload runs for our engine -----------------------------------------------------

@pytest.mark.parametrize("workload", ["graph", "mlp"])
def test_the_tape_runs_and_reports_its_trace(workload):
    result = measure.WORKLOADS[workload](TAPE, QUICK, seed=1)
    assert result["seconds"] > 0 and result["check"]
    assert (result["trace_seconds"] if workload == "mlp" else result["build_seconds"]) > 0


def _within(a, b, rel=1e-12):
    """Equal within ``rel`` of the largest (the tape's matrix products sum in BLAS's order)."""
    scale = max(map(abs, b))
    return len(a) == len(b) and all(abs(x - y) <= rel * scale for x, y in zip(a, b))


def test_the_tape_replays_stepgrads_numbers():
    (losses, parameters), (want_losses, want_parameters) = _train(TAPE), _train(STEPGRAD)
    assert _within(losses, want_losses) and _within(parameters, want_parameters)
    plan = random_plan(QUICK.leaves, QUICK.ops, seed=2)
    assert _graph(TAPE, plan) == _graph(STEPGRAD, plan)


@pytest.mark.parametrize("workload", sorted(measure.WORKLOADS))
def test_each_workload_runs_for_stepgrad(workload):
    result = measure.WORKLOADS[workload](STEPGRAD, QUICK, seed=1)
    if workload == "memory":
        assert 0 < result["bytes_per_node_after_build"] <= result["bytes_per_node_after_backward"]
        assert result["nodes"] == random_plan(QUICK.leaves, QUICK.ops, seed=1).n_nodes
    elif workload == "chain":
        assert result["depth"] == QUICK.chain_cap and result["failed_at"] is None
        assert result["seconds"] > 0
    else:
        assert result["seconds"] > 0 and result["check"]


# -- the engines compute the same numbers --------------------------------------------------

def test_hand_written_float_backward_matches_stepgrad_on_the_mlp():
    losses, parameters = _train(STEPGRAD)
    float_losses, float_parameters = _train(FLOATS)
    assert _all_close(losses, float_losses)
    assert _all_close(parameters, float_parameters)
    assert parameters != STEPGRAD.mlp_parameters(STEPGRAD.mlp(mlp_weights(2, QUICK.layers, seed=3)))


def test_micrograd_matches_stepgrad_on_the_mlp(micrograd):
    losses, parameters = _train(STEPGRAD)
    micrograd_losses, micrograd_parameters = _train(micrograd)
    assert _all_close(losses, micrograd_losses)
    assert _all_close(parameters, micrograd_parameters)


def test_engines_agree_on_the_random_graph(micrograd):
    plan = random_plan(QUICK.leaves, QUICK.ops, seed=2)
    root, grads, nodes = _graph(STEPGRAD, plan)
    assert any(grads) and nodes == plan.n_nodes
    for engine in (FLOATS, micrograd):
        other_root, other_grads, other_nodes = _graph(engine, plan)
        assert other_root == root and other_nodes == nodes
        assert _all_close(grads, other_grads)


def test_micrograd_hits_the_recursion_limit_where_stepgrad_does_not(micrograd):
    ours = measure.deepest_chain(STEPGRAD, QUICK)
    theirs = measure.deepest_chain(micrograd, QUICK)
    assert ours["depth"] == QUICK.chain_cap and ours["failed_at"] is None
    assert theirs["failed_at"] == theirs["depth"] + 1 < sys.getrecursionlimit()


# -- the driver ----------------------------------------------------------------------------

def test_disagreements_names_what_differs():
    same = {"nodes": 5, "check": {"root": 1.5, "losses": [1.0, 2.0]}}
    assert run.disagreements({"stepgrad": same, "floats": dict(same)}) == []
    other = {"nodes": 6, "check": {"root": 1.5, "losses": [1.0, 2.1]}}
    problems = run.disagreements({"stepgrad": same, "micrograd": other})
    assert problems == ["nodes: stepgrad 5, micrograd 6",
                        "losses: stepgrad [1.0, 2.0], micrograd [1.0, 2.1]"]


def test_targets_flag_a_miss():
    def timing(mg):
        return {"stepgrad": {}, "micrograd": {"ratio_to_stepgrad": mg}}
    summary = {"mlp": {"on": timing(4.5), "off": timing(1.2)}, "graph": {"on": timing(3.9), "off": timing(2.0)},
               "memory": {"on": {"stepgrad": {"bytes_per_node_after_build": 150.0,
                                              "bytes_per_node_after_backward": 171.0}}},
               "chain": {"on": {"stepgrad": {"depth": 1_000_000, "recursion_limit": 1000, "seconds": 1.0},
                                "micrograd": {"depth": 990}}}}
    met = [ok for _, _, ok in run.check_targets(summary)]
    assert met == [True, False, False, True, True, False, True]


@pytest.mark.slow
def test_quick_run_writes_a_table_and_json(tmp_path, micrograd):
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--quick", "--rounds", "1",
                           "--json", str(out)], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "random graph" in done.stdout and "bytes per node" in done.stdout
    report = json.loads(out.read_text())
    for workload, engines in (*run.TIMED.items(), ("memory", run.GRAPH_ENGINES)):
        for gc_mode in run.GC_MODES:
            assert set(report["summary"][workload][gc_mode]) == set(engines)
    assert len(report["measurements"]) == 2 * (4 + 4 + 2 + 1 + 2)
    assert "GC on/off at" in done.stdout and "stepgrad under load" in done.stdout
    assert "stepgrad's tape" in done.stdout and "tape/floats" in done.stdout


def test_the_tapes_targets_flag_a_miss():
    def timing(replay, trace):
        return {"stepgrad": {}, "micrograd": {"ratio_to_stepgrad": 5.0},
                "tape": {"replay_to_floats": replay, "trace_to_stepgrad_step": trace}}
    summary = {"mlp": {"on": timing(0.2, 2.5), "off": timing(0.3, 9.0)},
               "graph": {"on": timing(0.1, 3.5), "off": timing(0.1, 1.0)},
               "memory": {"on": {"stepgrad": {"bytes_per_node_after_build": 100.0,
                                              "bytes_per_node_after_backward": 120.0}}},
               "chain": {"on": {"stepgrad": {"depth": 1_000_000, "recursion_limit": 1000, "seconds": 1.0},
                                "micrograd": {"depth": 990}}},
               "train": {"seconds": 2.5, "runs": 3}}
    met = {description: ok for description, _, ok in run.check_targets(summary)}
    assert not met["MLP step, GC on: tape/floats ≤ 0.10"] and not met["MLP step, GC off: tape/floats ≤ 0.10"]
    assert met["random graph replay, GC on: tape/floats ≤ 0.20"]
    assert met["MLP step: tracing ≤ 3 stepgrad steps"] and not met["random graph: tracing ≤ 3 stepgrad steps"]
    assert not met["stepgrad train moons --epochs 1000 < 2 s"]
    summary["mlp"]["on"]["tape"]["replay_to_floats"] = 0.09
    assert {d: ok for d, _, ok in run.check_targets(summary)}["MLP step, GC on: tape/floats ≤ 0.10"]


def test_the_engine_under_load_targets_flag_a_miss():
    rounds = []
    for r, (on_build, small_build) in enumerate(((1200.0, 500.0), (1400.0, 1000.0)), 1):
        for gc_mode, build in (("on", on_build), ("off", 1000.0)):
            row = {"workload": "scale", "engine": "stepgrad", "gc": gc_mode, "round": r, "recursion_limit": 1000,
                   "seconds": 1.0}
            for kind in run.SCALE_KINDS:
                row.update({f"{kind}_small_nodes": 10, f"{kind}_large_nodes": 1000,
                            f"{kind}_small_build_ns": small_build, f"{kind}_large_build_ns": build,
                            f"{kind}_small_backward_ns": 300.0, f"{kind}_large_backward_ns": 400.0})
            rounds.append(row)
    summary = run.summarize(rounds)
    ratios = summary["scale"]["ratios"]
    assert math.isclose(ratios["chain_gc_build"]["median"], 1.3) and ratios["chain_gc_build"]["spread"] == [1.2, 1.4]
    assert ratios["random_growth_build"]["spread"] == [1.4, 2.4]
    summary.update({"mlp": {"on": {"stepgrad": {}, "micrograd": {"ratio_to_stepgrad": 5.0}},
                            "off": {"stepgrad": {}, "micrograd": {"ratio_to_stepgrad": 5.0}}}})
    summary["graph"] = summary["mlp"]
    summary["memory"] = {"on": {"stepgrad": {"bytes_per_node_after_build": 100.0,
                                             "bytes_per_node_after_backward": 120.0}}}
    summary["chain"] = {"on": {"stepgrad": {"depth": 1_000_000, "recursion_limit": 1000, "seconds": 1.0},
                               "micrograd": {"depth": 990}}}
    met = {description: ok for description, _, ok in run.check_targets(summary)}
    assert met["chain y ← y + x, 1,000 nodes built and backpropagated: GC on/off ≤ 1.3"]  # (1600/1400, 1800/1400)
    assert met["random graph, backward per node, 10 → 1,000 nodes, GC on: grows ≤ 1.5×"]
    assert not met["random graph, build per node, 10 → 1,000 nodes, GC on: grows ≤ 1.5×"]


# -- the classroom commands at class scale -------------------------------------------------

def test_the_classroom_bench_runs_every_command_at_quick_sizes(tmp_path, capsys):
    out = tmp_path / "classroom.json"
    assert classroom.main(["--quick", "--json", str(out), "--keep", str(tmp_path / "work")]) == 0
    report = json.loads(out.read_text())
    sizes = classroom.QUICK
    runs = {(r["command"], r["size"]): r for r in report["runs"]}
    assert set(runs) == {("exercise new", sizes.exercise), *(("grade", n) for n in sizes.grade),
                         *(("check", n) for n in sizes.check)}
    for row in runs.values():
        assert row["ok"] and row["code"] == classroom.CURRENT and row["seconds"] > 0 and row["mb"] > 0
    assert runs[("exercise new", sizes.exercise)]["status"] == 0
    assert all(runs[("grade", n)]["status"] == 0 for n in sizes.grade)
    for n in sizes.check:       # every value of the derivation is wrong, and check says so
        assert runs[("check", n)]["status"] == 1 and runs[("check", n)]["wrong"] == n
    assert len(list((tmp_path / "work" / f"class{sizes.exercise}" / "class-this" / "keys").iterdir())) \
        == sizes.exercise
    text = capsys.readouterr().out
    assert "stepgrad check: cost per wrong value" in text and "targets" in text
    assert "MISSED" not in text and text.count("met     ") == len(runs)


def test_the_classroom_targets_flag_a_miss():
    def row(command, size, seconds, mb=100.0, ok=True):
        return {"command": command, "size": size, "code": classroom.CURRENT, "seconds": seconds,
                "mb": mb, "status": 0, "ok": ok}
    runs = [row("exercise new", 1000, 59.0), row("grade", 1000, 5.5), row("grade", 10_000, 50.0, 1100.0),
            row("check", 2000, 2.0), row("check", 20_000, 59.0, ok=False)]
    met = {description: ok for description, _, ok in classroom.check_targets(runs)}
    assert met["exercise new 1,000 < 60 s"] and not met["grade 1,000 < 5 s"]
    assert met["grade 10,000 < 60 s"] and not met["grade 10,000: peak memory < 1,024 MB"]
    assert not met["check 20,000 wrong values < 60 s"]          # in time, but it failed
    assert not met["check 20,000 wrong values: succeeded (exit 1, every value wrong)"]
    assert not met["check: time per wrong value at 20,000 ≤ 1.5× that at 2,000"]   # 2.95 ms, 1.0
    runs[-1]["seconds"] = 25.0
    assert classroom.check_targets(runs)[-1][2]      # 1.25 ms a value against 1.0: linear
