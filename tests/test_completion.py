"""Reading partially observed matrices, observed-entry rank, and reference completions."""

import numpy as np
import pytest

from rankstrat.numerics.completion.example_matrices import EXAMPLES, example_matrix, rank_one_tree_example
from rankstrat.numerics.completion.observed_matrix import (
    PartialMatrix,
    parse_partial_matrix,
    partial_matrix_from_array,
    read_partial_matrix,
)
from rankstrat.numerics.completion.observed_rank import determined_entries, observed_jacobian_rank
from rankstrat.numerics.completion.reference_completions import (
    alternating_least_squares,
    completions_per_component,
    fully_observed_rank_bound,
    lowest_rank_completion,
    nuclear_norm,
    nuclear_norm_completion,
    rank_one_completion,
)
from rankstrat.theory.completion.observation_graph import observation_components
from rankstrat.theory.errors import InputError

# ----------------------------------------------------------------------------- reading


def test_whitespace_commas_question_marks_and_stars_read_the_same():
    a = parse_partial_matrix("1 2 ?\n3 ? ?\n? ? 5")
    b = parse_partial_matrix("1, 2, *\n3,*,*\n\n# comment\n*, *, 5  # trailing comment")
    c = partial_matrix_from_array([[1, 2, np.nan], [3, np.nan, np.nan], [np.nan, np.nan, 5]])
    for other in (b, c):
        assert np.array_equal(a.mask, other.mask)
        assert np.array_equal(a.values[a.mask], other.values[other.mask])


@pytest.mark.parametrize(
    "text, message",
    [
        ("1 2\n3 abc", "line 2, column 2: 'abc' is not a number"),
        ("1, 2\n3,, 4", "line 2, column 2: empty entry"),
        ("# header\n1 2 3\n4 5", "line 3 has 2 entries but line 2 has 3"),
        ("1 inf", "line 1, column 2: 'inf' is not a finite number"),
        ("? ?\n* *", "no entry is observed"),
        ("\n# only comments\n", "no matrix found"),
        ("hello world", "line 1, column 1: 'hello' is not a number"),
    ],
)
def test_parser_errors_name_line_and_column(text, message):
    with pytest.raises(InputError, match=message):
        parse_partial_matrix(text, source="m.txt")


def test_files_text_npy_binary_and_missing(tmp_path):
    text = tmp_path / "m.txt"
    text.write_text("1 2\n3 ?\n")
    assert read_partial_matrix(text).num_observed == 3
    npy = tmp_path / "m.npy"
    np.save(npy, np.array([[1.0, np.nan], [np.nan, 2.0]]))
    assert read_partial_matrix(npy).num_observed == 2
    binary = tmp_path / "m.bin"
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(InputError, match="not a text file"):
        read_partial_matrix(binary)
    with pytest.raises(InputError, match="does not exist"):
        read_partial_matrix(tmp_path / "none.txt")
    vector = tmp_path / "v.npy"
    np.save(vector, np.ones(3))
    with pytest.raises(InputError, match="2-D array"):
        read_partial_matrix(vector)


def test_text_round_trip():
    M = example_matrix("M1-plus-r1c3")
    again = parse_partial_matrix(M.to_text())
    assert np.array_equal(again.mask, M.mask)
    assert np.allclose(again.values[M.mask], M.values[M.mask])


def test_every_example_loads_and_unknown_names_fail():
    for name in EXAMPLES:
        assert example_matrix(name).num_observed > 0
    with pytest.raises(InputError, match="unknown example 'M2'"):
        example_matrix("M2")


def test_ten_by_ten_examples_have_19_observations_and_the_stated_connectivity():
    connected, split = example_matrix("rank1-10x10-connected"), example_matrix("rank1-10x10-disconnected")
    assert connected.num_observed == split.num_observed == 19
    assert len(observation_components(connected.graph())) == 1
    assert len(observation_components(split.graph())) == 2
    for M in (connected, split):  # every row and column observed
        assert M.mask.any(axis=0).all() and M.mask.any(axis=1).all()


# ----------------------------------------------------------------------------- rank and determined entries


def test_observed_rank_against_r_n1_plus_n2_minus_r():
    for name, r, rank, unique in [("M1", 1, 4, False), ("M1-plus-r3c2", 1, 5, True), ("M4", 1, 3, True),
                                  ("M1-blocks", 2, 5, False), ("rank1-10x10-connected", 1, 19, True),
                                  ("rank1-10x10-disconnected", 1, 18, False)]:
        result = observed_jacobian_rank(example_matrix(name).mask, r)
        assert (result.rank, result.locally_unique) == (rank, unique), name
        assert result.certainty == "certified"


