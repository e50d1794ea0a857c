"""Completion ranks are proven from the observed-entry Jacobian itself.

References written here: the Jacobian by sympy differentiation of the symbolic
product, its rank by sympy over the rationals, and its rank modulo a prime.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from rankstrat.numerics.completion.exact_jacobian import exact_observed_jacobian, exact_rank
from rankstrat.numerics.completion.observed_rank import (
    EXACT_METHOD,
    completion_spec,
    determined_entries,
    observed_jacobian_rank,
    target_points,
)
from rankstrat.theory.completion.observation_graph import observation_graph, observed_rank_bound


def sympy_reference_rank(point: dict, entries) -> int:
    """Rank over Q of the Jacobian of the observed entries of A B, by sympy."""
    A0, B0 = np.asarray(point["A"]), np.asarray(point["B"])
    n1, k = A0.shape
    n2 = B0.shape[1]
    A = sympy.Matrix(n1, k, lambda i, j: sympy.Symbol(f"a{i}_{j}"))
    B = sympy.Matrix(k, n2, lambda i, j: sympy.Symbol(f"b{i}_{j}"))
    product = A * B
    variables = list(A) + list(B)
    values = {v: sympy.Rational(float(x)) for v, x in zip(variables, list(A0.reshape(-1)) + list(B0.reshape(-1)))}
    J = sympy.Matrix([[sympy.diff(product[i, j], v).xreplace(values) for v in variables] for i, j in entries])
    return J.rank()


def modular_rank(rows, prime: int = 2**31 - 1) -> int:
    """Rank modulo a prime (a lower bound of the rational rank)."""
    import flint

    scale = 1
    for row in rows:
        for v in row:
            scale = scale * v.denominator // np.gcd(scale, v.denominator)
    flat = [int(v * scale) % prime for row in rows for v in row]
    return int(flint.nmod_mat(len(rows), len(rows[0]), flat, prime).rank())


MASKS = [
    ([[1, 1, 0], [1, 0, 1], [0, 1, 1]], 1),
    ([[1, 1, 1, 0], [1, 1, 0, 1], [0, 1, 1, 1]], 2),
    ([[1, 0, 0, 1], [0, 1, 0, 0], [1, 0, 1, 0], [0, 0, 1, 1]], 1),
    ([[1, 1, 1], [1, 1, 1], [1, 1, 0]], 2),
]


@pytest.mark.parametrize("mask, r", MASKS)
def test_exact_rank_matches_sympy_and_modular_reference(mask, r):
    mask = np.asarray(mask, dtype=bool)
    entries = [tuple(map(int, e)) for e in zip(*np.nonzero(mask))]
    spec = completion_spec(mask.shape, r)
    for _, point in target_points(spec, r, seed=3, tries=2):
        rows = exact_observed_jacobian(point["A"], point["B"], entries)
        ours = exact_rank(rows)
        assert ours == sympy_reference_rank(point, entries)
        assert modular_rank(rows) <= ours


def test_exact_rank_sees_what_float_noise_hides():
    # rows (1, eps) and (1, 0): rank 2 exactly, whatever float64 thinks of eps
    from fractions import Fraction

    tiny = Fraction(1, 2**70)
    assert exact_rank([[Fraction(1), tiny], [Fraction(1), Fraction(0)]]) == 2
    assert exact_rank([[Fraction(1), tiny], [Fraction(2), 2 * tiny]]) == 1


@pytest.mark.parametrize("mask, r", MASKS)
def test_result_bounds_come_from_the_jacobian_not_the_graph(mask, r):
    result = observed_jacobian_rank(mask, r, certify=False)
    engine = result.result
    assert engine.lower_method == EXACT_METHOD and engine.upper_method == EXACT_METHOD
    assert engine.lower_bound == engine.upper_bound == result.rank
    assert result.certainty == "certified"
    assert "graph" not in engine.upper_method
    # the rank is that of some stated point, recomputed here independently
    spec = completion_spec(np.asarray(mask).shape, r)
    entries = [tuple(map(int, e)) for e in zip(*np.nonzero(np.asarray(mask, dtype=bool)))]
    best = max(sympy_reference_rank(p, entries) for _, p in target_points(spec, r, seed=0, tries=4))
    assert result.rank == best


def test_graph_count_can_disagree_without_being_installed():
    # the count is only compared: for M1-blocks at rank 2 it is 4 + 1 = 5
    from rankstrat.numerics.completion.example_matrices import example_matrix

    mask = example_matrix("M1-blocks").mask
    result = observed_jacobian_rank(mask, 2, certify=False)
    assert result.graph_bound == observed_rank_bound(observation_graph(mask), 2)
    assert result.result.upper_method == EXACT_METHOD


def test_determined_entries_are_decided_exactly():
    found = determined_entries([[1, 1, 0], [1, 0, 0], [0, 0, 1]], 1)
    mask = np.array([[1, 1, 0], [1, 0, 0], [0, 0, 1]], dtype=bool)
    assert set(found.certainty[~mask]) == {"certified"}
    # (2,2) closes a cycle in the first component: determined; the others join components: free
    assert found.undetermined() == [(0, 2), (1, 2), (2, 0), (2, 1)]


def test_no_certainty_literal_in_completion_cases():
    import inspect

    import rankstrat.cases.topics.completion as topic

    source = inspect.getsource(topic)
    for label in ("float64-gap", "high-precision", "certified-lower-bound", '"certified"'):
        lines = [line for line in source.splitlines() if label in line and "required_certainty" not in line]
        assert not lines, lines
