"""The forward map on exact and ball backends, and the proven bounds built on it,
checked against independent references: sympy's exact gradient, mpmath at 50
digits, exact rational ranks (flint fmpq_mat)."""

from __future__ import annotations

import json

import flint
import mpmath
import numpy as np
import pytest

from rankstrat.numerics.backends.bounds import prove_bounds
from rankstrat.numerics.backends.forward import dual_jacobian
from rankstrat.numerics.backends.modular import modular_lower_bound
from rankstrat.numerics.backends.rings import PRIME
from rankstrat.numerics.backends.upper import monomial_bound, structural_vectors
from rankstrat.numerics.backends.verified import smallest_singular_lower, verified_rank_lower
from rankstrat.numerics.model.jacobian import jacobian_exact
from rankstrat.numerics.model.points import flat_point, generic_inputs, random_point
from rankstrat.theory.model.symbolic import gradient_function
from rankstrat.theory.spec import parse_spec

POLYNOMIAL = ["mlp:d=3,widths=3-2,act=pow3,bias=0", "cnn1d:d=5,s=2,k=2,act=pow2,bias=1", "mf:n1=3,k=2,n2=2,depth=3",
              "twolayer:d=3,k=4,act=pow3,bias=1"]
ANALYTIC = ["twolayer:d=3,k=3,act=tanh,bias=1", "mlp:d=2,widths=3-2,act=sigmoid,bias=1", "cnn2d:d=3,s=2,k=2,act=softplus",
            "twolayer:d=2,k=2,act=sin", "twolayer:d=2,k=2,act=exp,bias=1"]


def _integer_setup(spec, n, seed=0):
    rng = np.random.default_rng(seed)
    theta = rng.integers(-4, 5, size=len(flat_point(spec, random_point(spec)))).astype(float)
    X = rng.integers(-3, 4, size=(n, spec.module.input_dim(spec))).astype(float)
    return theta, X


def _exact_rank(rows) -> int:
    return int(flint.fmpq_mat([[flint.fmpq(int(v)) if not isinstance(v, flint.fmpq) else v for v in row] for row in rows]).rank())


@pytest.mark.parametrize("text", POLYNOMIAL[1:] + ["mlp:d=2,widths=2-2,act=pow2,bias=1"])
def test_exact_backends_match_sympy_gradient(text):
    # (the deeper pow3 network takes minutes through sympy: the reason for the dual backends)
    spec = parse_spec(text)
    theta, X = _integer_setup(spec, 6)
    reference = jacobian_exact(spec, theta.astype(int), X.astype(int))  # sympy expansion + lambdify
    exact = dual_jacobian(spec, theta, X, "fmpq")
    assert [[int(v) for v in row] for row in exact] == reference
    residues = dual_jacobian(spec, theta, X, "mod")
    assert residues.tolist() == [[v % PRIME for v in row] for row in reference]


def test_mod_ring_maps_dyadic_points_exactly():
    spec = parse_spec("twolayer:d=2,k=2,act=pow2,bias=1")
    theta = np.array([0.5, -1.25, 3.0, 0.75, -0.5, 2.0, 1.5, -0.375])
    X = np.array([[0.25, -2.0], [1.5, 0.125]])
    exact = dual_jacobian(spec, theta, X, "fmpq")
    residues = dual_jacobian(spec, theta, X, "mod")
    for i in range(2):
        for j in range(len(theta)):
            q = exact[i, j]
            assert residues[i, j] == int(q.p) * pow(int(q.q), -1, PRIME) % PRIME


@pytest.mark.parametrize("text", ANALYTIC)
def test_ball_jacobian_encloses_mpmath_at_50_digits(text):
    spec = parse_spec(text)
    theta = flat_point(spec, random_point(spec, seed=3))
    X = generic_inputs(spec, 7, seed=3)
    ball = dual_jacobian(spec, theta, X, "ball")
    with mpmath.workdps(50):
        reference = _sympy_mpmath_jacobian(spec, theta, X)
        for i in range(len(X)):
            for j in range(len(theta)):
                assert abs(reference[i, j] - mpmath.mpf(ball.mid[i, j])) <= mpmath.mpf(ball.rad[i, j])
    assert float(ball.rad.max()) < 1e-12  # tight, not just valid


