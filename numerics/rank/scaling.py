"""Finite checks and power-of-two equilibration of a Jacobian.

A Jacobian whose entries span many orders of magnitude (an ``exp`` neuron
with a large weight next to a small one) hides independent columns under the
float64 noise ceiling of the largest entry. Scaling rows and columns by powers
of two changes no rank and no sign of a minor's determinant, and is exact in
every binary precision, so the decision and the proofs may be made on the
scaled matrix. Scaling is applied only when the row or column norms span more
than :data:`SCALE_SPREAD`: a column made only of rounding residue is then not
blown up to look like signal.
"""

from __future__ import annotations

import numpy as np

from rankstrat.theory.errors import InputError

SCALE_SPREAD = 1e8
"""Ratio of largest to smallest nonzero row (or column) norm above which the matrix is equilibrated."""


def require_finite(J: np.ndarray, what: str = "the Jacobian") -> None:
    """Raise :class:`InputError` when ``J`` holds an infinity or a NaN.

    Examples
    --------
    >>> require_finite(np.ones((2, 2)))
    >>> require_finite(np.array([[1.0, np.inf]]))
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: the Jacobian is not finite at this point (1 of 2 entries overflow to inf or are NaN): the rank cannot be measured there; use a point with smaller parameter values
    """
    bad = int(np.size(J) - np.count_nonzero(np.isfinite(J)))
    if bad:
        raise InputError(
            f"{what} is not finite at this point ({bad} of {np.size(J)} entries overflow to inf or are NaN): "
            "the rank cannot be measured there; use a point with smaller parameter values"
        )


def _power_of_two_scales(norms: np.ndarray) -> np.ndarray:
    scales = np.ones_like(norms)
    nonzero = norms > 0
    scales[nonzero] = np.exp2(-np.round(np.log2(norms[nonzero])))
    return scales


def _spread(norms: np.ndarray) -> float:
    nonzero = norms[norms > 0]
    return float(nonzero.max() / nonzero.min()) if len(nonzero) else 1.0


def equilibrate(J: np.ndarray, rounds: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Power-of-two row and column scales making ``diag(r) J diag(c)`` balanced.

    Returns all-ones scales when the row and column norms of ``J`` span less
    than :data:`SCALE_SPREAD` (nothing to fix).

    Parameters
    ----------
    J : array (n, M)
        Finite.
    rounds : int
        Alternating row/column passes.

    Returns
    -------
    (ndarray (n,), ndarray (M,))
        Powers of two.

    Examples
    --------
    >>> J = np.array([[1e200, 1.0], [1e200, 2.0]])
    >>> r, c = equilibrate(J)
    >>> int(np.linalg.matrix_rank(J)), int(np.linalg.matrix_rank(r[:, None] * J * c[None, :]))
    (1, 2)
    >>> equilibrate(np.eye(2))[1].tolist()
    [1.0, 1.0]
    """
    J = np.abs(np.asarray(J, dtype=np.float64))
    rows, cols = np.ones(J.shape[0]), np.ones(J.shape[1])
    if max(_spread(J.max(axis=1, initial=0.0)), _spread(J.max(axis=0, initial=0.0))) <= SCALE_SPREAD:
        return rows, cols
    for _ in range(rounds):
        scaled = rows[:, None] * J * cols[None, :]
        rows *= _power_of_two_scales(scaled.max(axis=1, initial=0.0))
        scaled = rows[:, None] * J * cols[None, :]
        cols *= _power_of_two_scales(scaled.max(axis=0, initial=0.0))
    return rows, cols
