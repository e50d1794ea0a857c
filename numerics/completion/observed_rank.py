"""The observed-entry Jacobian of a partially observed matrix: its rank, with
certainty, and the entries the observations determine.

The observed-entry Jacobian is the Jacobian of the observed entries of
``A B`` (``n1 x k`` times ``k x n2``) with respect to all entries of ``A`` and
``B``; in the ``mf`` family the entry ``(i, j)`` is the one-hot input
``(e_i, e_j)``, so the rank engine (:func:`rankstrat.numerics.rank.engine.jacobian_rank`)
measures it directly. Its rank at a generic rank-``r`` point is the number of
degrees of freedom the observations pin down; the completion is locally unique
(finitely many rank-``r`` completions) only when it equals ``r (n1 + n2 - r)``.

Every rank here is proven from the Jacobian itself: the points hold exact
binary fractions, and the rank at a point is the exact rank over the rationals
(:mod:`rankstrat.numerics.completion.exact_jacobian`). The observation-graph
count is what the claims compare against; it never serves as a bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from rankstrat.numerics.completion.exact_jacobian import exact_observed_jacobian, exact_rank
from rankstrat.numerics.families.mf import mf_target_point
from rankstrat.numerics.rank.engine import RankResult, jacobian_rank
from rankstrat.theory.completion.observation_graph import observation_graph, observed_rank_bound, rank_one_observed_rank
from rankstrat.theory.errors import InputError
from rankstrat.theory.families import mf
from rankstrat.theory.spec import Spec, parse_spec

POINT_TRIES = 4
"""Most stratum points tried for a generic rank (the largest rank found is kept)."""


def entry_inputs(entries, shape: tuple) -> np.ndarray:
    """One-hot ``mf`` inputs ``(e_i, e_j)`` of the given entries.

    Parameters
    ----------
    entries : sequence of (i, j)
        0-based indices.
    shape : (n1, n2)

    Returns
    -------
    ndarray (len(entries), n1 + n2)

    Examples
    --------
    >>> entry_inputs([(1, 0)], (2, 3)).tolist()
    [[0.0, 1.0, 1.0, 0.0, 0.0]]
    """
    n1, n2 = shape
    X = np.zeros((len(entries), n1 + n2))
    for row, (i, j) in enumerate(entries):
        X[row, i] = 1.0
        X[row, n1 + j] = 1.0
    return X


def _mask_entries(mask) -> list:
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(np.asarray(mask, dtype=bool)))]


def _observed_problem(mask, target_rank: int, k: Optional[int], consequence: str) -> tuple[np.ndarray, list, Spec]:
    """The mask as bool, its observed entries and the ``mf`` spec; InputError when nothing is observed."""
    mask = np.asarray(mask, dtype=bool)
    entries = _mask_entries(mask)
    if not entries:
        raise InputError(f"no entry is observed; {consequence}")
    return mask, entries, completion_spec(mask.shape, target_rank, k)


def completion_spec(shape: tuple, target_rank: int, k: Optional[int] = None) -> Spec:
    """The ``mf`` spec of an ``n1 x n2`` product with inner dimension ``k`` (default ``r``).

    Raises
    ------
    InputError
        When ``r`` exceeds ``min(n1, n2, k)`` or is negative.

    Examples
    --------
    >>> completion_spec((3, 4), 2)
    Spec('mf:n1=3,k=2,n2=4,depth=2')
    """
    n1, n2 = shape
    k = max(target_rank, 1) if k is None else k
    if not 0 <= target_rank <= min(n1, n2, k):
        raise InputError(f"--rank {target_rank}: expected an integer from 0 to min(n1, n2, k) = "
                         f"min({n1}, {n2}, {k}) = {min(n1, n2, k)} for this {n1} x {n2} matrix "
                         "(k: the inner dimension, --k, default r)")
    return parse_spec(f"mf:n1={n1},k={k},n2={n2}")


@dataclass
class ObservedRank:
    """Rank of the observed-entry Jacobian at a generic rank-``r`` point.

    Attributes
    ----------
    result : RankResult
        At the point of largest rank: the float spectrum from the rank engine,
        and the rank with both bounds from the exact rational rank
        (:data:`EXACT_METHOD`).
    target_rank : int
    spec : Spec
    num_observed : int
    manifold_dim : ClosedForm
        ``r (n1 + n2 - r)``, the dimension of the rank-``r`` matrices.
    graph_bound : int
        :func:`rankstrat.theory.completion.observation_graph.observed_rank_bound`,
        the count the claims test (shown beside the rank, never used as a bound).
    rank_one_count : ClosedForm or None
        ``V - C`` for ``r = 1``.

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> res = observed_jacobian_rank(example_matrix("M1").mask, 1)
    >>> res.rank, res.certainty, res.rank_one_count.value, res.manifold_dim.value, res.locally_unique
    (4, 'certified', 4, 5, False)
    """

    result: RankResult
    target_rank: int
    spec: Spec
    num_observed: int
    manifold_dim: object
    graph_bound: int
    rank_one_count: object = None

    @property
    def rank(self) -> Optional[int]:
        """The measured rank (None when undecided).

        Examples
        --------
        >>> observed_jacobian_rank([[1, 1], [1, 0]], 1).rank
        3
        """
        return self.result.rank

    @property
    def certainty(self) -> str:
        """Certainty of the rank (see :class:`rankstrat.numerics.rank.engine.RankResult`).

        Examples
        --------
        >>> observed_jacobian_rank([[1, 1], [1, 0]], 1).certainty
        'certified'
        """
        return self.result.certainty

    @property
    def locally_unique(self) -> Optional[bool]:
        """True when the rank equals ``r (n1 + n2 - r)``: finitely many rank-``r`` completions.

        Examples
        --------
        >>> observed_jacobian_rank([[1, 0], [0, 1]], 1).locally_unique
        False
        """
        return None if self.rank is None else self.rank == self.manifold_dim.value

    def as_dict(self) -> dict:
        """Plain types for JSON.

        Examples
        --------
        >>> observed_jacobian_rank([[1, 1], [1, 0]], 1).as_dict()["jacobian_rank"]
        3
        """
        return {
            "target_rank": self.target_rank,
            "spec": str(self.spec),
            "jacobian_rank": self.rank,
            "certainty": self.certainty,
            "num_observed": self.num_observed,
            "manifold_dim": self.manifold_dim.value,
            "manifold_dim_formula": self.manifold_dim.formula,
            "locally_unique": self.locally_unique,
            "graph_bound": self.graph_bound,
            "rank_one_count": None if self.rank_one_count is None else self.rank_one_count.value,
            "engine": self.result.as_dict(),
        }


def target_points(spec: Spec, target_rank: int, seed: int = 0, tries: int = POINT_TRIES) -> list:
    """Points on the rank-``r`` stratum from :func:`rankstrat.numerics.families.mf.mf_target_point`.

    Seeds ``seed, seed + 1, ...``. A single point can be special (its factors
    hold small dyadic numbers, so a zero entry or a vanishing minor happens);
    a Jacobian rank at any point is a lower bound of the generic one, and the
    generic rank is the largest over points, so callers take the maximum.

    Parameters
    ----------
    spec : Spec
    target_rank : int
    seed : int
    tries : int

    Returns
    -------
    list of (seed, point)

    Examples
    --------
    >>> [s for s, _ in target_points(completion_spec((2, 3), 1), 1, seed=5, tries=2)]
    [5, 6]
    """
    return [(seed + n, mf_target_point(spec, target_rank, seed=seed + n)) for n in range(tries)]


EXACT_METHOD = "exact rank over the rationals of the observed-entry Jacobian at the point (python-flint fmpz_mat)"
"""How the completion ranks are proven."""


def exact_rank_at(point: dict, entries) -> int:
    """Exact rank of the observed-entry Jacobian at ``point`` (see :data:`EXACT_METHOD`).

    Examples
    --------
    >>> spec = completion_spec((2, 2), 1)
    >>> exact_rank_at(mf_target_point(spec, 1), [(0, 0), (0, 1), (1, 0)])
    3
    """
    return exact_rank(exact_observed_jacobian(point["A"], point["B"], entries))


def observed_jacobian_rank(
    mask,
    target_rank: int = 1,
    k: Optional[int] = None,
    seed: int = 0,
    certify: bool = True,
    tries: int = POINT_TRIES,
) -> ObservedRank:
    """Rank of the Jacobian of the observed entries of ``A B`` at a generic rank-``r`` point.

    The points are :func:`target_points` (exact binary fractions). At each the
    rank is computed exactly over the rationals (:func:`exact_rank_at`); the
    point of largest rank is kept (the rank at a point never exceeds the
    generic rank), and the search stops early when the rank reaches the size
    of the Jacobian. The reported rank is ``certified`` at that point: its lower
    and upper bounds are the exact rank. The rank engine
    (:func:`rankstrat.numerics.rank.engine.jacobian_rank`) runs at the same point for the
    float spectrum and gap; a float rank that differs is reported as a warning.

    Parameters
    ----------
    mask : array_like of bool (n1, n2)
    target_rank : int
        ``r``, at most ``min(n1, n2, k)``.
    k : int, optional
        Inner dimension; default ``r``.
    seed : int
        Seed of the first point.
    certify : bool
        Also ask the engine for its own ball-arithmetic lower bound (slower; the
        exact rank is computed either way).
    tries : int
        Most points tried.

    Returns
    -------
    ObservedRank

    Raises
    ------
    InputError
        For an impossible rank or an empty mask.

    Examples
    --------
    >>> res = observed_jacobian_rank([[1, 1, 1], [1, 1, 1], [1, 1, 0]], 2)
    >>> res.rank, res.certainty, res.manifold_dim.value, res.locally_unique
    (8, 'certified', 8, True)
    """
    mask, entries, spec = _observed_problem(mask, target_rank, k, "the observed-entry Jacobian is empty")
    graph = observation_graph(mask)
    size = min(len(entries), spec["k"] * (spec["n1"] + spec["n2"]))
    best_rank, best_seed, best_point, count = -1, None, None, 0
    for count, (used, point) in enumerate(target_points(spec, target_rank, seed, tries), start=1):
        rank = exact_rank_at(point, entries)
        if rank > best_rank:
            best_rank, best_seed, best_point = rank, used, point
        if best_rank >= size:
            break
    result = jacobian_rank(spec, best_point, entry_inputs(entries, mask.shape), certify=certify)
    result.methods.append(f"point mf_target_point(seed={best_seed})")
    if count > 1:
        result.methods.append(f"largest exact rank over {count} points")
    _install_exact_rank(result, best_rank)
    return ObservedRank(
        result,
        target_rank,
        spec,
        len(entries),
        mf.target_rank_formula(spec, target_rank),
        observed_rank_bound(graph, target_rank),
        rank_one_observed_rank(graph) if target_rank == 1 else None,
    )


def _install_exact_rank(result: RankResult, rank: int) -> None:
    """Both bounds of ``result`` become the exact rank; a different float rank is a warning."""
    if result.rank is not None and result.rank != rank:
        result.warnings.append(f"float rank {result.rank} differs from the exact rank {rank} at the point")
    result.rank = rank
    result.lower_bound, result.lower_method = rank, EXACT_METHOD
    result.upper_bound, result.upper_method = rank, EXACT_METHOD
    result.certainty = "certified"
    result.methods.append(EXACT_METHOD)


@dataclass
class DeterminedEntries:
    """Which entries the observations determine (locally) at a generic rank-``r`` point.

    Attributes
    ----------
    determined : ndarray of bool (n1, n2)
        True for observed entries and for unobserved entries whose gradient
        row lies in the span of the observed rows.
    certainty : ndarray of str (n1, n2)
        How each unobserved decision was made (``observed`` for observed ones).
    target_rank : int
    base_rank : int
        Rank of the observed rows.

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> d = determined_entries(example_matrix("M1").mask, 1)
    >>> d.determined.astype(int).tolist(), d.undetermined()
    ([[1, 1, 0], [1, 1, 0], [0, 0, 1]], [(0, 2), (1, 2), (2, 0), (2, 1)])
    """

    determined: np.ndarray
    certainty: np.ndarray
    target_rank: int
    base_rank: int

    def undetermined(self) -> list:
        """Unobserved entries not determined, as 0-based ``(i, j)``.

        Examples
        --------
        >>> determined_entries([[1, 1], [1, 0]], 1).undetermined()
        []
        """
        return _mask_entries(~self.determined)


def determined_entries(
    mask, target_rank: int = 1, k: Optional[int] = None, seed: int = 0, tries: int = POINT_TRIES
) -> DeterminedEntries:
    """Entries determined by the observed ones, locally at a generic rank-``r`` point.

    An unobserved entry is locally determined iff adding its gradient row to
    the observed-entry Jacobian does not raise the rank. Every rank is the
    exact rank over the rationals at the point (:data:`EXACT_METHOD`), so each
    verdict is ``certified`` at the points used.

    Generic verdicts from several points of :func:`target_points`: a special
    point can only lower ranks, so only points with the largest observed rank
    count; at such a point a rise proves the entry free, while "no rise" is
    confirmed at every further such point. When the observed rows already have
    the rank of all entries, every entry is determined at that point.

    Parameters
    ----------
    mask : array_like of bool (n1, n2)
    target_rank : int
    k : int, optional
        Inner dimension; default ``r``.
    seed : int
    tries : int
        Points used.

    Returns
    -------
    DeterminedEntries

    Raises
    ------
    InputError
        For an impossible rank or an empty mask.

    Examples
    --------
    >>> bool(determined_entries([[1, 1, 1], [1, 1, 1], [1, 1, 0]], 2).determined.all())
    True
    >>> determined_entries([[1, 1, 1], [1, 1, 0], [1, 0, 0]], 2).undetermined()  # 6 < 8 observations
    [(1, 2), (2, 1), (2, 2)]
    """
    mask, observed, spec = _observed_problem(mask, target_rank, k, "nothing can be determined")
    everything = [(i, j) for i in range(mask.shape[0]) for j in range(mask.shape[1])]
    unobserved = [entry for entry in everything if not mask[entry]]
    base, candidates, verdict = -1, [], {}
    for _, point in target_points(spec, target_rank, seed, tries):
        rows = dict(zip(everything, exact_observed_jacobian(point["A"], point["B"], everything)))

        def rank_of(entries, rows=rows) -> int:
            return exact_rank([rows[e] for e in entries])

        rank = rank_of(observed)
        if rank < base:
            continue  # a special point: its verdicts say nothing about the generic ones
        if rank > base:
            base, candidates, verdict = rank, list(unobserved), {}
        full_rank = rank_of(everything)
        for entry in list(candidates):
            augmented = rank if rank == full_rank else rank_of(observed + [entry])
            verdict[entry] = augmented == rank
            if augmented > rank:  # at a point of the largest rank, a rise is a generic rise
                candidates.remove(entry)
    determined = mask.copy()
    certainty = np.where(mask, "observed", "").astype(object)
    for entry, fixed in verdict.items():
        determined[entry] = fixed
        certainty[entry] = "certified"
    return DeterminedEntries(determined, certainty, target_rank, base)
