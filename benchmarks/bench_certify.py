"""Certification benchmarks: proven ranks at scale, as ratios against one float64 SVD
of the same Jacobian measured in the same run.

1. twolayer tanh d=20, k=100, bias=1 (M=2200, n=4400) at a random point:
   certified (lower == upper) in <= 20x one SVD.
2. mf n1=n2=k=20 (M=800, n=1600): certified in <= 5x one SVD.
3. cnn2d d=28, s=3, k=1 (convolution, M=685): certified.
4. deep polynomial networks (pow2/pow3, about 100 parameters): certified in seconds.
5. Curves over M = 110 ... 2200 (twolayer tanh, d=20, bias=1): vmap Jacobian
   against the per-input autograd loop, and the rank decision (``certify`` off)
   and the certified decision against one SVD.
6. High precision at points with duplicate neurons (twolayer tanh d=9,
   bias=1, M = 66 ... 440): one 30-digit decision with flint ball matrices
   against mpmath's SVD of the same Jacobian, and the engine end to end.
7. Locally connected layers (cnn2d s=3, k=1, share=0): ``model_rank`` end to
   end (finite differences of the local groups, no float64 Jacobian) at d=14
   against one float64 SVD of its Jacobian and the dense verified bound of the
   same size, and at d=28 (M=6760; target: decided in <= 60 s).

Run: ``python -m benchmarks.bench_certify [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from benchmarks.timing import best_time
from rankstrat.numerics.backends.bounds import prove_bounds
from rankstrat.numerics.model.jacobian import jacobian, jacobian_loop
from rankstrat.numerics.model.points import flat_point, generic_inputs, random_point
from rankstrat.numerics.rank.engine import (
    arb_decision,
    decide_spectrum,
    high_precision_spectrum,
    jacobian_rank,
    model_rank,
)
from rankstrat.theory.spec import parse_spec


def _setup(text: str, seed: int = 0, n: int | None = None):
    spec = parse_spec(text)
    scale = 1 / np.sqrt(spec["d"]) if spec.family == "twolayer" else 1.0
    point = random_point(spec, seed, scale=scale)
    theta = flat_point(spec, point)
    X = generic_inputs(spec, 2 * len(theta) if n is None else n, seed)
    return spec, point, theta, X


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def certified_against_svd(text: str) -> dict:
    """Time one SVD and the whole certified decision (Jacobian, SVD, bounds)."""
    spec, point, theta, X = _setup(text)
    jacobian(spec, theta, X[:8])  # warm-up
    J = jacobian(spec, theta, X)
    svd = best_time(lambda: np.linalg.svd(J, compute_uv=False), repeat=1)
    result, total = _timed(lambda: jacobian_rank(spec, point, X))
    return {
        "spec": text, "M": len(theta), "n": len(X), "svd_s": round(svd, 2), "certified_s": round(total, 2),
        "ratio": round(total / svd, 2), "rank": result.rank, "certainty": result.certainty,
        "lower": f"{result.lower_bound} ({result.lower_method})", "upper": f"{result.upper_bound} ({result.upper_method})",
        "steps": [m for m in result.methods if m.startswith("attempted")],
    }


def plain(text: str) -> dict:
    spec, point, theta, X = _setup(text)
    result, total = _timed(lambda: jacobian_rank(spec, point, X))
    return {"spec": text, "M": len(theta), "seconds": round(total, 2), "rank": result.rank,
            "certainty": result.certainty, "lower": result.lower_bound, "upper": result.upper_bound}


def curve_point(k: int, loop_inputs: int = 200) -> dict:
    text = f"twolayer:d=20,k={k},act=tanh,bias=1"
    spec, point, theta, X = _setup(text)
    jacobian(spec, theta, X[:8])
    vmap = best_time(lambda: jacobian(spec, theta, X), repeat=2)
    loop = best_time(lambda: jacobian_loop(spec, theta, X[:loop_inputs]), repeat=1) * len(X) / loop_inputs
    J = jacobian(spec, theta, X)
    svd = best_time(lambda: np.linalg.svd(J, compute_uv=False), repeat=2)
    decision = best_time(lambda: jacobian_rank(spec, point, X, certify=False), repeat=2)
    certified, seconds = _timed(lambda: jacobian_rank(spec, point, X))
    return {"M": len(theta), "jacobian_vmap_s": round(vmap, 3), "loop_over_vmap": round(loop / vmap, 1),
            "svd_s": round(svd, 3), "jacobian_over_svd": round(vmap / svd, 2),
            "decision_over_svd": round(decision / svd, 2), "certified_over_svd": round(seconds / svd, 2),
            "certainty": certified.certainty}


def locally_connected(side: int, baseline: bool) -> dict:
    """``model_rank`` of a locally connected layer; with ``baseline``, also one
    float64 SVD of its Jacobian and the dense proof (ball Jacobian and verified
    float64 bound at the same inputs) for the ratios."""
    text = f"cnn2d:d={side},s=3,k=1,share=0"
    spec, _, theta, X = _setup(text)
    result, seconds = _timed(lambda: model_rank(spec))
    row = {"spec": text, "M": len(theta), "seconds": round(seconds, 2), "rank": result.rank,
           "certainty": result.certainty, "lower": result.lower_method}
    if baseline:
        J = jacobian(spec, theta, X)
        svd = best_time(lambda: np.linalg.svd(J, compute_uv=False), repeat=1)
        dense, dense_s = _timed(lambda: prove_bounds(spec, theta, X, target=len(theta)))
        row.update({"svd_s": round(svd, 2), "local_over_svd": round(seconds / svd, 3),
                    "dense_proof_s": round(dense_s, 2), "dense_interval": dense.interval,
                    "dense_over_local": round(dense_s / seconds, 1)})
    return row


def high_precision(k: int, mpmath_too: bool) -> dict:
    """One high-precision decision (30 digits) at a point with two duplicate
    neuron pairs (twolayer tanh, d=9, bias=1): flint ball matrices against
    mpmath's SVD of the same Jacobian, and the whole engine at that point."""
    spec = parse_spec(f"twolayer:d=9,k={k},act=tanh,bias=1")
    point = random_point(spec, 5, scale=1 / 3)
    for i, j in ((1, 0), (3, 2)):
        point["W"][i], point["b"][i] = point["W"][j], point["b"][j]
    theta = flat_point(spec, point)
    X = generic_inputs(spec, 2 * len(theta), 2)
    (decision, proven), arb_s = _timed(lambda: arb_decision(spec, theta, X, 30, hint=len(theta)))
    row = {"M": len(theta), "n": len(X), "arb_s": round(arb_s, 2), "arb_rank": decision.rank, "proven": proven}
    if mpmath_too:
        values, mp_s = _timed(lambda: high_precision_spectrum(spec, theta, X, 30))
        row.update({"mpmath_s": round(mp_s, 2), "mpmath_over_arb": round(mp_s / arb_s, 1),
                    "mpmath_rank": decide_spectrum(values, X.shape[:1] + theta.shape, 1e-30).rank})
    result, seconds = _timed(lambda: jacobian_rank(spec, point, X))
    row.update({"engine_s": round(seconds, 2), "rank": result.rank, "certainty": result.certainty})
    return row


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke test)")
    args = parser.parse_args(argv)
    out = {}
    big = ["twolayer:d=6,k=10,act=tanh,bias=1", "mf:n1=6,k=6,n2=6"] if args.quick else [
        "twolayer:d=20,k=100,act=tanh,bias=1", "mf:n1=20,k=20,n2=20"]
    out["certified_vs_svd"] = [certified_against_svd(text) for text in big]
    for row in out["certified_vs_svd"]:
        print(json.dumps(row), flush=True)
    others = ["mlp:d=3,widths=3-2,act=pow3,bias=0"] if args.quick else [
        "cnn2d:d=28,s=3,k=1", "mlp:d=4,widths=8-6,act=pow3,bias=0", "mlp:d=4,widths=8-6,act=pow2,bias=0",
        "mlp:d=5,widths=10-4,act=pow3,bias=1", "mlp:d=3,widths=6-6-6,act=pow2,bias=0"]
    out["certified"] = [plain(text) for text in others]
    for row in out["certified"]:
        print(json.dumps(row), flush=True)
    ks = (2, 5) if args.quick else (5, 11, 22, 45, 100)
    out["curve"] = []
    for k in ks:
        out["curve"].append(curve_point(k))
        print(json.dumps(out["curve"][-1]), flush=True)
    out["high_precision"] = []
    for k, mpmath_too in ((4, True),) if args.quick else ((6, True), (12, True), (25, False), (40, False)):
        out["high_precision"].append(high_precision(k, mpmath_too))
        print(json.dumps(out["high_precision"][-1]), flush=True)
    sides = ((6, True),) if args.quick else ((14, True), (28, False))
    out["locally_connected"] = []
    for side, baseline in sides:
        out["locally_connected"].append(locally_connected(side, baseline))
        print(json.dumps(out["locally_connected"][-1]), flush=True)
    return out


if __name__ == "__main__":
    main()
