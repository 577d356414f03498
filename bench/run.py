"""The benchmark driver: each measurement in a fresh process, engines interleaved round by round.

    python bench/run.py [--rounds N] [--quick] [--json FILE] [--seed N]

Compares stepgrad with micrograd 0.1.0 and with plain floats (hand-written backward) on an MLP
training step, a random expression graph (+, ×, relu), bytes per graph node and the deepest chain
that backprops, with the garbage collector on and off, and prints median times and median ratios.
A second random graph adds tanh, exp and sigmoid, which micrograd 0.1.0 lacks: stepgrad, the floats
and the tape only. stepgrad's tape (``autodiff.trace``) runs the MLP step and both graphs: its
replay against the floats, its trace against stepgrad's own step; it also replays one point's graph
over a batch of points, against the same MLP written by hand in numpy; and ``stepgrad train moons
--epochs 1000`` is timed end to end.
"""

import argparse
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.workloads import FULL, QUICK  # noqa: E402

__all__ = ["ENGINE_ORDER", "GRAPH_ENGINES", "TIMED", "GC_MODES", "run_worker", "time_training", "disagreements",
           "gradient_difference", "summarize", "check_targets", "format_report", "main"]

REPO = Path(__file__).resolve().parent.parent
ENGINE_ORDER = ("stepgrad", "micrograd", "floats", "tape")
GRAPH_ENGINES = ("stepgrad", "micrograd")
# Timed every round: workload → engines. Memory is deterministic, so it is measured once.
TIMED = {"mlp": ENGINE_ORDER, "graph": ENGINE_ORDER, "graph6": ("stepgrad", "floats", "tape"),
         "batch": ("numpy", "tape"), "chain": GRAPH_ENGINES,
         "scale": ("stepgrad",)}
# The tape's replay: an MLP step; a random graph's backward is its forward + backward replay.
REPLAY_KEY = {"mlp": "seconds", "graph": "backward_seconds", "graph6": "backward_seconds"}
# Its trace: the step's graph built and traced; a random graph's build includes the trace.
TRACE_KEY = {"mlp": "trace_seconds", "graph": "build_seconds", "graph6": "build_seconds"}
TAPE_WORKLOADS = {"mlp": "MLP step", "graph": "random graph", "graph6": "random graph, six ops"}
TRAIN_COMMAND = ("-m", "stepgrad", "train", "moons", "--epochs", "1000")
GC_MODES = ("on", "off")
REL_TOL = 1e-9  # engines may sum gradients in different orders
# The targets for the tape's replay, as a fraction of the float reference's time.
REPLAY_TARGET = {"mlp": 0.10, "graph": 0.20, "graph6": 0.20}
# The bound on the tape's gradients of the six-op graph, relative to stepgrad's backward().
GRADIENT_TARGET = 1e-12
# The tape's replay of one point's graph over a batch, as a multiple of hand-written numpy's time.
BATCH_TARGET = 2.0
# The scale workload's graphs: a chain (neighbours in memory) and the random plan (scattered).
SCALE_KINDS = {"chain": "chain y ← y + x", "random": "random graph"}


def run_worker(engine, workload, gc_mode, quick=False, seed=0):
    """Run one measurement in a fresh interpreter and return its result dict."""
    command = [sys.executable, "-m", "bench.worker", engine, workload, "--gc", gc_mode, "--seed", str(seed)]
    if quick:
        command.append("--quick")
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{engine} on {workload} (GC {gc_mode}) failed with exit status "
                           f"{done.returncode}:\n{done.stderr.strip()}")
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"{engine} on {workload} (GC {gc_mode}) printed no result")
    return json.loads(lines[-1])


