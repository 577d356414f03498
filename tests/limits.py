"""Bounds for hostile-input tests: CPU time and peak Python memory, measured by the test itself."""

import contextlib
import os
import resource
import tracemalloc

__all__ = ["bounded"]


@contextlib.contextmanager
def bounded(cpu_seconds=2.0, megabytes=50):
    """Assert that the block uses at most ``cpu_seconds`` of CPU time (not wall-clock time,
    which other work on a shared machine inflates) and at most ``megabytes`` of memory at its
    peak, as ``tracemalloc`` counts it. The address space is capped 1 GiB above where it
    stands meanwhile, so that a memory bomb fails fast with MemoryError instead of swapping.
    """
    cap = _cap_address_space(1 << 30)
    tracemalloc.start()
    start = _cpu()
    try:
        yield
        used = _cpu() - start
        peak = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
        cap.close()
    assert used <= cpu_seconds, f"{used:.2f} s of CPU time, more than {cpu_seconds} s"
    assert peak <= megabytes, f"{peak:.1f} MB at the peak, more than {megabytes} MB"


def _cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cap_address_space(extra):
    """Lower the soft RLIMIT_AS to the current size + ``extra``; closing restores it."""
    stack = contextlib.ExitStack()
    try:
        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:   # not Linux: no cap, the measured bounds still hold
        return stack
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    stack.callback(resource.setrlimit, resource.RLIMIT_AS, (soft, hard))
    return stack
