"""Exact arithmetic in log space: the regularized incomplete beta function,
log-sum-exp and log-diff-exp.

The weighted masses of the error densities (:mod:`rankstrat.theory.curves.error_density`) and
the learning curves built from them (:mod:`rankstrat.theory.curves.learning_curves`) are numbers
like ``10**-45757``; they are kept as natural logarithms, in :mod:`mpmath` at
:data:`DIGITS` digits (or float64 where that is exact enough), and never
underflow.
"""

from __future__ import annotations

import mpmath
import numpy as np

DIGITS = 30
"""Decimal digits of the mpmath computations of the error densities and learning curves."""

_CF_MAX_TERMS = 200_000


def _beta_continued_fraction(x, p, q):
    """Lentz evaluation of the continued fraction of I_x(p, q) (valid for x <= (p+1)/(p+q+2))."""
    tiny = mpmath.mpf(10) ** (-3 * mpmath.mp.dps)
    tol = mpmath.mpf(10) ** (-mpmath.mp.dps)
    c = mpmath.mpf(1)
    d = 1 - (p + q) * x / (p + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, _CF_MAX_TERMS):
        for aa in (m * (q - m) * x / ((p - 1 + 2 * m) * (p + 2 * m)),
                   -(p + m) * (p + q + m) * x / ((p + 2 * m) * (p + 1 + 2 * m))):
            d = 1 + aa * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + aa / c
            c = c if abs(c) > tiny else tiny
            step = d * c
            h *= step
        if abs(step - 1) < tol:
            return h
    raise ArithmeticError(f"incomplete beta continued fraction did not converge (x={x}, p={p}, q={q})")


def _log_beta_lower_direct(x, p, q):
    """log I_x(p, q) by the continued fraction; x must lie below (p+1)/(p+q+2)."""
    log_prefactor = (p * mpmath.log(x) + q * mpmath.log1p(-x) - mpmath.log(p)
                     - (mpmath.loggamma(p) + mpmath.loggamma(q) - mpmath.loggamma(p + q)))
    return log_prefactor + mpmath.log(_beta_continued_fraction(x, p, q))


def log_regularized_beta(x, p, q, upper: bool = False):
    """Natural log of the regularized incomplete beta function, without underflow.

    ``log I_x(p, q)`` (lower tail) or, with ``upper=True``, ``log(1 - I_x(p, q))``.
    The tail that is small is computed directly by a continued fraction, the
    other as ``log1p`` of minus it, so values like ``10**-45757`` come out exact
    to working precision.

    Parameters
    ----------
    x : float or mpmath.mpf
        Point in [0, 1].
    p, q : float or mpmath.mpf
        Positive shape parameters.
    upper : bool
        Return the log of the upper tail instead.

    Returns
    -------
    mpmath.mpf
        ``-inf`` for an empty tail.

    Examples
    --------
    >>> float(mpmath.exp(log_regularized_beta(0.5, 3, 3)))
    0.5
    >>> import math
    >>> x, p = 0.9, 10**6 + 5       # I_x(p, 2) = x^p (p + 1 - p x) in closed form
    >>> round(float(log_regularized_beta(1 - x, 2, p, upper=True)), 6)
    -105349.52952
    >>> round(p * math.log(x) + math.log(p + 1 - p * x), 6)
    -105349.52952
    """
    with mpmath.workdps(DIGITS):
        x, p, q = mpmath.mpf(x), mpmath.mpf(p), mpmath.mpf(q)
        if upper:
            x, p, q = 1 - x, q, p
        if x <= 0:
            return mpmath.ninf
        if x >= 1:
            return mpmath.mpf(0)
        if x <= (p + 1) / (p + q + 2):
            return _log_beta_lower_direct(x, p, q)
        other = _log_beta_lower_direct(1 - x, q, p)
        return mpmath.log1p(-mpmath.exp(other))



def log_diff_exp(log_big, log_small):
    """``log(exp(log_big) - exp(log_small))`` for ``log_big >= log_small`` (mpmath).

    Parameters
    ----------
    log_big, log_small : mpmath.mpf

    Returns
    -------
    mpmath.mpf
        ``-inf`` when ``log_small >= log_big``.

    Examples
    --------
    >>> float(mpmath.exp(log_diff_exp(mpmath.log(5), mpmath.log(2))))
    3.0
    >>> log_diff_exp(mpmath.mpf(-1), mpmath.ninf), log_diff_exp(mpmath.mpf(0), mpmath.mpf(0))
    (mpf('-1.0'), mpf('-inf'))
    """
    if log_small == mpmath.ninf:
        return log_big
    if log_small >= log_big:
        return mpmath.ninf
    return log_big + mpmath.log(-mpmath.expm1(log_small - log_big))


def log_sum_exp(values):
    """``log(sum(exp(v)))`` of mpmath values.

    Parameters
    ----------
    values : iterable of mpmath.mpf

    Returns
    -------
    mpmath.mpf
        ``-inf`` for an empty or all ``-inf`` list.

    Examples
    --------
    >>> float(mpmath.exp(log_sum_exp([mpmath.log(1), mpmath.log(2), mpmath.ninf])))
    3.0
    >>> log_sum_exp([])
    mpf('-inf')
    """
    finite = [v for v in values if v != mpmath.ninf]
    if not finite:
        return mpmath.ninf
    top = max(finite)
    return top + mpmath.log(mpmath.fsum(mpmath.exp(v - top) for v in finite))


def log_sum_exp_array(values, axis=None):
    """``log(sum(exp(values)))`` along ``axis`` in float64.

    Parameters
    ----------
    values : array_like
    axis : int, optional
        Default: over all entries.

    Returns
    -------
    float64 or ndarray
        ``-inf`` for an empty array or where every value is ``-inf``.

    Examples
    --------
    >>> float(log_sum_exp_array(np.log([1.0, 2.0, 3.0])))
    1.791759469228055
    >>> log_sum_exp_array([[0.0, -np.inf], [-np.inf, -np.inf]], axis=1).tolist()
    [0.0, -inf]
    """
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return np.float64(-np.inf)
    top = np.max(values, axis=axis, keepdims=True)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(values - safe), axis=axis, keepdims=True)) + safe
    return np.squeeze(out, axis=axis) if axis is not None else out.reshape(())[()]
