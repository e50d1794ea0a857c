"""Matrix completion: partially observed matrices, the observed-entry Jacobian
rank, the entries the observations determine, and reference completions.

A partially observed matrix is a :class:`PartialMatrix`: float values with NaN
where an entry is missing. It is read from text (rows of numbers separated by
whitespace or commas, ``?`` or ``*`` for a missing entry), from a ``.npy``
array with NaN, or built in (:data:`EXAMPLES`).

The observed-entry Jacobian is the Jacobian of the observed entries of
``A B`` (``n1 x k`` times ``k x n2``) with respect to all entries of ``A`` and
``B``; in the ``mf`` family the entry ``(i, j)`` is the one-hot input
``(e_i, e_j)``, so the rank engine (:func:`numerics.rank.jacobian_rank`)
measures it directly. Its rank at a generic rank-``r`` point is the number of
degrees of freedom the observations pin down; the completion is locally unique
(finitely many rank-``r`` completions) only when it equals ``r (n1 + n2 - r)``.

Reference completions, for comparison with what training returns:

- :func:`rank_one_completion`: closed form per component (ratios along a
  spanning tree), when the observed entries are nonzero;
- :func:`lowest_rank_completion`: rank 0, the rank-1 closed form, then
  alternating least squares for ranks 2, 3, ...; a lower bound from fully
  observed sub-rectangles says when the rank found is proven lowest;
- :func:`nuclear_norm_completion`: ``min ||X||_*`` subject to ``X = M`` on the
  observed entries (cvxpy, an SDP).
"""

from __future__ import annotations

import itertools
import math
import os
import warnings
from dataclasses import dataclass
from typing import Optional

import networkx as nx
import numpy as np

from numerics.jacobian import jacobian
from numerics.points import flat_point
from numerics.rank import FLOAT64_EPS, RankResult, decide_spectrum, jacobian_rank
from numerics.stratum_points import mf_target_point
from theory.errors import InputError
from theory.families import mf
from theory.observation_graph import (
    observation_components,
    observation_graph,
    observed_rank_bound,
    rank_one_observed_rank,
)
from theory.spec import Spec, parse_spec

MISSING_TOKENS = ("?", "*", "nan")
"""Text tokens read as a missing entry (case-insensitive)."""
POINT_TRIES = 4
"""Most stratum points tried for a generic rank (the largest rank found is kept)."""
FIT_RTOL = 1e-9
"""A completion fits when its largest observed misfit is at most this times the largest observed magnitude."""


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True, eq=False)
class PartialMatrix:
    """A partially observed matrix: float values, NaN where an entry is missing.

    Build one with :func:`parse_partial_matrix`, :func:`read_partial_matrix`,
    :func:`partial_matrix_from_array` or :func:`example_matrix`.

    Attributes
    ----------
    values : ndarray (n1, n2)
    source : str
        Where it came from, for messages.
    full : ndarray (n1, n2) or None
        The whole matrix when it is known (generated examples), for
        measuring recovery.

    Examples
    --------
    >>> M = parse_partial_matrix("1 2\\n3 ?")
    >>> M.shape, M.num_observed, M.mask.tolist()
    ((2, 2), 3, [[True, True], [True, False]])
    """

    values: np.ndarray
    source: str = "<matrix>"
    full: Optional[np.ndarray] = None

    @property
    def mask(self) -> np.ndarray:
        """True where observed.

        Examples
        --------
        >>> parse_partial_matrix("? 1").mask.tolist()
        [[False, True]]
        """
        return ~np.isnan(self.values)

    @property
    def shape(self) -> tuple:
        """``(n1, n2)``.

        Examples
        --------
        >>> parse_partial_matrix("1 2 3").shape
        (1, 3)
        """
        return tuple(self.values.shape)

    @property
    def num_observed(self) -> int:
        """Number of observed entries.

        Examples
        --------
        >>> parse_partial_matrix("1 ?\\n? 2").num_observed
        2
        """
        return int(self.mask.sum())

    def observed(self) -> list:
        """Observed entries as ``(i, j, value)``, row by row (0-based).

        Examples
        --------
        >>> parse_partial_matrix("1 ?\\n? 2").observed()
        [(0, 0, 1.0), (1, 1, 2.0)]
        """
        return [(int(i), int(j), float(self.values[i, j])) for i, j in zip(*np.nonzero(self.mask))]

    def graph(self) -> nx.Graph:
        """The observation graph (:func:`theory.observation_graph.observation_graph`).

        Examples
        --------
        >>> parse_partial_matrix("1 ?\\n? 2").graph().number_of_edges()
        2
        """
        return observation_graph(self.mask)

    def block(self, rows, columns) -> "PartialMatrix":
        """The sub-matrix on the given rows and columns.

        Examples
        --------
        >>> parse_partial_matrix("1 ? ?\\n? 2 3").block([1], [1, 2]).to_text()
        '2 3'
        """
        index = np.ix_(list(rows), list(columns))
        full = None if self.full is None else self.full[index].copy()
        return PartialMatrix(self.values[index].copy(), self.source, full)

    def to_text(self) -> str:
        """The matrix in the text format read by :func:`parse_partial_matrix`.

        Examples
        --------
        >>> print(parse_partial_matrix("1, 2.5\\n*, 3").to_text())
        1 2.5
        ? 3
        """
        return "\n".join(" ".join("?" if math.isnan(v) else f"{v:g}" for v in row) for row in self.values)


