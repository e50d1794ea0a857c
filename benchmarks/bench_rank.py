"""Rank-engine benchmarks (two-layer tanh with bias, d=20, k=100, M=2200, n=2M=4400).

1. Jacobian by ``torch.func`` (vmap of jacrev over inputs) versus one autograd
   backward pass per input: target >= 20x.
2. Full rank decision (Jacobian + SVD + gap rule) versus one float64 SVD of the
   same Jacobian: target <= 3x when the gap is clear.

Run: ``python -m benchmarks.bench_rank [--device cuda] [--loop-inputs 400]``.
The per-input loop is timed on ``--loop-inputs`` inputs and scaled to n.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch

from benchmarks.timing import best_time
from rankstrat.numerics.model.jacobian import jacobian, jacobian_loop
from rankstrat.numerics.model.points import flat_point, generic_inputs, random_point
from rankstrat.numerics.rank.engine import jacobian_rank
from rankstrat.theory.spec import parse_spec

SPEC = "twolayer:d=20,k=100,act=tanh,bias=1"


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--loop-inputs", type=int, default=400)
    parser.add_argument("--spec", default=SPEC)
    args = parser.parse_args(argv)
    spec = parse_spec(args.spec)
    point = random_point(spec, 0, scale=1 / np.sqrt(spec["d"]))
    theta = flat_point(spec, point)
    M = len(theta)
    X = generic_inputs(spec, 2 * M)
    jacobian(spec, theta, X[:8], device=args.device, vectorized=True)  # warm-up

    t_vmap = best_time(lambda: jacobian(spec, theta, X, device=args.device, vectorized=True), repeat=3)
    sub = X[: args.loop_inputs]
    t_loop = best_time(lambda: jacobian_loop(spec, theta, sub), repeat=1) * len(X) / len(sub)

    J = jacobian(spec, theta, X, device=args.device)
    t_svd = best_time(lambda: np.linalg.svd(J, compute_uv=False), repeat=3)
    t_decision = best_time(
        lambda: jacobian_rank(spec, point, X, certify=False, device=args.device), repeat=3
    )
    result = jacobian_rank(spec, point, X, certify=False, device=args.device)
    report = {
        "spec": str(spec),
        "device": args.device,
        "threads": torch.get_num_threads(),
        "num_params": M,
        "num_inputs": len(X),
        "jacobian_vmap_s": round(t_vmap, 3),
        "jacobian_loop_s_extrapolated": round(t_loop, 3),
        "vmap_speedup": round(t_loop / t_vmap, 1),
        "svd_s": round(t_svd, 3),
        "rank_decision_s": round(t_decision, 3),
        "decision_over_svd": round(t_decision / t_svd, 2),
        "rank": result.rank,
        "certainty": result.certainty,
        "gap": None if np.isinf(result.gap) else float(result.gap),
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
