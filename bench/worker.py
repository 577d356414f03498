"""A worker process: one engine, one workload, GC on or off; prints its result as one JSON line.

Run by ``bench/run.py`` as ``python -m bench.worker ENGINE WORKLOAD --gc on|off [--quick] [--seed N]``
from the repository root, so that each measurement starts from a fresh interpreter.
"""

import argparse
import gc
import importlib
import json
import sys

from .measure import WORKLOADS
from .workloads import FULL, QUICK

__all__ = ["ENGINES", "load_engine", "main"]

# Each engine's adapter module; a worker imports only its own.
ENGINES = {"stepgrad": "bench.engine_stepgrad", "micrograd": "bench.engine_micrograd",
           "floats": "bench.engine_floats", "tape": "bench.engine_tape", "numpy": "bench.engine_numpy"}


def load_engine(name):
    """The adapter object of the engine called ``name``."""
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    return importlib.import_module(ENGINES[name]).ENGINE


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.worker", description=__doc__.splitlines()[0])
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--gc", choices=("on", "off"), required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.gc == "off":
        gc.disable()
    engine = load_engine(args.engine)
    result = WORKLOADS[args.workload](engine, QUICK if args.quick else FULL, seed=args.seed)
    result.update(engine=args.engine, workload=args.workload, gc=args.gc,
                  recursion_limit=sys.getrecursionlimit())
    print(json.dumps(result, allow_nan=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
