"""Reference completions of a partially observed matrix, to compare with what
training returns.

- :func:`rank_one_completion`: closed form per component (ratios along a
  spanning tree), when the observed entries are nonzero;
- :func:`lowest_rank_completion`: rank 0, the rank-1 closed form, then
  alternating least squares for ranks 2, 3, ...; a lower bound from fully
  observed sub-rectangles (:func:`fully_observed_rank_bound`) says when the
  rank found is proven lowest;
- :func:`nuclear_norm_completion`: ``min ||X||_*`` subject to ``X = M`` on the
  observed entries (cvxpy, an SDP);
- :func:`completions_per_component`: the last two for every component's block.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass
from typing import Optional

import networkx as nx
import numpy as np

from rankstrat.numerics.completion.observed_matrix import PartialMatrix
from rankstrat.theory.completion.observation_graph import observation_components
from rankstrat.theory.errors import InputError

FIT_RTOL = 1e-9
"""A completion fits when its largest observed misfit is at most this times the largest observed magnitude."""


@dataclass
class RankOneCompletion:
    """The rank-1 completion of each component, in closed form.

    Within a component the entries ``a_i b_j`` are unique; across components
    each component keeps a free scale, fixed here by balancing
    (``||a_c|| = ||b_c||`` per component).

    Attributes
    ----------
    matrix : ndarray (n1, n2)
        ``a b^T``; rows and columns without observations are zero.
    a, b : ndarray
    consistent : bool
        True when ``a_i b_j`` reproduces every observed entry.
    max_violation : float
        Largest ``|a_i b_j - M_ij|`` over observed entries.

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> c = rank_one_completion(example_matrix("M4"))
    >>> c.consistent, float(c.matrix[1, 1])
    (True, 6.0...)
    """

    matrix: np.ndarray
    a: np.ndarray
    b: np.ndarray
    consistent: bool
    max_violation: float


def rank_one_completion(partial: PartialMatrix, rtol: float = FIT_RTOL) -> Optional[RankOneCompletion]:
    """Rank-1 completion per component by ratios along a spanning tree.

    Fix ``a`` at the component's first row, then ``b_j = M_ij / a_i`` and
    ``a_i = M_ij / b_j`` along a breadth-first tree; every other observed
    entry is a consistency check.

    Parameters
    ----------
    partial : PartialMatrix
    rtol : float
        Relative tolerance of the consistency check.

    Returns
    -------
    RankOneCompletion or None
        None when an observed entry is zero (the ratios are not defined; use
        :func:`lowest_rank_completion`).

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> from rankstrat.numerics.completion.observed_matrix import parse_partial_matrix
    >>> c = rank_one_completion(example_matrix("M1"))
    >>> c.consistent, float(c.matrix[1, 1])
    (True, 6.0...)
    >>> rank_one_completion(parse_partial_matrix("1 0\\n1 1")) is None
    True
    """
    values = partial.values
    observed = partial.mask
    if np.any(values[observed] == 0):
        return None
    n1, n2 = partial.shape
    graph = partial.graph()
    a, b = np.zeros(n1), np.zeros(n2)
    for component in observation_components(graph):
        start = f"r{component.rows[0] + 1}"
        a[component.rows[0]] = 1.0
        for parent, child in nx.bfs_edges(graph, start):
            p, c = graph.nodes[parent], graph.nodes[child]
            if p["kind"] == "row":
                b[c["index"]] = values[p["index"], c["index"]] / a[p["index"]]
            else:
                a[c["index"]] = values[c["index"], p["index"]] / b[p["index"]]
        rows, cols = list(component.rows), list(component.columns)
        scale = math.sqrt(np.linalg.norm(b[cols]) / np.linalg.norm(a[rows]))
        a[rows] *= scale
        b[cols] /= scale
    matrix = np.outer(a, b)
    violation = partial.misfit(matrix)
    consistent = bool(violation <= partial.fit_tolerance(rtol))
    return RankOneCompletion(matrix, a, b, consistent, violation)


def fully_observed_rank_bound(
    partial: PartialMatrix, rtol: float = FIT_RTOL, max_lines: int = 12
) -> tuple[int, tuple, tuple]:
    """Lower bound of the rank of any completion that fits the observations to
    ``delta = rtol * max|M_ij|``: the largest rank of a fully observed
    sub-rectangle, counted above ``delta sqrt(p q)``.

    A completion ``X`` of rank ``r`` with observed misfit at most ``delta``
    differs from a fully observed ``p x q`` rectangle ``R`` by a matrix of
    spectral norm at most ``delta sqrt(p q)``, so ``sigma_{r+1}(R) <= delta
    sqrt(p q)``: every singular value of ``R`` above that threshold adds one to
    the rank. Row subsets of the shorter side are enumerated (all of them up to
    ``max_lines`` lines, otherwise subsets of at most 2); for each, the columns
    observed in every chosen row complete the rectangle.

    Parameters
    ----------
    partial : PartialMatrix
    rtol : float
        Relative fit tolerance (the one :func:`lowest_rank_completion` uses).
    max_lines : int

    Returns
    -------
    (bound, rows, columns)
        The bound and one rectangle that attains it (0-based).

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> from rankstrat.numerics.completion.observed_matrix import parse_partial_matrix
    >>> fully_observed_rank_bound(example_matrix("M1-blocks"))
    (2, (0, 1), (0, 1))
    >>> fully_observed_rank_bound(parse_partial_matrix("0.1 0.3\\n0.7 2.1"))[0]
    1
    """
    values, mask = partial.values, partial.mask
    delta = rtol * float(np.abs(values[mask]).max())
    transposed = mask.shape[0] > mask.shape[1]
    if transposed:
        values, mask = values.T, mask.T
    n = mask.shape[0]
    sizes = range(1, n + 1) if n <= max_lines else range(1, min(n, 2) + 1)
    best = (0, (), ())
    for size in sizes:
        if size <= best[0]:
            continue
        for rows in itertools.combinations(range(n), size):
            cols = tuple(int(j) for j in np.nonzero(mask[list(rows)].all(axis=0))[0])
            if min(size, len(cols)) <= best[0]:
                continue
            block = values[np.ix_(rows, cols)]
            singular = np.linalg.svd(block, compute_uv=False)
            rank = int(np.sum(singular > delta * math.sqrt(block.size)))
            if rank > best[0]:
                best = (rank, rows, cols)
    rank, rows, cols = best
    return (rank, cols, rows) if transposed else best


def alternating_least_squares(
    partial: PartialMatrix, rank: int, seed: int = 0, iterations: int = 3000, tol: float = 1e-11
) -> tuple[np.ndarray, float]:
    """A rank-``r`` matrix fitted to the observed entries by alternating least squares.

    Each half step solves, row by row, a least-squares problem with a tiny
    ridge (``1e-12``) so that rows with few observations stay bounded.

    Parameters
    ----------
    partial : PartialMatrix
    rank : int
    seed : int
    iterations : int
    tol : float
        Stop when the largest observed residual falls below ``tol`` times the
        largest observed magnitude.

    Returns
    -------
    (matrix, max_residual)

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> X, res = alternating_least_squares(example_matrix("M1-blocks"), 2)
    >>> res < 1e-9, int(np.linalg.matrix_rank(X, tol=1e-8))
    (True, 2)
    """
    values, mask = np.nan_to_num(partial.values), partial.mask
    rng = np.random.default_rng(seed)
    n1, n2 = partial.shape
    U, V = rng.standard_normal((n1, rank)), rng.standard_normal((n2, rank))
    ridge = 1e-12 * np.eye(rank)

    def solve(F, data, observed):
        out = np.zeros((data.shape[0], rank))
        for i in range(data.shape[0]):
            cols = observed[i]
            G = F[cols]
            out[i] = np.linalg.solve(G.T @ G + ridge, G.T @ data[i, cols])
        return out

    residual = math.inf
    for _ in range(iterations):
        U = solve(V, values, mask)
        V = solve(U, values.T, mask.T)
        residual = partial.misfit(U @ V.T)
        if residual <= partial.fit_tolerance(tol):
            break
    return U @ V.T, residual


@dataclass
class LowestRankCompletion:
    """The lowest-rank completion found, with how sure the rank is.

    Attributes
    ----------
    rank : int
        Rank of the completion found (an upper bound of the lowest rank).
    matrix : ndarray (n1, n2)
    max_residual : float
        Largest observed misfit.
    method : str
    lower_bound : int
        From :func:`fully_observed_rank_bound`.
    unique_within_components : bool
        True for the rank-1 closed form: inside each component no other
        rank-1 completion exists.

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> c = lowest_rank_completion(example_matrix("M1"))
    >>> c.rank, c.proven, c.method
    (1, True, 'rank-1 closed form per component (spanning-tree ratios)')
    """

    rank: int
    matrix: np.ndarray
    max_residual: float
    method: str
    lower_bound: int
    unique_within_components: bool = False

    @property
    def proven(self) -> bool:
        """True when the lower bound meets the rank found.

        Examples
        --------
        >>> from rankstrat.numerics.completion.example_matrices import example_matrix
        >>> lowest_rank_completion(example_matrix("M1-blocks")).proven
        True
        """
        return self.lower_bound == self.rank


def lowest_rank_completion(
    partial: PartialMatrix, max_rank: Optional[int] = None, restarts: int = 5, seed: int = 0
) -> LowestRankCompletion:
    """The lowest-rank completion, where it can be found.

    Rank 0 when every observed entry is 0; the rank-1 closed form
    (:func:`rank_one_completion`) when it is consistent; otherwise alternating
    least squares (:func:`alternating_least_squares`, ``restarts`` seeds) at
    ranks ``max(2, bound)``, ``+1``, ... up to ``max_rank``; the first rank
    with a fit to :data:`FIT_RTOL` relative wins.

    Parameters
    ----------
    partial : PartialMatrix
    max_rank : int, optional
        Default ``min(n1, n2)`` (always feasible).
    restarts : int
    seed : int

    Returns
    -------
    LowestRankCompletion

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> c = lowest_rank_completion(example_matrix("M1-blocks"))
    >>> c.rank, c.lower_bound, c.method
    (2, 2, 'alternating least squares')
    """
    values, mask = partial.values, partial.mask
    n1, n2 = partial.shape
    max_rank = min(n1, n2) if max_rank is None else max_rank
    bound = fully_observed_rank_bound(partial)[0]
    if not np.any(values[mask]):
        return LowestRankCompletion(0, np.zeros((n1, n2)), 0.0, "all observed entries are zero", 0)
    one = rank_one_completion(partial)
    if one is not None and one.consistent:
        return LowestRankCompletion(
            1, one.matrix, one.max_violation, "rank-1 closed form per component (spanning-tree ratios)",
            bound, unique_within_components=True,
        )
    best = None
    for rank in range(max(1 if one is None else 2, bound), max_rank + 1):
        for restart in range(restarts):
            matrix, residual = alternating_least_squares(partial, rank, seed=seed + restart)
            if best is None or residual < best[1]:
                best = (matrix, residual, rank)
            if residual <= partial.fit_tolerance(FIT_RTOL):
                return LowestRankCompletion(rank, matrix, residual, "alternating least squares", bound)
    matrix, residual, rank = best
    return LowestRankCompletion(rank, matrix, residual, "alternating least squares (no exact fit found)", bound)


@dataclass
class NuclearNormCompletion:
    """The completion of least nuclear norm.

    Attributes
    ----------
    matrix : ndarray (n1, n2)
        The solver's minimizer with the observed entries reset to the data.
    nuclear_norm : float
        Of ``matrix``.
    max_violation : float
        Largest observed misfit of the solver's raw answer.
    solver, status : str

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> c = nuclear_norm_completion(example_matrix("M4"))
    >>> round(float(c.matrix[1, 1]), 4), round(c.nuclear_norm, 4)
    (1.0, 5.0)
    """

    matrix: np.ndarray
    nuclear_norm: float
    max_violation: float
    solver: str
    status: str


def nuclear_norm(matrix: np.ndarray) -> float:
    """Sum of the singular values.

    Examples
    --------
    >>> nuclear_norm(np.diag([3.0, -4.0]))
    7.0
    """
    return float(np.linalg.svd(np.asarray(matrix, dtype=np.float64), compute_uv=False).sum())


SOLVER_SETTINGS = {
    "CLARABEL": {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12, "tol_ktratio": 1e-10},
    "SCS": {"eps": 1e-9, "max_iters": 200_000},
}
"""Tight tolerances: the nuclear norm is flat near its minimizer, so default
tolerances leave the minimizing entries accurate to only ~1e-4."""


def nuclear_norm_completion(partial: PartialMatrix, solver: str = "CLARABEL") -> NuclearNormCompletion:
    """``min ||X||_*`` subject to ``X_ij = M_ij`` on the observed entries (cvxpy).

    Parameters
    ----------
    partial : PartialMatrix
    solver : str
        A cvxpy solver that handles semidefinite cones (CLARABEL, SCS);
        SCS is tried when the first one fails.

    Returns
    -------
    NuclearNormCompletion

    Raises
    ------
    InputError
        When no solver reaches an optimal status.

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> c = nuclear_norm_completion(example_matrix("M1"))
    >>> c.status, c.max_violation < 1e-6, round(c.nuclear_norm, 4)
    ('optimal', True, 10.0)
    """
    import cvxpy as cp

    values, mask = partial.values, partial.mask
    rows, cols = np.nonzero(mask)
    X = cp.Variable(partial.shape)
    problem = cp.Problem(cp.Minimize(cp.normNuc(X)), [X[rows, cols] == values[rows, cols]])
    tried = []
    for name in dict.fromkeys([solver, "SCS"]):
        try:
            with warnings.catch_warnings():  # an inaccurate solution shows in ``status``
                warnings.simplefilter("ignore", UserWarning)
                problem.solve(solver=name, **SOLVER_SETTINGS.get(name, {}))
        except cp.error.SolverError as exc:
            tried.append(f"{name}: {exc}")
            continue
        if problem.status in ("optimal", "optimal_inaccurate") and X.value is not None:
            raw = np.asarray(X.value, dtype=np.float64)
            violation = partial.misfit(raw)
            matrix = np.where(mask, values, raw)
            return NuclearNormCompletion(matrix, nuclear_norm(matrix), violation, name, problem.status)
        tried.append(f"{name}: {problem.status}")
    raise InputError(f"nuclear-norm completion failed ({'; '.join(tried)})")


@dataclass
class ComponentCompletions:
    """Reference completions of one component's block.

    Attributes
    ----------
    component : rankstrat.theory.completion.observation_graph.ObservationComponent
    lowest_rank : LowestRankCompletion
    nuclear : NuclearNormCompletion

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> [c.lowest_rank.rank for c in completions_per_component(example_matrix("M1-blocks"))]
    [2, 1]
    """

    component: object
    lowest_rank: LowestRankCompletion
    nuclear: NuclearNormCompletion


def completions_per_component(partial: PartialMatrix) -> list[ComponentCompletions]:
    """Lowest-rank and nuclear-norm completions of every component's block.

    Parameters
    ----------
    partial : PartialMatrix

    Returns
    -------
    list of ComponentCompletions
        In the order of :func:`rankstrat.theory.completion.observation_graph.observation_components`.

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> blocks = completions_per_component(example_matrix("M1"))
    >>> [round(float(b.nuclear.matrix[-1, -1]), 4) for b in blocks]
    [1.0, 5.0]
    """
    out = []
    for component in observation_components(partial.graph()):
        block = partial.block(component.rows, component.columns)
        out.append(ComponentCompletions(component, lowest_rank_completion(block), nuclear_norm_completion(block)))
    return out
