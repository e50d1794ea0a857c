"""Built-in partially observed matrices: the worked examples and generated rank-1 trees.

:data:`EXAMPLES` names them; :func:`example_matrix` builds one by name, and
:func:`rank_one_tree_example` generates an ``n x n`` rank-1 target observed on
a random spanning tree (connected) or on two trees (disconnected).
"""

from __future__ import annotations

import numpy as np

from rankstrat.numerics.completion.observed_matrix import PartialMatrix, parse_partial_matrix
from rankstrat.theory.errors import InputError


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
    >>> import networkx as nx
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
    rankstrat.theory.errors.InputError: --example: unknown example 'M9'; expected one of M1, M1-plus-r3c2, ...
    """
    if name not in EXAMPLES:
        raise InputError(f"--example: unknown example {name!r}; expected one of {', '.join(EXAMPLES)}")
    text, description = EXAMPLES[name]
    if text is None:
        matrix = rank_one_tree_example(10, connected=name.endswith("-connected"), seed=0)
        return PartialMatrix(matrix.values, f"{name}: {description}", matrix.full)
    return parse_partial_matrix(text, source=f"{name}: {description}")

