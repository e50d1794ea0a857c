"""What small-initialization training completes (small configurations), and the
comparison machinery on hand-made completions."""

import math

import numpy as np
import pytest

from rankstrat.numerics.completion.example_matrices import example_matrix, rank_one_tree_example
from rankstrat.numerics.completion.observed_matrix import parse_partial_matrix
from rankstrat.numerics.completion.training import (
    InitSweep,
    RecoveryRate,
    compare_completion,
    completion_references,
    init_scale_sweep,
    numerical_rank,
    recovery_rates,
    train_completions,
)
from rankstrat.theory.errors import InputError

SEEDS = range(4)

# ----------------------------------------------------------------------------- comparisons without training


def test_comparison_of_hand_made_completions_of_m1():
    M1 = example_matrix("M1")
    refs = completion_references(M1)
    block_diagonal = np.array([[1.0, 2, 0], [3, 6, 0], [0, 0, 5]])  # rank 2, rank-1 inside each component
    c = compare_completion(M1, block_diagonal, refs)
    assert (c.learned_rank, c.lowest_rank, c.verdict) == (2, 1, "neither")
    assert c.components[0]["distance_to_rank_one"] < 1e-12
    rank_one = np.outer([1, 3, 2.5], [1, 2, 2])  # a rank-1 completion (free scale across components)
    assert compare_completion(M1, rank_one, refs).is_lowest_rank
    nuclear = compare_completion(M1, refs.nuclear.matrix, refs)
    assert nuclear.is_least_nuclear and not nuclear.is_lowest_rank


def test_unique_lowest_rank_needs_matching_entries():
    M4 = example_matrix("M4")
    assert compare_completion(M4, np.array([[1.0, 2], [3, 6]])).distance_to_lowest < 1e-12
    wrong = np.array([[1.0, 2], [3, 6.1]])
    assert numerical_rank(wrong) == 2 and not compare_completion(M4, wrong).is_lowest_rank


def test_compare_rejects_a_wrong_shape():
    with pytest.raises(InputError, match="expected \\(2, 2\\)"):
        compare_completion(example_matrix("M4"), np.zeros((3, 3)))


def test_threshold_is_the_edge_of_the_final_reached_run_of_variances():
    sweep = InitSweep(np.array([1e-1, 1e-3, 1e-5, 1e-7]), np.array([[6.0], [1.0], [6.0], [6.0]]),
                      np.ones((4, 1), bool), 6.0, (1, 1))
    assert sweep.threshold(0.01) == 1e-5
    unconverged = InitSweep(np.array([1e-3]), np.array([[np.nan]]), np.zeros((1, 1), bool), 6.0, (1, 1))
    assert unconverged.threshold(0.5) is None
    with pytest.raises(InputError, match="statistic"):
        sweep.reached(0.1, "mean")


def test_recovery_rate_counts_unconverged_runs_as_not_recovered():
    assert RecoveryRate("x", 0, 0, 4, 0).rate == 0.0
    assert math.isnan(RecoveryRate("x", 0, 0, 0, 0).rate)
    rates = recovery_rates({"connected": [example_matrix("rank1-10x10-connected")]}, seeds=SEEDS, max_steps=5)
    assert (rates[0].converged, rates[0].unconverged, rates[0].recovered) == (0, 4, 0)
    assert rates[0].rate == 0.0 and rates[0].counts.startswith("0/4 ")


def test_sweep_and_recovery_input_errors():
    with pytest.raises(InputError, match="is observed"):
        init_scale_sweep(example_matrix("M4"), (0, 0), [1e-4])
    with pytest.raises(InputError, match="no rank-1 completion"):
        init_scale_sweep(example_matrix("M1-blocks"), (0, 2), [1e-4])
    with pytest.raises(InputError, match="full matrix is unknown"):
        recovery_rates({"x": [example_matrix("M4")]})
    with pytest.raises(InputError, match="no matrix"):
        train_completions([])


# ----------------------------------------------------------------------------- training


