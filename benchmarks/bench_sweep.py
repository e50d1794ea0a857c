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


def _command(seeds: int, batch_size: int | None = None) -> float:
    """Wall-clock seconds of the whole ``rankstrat sweep mf4x4`` command into a fresh store."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "rankstrat.cases.cli", "sweep", "mf4x4", "--seeds", str(seeds),
                   "--out", out, "--no-progress"]
        if batch_size:
            command += ["--batch-size", str(batch_size)]
        start = time.perf_counter()
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--compare-batch-size", type=int, default=None,
                        help="also time the command with this batch size (e.g. 3200, the former default)")
    args = parser.parse_args(argv)
    settings, keys, targets, masks, seeds = experiment_runs(args.seeds)
    start = time.perf_counter()
    train_factorization_runs(targets, masks, seeds, k=settings["k"], init_std=float(np.sqrt(settings["init_variance"])),
                             lr=settings["lr"], max_steps=settings["max_steps"], tol=settings["tol"])
    engine = time.perf_counter() - start
    whole = _command(args.seeds)
    result = {"runs": len(keys), "engine_s": round(engine, 1), "command_s": round(whole, 1), "ratio": round(whole / engine, 2)}
    if args.compare_batch_size:
        other = _command(args.seeds, args.compare_batch_size)
        result.update({f"command_batch_{args.compare_batch_size}_s": round(other, 1),
                       f"ratio_batch_{args.compare_batch_size}": round(other / engine, 2)})
    print(result)
    return result


if __name__ == "__main__":
    main()
