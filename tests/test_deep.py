"""Local linear recovery of deep networks: embeddings keep the function and the
model rank, and the rank never exceeds M_narrow (attained for two-layer tanh and
width-1 chains)."""

import numpy as np
import pytest
import torch

from rankstrat.cases.claim import run_claim
from rankstrat.cases.topics.deep import CLAIMS, measure_embedding
from rankstrat.numerics.model.embedding import embed_point, hidden_widths
from rankstrat.numerics.model.points import flat_point, generic_inputs, random_point
from rankstrat.numerics.model.realize import realize
from rankstrat.numerics.rank.engine import jacobian_rank
from rankstrat.theory.errors import InputError
from rankstrat.theory.families import mlp
from rankstrat.theory.model.symbolic import num_params
from rankstrat.theory.spec import parse_spec

PAIRS = [
    ("mlp:d=3,widths=2", "mlp:d=3,widths=5"),
    ("mlp:d=2,widths=2-1,bias=1", "mlp:d=2,widths=4-3,bias=1"),
    ("mlp:d=3,widths=1-1-1", "mlp:d=3,widths=2-3-2"),
    ("twolayer:d=3,k=2,bias=1", "twolayer:d=3,k=4,bias=1"),
]


def _outputs(spec, point, X):
    return realize(spec)(torch.tensor(flat_point(spec, point)), torch.tensor(X))


@pytest.mark.parametrize("mode", ["zero", "split"])
@pytest.mark.parametrize("narrow, wide", PAIRS)
def test_embedding_computes_the_same_function(narrow, wide, mode):
    narrow, wide = parse_spec(narrow), parse_spec(wide)
    point = random_point(narrow, 4)
    X = generic_inputs(narrow, 20, 4)
    embedded = embed_point(narrow, point, wide, mode=mode, seed=4)
    torch.testing.assert_close(_outputs(narrow, point, X), _outputs(wide, embedded, X))


@pytest.mark.parametrize("mode", ["zero", "split"])
@pytest.mark.parametrize("narrow, wide", PAIRS)
def test_embedding_keeps_the_rank_and_respects_the_bound(narrow, wide, mode):
    narrow, wide = parse_spec(narrow), parse_spec(wide)
    point = random_point(narrow, 2)
    embedded = embed_point(narrow, point, wide, mode=mode, seed=2)
    r_narrow = jacobian_rank(narrow, point, generic_inputs(narrow, 2 * num_params(narrow)), certify=False)
    r_wide = jacobian_rank(wide, embedded, generic_inputs(wide, 2 * num_params(wide)), certify=False)
    assert r_wide.rank == r_narrow.rank
    assert r_narrow.rank <= num_params(narrow) < num_params(wide)


@pytest.mark.parametrize("d, hidden, bias", [(2, 2, 0), (3, 3, 0), (4, 1, 0), (4, 2, 1), (3, 2, 1)])
def test_width_one_chains_attain_the_bound(d, hidden, bias):
    narrow = parse_spec(f"mlp:d={d},widths={'-'.join(['1'] * hidden)},bias={bias}")
    measurement = measure_embedding(str(narrow), str(narrow.replace(widths="-".join(["3"] * hidden))), "split")
    L = hidden + 1
    assert mlp.narrow_bound(narrow).value == d + L - 1 + bias * (L - 1)
    assert measurement.conditions and measurement.value == mlp.narrow_bound(narrow).value


@pytest.mark.parametrize("d, width, bias", [(2, 3, 0), (3, 2, 1), (4, 2, 0)])
def test_two_layer_tanh_attains_m_narrow(d, width, bias):
    narrow = f"mlp:d={d},widths={width},bias={bias}"
    measurement = measure_embedding(narrow, f"mlp:d={d},widths={width + 3},bias={bias}", "zero")
    assert measurement.value == width * (d + 1 + bias) == mlp.narrow_bound(parse_spec(narrow)).value
    assert measurement.conditions


def test_a_duplicated_neuron_gives_a_strict_inequality():
    claim = next(c for c in CLAIMS if c.id == "deep.bound-below-generic")
    measurement = claim.measure()
    assert measurement.conditions
    assert measurement.value < mlp.narrow_bound(parse_spec("mlp:d=3,widths=2-2")).value
    assert measurement.value == claim.predicted() and run_claim(claim).passed


def test_split_fractions_are_positive_and_sum_to_the_original_weight():
    narrow, wide = parse_spec("mlp:d=2,widths=2"), parse_spec("mlp:d=2,widths=5")
    point = random_point(narrow, 1)
    embedded = embed_point(narrow, point, wide, mode="split", seed=1)
    for source in range(2):
        copies = [i for i in range(5) if np.allclose(embedded["W1"][i], point["W1"][source])]
        ratios = embedded["a"][copies] / point["a"][source]
        assert np.all(ratios > 0) and np.isclose(ratios.sum(), 1.0)


@pytest.mark.parametrize(
    "narrow, wide, mode, message",
    [
        ("mlp:d=3,widths=4", "mlp:d=3,widths=2", "zero", "at least as wide"),
        ("mlp:d=3,widths=2", "mlp:d=2,widths=4", "zero", "d differs"),
        ("mlp:d=3,widths=2", "mlp:d=3,widths=4-4", "zero", "depth"),
        ("mlp:d=3,widths=2", "twolayer:d=3,k=4", "zero", "families differ"),
        ("mlp:d=3,widths=2", "mlp:d=3,widths=4", "copy", "unknown mode 'copy'"),
    ],
)
def test_bad_embeddings_say_what_is_wrong(narrow, wide, mode, message):
    narrow, wide = parse_spec(narrow), parse_spec(wide)
    with pytest.raises(InputError, match=message):
        embed_point(narrow, random_point(narrow), wide, mode=mode)


def test_hidden_widths_rejects_other_families():
    with pytest.raises(InputError, match="mlp or twolayer"):
        hidden_widths(parse_spec("mf:n1=2,k=1,n2=2"))


def test_catalogue_ids_are_topic_prefixed_and_large_sizes_are_full_only():
    assert all(c.id.startswith("deep.") for c in CLAIMS)
    assert all(c.full_only == c.id.startswith("deep.large-") for c in CLAIMS)
