"""One measurement of one engine on one workload, as run inside a worker process."""

import gc
import math
import statistics
import time
import tracemalloc

import numpy as np

from .workloads import SIX_OPS, THREE_OPS, learning_rate, mlp_weights, random_plan, two_moons

__all__ = ["mlp_step", "batch_step", "random_graph", "six_op_graph", "graph_memory", "deepest_chain", "graph_scale",
           "WORKLOADS"]

_clock = time.perf_counter
# Timed forward and backward passes of a batch per measurement; the median is kept (each is short).
BATCH_REPEATS = 20


def mlp_step(engine, sizes, seed=0):
    """Seconds per training step of the 2-…-1 MLP on the two-moons batch (one warm-up step first).

    Returns the time per step, and for the cross-engine check every step's loss and the final
    parameters' sum.
    """
    points, labels = two_moons(sizes.points, seed=seed)
    model = engine.mlp(mlp_weights(2, sizes.layers, seed=seed))
    losses = [engine.mlp_step(model, points, labels, learning_rate(0))]
    gc.collect()
    start = _clock()
    for k in range(1, sizes.steps + 1):
        losses.append(engine.mlp_step(model, points, labels, learning_rate(k)))
    seconds = (_clock() - start) / sizes.steps
    return {"seconds": seconds, "trace_seconds": getattr(model, "trace_seconds", None),
            "check": {"losses": losses, "parameter_sum": math.fsum(engine.mlp_parameters(model))}}


def batch_step(engine, sizes, seed=0):
    """Seconds for the MLP's forward and backward over ``sizes.batch`` two-moons points at once:
    the mean of relu(1 − y·score) and its gradient (no update). One warm-up, then the median of
    ``BATCH_REPEATS`` passes."""
    points, labels = two_moons(sizes.batch, seed=seed)
    points, labels = np.array(points), np.array(labels)
    model = engine.batch_model(mlp_weights(2, sizes.layers, seed=seed))
    loss, grads = engine.batch_step(model, points, labels)
    times = []
    for _ in range(BATCH_REPEATS):
        start = _clock()
        engine.batch_step(model, points, labels)
        times.append(_clock() - start)
    grads = grads.tolist()
    return {"seconds": statistics.median(times),
            "check": {"loss": loss, "gradient_sum": math.fsum(grads), "gradient_abs_sum": math.fsum(map(abs, grads))}}


def random_graph(engine, sizes, seed=0, mix=THREE_OPS):
    """Seconds to build the random plan's graph and to backprop through it; the leaves' gradients
    go into the check, so the driver can report how far engines' gradients differ."""
    plan = random_plan(sizes.leaves, sizes.ops, seed=seed, mix=mix)
    gc.collect()
    start = _clock()
    root, leaves = engine.build(plan)
    built = _clock()
    engine.backward(root)
    done = _clock()
    grads = engine.leaf_gradients(root, leaves)
    return {"seconds": done - start, "build_seconds": built - start, "backward_seconds": done - built,
            "nodes": engine.count_nodes(root),
            "check": {"root": engine.root_value(root), "leaf_gradient_sum": math.fsum(grads),
                      "leaf_gradient_abs_sum": math.fsum(map(abs, grads)), "leaf_gradients": list(grads)}}


def six_op_graph(engine, sizes, seed=0):
    """``random_graph`` on the six-op plan (+, ×, relu, tanh, exp, sigmoid): engines with all six only."""
    return random_graph(engine, sizes, seed=seed, mix=SIX_OPS)


def graph_memory(engine, sizes, seed=0):
    """Bytes per node that the random plan's graph holds, after build and after backward.

    tracemalloc counts the blocks still allocated; the leaf list is dropped and garbage
    collected first, so only what the root keeps alive is counted.
    """
    plan = random_plan(sizes.leaves, sizes.ops, seed=seed)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        root, leaves = engine.build(plan)
        del leaves
        gc.collect()
        after_build = tracemalloc.get_traced_memory()[0] - base
        engine.backward(root)
        gc.collect()  # micrograd's backward leaves its topological list in a reference cycle
        after_backward = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    nodes = engine.count_nodes(root)
    return {"nodes": nodes, "bytes_after_build": after_build, "bytes_after_backward": after_backward,
            "bytes_per_node_after_build": after_build / nodes,
            "bytes_per_node_after_backward": after_backward / nodes,
            "check": {"root": engine.root_value(root)}}


