"""Benchmark: the 4x4 matrix-factorization experiment's grid (8 targets x 16 sample sizes x
50 seeds = 6400 runs, one of the full experiment's three seed blocks) with the batched engine, against the plain per-run PyTorch loop a
researcher would write.

The per-run loop is timed on a random subset of the runs and extrapolated to all
6400 (stated in the output); on that subset the two must agree run by run.

    python benchmarks/bench_training.py                 # CPU
    python benchmarks/bench_training.py --device cuda   # GPU for the batched engine
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from rankstrat.numerics.training.experiments import get_experiment
from rankstrat.numerics.training.experiments.matrix_factorization import nested_mask, target_matrix, parse_group
from rankstrat.numerics.training.factorization import train_factorization_runs
from rankstrat.numerics.training.reference_loop import plain_factorization_run


def experiment_runs(seeds: int):
    """Targets, masks and seeds of every run of the full experiment."""
    experiment = get_experiment("mf4x4")
    settings = experiment.settings(fast=False, seeds=seeds)
    keys = experiment.run_keys(settings)
    index = {group: i for i, group in enumerate(settings["sizes"])}
    targets = np.array([target_matrix(*parse_group(k.group)) for k in keys])
    masks = np.array([nested_mask(index[k.group], k.seed, k.n) for k in keys])
    return settings, keys, targets, masks, [k.seed for k in keys]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda", "auto"))
    parser.add_argument("--seeds", type=int, default=50, help="seeds per (target, n); 50 = one seed block of the full experiment")
    parser.add_argument("--subset", type=int, default=48, help="runs timed with the per-run loop")
    args = parser.parse_args(argv)

    settings, keys, targets, masks, seeds = experiment_runs(args.seeds)
    common = dict(k=settings["k"], init_std=float(np.sqrt(settings["init_variance"])), lr=settings["lr"],
                  max_steps=settings["max_steps"], tol=settings["tol"])
    print(f"MF 4x4 experiment: {len(keys)} runs (8 targets x 16 n x {args.seeds} seeds), init variance "
          f"{settings['init_variance']:g}, lr {settings['lr']}, stop below {settings['tol']:g} or at "
          f"{settings['max_steps']} steps; torch {torch.__version__}, {torch.get_num_threads()} CPU threads")

    start = time.perf_counter()
    batched = train_factorization_runs(targets, masks, seeds, device=args.device, **common)
    if args.device != "cpu" and torch.cuda.is_available():
        torch.cuda.synchronize()
    batched_seconds = time.perf_counter() - start
    total_steps = int(batched.steps.sum())
    print(f"batched engine ({args.device}): {batched_seconds:.1f} s for all {len(keys)} runs "
          f"({total_steps} run-steps, {batched.converged.mean():.1%} converged, "
          f"{batched.unconverged.mean():.1%} unconverged, {batched.diverged.sum()} diverged)")

    rng = np.random.default_rng(0)
    subset = np.sort(rng.choice(len(keys), size=min(args.subset, len(keys)), replace=False))
    start = time.perf_counter()
    loop_steps = [plain_factorization_run(targets[i], masks[i], seeds[i], **common)[1] for i in subset]
    loop_seconds = time.perf_counter() - start
    agree = sum(int(s == batched.steps[i]) for s, i in zip(loop_steps, subset))
    # extrapolate by steps: the loop's cost is proportional to the steps it takes
    per_step = loop_seconds / max(sum(loop_steps), 1)
    loop_total = per_step * total_steps
    print(f"per-run loop (cpu): {loop_seconds:.1f} s for a random subset of {len(subset)} runs "
          f"({sum(loop_steps)} steps, {per_step * 1e6:.0f} us/step); same step count as the batched "
          f"engine in {agree}/{len(subset)} runs")
    print(f"per-run loop, extrapolated to all {len(keys)} runs by their {total_steps} steps: {loop_total:.0f} s "
          f"(by run count instead: {loop_seconds / len(subset) * len(keys):.0f} s)")
    print(f"speed-up: {loop_total / batched_seconds:.0f}x (target >= 50x); full experiment in "
          f"{batched_seconds:.1f} s (target < 60 s on 2 CPU cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