def _strip_comment(line: str) -> str:
    return line.split("#", 1)[0].strip()


def _tokens(line: str, number: int, source: str) -> list:
    if "," in line:
        tokens = [t.strip() for t in line.split(",")]
        for column, token in enumerate(tokens, start=1):
            if not token:
                raise InputError(
                    f"{source}: line {number}, column {column}: empty entry; "
                    "write a number, or ? or * for a missing entry"
                )
        return tokens
    return line.split()


def _entry(token: str, number: int, column: int, source: str) -> float:
    if token.lower() in MISSING_TOKENS:
        return math.nan
    try:
        value = float(token)
    except ValueError:
        raise InputError(
            f"{source}: line {number}, column {column}: {token!r} is not a number; "
            "expected a number, or ? or * for a missing entry"
        ) from None
    if not math.isfinite(value):
        raise InputError(f"{source}: line {number}, column {column}: {token!r} is not a finite number")
    return value


def parse_partial_matrix(text: str, source: str = "<text>") -> PartialMatrix:
    """Read a partially observed matrix from text.

    One row per line; entries separated by whitespace or by commas; ``?``,
    ``*`` or ``nan`` for a missing entry. Blank lines and everything after
    ``#`` are ignored.

    Parameters
    ----------
    text : str
    source : str
        Name used in error messages (a file name).

    Returns
    -------
    PartialMatrix

    Raises
    ------
    InputError
        Naming the line and column of a non-numeric or empty entry, the line of
        a row whose length differs from the first row, or saying that the text
        holds no matrix or no observed entry.

    Examples
    --------
    >>> parse_partial_matrix("1 2 ?\\n3 ? ?\\n? ? 5").num_observed
    4
    >>> parse_partial_matrix("1 2\\n3 x", source="m.txt")
    Traceback (most recent call last):
    ...
    theory.errors.InputError: m.txt: line 2, column 2: 'x' is not a number; expected a number, or ? or * for a missing entry
    >>> parse_partial_matrix("1 2\\n3", source="m.txt")
    Traceback (most recent call last):
    ...
    theory.errors.InputError: m.txt: line 2 has 1 entries but line 1 has 2; every row needs the same number of entries
    """
    rows, first = [], None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw)
        if not line:
            continue
        tokens = _tokens(line, number, source)
        row = [_entry(token, number, column, source) for column, token in enumerate(tokens, start=1)]
        if first is None:
            first = (number, len(row))
        elif len(row) != first[1]:
            raise InputError(
                f"{source}: line {number} has {len(row)} entries but line {first[0]} has {first[1]}; "
                "every row needs the same number of entries"
            )
        rows.append(row)
    if not rows:
        raise InputError(
            f"{source}: no matrix found; expected rows of numbers separated by spaces or commas, "
            "with ? or * for a missing entry"
        )
    return _checked(np.array(rows, dtype=np.float64), source)


def _checked(values: np.ndarray, source: str) -> PartialMatrix:
    if not np.any(~np.isnan(values)):
        raise InputError(f"{source}: no entry is observed; a completion needs at least one number")
    return PartialMatrix(values, source)


