"""``rankstrat sweep mf4x4`` (the whole command: start-up, store, summary, figure)
against the batched engine training the same 6400 runs in one call, in one run.

Target: the command within 1.5x of the engine.

Run: ``python -m benchmarks.bench_sweep``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

import numpy as np

from benchmarks.bench_training import experiment_runs
from rankstrat.numerics.training.factorization import train_factorization_runs


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    args = parser.parse_args(argv)
    settings, keys, targets, masks, seeds = experiment_runs(args.seeds)
    start = time.perf_counter()
    train_factorization_runs(targets, masks, seeds, k=settings["k"], init_std=float(np.sqrt(settings["init_variance"])),
                             lr=settings["lr"], max_steps=settings["max_steps"], tol=settings["tol"])
    engine = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "rankstrat.cases.cli", "sweep", "mf4x4", "--seeds", str(args.seeds),
                   "--out", out, "--no-progress"]
        start = time.perf_counter()
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
        whole = time.perf_counter() - start
    result = {"runs": len(keys), "engine_s": round(engine, 1), "command_s": round(whole, 1), "ratio": round(whole / engine, 2)}
    print(result)
    return result


if __name__ == "__main__":
    main()
