"""Upper bounds by exact kernel vectors: verified exactly, never below the truth."""

import numpy as np
import pytest
import sympy

from rankstrat.numerics.families.mf import mf_point
from rankstrat.numerics.families.twolayer import Neuron, twolayer_point
from rankstrat.numerics.model.points import flat_point, generic_inputs, random_point
from rankstrat.numerics.rank.engine import jacobian_rank
from rankstrat.theory.rank.kernel_certificates import (
    certified_upper_bound,
    exact_gradient,
    exact_polynomial_rank,
    kernel_certificates,
    verify_kernel_vector,
)
from rankstrat.theory.spec import parse_spec


def test_every_listed_certificate_verifies_and_a_perturbed_one_fails():
    spec = parse_spec("twolayer:d=2,k=3")
    point = twolayer_point(spec, [Neuron(1), Neuron(1, -1), Neuron(2, output=False)], seed=2)
    theta = flat_point(spec, point)
    certificates = kernel_certificates(spec, theta)
    assert certificates
    gradient = exact_gradient(spec, theta)
    moving = [j for j, g in enumerate(gradient) if g != 0]
    for cert in certificates:
        assert verify_kernel_vector(spec, theta, cert.vector)
        for index in moving:
            broken = list(cert.vector)
            broken[index] = broken[index] + sympy.Rational(1, 3)
            assert not verify_kernel_vector(spec, theta, broken)


def _degenerate_point(spec, seed):
    """Exact duplicates, a sign pair and a zero output weight: points where the
    certificates find kernel vectors, so the bound is below ``M``."""
    point = random_point(spec, seed)
    point["W"][1] = point["W"][0]
    point["W"][2] = -point["W"][0]
    point["a"][3] = 0.0
    if "b" in point:
        point["b"][1] = point["b"][0]
        point["b"][2] = -point["b"][0]
    return point