def test_modular_lower_bound_at_a_rank_deficient_point_matches_rational_rank():
    spec = parse_spec("mf:n1=4,k=3,n2=4")
    theta = flat_point(spec, random_point(spec))
    theta[[0, 3, 6, 9]] = 0.0  # first column of A zero: rank drops
    X = generic_inputs(spec, 40)
    exact = dual_jacobian(spec, theta, X, "fmpq")
    true_rank = int(flint.fmpq_mat(exact.tolist()).rank())
    assert modular_lower_bound(spec, theta, X) == true_rank < 3 * 8 - 9


@pytest.mark.parametrize("text", POLYNOMIAL + ["mlp:d=2,widths=2-2,act=pow2,bias=1"])
def test_structural_kernel_vectors_are_exact_kernel_vectors(text):
    spec = parse_spec(text)
    theta, X = _integer_setup(spec, 12, seed=1)
    J = dual_jacobian(spec, theta, X, "fmpq")
    vectors, _ = structural_vectors(spec)
    for vector in vectors:
        v = [flint.fmpq(0)] * len(theta)
        for target, coefficient, source in vector:
            v[target] += coefficient * flint.fmpq(int(theta[source]))
        assert all(sum((J[i, j] * v[j] for j in range(len(theta))), flint.fmpq(0)) == 0 for i in range(len(X)))


@pytest.mark.parametrize("text", POLYNOMIAL)
def test_monomial_bound_is_an_upper_bound(text):
    spec = parse_spec(text)
    theta, X = _integer_setup(spec, 80, seed=2)
    assert _exact_rank(dual_jacobian(spec, theta, X, "fmpq").tolist()) <= monomial_bound(spec)


def test_mf_monomial_bound_is_n1_n2_and_tight():
    spec = parse_spec("mf:n1=3,k=3,n2=2")
    assert monomial_bound(spec) == 6
    bounds = prove_bounds(spec, flat_point(spec, random_point(spec)), generic_inputs(spec, 30))
    assert (bounds.lower, bounds.upper) == (6, 6)


def _sympy_mpmath_jacobian(spec, theta, X):
    """The independent reference: sympy's gradient evaluated in mpmath."""
    grad = gradient_function(spec, "mpmath")
    th = [mpmath.mpf(float(t)) for t in theta]
    return mpmath.matrix([grad(th, [mpmath.mpf(float(v)) for v in x]) for x in X])


def _mpmath_smallest_singular(A, dps=60):
    with mpmath.workdps(dps):
        return min(mpmath.svd_r(mpmath.matrix(A.tolist()), compute_uv=False))


@pytest.mark.parametrize("seed", range(4))
def test_verified_sigma_bound_is_below_the_mpmath_value(seed):
    rng = np.random.default_rng(seed)
    scales = 10.0 ** rng.uniform(-4, 4, size=6)  # badly scaled columns
    A = rng.standard_normal((9, 6)) * scales
    bound = smallest_singular_lower(A, np.zeros_like(A))
    assert 0 < bound <= _mpmath_smallest_singular(A)


def test_rank_deficient_matrix_never_gets_a_larger_lower_bound():
    rng = np.random.default_rng(5)
    for r in (1, 2, 4):
        U = rng.integers(-5, 6, size=(10, r)).astype(float)
        V = rng.integers(-5, 6, size=(r, 7)).astype(float)
        A = U @ V  # exact integers: rank r exactly
        assert _exact_rank(A.astype(int).tolist()) == r
        assert verified_rank_lower(A, np.zeros_like(A), r)
        assert not verified_rank_lower(A, np.zeros_like(A), r + 1)
        # a perturbation inside the balls: the rank-r matrix is still in the ball
        E = 1e-9 * rng.standard_normal(A.shape)
        assert not verified_rank_lower(A + E, np.abs(E) * 1.01, r + 1)


