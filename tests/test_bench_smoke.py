"""Smoke tests of bench/: every workload runs on tiny sizes, and the engines compute the same numbers."""

import hashlib
import importlib.util
import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # bench/ is a directory of scripts, not an installed package
    sys.path.insert(0, str(REPO))

from bench import classroom, measure, run, workloads  # noqa: E402
from bench.engine_floats import ENGINE as FLOATS  # noqa: E402
from bench.engine_stepgrad import ENGINE as STEPGRAD  # noqa: E402
from bench.engine_tape import ENGINE as TAPE  # noqa: E402
from bench.workloads import QUICK, SIX_OPS, learning_rate, mlp_weights, random_plan, two_moons  # noqa: E402

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
    with pytest.raises(ValueError, match=r"unknown op codes \[9\]"):
        random_plan(3, 10, mix={9: 1.0})


def test_the_three_op_plan_is_the_one_drawn_before_six_op_mixes():
    plan = random_plan(30, 500, seed=5)
    assert plan == random_plan(30, 500, seed=5, mix=workloads.THREE_OPS)
    # the digest of this plan as the code before op mixes drew it: micrograd's comparison keeps its graph
    assert hashlib.sha256(repr((plan.leaves, plan.ops)).encode()).hexdigest()[:16] == "4eb9a934ba76b2b1"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_six_op_plan_uses_every_op_and_keeps_its_values_bounded(seed):
    plan = random_plan(QUICK.leaves, QUICK.ops * 10, seed=seed, mix=SIX_OPS)
    assert plan == random_plan(QUICK.leaves, QUICK.ops * 10, seed=seed, mix=SIX_OPS)
    assert {code for code, _, _ in plan.ops} == set(SIX_OPS)
    tape, _ = FLOATS.build(plan)
    drawn = tape.values[:len(plan.leaves) + QUICK.ops * 10]   # before the sums of the unused nodes
    assert max(map(abs, drawn)) <= workloads.MAX_VALUE and math.isfinite(tape.values[-1])
    assert max(map(abs, drawn)) > 10   # exps and products do grow: the bound is not idle
    _, _, nodes = _graph(STEPGRAD, plan)
    assert nodes == plan.n_nodes


def test_a_plan_that_cannot_stay_bounded_says_so(monkeypatch):
    monkeypatch.setattr(workloads, "MAX_VALUE", 0.01)   # exp(x) ≤ 0.01 needs x < −4.6: no leaf is
    with pytest.raises(ValueError, match=r"op 0 \(exp\) found no operands .* ±0.01 .* would overflow"):
        random_plan(5, 10, mix={workloads.EXP: 1.0})


# -- each workload runs for our engine -----------------------------------------------------

@pytest.mark.parametrize("workload", ["graph", "graph6", "mlp"])
def test_the_tape_runs_and_reports_its_trace(workload):
    result = measure.WORKLOADS[workload](TAPE, QUICK, seed=1)
    assert result["seconds"] > 0 and result["check"]
    assert (result["trace_seconds"] if workload == "mlp" else result["build_seconds"]) > 0


def _within(a, b, rel=1e-12):
    """Equal within ``rel`` of the largest (the tape's matrix products sum in BLAS's order)."""
    scale = max(map(abs, b))
    return len(a) == len(b) and all(abs(x - y) <= rel * scale for x, y in zip(a, b))


def test_the_batch_replay_computes_hand_written_numpys_loss_and_gradients():
    from bench.engine_numpy import ENGINE as NUMPY
    points, labels = two_moons(50, seed=4)
    points, labels = np.array(points), np.array(labels)
    weights = mlp_weights(2, QUICK.layers, seed=4)
    (loss, grads), (want_loss, want_grads) = (engine.batch_step(engine.batch_model(weights), points, labels)
                                              for engine in (TAPE, NUMPY))
    assert math.isclose(loss, want_loss, rel_tol=1e-12) and 0 < loss
    assert grads.shape == want_grads.shape == (len(STEPGRAD.parameters(STEPGRAD.mlp(weights))),)
    assert np.abs(want_grads).max() > 0 and _within(grads.tolist(), want_grads.tolist())
    result = measure.batch_step(TAPE, QUICK, seed=1)
    assert result["seconds"] > 0 and result["check"]["gradient_abs_sum"] > 0


def test_the_tape_replays_stepgrads_numbers():
    (losses, parameters), (want_losses, want_parameters) = _train(TAPE), _train(STEPGRAD)
    assert _within(losses, want_losses) and _within(parameters, want_parameters)
    plan = random_plan(QUICK.leaves, QUICK.ops, seed=2)
    assert _graph(TAPE, plan) == _graph(STEPGRAD, plan)


@pytest.mark.parametrize("workload", sorted(set(measure.WORKLOADS) - {"batch"}))
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


@pytest.mark.parametrize("seed", [2, 5])
def test_floats_and_the_tape_agree_with_stepgrad_on_the_six_op_graph(seed):
    plan = random_plan(QUICK.leaves, QUICK.ops, seed=seed, mix=SIX_OPS)
    root, grads, nodes = _graph(STEPGRAD, plan)
    assert nodes == plan.n_nodes and max(map(abs, grads)) > 1
    float_root, float_grads, float_nodes = _graph(FLOATS, plan)
    assert float_root == root and float_nodes == nodes and _all_close(grads, float_grads)
    tape_root, tape_grads, tape_nodes = _graph(TAPE, plan)
    assert math.isclose(tape_root, root, rel_tol=1e-12) and tape_nodes == nodes and _within(tape_grads, grads)


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