def _reference_rank(spec, point, X, dps=60):
    """Rank of the Jacobian at ``dps`` digits by sympy's own derivatives (not the engine)."""
    import mpmath

    from rankstrat.theory.model.symbolic import symbolic_model

    model = symbolic_model(spec)
    theta = flat_point(spec, point)
    grad = sympy.lambdify([model.params, model.inputs], model.gradient(), modules="mpmath")
    with mpmath.workdps(dps):
        rows = [grad([mpmath.mpf(float(t)) for t in theta], [mpmath.mpf(float(v)) for v in x]) for x in X]
        values = sorted((abs(s) for s in mpmath.svd_r(mpmath.matrix(rows), compute_uv=False)), reverse=True)
        return sum(1 for s in values if s > mpmath.mpf(10) ** (-dps // 2) * values[0])


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("text", ["twolayer:d=2,k=4", "twolayer:d=2,k=4,bias=1", "twolayer:d=2,k=4,act=sin"])
def test_upper_bound_is_below_M_and_never_below_the_reference_rank(text, seed):
    spec = parse_spec(text)
    point = _degenerate_point(spec, seed)
    theta = flat_point(spec, point)
    bound, _ = certified_upper_bound(spec, theta)
    truth = _reference_rank(spec, point, generic_inputs(spec, 2 * len(theta), seed))
    assert bound < len(theta)
    assert bound >= truth


def test_upper_bound_is_never_below_the_reference_rank_for_a_deep_network():
    spec = parse_spec("mlp:d=2,widths=2-2")
    point = random_point(spec, 1)
    point["W1"][1] = point["W1"][0]
    theta = flat_point(spec, point)
    bound, _ = certified_upper_bound(spec, theta)
    assert bound >= _reference_rank(spec, point, generic_inputs(spec, 2 * len(theta), 1))


STRUCTURED_POINTS = [
    ("twolayer:d=2,k=3", [Neuron(1), Neuron(1, -1), Neuron(2, output=False)]),
    ("twolayer:d=2,k=3,bias=1", [Neuron(1), Neuron(1), Neuron(2)]),
    ("twolayer:d=3,k=4,bias=1", [Neuron(1), Neuron(1, -1), Neuron(0), Neuron(2, output=False)]),
    ("mf:n1=3,k=3,n2=4", (1, 2)),
    ("mf:n1=3,k=2,n2=3", (2, 2)),
]


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("text, structure", STRUCTURED_POINTS)
def test_upper_bound_cuts_below_the_parameter_count_and_never_below_the_measured_rank(text, structure, seed):
    # points below the generic stratum, where the certificates must remove directions:
    # a bound equal to the parameter count would fail the first assertion, a wrong
    # certificate (a non-kernel vector) the second, against the float64 rank
    # measured without any certificate
    spec = parse_spec(text)
    if text.startswith("mf"):
        point = mf_point(spec, *structure, seed=seed)
    else:
        point = twolayer_point(spec, structure, seed=seed)
    bound, certificates = certified_upper_bound(spec, flat_point(spec, point))
    result = jacobian_rank(spec, point, generic_inputs(spec, 40), certify=False)
    assert certificates and bound < len(flat_point(spec, point))
    assert result.rank is not None and result.rank <= bound


@pytest.mark.parametrize("ra, rb", [(0, 2), (1, 1), (2, 3), (3, 3)])
def test_exact_polynomial_rank_matches_the_mf_formula(ra, rb):
    from rankstrat.theory.families import mf

    spec = parse_spec("mf:n1=3,k=3,n2=4")
    point = mf_point(spec, ra, rb, seed=ra + rb)
    assert exact_polynomial_rank(spec, flat_point(spec, point)) == mf.rank_at_point_formula(spec, ra, rb).value


def test_scaling_certificates_alone_bound_mf_generic_rank():
    spec = parse_spec("mf:n1=3,k=2,n2=3")
    theta = flat_point(spec, random_point(spec, 1))
    bound, certs = certified_upper_bound(spec, theta)
    assert {c.kind for c in certs} == {"scaling"}
    assert bound == 12 - 4 + 0 == 8  # M - k^2 = rank 2*(3+3-2)


def test_homogeneity_certificates_for_powers():
    spec = parse_spec("twolayer:d=2,k=2,act=pow3")
    theta = flat_point(spec, random_point(spec, 0))
    kinds = [c.kind for c in kernel_certificates(spec, theta)]
    assert kinds.count("homogeneity") == 2


def test_certified_results_meet_both_bounds():
    spec = parse_spec("twolayer:d=3,k=4,bias=1")
    point = twolayer_point(spec, [Neuron(1), Neuron(1, -1), Neuron(0), Neuron(2, output=False)], seed=3)
    result = jacobian_rank(spec, point, generic_inputs(spec, 40))
    assert result.certainty == "certified"
    assert result.lower_bound == result.rank == result.upper_bound
    assert "proportional columns" in result.upper_method


def test_a_contradictory_interval_leaves_the_rank_undecided():
    """A proven lower bound above a proven upper bound means a certificate is
    wrong: nothing may be labelled."""
    from rankstrat.numerics.rank.engine import RankResult, _label, decide_spectrum

    decision = decide_spectrum([1.0, 0.5, 0.25], (3, 3), 2.0**-52)
    result = RankResult(None, "undecided", 3, 3, 1.0, np.ones(3), lower_bound=3, upper_bound=2)
    _label(result, decision, None, generic=True)
    assert result.rank is None and result.certainty == "undecided"
    assert any("contradict" in w for w in result.warnings)


@pytest.mark.parametrize("act", ["sigmoid", "tanh"])
def test_copies_of_a_neuron_with_bias_are_seen_as_proportional_columns(act):
    # three exact copies of one neuron (output weights split): the columns of W, b and a of the
    # copies are proportional to the first copy's, 2 (d + 2) vectors, so rank <= d + 2
    from rankstrat.theory.rank.kernel_certificates import certified_upper_bound

    spec = parse_spec(f"twolayer:d=2,k=3,act={act},bias=1")
    theta = [-1.75, -1.3125] * 3 + [-1.0625] * 3 + [-0.1168, -0.2166, -0.2290]
    bound, certificates = certified_upper_bound(spec, theta)
    assert bound == 4 and len(certificates) == 8
    assert all(c.kind == "proportional columns" for c in certificates)
