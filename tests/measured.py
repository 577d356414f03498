"""Commands run as processes of their own, each measured: exit status, output, wall and CPU time,
and peak resident memory, as the system counts them (C allocations, the regex engine's included).

One Python process imports stepgrad once and forks a child per command, so that each child's
peak memory is its own (``wait4``'s ``ru_maxrss``) and starting Python is paid once. Each child
runs with its address space capped, so that a memory bomb fails fast instead of swapping."""

import json
import os
import pathlib
import signal
import subprocess
import sys

__all__ = ["run_measured", "Measured", "ENV"]

ROOT = pathlib.Path(__file__).resolve().parent.parent
# this checkout first on a child Python's path
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
CAP = 2 << 30          # bytes of address space a child may map

RUNNER = r"""
import json, os, resource, sys, time
from stepgrad.cli import main
commands, cap = json.loads(sys.argv[1]), int(sys.argv[2])
done = []
for argv, out, err in commands:
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
            for fd, name in ((1, out), (2, err)):
                os.dup2(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
            code = main(argv)
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            code = 99
        os._exit(code)
    _, status, usage = os.wait4(pid, 0)
    done.append({"status": os.waitstatus_to_exitcode(status),
                 "seconds": time.monotonic() - start,
                 "cpu_seconds": usage.ru_utime + usage.ru_stime,
                 "megabytes": usage.ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1 << 10)})
print(json.dumps(done))
"""


class Measured(dict):
    """One command's measures: status, seconds, cpu_seconds, megabytes, out and err (text)."""

    def __getattr__(self, name):
        return self[name]


def run_measured(commands, folder, timeout=300):
    """Run each argv of ``commands`` (lists of strings) as ``stepgrad`` in a child process;
    their output goes to files in ``folder``. Returns a Measured per command, in order."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    plan = [(list(argv), str(folder / f"{k}.out"), str(folder / f"{k}.err"))
            for k, argv in enumerate(commands)]
    # NOTE: a session of its own, so that a hang kills the children too, not only the runner
    with subprocess.Popen([sys.executable, "-c", RUNNER, json.dumps(plan), str(CAP)], env=ENV,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True) as runner:
        try:
            stdout, stderr = runner.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(runner.pid, signal.SIGKILL)
            raise
    assert runner.returncode == 0, stderr
    results = []
    for measures, (_, out, err) in zip(json.loads(stdout), plan):
        measures["out"] = pathlib.Path(out).read_text(encoding="utf-8", errors="replace")
        measures["err"] = pathlib.Path(err).read_text(encoding="utf-8", errors="replace")
        results.append(Measured(measures))
    return results
