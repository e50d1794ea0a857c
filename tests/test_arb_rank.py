"""High-precision rank decisions with flint ball matrices (Schur complements).

References written here: the exact rank over the rationals (flint ``fmpq_mat``)
of integer matrices; the engine's other high-precision route (mpmath SVD of the
sympy-built Jacobian) at the same points; closed forms of duplicate-neuron
strata checked by an mpmath SVD at 60 digits.
"""

from __future__ import annotations

import flint
import mpmath
import numpy as np
import pytest

from rankstrat.numerics.backends.arb_rank import bits_for, equilibrated, schur_decision
from rankstrat.numerics.model.jacobian import jacobian_mpmath
from rankstrat.numerics.model.points import flat_point, generic_inputs, random_point
from rankstrat.numerics.rank.engine import (
    _escalate,
    arb_decision,
    decide_spectrum,
    high_precision_spectrum,
    jacobian_rank,
)
from rankstrat.theory.spec import parse_spec


def exact_rank(rows) -> int:
    return flint.fmpq_mat([[int(v) for v in row] for row in rows]).rank()


@pytest.mark.parametrize("seed", range(12))
def test_integer_matrices_get_their_exact_rank(seed):
    rng = np.random.default_rng(seed)
    n, M, r = rng.integers(2, 14), rng.integers(2, 14), rng.integers(0, 6)
    r = min(r, n, M)
    A = rng.integers(-9, 10, (n, r)) @ rng.integers(-9, 10, (r, M))
    A *= rng.choice([1, 10**6, 10**-0 * 7], size=(1, M)).astype(np.int64)  # badly scaled columns
    truth = exact_rank(A.tolist())
    for hint in {0, truth, min(n, M)}:
        decision = schur_decision(flint.arb_mat(A.tolist()), 30, hint)
        assert (decision.rank, decision.clear, decision.proven) == (truth, True, truth)


def test_a_ball_too_wide_to_decide_is_not_clear():
    wide = flint.arb(1, 1e-3)
    decision = schur_decision(flint.arb_mat([[1, 1, 0], [1, wide, 0], [0, 0, 1]]), 60, hint=3)
    assert (decision.rank, decision.clear, decision.proven) == (2, False, 2)


def test_equilibration_is_exact_and_reaches_tiny_columns():
    saved = flint.ctx.prec
    flint.ctx.prec = 200
    try:
        entries = [[flint.arb("1e-500"), flint.arb(3)], [flint.arb("-2e-500"), flint.arb(5)]]
        rows, mid = equilibrated(entries)
        assert 0.5 <= abs(mid[:, 0]).max() < 1 and 0.5 <= abs(mid).max(axis=1).min() < 1
        for i in range(2):
            for j in range(2):  # each entry is the original times a power of two, with no rounding
                factor = rows[i][j] / entries[i][j]
                exponent = round(float(factor.mid().log()) / np.log(2))
                assert factor.contains(flint.arb(2) ** exponent) and factor.rad() < 2.0**-150 * float(factor.mid())
    finally:
        flint.ctx.prec = saved


def _point(spec, kind: str, separation: float, seed: int = 0) -> dict:
    point = random_point(spec, seed)
    if kind == "duplicate":
        point["W"][1] = point["W"][0] + separation
    elif kind == "sign":
        point["W"][1] = -point["W"][0] + separation
        point["a"][1] = point["a"][0]
    return point


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "sin"])
@pytest.mark.parametrize("kind,separation", [("duplicate", 0.0), ("duplicate", 1e-20), ("sign", 0.0), ("duplicate", 1e-3)])
def test_arb_and_mpmath_routes_agree(act, kind, separation):
    """Both high-precision routes reach the same clear decision (mpmath: SVD of
    the sympy-built Jacobian; arb: the family's forward map and a Schur complement)."""
    spec = parse_spec(f"twolayer:d=3,k=3,act={act}")
    point = _point(spec, kind, separation)
    theta, X = flat_point(spec, point), generic_inputs(spec, 30, seed=1)
    for dps in (60, 120):
        arb, proven = arb_decision(spec, theta, X, dps, hint=len(theta))
        mp = decide_spectrum(high_precision_spectrum(spec, theta, X, dps), X.shape[:1] + theta.shape, 10.0**-dps)
        assert arb.clear == mp.clear
        if mp.clear:
            assert arb.rank == mp.rank and proven == arb.rank


def test_a_separation_below_one_precision_shows_at_the_next():
    """Neurons a relative 2^-40 apart: rank 12, but singular values near 1e-24
    hide below the 30-digit floor (a clear 11 there); the three-precision rule
    accepts 12 only once 60, 120 and 240 digits agree."""
    spec = parse_spec("twolayer:d=3,k=3")
    point = _point(spec, "duplicate", 0.0)
    point["W"][1, 0] *= 1 + 2.0**-40
    theta, X = flat_point(spec, point), generic_inputs(spec, 30, seed=1)
    low, _ = arb_decision(spec, theta, X, 30, hint=12)
    high, proven = arb_decision(spec, theta, X, 120, hint=12)
    assert low.clear and low.rank < high.rank == proven == 12
    decision, dps = _escalate(spec, theta, X, [], hint=12)
    assert decision.rank == 12 and decision.clear and dps == 240


