"""One table of (spec, stratum point, closed-form rank) cases, run over every rank
implementation: float64 spectrum, mpmath spectrum, ball-arithmetic minors and the
modular rank. All must agree with the closed form."""

import numpy as np
import pytest

from rankstrat.cases.catalogue import all_claims
from rankstrat.numerics.model.jacobian import jacobian
from rankstrat.numerics.model.points import flat_point, generic_inputs, random_point
from rankstrat.numerics.rank.certify import ball_minor_bound, modular_rank
from rankstrat.numerics.rank.engine import (
    FLOAT64_EPS,
    decide_spectrum,
    high_precision_spectrum,
    jacobian_rank,
    model_rank,
)
from rankstrat.theory.families import twolayer
from rankstrat.theory.spec import parse_spec

CASES = [claim.case for claim in all_claims() if claim.case is not None]
IDS = [claim.id for claim in all_claims() if claim.case is not None]


def _float_jacobian(case):
    theta = flat_point(case.spec, case.parameters())
    X = case.inputs()
    return theta, X, jacobian(case.spec, theta, X)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_float64_spectrum(case):
    _, _, J = _float_jacobian(case)
    decision = decide_spectrum(np.linalg.svd(J, compute_uv=False), J.shape, FLOAT64_EPS)
    assert decision.clear
    assert decision.rank == case.expected()


@pytest.mark.parametrize("case", [c for c in CASES if c.spec.analytic and len(flat_point(c.spec, c.parameters())) <= 40],
                         ids=[i for c, i in zip(CASES, IDS) if c.spec.analytic and len(flat_point(c.spec, c.parameters())) <= 40])
def test_high_precision_spectrum(case):
    theta, X, J = _float_jacobian(case)
    rows = X[: len(theta) + 4]
    decision = decide_spectrum(high_precision_spectrum(case.spec, theta, rows, 40), (len(rows), len(theta)), 1e-40)
    assert decision.clear
    assert decision.rank == case.expected()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_ball_arithmetic_proves_the_lower_bound(case):
    theta, X, J = _float_jacobian(case)
    r = case.expected()
    assert ball_minor_bound(case.spec, theta, X, J, r)


@pytest.mark.parametrize("case", [c for c in CASES if c.spec.polynomial and c.point is None],
                         ids=[i for c, i in zip(CASES, IDS) if c.spec.polynomial and c.point is None])
def test_modular_rank_of_polynomial_models(case):
    assert modular_rank(case.spec) == case.expected()


def test_a_singular_minor_is_not_a_proof():
    spec = parse_spec("mf:n1=3,k=1,n2=3")
    point = random_point(spec)
    theta, X = flat_point(spec, point), generic_inputs(spec, 12)
    J = jacobian(spec, theta, X)
    assert ball_minor_bound(spec, theta, X, J, 5)
    assert not ball_minor_bound(spec, theta, X, J, 6)  # true rank is 5


def test_near_duplicate_neurons_need_high_precision():
    spec = parse_spec("twolayer:d=2,k=3")
    point = random_point(spec, 3)
    point["W"][1] = point["W"][0] + 1e-9 * np.array([1.0, -0.5])
    X = generic_inputs(spec, 12)
    float_only = jacobian_rank(spec, point, X, escalate=False, certify=False)
    assert float_only.rank is None and float_only.certainty == "undecided"
    result = jacobian_rank(spec, point, X)
    assert result.rank == 9 and result.certainty in ("high-precision", "certified-lower-bound", "certified")
    assert result.digits > 16
    assert any("mpmath" in step for step in result.methods)


def test_exact_duplicates_are_decided_in_float64():
    spec = parse_spec("twolayer:d=2,k=3")
    point = random_point(spec, 3)
    point["W"][1] = point["W"][0]
    result = jacobian_rank(spec, point, generic_inputs(spec, 12))
    expected = twolayer.rank_at_point(spec, point["W"], point["a"]).value
    assert expected == 6  # classes {0, 1} and {2}, both with a != 0: m_w + m_a d = 2 + 2 * 2
    assert result.rank == expected and result.digits == 16


def test_relu_results_carry_a_warning():
    result = model_rank(parse_spec("twolayer:d=2,k=3,act=relu"))
    assert any("not apply" in w for w in result.warnings)
    assert result.certainty == "float64-gap"


def test_zero_point_has_rank_zero():
    result = model_rank(parse_spec("mlp:d=2,widths=2-2"), at="zero")
    assert result.rank == 0


def test_undecided_is_reported_with_the_spectrum_when_escalation_is_impossible():
    # relu cannot be recomputed at high precision; a Jacobian whose singular values
    # fall evenly from 1 to 1e-10 has no gap to decide on
    spec = parse_spec("twolayer:d=2,k=3,act=relu")
    point = random_point(spec, 3)
    rng = np.random.default_rng(0)
    U, _ = np.linalg.qr(rng.standard_normal((12, 9)))
    V, _ = np.linalg.qr(rng.standard_normal((9, 9)))
    J = (U * np.logspace(0, -10, 9)) @ V.T
    result = jacobian_rank(spec, point, generic_inputs(spec, 12), J=J)
    assert result.rank is None
    assert result.certainty == "undecided"
    assert len(result.spectrum) == 9
    assert any("ambiguous" in w for w in result.warnings)


def test_decision_rule_edges():
    assert decide_spectrum([1.0, 1e-3, 1e-20], (3, 3), FLOAT64_EPS).rank == 2
    ambiguous = decide_spectrum([1.0, 1e-10], (2, 2), FLOAT64_EPS)
    assert not ambiguous.clear
    assert decide_spectrum([1.0, 1e-10], (2, 2), 1e-40).clear