def time_training():
    """Seconds, wall clock, for ``stepgrad train moons --epochs 1000`` in a fresh process."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *TRAIN_COMMAND], cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"stepgrad train failed with exit status {done.returncode}:\n{done.stderr.strip()}")
    return seconds


def _close(a, b):
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_close, a, b))
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)


def disagreements(results):
    """What the engines' results for one workload disagree on, as readable lines (none: all agree).

    ``results`` maps engine → worker result; the first engine is the reference.
    """
    (reference, first), *others = results.items()
    problems = []
    for engine, result in others:
        if first.get("nodes") != result.get("nodes"):
            problems.append(f"nodes: {reference} {first.get('nodes')}, {engine} {result.get('nodes')}")
        for key, expected in first["check"].items():
            got = result["check"].get(key)
            if got is None or not _close(expected, got):
                problems.append(f"{key}: {reference} {expected!r}, {engine} {got!r}")
    return problems


def gradient_difference(results):
    """Per engine but stepgrad: the largest relative difference of its leaf gradients from
    stepgrad's, |a − b| / max(|a|, |b|) (0 where they are equal)."""
    want = results["stepgrad"]["check"]["leaf_gradients"]
    return {engine: max((abs(a - b) / max(abs(a), abs(b)) for a, b in zip(result["check"]["leaf_gradients"], want)
                         if a != b), default=0.0)
            for engine, result in results.items() if engine != "stepgrad"}