def test_mixed_shapes_are_trained_and_returned_in_order():
    partials = [example_matrix("M4"), example_matrix("M1"), example_matrix("M5")]
    runs = train_completions(partials, seeds=[0], init_std=1e-3, lr=0.02, max_steps=10)
    assert [run.partial.source for run in runs] == [p.source for p in partials]
    assert [run.products.shape for run in runs] == [(1, 2, 2), (1, 3, 3), (1, 2, 2)]
    assert [run.k for run in runs] == [2, 3, 2]


def test_connected_m1_versions_learn_the_lowest_rank_completion():
    names = ["M1-plus-r3c2", "M1-plus-r1c3"]
    runs = train_completions([example_matrix(n) for n in names], k=3, seeds=SEEDS, init_std=1e-10, lr=0.02)
    for run in runs:
        assert run.converged.all()
        refs = completion_references(run.partial)
        assert refs.unique_lowest
        for product in run.products:
            assert compare_completion(run.partial, product, refs).is_lowest_rank


def test_disconnected_m1_learns_neither_but_the_rank_one_completion_inside_each_component():
    run = train_completions([example_matrix("M1")], k=3, seeds=SEEDS, init_std=1e-10, lr=0.02)[0]
    assert run.converged.all()
    refs = completion_references(run.partial)
    for product in run.products:
        c = compare_completion(run.partial, product, refs)
        assert c.verdict == "neither"
        assert abs(product[1, 1] - 6.0) < 1e-3
        assert c.learned_nuclear > c.least_nuclear + 1.0


def test_complete_bipartite_components_learn_the_least_nuclear_norm():
    run = train_completions([example_matrix("M1-blocks")], k=3, seeds=SEEDS, init_std=1e-10, lr=0.02)[0]
    assert run.converged.all()
    refs = completion_references(run.partial)
    for product in run.products:
        c = compare_completion(run.partial, product, refs)
        assert c.is_least_nuclear and abs(c.learned_nuclear - c.least_nuclear) < 1e-4


def test_m4_needs_a_small_initialization_for_the_rank_one_completion():
    sweep = init_scale_sweep(example_matrix("M4"), (1, 1), [1e-4, 1e-16], seeds=SEEDS, lr=0.05)
    assert sweep.reference == pytest.approx(6.0)
    assert sweep.reached(0.01).tolist() == [False, True]
    # the learned entry moves towards 6 as the variance shrinks
    medians = np.nanmedian(sweep.entries, axis=1)
    assert medians[0] < medians[1] <= 6.0 + 1e-6


def test_ten_by_ten_connected_recovers_and_disconnected_does_not():
    groups = {
        "connected": [rank_one_tree_example(10, True, seed=1)],
        "disconnected": [rank_one_tree_example(10, False, seed=1)],
    }
    connected, disconnected = recovery_rates(groups, k=10, seeds=SEEDS, init_std=1e-60, lr=0.1)
    assert connected.converged == disconnected.converged == 4
    assert connected.rate == 1.0 and disconnected.rate == 0.0


def test_float64_freezes_an_unescaped_direction_below_rounding():
    """Documented limit: from init variance 1e-60 the second direction of a rank-2
    block is below float64 resolution once the first has grown, gradient steps
    round away, and the run stays at the rank-1 saddle (loss sigma_2^2 / 2)."""
    block = parse_partial_matrix("1 2\n3 4")
    sigma = np.linalg.svd(np.array([[1.0, 2], [3, 4]]), compute_uv=False)
    run = train_completions([block], seeds=[0], init_std=1e-30, lr=0.1, max_steps=20_000)[0]
    assert run.unconverged.all()
    assert run.train_loss[0] == pytest.approx(sigma[1] ** 2 / 2, rel=1e-6)
    escaped = train_completions([block], seeds=[0], init_std=1e-10, lr=0.1, max_steps=20_000)[0]
    assert escaped.converged.all()


@pytest.mark.slow
def test_m5_needs_a_much_smaller_initialization_than_m4():
    m4 = init_scale_sweep(example_matrix("M4"), (1, 1), [1e-14], seeds=SEEDS, lr=0.05)
    m5 = init_scale_sweep(example_matrix("M5"), (1, 1), [1e-14, 1e-30], seeds=SEEDS, lr=0.02)
    assert m5.reference == pytest.approx(40.0)
    assert m4.reached(0.01).tolist() == [True]
    assert m5.reached(0.01).tolist() == [False, True]