def partial_matrix_from_array(array, source: str = "<array>") -> PartialMatrix:
    """A partially observed matrix from a 2-D numeric array with NaN for missing.

    Parameters
    ----------
    array : array_like (n1, n2)
    source : str

    Returns
    -------
    PartialMatrix

    Raises
    ------
    InputError
        Not 2-D, not numeric, an infinite entry (named by row and column), or
        no observed entry.

    Examples
    --------
    >>> partial_matrix_from_array([[1.0, np.nan], [3.0, 4.0]]).num_observed
    3
    >>> partial_matrix_from_array([[1.0, np.inf]])
    Traceback (most recent call last):
    ...
    theory.errors.InputError: <array>: row 1, column 2: inf is not a finite number
    """
    try:
        values = np.array(array, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{source}: not a numeric array; expected numbers with NaN for missing entries") from None
    if values.ndim != 2 or 0 in values.shape:
        raise InputError(f"{source}: expected a non-empty 2-D array, got shape {values.shape}")
    bad = np.argwhere(np.isinf(values))
    if len(bad):
        i, j = (int(v) for v in bad[0])
        raise InputError(f"{source}: row {i + 1}, column {j + 1}: {values[i, j]} is not a finite number")
    return _checked(values, source)


def read_partial_matrix(path: str | os.PathLike) -> PartialMatrix:
    """Read a partially observed matrix from a text file or a ``.npy`` file.

    Parameters
    ----------
    path : path-like
        Text (see :func:`parse_partial_matrix`) or ``.npy`` (NaN for missing).

    Returns
    -------
    PartialMatrix

    Raises
    ------
    InputError
        Missing or unreadable file, binary content, or any error of
        :func:`parse_partial_matrix`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.txt"
    >>> _ = path.write_text("1, 2\\n3, ?\\n")
    >>> read_partial_matrix(path).to_text()
    '1 2\\n3 ?'
    >>> read_partial_matrix(path.parent / "none.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    theory.errors.InputError: ...none.txt: file does not exist
    """
    name = str(path)
    if not os.path.exists(name):
        raise InputError(f"{name}: file does not exist")
    if name.endswith(".npy"):
        try:
            array = np.load(name, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise InputError(f"{name}: not a readable .npy array ({exc})") from None
        return partial_matrix_from_array(array, source=name)
    try:
        with open(name, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise InputError(f"{name}: not a text file; expected rows of numbers (or a .npy array)") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    if "\x00" in text:
        raise InputError(f"{name}: not a text file; expected rows of numbers (or a .npy array)")
    return parse_partial_matrix(text, source=name)


# --------------------------------------------------------------------------- examples


def rank_one_tree_example(n: int = 10, connected: bool = True, seed: int = 0) -> PartialMatrix:
    """An ``n x n`` rank-1 target observed at ``2n - 1`` entries.

    Connected: a uniformly random spanning tree of the complete bipartite graph
    (Aldous-Broder walk), so every entry is determined. Disconnected: two
    components of ``n/2`` rows and ``n/2`` columns each, a spanning tree in each
    plus one extra observation in the first (``2n - 1`` in all), rows and columns
    shuffled. Target ``u v^T`` with ``|u_i|, |v_j|`` in ``[0.5, 1.5]`` and random signs.

    Parameters
    ----------
    n : int
        Even, at least 4 (the disconnected mask needs two blocks with a cycle).
    connected : bool
    seed : int

    Returns
    -------
    PartialMatrix

    Raises
    ------
    InputError
        For an odd or too small ``n``.

    Examples
    --------
    >>> M = rank_one_tree_example(10, connected=True)
    >>> M.num_observed, nx.is_connected(M.graph())
    (19, True)
    >>> M = rank_one_tree_example(10, connected=False)
    >>> M.num_observed, nx.number_connected_components(M.graph()), int(np.linalg.matrix_rank(M.full))
    (19, 2, 1)
    """
    if n < 4 or n % 2:
        raise InputError(f"rank-1 tree example: n must be even and >= 4, got {n}")
    rng = np.random.default_rng(seed)
    target = _rank_one_target(rng, n, n)
    mask = np.zeros((n, n), dtype=bool)
    if connected:
        _random_spanning_tree(rng, range(n), range(n), mask)
    else:
        half = n // 2
        _random_spanning_tree(rng, range(half), range(half), mask)
        _random_spanning_tree(rng, range(half, n), range(half, n), mask)
        free = np.argwhere(~mask[:half, :half])
        i, j = free[rng.integers(len(free))]
        mask[i, j] = True
        rows, cols = rng.permutation(n), rng.permutation(n)
        mask, target = mask[np.ix_(rows, cols)], target[np.ix_(rows, cols)]
    values = np.where(mask, target, np.nan)
    kind = "connected" if connected else "disconnected"
    return PartialMatrix(values, f"rank-1 {n}x{n} target, {2 * n - 1} observations, {kind}", target)


def _rank_one_target(rng, n1: int, n2: int) -> np.ndarray:
    u = rng.uniform(0.5, 1.5, n1) * rng.choice([-1.0, 1.0], n1)
    v = rng.uniform(0.5, 1.5, n2) * rng.choice([-1.0, 1.0], n2)
    return np.outer(u, v)


def _random_spanning_tree(rng, rows, cols, mask) -> None:
    nodes = [("r", i) for i in rows] + [("c", j) for j in cols]
    row_list, col_list = list(rows), list(cols)
    current = nodes[rng.integers(len(nodes))]
    seen = {current}
    while len(seen) < len(nodes):
        side = col_list if current[0] == "r" else row_list
        step = ("c" if current[0] == "r" else "r", side[rng.integers(len(side))])
        if step not in seen:
            seen.add(step)
            i, j = (current[1], step[1]) if current[0] == "r" else (step[1], current[1])
            mask[i, j] = True
        current = step


EXAMPLES = {
    "M1": ("1 2 ?\n3 ? ?\n? ? 5", "disconnected: {r1,r2,c1,c2} and {r3,c3} (arXiv 2405.13721)"),
    "M1-plus-r3c2": ("1 2 ?\n3 ? ?\n? 4 5", "M1 with entry (3,2) observed: connected"),
    "M1-plus-r1c3": ("1 2 4\n3 ? ?\n? ? 5", "M1 with entry (1,3) observed: connected"),
    "M1-blocks": ("1 2 ?\n3 4 ?\n? ? 5", "disconnected, every component complete bipartite"),
    "M4": ("1 2\n3 ?", "connected 2x2; rank-1 completion 6 (arXiv 2405.13721)"),
    "M5": ("1 2\n20 ?", "connected 2x2; rank-1 completion 40 (arXiv 2405.13721)"),
    "rank1-10x10-connected": (None, "rank-1 10x10 target, 19 observations on a spanning tree"),
    "rank1-10x10-disconnected": (None, "rank-1 10x10 target, 19 observations, two components"),
}
"""Built-in examples: name -> (text, description); text None for generated ones."""


def example_matrix(name: str) -> PartialMatrix:
    """A built-in example by name (see :data:`EXAMPLES`).

    Parameters
    ----------
    name : str

    Returns
    -------
    PartialMatrix

    Raises
    ------
    InputError
        For an unknown name, listing the known ones.

    Examples
    --------
    >>> print(example_matrix("M1").to_text())
    1 2 ?
    3 ? ?
    ? ? 5
    >>> example_matrix("M9")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    theory.errors.InputError: --example: unknown example 'M9'; expected one of M1, M1-plus-r3c2, ...
    """
    if name not in EXAMPLES:
        raise InputError(f"--example: unknown example {name!r}; expected one of {', '.join(EXAMPLES)}")
    text, description = EXAMPLES[name]
    if text is None:
        matrix = rank_one_tree_example(10, connected=name.endswith("-connected"), seed=0)
        return PartialMatrix(matrix.values, f"{name}: {description}", matrix.full)
    return parse_partial_matrix(text, source=f"{name}: {description}")


# --------------------------------------------------------------------------- observed-entry rank


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
        raise InputError(f"--rank must be between 0 and min(n1, n2, k) = {min(n1, n2, k)}, got {target_rank}")
    return parse_spec(f"mf:n1={n1},k={k},n2={n2}")


@dataclass
class ObservedRank:
    """Rank of the observed-entry Jacobian at a generic rank-``r`` point.

    Attributes
    ----------
    result : RankResult
        From the rank engine; its upper bound is the graph bound when it is
        proven at the point (``k == r``).
    target_rank : int
    spec : Spec
    num_observed : int
    manifold_dim : ClosedForm
        ``r (n1 + n2 - r)``, the dimension of the rank-``r`` matrices.
    graph_bound : int
        :func:`theory.observation_graph.observed_rank_bound`.
    rank_one_count : ClosedForm or None
        ``V - C`` for ``r = 1``.

    Examples
    --------
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
        """Certainty of the rank (see :class:`numerics.rank.RankResult`).

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
    """Points on the rank-``r`` stratum from :func:`numerics.stratum_points.mf_target_point`.

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


def observed_jacobian_rank(
    mask,
    target_rank: int = 1,
    k: Optional[int] = None,
    seed: int = 0,
    certify: bool = True,
    tries: int = POINT_TRIES,
) -> ObservedRank:
    """Rank of the Jacobian of the observed entries of ``A B`` at a generic rank-``r`` point.

    The points are :func:`target_points`; the rank is measured by
    :func:`numerics.rank.jacobian_rank` with the one-hot inputs of the
    observed entries, and the largest over the points is kept (the rank at a
    point never exceeds the generic rank). The points lie exactly on the
    rank-``r`` stratum, so the graph bound
    (:func:`theory.observation_graph.observed_rank_bound`) is a proven upper
    bound there; the search stops as soon as it is reached, and when the
    engine's proven lower bound meets it the rank is ``certified``.

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
        Ask the engine for a proven lower bound.
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
    >>> res.rank, res.manifold_dim.value, res.locally_unique
    (8, 8, True)
    """
    mask = np.asarray(mask, dtype=bool)
    entries = _mask_entries(mask)
    if not entries:
        raise InputError("no entry is observed; the observed-entry Jacobian is empty")
    spec = completion_spec(mask.shape, target_rank, k)
    graph = observation_graph(mask)
    bound = observed_rank_bound(graph, target_rank)
    X = entry_inputs(entries, mask.shape)
    best = None
    for count, (used, point) in enumerate(target_points(spec, target_rank, seed, tries), start=1):
        result = jacobian_rank(spec, point, X, certify=certify)
        if best is None or (result.rank or -1) > (best.rank or -1):
            best = result
            best.methods.append(f"point mf_target_point(seed={used})")
        if best.rank is not None and best.rank >= bound:
            break
    if count > 1:
        best.methods.append(f"largest rank over {count} points")
    _attach_graph_bound(best, bound)
    return ObservedRank(
        best,
        target_rank,
        spec,
        len(entries),
        mf.target_rank_formula(spec, target_rank),
        bound,
        rank_one_observed_rank(graph) if target_rank == 1 else None,
    )


def _attach_graph_bound(result: RankResult, bound: int) -> None:
    if result.upper_bound is None or bound < result.upper_bound:
        result.upper_bound = bound
        result.upper_method = "graph bound: block-diagonal over components, min(edges, sub-factorization rank) each"
    if result.rank is None:
        return
    if result.rank > bound:
        result.warnings.append(
            f"measured rank {result.rank} exceeds the proven graph bound {bound}: rank undecided"
        )
        result.rank, result.certainty = None, "undecided"
    elif result.rank == bound and result.lower_bound == result.rank:
        result.certainty = "certified"


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
        return [(int(i), int(j)) for i, j in zip(*np.nonzero(~self.determined))]


def determined_entries(
    mask, target_rank: int = 1, k: Optional[int] = None, seed: int = 0, tries: int = POINT_TRIES
) -> DeterminedEntries:
    """Entries determined by the observed ones, locally at a generic rank-``r`` point.

    An unobserved entry is locally determined iff adding its gradient row to
    the observed-entry Jacobian does not raise the rank. Ranks are read by the
    engine's decision rule (:func:`numerics.rank.decide_spectrum`) on the
    float64 Jacobian, and an ambiguous spectrum is recomputed by
    :func:`numerics.rank.jacobian_rank` (high precision).

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
        For an impossible rank or an empty mask, or when a rank stays undecided.

    Examples
    --------
    >>> bool(determined_entries([[1, 1, 1], [1, 1, 1], [1, 1, 0]], 2).determined.all())
    True
    >>> determined_entries([[1, 1, 1], [1, 1, 0], [1, 0, 0]], 2).undetermined()  # 6 < 8 observations
    [(1, 2), (2, 1), (2, 2)]
    """
    mask = np.asarray(mask, dtype=bool)
    observed = _mask_entries(mask)
    if not observed:
        raise InputError("no entry is observed; nothing can be determined")
    spec = completion_spec(mask.shape, target_rank, k)
    everything = [(i, j) for i in range(mask.shape[0]) for j in range(mask.shape[1])]
    X_all = entry_inputs(everything, mask.shape)
    position = {entry: n for n, entry in enumerate(everything)}
    unobserved = [entry for entry in everything if not mask[entry]]
    base, candidates, verdict = -1, [], {}
    for _, point in target_points(spec, target_rank, seed, tries):
        J_all = jacobian(spec, flat_point(spec, point), X_all)

        def rank_of(entries) -> tuple[int, str]:
            J = J_all[[position[e] for e in entries]]
            decision = decide_spectrum(np.linalg.svd(J, compute_uv=False), J.shape, FLOAT64_EPS)
            if decision.clear:
                return decision.rank, "float64-gap"
            result = jacobian_rank(spec, point, entry_inputs(entries, mask.shape), certify=False)
            if result.rank is None:
                raise InputError(f"rank of the observed-entry Jacobian undecided for entries {entries}")
            return result.rank, result.certainty

        rank, how = rank_of(observed)
        if rank < base:
            continue  # a special point: its verdicts say nothing about the generic ones
        if rank > base:
            base, candidates, verdict = rank, list(unobserved), {}
        full_rank, _ = rank_of(everything)
        for entry in list(candidates):
            if rank == full_rank:  # the observed rows span every entry's gradient
                verdict[entry] = (True, how)
                continue
            augmented, how_entry = rank_of(observed + [entry])
            verdict[entry] = (augmented == rank, how_entry)
            if augmented > rank:  # at a point of the largest rank, a rise is a generic rise
                candidates.remove(entry)
    determined = mask.copy()
    certainty = np.where(mask, "observed", "").astype(object)
    for entry, (fixed, how) in verdict.items():
        determined[entry] = fixed
        certainty[entry] = how
    return DeterminedEntries(determined, certainty, target_rank, base)


# --------------------------------------------------------------------------- reference completions


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
    residual = np.abs(matrix - np.nan_to_num(values))[observed]
    violation = float(residual.max())
    consistent = bool(violation <= rtol * max(1.0, float(np.abs(values[observed]).max())))
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
    >>> X, res = alternating_least_squares(example_matrix("M1-blocks"), 2)
    >>> res < 1e-9, int(np.linalg.matrix_rank(X, tol=1e-8))
    (True, 2)
    """
    values, mask = np.nan_to_num(partial.values), partial.mask
    scale = max(1.0, float(np.abs(values[mask]).max()))
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
        residual = float(np.abs(U @ V.T - values)[mask].max())
        if residual <= tol * scale:
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
    scale = max(1.0, float(np.abs(values[mask]).max()))
    best = None
    for rank in range(max(1 if one is None else 2, bound), max_rank + 1):
        for restart in range(restarts):
            matrix, residual = alternating_least_squares(partial, rank, seed=seed + restart)
            if best is None or residual < best[1]:
                best = (matrix, residual, rank)
            if residual <= FIT_RTOL * scale:
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
            violation = float(np.abs(raw[mask] - values[mask]).max())
            matrix = np.where(mask, values, raw)
            return NuclearNormCompletion(matrix, nuclear_norm(matrix), violation, name, problem.status)
        tried.append(f"{name}: {problem.status}")
    raise InputError(f"nuclear-norm completion failed ({'; '.join(tried)})")


@dataclass
class ComponentCompletions:
    """Reference completions of one component's block.

    Attributes
    ----------
    component : theory.observation_graph.ObservationComponent
    lowest_rank : LowestRankCompletion
    nuclear : NuclearNormCompletion

    Examples
    --------
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
        In the order of :func:`theory.observation_graph.observation_components`.

    Examples
    --------
    >>> blocks = completions_per_component(example_matrix("M1"))
    >>> [round(float(b.nuclear.matrix[-1, -1]), 4) for b in blocks]
    [1.0, 5.0]
    """
    out = []
    for component in observation_components(partial.graph()):
        block = partial.block(component.rows, component.columns)
        out.append(ComponentCompletions(component, lowest_rank_completion(block), nuclear_norm_completion(block)))
    return out
