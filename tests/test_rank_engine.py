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


def test_near_duplicate_neurons_are_decided_by_a_proof_not_by_float64():
    spec = parse_spec("twolayer:d=2,k=3")
    point = random_point(spec, 3)
    point["W"][1] = point["W"][0] + 1e-9 * np.array([1.0, -0.5])
    X = generic_inputs(spec, 12)
    float_only = jacobian_rank(spec, point, X, escalate=False, certify=False)
    assert float_only.rank is None and float_only.certainty == "undecided"
    assert float_only.lower_bound == 0 and float_only.upper_bound == 9
    result = jacobian_rank(spec, point, X)
    assert result.rank == 9 and result.certainty == "certified"
    assert result.lower_bound == result.upper_bound == 9 and "ball" in result.lower_method


def test_without_certificates_a_near_duplicate_needs_high_precision():
    spec = parse_spec("twolayer:d=2,k=3")
    point = random_point(spec, 3)
    point["W"][1] = point["W"][0] + 1e-9 * np.array([1.0, -0.5])
    result = jacobian_rank(spec, point, generic_inputs(spec, 12), certify=False)
    # float64 alone says 8 (ambiguous); the high-precision recomputation in flint
    # ball matrices finds 9 and proves its pivot block invertible on the way
    assert result.estimate == 8 and not result.estimate_clear
    assert result.rank == 9 and result.certainty == "certified"
    assert result.lower_method.startswith("arb 9x9 pivot block proven invertible")
    assert any("flint arb" in step for step in result.methods)


def test_a_float64_estimate_meeting_a_lower_bound_is_not_a_rank():
    """At a user point the float64 rank is below the truth; the lower bound it
    meets is proven, the rank is not: without high precision it is undecided."""
    spec = parse_spec("twolayer:d=3,k=2")
    point = {"W": np.array([[0.5, -0.3, 0.8], [0.5 + 1e-4, -0.3, 0.8]]), "a": np.array([1.2, -0.7])}
    X = generic_inputs(spec, 16)
    result = jacobian_rank(spec, point, X, escalate=False)
    assert result.estimate == 7
    assert result.lower_bound >= 7 and result.upper_bound == 8
    assert result.certainty in ("certified", "undecided")
    assert result.certainty == "undecided" or result.rank == 8


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
    point["W"][1] = point["W"][0] + 1e-9
    result = jacobian_rank(spec, point, generic_inputs(spec, 12))
    assert result.rank is None and result.certainty == "undecided"
    assert (result.lower_bound, result.upper_bound) == (0, 9)
    assert len(result.spectrum) == 9 and result.estimate is not None
    assert result.describe().startswith("undecided: rank >= 0 (proven)")


def test_decision_rule_edges():
    assert decide_spectrum([1.0, 1e-3, 1e-20], (3, 3), FLOAT64_EPS).rank == 2
    ambiguous = decide_spectrum([1.0, 1e-10], (2, 2), FLOAT64_EPS)
    assert not ambiguous.clear
    assert decide_spectrum([1.0, 1e-10], (2, 2), 1e-40).clear