def deepest_chain(engine, sizes, seed=0):
    """The longest chain y ← y + x that backprops at the current recursion limit (up to a cap).

    Tries 10, 100, 1000, … up to the cap, then bisects between the last success and the first
    RecursionError. Each success is checked (∂y/∂x = n + 1); the time is that of the deepest.
    """
    cap = sizes.chain_cap
    good, bad, timing = 0, None, None
    n = 10
    while bad is None and good < cap:
        n = min(n, cap)
        result = _try_chain(engine, n)
        if result is None:
            bad = n
        else:
            good, timing = n, result
            n *= 10
    while bad is not None and bad - good > 1:
        middle = (good + bad) // 2
        result = _try_chain(engine, middle)
        if result is None:
            bad = middle
        else:
            good, timing = middle, result
    build, backward = timing if timing else (None, None)
    return {"depth": good, "failed_at": bad, "cap": cap, "build_seconds": build,
            "backward_seconds": backward, "seconds": timing and build + backward, "check": {}}


def _try_chain(engine, n):
    gc.collect()
    start = _clock()
    root, x = engine.chain(n)
    built = _clock()
    try:
        engine.backward(root)
    except RecursionError:
        return None
    done = _clock()
    if engine.chain_gradient(root, x) != n + 1:
        raise ArithmeticError(f"{engine.name}: chain of {n}: ∂y/∂x = {engine.chain_gradient(root, x)!r}, "
                              f"expected {n + 1}")
    return built - start, done - built


def graph_scale(engine, sizes, seed=0):
    """Nanoseconds per node to build and to backprop graphs of each size in ``sizes.scale``.

    Two graphs: the chain y ← y + x (each node next to the one before it in memory) and the
    random plan (each op reads two nodes drawn from all earlier ones, so a large graph's nodes
    are far apart and most reads miss the caches). A small graph is built and backpropagated
    often enough to take about as long as the largest once (the median is kept), and its
    garbage, collected or not as the worker's GC mode says, is part of the cost. Of that cost,
    the time spent inside the collector's passes (gc.callbacks) and the number of full passes
    are kept as well, to tell the collector's growth from the caches'.
    """
    result, check = {}, {}
    largest = sizes.scale[-1]
    collector = _CollectorClock()
    gc.callbacks.append(collector)
    for kind in ("chain", "random"):
        for nodes in sizes.scale:
            if kind == "chain":
                make, n = (lambda: engine.chain(nodes - 1)), nodes
            else:   # the plan's sinks are summed at the end: about 1.37 nodes per op
                ops = nodes * 73 // 100
                plan = random_plan(max(ops // 145, 1), ops, seed=seed)
                make, n = (lambda: engine.build(plan)), plan.n_nodes
            builds, backwards, collecting, full = [], [], [], []
            for _ in range(max(1, min(largest // nodes, 200))):
                gc.collect()
                collector.reset()
                start = _clock()
                root, other = make()
                built = _clock()
                engine.backward(root)
                done = _clock()
                builds.append(built - start)
                backwards.append(done - built)
                collecting.append(collector.seconds)
                full.append(collector.full)
                del root, other
            size = "small" if nodes == sizes.scale[0] else "large"
            result[f"{kind}_{size}_nodes"] = n
            result[f"{kind}_{size}_build_ns"] = statistics.median(builds) / n * 1e9
            result[f"{kind}_{size}_backward_ns"] = statistics.median(backwards) / n * 1e9
            result[f"{kind}_{size}_collector_ns"] = statistics.median(collecting) / n * 1e9
            result[f"{kind}_{size}_full_collections"] = statistics.median_low(full)
            check[f"{kind}_nodes_{nodes}"] = n
    gc.callbacks.remove(collector)
    result["seconds"] = sum(result[f"{kind}_large_{part}_ns"] * result[f"{kind}_large_nodes"] * 1e-9
                            for kind in ("chain", "random") for part in ("build", "backward"))
    return dict(result, check=check)


class _CollectorClock:
    """A gc callback: seconds spent inside the collector's passes, and how many were full."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.seconds, self.full, self._start = 0.0, 0, None

    def __call__(self, phase, info):
        if phase == "start":
            self._start = _clock()
        elif self._start is not None:
            self.seconds += _clock() - self._start
            self.full += info["generation"] == 2


WORKLOADS = {"mlp": mlp_step, "batch": batch_step, "graph": random_graph, "graph6": six_op_graph,
             "memory": graph_memory, "chain": deepest_chain, "scale": graph_scale}
