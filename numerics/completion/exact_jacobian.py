"""The observed-entry Jacobian of ``A B`` at an exact rational point, and its
exact rank over the rationals (python-flint).

The entry ``(i, j)`` of ``A B`` is ``sum_l A[i, l] B[l, j]``: its gradient has
``B[l, j]`` at ``A[i, l]`` and ``A[i, l]`` at ``B[l, j]`` and nothing else. A
float64 point is a point of rationals (every float is one), so the Jacobian at
that point is an integer matrix after one common scaling, and its rank is
computed exactly (fraction-free elimination over the integers): a proven lower
and upper bound at once, at the stated point.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm

import numpy as np


def _exact(values) -> list:
    return [Fraction(float(v)) for v in np.asarray(values, dtype=float).reshape(-1)]


def exact_observed_jacobian(A, B, entries) -> list:
    """Rows of the observed-entry Jacobian at ``(A, B)``, as exact fractions.

    Columns: the entries of ``A`` (row-major), then those of ``B``.

    Parameters
    ----------
    A : array (n1, k)
    B : array (k, n2)
    entries : sequence of (i, j)
        Observed entries, 0-based.

    Returns
    -------
    list of list of Fraction

    Examples
    --------
    >>> rows = exact_observed_jacobian([[2.0]], [[0.5, 1.0]], [(0, 1)])
    >>> [str(v) for v in rows[0]]
    ['1', '0', '2']
    """
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    n1, k = A.shape
    n2 = B.shape[1]
    a, b = _exact(A), _exact(B)
    rows = []
    for i, j in entries:
        row = [Fraction(0)] * (n1 * k + k * n2)
        for l in range(k):
            row[i * k + l] = b[l * n2 + j]
            row[n1 * k + l * n2 + j] = a[i * k + l]
        rows.append(row)
    return rows


def exact_rank(rows: list) -> int:
    """Rank over the rationals of a matrix of fractions, exactly.

    The rows are scaled by the common denominator and the integer matrix is
    reduced by python-flint (``fmpz_mat.rank``, fraction-free elimination).

    Parameters
    ----------
    rows : list of list of Fraction

    Returns
    -------
    int

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> exact_rank([[F(1, 3), F(2, 3)], [F(1), F(2)]]), exact_rank([[F(1), F(0)], [F(0), F(1, 7)]])
    (1, 2)
    >>> exact_rank([])
    0
    """
    import flint

    if not rows or not rows[0]:
        return 0
    scale = lcm(*(v.denominator for row in rows for v in row))
    integers = [[int(v * scale) for v in row] for row in rows]
    return int(flint.fmpz_mat(integers).rank())


def exact_observed_rank(point: dict, entries) -> int:
    """Exact rank of the observed-entry Jacobian at an ``mf`` depth-2 point.

    Parameters
    ----------
    point : dict
        ``{"A": (n1, k), "B": (k, n2)}``.
    entries : sequence of (i, j)

    Returns
    -------
    int

    Examples
    --------
    >>> exact_observed_rank({"A": np.ones((2, 1)), "B": np.ones((1, 2))}, [(0, 0), (0, 1), (1, 0)])
    3
    >>> exact_observed_rank({"A": np.ones((2, 1)), "B": np.ones((1, 2))}, [(0, 0), (1, 1)])
    2
    """
    return exact_rank(exact_observed_jacobian(point["A"], point["B"], entries))