def test_locally_unique_iff_every_entry_is_determined():
    rng = np.random.default_rng(7)
    for n in range(15):
        mask = rng.random((3, 4)) < 0.7
        if not mask.any():
            continue
        for r in (1, 2):
            unique = observed_jacobian_rank(mask, r, seed=n, certify=False).locally_unique
            assert unique == bool(determined_entries(mask, r, seed=n).determined.all())


def test_rank_above_the_smallest_side_is_rejected():
    with pytest.raises(InputError, match="--rank 3: expected an integer from 0 to min"):
        observed_jacobian_rank(np.ones((2, 3), bool), 3)


# ----------------------------------------------------------------------------- completions


def test_rank_one_closed_form_reproduces_a_rank_one_target_on_a_spanning_tree():
    for seed in range(5):
        M = rank_one_tree_example(8, connected=True, seed=seed)
        completion = rank_one_completion(M)
        assert completion.consistent
        target = M.values[M.mask]
        assert np.allclose(completion.matrix[M.mask], target)
        assert np.linalg.matrix_rank(completion.matrix) == 1


def test_rank_one_closed_form_detects_inconsistent_data():
    completion = rank_one_completion(example_matrix("M1-blocks"))
    assert not completion.consistent and completion.max_violation > 0.1


def test_lowest_rank_bound_and_alternating_least_squares():
    M = parse_partial_matrix("1 2 ?\n3 4 ?\n? ? 5\n1 ? 1")
    bound, rows, cols = fully_observed_rank_bound(M)
    assert bound == 2 and rows == (0, 1) and cols == (0, 1)
    found = lowest_rank_completion(M)
    assert found.rank == 2 and found.proven
    assert np.allclose(found.matrix[M.mask], M.values[M.mask], atol=1e-8)
    _, residual = alternating_least_squares(M, 1)
    assert residual > 0.1  # no rank-1 completion exists


def test_all_zero_observations_have_rank_zero():
    assert lowest_rank_completion(parse_partial_matrix("0 ?\n? 0")).rank == 0


def test_nuclear_norm_completion_satisfies_constraints_and_beats_perturbed_feasible_points():
    rng = np.random.default_rng(0)
    for name in ("M1", "M4", "M5", "M1-plus-r3c2", "rank1-10x10-disconnected"):
        M = example_matrix(name)
        best = nuclear_norm_completion(M)
        assert best.max_violation < 1e-7
        assert np.array_equal(best.matrix[M.mask], M.values[M.mask])
        for _ in range(20):
            perturbed = best.matrix + np.where(M.mask, 0.0, 0.05 * rng.standard_normal(M.shape))
            assert nuclear_norm(perturbed) >= best.nuclear_norm - 1e-7
        # the rank-1 completion is feasible too, hence never better
        one = rank_one_completion(M)
        assert nuclear_norm(one.matrix) >= best.nuclear_norm - 1e-7


def test_m4_and_m1_nuclear_norm_values_in_closed_form():
    # ||[[1,2],[3,x]]||_* = sqrt(14 + x^2 + 2|x - 6|), least at x = 1 with value 5
    c = nuclear_norm_completion(example_matrix("M4"))
    assert abs(c.matrix[1, 1] - 1.0) < 1e-4 and abs(c.nuclear_norm - 5.0) < 1e-7
    # disconnected: the least norm is the sum over components (pinching inequality)
    whole = nuclear_norm_completion(example_matrix("M1")).nuclear_norm
    parts = sum(block.nuclear.nuclear_norm for block in completions_per_component(example_matrix("M1")))
    assert abs(whole - parts) < 1e-6 and abs(whole - 10.0) < 1e-6


def test_per_component_nuclear_norms_add_up_on_random_disconnected_matrices():
    rng = np.random.default_rng(3)
    for _ in range(4):
        values = rng.standard_normal((4, 4))
        mask = np.zeros((4, 4), bool)
        mask[:2, :2] = rng.random((2, 2)) < 0.8
        mask[2:, 2:] = rng.random((2, 2)) < 0.8
        if not mask.any():
            continue
        M = PartialMatrix(np.where(mask, values, np.nan))
        whole = nuclear_norm_completion(M).nuclear_norm
        parts = sum(block.nuclear.nuclear_norm for block in completions_per_component(M))
        assert abs(whole - parts) < 1e-6
