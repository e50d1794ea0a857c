"""True-error densities rho(eps) on [0, 1]: the families and their exact weighted masses.

A classifier set is described, for the learning-curve theory of Martinetz &
Martinetz, by the density ``rho`` of its classifiers' true errors. Every family
here provides, besides its pdf and cdf, the exact *weighted mass*

.. math::

    M_n(l, u) = \\int_{(l, u]} \\rho(\\epsilon)\\,(1 - \\epsilon)^n \\, d\\epsilon

as a natural logarithm in :mod:`mpmath` (:meth:`ErrorDensity.log_mass`), so
that ``n = 10**6`` does not underflow. :mod:`rankstrat.theory.curves.learning_curves` builds the
normaliser, the fraction of bad minima, the learning curve and the bound on it,
and checks the closed forms against quadrature of :meth:`ErrorDensity.log_pdf`.

The families: :class:`BetaDensity` (with an offset), :class:`PowerLawDensity`,
:class:`MixtureDensity`, and from measured errors :class:`EmpiricalDensity`
(point masses) and :class:`HistogramDensity`.
:func:`rankstrat.theory.curves.density_parser.parse_density` builds them from strings such as
``beta:a=2,b=5``; the log-space special functions they use are in
:mod:`rankstrat.theory.curves.log_space`.

References
----------
J. Martinetz, C. Linse, T. Martinetz, "Rethinking generalization of classifiers
in separable classes scenarios and over-parameterized regimes", IJCNN 2024
(arXiv:2410.16868); J. Martinetz, T. Martinetz, "Do highly over-parameterized
neural networks generalize since bad solutions are rare?" (arXiv:2211.03570).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import mpmath
import numpy as np
from scipy import special

from rankstrat.theory.curves.log_space import DIGITS, log_diff_exp, log_regularized_beta, log_sum_exp, log_sum_exp_array
from rankstrat.theory.errors import InputError


def _fmt(value: float) -> str:
    return f"{float(value):g}"


def _bisect_quantile(cdf, prob: float, lo: float, hi: float) -> float:
    """Smallest ``eps`` in ``[lo, hi]`` with ``cdf(eps) >= prob``, by bisection to 1e-15 relative."""
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if cdf(mid) >= prob:
            hi = mid
        else:
            lo = mid
        if hi - lo <= 1e-15 * max(1.0, hi):
            break
    return hi


# ---------------------------------------------------------------------------
# the base class
# ---------------------------------------------------------------------------

class ErrorDensity:
    """A distribution of the true error ``eps`` of the classifiers in a set.

    Subclasses give :meth:`support`, :meth:`log_mass`, :meth:`sample`,
    :meth:`describe` and, when they have one, :meth:`log_pdf` (point-mass
    distributions set ``has_pdf = False``).

    Examples
    --------
    >>> d = BetaDensity(2, 5)
    >>> round(d.mean(), 6), round(d.cdf(1.0), 6)
    (0.285714, 1.0)
    """

    has_pdf = True

    def support(self) -> tuple[float, float]:
        """Smallest interval holding all mass.

        Examples
        --------
        >>> BetaDensity(2, 5, offset=0.1).support()
        (0.1, 1.0)
        """
        return (0.0, 1.0)

    def breakpoints(self) -> tuple[float, ...]:
        """Points inside the support where the pdf is not smooth (for quadrature).

        Examples
        --------
        >>> HistogramDensity([0, 0.2, 1], [1, 1]).breakpoints()
        (0.2,)
        """
        return ()

    def log_pdf(self, eps):
        """Natural log of the density at ``eps`` (mpmath; ``-inf`` outside the support).

        Raises
        ------
        NotImplementedError
            For point masses (:class:`EmpiricalDensity`).

        Examples
        --------
        >>> float(BetaDensity(1, 1).log_pdf(0.3))
        0.0
        """
        raise NotImplementedError(f"{self.describe()} has no density (point masses)")

    def log_pdf_values(self, eps) -> np.ndarray:
        """``log rho`` at an array of points (float64; ``-inf`` outside the support).

        Examples
        --------
        >>> BetaDensity(2, 1, offset=0.5).log_pdf_values([0.25, 1.0]).round(6).tolist()
        [-inf, 1.386294]
        """
        with mpmath.workdps(DIGITS):
            values = [float(self.log_pdf(mpmath.mpf(float(e)))) for e in np.ravel(eps)]
        return np.asarray(values, dtype=float).reshape(np.shape(eps))

    def pdf(self, eps) -> np.ndarray:
        """The density at an array of points (float64, for plots).

        Examples
        --------
        >>> PowerLawDensity(1, 0).pdf([0.5]).tolist()
        [1.0]
        """
        return np.exp(self.log_pdf_values(eps))

    def log_mass(self, n: int, lower: Optional[float] = None, upper: Optional[float] = None):
        """``log of the integral over (lower, upper] of rho(eps) (1 - eps)^n``, exact.

        ``lower=None`` starts at the bottom of the support (inclusive),
        ``upper=None`` ends at its top.

        Parameters
        ----------
        n : int
        lower, upper : float or None

        Returns
        -------
        mpmath.mpf
            ``-inf`` for an interval without mass.

        Raises
        ------
        NotImplementedError
            For a density known only through its pdf (quadrature is then used).

        Examples
        --------
        >>> round(float(mpmath.exp(BetaDensity(1, 1).log_mass(1, 0.5))), 12)   # integral of (1 - e) over (0.5, 1]
        0.125
        """
        raise NotImplementedError

    def log_cdf_values(self, eps) -> np.ndarray:
        """``log P(error <= e)`` for each ``e`` in an array (float64 logs).

        Examples
        --------
        >>> np.exp(BetaDensity(1, 1).log_cdf_values([0.25, 0.5])).tolist()
        [0.25, 0.5]
        """
        with mpmath.workdps(DIGITS):
            return np.array([float(self.log_mass(0, None, float(e))) for e in np.ravel(eps)])

    def cdf(self, eps: float) -> float:
        """``P(error <= eps)``.

        Examples
        --------
        >>> round(BetaDensity(1, 1).cdf(0.25), 12)
        0.25
        """
        return float(np.exp(self.log_cdf_values([eps])[0]))

    def mean(self) -> float:
        """Mean true error ``1 - M_1 / M_0``.

        Examples
        --------
        >>> round(PowerLawDensity(1, 0.5).mean(), 12)
        0.833333333333
        """
        with mpmath.workdps(DIGITS):
            return float(-mpmath.expm1(self.log_mass(1) - self.log_mass(0)))

    def posterior_cdf(self, n: int, eps: float) -> float:
        """CDF of the error among classifiers that fit ``n`` points, at ``eps``.

        Examples
        --------
        >>> round(BetaDensity(1, 1).posterior_cdf(1, 0.5), 12)   # Beta(1, 2): 1 - (1 - 0.5)^2
        0.75
        """
        with mpmath.workdps(DIGITS):
            return float(mpmath.exp(self.log_mass(n, None, eps) - self.log_mass(n)))

    def posterior_quantile(self, n: int, prob: float) -> float:
        """Quantile of the error among classifiers that fit ``n`` points (bisection on the CDF).

        Examples
        --------
        >>> round(HistogramDensity([0, 1], [1]).posterior_quantile(1, 0.75), 9)
        0.5
        """
        return _bisect_quantile(lambda eps: self.posterior_cdf(n, eps), prob, *self.support())

    def bound_candidates(self, eps0: float) -> np.ndarray:
        """Values of ``eps1 < eps0`` among which the bound on B_n is minimised.

        Examples
        --------
        >>> grid = BetaDensity(2, 5).bound_candidates(0.1)
        >>> bool(grid.min() > 0 and grid.max() < 0.1), grid.size > 500
        (True, True)
        """
        lo = self.support()[0]
        if eps0 <= lo:
            return np.empty(0)
        width = eps0 - lo
        rel = np.unique(np.concatenate([np.geomspace(1e-9, 1.0, 400), np.linspace(0.0, 1.0, 401)]))
        grid = lo + width * rel[(rel > 0) & (rel < 1)]
        return grid[grid < eps0]

    def sample(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """Draw ``size`` errors.

        Examples
        --------
        >>> bool(BetaDensity(2, 5, offset=0.3).sample(3, np.random.default_rng(0)).min() >= 0.3)
        True
        """
        raise NotImplementedError

    def describe(self) -> str:
        """The density string that :func:`rankstrat.theory.curves.density_parser.parse_density` turns back into this density.

        Examples
        --------
        >>> PowerLawDensity(2, 0.1).describe()
        'powerlaw:k=2,offset=0.1'
        """
        raise NotImplementedError

    def __str__(self) -> str:
        return self.describe()


# ---------------------------------------------------------------------------
# Beta (with offset) and the power law
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class BetaDensity(ErrorDensity):
    """Beta(a, b) on ``[offset, 1]``: ``u = (eps - offset)/(1 - offset) ~ Beta(a, b)``.

    Closed forms: among classifiers that fit ``n`` points ``u ~ Beta(a, b + n)``,
    so ``E_n = offset + (1 - offset) a / (a + b + n)`` and the normaliser is
    ``Z_n = (1 - offset)^n B(a, b + n) / B(a, b)``.

    Parameters
    ----------
    a, b : float
        Positive shapes.
    offset : float
        Lowest error of the set, in [0, 1).

    Examples
    --------
    >>> BetaDensity(2, 5).expected_error_closed_form(10)
    0.11764705882352941
    >>> BetaDensity(2, 5, offset=0.1).describe()
    'beta:a=2,b=5,offset=0.1'
    """

    a: float
    b: float
    offset: float = 0.0

    def __post_init__(self):
        if not (self.a > 0 and self.b > 0 and math.isfinite(self.a) and math.isfinite(self.b)):
            raise InputError(f"beta: shapes a={self.a!r}, b={self.b!r}; expected positive finite numbers")
        if not 0 <= self.offset < 1:
            raise InputError(f"beta: offset={self.offset!r}; expected a number in [0, 1)")
        with mpmath.workdps(DIGITS):
            log_norm = mpmath.log(mpmath.beta(self.a, self.b)) + mpmath.log1p(-mpmath.mpf(self.offset))
        object.__setattr__(self, "_log_norm", log_norm)

    def support(self):
        return (float(self.offset), 1.0)

    def describe(self):
        text = f"beta:a={_fmt(self.a)},b={_fmt(self.b)}"
        return text + (f",offset={_fmt(self.offset)}" if self.offset else "")

    def _to_unit(self, eps):
        return (eps - self.offset) / (1 - self.offset)

    def _unit_clipped(self, eps) -> float:
        """``u`` of one error, clipped to [0, 1]."""
        return min(max(float(self._to_unit(eps)), 0.0), 1.0)

    def log_pdf(self, eps):
        with mpmath.workdps(DIGITS):
            eps = mpmath.mpf(eps)
            u = self._to_unit(eps)
            if u < 0 or u > 1:
                return mpmath.ninf
            a, b = mpmath.mpf(self.a), mpmath.mpf(self.b)
            value = -self._log_norm
            if a != 1:
                value += (a - 1) * mpmath.log(u)
            if b != 1:
                value += (b - 1) * mpmath.log1p(-u)
            return value

    def log_pdf_values(self, eps):
        u = self._to_unit(np.asarray(eps, dtype=float))
        inside = (u >= 0) & (u <= 1)
        u = np.clip(u, 0.0, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = (np.where(self.a != 1, (self.a - 1) * np.log(u), 0.0)
                     + np.where(self.b != 1, (self.b - 1) * np.log1p(-u), 0.0)
                     - float(self._log_norm))
        return np.where(inside, value, -np.inf)

    def log_mass(self, n, lower=None, upper=None):
        with mpmath.workdps(DIGITS):
            a, b, n = mpmath.mpf(self.a), mpmath.mpf(self.b), mpmath.mpf(n)
            u_lo = 0.0 if lower is None else self._unit_clipped(lower)
            u_hi = 1.0 if upper is None else self._unit_clipped(upper)
            if lower is not None and upper is not None and u_hi <= u_lo:
                return mpmath.ninf
            log_total = (n * mpmath.log1p(-mpmath.mpf(self.offset))
                         + mpmath.log(mpmath.beta(a, b + n)) - mpmath.log(mpmath.beta(a, b)))
            mean = a / (a + b + n)
            if u_lo == 0.0 and u_hi == 1.0:
                return log_total
            if u_lo == 0.0:
                return log_total + log_regularized_beta(u_hi, a, b + n)
            if u_hi == 1.0:
                return log_total + log_regularized_beta(u_lo, a, b + n, upper=True)
            if u_lo < mean:
                part = log_diff_exp(log_regularized_beta(u_hi, a, b + n),
                                    log_regularized_beta(u_lo, a, b + n))
            else:
                part = log_diff_exp(log_regularized_beta(u_lo, a, b + n, upper=True),
                                    log_regularized_beta(u_hi, a, b + n, upper=True))
            return log_total + part

    def log_cdf_values(self, eps):
        u = np.clip(self._to_unit(np.asarray(eps, dtype=float)), 0.0, 1.0)
        with np.errstate(divide="ignore"):
            values = np.log(special.betainc(self.a, self.b, u))
        tiny = (values < -600) & (u > 0)
        for i in np.flatnonzero(tiny):
            values[i] = float(log_regularized_beta(u[i], self.a, self.b))
        return values

    def posterior_cdf(self, n, eps):
        return float(special.betainc(self.a, self.b + n, self._unit_clipped(eps)))

    def posterior_quantile(self, n, prob):
        return float(self.offset + (1 - self.offset) * special.betaincinv(self.a, self.b + n, prob))

    def closed_form(self) -> str:
        """The posterior family and learning curve, in words.

        Examples
        --------
        >>> BetaDensity(2, 5).closed_form()
        'rho_n = Beta(2, 5 + n): E_n = 2/(7 + n)'
        """
        if self.offset:
            return (f"rho_n = Beta({_fmt(self.a)}, {_fmt(self.b)} + n) on [{_fmt(self.offset)}, 1]: "
                    f"E_n = {_fmt(self.offset)} + {_fmt(1 - self.offset)}*{_fmt(self.a)}/({_fmt(self.a + self.b)} + n)")
        return f"rho_n = Beta({_fmt(self.a)}, {_fmt(self.b)} + n): E_n = {_fmt(self.a)}/({_fmt(self.a + self.b)} + n)"

    def expected_error_closed_form(self, n: int) -> float:
        """``E_n = offset + (1 - offset) a / (a + b + n)``.

        Examples
        --------
        >>> BetaDensity(1, 1).expected_error_closed_form(0)
        0.5
        """
        return self.offset + (1 - self.offset) * self.a / (self.a + self.b + n)

    def sample(self, size, rng):
        return self.offset + (1 - self.offset) * rng.beta(self.a, self.b, size)


@dataclass(frozen=True)
class PowerLawDensity(ErrorDensity):
    """``rho(eps) = (k + 1)(eps - offset)^k / (1 - offset)^(k + 1)`` on ``[offset, 1]``.

    A power law near the lowest error ``offset``; the same as
    ``BetaDensity(k + 1, 1, offset)``, so ``E_n = offset + (1 - offset)(k + 1)/(k + n + 2)``.

    Parameters
    ----------
    k : float
        Exponent, greater than -1.
    offset : float
        Lowest error, in [0, 1).

    Examples
    --------
    >>> d = PowerLawDensity(1.0, 0.02)
    >>> d.describe(), round(d.expected_error_closed_form(98), 6)
    ('powerlaw:k=1,offset=0.02', 0.039406)
    """

    k: float
    offset: float = 0.0
    _beta: BetaDensity = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if not (self.k > -1 and math.isfinite(self.k)):
            raise InputError(f"powerlaw: k={self.k!r}; expected a finite number greater than -1")
        if not 0 <= self.offset < 1:
            raise InputError(f"powerlaw: offset={self.offset!r}; expected a number in [0, 1)")
        object.__setattr__(self, "_beta", BetaDensity(self.k + 1, 1.0, self.offset))

    def support(self):
        return self._beta.support()

    def describe(self):
        return f"powerlaw:k={_fmt(self.k)},offset={_fmt(self.offset)}"

    def log_pdf(self, eps):
        return self._beta.log_pdf(eps)

    def log_pdf_values(self, eps):
        return self._beta.log_pdf_values(eps)

    def log_mass(self, n, lower=None, upper=None):
        return self._beta.log_mass(n, lower, upper)

    def log_cdf_values(self, eps):
        return self._beta.log_cdf_values(eps)

    def posterior_cdf(self, n, eps):
        return self._beta.posterior_cdf(n, eps)

    def posterior_quantile(self, n, prob):
        return self._beta.posterior_quantile(n, prob)

    def closed_form(self) -> str:
        """The posterior family and learning curve, in words.

        Examples
        --------
        >>> PowerLawDensity(1, 0.02).closed_form()
        'rho_n = Beta(2, 1 + n) on [0.02, 1]: E_n = 0.02 + 0.98*2/(3 + n)'
        """
        return self._beta.closed_form()

    def expected_error_closed_form(self, n: int) -> float:
        """``E_n = offset + (1 - offset)(k + 1)/(k + n + 2)``.

        Examples
        --------
        >>> PowerLawDensity(0.0).expected_error_closed_form(0)
        0.5
        """
        return self._beta.expected_error_closed_form(n)

    def sample(self, size, rng):
        return self._beta.sample(size, rng)


# ---------------------------------------------------------------------------
# mixtures
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class MixtureDensity(ErrorDensity):
    """A finite mixture ``sum_j w_j rho_j`` (weights normalised to sum 1).

    Parameters
    ----------
    weights : tuple of float
        Positive weights.
    components : tuple of ErrorDensity

    Examples
    --------
    >>> d = MixtureDensity((3, 1), (BetaDensity(2, 50), BetaDensity(5, 5)))
    >>> d.weights, round(d.mean(), 6)
    ((0.75, 0.25), 0.153846)
    """

    weights: tuple
    components: tuple

    def __post_init__(self):
        if len(self.weights) != len(self.components) or not self.components:
            raise InputError("mix: needs as many weights as components, at least one")
        if any(not (w > 0 and math.isfinite(w)) for w in self.weights):
            raise InputError(f"mix: weights {self.weights!r}; expected positive numbers")
        total = float(sum(self.weights))
        object.__setattr__(self, "weights", tuple(float(w) / total for w in self.weights))
        object.__setattr__(self, "components", tuple(self.components))
        if not all(c.has_pdf for c in self.components):
            object.__setattr__(self, "has_pdf", False)

    def support(self):
        return (min(c.support()[0] for c in self.components), max(c.support()[1] for c in self.components))

    def breakpoints(self):
        points = set()
        for c in self.components:
            points.update(c.breakpoints())
            points.update(c.support())
        lo, hi = self.support()
        return tuple(sorted(p for p in points if lo < p < hi))

    def describe(self):
        return "mix:" + "+".join(f"{_fmt(w)}*{c.describe()}" for w, c in zip(self.weights, self.components))

    def _log_mixed(self, log_of):
        """``log sum_j w_j exp(log_of(rho_j))`` in mpmath."""
        with mpmath.workdps(DIGITS):
            return log_sum_exp([mpmath.log(w) + log_of(c) for w, c in zip(self.weights, self.components)])

    def _log_mixed_values(self, log_of):
        """``log sum_j w_j exp(log_of(rho_j))`` of float64 arrays, entry by entry."""
        stacked = np.array([np.log(w) + log_of(c) for w, c in zip(self.weights, self.components)])
        return log_sum_exp_array(stacked, axis=0)

    def log_pdf(self, eps):
        return self._log_mixed(lambda c: c.log_pdf(eps))

    def log_pdf_values(self, eps):
        return self._log_mixed_values(lambda c: c.log_pdf_values(eps))

    def log_mass(self, n, lower=None, upper=None):
        return self._log_mixed(lambda c: c.log_mass(n, lower, upper))

    def log_cdf_values(self, eps):
        return self._log_mixed_values(lambda c: c.log_cdf_values(eps))

    def posterior_shares(self, n: int) -> list:
        """Share of each component among classifiers that fit ``n`` points.

        Examples
        --------
        >>> d = MixtureDensity((0.5, 0.5), (BetaDensity(1, 1), PowerLawDensity(0, 0.5)))
        >>> [round(s, 6) for s in d.posterior_shares(1)]   # Z_1 = 1/2 and 1/4
        [0.666667, 0.333333]
        """
        with mpmath.workdps(DIGITS):
            logs = [mpmath.log(w) + c.log_mass(n) for w, c in zip(self.weights, self.components)]
            total = log_sum_exp(logs)
            return [float(mpmath.exp(v - total)) for v in logs]

    def _posterior_cdf_at(self, n):
        """The posterior CDF after ``n`` points as a function of ``eps`` (shares computed once)."""
        parts = [(s, c) for s, c in zip(self.posterior_shares(n), self.components) if s > 0]
        return lambda eps: float(sum(s * c.posterior_cdf(n, eps) for s, c in parts))

    def posterior_cdf(self, n, eps):
        return self._posterior_cdf_at(n)(eps)

    def posterior_quantile(self, n, prob):
        return _bisect_quantile(self._posterior_cdf_at(n), prob, *self.support())

    def sample(self, size, rng):
        which = rng.choice(len(self.components), size=size, p=np.asarray(self.weights))
        out = np.empty(size)
        for j, c in enumerate(self.components):
            chosen = which == j
            out[chosen] = c.sample(int(chosen.sum()), rng)
        return out


# ---------------------------------------------------------------------------
# measured errors: point masses and histograms
# ---------------------------------------------------------------------------

def checked_errors(errors, what: str) -> np.ndarray:
    """Measured errors as a flat float array, checked to be finite numbers in [0, 1].

    Parameters
    ----------
    errors : array_like
    what : str
        Names the source in error messages.

    Returns
    -------
    ndarray

    Raises
    ------
    InputError
        For no errors, or errors outside [0, 1] or not finite.

    Examples
    --------
    >>> checked_errors([[0.1, 0.2]], "empirical").tolist()
    [0.1, 0.2]
    >>> checked_errors([0.5, 1.5], "empirical")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: empirical: errors must be finite numbers in [0, 1]; got range [0.5, 1.5]
    """
    values = np.asarray(errors, dtype=float).ravel()
    if values.size == 0:
        raise InputError(f"{what}: no errors given; expected at least one number in [0, 1]")
    if not np.all(np.isfinite(values)) or values.min() < 0 or values.max() > 1:
        raise InputError(f"{what}: errors must be finite numbers in [0, 1]; got range "
                         f"[{np.nanmin(values):g}, {np.nanmax(values):g}]")
    return values


def _log_fit_probability(errors: np.ndarray, n: int) -> np.ndarray:
    """``log (1 - eps)^n`` of each error: the log probability of fitting ``n`` points (0 for ``n = 0``)."""
    if not n:
        return np.zeros(errors.size)
    with np.errstate(divide="ignore"):
        return n * np.log1p(-errors)


class EmpiricalDensity(ErrorDensity):
    """Point masses ``1/K`` at measured errors ``eps_1..eps_K`` (a sampled classifier set).

    Everything is a finite sum: ``Z_n = mean((1 - eps_i)^n)``, computed as a
    log-sum-exp so large ``n`` does not underflow.

    Parameters
    ----------
    errors : array_like
        Measured errors in [0, 1].

    Examples
    --------
    >>> d = EmpiricalDensity([0.0, 0.5])
    >>> round(d.mean(), 6), round(float(mpmath.exp(d.log_mass(1))), 6)
    (0.25, 0.75)
    """

    has_pdf = False

    def __init__(self, errors):
        values = np.sort(checked_errors(errors, "empirical"))
        values.setflags(write=False)
        self.errors = values

    def __repr__(self):
        return f"EmpiricalDensity(<{self.errors.size} errors>)"

    def support(self):
        return (float(self.errors[0]), float(self.errors[-1]))

    def describe(self):
        return f"empirical:{self.errors.size} errors in [{self.errors[0]:.4g}, {self.errors[-1]:.4g}]"

    def _selected(self, lower, upper):
        values = self.errors
        lo = 0 if lower is None else np.searchsorted(values, lower, side="right")
        hi = values.size if upper is None else np.searchsorted(values, upper, side="right")
        return values[lo:hi]

    def log_mass(self, n, lower=None, upper=None):
        chosen = self._selected(lower, upper)
        if chosen.size == 0:
            return mpmath.ninf
        value = log_sum_exp_array(_log_fit_probability(chosen, n)) - math.log(self.errors.size)
        return mpmath.mpf(float(value)) if np.isfinite(value) else mpmath.ninf

    def log_cdf_values(self, eps):
        counts = np.searchsorted(self.errors, np.asarray(eps, dtype=float), side="right")
        with np.errstate(divide="ignore"):
            return np.log(counts / self.errors.size)

    def posterior_weights(self, n: int) -> np.ndarray:
        """Probability of each stored error among classifiers that fit ``n`` points.

        Examples
        --------
        >>> EmpiricalDensity([0.0, 0.5]).posterior_weights(1).round(4).tolist()
        [0.6667, 0.3333]
        """
        logs = _log_fit_probability(self.errors, n)
        return np.exp(logs - log_sum_exp_array(logs))

    def posterior_cdf(self, n, eps):
        weights = self.posterior_weights(n)
        return float(weights[: np.searchsorted(self.errors, eps, side="right")].sum())

    def posterior_quantile(self, n, prob):
        cumulative = np.cumsum(self.posterior_weights(n))
        index = min(int(np.searchsorted(cumulative, prob - 1e-12, side="left")), self.errors.size - 1)
        return float(self.errors[index])

    def bound_candidates(self, eps0):
        return np.unique(self.errors[self.errors < eps0])

    def sample(self, size, rng):
        return rng.choice(self.errors, size=size, replace=True)


class HistogramDensity(ErrorDensity):
    """A piecewise-constant density: probability ``p_j`` spread evenly over ``[e_j, e_{j+1})``.

    Parameters
    ----------
    edges : array_like
        Increasing bin edges in [0, 1].
    probabilities : array_like
        Non-negative bin masses (normalised to sum 1).

    Examples
    --------
    >>> d = HistogramDensity([0, 0.5, 1], [1, 1])
    >>> round(d.mean(), 12), round(d.cdf(0.25), 12)
    (0.5, 0.25)
    >>> HistogramDensity.from_errors([0.1, 0.2, 0.3, 0.4], bins=2).edges.tolist()
    [0.1, 0.25, 0.4]
    """

    def __init__(self, edges, probabilities):
        edges = np.asarray(edges, dtype=float)
        probs = np.asarray(probabilities, dtype=float)
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0) or edges[0] < 0 or edges[-1] > 1:
            raise InputError("histogram: edges must increase strictly inside [0, 1]")
        if probs.shape != (edges.size - 1,) or np.any(probs < 0) or probs.sum() <= 0:
            raise InputError("histogram: needs one non-negative mass per bin, not all zero")
        self.edges = edges
        self.probabilities = probs / probs.sum()

    @classmethod
    def from_errors(cls, errors, bins: int = 20) -> "HistogramDensity":
        """Histogram of measured errors over their range, ``bins`` equal bins.

        Examples
        --------
        >>> HistogramDensity.from_errors([0.1, 0.1, 0.3], bins=2).probabilities.round(4).tolist()
        [0.6667, 0.3333]
        """
        values = checked_errors(errors, "histogram")
        if bins < 1:
            raise InputError(f"histogram: bins={bins!r}; expected a positive integer")
        lo, hi = float(values.min()), float(values.max())
        if hi - lo < 1e-12:
            lo, hi = max(lo - 1e-6, 0.0), min(hi + 1e-6, 1.0)
        counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
        return cls(edges, counts)

    def __repr__(self):
        return f"HistogramDensity(<{self.probabilities.size} bins>)"

    def support(self):
        return (float(self.edges[0]), float(self.edges[-1]))

    def breakpoints(self):
        return tuple(float(e) for e in self.edges[1:-1])

    def describe(self):
        return f"histogram:{self.probabilities.size} bins on [{self.edges[0]:.4g}, {self.edges[-1]:.4g}]"

    def log_pdf(self, eps):
        eps = float(eps)
        j = int(np.searchsorted(self.edges, eps, side="right")) - 1
        if eps == self.edges[-1]:
            j = self.probabilities.size - 1
        if j < 0 or j >= self.probabilities.size or self.probabilities[j] == 0:
            return mpmath.ninf
        if getattr(self, "_log_heights", None) is None:
            with mpmath.workdps(DIGITS):
                self._log_heights = [mpmath.log(p) - mpmath.log(hi - lo) if p > 0 else mpmath.ninf
                                     for p, lo, hi in zip(self.probabilities, self.edges[:-1], self.edges[1:])]
        return self._log_heights[j]

    def log_pdf_values(self, eps):
        eps = np.asarray(eps, dtype=float)
        j = np.clip(np.searchsorted(self.edges, eps, side="right") - 1, 0, self.probabilities.size - 1)
        inside = (eps >= self.edges[0]) & (eps <= self.edges[-1])
        with np.errstate(divide="ignore"):
            return np.where(inside, np.log(self.probabilities[j] / np.diff(self.edges)[j]), -np.inf)

    def log_mass(self, n, lower=None, upper=None):
        left = np.maximum(self.edges[:-1], -np.inf if lower is None else lower)
        right = np.minimum(self.edges[1:], np.inf if upper is None else upper)
        keep = (right > left) & (self.probabilities > 0)
        if not keep.any():
            return mpmath.ninf
        left, right = left[keep], right[keep]
        with np.errstate(divide="ignore"):
            log_density = np.log(self.probabilities[keep]) - np.log(np.diff(self.edges)[keep])
            log_left, log_right = np.log1p(-left), np.log1p(-right)
            # integral of (1 - e)^n over [l, r] = ((1-l)^(n+1) - (1-r)^(n+1)) / (n+1)
            logs = ((n + 1) * log_left + np.log(-np.expm1((n + 1) * (log_right - log_left)))
                    - math.log(n + 1) + log_density)
        value = log_sum_exp_array(logs)
        return mpmath.mpf(float(value)) if np.isfinite(value) else mpmath.ninf

    def log_cdf_values(self, eps):
        eps = np.asarray(eps, dtype=float)
        fraction = np.clip((eps[..., None] - self.edges[:-1]) / np.diff(self.edges), 0.0, 1.0)
        with np.errstate(divide="ignore"):
            return np.log(np.minimum(fraction @ self.probabilities, 1.0))

    def sample(self, size, rng):
        j = rng.choice(self.probabilities.size, size=size, p=self.probabilities)
        return rng.uniform(self.edges[j], self.edges[j + 1])
