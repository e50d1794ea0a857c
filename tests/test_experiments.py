"""Experiments: transitions found at the predicted n on small configurations, and the
pieces they are built from (targets, masks, branches, imbalance ratio, counting rules)."""

import numpy as np
import pytest

from rankstrat.numerics.training.experiments import experiment_names, get_experiment
from rankstrat.numerics.training.experiments.convolution import ARCHITECTURES, predicted_onset
from rankstrat.numerics.training.experiments.definition import (
    RunKey,
    block_onsets,
    block_transition,
    make_record,
    onset,
    recovery_rows,
    wilson_interval,
)
from rankstrat.numerics.training.experiments.imbalance import window_fractions
from rankstrat.numerics.training.experiments.matrix_factorization import held_out_error, nested_mask, target_matrix
from rankstrat.numerics.training.experiments.single_neuron import (
    branch_distances,
    generic_imbalance,
    imbalance_ratio,
    nearest_branch,
    student_spec,
    thresholds,
)
from rankstrat.numerics.training.experiments.sweep import run_in_memory
from rankstrat.theory.errors import InputError


def test_every_experiment_has_a_consistent_fast_grid():
    for name in experiment_names():
        experiment = get_experiment(name)
        settings = experiment.settings(fast=True)
        keys = experiment.run_keys(settings)
        assert len({k.run_id for k in keys}) == len(keys) > 0
        assert sorted(k for batch in experiment.batches(settings, keys) for k in batch) == sorted(keys)
        assert experiment.figure_kind in ("recovery", "phase", "imbalance")


def test_unknown_experiment_and_bad_seeds_are_input_errors():
    with pytest.raises(InputError, match="unknown experiment 'nope'"):
        get_experiment("nope")
    with pytest.raises(InputError, match="--seeds: expected a positive integer"):
        get_experiment("mf4x4").settings(seeds="-2")


def test_matrix_factorization_onsets_at_the_model_rank():
    experiment = get_experiment("mf4x4")
    settings = experiment.settings(fast=True, seeds=30)
    settings["sizes"] = {"rank3-a": [14, 15]}
    transitions = run_in_memory(experiment, settings).transitions
    # one onset per disjoint seed block, each against the model rank
    assert [(t.predicted, t.measured) for t in transitions] == [((15, 15, 15), (15, 15, 15))]
    assert "n=14: 0/10 = 0 [0, 0.28]" in transitions[0].detail


def test_single_neuron_transitions_on_a_small_grid():
    experiment = get_experiment("single-neuron")
    settings = experiment.settings(fast=True)
    settings["dims"] = [1]
    summary = run_in_memory(experiment, settings)
    claimed = [t for t in summary.transitions if t.claimed]
    assert all(t.agrees for t in claimed), [t.as_dict() for t in claimed]
    assert {t.predicted for t in claimed} == {(4, 4, 4), (3, 3, 3), (0, 0, 0)}
    # every run counted in the rates, with its interval
    assert all(row["runs"] == 180 and row["rate_low"] <= row["rate"] <= row["rate_high"] for row in summary.rows)


def test_targets_masks_and_held_out_error():
    for rank in (1, 2, 3, 4):
        Y = target_matrix(rank, 1)
        assert np.linalg.matrix_rank(Y) == rank and np.isclose(np.linalg.norm(Y), 4.0)
    masks = [nested_mask(2, 5, n) for n in range(1, 17)]
    assert all(masks[i][masks[i - 1]].all() for i in range(1, 16))  # nested in n
    assert masks[-1].all()
    Y = np.arange(4.0).reshape(2, 2) + 1
    P = Y.copy()
    P[0, 0] += 100.0  # an error on an observed entry does not count as held out
    assert held_out_error(P, Y, np.array([[True, False], [False, False]])) == 0.0


def test_counting_rules_count_unconverged_and_diverged_runs_as_not_recovered():
    records = [
        make_record(RunKey("g", 5, 0), True, False, 1e-12, 1e-8, 0.0, 1),
        make_record(RunKey("g", 5, 1), True, False, 1e-2, 1e-8, 0.0, 1),
        make_record(RunKey("g", 5, 2), False, False, 1e-12, 1e-8, 1.0, 9),  # unconverged, low error
        make_record(RunKey("g", 5, 3), False, True, float("nan"), 1e-8, float("inf"), 2),
        make_record(RunKey("g", 4, 0), False, False, 1e-12, 1e-8, 1.0, 9),
    ]
    rows = {row["n"]: row for row in recovery_rows(records)}
    assert rows[5]["rate"] == 0.25 and rows[5]["unconverged"] == 1 and rows[5]["diverged"] == 1
    assert rows[4]["rate"] == 0.0 and rows[4]["runs"] == 1
    assert onset(recovery_rows(records), "g") == 5  # the unconverged run at n=4 is no recovery


