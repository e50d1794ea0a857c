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


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("text", ["twolayer:d=2,k=3", "twolayer:d=2,k=3,bias=1", "mlp:d=2,widths=2-2", "cnn1d:d=4,s=2,k=2"])
def test_upper_bound_is_never_below_the_measured_rank(text, seed):
    spec = parse_spec(text)
    point = random_point(spec, seed)
    bound, _ = certified_upper_bound(spec, flat_point(spec, point))
    result = jacobian_rank(spec, point, generic_inputs(spec, 40), certify=False)
    assert bound >= result.rank


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
