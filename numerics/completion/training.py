"""What small-initialization training completes: learned completions compared
with the lowest-rank and the least nuclear-norm completions (docs/theory.md section 4).

Training is :func:`rankstrat.numerics.training.factorization.train_masked_factorization` (full-batch
gradient descent on the observed entries, float64, all seeds batched). This
module chooses the runs, reads the learned products, and compares them with
the reference completions of :mod:`rankstrat.numerics.completion.reference_completions`:

- :func:`train_completions`: learned products of partially observed matrices;
- :func:`compare_completion`: learned against lowest rank and least nuclear
  norm, whole matrix and per component of the observation graph;
- :func:`init_scale_sweep`: the learned value of one missing entry against the
  initialization variance, and the variance below which it is the rank-1
  completion (:meth:`InitSweep.threshold`);
- :func:`recovery_rates`: the fraction of converged runs that recover a known
  full matrix.

Runs that neither converged nor diverged are *unconverged*: reported
separately, never counted as a success or a failure. The initial entries are
``N(0, init_std^2)``; float64 represents them down to ``init_std ~ 1e-150``
(products ``~1e-300``), so variances such as ``1e-83`` need no rescaling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np

from rankstrat.numerics.completion.example_matrices import rank_one_tree_example
from rankstrat.numerics.completion.observed_matrix import PartialMatrix
from rankstrat.numerics.completion.reference_completions import (
    LowestRankCompletion,
    NuclearNormCompletion,
    completions_per_component,
    lowest_rank_completion,
    nuclear_norm,
    nuclear_norm_completion,
    rank_one_completion,
)
from rankstrat.numerics.training.factorization import train_masked_factorization
from rankstrat.theory.completion.observation_graph import is_connected
from rankstrat.theory.errors import InputError

RANK_RTOL = 1e-3
"""Singular values above this fraction of the largest count in a learned rank."""
ENTRY_RTOL = 1e-3
"""Largest ``max |learned - reference| / max |reference|`` for "the same completion"."""
NUCLEAR_RTOL = 1e-4
"""Relative slack for "least nuclear norm" (solver accuracy and training tolerance)."""
RECOVERY_RTOL = 1e-3
"""Largest relative Frobenius error for "recovered the full matrix"."""


@dataclass
class TrainedCompletions:
    """Learned products of one partially observed matrix, one per seed.

    Attributes
    ----------
    partial : PartialMatrix
    products : ndarray (S, n1, n2)
    converged, diverged : ndarray of bool (S,)
    steps : ndarray of int (S,)
    train_loss : ndarray (S,)
    k : int
    init_std, lr : float
    seeds : tuple of int

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> run = train_completions([example_matrix("M4")], seeds=[0, 1], init_std=1e-8, lr=0.05)[0]
    >>> run.products.shape, bool(run.converged.all()), run.unconverged.tolist()
    ((2, 2, 2), True, [False, False])
    """

    partial: PartialMatrix
    products: np.ndarray
    converged: np.ndarray
    diverged: np.ndarray
    steps: np.ndarray
    train_loss: np.ndarray
    k: int
    init_std: float
    lr: float
    seeds: tuple = field(default_factory=tuple)

    @property
    def unconverged(self) -> np.ndarray:
        """Runs that stopped at ``max_steps`` without converging or diverging.

        Examples
        --------
        >>> from rankstrat.numerics.completion.example_matrices import example_matrix
        >>> train_completions([example_matrix("M4")], seeds=[0], init_std=1e-3, lr=0.05,
        ...                   max_steps=3)[0].unconverged.tolist()
        [True]
        """
        return ~(self.converged | self.diverged)


def train_completions(
    partials: Sequence[PartialMatrix],
    k: Optional[int] = None,
    seeds: Sequence[int] = range(8),
    init_std: float = 1e-10,
    lr: float = 0.05,
    max_steps: int = 200_000,
    tol: float = 1e-12,
    device: str = "cpu",
) -> list[TrainedCompletions]:
    """Train ``A B`` on the observed entries of each matrix from every seed.

    Matrices of the same shape are trained in one batched call of
    :func:`rankstrat.numerics.training.factorization.train_masked_factorization`.

    Parameters
    ----------
    partials : sequence of PartialMatrix
    k : int, optional
        Inner dimension; default ``max(n1, n2)`` of each matrix.
    seeds : sequence of int
    init_std : float
        Standard deviation of the initial entries (variance ``init_std**2``).
    lr : float
    max_steps : int
    tol : float
        Training loss (half the sum of squared observed errors) counted as converged.
    device : str

    Returns
    -------
    list of TrainedCompletions
        In the order of ``partials``.

    Raises
    ------
    InputError
        From the training options (non-positive sizes or rates), or for an
        empty list of matrices.

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> run = train_completions([example_matrix("M4")], seeds=[0], init_std=1e-20, lr=0.05)[0]
    >>> round(float(run.products[0, 1, 1]), 3)  # the rank-1 completion
    6.0
    """
    partials = list(partials)
    if not partials:
        raise InputError("no matrix to train on")
    seeds = tuple(int(s) for s in seeds)
    out: list = [None] * len(partials)
    groups: dict = {}
    for n, partial in enumerate(partials):
        groups.setdefault(partial.shape, []).append(n)
    for shape, members in groups.items():
        width = max(shape) if k is None else k
        targets = np.stack([np.nan_to_num(partials[n].values) for n in members])
        masks = np.stack([partials[n].mask for n in members])
        result = train_masked_factorization(
            targets, masks, k=width, seeds=seeds, init_std=init_std, lr=lr,
            max_steps=max_steps, tol=tol, device=device,
        )
        for t, n in enumerate(members):
            out[n] = TrainedCompletions(
                partials[n], result.products[t], result.converged[t], result.diverged[t],
                result.steps[t], result.train_loss[t], width, float(init_std), float(lr), seeds,
            )
    return out


def numerical_rank(matrix: np.ndarray, rtol: float = RANK_RTOL) -> int:
    """Number of singular values above ``rtol`` times the largest.

    Examples
    --------
    >>> numerical_rank(np.array([[1.0, 2.0], [3.0, 6.0 + 1e-9]]))
    1
    """
    singular = np.linalg.svd(np.asarray(matrix, dtype=np.float64), compute_uv=False)
    return 0 if singular[0] == 0 else int(np.sum(singular > rtol * singular[0]))


def relative_distance(learned: np.ndarray, reference: np.ndarray) -> float:
    """``max |learned - reference| / max |reference|``.

    Examples
    --------
    >>> relative_distance(np.array([[1.0, 2.2]]), np.array([[1.0, 2.0]]))
    0.1...
    """
    scale = float(np.abs(reference).max()) or 1.0
    return float(np.abs(np.asarray(learned) - reference).max() / scale)


@dataclass
class CompletionReferences:
    """Reference completions of one matrix, computed once for many learned ones.

    Attributes
    ----------
    lowest : LowestRankCompletion
    nuclear : NuclearNormCompletion
    components : list of ComponentCompletions
    unique_lowest : bool
        True when the lowest-rank completion is unique: the rank-1 closed form
        on a connected graph that touches every row and column.

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> refs = completion_references(example_matrix("M1-plus-r3c2"))
    >>> refs.lowest.rank, refs.unique_lowest, round(refs.nuclear.nuclear_norm, 3)
    (1, True, 10.159)
    """

    lowest: LowestRankCompletion
    nuclear: NuclearNormCompletion
    components: list
    unique_lowest: bool


def completion_references(partial: PartialMatrix) -> CompletionReferences:
    """Lowest-rank and least nuclear-norm completions, whole and per component.

    Parameters
    ----------
    partial : PartialMatrix

    Returns
    -------
    CompletionReferences

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> refs = completion_references(example_matrix("M1"))
    >>> refs.unique_lowest, [c.lowest_rank.rank for c in refs.components]
    (False, [1, 1])
    """
    lowest = lowest_rank_completion(partial)
    graph = partial.graph()
    every_line = bool(partial.mask.any(axis=0).all() and partial.mask.any(axis=1).all())
    unique = lowest.unique_within_components and is_connected(graph) and every_line
    return CompletionReferences(lowest, nuclear_norm_completion(partial), completions_per_component(partial), unique)


@dataclass
class CompletionComparison:
    """A learned completion against the lowest-rank and least nuclear-norm ones.

    Attributes
    ----------
    observed_misfit : float
        Largest ``|learned - M|`` on observed entries.
    learned_rank : int
        :func:`numerical_rank` of the learned matrix.
    lowest_rank : int
    lowest_rank_proven : bool
    distance_to_lowest : float or None
        :func:`relative_distance` to the lowest-rank completion when it is unique.
    learned_nuclear, least_nuclear : float
    components : list of dict
        Per component: ``label``, ``complete_bipartite``, ``learned_rank``,
        ``distance_to_rank_one`` (to the component's rank-1 closed form, unique
        within the component; None when there is none), ``distance_to_nuclear``,
        ``learned_nuclear``, ``least_nuclear``.

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> c = compare_completion(example_matrix("M4"), np.array([[1.0, 2.0], [3.0, 6.0]]))
    >>> c.is_lowest_rank, c.is_least_nuclear, c.verdict
    (True, False, 'lowest rank')
    """

    observed_misfit: float
    learned_rank: int
    lowest_rank: int
    lowest_rank_proven: bool
    distance_to_lowest: Optional[float]
    learned_nuclear: float
    least_nuclear: float
    components: list

    @property
    def is_lowest_rank(self) -> bool:
        """Learned rank equals the lowest rank (and the entries match when that completion is unique).

        Examples
        --------
        >>> from rankstrat.numerics.completion.example_matrices import example_matrix
        >>> compare_completion(example_matrix("M4"), np.array([[1.0, 2.0], [3.0, 5.0]])).is_lowest_rank
        False
        """
        if self.learned_rank != self.lowest_rank:
            return False
        return self.distance_to_lowest is None or self.distance_to_lowest <= ENTRY_RTOL

    @property
    def is_least_nuclear(self) -> bool:
        """Learned nuclear norm equals the least one (within :data:`NUCLEAR_RTOL`).

        Examples
        --------
        >>> from rankstrat.numerics.completion.example_matrices import example_matrix
        >>> compare_completion(example_matrix("M4"), np.array([[1.0, 2.0], [3.0, 1.0]])).is_least_nuclear
        True
        """
        return self.learned_nuclear <= self.least_nuclear * (1 + NUCLEAR_RTOL) + 1e-12

    @property
    def verdict(self) -> str:
        """``lowest rank``, ``least nuclear norm``, ``both`` or ``neither``.

        Examples
        --------
        >>> from rankstrat.numerics.completion.example_matrices import example_matrix
        >>> compare_completion(example_matrix("M4"), np.array([[1.0, 2.0], [3.0, 3.0]])).verdict
        'neither'
        """
        rank, nuclear = self.is_lowest_rank, self.is_least_nuclear
        return "both" if rank and nuclear else "lowest rank" if rank else "least nuclear norm" if nuclear else "neither"

    def as_dict(self) -> dict:
        """Plain types for JSON.

        Examples
        --------
        >>> from rankstrat.numerics.completion.example_matrices import example_matrix
        >>> compare_completion(example_matrix("M4"), np.array([[1.0, 2.0], [3.0, 6.0]])).as_dict()["verdict"]
        'lowest rank'
        """
        return {
            "observed_misfit": self.observed_misfit,
            "learned_rank": self.learned_rank,
            "lowest_rank": self.lowest_rank,
            "lowest_rank_proven": self.lowest_rank_proven,
            "distance_to_lowest": self.distance_to_lowest,
            "learned_nuclear": self.learned_nuclear,
            "least_nuclear": self.least_nuclear,
            "is_lowest_rank": self.is_lowest_rank,
            "is_least_nuclear": self.is_least_nuclear,
            "verdict": self.verdict,
            "components": self.components,
        }


def compare_completion(
    partial: PartialMatrix, learned: np.ndarray, references: Optional[CompletionReferences] = None
) -> CompletionComparison:
    """Compare a learned completion with the lowest-rank and least nuclear-norm completions.

    Parameters
    ----------
    partial : PartialMatrix
    learned : ndarray (n1, n2)
    references : CompletionReferences, optional
        Computed by :func:`completion_references` when omitted.

    Returns
    -------
    CompletionComparison

    Raises
    ------
    InputError
        When ``learned`` does not have the matrix's shape.

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> M1 = example_matrix("M1")
    >>> learned = np.array([[1.0, 2.0, 0.0], [3.0, 6.0, 0.0], [0.0, 0.0, 5.0]])
    >>> c = compare_completion(M1, learned)
    >>> c.learned_rank, c.lowest_rank, c.verdict, c.components[0]["distance_to_rank_one"]
    (2, 1, 'neither', 0.0)
    """
    learned = np.asarray(learned, dtype=np.float64)
    if learned.shape != partial.shape:
        raise InputError(f"learned completion has shape {learned.shape}, expected {partial.shape}")
    refs = completion_references(partial) if references is None else references
    rows = []
    for block in refs.components:
        component = block.component
        index = np.ix_(component.rows, component.columns)
        learned_block = learned[index]
        one = rank_one_completion(partial.block(component.rows, component.columns))
        rows.append({
            "label": component.label,
            "complete_bipartite": component.complete_bipartite,
            "learned_rank": numerical_rank(learned_block),
            "distance_to_rank_one": relative_distance(learned_block, one.matrix) if one and one.consistent else None,
            "distance_to_nuclear": relative_distance(learned_block, block.nuclear.matrix),
            "learned_nuclear": nuclear_norm(learned_block),
            "least_nuclear": block.nuclear.nuclear_norm,
        })
    return CompletionComparison(
        partial.misfit(learned),
        numerical_rank(learned),
        refs.lowest.rank,
        refs.lowest.proven,
        relative_distance(learned, refs.lowest.matrix) if refs.unique_lowest else None,
        nuclear_norm(learned),
        refs.nuclear.nuclear_norm,
        rows,
    )


@dataclass
class InitSweep:
    """The learned value of one missing entry against the initialization variance.

    Attributes
    ----------
    variances : ndarray (V,)
        ``init_std ** 2``, in the order given.
    entries : ndarray (V, S)
        Learned value per variance and seed; NaN for runs that did not converge.
    converged : ndarray of bool (V, S)
    reference : float
        The rank-1 completion's value at the entry.
    entry : (int, int)
        0-based.

    Examples
    --------
    >>> s = InitSweep(np.array([1e-2, 1e-6, 1e-10]), np.array([[3.0], [5.5], [5.99]]),
    ...               np.ones((3, 1), bool), 6.0, (1, 1))
    >>> s.threshold(0.1), s.threshold(0.01), s.threshold(1e-4)
    (1e-06, 1e-10, None)
    """

    variances: np.ndarray
    entries: np.ndarray
    converged: np.ndarray
    reference: float
    entry: tuple

    def reached(self, rtol: float = 0.1, statistic: str = "median") -> np.ndarray:
        """Per variance: is the learned entry within ``rtol`` of the rank-1 value?

        Parameters
        ----------
        rtol : float
            Relative tolerance.
        statistic : {'median', 'all'}
            The median over converged seeds, or every converged seed.

        Returns
        -------
        ndarray of bool (V,)
            False where no seed converged.

        Examples
        --------
        >>> s = InitSweep(np.array([1e-2]), np.array([[5.0, 6.0, 6.0]]), np.ones((1, 3), bool), 6.0, (1, 1))
        >>> s.reached(0.01).tolist(), s.reached(0.01, "all").tolist()
        ([True], [False])
        """
        if statistic not in ("median", "all"):
            raise InputError(f"statistic must be 'median' or 'all', got {statistic!r}")
        error = np.abs(self.entries - self.reference) / abs(self.reference)
        out = np.zeros(len(self.variances), dtype=bool)
        for v in range(len(self.variances)):
            ok = error[v][self.converged[v]]
            if ok.size:
                out[v] = (np.median(ok) if statistic == "median" else ok.max()) <= rtol
        return out

    def threshold(self, rtol: float = 0.1, statistic: str = "median") -> Optional[float]:
        """The largest variance on the grid from which on (it and every smaller
        one) the learned entry is the rank-1 completion within ``rtol``.

        Returns None when the smallest variance does not reach it.

        Examples
        --------
        >>> s = InitSweep(np.array([1e-2, 1e-4, 1e-6]), np.array([[6.0], [5.0], [6.0]]),
        ...               np.ones((3, 1), bool), 6.0, (1, 1))
        >>> s.threshold(0.01)
        1e-06
        """
        order = np.argsort(self.variances)  # smallest first
        reached = self.reached(rtol, statistic)[order]
        best = None
        for position, ok in zip(order, reached):
            if not ok:
                break
            best = float(self.variances[position])
        return best


def init_scale_sweep(
    partial: PartialMatrix,
    entry: tuple,
    variances: Sequence[float],
    k: Optional[int] = None,
    seeds: Sequence[int] = range(8),
    lr: float = 0.05,
    max_steps: int = 200_000,
    tol: float = 1e-12,
    device: str = "cpu",
) -> InitSweep:
    """Learned value of a missing entry for each initialization variance.

    Parameters
    ----------
    partial : PartialMatrix
        Its rank-1 completion (:func:`rankstrat.numerics.completion.reference_completions.rank_one_completion`)
        must exist; the entry's value there is the reference.
    entry : (int, int)
        0-based, unobserved.
    variances : sequence of float
        Initialization variances; each is one batched training call over ``seeds``.
    k, seeds, lr, max_steps, tol, device
        As in :func:`train_completions`.

    Returns
    -------
    InitSweep

    Raises
    ------
    InputError
        When the entry is observed, or the matrix has no rank-1 completion.

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> sweep = init_scale_sweep(example_matrix("M4"), (1, 1), [1e-4, 1e-16], seeds=[0, 1, 2, 3])
    >>> sweep.reference, sweep.reached(0.01).tolist()
    (6.0, [False, True])
    """
    i, j = entry
    if partial.mask[i, j]:
        raise InputError(f"entry ({i + 1},{j + 1}) is observed; sweep a missing entry")
    one = rank_one_completion(partial)
    if one is None or not one.consistent:
        raise InputError("the matrix has no rank-1 completion to compare with")
    runs = [
        train_completions([partial], k=k, seeds=seeds, init_std=float(v) ** 0.5, lr=lr,
                          max_steps=max_steps, tol=tol, device=device)[0]
        for v in variances
    ]
    entries = np.array([np.where(run.converged, run.products[:, i, j], np.nan) for run in runs])
    converged = np.array([run.converged for run in runs])
    reference = float(one.matrix[i, j])
    return InitSweep(np.asarray(variances, dtype=float), entries, converged, reference, (i, j))


@dataclass
class RecoveryRate:
    """How many runs recovered the full matrix; unconverged and diverged runs count
    as not recovered (and are reported in their own fields).

    Attributes
    ----------
    label : str
    recovered : int
    converged : int
    unconverged : int
    diverged : int

    Examples
    --------
    >>> r = RecoveryRate("connected", 7, 7, 1, 0)
    >>> r.rate, r.counts
    (0.875, '7/8 [0.53, 0.98]')
    """

    label: str
    recovered: int
    converged: int
    unconverged: int
    diverged: int

    @property
    def rate(self) -> float:
        """``recovered / runs``, every run counted (NaN for no run).

        Examples
        --------
        >>> RecoveryRate("x", 0, 0, 3, 0).rate
        0.0
        """
        runs = self.converged + self.unconverged + self.diverged
        return self.recovered / runs if runs else float("nan")

    @property
    def counts(self) -> str:
        """``recovered/runs [95 % Wilson interval]`` as text.

        Examples
        --------
        >>> RecoveryRate("x", 1, 2, 0, 0).counts
        '1/2 [0.095, 0.91]'
        """
        from rankstrat.numerics.training.experiments.definition import wilson_interval

        runs = self.converged + self.unconverged + self.diverged
        low, high = wilson_interval(self.recovered, runs)
        return f"{self.recovered}/{runs} [{low:.2g}, {high:.2g}]"


def recovery_rates(
    groups: dict,
    k: Optional[int] = None,
    seeds: Sequence[int] = range(8),
    init_std: float = 1e-60,
    lr: float = 0.1,
    max_steps: int = 200_000,
    tol: float = 1e-12,
    device: str = "cpu",
) -> list[RecoveryRate]:
    """Recovery rate of known full matrices, per group of partially observed ones.

    A converged run recovers its matrix when the relative Frobenius error of
    the learned product to ``partial.full`` is at most :data:`RECOVERY_RTOL`.

    Parameters
    ----------
    groups : dict of str -> list of PartialMatrix
        For example ``{"connected": [...], "disconnected": [...]}``; every
        matrix needs ``full``.
    k, seeds, init_std, lr, max_steps, tol, device
        As in :func:`train_completions`.

    Returns
    -------
    list of RecoveryRate
        In the order of ``groups``.

    Raises
    ------
    InputError
        For a matrix without a known full matrix.

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> rates = recovery_rates({"connected": [example_matrix("rank1-10x10-connected")],
    ...                         "disconnected": [example_matrix("rank1-10x10-disconnected")]}, seeds=[0, 1])
    >>> [(r.label, r.counts) for r in rates]
    [('connected', '2/2 [0.34, 1]'), ('disconnected', '0/2 [0, 0.66]')]
    """
    labels, partials = [], []
    for label, members in groups.items():
        for partial in members:
            if partial.full is None:
                raise InputError(f"{partial.source}: the full matrix is unknown; recovery cannot be measured")
            labels.append(label)
            partials.append(partial)
    runs = train_completions(partials, k=k, seeds=seeds, init_std=init_std, lr=lr,
                             max_steps=max_steps, tol=tol, device=device)
    totals = {label: [0, 0, 0, 0] for label in groups}
    for label, run in zip(labels, runs):
        full = run.partial.full
        error = np.linalg.norm(run.products - full, axis=(1, 2)) / np.linalg.norm(full)
        totals[label][0] += int(np.sum(run.converged & (error <= RECOVERY_RTOL)))
        totals[label][1] += int(run.converged.sum())
        totals[label][2] += int(run.unconverged.sum())
        totals[label][3] += int(run.diverged.sum())
    return [RecoveryRate(label, *totals[label]) for label in groups]


def connectivity_recovery(
    variances: Sequence[float],
    count: int = 8,
    n: int = 10,
    seeds: Sequence[int] = range(4),
    lr: float = 0.1,
    max_steps: int = 100_000,
    device: str = "cpu",
) -> dict:
    """Recovery rates of random rank-1 ``n x n`` targets with ``2n - 1`` observations,
    connected against disconnected masks, for each initialization variance.

    The masks and targets are :func:`rankstrat.numerics.completion.example_matrices.rank_one_tree_example`
    with seeds ``100 + m`` (connected) and ``200 + m`` (disconnected).

    Parameters
    ----------
    variances : sequence of float
    count : int
        Masks per group.
    n : int
        Even size, at least 4.
    seeds, lr, max_steps, device
        As in :func:`train_completions` (``k = n``).

    Returns
    -------
    dict
        ``variance -> [RecoveryRate connected, RecoveryRate disconnected]``.

    Examples
    --------
    >>> rates = connectivity_recovery([1e-60], count=2, n=4, seeds=[0, 1])
    >>> [(r.label, r.converged) for r in rates[1e-60]]
    [('connected', 4), ('disconnected', 4)]
    >>> rates[1e-60][1].recovered
    0
    """
    groups = {
        "connected": [rank_one_tree_example(n, True, seed=100 + m) for m in range(count)],
        "disconnected": [rank_one_tree_example(n, False, seed=200 + m) for m in range(count)],
    }
    return {
        float(v): recovery_rates(groups, k=n, seeds=seeds, init_std=float(v) ** 0.5, lr=lr,
                                 max_steps=max_steps, device=device)
        for v in variances
    }


def component_verdicts(comparison: CompletionComparison) -> list[str]:
    """One line per component: learned rank, distance to the rank-1 and to the nuclear-norm block.

    Examples
    --------
    >>> from rankstrat.numerics.completion.example_matrices import example_matrix
    >>> learned = np.array([[1.0, 2.0, 0.0], [3.0, 6.0, 0.0], [0.0, 0.0, 5.0]])
    >>> component_verdicts(compare_completion(example_matrix("M1"), learned))[0]
    '{r1,r2,c1,c2}: learned rank 1, to rank-1 completion ...e-17, to nuclear-norm completion 1.67'
    """
    lines = []
    for row in comparison.components:
        one = "-" if row["distance_to_rank_one"] is None else f"{row['distance_to_rank_one']:.3g}"
        lines.append(f"{row['label']}: learned rank {row['learned_rank']}, to rank-1 completion {one}, "
                     f"to nuclear-norm completion {row['distance_to_nuclear']:.3g}")
    return lines
