"""Upper bounds by exact kernel vectors: verified exactly, never below the truth."""

import numpy as np
import pytest
import sympy

from rankstrat.numerics.families.mf import mf_point
from rankstrat.numerics.families.twolayer import Neuron, twolayer_point
from rankstrat.numerics.model.points import flat_point, generic_inputs, random_point
from rankstrat.numerics.rank.certify import attach_upper_bound
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


def test_a_wrong_upper_bound_makes_the_rank_undecided():
    spec = parse_spec("twolayer:d=2,k=2")
    point = random_point(spec, 0)
    result = jacobian_rank(spec, point, generic_inputs(spec, 12), certify=False)
    result.lower_bound = None
    # a point where the kernel certificates prove rank <= 3 (duplicate neurons),
    # attached to the result of a generic point, must not be silently accepted
    dup = {"W": np.array([[1.0, 2.0], [1.0, 2.0]]), "a": np.array([1.0, 1.0])}
    attach_upper_bound(result, spec, flat_point(spec, dup))
    assert result.rank is None and result.certainty == "undecided"