def test_near_degenerate_matrix_is_proven_only_when_its_balls_allow():
    rng = np.random.default_rng(6)
    Q1, _ = np.linalg.qr(rng.standard_normal((8, 3)))
    Q2, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    A = Q1 @ np.diag([1.0, 1.0, 1e-7]) @ Q2
    assert verified_rank_lower(A, np.full(A.shape, 1e-12), 3)  # sigma_3 = 1e-7 >> ||R||_F
    assert not verified_rank_lower(A, np.full(A.shape, 1e-7), 3)  # ||R||_F > sigma_3: not provable


def test_prove_bounds_at_duplicate_neurons_stays_below_the_true_rank():
    spec = parse_spec("twolayer:d=2,k=3,act=tanh")
    point = random_point(spec, seed=1)
    point["W"][2] = point["W"][0]  # duplicate neuron: rank drops by d + 1 - 1
    theta, X = flat_point(spec, point), generic_inputs(spec, 18)
    with mpmath.workdps(50):
        values = mpmath.svd_r(_sympy_mpmath_jacobian(spec, theta, X), compute_uv=False)
        true_rank = sum(1 for v in values if v > mpmath.mpf(10) ** -30 * max(values))
    bounds = prove_bounds(spec, theta, X, target=len(theta))  # ask for too much: must not be proven
    assert bounds.lower <= true_rank < len(theta)
    assert prove_bounds(spec, theta, X, target=true_rank).lower == true_rank


def test_budget_skips_and_says_so():
    spec = parse_spec("mf:n1=30,k=30,n2=30")
    theta, X = flat_point(spec, random_point(spec)), generic_inputs(spec, 3600)
    bounds = prove_bounds(spec, theta, X, budget=1e-3)
    assert bounds.lower == 0 and any("budget" in step for step in bounds.skipped)
    assert bounds.upper == 900  # trivial bounds are always applied


def test_cli_rank_lists_attempted_steps_and_rejects_a_bad_budget(run_cli):
    code, out, _ = run_cli("rank", "mlp:d=3,widths=3-2,act=pow3,bias=0", "--json")
    payload = json.loads(out)
    assert code == 0 and payload["certainty"] == "certified" and payload["model_rank"] == 12
    assert any(m.startswith("attempted: exact rank mod") for m in payload["methods"])
    code, out, err = run_cli("rank", "mf:n1=2,k=1,n2=2", "--budget", "0")
    assert code == 2 and "--budget" in err and len(err.strip().splitlines()) == 1


def test_relu_lower_bounds_are_skipped_with_a_reason():
    spec = parse_spec("twolayer:d=2,k=2,act=relu")
    bounds = prove_bounds(spec, flat_point(spec, random_point(spec)), generic_inputs(spec, 12))
    assert bounds.lower == 0 and any("relu" in step for step in bounds.skipped)


@pytest.mark.slow
def test_engine_certifies_a_mid_size_tanh_network_the_float_path_only_measured():
    from rankstrat.numerics.rank.engine import model_rank

    result = model_rank(parse_spec("twolayer:d=14,k=25,act=tanh,bias=1"))
    assert (result.rank, result.certainty) == (400, "certified")
    assert result.lower_method.startswith("verified float64")


# about 60 s on two cores
@pytest.mark.slow
def test_an_open_interval_is_reported_not_labelled_as_proven():
    from rankstrat.numerics.rank.engine import jacobian_rank

    spec = parse_spec("mlp:d=5,widths=10-4,act=pow2,bias=1")
    point = random_point(spec)
    X = generic_inputs(spec, 216)
    at_given_point = jacobian_rank(spec, point, X)  # not a random draw: no float64-only label
    assert at_given_point.rank is None and at_given_point.certainty == "undecided"
    assert at_given_point.lower_bound == at_given_point.estimate < at_given_point.upper_bound
    assert at_given_point.lower_method.startswith("exact rank mod")
    assert any(m.startswith("attempted: exact rank mod") for m in at_given_point.methods)
