"""Observation graph counts (theory) against the rank engine and networkx (numerics)."""

import networkx as nx
import numpy as np
import pytest

from rankstrat.numerics.completion.observed_rank import determined_entries, observed_jacobian_rank
from rankstrat.theory.completion.observation_graph import (
    ObservationComponent,
    graph_summary,
    is_connected,
    observation_components,
    observation_graph,
    observed_rank_bound,
    rank_one_determined,
    rank_one_observed_rank,
    unobserved_lines,
)
from rankstrat.theory.errors import InputError

M1_MASK = [[1, 1, 0], [1, 0, 0], [0, 0, 1]]


def random_masks(count, seed=0, max_size=6):
    rng = np.random.default_rng(seed)
    masks = []
    while len(masks) < count:
        n1, n2 = rng.integers(1, max_size + 1, size=2)
        mask = rng.random((n1, n2)) < rng.uniform(0.15, 0.8)
        if mask.any():
            masks.append(mask)
    return masks


def test_m1_components_match_the_paper():
    G = observation_graph(M1_MASK)
    components = observation_components(G)
    assert [c.label for c in components] == ["{r1,r2,c1,c2}", "{r3,c3}"]
    assert [c.complete_bipartite for c in components] == [False, True]
    assert not is_connected(G)


def test_isolated_rows_and_columns_are_dropped():
    G = observation_graph([[1, 0, 0], [0, 0, 0]])
    assert sorted(G.nodes) == ["c1", "r1"]
    assert unobserved_lines(G) == ([1], [1, 2])
    assert graph_summary(G)["connected"] is True


def test_graph_matches_networkx_bipartite_construction_on_random_masks():
    for mask in random_masks(30, seed=1):
        G = observation_graph(mask)
        assert G.number_of_edges() == int(mask.sum())
        assert nx.is_bipartite(G)
        components = observation_components(G)
        assert sum(c.num_edges for c in components) == int(mask.sum())
        assert len(components) == nx.number_connected_components(G)
        for c in components:
            block = np.asarray(mask)[np.ix_(c.rows, c.columns)]
            assert c.complete_bipartite == bool(block.all())


def test_rank_one_count_equals_engine_rank_on_many_random_masks():
    """V - C (derived from the unsigned incidence matrix) against the Jacobian rank."""
    for n, mask in enumerate(random_masks(60, seed=2)):
        predicted = rank_one_observed_rank(observation_graph(mask)).value
        measured = observed_jacobian_rank(mask, 1, seed=n, certify=False)
        assert measured.rank == predicted, (mask.astype(int), measured.result.summary())


def test_rank_one_count_equals_plain_numpy_rank_at_gaussian_points():
    """The same count, independent of the engine: numpy rank of d(a_i b_j) at Gaussian a, b."""
    rng = np.random.default_rng(5)
    for mask in random_masks(40, seed=6):
        a, b = rng.standard_normal(mask.shape[0]), rng.standard_normal(mask.shape[1])
        rows = []
        for i, j in zip(*np.nonzero(mask)):
            row = np.zeros(sum(mask.shape))
            row[i], row[mask.shape[0] + j] = b[j], a[i]
            rows.append(row)
        assert np.linalg.matrix_rank(np.array(rows)) == rank_one_observed_rank(observation_graph(mask)).value


def test_rank_one_count_is_certified_by_the_graph_bound():
    result = observed_jacobian_rank(M1_MASK, 1)
    assert result.rank == 4 and result.certainty == "certified"
    assert result.result.upper_bound == 4 and result.result.lower_bound == 4


def test_graph_bound_is_an_upper_bound_at_higher_rank():
    for n, mask in enumerate(random_masks(25, seed=3)):
        for r in (2, 3):
            if r > min(mask.shape):
                continue
            measured = observed_jacobian_rank(mask, r, seed=n, certify=False).rank
            assert measured <= observed_rank_bound(observation_graph(mask), r)


def test_rank_one_determined_entries_match_the_jacobian_test():
    for n, mask in enumerate(random_masks(12, seed=4, max_size=5)):
        by_graph = rank_one_determined(observation_graph(mask))
        observed_lines = mask.any(axis=1)[:, None] & mask.any(axis=0)[None, :]
        by_jacobian = determined_entries(mask, 1, seed=n).determined
        # lines never observed carry no node; the Jacobian agrees that their entries are free
        assert np.array_equal(by_graph & observed_lines, by_jacobian & observed_lines)
        assert not by_jacobian[~observed_lines].any()


def test_component_bound_formula():
    full = ObservationComponent((0, 1, 2), (0, 1, 2, 3), 12)
    assert full.rank_bound(1) == 6 and full.rank_bound(2) == 10 and full.rank_bound(3) == 12
    sparse = ObservationComponent((0, 1), (0, 1, 2), 4)
    assert sparse.rank_bound(2) == 4


def test_bad_masks_raise_input_errors():
    with pytest.raises(InputError, match="2-D"):
        observation_graph([1, 0, 1])
    with pytest.raises(InputError, match="booleans"):
        observation_graph([[2, 0]])
    with pytest.raises(InputError, match="no entry is observed"):
        is_connected(observation_graph([[0, 0]]))
    with pytest.raises(InputError, match="rank must be >= 0"):
        observed_rank_bound(observation_graph([[1]]), -1)
