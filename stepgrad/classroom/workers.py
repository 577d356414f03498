"""A class's files graded by several processes at once, in the files' order.

The workers are forked from the grading process, so they share its keys (nothing is sent but
the files' paths and what each file's grading made). A fresh set of workers takes each window
of files: a worker never holds more than its window's keys as its own copy, whatever the size
of the class. Where processes cannot be forked (outside Linux), files are graded one by one.
"""

import contextlib
import gc
import math
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

__all__ = ["available_cpus", "default_jobs", "in_order"]

MIN_ITEMS = 64          # fewer files are graded in the one process: starting workers costs more
WINDOW = 1024           # files per set of workers
CHUNK = 8               # files a worker takes at a time
DEFAULT_MOST = 4        # workers by default: each holds some 60 MB of its own at 10,000 students

_task: "Callable[[Any], Any] | None" = None     # what the workers run, inherited when forked


def available_cpus() -> int:
    """The processors this process may run on: those it is pinned to, fewer when a container's
    CPU quota (cgroup v2's cpu.max, v1's cfs quota) allows less time than they give."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:          # not on Linux
        return os.cpu_count() or 1
    quota = _cpu_quota()
    return max(1, min(count, math.ceil(quota))) if quota else count


def _cpu_quota(root="/sys/fs/cgroup"):
    """Processors' worth of time the cgroup allows (1.5 for 150 ms each 100 ms), or None."""
    for path, period in ((f"{root}/cpu.max", None),
                         (f"{root}/cpu/cpu.cfs_quota_us", f"{root}/cpu/cpu.cfs_period_us")):
        try:
            with open(path) as file:
                fields = file.read().split()
            if period is not None:
                with open(period) as file:
                    fields += file.read().split()
            quota, every = int(fields[0]), int(fields[1])
        except (OSError, ValueError, IndexError):   # no such file, or "max": no quota
            continue
        if quota > 0 and every > 0:
            return quota / every
    return None


def default_jobs() -> int:
    """The workers ``stepgrad grade`` uses unless told: one per processor, at most 4."""
    return max(1, min(available_cpus(), DEFAULT_MOST))


def in_order(task: "Callable[[Any], Any]", items: Sequence, jobs: int) -> Iterator:
    """``task(item)`` for each item, in order: computed by ``jobs`` forked processes when
    there are enough items (else here). An error in ``task`` is raised here, as it would be;
    a worker that dies (killed, out of memory) is a ChildProcessError, never a wait."""
    global _task
    if jobs <= 1 or len(items) < MIN_ITEMS or not _can_fork():
        yield from map(task, items)
        return
    context = multiprocessing.get_context("fork")
    _task = task
    for stream in (sys.stdout, sys.stderr):     # a worker flushes what it inherits, as it ends
        with contextlib.suppress(OSError, ValueError, AttributeError):   # closed, or no stream
            stream.flush()
    # NOTE: frozen, the objects already made are never visited by a worker's collector,
    # which would otherwise copy every page they are on
    gc.freeze()
    try:
        for start in range(0, len(items), WINDOW):
            window = items[start:start + WINDOW]
            # NOTE: with fork, the executor starts every worker before any thread of its own
            pool = ProcessPoolExecutor(min(jobs, -(-len(window) // CHUNK)), mp_context=context,
                                       initializer=_worker)
            try:
                yield from pool.map(_run, window, chunksize=CHUNK)
            except BrokenProcessPool:
                raise ChildProcessError(
                    "a grading process stopped before it was done (killed, or out of "
                    "memory?); nothing is published: --jobs 1 grades in one process") from None
            finally:
                # NOTE: should grading stop here (an error, Ctrl-C), the files not yet begun
                # are dropped, not graded first
                pool.shutdown(wait=True, cancel_futures=True)
    finally:
        _task = None
        gc.unfreeze()


def _can_fork():
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _worker():
    # NOTE: Ctrl-C reaches every process of the group: the grading process stops the
    # workers and says so once, without a traceback from each of them
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(item):
    assert _task is not None
    return _task(item)
