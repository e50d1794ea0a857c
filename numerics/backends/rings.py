"""Batched scalar rings for the forward map: one value per input, vectorised.

- :class:`ModArray`: integers modulo the prime ``2^31 - 1`` (int64 arrays).
  A float is the rational ``m 2^e``; :func:`mod_from_float` maps it exactly to
  ``m 2^e mod p`` (``2`` is invertible), so ring maps commute with the
  forward map and a rank modulo ``p`` is at most the rank over the rationals.
- :class:`Ball`: float64 midpoint-radius intervals with rigorous rounding
  error bounds (round-to-nearest arithmetic; every radius is an upper bound,
  inflated for the rounding of its own computation and for underflow). The
  true real value always lies in ``[mid - rad, mid + rad]``.
"""

from __future__ import annotations

import numpy as np

PRIME = 2**31 - 1
"""Modulus of :class:`ModArray`: products of residues fit in int64."""
UNIT = 2.0**-53
"""Unit roundoff of float64."""
ETA = 2.0**-1074
"""Smallest positive subnormal float64 (absolute error of an underflow)."""


def inflate(x):
    """An upper bound of a nonnegative quantity computed with a few rounded operations.

    Covers up to eight round-to-nearest operations on nonnegative terms and an
    underflow in each.

    Examples
    --------
    >>> bool(inflate(1.0) > 1.0)
    True
    """
    return np.asarray(x, dtype=np.float64) * (1.0 + 32 * UNIT) + 8 * ETA


def deflate(x):
    """A lower bound of a quantity computed with a few rounded operations (the
    counterpart of :func:`inflate`).

    Examples
    --------
    >>> float(deflate(1.0)) < 1.0
    True
    """
    return np.asarray(x, dtype=np.float64) * (1.0 - 32 * UNIT) - 8 * ETA


class ModArray:
    """Residues modulo :data:`PRIME`, elementwise.

    Examples
    --------
    >>> a = ModArray(np.array([3, 5]))
    >>> (a * a + ModArray(1)).values.tolist()
    [10, 26]
    >>> (-a).values.tolist()
    [2147483644, 2147483642]
    """

    __slots__ = ("values",)
    __array_ufunc__ = None

    def __init__(self, values):
        self.values = np.mod(np.asarray(values, dtype=np.int64), PRIME)

    @classmethod
    def _raw(cls, values):
        out = cls.__new__(cls)
        out.values = values
        return out

    def __add__(self, other):
        if not isinstance(other, ModArray):
            return NotImplemented
        return ModArray._raw((self.values + other.values) % PRIME)

    def __sub__(self, other):
        if not isinstance(other, ModArray):
            return NotImplemented
        return ModArray._raw((self.values - other.values) % PRIME)

    def __neg__(self):
        return ModArray._raw((-self.values) % PRIME)

    def __mul__(self, other):
        if isinstance(other, int):
            other = ModArray(other)
        if not isinstance(other, ModArray):
            return NotImplemented
        return ModArray._raw((self.values * other.values) % PRIME)

    __rmul__ = __mul__

    def one(self):
        return ModArray._raw(np.int64(1))


def mod_from_float(x) -> np.ndarray:
    """Exact residues modulo :data:`PRIME` of float64 values (as rationals ``m 2^e``).

    Examples
    --------
    >>> mod_from_float(np.array([3.0, -1.0, 0.5])).tolist()  # 1/2 = (p + 1) / 2
    [3, 2147483646, 1073741824]
    """
    x = np.asarray(x, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError("residues of non-finite values")
    mantissa, exponent = np.frexp(x)
    m = (mantissa * 2.0**53).astype(np.int64)  # exact: |mantissa| < 1
    e = exponent.astype(np.int64) - 53
    # 2^31 = 1 mod p, so 2^e = 2^(e mod 31).
    return (np.mod(m, PRIME) * np.left_shift(np.int64(1), np.mod(e, 31))) % PRIME


class Ball:
    """Float64 midpoint-radius intervals with rigorous rounding bounds.

    Examples
    --------
    >>> from fractions import Fraction
    >>> c = Ball(0.1) * Ball(0.1) - Ball(0.01)
    >>> exact = Fraction(0.1) ** 2 - Fraction(0.01)   # the floats' exact values
    >>> abs(exact - Fraction(float(c.mid))) <= Fraction(float(c.rad))
    True
    >>> float((Ball(1.0, 0.5) * Ball(2.0)).rad) >= 1.0
    True
    """

    __slots__ = ("mid", "rad")
    __array_ufunc__ = None

    def __init__(self, mid, rad=0.0):
        self.mid = np.asarray(mid, dtype=np.float64)
        self.rad = np.asarray(rad, dtype=np.float64)

    def __add__(self, other):
        if not isinstance(other, Ball):
            return NotImplemented
        mid = self.mid + other.mid
        return Ball(mid, inflate(self.rad + other.rad + UNIT * np.abs(mid)))

    def __sub__(self, other):
        if not isinstance(other, Ball):
            return NotImplemented
        mid = self.mid - other.mid
        return Ball(mid, inflate(self.rad + other.rad + UNIT * np.abs(mid)))

    def __neg__(self):
        return Ball(-self.mid, self.rad)

    def __mul__(self, other):
        if isinstance(other, int):
            other = Ball(float(other))
        if not isinstance(other, Ball):
            return NotImplemented
        mid = self.mid * other.mid
        rad = np.abs(self.mid) * other.rad + self.rad * np.abs(other.mid) + self.rad * other.rad
        return Ball(mid, inflate(rad + UNIT * np.abs(mid)))

    __rmul__ = __mul__

    def one(self):
        return Ball(1.0)

    def contains(self, x) -> np.ndarray:
        """Elementwise ``|x - mid| <= rad`` (checked in float; for tests).

        Examples
        --------
        >>> bool(Ball(1.0, 0.1).contains(1.05))
        True
        """
        return np.abs(np.asarray(x, dtype=np.float64) - self.mid) <= self.rad