def _median(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    # counts (nodes, depths, bytes) stay whole numbers
    return statistics.median_low(values) if all(type(v) is int for v in values) else statistics.median(values)


def _spread(values):
    """(lowest, highest) of the per-round values: how much a median ratio moved between rounds."""
    values = [v for v in values if v is not None]
    return [min(values), max(values)] if values else None


def summarize(measurements):
    """Medians per (workload, GC mode, engine), and per-round ratios: their median and spread."""
    summary = {}
    for workload in (*TIMED, "memory"):
        for gc_mode in GC_MODES:
            rows = [m for m in measurements if m["workload"] == workload and m["gc"] == gc_mode]
            if not rows:
                continue
            if workload == "batch":
                summary.setdefault(workload, {})[gc_mode] = _batch_ratios(rows)
                continue
            entry = summary.setdefault(workload, {})[gc_mode] = {}
            rounds = sorted({m["round"] for m in rows})
            for engine in ENGINE_ORDER:
                mine = [m for m in rows if m["engine"] == engine]
                if not mine:
                    continue
                keys = sorted({k for m in mine for k, v in m.items()
                               if isinstance(v, (int, float)) and not isinstance(v, bool)
                               and k not in ("round", "recursion_limit")})
                entry[engine] = {k: _median([m.get(k) for m in mine]) for k in keys}
                if "gradient_difference" in keys:   # the worst round, not a typical one
                    entry[engine]["gradient_difference"] = max(m["gradient_difference"] for m in mine)
                entry[engine]["recursion_limit"] = mine[0]["recursion_limit"]
                if engine != "stepgrad" and workload != "memory":
                    ratios = []
                    for r in rounds:
                        ours = next(m for m in rows if m["round"] == r and m["engine"] == "stepgrad")
                        theirs = next(m for m in mine if m["round"] == r)
                        if ours["seconds"] and theirs["seconds"]:
                            ratios.append(theirs["seconds"] / ours["seconds"])
                    entry[engine]["ratio_to_stepgrad"] = _median(ratios)
                    entry[engine]["ratio_to_stepgrad_spread"] = _spread(ratios)
                if engine == "tape":
                    entry[engine].update(_tape_ratios(workload, rows, mine, rounds))
    if any(m["workload"] == "scale" for m in measurements):
        summary["scale"]["ratios"] = _scale_ratios([m for m in measurements if m["workload"] == "scale"])
    trains = [m["seconds"] for m in measurements if m["workload"] == "train"]
    if trains:
        summary["train"] = {"seconds": _median(trains), "runs": len(trains)}
    return summary


def _tape_ratios(workload, rows, mine, rounds):
    """Per round: the tape's replay over the floats' step, its trace over stepgrad's step."""
    replay, trace = [], []
    for r in rounds:
        tape = next(m for m in mine if m["round"] == r)
        floats = next(m for m in rows if m["round"] == r and m["engine"] == "floats")
        ours = next(m for m in rows if m["round"] == r and m["engine"] == "stepgrad")
        replay.append(tape[REPLAY_KEY[workload]] / floats["seconds"])
        trace.append(tape[TRACE_KEY[workload]] / ours["seconds"])
    return {"replay_to_floats": _median(replay), "replay_to_floats_spread": _spread(replay),
            "trace_to_stepgrad_step": _median(trace), "trace_to_stepgrad_step_spread": _spread(trace)}


def _batch_ratios(rows):
    """Medians per engine, and per round the tape's batch replay over hand-written numpy's pass."""
    ratios = []
    for r in sorted({m["round"] for m in rows}):
        numpy, tape = (next(m for m in rows if m["round"] == r and m["engine"] == e) for e in ("numpy", "tape"))
        ratios.append(tape["seconds"] / numpy["seconds"])
    entry = {e: {"seconds": _median([m["seconds"] for m in rows if m["engine"] == e])} for e in ("numpy", "tape")}
    entry["tape"].update(to_numpy=_median(ratios), to_numpy_spread=_spread(ratios))
    return entry


def _scale_ratios(rows):
    """Per graph kind and round: GC on over off for the largest graph, and its cost per node over
    the smallest's (GC on); each as median and spread."""
    ratios = {}
    for r in sorted({m["round"] for m in rows}):
        on = next(m for m in rows if m["round"] == r and m["gc"] == "on")
        off = next(m for m in rows if m["round"] == r and m["gc"] == "off")
        for kind in SCALE_KINDS:
            for part in ("build", "backward"):
                large, small = on[f"{kind}_large_{part}_ns"], on[f"{kind}_small_{part}_ns"]
                ratios.setdefault(f"{kind}_gc_{part}", []).append(large / off[f"{kind}_large_{part}_ns"])
                ratios.setdefault(f"{kind}_growth_{part}", []).append(large / small)
            total = {m["gc"]: m[f"{kind}_large_build_ns"] + m[f"{kind}_large_backward_ns"] for m in (on, off)}
            ratios.setdefault(f"{kind}_gc_total", []).append(total["on"] / total["off"])
    return {k: {"median": _median(v), "spread": _spread(v)} for k, v in ratios.items()}


def check_targets(summary):
    """The issue's targets, each as ``(description, measured text, met)``."""
    targets = []
    for workload, name in (("mlp", "MLP step"), ("graph", "random graph")):
        for gc_mode, goal in (("on", 4.0), ("off", 1.5)):
            ratio = summary[workload][gc_mode]["micrograd"]["ratio_to_stepgrad"]
            targets.append((f"{name}, GC {gc_mode}: micrograd/stepgrad ≥ {goal:g}×", f"{ratio:.2f}×",
                            ratio >= goal))
    memory = summary["memory"]["on"]["stepgrad"]
    for moment in ("build", "backward"):
        per_node = memory[f"bytes_per_node_after_{moment}"]
        targets.append((f"bytes per node after {moment} ≤ 170", f"{per_node:.1f} B", per_node <= 170))
    if "tape" in summary["mlp"]["on"]:
        taped = [w for w in TAPE_WORKLOADS if w in summary]
        for workload in taped:
            goal = REPLAY_TARGET[workload]
            name = TAPE_WORKLOADS[workload] + (" replay" if workload != "mlp" else "")
            for gc_mode in GC_MODES:
                tape = summary[workload][gc_mode]["tape"]
                ratio = tape["replay_to_floats"]
                targets.append((f"{name}, GC {gc_mode}: tape/floats ≤ {goal:.2f}",
                                f"{ratio:.3f}×{_range(tape.get('replay_to_floats_spread'), 3)}", ratio <= goal))
        if "batch" in summary:
            for gc_mode in GC_MODES:
                tape = summary["batch"][gc_mode]["tape"]
                targets.append((f"MLP over a batch, GC {gc_mode}: tape/hand-written numpy ≤ {BATCH_TARGET:g}",
                                f"{tape['to_numpy']:.2f}×{_range(tape['to_numpy_spread'])}",
                                tape["to_numpy"] <= BATCH_TARGET))
        for workload in taped:
            steps = summary[workload]["on"]["tape"]["trace_to_stepgrad_step"]
            targets.append((f"{TAPE_WORKLOADS[workload]}: tracing ≤ 3 stepgrad steps", f"{steps:.2f} steps",
                            steps <= 3))
        if "graph6" in summary:
            worst = max(summary["graph6"][gc_mode]["tape"]["gradient_difference"] for gc_mode in GC_MODES)
            targets.append((f"random graph, six ops: tape's gradients within {GRADIENT_TARGET:g} relative of "
                            "stepgrad's backward()", f"largest difference {worst:.1e}", worst <= GRADIENT_TARGET))
    if "scale" in summary:
        ratios, sizes = summary["scale"]["ratios"], summary["scale"]["on"]["stepgrad"]
        for kind, name in SCALE_KINDS.items():
            small, large = sizes[f"{kind}_small_nodes"], sizes[f"{kind}_large_nodes"]
            gc_total = ratios[f"{kind}_gc_total"]
            targets.append((f"{name}, {large:,} nodes built and backpropagated: GC on/off ≤ 1.3",
                            f"{gc_total['median']:.2f}×{_range(gc_total['spread'])}", gc_total["median"] <= 1.3))
            for part in ("build", "backward"):
                growth = ratios[f"{kind}_growth_{part}"]
                targets.append((f"{name}, {part} per node, {small:,} → {large:,} nodes, GC on: grows ≤ 1.5×",
                                f"{growth['median']:.2f}×{_range(growth['spread'])}", growth["median"] <= 1.5))
    if "train" in summary:
        seconds = summary["train"]["seconds"]
        targets.append(("stepgrad train moons --epochs 1000 < 2 s", f"{seconds:.2f} s", seconds < 2.0))
    chain = summary["chain"]["on"]
    depth, limit = chain["stepgrad"]["depth"], chain["stepgrad"]["recursion_limit"]
    targets.append((f"chain of 1,000,000 at the default recursion limit ({limit})",
                    f"stepgrad {depth:,} in {chain['stepgrad']['seconds']:.2f} s, "
                    f"micrograd {chain['micrograd']['depth']:,}", depth >= 1_000_000 and limit == 1000))
    return targets


def _ms(seconds):
    if seconds is None:
        return "—"
    ms = seconds * 1000
    return f"{ms:.0f} ms" if ms >= 100 else f"{ms:.1f} ms" if ms >= 10 else f"{ms:.2f} ms"


def _ratio(value, spread=None):
    return "—" if value is None else f"{value:.2f}×{_range(spread)}"


def _range(spread, digits=2):
    """`` (lowest–highest)`` over the rounds, when they differ."""
    if not spread or spread[0] == spread[1]:
        return ""
    return f" ({spread[0]:.{digits}f}–{spread[1]:.{digits}f})"


def format_report(summary, header, sizes, quick):
    """The printed table (and, for a full run, the targets)."""
    lines = [header, ""]
    layout = "{:<40} {:<3} {:>10} {:>10} {:>10} {:>10} {:>19} {:>19} {:>19}"
    lines.append(layout.format("time (median)", "GC", *ENGINE_ORDER, "micrograd/stepgrad", "floats/stepgrad",
                               "tape/floats"))
    titles = {"mlp": f"MLP 2-{'-'.join(map(str, sizes.layers))} step, {sizes.points} points"}
    for workload, name in (("graph", "random graph"), ("graph6", "six ops")):
        if workload in summary:
            titles[workload] = f"{name}, {summary[workload]['on']['stepgrad']['nodes']:,} nodes: total"
    for workload in titles:
        for gc_mode in GC_MODES:
            entry = summary[workload][gc_mode]
            parts = [("", "seconds")] + ([("  build", "build_seconds"), ("  backward", "backward_seconds")]
                                         if workload != "mlp" else [])
            for suffix, key in parts:
                title = titles[workload] if gc_mode == "on" and not suffix else suffix
                times = [_ms(entry[e].get(key)) if e in entry else "—" for e in ENGINE_ORDER]
                ratios = [_ratio(entry[e]["ratio_to_stepgrad"], entry[e]["ratio_to_stepgrad_spread"])
                          if not suffix and e in entry else "—" if not suffix else "" for e in ("micrograd", "floats")]
                tape = entry.get("tape", {})
                ratios.append(_ratio(tape["replay_to_floats"], tape["replay_to_floats_spread"])
                              if not suffix and tape else "")
                lines.append(layout.format(title, gc_mode if not suffix else "", *times, *ratios))
    for gc_mode in GC_MODES:
        entry = summary["chain"][gc_mode]
        title = "deepest chain y ← y + x backpropagated" if gc_mode == "on" else ""
        depths = [f"{'' if entry[e].get('failed_at') else '≥'}{entry[e]['depth']:,}" for e in GRAPH_ENGINES]
        lines.append(layout.format(title, gc_mode, *depths, "—", "—", "", "", ""))
        lines.append(layout.format("  its build+backward", "", *[_ms(entry[e]["seconds"]) for e in GRAPH_ENGINES],
                                   "—", "—", "", "", ""))
    limit = summary["chain"]["on"]["stepgrad"]["recursion_limit"]
    failed_at = summary["chain"]["on"]["micrograd"].get("failed_at")
    lines.append(f"  (recursion limit {limit}; chains tried up to {sizes.chain_cap:,}; micrograd: "
                 + (f"RecursionError at {failed_at:,})" if failed_at else "no RecursionError)"))
    lines.append("")
    lines.append(layout.format("memory (tracemalloc, bytes per node)", "GC", *GRAPH_ENGINES, "", "", "", "", ""))
    for gc_mode in GC_MODES:
        entry = summary["memory"][gc_mode]
        for moment in ("build", "backward"):
            key = f"bytes_per_node_after_{moment}"
            lines.append(layout.format(f"  after {moment}", gc_mode,
                                       *[f"{entry[e][key]:.1f}" for e in GRAPH_ENGINES], "", "", "", "", ""))
    if "tape" in summary["mlp"]["on"]:
        lines += ["", "stepgrad's tape (trace once, replay on arrays), GC on"]
        for workload, name in TAPE_WORKLOADS.items():
            if workload not in summary:
                continue
            tape = summary[workload]["on"]["tape"]
            lines.append(f"  {name}: trace {_ms(tape[TRACE_KEY[workload]])} "
                         f"({tape['trace_to_stepgrad_step']:.2f}{_range(tape['trace_to_stepgrad_step_spread'])}"
                         f" stepgrad steps), replay {_ms(tape[REPLAY_KEY[workload]])} "
                         f"({tape['replay_to_floats']:.3f}×{_range(tape['replay_to_floats_spread'], 3)}"
                         " the floats)")
            if "gradient_difference" in tape:
                floats = summary[workload]["on"]["floats"]
                lines.append(f"    leaf gradients, largest relative difference from stepgrad's: tape "
                             f"{tape['gradient_difference']:.1e}, floats {floats['gradient_difference']:.1e}")
        if "batch" in summary:
            numpy, tape = summary["batch"]["on"]["numpy"], summary["batch"]["on"]["tape"]
            lines.append(f"  MLP 2-{'-'.join(map(str, sizes.layers))} over {sizes.batch:,} points at once, forward and "
                         f"backward: replay {_ms(tape['seconds'])}, hand-written numpy {_ms(numpy['seconds'])} "
                         f"({_ratio(tape['to_numpy'], tape['to_numpy_spread'])} numpy)")
    if "scale" in summary:
        lines += ["", "stepgrad under load: ns per node (median over repeats and rounds)"]
        ratios = summary["scale"]["ratios"]
        for kind, name in SCALE_KINDS.items():
            for gc_mode in GC_MODES:
                entry = summary["scale"][gc_mode]["stepgrad"]
                small, large = entry[f"{kind}_small_nodes"], entry[f"{kind}_large_nodes"]
                lines.append(f"  {name}, GC {gc_mode:<3}: build {entry[f'{kind}_small_build_ns']:.0f} → "
                             f"{entry[f'{kind}_large_build_ns']:.0f}, backward "
                             f"{entry[f'{kind}_small_backward_ns']:.0f} → "
                             f"{entry[f'{kind}_large_backward_ns']:.0f} ({small:,} → {large:,} nodes)"
                             + _collector(entry, kind))
            cells = [_ratio(ratios[f"{kind}_{k}"]["median"], ratios[f"{kind}_{k}"]["spread"])
                     for k in ("gc_build", "gc_backward", "gc_total", "growth_build", "growth_backward")]
            lines.append(f"    GC on/off at {large:,} nodes: build {cells[0]}, backward {cells[1]}, both {cells[2]};"
                         f" per node {small:,} → {large:,} (GC on): build {cells[3]}, backward {cells[4]}")
    if "train" in summary:
        lines.append(f"  python {' '.join(TRAIN_COMMAND)}: {summary['train']['seconds']:.2f} s "
                     f"(median of {summary['train']['runs']}, wall clock, a fresh process)")
    if not quick:
        lines += ["", "targets"]
        for description, measured, met in check_targets(summary):
            lines.append(f"  {'met   ' if met else 'MISSED'}  {description}: {measured}")
    return "\n".join(line.rstrip() for line in lines)


def _collector(entry, kind):
    """``; the collector's passes: … ns`` of a scale row, where the worker measured them."""
    small, large = entry.get(f"{kind}_small_collector_ns"), entry.get(f"{kind}_large_collector_ns")
    if not large:
        return ""
    return (f"; in the collector's passes {small:.0f} → {large:.0f}, "
            f"{entry[f'{kind}_large_full_collections']} full at the larger")


def _schedule(rounds):
    """(round, workload, GC mode, engine) in run order: engines back to back, rounds interleaved."""
    for r in range(1, rounds + 1):
        for workload, engines in TIMED.items():
            for gc_mode in GC_MODES:
                yield [(r, workload, gc_mode, e) for e in engines]
        if r == 1:
            for gc_mode in GC_MODES:
                yield [(r, "memory", gc_mode, e) for e in GRAPH_ENGINES]
        yield [(r, "train", "on", "tape")]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke run")
    parser.add_argument("--json", metavar="FILE", help="also write every measurement and the summary")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and the random graph")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, got {args.rounds}")
    if importlib.util.find_spec("micrograd") is None:
        parser.error("micrograd is not installed; pip install 'micrograd==0.1.0' (or pip install -e '.[bench]')")
    if args.json and not Path(args.json).resolve().parent.is_dir():
        parser.error(f"--json {args.json}: its folder does not exist")
    sizes = QUICK if args.quick else FULL
    measurements = []
    try:
        for group in _schedule(args.rounds):
            r, workload, gc_mode, _ = group[0]
            print(f"round {r}/{args.rounds}: {workload}, GC {gc_mode}", file=sys.stderr, flush=True)
            if workload == "train":
                if not args.quick:
                    measurements.append({"workload": "train", "round": r, "seconds": time_training()})
                continue
            results = {engine: run_worker(engine, workload, gc_mode, args.quick, args.seed) for *_, engine in group}
            differences = gradient_difference(results) if workload in ("graph", "graph6") else {}
            for engine, result in results.items():
                extra = {"gradient_difference": differences[engine]} if engine in differences else {}
                measurements.append(dict(result, round=r, **extra))
            problems = disagreements({e: results[e] for e in results if e != "tape"})
            if "tape" in results:   # against stepgrad, or in the batch workload hand-written numpy
                reference = "stepgrad" if "stepgrad" in results else "numpy"
                problems += disagreements({reference: results[reference], "tape": results["tape"]})
            if problems:
                raise RuntimeError(f"the engines disagree on {workload} (GC {gc_mode}, round {r}): "
                                   + "; ".join(problems))
    except RuntimeError as error:
        print(f"bench/run.py: error: {error}", file=sys.stderr)
        return 1
    summary = summarize(measurements)
    header = (f"stepgrad benchmark: {platform.python_implementation()} {platform.python_version()}, "
              f"micrograd {importlib.metadata.version('micrograd')}, {args.rounds} round(s)"
              f"{', quick sizes' if args.quick else ''}; each measurement a fresh process, median over rounds")
    print(format_report(summary, header, sizes, args.quick))
    if args.json:
        report = {"header": header, "sizes": asdict(sizes), "rounds": args.rounds, "seed": args.seed,
                  "summary": summary, "measurements": measurements,
                  "targets": [] if args.quick else
                  [{"target": d, "measured": m, "met": ok} for d, m, ok in check_targets(summary)]}
        path = Path(args.json)
        partial = path.with_name(path.name + ".partial")
        try:  # whole or not at all
            partial.write_text(json.dumps(report, indent=1, allow_nan=False) + "\n")
            os.replace(partial, path)
        except OSError as error:
            partial.unlink(missing_ok=True)
            print(f"bench/run.py: error: cannot write --json {args.json}: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
