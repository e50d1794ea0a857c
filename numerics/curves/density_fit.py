"""Fit true-error density families to a measured learning curve, and let the data choose.

A learning curve is measured by training a small classifier to zero training
error on ``n`` random points of a data set, several times per ``n``, and
recording its error on the points it did not see
(:func:`measure_learning_curve`). Each candidate family of densities ``rho``
predicts a curve ``E_n[eps]`` (:mod:`rankstrat.theory.curves.learning_curves`); the families are
fitted by weighted least squares (maximum likelihood for Gaussian errors with
the measured standard errors) and compared by AIC (:func:`fit_density_families`).

Families (parameters; the curve each predicts):

- ``beta``: Beta(a, b); ``E_n = a / (a + b + n)``, decays to 0 (separable).
- ``powerlaw``: ``(eps - offset)^k`` on [offset, 1];
  ``E_n = offset + (1 - offset)(k + 1)/(k + n + 2)``, decays to ``offset``.
- ``beta-offset``: Beta(a, b) on [offset, 1]; ``E_n = offset + (1 - offset) a/(a + b + n)``.
- ``mix``: ``w powerlaw(k, offset) + (1 - w) Beta(a, b)``: a good part near the
  lowest error and a broad bad part; the shares shift to the good part as ``n`` grows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np
from scipy import optimize, special
from threadpoolctl import threadpool_limits

from rankstrat.theory.curves.error_density import BetaDensity, ErrorDensity, MixtureDensity, PowerLawDensity
from rankstrat.theory.errors import InputError

FAMILIES = ("beta", "powerlaw", "beta-offset", "mix")
"""Density families :func:`fit_density_families` knows."""

MODELS = ("logistic", "minnorm")
"""Classifiers :func:`measure_learning_curve` trains: multinomial logistic
regression with weak regularisation, or the minimum-norm least-squares fit on
2000 fixed random ReLU features (interpolates while ``n`` is well below 2000)."""


# ---------------------------------------------------------------------------
# measuring a learning curve
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class MeasuredCurve:
    """Test error of a trained classifier against training-set size.

    Attributes
    ----------
    ns : numpy.ndarray of int
    mean_error : numpy.ndarray
        Mean test error over the repeats.
    stderr : numpy.ndarray
        Standard error of that mean.
    zero_train_fraction : numpy.ndarray
        Fraction of runs that reached zero training error.
    repeats : int
    model : str
    dataset : str

    Examples
    --------
    >>> c = MeasuredCurve(np.array([10]), np.array([0.3]), np.array([0.01]), np.array([1.0]), 5, "logistic", "x")
    >>> c.rows()[0]["E_meas"]
    0.3
    """

    ns: np.ndarray
    mean_error: np.ndarray
    stderr: np.ndarray
    zero_train_fraction: np.ndarray
    repeats: int
    model: str
    dataset: str

    def rows(self) -> list[dict]:
        """One dict per ``n``.

        Examples
        --------
        See :class:`MeasuredCurve`.
        """
        return [{"n": int(n), "E_meas": float(e), "stderr": float(s), "zero_train": float(z)}
                for n, e, s, z in zip(self.ns, self.mean_error, self.stderr, self.zero_train_fraction)]


def _train_predict(model: str, X_train, y_train, X_test, seed: int):
    labels = np.unique(y_train)
    if labels.size == 1:
        return np.full(len(y_train), labels[0]), np.full(len(X_test), labels[0])
    if model == "logistic":
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(C=100.0, max_iter=3000)
        clf.fit(X_train, y_train)
        return clf.predict(X_train), clf.predict(X_test)
    rng = np.random.default_rng([seed, 5])
    projection = rng.standard_normal((X_train.shape[1], 2000)) / math.sqrt(X_train.shape[1])
    centre = X_train.mean(axis=0)

    def features(Z):
        return np.maximum((Z - centre) @ projection, 0.0)

    targets = (y_train[:, None] == labels[None, :]).astype(float)
    weights = np.linalg.lstsq(features(X_train), targets, rcond=None)[0]
    return labels[(features(X_train) @ weights).argmax(axis=1)], labels[(features(X_test) @ weights).argmax(axis=1)]


def measure_learning_curve(X: np.ndarray, y: np.ndarray, ns: Sequence[int], repeats: int = 5,
                           model: str = "logistic", seed: int = 0, dataset: str = "",
                           progress: Optional[Callable[[int], None]] = None) -> MeasuredCurve:
    """Train ``model`` on ``n`` random points, test on the rest; ``repeats`` times per ``n``.

    Parameters
    ----------
    X, y : numpy.ndarray
    ns : sequence of int
        Training-set sizes; each must leave at least 50 points for testing.
    repeats : int
    model : {'logistic', 'minnorm'}
    seed : int
    dataset : str
        Name kept in the result.
    progress : callable or None
        Called with 1 after each training run.

    Returns
    -------
    MeasuredCurve

    Examples
    --------
    >>> from rankstrat.numerics.datasets import make_separable
    >>> X, y = make_separable(300, dim=2, seed=3)
    >>> c = measure_learning_curve(X, y, [5, 100], repeats=3)
    >>> bool(c.mean_error[1] < c.mean_error[0]), c.zero_train_fraction.tolist()
    (True, [1.0, 1.0])
    """
    if model not in MODELS:
        raise InputError(f"model={model!r}: expected one of {', '.join(MODELS)}")
    if repeats < 2:
        raise InputError(f"repeats={repeats!r}: expected an integer of at least 2")
    ns = np.asarray(sorted({int(n) for n in ns}), dtype=np.int64)
    if len(y) < 51:
        raise InputError(f"the data set has {len(y)} points; a learning curve needs more than 50 "
                         "(50 are kept for testing)")
    if ns.size == 0 or ns.min() < 1 or ns.max() > len(y) - 50:
        raise InputError(f"training sizes {ns.tolist()}: expected integers from 1 to {len(y) - 50} "
                         f"(the data set has {len(y)} points; 50 are kept for testing)")
    rng = np.random.default_rng([seed, 13])
    means, errs, zero = [], [], []
    with threadpool_limits(limits=1, user_api="blas"):
        for n in ns:
            held_out_errors, fitted = [], 0
            for r in range(repeats):
                order = rng.permutation(len(y))
                train, test = order[:n], order[n:]
                on_train, on_test = _train_predict(model, X[train], y[train], X[test], seed + r)
                held_out_errors.append(float(np.mean(on_test != y[test])))
                fitted += int(np.all(on_train == y[train]))
                if progress is not None:
                    progress(1)
            means.append(np.mean(held_out_errors))
            errs.append(np.std(held_out_errors, ddof=1) / math.sqrt(repeats))
            zero.append(fitted / repeats)
    return MeasuredCurve(ns, np.array(means), np.array(errs), np.array(zero), repeats, model, dataset)


# ---------------------------------------------------------------------------
# the families' curves, vectorised over n
# ---------------------------------------------------------------------------

def _sigmoid(t):
    return 0.5 * (1.0 + np.tanh(0.5 * t))


def _log_beta_ratio(a, b, n):
    """log Z_n of Beta(a, b) = log B(a, b + n) - log B(a, b)."""
    return special.gammaln(b + n) - special.gammaln(a + b + n) + special.gammaln(a + b) - special.gammaln(b)


@dataclass(frozen=True)
class _Family:
    name: str
    n_params: int
    curve: Callable          # (theta, ns) -> E_n
    density: Callable        # theta -> ErrorDensity
    params: Callable         # theta -> dict
    starts: Callable         # (ns, E) -> list of theta
    bounds: tuple            # (lower, upper) on theta


_LOG = (-7.0, 12.0)          # shapes between 1e-3 and 1.6e5
_OFFSET = (-25.0, 0.0)       # offsets below 1/2
_WEIGHT = (-12.0, 12.0)


def _beta_curve(theta, ns):
    a, b = np.exp(theta)
    return a / (a + b + ns)


def _powerlaw_curve(theta, ns):
    k, offset = math.exp(theta[0]) - 1.0, _sigmoid(theta[1])
    return offset + (1 - offset) * (k + 1) / (k + ns + 2)


def _beta_offset_curve(theta, ns):
    a, b = np.exp(theta[:2])
    offset = _sigmoid(theta[2])
    return offset + (1 - offset) * a / (a + b + ns)


def _mix_parts(theta):
    w = float(_sigmoid(theta[0]))
    k = math.exp(theta[1]) - 1.0
    offset = float(_sigmoid(theta[2]))
    a, b = np.exp(theta[3:5])
    return w, k, offset, float(a), float(b)


def _mix_curve(theta, ns):
    w, k, offset, a, b = _mix_parts(theta)
    log_good = math.log(w) + ns * math.log1p(-offset) + _log_beta_ratio(k + 1, 1.0, ns)
    log_bad = math.log1p(-w) + _log_beta_ratio(a, b, ns)
    share = _sigmoid(log_good - log_bad)
    return share * (offset + (1 - offset) * (k + 1) / (k + ns + 2)) + (1 - share) * a / (a + b + ns)


def _mix_density(theta):
    w, k, offset, a, b = _mix_parts(theta)
    return MixtureDensity((w, 1 - w), (PowerLawDensity(k, offset), BetaDensity(a, b)))


def _logit(p):
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def _starts_beta(ns, E):
    out = []
    for a in (0.5, 1.0, 3.0, 10.0):
        # match the first point: a / (a + b + n0) = E0
        b = max(a / max(E[0], 1e-6) - a - ns[0], 0.05)
        out.append(np.log([a, b]))
    return out


def _starts_powerlaw(ns, E):
    floor = max(min(E) * 0.8, 1e-4)
    return [np.array([math.log(k + 1), _logit(o)]) for k in (0.0, 2.0, 10.0) for o in (floor, floor / 4)]


def _starts_beta_offset(ns, E):
    floor = max(min(E) * 0.8, 1e-4)
    return [np.concatenate([s, [_logit(o)]]) for s in _starts_beta(ns, E) for o in (floor, floor / 4)]


def _starts_mix(ns, E):
    floor = max(min(E) * 0.8, 1e-4)
    return [np.array([_logit(w), math.log(k + 1), _logit(floor), math.log(bad[0]), math.log(bad[1])])
            for w in (0.05, 0.3, 0.7) for k in (0.0, 3.0) for bad in ((5.0, 5.0), (8.0, 2.0))]


_FAMILIES = {
    "beta": _Family("beta", 2, _beta_curve,
                    lambda t: BetaDensity(*np.exp(t)),
                    lambda t: {"a": float(math.exp(t[0])), "b": float(math.exp(t[1]))}, _starts_beta,
                    ([_LOG[0]] * 2, [_LOG[1]] * 2)),
    "powerlaw": _Family("powerlaw", 2, _powerlaw_curve,
                        lambda t: PowerLawDensity(math.exp(t[0]) - 1.0, float(_sigmoid(t[1]))),
                        lambda t: {"k": math.exp(t[0]) - 1.0, "offset": float(_sigmoid(t[1]))},
                        _starts_powerlaw, ([_LOG[0], _OFFSET[0]], [_LOG[1], _OFFSET[1]])),
    "beta-offset": _Family("beta-offset", 3, _beta_offset_curve,
                           lambda t: BetaDensity(math.exp(t[0]), math.exp(t[1]), float(_sigmoid(t[2]))),
                           lambda t: {"a": math.exp(t[0]), "b": math.exp(t[1]), "offset": float(_sigmoid(t[2]))},
                           _starts_beta_offset,
                           ([_LOG[0], _LOG[0], _OFFSET[0]], [_LOG[1], _LOG[1], _OFFSET[1]])),
    "mix": _Family("mix", 5, _mix_curve, _mix_density,
                   lambda t: dict(zip(("w", "k", "offset", "a", "b"), _mix_parts(t))),
                   _starts_mix, ([_WEIGHT[0], _LOG[0], _OFFSET[0], _LOG[0], _LOG[0]],
                                 [_WEIGHT[1], _LOG[1], _OFFSET[1], _LOG[1], _LOG[1]])),
}


def family_curve(family: str, params: dict, ns: Sequence[int]) -> np.ndarray:
    """``E_n`` of a family with the given parameters (float64, vectorised over ``ns``).

    Parameters
    ----------
    family : str
        One of :data:`FAMILIES`.
    params : dict
        As in :attr:`DensityFit.params`.
    ns : sequence of int

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> family_curve("beta", {"a": 2, "b": 5}, [0, 10]).round(6).tolist()
    [0.285714, 0.117647]
    >>> family_curve("powerlaw", {"k": 1, "offset": 0.02}, [98]).round(6).tolist()
    [0.039406]
    """
    ns = np.asarray(ns, dtype=float)
    if family == "beta":
        theta = np.log([params["a"], params["b"]])
    elif family == "powerlaw":
        theta = np.array([math.log(params["k"] + 1), _logit(params["offset"])])
    elif family == "beta-offset":
        theta = np.array([math.log(params["a"]), math.log(params["b"]), _logit(params["offset"])])
    elif family == "mix":
        theta = np.array([_logit(params["w"]), math.log(params["k"] + 1), _logit(params["offset"]),
                          math.log(params["a"]), math.log(params["b"])])
    else:
        raise InputError(f"family {family!r}: expected one of {', '.join(FAMILIES)}")
    return _FAMILIES[family].curve(theta, ns)


# ---------------------------------------------------------------------------
# fitting
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DensityFit:
    """One family fitted to a measured learning curve.

    Attributes
    ----------
    family : str
    params : dict
    density : ErrorDensity
        The fitted density (its string: ``density.describe()``).
    n_params : int
    rmse : float
        Root mean square of ``E_fit - E_measured``.
    chi2 : float
        Sum of squared standardised residuals.
    aic, bic : float
        ``chi2 + 2 p`` and ``chi2 + p log m`` (Gaussian likelihood up to a constant).
    fitted : numpy.ndarray
        The fitted curve at the measured sizes.
    at_bound : bool
        Some parameter ended on the edge of its search range (shapes 1e-3 to
        1.6e5, offsets below 1/2): the family is pushed to a limiting case.

    Examples
    --------
    >>> ns = np.array([10, 30, 100, 300])
    >>> fit = fit_density_families(ns, 0.02 + 0.98 * 3 / (4 + ns), np.full(4, 1e-3), ["powerlaw"])[0]
    >>> fit.row()["density"], round(fit.rmse, 8)
    ('powerlaw:k=2,offset=0.02', 0.0)
    """

    family: str
    params: dict
    density: ErrorDensity
    n_params: int
    rmse: float
    chi2: float
    aic: float
    bic: float
    fitted: np.ndarray
    at_bound: bool = False

    def row(self) -> dict:
        """Plain dict for tables and JSON.

        Examples
        --------
        See :class:`DensityFit`.
        """
        return {"family": self.family, "density": self.density.describe(), "params": self.n_params,
                "rmse": self.rmse, "chi2": self.chi2, "aic": self.aic, "bic": self.bic, "at_bound": self.at_bound}


def _fit_one(family: _Family, ns, E, sigma) -> Optional[DensityFit]:
    def residuals(theta):
        return (family.curve(theta, ns) - E) / sigma

    lower, upper = (np.asarray(b, dtype=float) for b in family.bounds)

    def solve(start, budget):
        start = np.clip(start, lower + 1e-9, upper - 1e-9)
        try:
            result = optimize.least_squares(residuals, start, bounds=(lower, upper), method="trf", max_nfev=budget)
        except (ValueError, FloatingPointError):
            return None
        return result if np.all(np.isfinite(result.fun)) else None

    # a short run from every start, then the two most promising are run to convergence
    scouts = [r for r in (solve(start, 150) for start in family.starts(ns, E)) if r is not None]
    scouts.sort(key=lambda r: r.cost)
    finals = [r for r in (solve(r.x, 3000) for r in scouts[:2]) if r is not None]
    candidates = finals + scouts[:1]
    if not candidates:
        return None
    best = min(candidates, key=lambda r: r.cost)
    theta = best.x
    fitted = family.curve(theta, ns)
    chi2 = float(np.sum(((fitted - E) / sigma) ** 2))
    m, p = ns.size, family.n_params
    try:
        density = family.density(theta)
    except InputError:
        return None
    at_bound = bool(np.any(np.isclose(theta, lower, atol=1e-6) | np.isclose(theta, upper, atol=1e-6)))
    return DensityFit(family.name, family.params(theta), density, p,
                      float(np.sqrt(np.mean((fitted - E) ** 2))), chi2, chi2 + 2 * p, chi2 + p * math.log(m), fitted,
                      at_bound)


def fit_density_families(ns: Sequence[int], errors: Sequence[float], stderr: Optional[Sequence[float]] = None,
                         families: Sequence[str] = FAMILIES) -> list[DensityFit]:
    """Fit each family's learning curve to measured errors; best (lowest AIC) first.

    Parameters
    ----------
    ns : sequence of int
    errors : sequence of float
        Measured mean error at each ``n``.
    stderr : sequence of float or None
        Standard errors (floored at 1e-4); None weighs all points equally
        (unit errors, so ``chi2`` is then the residual sum of squares).
    families : sequence of str
        Subset of :data:`FAMILIES`; a family with at least as many parameters
        as points is skipped.

    Returns
    -------
    list of DensityFit

    Raises
    ------
    InputError
        For an unknown family or inconsistent inputs.

    Examples
    --------
    >>> ns = np.array([10, 20, 50, 100, 200, 500])
    >>> fits = fit_density_families(ns, 2 / (2 + 5 + ns), np.full(6, 1e-3), ["beta", "powerlaw"])
    >>> fits[0].family, round(fits[0].params["a"], 3), round(fits[0].params["b"], 3)
    ('beta', 2.0, 5.0)
    """
    ns = np.asarray(ns, dtype=float)
    E = np.asarray(errors, dtype=float)
    if ns.shape != E.shape or ns.size < 2 or not np.all(np.isfinite(E)):
        raise InputError("fit: need at least two finite (n, error) points of equal length")
    sigma = np.ones_like(E) if stderr is None else np.maximum(np.asarray(stderr, dtype=float), 1e-4)
    unknown = [f for f in families if f not in _FAMILIES]
    if unknown:
        raise InputError(f"families {unknown}: expected a subset of {', '.join(FAMILIES)}")
    fits = []
    for name in families:
        family = _FAMILIES[name]
        if family.n_params >= ns.size:
            continue
        fit = _fit_one(family, ns, E, sigma)
        if fit is not None:
            fits.append(fit)
    return sorted(fits, key=lambda f: f.aic)


def akaike_weights(fits: Sequence[DensityFit]) -> np.ndarray:
    """``exp(-(AIC - AIC_min)/2)``, normalised: how strongly the data prefer each fit.

    Examples
    --------
    >>> class F: aic = 0.0
    >>> class G: aic = 2 * math.log(3)
    >>> akaike_weights([F, G]).round(3).tolist()
    [0.75, 0.25]
    """
    aic = np.array([f.aic for f in fits], dtype=float)
    weights = np.exp(-(aic - aic.min()) / 2)
    return weights / weights.sum()


@dataclass(frozen=True)
class OutOfSamplePrediction:
    """A density fitted on the small sizes of a learning curve, predicting the large ones.

    Attributes
    ----------
    fit : DensityFit
        The family chosen by AIC among fits to the small sizes only.
    ns : numpy.ndarray
        The held-out (large) sizes.
    predicted, measured, stderr : numpy.ndarray
        The fitted curve extrapolated to ``ns``, the measured mean error and its
        standard error there.

    Examples
    --------
    >>> ns = np.array([10, 20, 40, 80, 160, 320, 640])
    >>> p = predict_out_of_sample(ns, 2 / (2 + 5 + ns), np.full(7, 1e-3), fit_up_to=80, families=["beta"])
    >>> p.ns.tolist(), float(np.abs(p.errors).max()) < 1e-6
    ([160, 320, 640], True)
    """

    fit: DensityFit
    ns: np.ndarray
    predicted: np.ndarray
    measured: np.ndarray
    stderr: np.ndarray

    @property
    def errors(self) -> np.ndarray:
        """Prediction errors ``predicted - measured`` at the held-out sizes.

        Examples
        --------
        See :class:`OutOfSamplePrediction`.
        """
        return self.predicted - self.measured

    @property
    def z(self) -> np.ndarray:
        """Prediction errors in standard errors of the measurement (floored at 1e-4).

        Examples
        --------
        See :class:`OutOfSamplePrediction`.
        """
        return self.errors / np.maximum(self.stderr, 1e-4)


def predict_out_of_sample(ns: Sequence[int], errors: Sequence[float], stderr: Sequence[float], fit_up_to: int,
                          families: Sequence[str] = FAMILIES) -> OutOfSamplePrediction:
    """Fit every family on the sizes ``n <= fit_up_to``, choose by AIC there, and
    predict the error at the larger sizes, which the fit never saw.

    Parameters
    ----------
    ns, errors, stderr : sequences
        A measured learning curve.
    fit_up_to : int
        Largest size used for fitting.
    families : sequence of str

    Returns
    -------
    OutOfSamplePrediction

    Raises
    ------
    InputError
        When no size is held out, or no family can be fitted.

    Examples
    --------
    See :class:`OutOfSamplePrediction`.
    """
    ns_given = ns
    ns = np.asarray(ns, dtype=float)
    E = np.asarray(errors, dtype=float)
    S = np.asarray(stderr, dtype=float)
    small = ns <= fit_up_to
    if small.all() or not small.any():
        raise InputError(f"fit_up_to={fit_up_to}: need sizes on both sides of it")
    fits = fit_density_families(ns[small], E[small], S[small], families)
    if not fits:
        raise InputError("no family could be fitted to the small sizes")
    best = fits[0]
    large = np.asarray(ns_given)[~small]
    predicted = family_curve(best.family, best.params, large)
    return OutOfSamplePrediction(best, large, np.asarray(predicted, dtype=float), E[~small], S[~small])
