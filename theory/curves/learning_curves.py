"""Learning curves from a true-error density: rare bad global minima, in log space.

A classifier of true error ``eps`` fits ``n`` i.i.d. samples with probability
``(1 - eps)^n``. Among the classifiers of a set with error density ``rho`` that
fit ``n`` samples (zero training error) the density is therefore

.. math::

    \\rho_n(\\epsilon) = \\rho(\\epsilon)(1-\\epsilon)^n / Z_n, \\qquad
    Z_n = \\int_0^1 \\rho(\\epsilon)(1-\\epsilon)^n d\\epsilon .

This module computes, for any :class:`rankstrat.theory.curves.error_density.ErrorDensity`:

- ``log Z_n`` (:func:`log_normaliser`) and ``log rho_n`` (:func:`posterior_log_pdf`);
- the fraction of bad minima ``B_n(eps0) = P_n(eps > eps0)`` (:func:`log_bad_fraction`);
- the learning curve ``E_n[eps] = 1 - Z_{n+1}/Z_n`` (:func:`expected_error`) and
  quantiles of ``rho_n`` (:func:`posterior_quantile`);
- the bound ``B_n(eps0) <= [(1-eps0)/(1-eps1)]^n P(eps>eps0)/P(eps<=eps1)`` with
  the best ``eps1 < eps0`` (:func:`bad_fraction_bound`) and the exponential rate
  at which ``B_n`` decays (:func:`bad_fraction_decay_rate`).

Every quantity comes two ways: ``method="exact"`` uses the density's closed
form (:meth:`~rankstrat.theory.curves.error_density.ErrorDensity.log_mass`), ``method="quad"``
integrates its pdf by tanh-sinh quadrature in mpmath at
:data:`rankstrat.theory.curves.log_space.DIGITS` digits. Both work in log space: ``Z_n`` for
``n = 10**6`` is a number like ``10**-45757`` and never touches a float.

References
----------
J. Martinetz, C. Linse, T. Martinetz, "Rethinking generalization of classifiers
in separable classes scenarios and over-parameterized regimes", IJCNN 2024
(arXiv:2410.16868).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Optional, Sequence

import mpmath
import numpy as np

from rankstrat.theory.curves.error_density import ErrorDensity
from rankstrat.theory.curves.log_space import DIGITS
from rankstrat.theory.errors import InputError

METHODS = ("auto", "exact", "quad")
"""``auto``: the closed form when the density has one, else quadrature."""

LOG10_E = 1 / math.log(10)


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------

def _check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise InputError(f"n={n!r}: expected a non-negative integer (the number of training points)")
    return int(n)


def _check_eps(value, name: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name}={value!r}: expected a number in (0, 1)") from None
    if not 0 < value < 1:
        raise InputError(f"{name}={value!r}: expected a number in (0, 1)")
    return value


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise InputError(f"method={method!r}: expected one of {', '.join(METHODS)}")
    return method


# ---------------------------------------------------------------------------
# quadrature in log space
# ---------------------------------------------------------------------------

def _quadrature_points(density: ErrorDensity, n: int, moment: int, lo: float, hi: float):
    """Breakpoints resolving the peak of the integrand, and a log scale of its integral.

    The integrand's log ``g`` is tabulated in float64 on a grid dense near both
    ends; its trapezoid sum sets the scale, and breakpoints are placed at the
    peak and at 1, 8, 64, ... peak widths from it until ``g`` has dropped by 80
    (a factor ``10**-35``, below the working precision), plus the density's own
    breakpoints.
    """
    rel = np.unique(np.concatenate([np.geomspace(1e-14, 1.0, 300), np.linspace(0.0, 1.0, 301)]))
    rel = rel[(rel > 0) & (rel < 1)]
    grid = np.unique(np.concatenate([lo + (hi - lo) * rel, hi - (hi - lo) * rel]))
    grid = grid[(grid > lo) & (grid < hi)]
    with np.errstate(divide="ignore", invalid="ignore"):
        values = density.log_pdf_values(grid)
        if n:
            values = values + n * np.log1p(-grid)
        if moment:
            values = values + moment * np.log(grid)
    finite = np.isfinite(values)
    if not finite.any():
        return None, None
    values = np.where(finite, values, -np.inf)
    log_widths = np.log(np.gradient(grid))
    top_mass = float(np.max(values + log_widths))
    log_scale = top_mass + math.log(np.sum(np.exp(values + log_widths - top_mass)))
    top = int(np.argmax(values))
    peak = values[top]
    left = top
    while left > 0 and values[left] > peak - 0.5:
        left -= 1
    right = top
    while right < grid.size - 1 and values[right] > peak - 0.5:
        right += 1
    mode = float(grid[top])
    widths = (max(mode - grid[left], 1e-300), max(grid[right] - mode, 1e-300))
    points = {lo, hi, mode}
    points.update(b for b in density.breakpoints() if lo < b < hi)
    for side, width in zip((-1.0, 1.0), widths):
        step = 1.0
        while step < 1e15:
            point = mode + side * step * width
            if not lo < point < hi:
                break
            points.add(point)
            if np.interp(point, grid, values) < peak - 80:
                break
            step *= 8.0
    return sorted(points), log_scale


def quadrature_log_mass(density: ErrorDensity, n: int, lower: Optional[float] = None,
                        upper: Optional[float] = None, moment: int = 0):
    """``log`` of ``integral over (lower, upper] of eps^moment rho(eps)(1 - eps)^n`` by quadrature.

    The integrand is divided by a trapezoid estimate of the integral before
    mpmath's tanh-sinh rule runs (its tolerance is absolute), and the interval
    is split at the density's breakpoints and around the integrand's peak.

    Notes
    -----
    Accurate to about 25 digits for integrands bounded near ``eps = 1``. A pdf
    that is infinite at ``eps = 1`` (Beta with ``b < 1``) and ``n + b < 1``
    loses the part within ``10**-30`` of 1, about ``10**(-30 (n + b))`` relative.

    Parameters
    ----------
    density : ErrorDensity
        Must have a pdf (``density.has_pdf``).
    n : int
    lower, upper : float or None
        None: the ends of the support.
    moment : int
        Power of ``eps`` in the integrand (1 gives the unnormalised mean).

    Returns
    -------
    mpmath.mpf

    Raises
    ------
    InputError
        For a density of point masses.

    Examples
    --------
    >>> from rankstrat.theory.curves.error_density import BetaDensity
    >>> d = BetaDensity(2, 5)
    >>> abs(float(quadrature_log_mass(d, 10**6) - d.log_mass(10**6))) < 1e-20
    True
    """
    n = _check_n(n)
    if not density.has_pdf:
        raise InputError(f"{density.describe()}: quadrature needs a density with a pdf; "
                         "point masses have only the exact method")
    return _cached_quadrature(density, n, None if lower is None else float(lower),
                              None if upper is None else float(upper), int(moment))


@functools.lru_cache(maxsize=512)
def _cached_quadrature(density, n, lower, upper, moment):
    lo, hi = density.support()
    lo = lo if lower is None else max(lo, float(lower))
    hi = hi if upper is None else min(hi, float(upper))
    if hi <= lo:
        return mpmath.ninf
    with mpmath.workdps(DIGITS):
        lo_mp, hi_mp = mpmath.mpf(lo), mpmath.mpf(hi)

        def g(eps):
            with mpmath.workdps(DIGITS):   # quad works at extra precision; the pdf rounds to DIGITS
                eps = +eps
            if eps <= lo_mp or eps >= hi_mp:   # a node rounded onto an end: no mass there
                return mpmath.ninf
            value = density.log_pdf(eps)
            if n:
                value += n * mpmath.log1p(-eps)
            return value + moment * mpmath.log(eps) if moment else value

        points, log_scale = _quadrature_points(density, n, moment, lo, hi)
        if points is None:
            return mpmath.ninf
        integral = mpmath.quad(lambda e: mpmath.exp(g(e) - log_scale), [mpmath.mpf(p) for p in points])
        if integral <= 0:
            return mpmath.ninf
        return mpmath.log(integral) + log_scale


def _log_mass(density, n, lower=None, upper=None, method="auto"):
    method = _check_method(method)
    if method == "quad" or (method == "auto" and not _has_closed_form(density)):
        return quadrature_log_mass(density, n, lower, upper)
    return density.log_mass(n, lower, upper)


def _has_closed_form(density) -> bool:
    try:
        density.log_mass(0)
    except NotImplementedError:
        return False
    return True


# ---------------------------------------------------------------------------
# normaliser, posterior, bad fraction, learning curve
# ---------------------------------------------------------------------------

def log_normaliser(density: ErrorDensity, n: int, method: str = "auto"):
    """``log Z_n``: log of the fraction of the set that fits ``n`` points.

    Parameters
    ----------
    density : ErrorDensity
    n : int
    method : {'auto', 'exact', 'quad'}

    Returns
    -------
    mpmath.mpf

    Examples
    --------
    >>> from rankstrat.theory.curves.error_density import BetaDensity
    >>> round(float(log_normaliser(BetaDensity(1, 1), 1)), 12)   # Z_1 = 1/2
    -0.69314718056
    >>> float(log_normaliser(BetaDensity(2, 5), 10**6)) < -20
    True
    """
    return _log_mass(density, _check_n(n), method=method)


def posterior_log_pdf(density: ErrorDensity, n: int, eps: float, method: str = "auto"):
    """``log rho_n(eps)``, the log density of the error among classifiers fitting ``n`` points.

    Examples
    --------
    >>> from rankstrat.theory.curves.error_density import BetaDensity
    >>> import mpmath
    >>> round(float(mpmath.exp(posterior_log_pdf(BetaDensity(1, 1), 1, 0.25))), 12)  # Beta(1, 2): 2(1-eps)
    1.5
    """
    n = _check_n(n)
    with mpmath.workdps(DIGITS):
        eps = mpmath.mpf(eps)
        return density.log_pdf(eps) + n * mpmath.log1p(-eps) - log_normaliser(density, n, method)


def log_bad_fraction(density: ErrorDensity, n: int, eps0: float, method: str = "auto"):
    """``log B_n(eps0)``: log of the fraction of zero-training-error classifiers with error above ``eps0``.

    Parameters
    ----------
    density : ErrorDensity
    n : int
    eps0 : float
        Threshold of a "bad" minimum, in (0, 1).
    method : {'auto', 'exact', 'quad'}

    Returns
    -------
    mpmath.mpf

    Examples
    --------
    >>> from rankstrat.theory.curves.error_density import BetaDensity
    >>> round(float(log_bad_fraction(BetaDensity(1, 1), 0, 0.5)), 12)
    -0.69314718056
    >>> round(float(log_bad_fraction(BetaDensity(2, 5), 10**6, 0.1)) / 10**6, 4)   # ~ log(0.9)
    -0.1054
    """
    n, eps0 = _check_n(n), _check_eps(eps0, "eps0")
    with mpmath.workdps(DIGITS):
        return _log_mass(density, n, eps0, None, method) - _log_mass(density, n, method=method)


def bad_fraction(density: ErrorDensity, n: int, eps0: float, method: str = "auto"):
    """``B_n(eps0)`` as an mpmath number (no underflow).

    Examples
    --------
    >>> from rankstrat.theory.curves.error_density import BetaDensity
    >>> round(float(bad_fraction(BetaDensity(1, 1), 1, 0.5)), 12)   # Beta(1, 2): (1/2)^2
    0.25
    """
    with mpmath.workdps(DIGITS):
        return mpmath.exp(log_bad_fraction(density, n, eps0, method))


def expected_error(density: ErrorDensity, n: int, method: str = "auto") -> float:
    """The learning curve ``E_n[eps] = 1 - Z_{n+1}/Z_n``.

    Parameters
    ----------
    density : ErrorDensity
    n : int
    method : {'auto', 'exact', 'quad'}

    Returns
    -------
    float

    Examples
    --------
    >>> from rankstrat.theory.curves.error_density import BetaDensity
    >>> expected_error(BetaDensity(2, 5), 10)   # 2 / (2 + 5 + 10)
    0.11764705882352941
    """
    n = _check_n(n)
    with mpmath.workdps(DIGITS):
        ratio = _log_mass(density, n + 1, method=method) - _log_mass(density, n, method=method)
        return float(-mpmath.expm1(ratio))


def expected_error_by_moment(density: ErrorDensity, n: int) -> float:
    """``E_n[eps]`` as the first moment of ``rho_n``, by quadrature (an independent route).

    Examples
    --------
    >>> from rankstrat.theory.curves.error_density import BetaDensity
    >>> round(expected_error_by_moment(BetaDensity(2, 5), 10), 15)
    0.117647058823529
    """
    n = _check_n(n)
    with mpmath.workdps(DIGITS):
        log_first = quadrature_log_mass(density, n, moment=1)
        return float(mpmath.exp(log_first - quadrature_log_mass(density, n)))


def posterior_quantile(density: ErrorDensity, n: int, prob: float) -> float:
    """Quantile ``q`` of ``rho_n``: ``P_n(eps <= q) = prob``.

    Examples
    --------
    >>> from rankstrat.theory.curves.error_density import BetaDensity
    >>> round(posterior_quantile(BetaDensity(1, 1), 1, 0.75), 12)   # 1 - (1 - q)^2 = 3/4
    0.5
    """
    n = _check_n(n)
    if not 0 < prob < 1:
        raise InputError(f"quantile {prob!r}: expected a probability in (0, 1)")
    return float(density.posterior_quantile(n, prob))


# ---------------------------------------------------------------------------
# the bound and the exponential decay
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class BadFractionBound:
    """The bound ``B_n(eps0) <= [(1-eps0)/(1-eps1)]^n P(eps>eps0)/P(eps<=eps1)``.

    Attributes
    ----------
    n : int
    eps0 : float
    eps1 : float or None
        The minimising ``eps1`` (None when no ``eps1 < eps0`` carries mass).
    log_bound : float
        Natural log of the bound (``inf``: no useful bound; ``-inf``: B_n = 0).
    log_exact : float
        Natural log of the exact ``B_n(eps0)``.

    Examples
    --------
    >>> from rankstrat.theory.curves.error_density import BetaDensity
    >>> b = bad_fraction_bound(BetaDensity(2, 5), 100, 0.1)
    >>> b.holds, 0 < b.eps1 < 0.1
    (True, True)
    """

    n: int
    eps0: float
    eps1: Optional[float]
    log_bound: float
    log_exact: float

    @property
    def holds(self) -> bool:
        """``B_n <= bound`` up to a relative rounding slack of 1e-9.

        Examples
        --------
        >>> BadFractionBound(1, 0.1, 0.05, log_bound=-2.0, log_exact=-3.0).holds
        True
        """
        return self.log_exact <= self.log_bound + 1e-9 * max(1.0, abs(self.log_bound))


class _BoundTable:
    """``log P(eps <= eps1)`` on the candidate ``eps1`` and ``log P(eps > eps0)`` for one density."""

    def __init__(self, density: ErrorDensity, eps0: float):
        self.eps0 = eps0
        candidates = density.bound_candidates(eps0)
        log_cdf = density.log_cdf_values(candidates) if candidates.size else np.empty(0)
        keep = np.isfinite(log_cdf)
        self.eps1 = candidates[keep]
        self.log_cdf = log_cdf[keep]
        with mpmath.workdps(DIGITS):
            self.log_tail = float(density.log_mass(0, eps0, None)) if _has_closed_form(density) else \
                float(quadrature_log_mass(density, 0, eps0, None))

    def best(self, n: int) -> tuple[Optional[float], float]:
        if self.log_tail == -math.inf:
            return None, -math.inf
        if self.eps1.size == 0:
            return None, math.inf
        logs = n * (math.log1p(-self.eps0) - np.log1p(-self.eps1)) + self.log_tail - self.log_cdf
        j = int(np.argmin(logs))
        return float(self.eps1[j]), float(logs[j])


@functools.lru_cache(maxsize=64)
def _bound_table(density: ErrorDensity, eps0: float) -> _BoundTable:
    return _BoundTable(density, eps0)


def bad_fraction_bound(density: ErrorDensity, n: int, eps0: float, eps1: Optional[float] = None,
                       method: str = "auto") -> BadFractionBound:
    """The bound on the fraction of bad minima, with the best ``eps1`` when none is given.

    The best ``eps1`` minimises the bound over a grid of 800 geometric and
    linear points in ``(lower end of the support, eps0)``; for measured errors
    (point masses) over the measured values below ``eps0``, where it is exact.

    Parameters
    ----------
    density : ErrorDensity
    n : int
    eps0 : float
    eps1 : float or None
        A fixed ``eps1 < eps0``; None chooses the best.
    method : {'auto', 'exact', 'quad'}
        How the exact ``B_n`` is computed for comparison.

    Returns
    -------
    BadFractionBound

    Examples
    --------
    >>> from rankstrat.theory.curves.error_density import BetaDensity
    >>> b = bad_fraction_bound(BetaDensity(1, 1), 10, 0.5, eps1=0.25)
    >>> round(math.exp(b.log_bound), 6)   # (0.5/0.75)^10 * 0.5 / 0.25
    0.034683
    """
    n, eps0 = _check_n(n), _check_eps(eps0, "eps0")
    log_exact = float(log_bad_fraction(density, n, eps0, method))
    if eps1 is None:
        best_eps1, log_bound = _bound_table(density, eps0).best(n)
        return BadFractionBound(n, eps0, best_eps1, log_bound, log_exact)
    eps1 = _check_eps(eps1, "eps1")
    if eps1 >= eps0:
        raise InputError(f"eps1={eps1!r}: expected a number below eps0={eps0!r}")
    with mpmath.workdps(DIGITS):
        log_tail = float(_log_mass(density, 0, eps0, None, method))
        log_cdf = float(_log_mass(density, 0, None, eps1, method))
    if log_tail == -math.inf:
        log_bound = -math.inf
    elif log_cdf == -math.inf:
        log_bound = math.inf
    else:
        log_bound = n * (math.log1p(-eps0) - math.log1p(-eps1)) + log_tail - log_cdf
    return BadFractionBound(n, eps0, eps1, log_bound, log_exact)


def bad_fraction_decay_rate(density: ErrorDensity, eps0: float) -> float:
    """Asymptotic rate ``r`` of ``B_n(eps0) ~ exp(r n)``: ``log((1 - eps0)/(1 - eps_min))``.

    ``eps_min`` is the lowest error in the set (lower end of the support). For
    a set that contains arbitrarily good classifiers (separable classes,
    ``eps_min = 0``) the rate is ``log(1 - eps0)``: bad minima become
    exponentially rare. Zero when ``eps0 <= eps_min`` (every minimum is bad).

    Examples
    --------
    >>> from rankstrat.theory.curves.error_density import BetaDensity, PowerLawDensity
    >>> round(bad_fraction_decay_rate(BetaDensity(2, 5), 0.1), 6)
    -0.105361
    >>> round(bad_fraction_decay_rate(PowerLawDensity(1, 0.05), 0.1), 6)
    -0.054067
    """
    eps0 = _check_eps(eps0, "eps0")
    eps_min = density.support()[0]
    if eps0 <= eps_min:
        return 0.0
    return math.log1p(-eps0) - math.log1p(-eps_min)


# ---------------------------------------------------------------------------
# the whole curve
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LearningCurve:
    """Learning curve and bad-minima fractions of a density over sizes ``n``.

    Attributes
    ----------
    density : str
        The density string.
    ns : numpy.ndarray of int
    expected : numpy.ndarray
        ``E_n[eps]``.
    log10_fit_fraction : numpy.ndarray
        ``log10 Z_n``: fraction of the set with zero training error.
    quantiles : dict of float to numpy.ndarray
        Quantiles of ``rho_n``.
    eps0 : float or None
    log10_bad : numpy.ndarray or None
        ``log10 B_n(eps0)``.
    log10_bound : numpy.ndarray or None
        ``log10`` of the best bound.
    eps1 : numpy.ndarray or None
        The minimising ``eps1`` (nan where none).
    decay_rate : float or None
        :func:`bad_fraction_decay_rate`.
    method : str

    Examples
    --------
    >>> from rankstrat.theory.curves.error_density import BetaDensity
    >>> c = learning_curve(BetaDensity(2, 5), [0, 10], eps0=0.2)
    >>> c.expected.round(6).tolist(), bool(np.all(c.log10_bad <= c.log10_bound))
    ([0.285714, 0.117647], True)
    """

    density: str
    ns: np.ndarray
    expected: np.ndarray
    log10_fit_fraction: np.ndarray
    quantiles: dict
    eps0: Optional[float] = None
    log10_bad: Optional[np.ndarray] = None
    log10_bound: Optional[np.ndarray] = None
    eps1: Optional[np.ndarray] = None
    decay_rate: Optional[float] = None
    method: str = "auto"

    def rows(self) -> list[dict]:
        """One dict per ``n`` (plain floats), for tables and JSON.

        Examples
        --------
        >>> from rankstrat.theory.curves.error_density import BetaDensity
        >>> sorted(learning_curve(BetaDensity(2, 5), [1]).rows()[0])[:3]
        ['E_n', 'log10_Z_n', 'n']
        """
        rows = []
        for i, n in enumerate(self.ns):
            row = {"n": int(n), "E_n": float(self.expected[i]),
                   "log10_Z_n": float(self.log10_fit_fraction[i])}
            for prob, values in self.quantiles.items():
                row[f"q{prob:g}"] = float(values[i])
            if self.eps0 is not None:
                row["log10_B_n"] = float(self.log10_bad[i])
                row["log10_bound"] = float(self.log10_bound[i])
                row["eps1"] = None if math.isnan(self.eps1[i]) else float(self.eps1[i])
                row["bound_holds"] = bool(self.log10_bad[i] <= self.log10_bound[i]
                                          + 1e-9 * max(1.0, abs(self.log10_bound[i])))
            rows.append(row)
        return rows


def learning_curve(density: ErrorDensity, ns: Sequence[int], eps0: Optional[float] = None,
                   quantiles: Sequence[float] = (0.1, 0.5, 0.9), method: str = "auto",
                   progress=None) -> LearningCurve:
    """``E_n``, ``Z_n``, quantiles of ``rho_n`` and, given ``eps0``, ``B_n`` and its bound, for each ``n``.

    Parameters
    ----------
    density : ErrorDensity
    ns : sequence of int
    eps0 : float or None
        Threshold of a bad minimum; None skips ``B_n`` and the bound.
    quantiles : sequence of float
        Probabilities in (0, 1).
    method : {'auto', 'exact', 'quad'}
        Route for ``Z_n``, ``E_n`` and ``B_n`` (quantiles always use the density's own CDF).
    progress : callable or None
        Called once per ``n`` (for example a progress bar's ``update``).

    Returns
    -------
    LearningCurve

    Examples
    --------
    >>> from rankstrat.theory.curves.error_density import BetaDensity
    >>> c = learning_curve(BetaDensity(2, 5), [0, 100, 10**6], quantiles=(0.5,))
    >>> np.allclose(c.expected, [2 / 7, 2 / 107, 2 / (7 + 10**6)], rtol=1e-12)
    True
    """
    method = _check_method(method)
    ns = np.array([_check_n(n) for n in ns], dtype=np.int64)
    probs = tuple(float(p) for p in quantiles)
    for p in probs:
        if not 0 < p < 1:
            raise InputError(f"quantile {p!r}: expected a probability in (0, 1)")
    if eps0 is not None:
        eps0 = _check_eps(eps0, "eps0")
        table = _bound_table(density, eps0)
    expected, log10_z = np.empty(ns.size), np.empty(ns.size)
    quants = {p: np.empty(ns.size) for p in probs}
    bad, bound, eps1 = (np.empty(ns.size) for _ in range(3))
    with mpmath.workdps(DIGITS):
        cache = {}

        def log_z(n):
            if n not in cache:
                cache[n] = _log_mass(density, int(n), method=method)
            return cache[n]

        for i, n in enumerate(ns):
            expected[i] = float(-mpmath.expm1(log_z(n + 1) - log_z(n)))
            log10_z[i] = float(log_z(n)) * LOG10_E
            for p in probs:
                quants[p][i] = density.posterior_quantile(int(n), p)
            if eps0 is not None:
                bad[i] = float(_log_mass(density, int(n), eps0, None, method) - log_z(n)) * LOG10_E
                best_eps1, log_bound = table.best(int(n))
                bound[i] = log_bound * LOG10_E
                eps1[i] = math.nan if best_eps1 is None else best_eps1
            if progress is not None:
                progress(1)
    if eps0 is None:
        return LearningCurve(density.describe(), ns, expected, log10_z, quants, method=method)
    return LearningCurve(density.describe(), ns, expected, log10_z, quants, eps0, bad, bound, eps1,
                         bad_fraction_decay_rate(density, eps0), method)