def test_gradient_difference_is_the_largest_relative_one():
    def result(grads):
        return {"check": {"leaf_gradients": grads}}
    want = result([1.0, -4.0, 0.0, 2.0])
    differences = run.gradient_difference({"stepgrad": want, "tape": result([1.0, -4.0, 0.0, 2.0]),
                                           "floats": result([1.0, -4.4, 0.0, 2.1])})
    assert differences["tape"] == 0.0 and math.isclose(differences["floats"], 0.4 / 4.4)
    assert set(differences) == {"tape", "floats"}


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
    assert len(report["measurements"]) == 2 * (4 + 4 + 3 + 2 + 2 + 1 + 2)
    assert "hand-written numpy" in done.stdout
    assert "GC on/off at" in done.stdout and "stepgrad under load" in done.stdout
    assert "stepgrad's tape" in done.stdout and "tape/floats" in done.stdout
    assert "six ops" in done.stdout and "largest relative difference from stepgrad's" in done.stdout
    tape = report["summary"]["graph6"]["on"]["tape"]
    assert tape["gradient_difference"] <= run.REL_TOL and tape["replay_to_floats"] > 0


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


def test_the_six_op_graphs_rows_take_the_worst_gradient_difference_and_flag_misses():
    rows = []
    for r, (replay, difference) in enumerate(((0.01, 1e-15), (0.05, 3e-12), (0.03, 0.0)), 1):
        for gc_mode in run.GC_MODES:
            for engine, seconds, build in (("stepgrad", 0.2, 0.1), ("floats", 0.1, 0.05), ("tape", replay, 0.7)):
                rows.append({"workload": "graph6", "gc": gc_mode, "round": r, "engine": engine, "recursion_limit": 1000,
                             "seconds": seconds, "build_seconds": build, "backward_seconds": replay, "nodes": 10,
                             **({"gradient_difference": difference} if engine != "stepgrad" else {})})
    summary = run.summarize(rows)
    tape = summary["graph6"]["on"]["tape"]
    assert tape["gradient_difference"] == 3e-12 and tape["replay_to_floats_spread"] == pytest.approx([0.1, 0.5])
    assert math.isclose(tape["replay_to_floats"], 0.3) and math.isclose(tape["trace_to_stepgrad_step"], 3.5)
    met = _met_with_the_other_workloads(summary)
    assert not met["random graph, six ops replay, GC on: tape/floats ≤ 0.20"]
    assert not met["random graph, six ops: tracing ≤ 3 stepgrad steps"]
    assert not met["random graph, six ops: tape's gradients within 1e-12 relative of stepgrad's backward()"]
    assert met["random graph replay, GC on: tape/floats ≤ 0.20"]


def test_the_batch_ratio_is_per_round_with_its_spread_and_flags_a_miss():
    rows = [{"workload": "batch", "gc": gc_mode, "round": r, "engine": engine, "seconds": seconds}
            for gc_mode, times in (("on", ((1.0, 1.5), (2.0, 5.0), (1.0, 1.9))), ("off", ((1.0, 2.5),) * 3))
            for r, pair in enumerate(times, 1) for engine, seconds in zip(("numpy", "tape"), pair)]
    summary = run.summarize(rows)
    tape = summary["batch"]["on"]["tape"]
    assert tape["to_numpy"] == 1.9 and tape["to_numpy_spread"] == [1.5, 2.5]
    assert summary["batch"]["on"]["numpy"]["seconds"] == 1.0 and summary["batch"]["off"]["tape"]["to_numpy"] == 2.5
    met = _met_with_the_other_workloads(summary)
    assert met["MLP over a batch, GC on: tape/hand-written numpy ≤ 2"]
    assert not met["MLP over a batch, GC off: tape/hand-written numpy ≤ 2"]


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
    met = _met_with_the_other_workloads(summary)
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
                         ("grade --jobs 1", min(sizes.grade)), *(("check", n) for n in sizes.check)}
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


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="Linux's /proc")
def test_the_classroom_bench_counts_the_memory_of_every_process(tmp_path):
    # a process whose child holds 200 MB: the child's memory is counted with its parent's
    script = ("import subprocess, sys; subprocess.run([sys.executable, '-c', "
              "\"import time; b = bytearray(200 << 20); b[::4096] = b'x' * len(b[::4096]); "
              "print('held', flush=True); time.sleep(30)\"])")
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as run:
        try:
            assert run.stdout.readline() == "held\n"
            found = classroom._descendants(run.pid)
            assert len(found) == 2
            assert sum(map(classroom._pss, found)) > 200 << 20
        finally:
            for pid in reversed(classroom._descendants(run.pid)):
                os.kill(pid, signal.SIGKILL)


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


def _met_with_the_other_workloads(summary):
    """check_targets of ``summary`` with the MLP, graph, memory and chain rows filled in as met."""
    timing = {"stepgrad": {}, "micrograd": {"ratio_to_stepgrad": 5.0},
              "tape": {"replay_to_floats": 0.05, "trace_to_stepgrad_step": 2.0}}
    summary.update(mlp={"on": timing, "off": timing}, graph={"on": timing, "off": timing},
                   memory={"on": {"stepgrad": {"bytes_per_node_after_build": 100.0,
                                               "bytes_per_node_after_backward": 120.0}}},
                   chain={"on": {"stepgrad": {"depth": 1_000_000, "recursion_limit": 1000, "seconds": 1.0},
                                 "micrograd": {"depth": 990}}})
    return {description: ok for description, _, ok in run.check_targets(summary)}
