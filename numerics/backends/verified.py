"""Verified lower bounds of the rank of a matrix known up to entrywise balls.

Method (a Rump-style verification, all in float64 BLAS). The true matrix
``J`` satisfies ``|J - A| <= R`` entrywise (midpoints ``A``, radii ``R``,
e.g. from the ball forward map). To prove ``rank J >= r``:

1. choose ``r`` columns ``c`` by QR with column pivoting of ``A`` and keep the
   triangular factor ``T`` of ``A_c = A[:, c]``;
2. ``S = T^-1`` (any float matrix will do: it is a preconditioner and only
   its float values enter the bounds); ``B = fl(A_c S)``, ``G = fl(B^T B)``;
3. with ``gamma_k = k u / (1 - k u)`` and the standard bound
   ``|fl(X Y) - X Y| <= gamma_k |X| |Y|`` (any summation order, with or
   without FMA; no Strassen-type products), ``||A_c S - B||_2 <= e1 =
   gamma_r ||A_c||_F ||S||_F`` and ``||I - B^T B||_2 <= beta = ||fl(I - G)||_F
   + gamma_n ||B||_F^2``;
4. if ``beta < 1``: ``sigma_min(B) >= sqrt(1 - beta)``, so
   ``sigma_min(A_c) >= (sqrt(1 - beta) - e1) / ||S||_2`` (``||S||_2`` bounded
   by :func:`spectral_upper`) and
   ``sigma_min(J_c) >= sigma_min(A_c) - ||R_c||_F``. A positive result proves
   that ``r`` columns of ``J`` are independent: ``rank J >= r``.

Every norm is rounded upward and every lower bound downward
(:func:`~rankstrat.numerics.backends.rings.inflate`,
:func:`~rankstrat.numerics.backends.rings.deflate`, with absolute terms for
underflow). The cost is one pivoted QR and two ``n r^2`` products, a small
multiple of one SVD. It fails (proves nothing) when ``A_c`` is too
ill-conditioned, roughly ``cond > 1 / (r^2 u)``.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg

from rankstrat.numerics.backends.rings import ETA, UNIT, deflate, inflate


def gamma(k: int) -> float:
    """Upward bound of ``k u / (1 - k u)``.

    Examples
    --------
    >>> gamma(10) > 10 * 2.0**-53
    True
    """
    return float(inflate(k * UNIT / (1.0 - (k + 1) * UNIT)))


def frobenius_upper(A) -> float:
    """An upper bound of ``||A||_F`` computed in float64.

    Examples
    --------
    >>> frobenius_upper(np.array([[3.0, 4.0]])) >= 5.0
    True
    """
    A = np.asarray(A, dtype=np.float64)
    if A.size == 0:
        return 0.0
    with np.errstate(over="ignore"):  # an overflow gives inf: still an upper bound
        total = float(np.sum(np.square(A)))
    total = total * (1.0 + 2.0 * gamma(A.size + 2)) + A.size * ETA
    return float(inflate(math.sqrt(total)))


def smallest_singular_lower(A, R, triangular=None) -> float:
    """A proven lower bound of ``sigma_min`` of every matrix within ``|J - A| <= R``.

    Parameters
    ----------
    A : array (n, r), n >= r
        Midpoints.
    R : array (n, r)
        Radii (nonnegative).
    triangular : array (r, r), optional
        Triangular QR factor of ``A`` (computed when omitted).

    Returns
    -------
    float
        Positive only when proven; ``0.0`` otherwise.

    Examples
    --------
    >>> A = np.array([[2.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    >>> 0.99 < smallest_singular_lower(A, np.zeros_like(A)) <= 1.0
    True
    >>> smallest_singular_lower(np.array([[1.0, 1.0], [1.0, 1.0]]), np.zeros((2, 2)))
    0.0
    """
    A = np.asarray(A, dtype=np.float64)
    n, r = A.shape
    if r == 0:
        return math.inf
    if n < r:
        return 0.0
    T = scipy.linalg.qr(A, mode="r")[0][:r, :r] if triangular is None else np.asarray(triangular)[:r, :r]
    if not np.all(np.isfinite(T)) or np.any(np.diag(T) == 0):
        return 0.0
    with np.errstate(all="ignore"):
        S = scipy.linalg.solve_triangular(T, np.eye(r))
        if not np.all(np.isfinite(S)):
            return 0.0
        B = A @ S
        G = B.T @ B
    e1 = float(inflate(gamma(r) * frobenius_upper(A) * frobenius_upper(S) + r * r * ETA))
    residual = np.eye(r) - G
    beta = float(inflate(frobenius_upper(residual) + gamma(n) * frobenius_upper(B) ** 2 + n * r * ETA))
    if not beta < 1.0:
        return 0.0
    sigma_B = float(deflate(math.sqrt(float(deflate(1.0 - beta)))))
    sigma_A = float(deflate((sigma_B - e1) / spectral_upper(S)))
    bound = float(deflate(sigma_A - frobenius_upper(R)))
    return bound if bound > 0 else 0.0


def spectral_upper(S) -> float:
    """An upper bound of ``||S||_2``: the smaller of ``||S||_F`` and
    ``sqrt(||S||_1 ||S||_inf)``.

    Examples
    --------
    >>> 1.0 <= spectral_upper(np.diag([1.0, 0.5])) < 1.0 + 1e-12
    True
    """
    S = np.abs(np.asarray(S, dtype=np.float64))
    if S.size == 0:
        return 0.0
    grow = 1.0 + 2.0 * gamma(max(S.shape) + 2)
    one = float(np.max(S.sum(axis=0))) * grow + S.shape[0] * ETA
    inf = float(np.max(S.sum(axis=1))) * grow + S.shape[1] * ETA
    return min(frobenius_upper(S), float(inflate(math.sqrt(float(inflate(one * inf))))))


def choose_columns(A, r: int) -> tuple[np.ndarray, np.ndarray]:
    """``r`` well-conditioned columns of ``A`` by QR with column pivoting, and
    the triangular factor of those columns.

    Examples
    --------
    >>> cols, T = choose_columns(np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 1.0]]), 2)
    >>> sorted(cols.tolist()), T.shape
    ([1, 2], (2, 2))
    """
    R, piv = scipy.linalg.qr(np.asarray(A, dtype=np.float64), mode="r", pivoting=True)
    return np.asarray(piv[:r]), R[:r, :r]


def verified_rank_lower(A, R, r: int) -> bool:
    """Prove ``rank J >= r`` for every ``J`` with ``|J - A| <= R`` (module docstring).

    Parameters
    ----------
    A, R : arrays (n, M)
        Midpoints and radii.
    r : int

    Returns
    -------
    bool
        True when proven.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> A = rng.standard_normal((6, 2)) @ rng.standard_normal((2, 4))   # rank 2 (in floats)
    >>> verified_rank_lower(A, np.zeros_like(A), 2), verified_rank_lower(A, np.zeros_like(A), 3)
    (True, False)
    """
    A = np.asarray(A, dtype=np.float64)
    R = np.asarray(R, dtype=np.float64)
    if r <= 0:
        return True
    n, M = A.shape
    if r > min(n, M):
        return False
    if r == M:
        cols, T = np.arange(M), None
    else:
        cols, T = choose_columns(A, r)
    return smallest_singular_lower(A[:, cols], R[:, cols], T) > 0
