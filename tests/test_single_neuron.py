"""Single-neuron target: model rank equals the optimistic size; branch dimensions by the
rank of an explicit parametrization; the sample-size thresholds."""

import pytest
import torch

from rankstrat.cases.claim import run_claim
from rankstrat.cases.topics.single_neuron import CLAIMS, measure_thresholds
from rankstrat.numerics.model.points import generic_inputs
from rankstrat.numerics.rank.engine import jacobian_rank
from rankstrat.numerics.rank.single_neuron_branches import (
    branch_map,
    measure_branch_dimension,
    student_spec,
    target_point,
)
from rankstrat.theory.errors import InputError
from rankstrat.theory.model.symbolic import num_params
from rankstrat.theory.rank import single_neuron


@pytest.mark.parametrize("mode", ["split", "zero"])
@pytest.mark.parametrize("m, d, bias", [(2, 1, 1), (3, 3, 0), (6, 2, 1), (4, 4, 0)])
def test_target_rank_is_the_optimistic_size_whatever_the_width(m, d, bias, mode):
    spec = student_spec(m, d, bias)
    result = jacobian_rank(spec, target_point(m, d, bias, mode), generic_inputs(spec, 2 * num_params(spec)))
    assert result.rank == single_neuron.optimistic_size(d, bias).value
    assert result.rank < num_params(spec)


@pytest.mark.parametrize("m, d, bias", [(2, 1, 1), (2, 3, 1), (3, 2, 0), (4, 2, 1), (5, 1, 0)])
def test_branch_dimensions_match_the_closed_form(m, d, bias):
    for r in range(1, m + 1):
        for seed in (0, 3):
            measured = measure_branch_dimension(m, r, d, bias, seed)
            assert measured.decision.clear
            assert measured.dimension == single_neuron.branch_dimension(m, r, d, bias).value
            assert measured.residual < 1e-12


@pytest.mark.parametrize("m, r, d, bias", [(3, 1, 2, 0), (4, 2, 3, 1), (5, 3, 2, 0)])
def test_the_parametrization_is_redundant_so_its_rank_is_not_a_count(m, r, d, bias):
    bm = branch_map(m, r, d, bias)
    assert len(bm.phi) > single_neuron.branch_dimension(m, r, d, bias).value
    assert len(bm.theta(torch.tensor(bm.phi))) == num_params(bm.spec)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_thresholds_with_bias_measured(d):
    measured = measure_thresholds(d, 1)
    assert measured.value == tuple(single_neuron.sample_size_thresholds(2, d, bias=1).values())


def test_the_stated_thresholds_for_d1_and_d3():
    results = {c.id: run_claim(c) for c in CLAIMS if "thresholds" in c.id}
    assert results["single_neuron.thresholds-m2-d1-bias1"].measured == (3, 4, 5, 6)
    assert results["single_neuron.thresholds-m2-d3-bias1"].measured == (5, 6, 9, 10)
    assert all(r.passed for r in results.values())


def test_every_default_claim_of_the_topic_passes():
    failed = [r for r in (run_claim(c) for c in CLAIMS if not c.full_only) if not r.passed]
    assert not failed, [(r.id, r.predicted, r.measured, r.detail, r.error) for r in failed]


def test_bad_branch_and_mode():
    with pytest.raises(InputError, match="branch r=3 must be between 1 and m=2"):
        branch_map(2, 3, 1)
    with pytest.raises(InputError, match="unknown mode 'half'"):
        target_point(2, 1, mode="half")