def test_wilson_interval_against_its_closed_form_and_a_coverage_count():
    # closed form at z = 1.96 written out here, and exact edges
    k, n, z = 7, 20, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert wilson_interval(k, n) == pytest.approx((centre - half, centre + half), rel=1e-12)
    assert wilson_interval(0, 30)[0] == 0.0 and wilson_interval(30, 30)[1] == 1.0
    # coverage: for p = 0.1, n = 40 the exact binomial probability of the interval covering p is near 95 %
    from math import comb
    coverage = sum(comb(40, j) * 0.1**j * 0.9 ** (40 - j) for j in range(41)
                   if wilson_interval(j, 40)[0] <= 0.1 <= wilson_interval(j, 40)[1])
    assert 0.92 < coverage < 0.99


def test_block_onsets_use_disjoint_seed_blocks():
    records = [make_record(RunKey("g", n, s), True, False, 1e-12 if (n, s) in hits else 1.0, 1e-10, 0.0, 1)
               for hits in [{(4, 0), (3, 4), (5, 8)}] for n in (3, 4, 5) for s in range(9)]
    assert block_onsets(records, "g", lambda r: bool(r.recovered), seeds=9) == (4, 3, 5)
    t = block_transition("onset", 4, records, "g", lambda r: bool(r.recovered), seeds=9)
    assert t.predicted == (4, 4, 4) and not t.agrees


def test_branch_distances_and_nearest_branch():
    spec = student_spec(1)
    on_q1 = np.array([1.0, 1.0, 1.0, 1.0, 0.25, 0.75])
    on_q2 = np.array([1.0, 0.2, 1.0, -0.7, 1.0, 0.0])
    assert branch_distances(spec, on_q1)["Q1"] == 0 and nearest_branch(spec, on_q1) == "Q1"
    assert branch_distances(spec, on_q2)["Q2"] == 0 and nearest_branch(spec, on_q2) == "Q2"
    flipped = np.array([1.0, -1.0, 1.0, -1.0, 0.5, -0.5])  # (w, b) ~ -(w, b) under the odd tanh
    assert nearest_branch(spec, flipped) == "Q1"
    assert nearest_branch(spec, np.full(6, np.nan)) == "none"


def test_imbalance_ratio_against_its_definition():
    spec = student_spec(2)
    rng = np.random.default_rng(4)
    X = rng.standard_normal((6, 2))
    y = np.tanh(X.sum(1) / np.sqrt(2) + 1)
    theta = rng.standard_normal(8)  # W (2x2), b (2), a (2)
    W, b, a = theta[:4].reshape(2, 2), theta[4:6], theta[6:]
    gamma = (y[:, None] * np.column_stack([X, np.ones(6)])).sum(0)
    C = a * np.linalg.norm(gamma) + np.column_stack([W, b]) @ gamma
    assert imbalance_ratio(spec, theta, X, y) == pytest.approx(C[0] / C[1])


def test_generic_imbalance_and_window_fractions():
    rec = lambda c, branch="Q2": make_record(RunKey("g", 6, 0), True, False, 0.0, 1e-8, 0.0, 1,
                                             {"c": c, "branch": branch})
    assert generic_imbalance(rec(0.5)) and not generic_imbalance(rec(1.005)) and not generic_imbalance(rec(500.0))
    q1_inside, inside_q1 = window_fractions([rec(1.0, "Q1"), rec(0.8, "Q2"), rec(3.0, "Q1")])
    assert q1_inside == 0.5 and inside_q1 == 0.5


def test_predicted_sizes_come_from_theory():
    assert [predicted_onset(arch, 2).value for arch in ARCHITECTURES] == [7, 15, 21]
    assert thresholds(1) == {"optimistic": 3, "Q2": 4, "Q1": 5, "parameters": 6}
    assert thresholds(3) == {"optimistic": 5, "Q2": 6, "Q1": 9, "parameters": 10}


def test_runs_do_not_depend_on_their_batch():
    experiment = get_experiment("single-neuron")
    settings = experiment.settings(fast=True)
    keys = [RunKey("d=1", 4, s) for s in range(3)]
    together = experiment.run_batch(settings, keys)
    alone = experiment.run_batch(settings, keys[1:2])
    assert together[1].steps == alone[0].steps
    assert together[1].test_error == pytest.approx(alone[0].test_error, rel=1e-6, abs=1e-20)
    assert together[1].extra["branch"] == alone[0].extra["branch"]
    assert together[1].extra["c"] == alone[0].extra["c"]


@pytest.mark.slow
def test_convolution_one_channel_onsets_at_7_15_21():
    experiment = get_experiment("cnn")
    settings = experiment.settings(fast=False, seeds=6)
    settings["sizes"] = {"conv-k1": [6, 7], "local-k1": [14, 15], "dense-k1": [20, 21]}
    transitions = run_in_memory(experiment, settings).transitions
    assert [(t.predicted, t.measured) for t in transitions] == [(7, 7), (15, 15), (21, 21)]


def test_mf4x4_trains_its_full_grid_in_one_batch():
    # a batch costs about as much as its slowest run: splitting the grid repeats the step loop
    experiment = get_experiment("mf4x4")
    settings = experiment.settings(fast=False)
    keys = experiment.run_keys(settings)
    assert len(keys) > 3200 and len(experiment.batches(settings, keys)) == 1
