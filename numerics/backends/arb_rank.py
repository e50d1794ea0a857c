"""Rank decisions at high precision with flint ball matrices (Schur complements).

The Jacobian is evaluated in ``arb`` balls at ``p`` bits from the exact point
(the forward map on the ``arb`` backend for family models, the model's arb
code for user models), its rows and columns are scaled by powers of two to a
largest entry in ``[1/2, 1)`` (exact), and a pivot block ``J11`` of ``r``
rows and columns is chosen by QR with column pivoting of the midpoints. Then,
in flint's C matrix routines:

- ``J11.solve(J12)`` succeeding proves ``J11`` invertible: ``rank >= r`` (a
  proof, at the exact point);
- the Schur complement ``S = J22 - J21 J11^-1 J12`` has
  ``rank J = r + rank S``. An entry of ``S`` whose ball excludes 0 proves
  ``rank >= r + 1``: the block grows by that entry's row and column. When
  every entry of ``S`` is at most the signal floor ``sqrt(eps)``
  (``eps = 2^-p``), ``S`` is indistinguishable from 0 at this precision and the
  decision is ``r``, *clear*; otherwise (entries above the floor whose balls
  still contain 0) the precision cannot tell: not clear.

As with singular values, a decision ``r`` at one precision is evidence, not a
proof that ``S = 0``; the engine asks several successive precisions to agree
(a genuinely nonzero ``S`` below one precision's floor shows above a later
one's). Only the lower bound ``r`` is a proof. The cost is one ``r x r``
solve and one product, all in C, instead of a pure-Python SVD.

Examples
--------
>>> import flint
>>> A = flint.arb_mat([[1, 2, 3], [2, 4, 6], [1, 0, 1]])
>>> d = schur_decision(A, 60, hint=3)
>>> d.rank, d.clear, d.proven
(2, True, 2)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg

ARB_GUARD_BITS = 16
"""Bits added to the working precision of ``dps`` decimal digits."""


@dataclass(frozen=True)
class SchurDecision:
    """Rank decided from a pivot block and its Schur complement.

    Attributes
    ----------
    rank : int
        Size of the pivot block.
    clear : bool
        True when the Schur complement is below the signal floor.
    proven : int
        A proven lower bound (the largest block proven invertible).
    residual : float
        Upper bound of the largest entry of the Schur complement (0 when empty).
    floor : float
        The signal floor ``sqrt(2^-p)``.

    Examples
    --------
    >>> SchurDecision(2, True, 2, 0.0, 1e-30).rank
    2
    """

    rank: int
    clear: bool
    proven: int
    residual: float
    floor: float


def bits_for(dps: int) -> int:
    """Working precision in bits for ``dps`` decimal digits.

    Examples
    --------
    >>> bits_for(30)
    116
    """
    return math.ceil(dps * math.log2(10)) + ARB_GUARD_BITS


def _exponent(x) -> int | None:
    """``e`` with ``2^(e-1) <= u < 2^e`` for the upper bound ``u`` of ``|x|``
    (midpoint plus radius); None for the exact ball 0.

    Scaling by the upper bound, not the midpoint, matters for balls that are
    mostly radius (``tanh'`` at a huge pre-activation is ``[0 +/- 1e-130000]``):
    scaled up, their radius shows in the Schur complement, which then cannot
    look like 0."""
    upper = abs(x).upper()
    if not upper.is_finite():
        raise ValueError("a Jacobian entry is not finite in ball arithmetic")
    mantissa, exponent = upper.mid().man_exp()
    mantissa = int(mantissa)
    return None if mantissa == 0 else int(exponent) + abs(mantissa).bit_length()


def equilibrated(entries: list) -> tuple[list, np.ndarray]:
    """Scale columns, then rows, by powers of two (exact) to a largest magnitude
    (upper bound of ``|x|``) in ``[1/2, 1)``; returns the scaled rows and their
    float64 midpoints.

    Parameters
    ----------
    entries : list of lists of arb

    Returns
    -------
    rows : list of lists of arb
    mid : array (n, M)

    Raises
    ------
    ValueError
        When an entry is not finite.

    Examples
    --------
    >>> import flint
    >>> rows, mid = equilibrated([[flint.arb("1e-400"), flint.arb(3)], [flint.arb("3e-400"), flint.arb(1)]])
    >>> mid.round(3).tolist()
    [[0.293, 0.75], [0.879, 0.25]]
    """
    import flint

    n, M = len(entries), len(entries[0]) if entries else 0
    exps = [[_exponent(x) for x in row] for row in entries]
    col = [max((exps[i][j] for i in range(n) if exps[i][j] is not None), default=0) for j in range(M)]
    scaled_exps = [[None if e is None else e - col[j] for j, e in enumerate(row)] for row in exps]
    row_shift = [max((e for e in row if e is not None), default=0) for row in scaled_exps]
    two = flint.arb(2)
    rows = [[x * two ** (-(col[j] + row_shift[i])) for j, x in enumerate(entries[i])] for i in range(n)]
    mid = np.array([[float(x.mid()) for x in row] for row in rows], dtype=np.float64).reshape(n, M)
    return rows, mid


FLOAT_RANK_TOLERANCE = 2.0**-40
"""Relative size of the pivots of the midpoints' QR that the starting block keeps."""


def _starting_block(mid: np.ndarray, hint: int) -> tuple[list, list]:
    """Rows and columns of a well-conditioned starting block, by one pivoted QR
    of the midpoints: at most ``hint`` pivots, and only those above
    :data:`FLOAT_RANK_TOLERANCE` of the first (a rank hidden from float64 is
    found by growing the block)."""
    if mid.size == 0 or hint <= 0:
        return [], []
    R, col_order = scipy.linalg.qr(mid, mode="r", pivoting=True)
    diagonal = np.abs(np.diag(R))
    r = min(hint, int(np.sum(diagonal > FLOAT_RANK_TOLERANCE * diagonal[0])) if diagonal[0] > 0 else 0)
    if r == 0:
        return [], []
    cols = [int(c) for c in col_order[:r]]
    _, row_order = scipy.linalg.qr(mid[:, cols].T, mode="r", pivoting=True)
    return [int(i) for i in row_order[:r]], cols


def _schur(A, rows: list, cols: list):
    """``(S, other_rows, other_cols)``, or None when ``A[rows, cols]`` is not proven invertible."""
    import flint

    chosen_rows, chosen_cols = set(rows), set(cols)
    other_rows = [i for i in range(A.nrows()) if i not in chosen_rows]
    other_cols = [j for j in range(A.ncols()) if j not in chosen_cols]

    def block(rs, cs):
        return flint.arb_mat([[A[i, j] for j in cs] for i in rs]) if rs and cs else None

    if not other_rows or not other_cols:
        if rows:
            try:
                block(rows, cols).solve(flint.arb_mat(len(rows), 1))
            except ZeroDivisionError:
                return None
        return [], other_rows, other_cols
    A22 = block(other_rows, other_cols)
    if not rows:
        return A22, other_rows, other_cols
    try:
        Z = block(rows, cols).solve(block(rows, other_cols))
    except ZeroDivisionError:
        return None
    return A22 - block(other_rows, cols) * Z, other_rows, other_cols


def schur_decision(A, dps: int, hint: int) -> SchurDecision:
    """Decide the rank of the ball matrix ``A`` at ``dps`` digits (module docstring).

    Parameters
    ----------
    A : flint.arb_mat
        Entries computed at :func:`bits_for` ``(dps)`` bits (or more); the
        decision works at that precision.
    dps : int
    hint : int
        The largest starting block size (for instance the float64 estimate);
        it is cut to the midpoints' numerical rank, then grows or shrinks.

    Returns
    -------
    SchurDecision

    Examples
    --------
    >>> import flint
    >>> d = schur_decision(flint.arb_mat([[1, 2], [3, 4]]), 30, hint=1)   # the block grows
    >>> d.rank, d.clear, d.proven
    (2, True, 2)
    >>> wide = flint.arb(4, 1e-3)   # an entry known only to +/- 0.001: rank 1 or 2
    >>> d = schur_decision(flint.arb_mat([[1, 2], [2, wide]]), 30, hint=1)
    >>> d.rank, d.clear, d.proven
    (1, False, 1)
    """
    import flint

    with flint.ctx.workprec(bits_for(dps)):
        return _decide(A, dps, hint)


def _decide(A, dps: int, hint: int) -> SchurDecision:
    import flint

    n, M = A.nrows(), A.ncols()
    floor = 2.0 ** (-bits_for(dps) / 2)
    entries = [[A[i, j] for j in range(M)] for i in range(n)]
    rows_arb, mid = equilibrated(entries)
    scaled = flint.arb_mat(rows_arb) if n and M else A
    rows, cols = _starting_block(mid, hint)
    proven, failed = 0, set()
    for _ in range(2 * min(n, M) + 2):
        out = _schur(scaled, rows, cols)
        if out is None:  # the block is not proven invertible: shrink it
            failed.add(len(rows))
            if not rows:
                break
            rows, cols = rows[:-1], cols[:-1]
            continue
        proven = max(proven, len(rows))
        S, other_rows, other_cols = out
        if not other_rows or not other_cols:
            return SchurDecision(len(rows), True, proven, 0.0, floor)
        values = [[S[i, j] for j in range(S.ncols())] for i in range(S.nrows())]
        largest = max(float(abs(x).upper()) for row in values for x in row)
        nonzero = [(abs(float(x.mid())), i, j) for i, row in enumerate(values) for j, x in enumerate(row) if not x.contains(0)]
        if not nonzero:
            return SchurDecision(len(rows), largest <= floor, proven, largest, floor)
        if len(rows) + 1 in failed:
            return SchurDecision(len(rows), False, proven, largest, floor)
        _, i, j = max(nonzero)
        rows, cols = rows + [other_rows[i]], cols + [other_cols[j]]
    return SchurDecision(len(rows), False, proven, math.inf, floor)