def test_the_engine_decides_a_duplicate_stratum_beyond_the_mpmath_size():
    """M = 275 (mpmath's SVD stops at 120 parameters): two duplicate pairs of
    neurons; the closed form is checked here by an mpmath SVD of a smaller
    member of the same stratum (d = 3, k = 4)."""
    def stratum(d: int, k: int):
        spec = parse_spec(f"twolayer:d={d},k={k},bias=1")
        point = random_point(spec, 5, scale=1 / np.sqrt(d))
        for i, j in ((1, 0), (3, 2)):
            point["W"][i], point["b"][i] = point["W"][j], point["b"][j]
        return spec, point

    # the stratum's rank: k (d + 2) minus (d + 2) per duplicate pair
    spec, point = stratum(3, 4)
    theta = flat_point(spec, point)
    X = generic_inputs(spec, 60, seed=2)
    with mpmath.workdps(60):
        values = mpmath.svd_r(jacobian_mpmath(spec, theta, X, 60), compute_uv=False)
        top = max(values)
        small = 4 * 5 - 2 * 5
        assert sum(v / top > mpmath.mpf(10) ** -30 for v in values) == small

    spec, point = stratum(9, 25)
    X = generic_inputs(spec, 2 * 275, seed=2)
    # without the structural certificates only high precision can see the stratum
    result = jacobian_rank(spec, point, X, certify=False)
    assert (result.rank, result.certainty) == (275 - 2 * 11, "high-precision")
    assert result.lower_bound == 253 and result.lower_method.startswith("arb 253x253 pivot block")
    assert any("flint arb" in method for method in result.methods)
    # with them the duplicate-neuron kernel vectors close the interval
    proven = jacobian_rank(spec, point, X)
    assert (proven.rank, proven.certainty) == (253, "certified")


def test_bits_grow_with_digits():
    assert bits_for(30) < bits_for(60) < bits_for(120)


def test_one_budget_bounds_every_certification_step():
    """A spent budget skips the certificates and the high-precision recomputation
    alike: the answer degrades to the proven interval, it does not hang."""
    spec = parse_spec("twolayer:d=3,k=3")
    point = _point(spec, "duplicate", 1e-9)
    X = generic_inputs(spec, 30, seed=1)
    full = jacobian_rank(spec, point, X)
    assert full.rank == 12 and full.certainty == "certified"
    starved = jacobian_rank(spec, point, X, budget=1e-9)
    assert starved.certainty == "undecided" and starved.rank is None
    assert starved.lower_bound < 12 == starved.upper_bound
    assert any("budget" in warning for warning in starved.warnings)


def test_balls_that_are_mostly_radius_never_look_like_zero():
    """[[1, 0 +/- 1e-390], [1, 0 +/- 1e-390]] may have rank 2 (e.g. the true
    second column (1e-400, 2e-400)): the second column is scaled by its upper
    bound, its radius shows, and no precision gives a clear rank 1."""
    tiny = flint.arb(0, flint.arb("1e-390").mid())   # (a float 1e-390 would underflow to 0)
    for dps in (30, 60, 120, 240):
        decision = schur_decision(flint.arb_mat([[1, tiny], [1, tiny]]), dps, hint=2)
        assert decision.proven == 1 and not decision.clear


@pytest.mark.parametrize("text,where", [("twolayer:d=1,k=1,bias=1", "b"), ("twolayer:d=2,k=3,bias=1", "W")])
def test_saturated_tanh_is_undecided_not_high_precision(text, where):
    """tanh at pre-activations near 1e150: tanh' is the ball [0 +/- e^-2u]. The
    true rank is that of the unscaled point (the model rank is invariant under
    W -> c W for the bias column's partner; for the huge bias, an mpmath
    reference at 400 digits gives 3 for the first spec)."""
    spec = parse_spec(text)
    point = random_point(spec, 0)
    point[where] = point[where] * 1e150 if where == "W" else point[where] + 1e150
    result = jacobian_rank(spec, point, generic_inputs(spec, 30, seed=1))
    assert result.certainty in ("certified", "undecided")
    if result.certainty == "certified":
        assert result.rank == len(flat_point(spec, point))


def test_user_models_with_a_ball_form_use_ball_matrices(tmp_path):
    """A sized user model (the attention score of examples/) at a point with a
    zero head: both routes give the same rank; the engine takes the arb route."""
    from pathlib import Path

    from rankstrat.numerics.rank.engine import has_arb_form

    example = Path(__file__).resolve().parents[1] / "examples" / "attention.py"
    spec = parse_spec(f"{example}:d=4,k=3")
    assert has_arb_form(spec)
    point = random_point(spec, 0)
    name = next(iter(point))
    point[name] = point[name].copy()
    point[name][0] = 0.0
    theta, X = flat_point(spec, point), generic_inputs(spec, 2 * len(flat_point(spec, point)), seed=1)
    arb, proven = arb_decision(spec, theta, X, 60, hint=len(theta))
    mp = decide_spectrum(high_precision_spectrum(spec, theta, X, 60), X.shape[:1] + theta.shape, 1e-60)
    assert arb.clear and mp.clear and arb.rank == mp.rank == proven
    result = jacobian_rank(spec, point, X, certify=False)
    assert result.rank == arb.rank and any("flint arb" in step for step in result.methods)
