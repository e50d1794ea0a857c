"""A classifier set sampled and measured on real data, against the learning-curve theory.

The set: linear classifiers on fixed features, weights drawn from a Gaussian
prior. Each sampled classifier has its true error measured on a held-out set
(the empirical density ``rho``) and, over many random training sequences,
whether it fits the first ``n`` training points. Pooled over sequences this
gives the measured fraction of the set with zero training error, the error of
the zero-training-error classifiers (the empirical learning curve) and the
fraction of bad minima among them, each with a simultaneous bootstrap band;
:mod:`rankstrat.theory.curves.learning_curves` predicts all three from the empirical ``rho``.

Training draws. For a finite data set (digits, MNIST, CIFAR-10) the data
distribution *is* the data set: the true error of a classifier is its error on
the whole set and training points are drawn from it with replacement, so the
theory applies exactly. For the synthetic problem training points are fresh
draws from the generator and, with identity features, the true error is exact
(``angle(w, w*) / pi``); its held-out estimate is kept beside it. With other
features on synthetic data the held-out estimate is used, and the comparison
then carries its error: held-out estimates of nearby classifiers share the
same held-out points, so their errors are off together, by about
``sqrt(eps / heldout)``, and with 1000 sequences the bands are narrow enough to
see that.

One training *sequence* serves every ``n`` at once: a classifier fits the
first ``n`` points exactly when its first mistake comes later. Sequences are
independent; the bands resample them (the classifiers of one sequence are not
independent of each other, so binomial bands would be too narrow).

Calibration. The number of classifiers fitting one sequence is heavy-tailed
(a lucky sequence is fitted by a whole cluster of similar classifiers), so the
bootstrap over sequences sees that tail only with enough sequences: with a few
hundred its bands come out narrower than the spread over independent
repetitions, with about a thousand the two agree. Hence the default of 1000
sequences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np
from scipy import stats
from threadpoolctl import threadpool_limits

from rankstrat.numerics.datasets import load_dataset, make_separable, parse_dataset, separable_teacher
from rankstrat.theory.curves.error_density import EmpiricalDensity
from rankstrat.theory.curves.learning_curves import expected_error, log_bad_fraction, log_normaliser
from rankstrat.theory.errors import InputError

FEATURE_KINDS = ("identity", "pca", "random")
"""``identity`` (raw inputs, no bias), ``pca:D`` (top D principal components
plus a bias), ``random:D`` (``tanh`` of D fixed Gaussian projections plus a bias)."""

PRIORS = ("zero", "fitted")
"""Centre of the Gaussian prior: the origin, or the least-squares classifier."""

MAX_POPULATION_ENTRIES = 400_000_000
"""Largest classifiers x data points table kept in memory."""
MAX_FEATURES = 10_000
"""Most features ``D`` of ``pca:D`` or ``random:D``."""


# ---------------------------------------------------------------------------
# fixed features
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class FeatureMap:
    """Fixed features ``phi(x)``: identity, principal components or random ``tanh`` projections.

    Attributes
    ----------
    kind : str
    mean : numpy.ndarray
        Subtracted from the inputs first.
    projection : numpy.ndarray or None
        ``(n_inputs, dim)`` matrix applied after centring.
    nonlinear : bool
        Apply ``tanh`` after projecting.
    bias : bool
        Append a constant 1.

    Examples
    --------
    >>> X = np.random.default_rng(0).standard_normal((50, 4))
    >>> fit_feature_map(X, "pca:2")(X).shape
    (50, 3)
    """

    kind: str
    mean: np.ndarray
    projection: Optional[np.ndarray]
    nonlinear: bool
    bias: bool

    def __call__(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if self.projection is None:
            F = X - self.mean
        else:
            F = (X - self.mean) @ self.projection
        if self.nonlinear:
            F = np.tanh(F)
        if self.bias:
            F = np.hstack([F, np.ones((F.shape[0], 1))])
        return F

    @property
    def dim(self) -> int:
        """Number of features, bias included.

        Examples
        --------
        >>> fit_feature_map(np.eye(4), "random:3").dim
        4
        """
        base = self.mean.size if self.projection is None else self.projection.shape[1]
        return base + int(self.bias)


def parse_features(text: str) -> tuple[str, int]:
    """``'pca:2'`` -> ``('pca', 2)``; ``'identity'`` -> ``('identity', 0)``.

    Examples
    --------
    >>> parse_features("random:16")
    ('random', 16)
    >>> parse_features("pca")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: features 'pca': expected identity, pca:D or random:D with D a positive integer
    """
    kind, _, dim = str(text).strip().partition(":")
    message = f"features {text!r}: expected identity, pca:D or random:D with D a positive integer"
    if kind == "identity" and not dim:
        return kind, 0
    if kind not in ("pca", "random") or not dim.strip():
        raise InputError(message)
    from rankstrat.theory.values import parse_integer

    try:
        value = parse_integer(dim, "D", 1, MAX_FEATURES)
    except InputError as exc:
        raise InputError(f"{message} (D: {str(exc).split(': ', 1)[1]})") from None
    return kind, value


def fit_feature_map(X: np.ndarray, features: str = "pca:2", seed: int = 0) -> FeatureMap:
    """Build fixed features from the inputs (centring, principal components) and a seed.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, p)
    features : str
        ``identity``, ``pca:D`` or ``random:D``.
    seed : int
        Seed of the random projections.

    Returns
    -------
    FeatureMap

    Examples
    --------
    >>> X = np.random.default_rng(0).standard_normal((100, 5))
    >>> F = fit_feature_map(X, "pca:2")(X)
    >>> round(float(F[:, 0].var()), 6), bool(np.all(F[:, -1] == 1))
    (1.0, True)
    """
    kind, dim = parse_features(features)
    X = np.asarray(X, dtype=np.float64)
    if kind == "identity":
        return FeatureMap(kind, np.zeros(X.shape[1]), None, False, False)
    mean = X.mean(axis=0)
    Z = X - mean
    if kind == "pca":
        if dim > min(Z.shape):
            raise InputError(f"features 'pca:{dim}': at most {min(Z.shape)} components for data of shape {X.shape}")
        _, s, vt = np.linalg.svd(Z, full_matrices=False)
        scale = s[0] / math.sqrt(Z.shape[0]) if s[0] > 0 else 1.0
        return FeatureMap(kind, mean, vt[:dim].T / scale, False, True)
    spread = Z.std(axis=0)
    spread[spread == 0] = 1.0
    rng = np.random.default_rng([seed, 3])
    projection = rng.standard_normal((X.shape[1], dim)) / math.sqrt(X.shape[1])
    return FeatureMap(kind, mean, projection / spread[:, None], True, True)


# ---------------------------------------------------------------------------
# the classifier set
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LinearClassifiers:
    """``K`` linear classifiers on features: ``sign(F w)`` for two classes, ``argmax(F W^T)`` for more.

    Attributes
    ----------
    weights : numpy.ndarray
        ``(K, D)`` for two classes (the second label wins when ``F w > 0``),
        ``(K, C, D)`` for ``C`` classes.
    labels : numpy.ndarray
        The class labels, sorted.

    Examples
    --------
    >>> c = LinearClassifiers(np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([0, 1]))
    >>> F, y = np.array([[1.0, 1.0], [-1.0, 1.0]]), np.array([1, 0])
    >>> c.errors(F, y).tolist(), c.correct(F, y).tolist()
    ([0.0, 1.0], [[True, False], [True, False]])
    """

    weights: np.ndarray
    labels: np.ndarray

    @property
    def count(self) -> int:
        """Number of classifiers.

        Examples
        --------
        >>> LinearClassifiers(np.zeros((5, 2)), np.array([0, 1])).count
        5
        """
        return self.weights.shape[0]

    def _chunk(self, n_points: int) -> int:
        per = n_points * (1 if self.weights.ndim == 2 else self.weights.shape[1])
        return max(1, int(4_000_000 // max(per, 1)))

    def correct(self, F: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Boolean ``(N, K)``: does classifier ``k`` label point ``i`` correctly?

        Examples
        --------
        >>> c = LinearClassifiers(np.array([[[1.0], [0.0], [-1.0]]]), np.array([4, 5, 6]))   # 3 classes
        >>> c.correct(np.array([[1.0], [-1.0]]), np.array([4, 5])).tolist()
        [[True], [False]]
        """
        target = np.searchsorted(self.labels, y)
        out = np.empty((F.shape[0], self.count), dtype=bool)
        step = self._chunk(F.shape[0])
        for start in range(0, self.count, step):
            W = self.weights[start:start + step]
            if W.ndim == 2:
                out[:, start:start + step] = (F @ W.T > 0) == (target == 1)[:, None]
            else:
                k, c, d = W.shape
                scores = (F @ W.reshape(k * c, d).T).reshape(F.shape[0], k, c)
                out[:, start:start + step] = scores.argmax(axis=2) == target[:, None]
        return out

    def errors(self, F: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Fraction of points each classifier gets wrong (chunked: no ``N x K`` table kept).

        Examples
        --------
        >>> c = LinearClassifiers(np.array([[1.0], [-1.0]]), np.array([0, 1]))
        >>> c.errors(np.array([[1.0], [2.0], [-1.0]]), np.array([1, 1, 1])).round(4).tolist()
        [0.3333, 0.6667]
        """
        result = np.empty(self.count)
        step = self._chunk(F.shape[0])
        for start in range(0, self.count, step):
            part = LinearClassifiers(self.weights[start:start + step], self.labels)
            result[start:start + step] = 1.0 - part.correct(F, y).mean(axis=0)
        return result


def exact_synthetic_errors(classifiers: LinearClassifiers, teacher: np.ndarray) -> np.ndarray:
    """True errors of linear classifiers (no bias) on isotropic Gaussian inputs: ``angle(w, w*) / pi``.

    Exact for :func:`rankstrat.numerics.datasets.make_separable` with identity features.

    Examples
    --------
    >>> c = LinearClassifiers(np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]), np.array([0, 1]))
    >>> exact_synthetic_errors(c, np.array([1.0, 0.0])).tolist()
    [0.0, 0.5, 1.0]
    """
    w = classifiers.weights
    cosine = (w @ teacher) / (np.linalg.norm(w, axis=1) * np.linalg.norm(teacher))
    return np.arccos(np.clip(cosine, -1.0, 1.0)) / np.pi


def least_squares_centre(F: np.ndarray, y: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Least-squares classifier on the features (``+-1`` or one-hot targets), unit norm.

    Examples
    --------
    >>> F = np.array([[1.0, 1.0], [-1.0, 1.0], [2.0, 1.0]])
    >>> w = least_squares_centre(F, np.array([1, 0, 1]), np.array([0, 1]))
    >>> bool(np.all((F @ w > 0) == np.array([True, False, True])))
    True
    """
    target = np.searchsorted(labels, y)
    if labels.size == 2:
        w = np.linalg.lstsq(F, 2.0 * target - 1.0, rcond=None)[0]
    else:
        w = np.linalg.lstsq(F, np.eye(labels.size)[target], rcond=None)[0].T
    return w / np.linalg.norm(w)


def sample_linear_classifiers(count: int, n_features: int, labels: Sequence[int], rng: np.random.Generator,
                              centre: Optional[np.ndarray] = None, spread: float = 1.0) -> LinearClassifiers:
    """Draw ``count`` classifiers with Gaussian weights.

    Without a centre the weights are standard normal; with a (unit-norm)
    centre they are ``centre + spread * g / sqrt(g.size)`` with ``g`` standard
    normal, so ``spread = 1`` puts noise of the centre's size on it.

    Parameters
    ----------
    count : int
    n_features : int
    labels : sequence of int
    rng : numpy.random.Generator
    centre : numpy.ndarray or None
    spread : float

    Returns
    -------
    LinearClassifiers

    Examples
    --------
    >>> c = sample_linear_classifiers(4, 3, [0, 1], np.random.default_rng(0))
    >>> c.weights.shape, sample_linear_classifiers(2, 3, [0, 1, 2], np.random.default_rng(0)).weights.shape
    ((4, 3), (2, 3, 3))
    """
    if count < 1:
        raise InputError(f"classifiers={count!r}: expected a positive integer")
    labels = np.unique(np.asarray(labels))
    shape = (count, n_features) if labels.size == 2 else (count, labels.size, n_features)
    g = rng.standard_normal(shape)
    if centre is None:
        return LinearClassifiers(g, labels)
    if not spread > 0:
        raise InputError(f"spread={spread!r}: expected a positive number")
    return LinearClassifiers(centre[None] + spread * g / math.sqrt(centre.size), labels)


# ---------------------------------------------------------------------------
# first mistakes along training sequences
# ---------------------------------------------------------------------------

def first_error_times(correct: np.ndarray) -> np.ndarray:
    """Index of each classifier's first mistake along a sequence (``m`` when none).

    Parameters
    ----------
    correct : numpy.ndarray of bool, shape (m, K)
        Row ``t``: which classifiers label the ``t``-th point of the sequence correctly.

    Returns
    -------
    numpy.ndarray of int, shape (K,)
        A classifier fits the first ``n`` points exactly when its value is ``>= n``.

    Examples
    --------
    >>> first_error_times(np.array([[True, True], [False, True], [True, True]])).tolist()
    [1, 3]
    """
    wrong = ~correct
    return np.where(wrong.any(axis=0), wrong.argmax(axis=0), correct.shape[0])


def sequence_first_errors(correct_block: Callable[[int, int, np.ndarray], np.ndarray], length: int,
                          count: int) -> np.ndarray:
    """First-mistake times along one sequence, looking only at classifiers still without a mistake.

    Positions are examined in blocks of 4, 8, 16, ... and each block only for
    the classifiers that have fitted every earlier position, so the cost
    follows the fraction of the set still fitting rather than the sequence length.

    Parameters
    ----------
    correct_block : callable
        ``correct_block(start, stop, alive)`` returns a boolean
        ``(stop - start, len(alive))`` array: which of the classifiers
        ``alive`` label positions ``start..stop-1`` correctly.
    length : int
        Sequence length ``m``.
    count : int
        Number of classifiers ``K``.

    Returns
    -------
    numpy.ndarray of int, shape (K,)
        As :func:`first_error_times`.

    Examples
    --------
    >>> table = np.random.default_rng(0).random((30, 7)) < 0.9
    >>> fast = sequence_first_errors(lambda a, b, alive: table[a:b][:, alive], 30, 7)
    >>> bool(np.array_equal(fast, first_error_times(table)))
    True
    """
    times = np.full(count, length, dtype=np.int64)
    alive = np.arange(count)
    start, block = 0, 4
    while start < length and alive.size:
        stop = min(length, start + block)
        wrong = ~correct_block(start, stop, alive)
        hit = wrong.any(axis=0)
        times[alive[hit]] = start + wrong[:, hit].argmax(axis=0)
        alive = alive[~hit]
        start, block = stop, 2 * block
    return times


def population_first_errors(correct: np.ndarray, n_max: int, trials: int, rng: np.random.Generator,
                            progress: Optional[Callable[[int], None]] = None) -> np.ndarray:
    """First-mistake times for ``trials`` sequences drawn with replacement from a finite population.

    Parameters
    ----------
    correct : numpy.ndarray of bool, shape (N, K)
        Which classifiers label each population point correctly.
    n_max : int
        Length of each sequence.
    trials : int
    rng : numpy.random.Generator
    progress : callable or None
        Called with 1 after each sequence.

    Returns
    -------
    numpy.ndarray of int32, shape (trials, K)

    Examples
    --------
    >>> table = np.array([[True, True], [True, False]])   # classifier 1 errs on point 1
    >>> times = population_first_errors(table, 4, 50, np.random.default_rng(0))
    >>> int(times[:, 0].min()), int(times[:, 1].min())   # never errs; errs at once in some sequence
    (4, 0)
    """
    out = np.empty((trials, correct.shape[1]), dtype=np.int32)
    for r in range(trials):
        draw = rng.integers(0, correct.shape[0], size=n_max)
        out[r] = sequence_first_errors(lambda a, b, alive: correct[np.ix_(draw[a:b], alive)],
                                       n_max, correct.shape[1])
        if progress is not None:
            progress(1)
    return out


def fresh_first_errors(classifiers: LinearClassifiers, features: FeatureMap,
                       draw: Callable[[int], tuple], n_max: int, trials: int,
                       progress: Optional[Callable[[int], None]] = None) -> np.ndarray:
    """First-mistake times for ``trials`` sequences of fresh points from a generator.

    Parameters
    ----------
    classifiers : LinearClassifiers
    features : FeatureMap
    draw : callable
        ``draw(trial) -> (X, y)`` with ``n_max`` new points.
    n_max, trials : int
    progress : callable or None

    Returns
    -------
    numpy.ndarray of int32, shape (trials, K)

    Examples
    --------
    >>> c = LinearClassifiers(np.array([[1.0, 0.0]]), np.array([0, 1]))
    >>> f = fit_feature_map(np.zeros((1, 2)), "identity")
    >>> fresh_first_errors(c, f, lambda r: (np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([1, 1])), 2, 1).tolist()
    [[1]]
    """
    out = np.empty((trials, classifiers.count), dtype=np.int32)
    for r in range(trials):
        X, y = draw(r)
        F = features(X)

        def block(a, b, alive):
            return LinearClassifiers(classifiers.weights[alive], classifiers.labels).correct(F[a:b], y[a:b])

        out[r] = sequence_first_errors(block, F.shape[0], classifiers.count)
        if progress is not None:
            progress(1)
    return out


# ---------------------------------------------------------------------------
# measured versus predicted
# ---------------------------------------------------------------------------

QUANTITIES = ("fit_fraction", "expected_error", "bad_fraction")
"""What is compared: fraction of the set fitting ``n`` points (``Z_n``), mean
error among those (``E_n``) and fraction of them with error above ``eps0`` (``B_n``)."""


@dataclass(frozen=True)
class SampledCurve:
    """Measured and predicted curves of a sampled classifier set, with simultaneous bands.

    Attributes
    ----------
    ns : numpy.ndarray
    fits : numpy.ndarray
        Zero-training-error classifiers pooled over all sequences, per ``n``.
    usable : numpy.ndarray of bool
        ``fits >= min_fits``: the sizes that are compared.
    predicted, measured, lower, upper : dict of str to numpy.ndarray
        Keyed by :data:`QUANTITIES`; ``lower``/``upper`` is the band on the measurement.
    eps0 : float
    confidence : float
    classifiers, trials : int

    Examples
    --------
    >>> errors = np.array([0.0, 0.5])
    >>> times = np.array([[3, 0], [3, 1]])
    >>> c = compare_with_theory(errors, times, [0, 1], eps0=0.25, bootstrap=50, min_fits=1)
    >>> c.measured["fit_fraction"].tolist(), c.predicted["fit_fraction"].tolist()
    ([1.0, 0.75], [1.0, 0.75])
    >>> c.within("fit_fraction").tolist(), c.passed, c.worst_excess(), sorted(c.rows()[1])[:3]
    ([True, True], True, 0.0, ['B_hi', 'B_lo', 'B_meas'])
    """

    ns: np.ndarray
    fits: np.ndarray
    usable: np.ndarray
    predicted: dict
    measured: dict
    lower: dict
    upper: dict
    eps0: float
    confidence: float
    classifiers: int
    trials: int

    def within(self, quantity: str) -> np.ndarray:
        """Is the prediction inside the band, per ``n`` (True where not usable)?

        Examples
        --------
        See :class:`SampledCurve`.
        """
        p = self.predicted[quantity]
        inside = (p >= self.lower[quantity] - 1e-12) & (p <= self.upper[quantity] + 1e-12)
        return inside | ~self.usable

    @property
    def passed(self) -> bool:
        """Every usable size, every quantity inside its band (and at least one usable size).

        Examples
        --------
        See :class:`SampledCurve`.
        """
        return bool(self.usable.any()) and all(self.within(q).all() for q in QUANTITIES)

    def worst_excess(self) -> float:
        """Largest ``|predicted - measured|`` as a fraction of the band's half-width on that side.

        Examples
        --------
        See :class:`SampledCurve`.
        """
        worst = 0.0
        for q in QUANTITIES:
            p, m = self.predicted[q][self.usable], self.measured[q][self.usable]
            half = np.where(p >= m, self.upper[q][self.usable] - m, m - self.lower[q][self.usable])
            gap = np.abs(p - m)
            ratio = np.where(half > 0, gap / np.where(half > 0, half, 1.0), np.where(gap > 1e-12, np.inf, 0.0))
            worst = max(worst, float(ratio.max(initial=0.0)))
        return worst

    def rows(self) -> list[dict]:
        """One dict per ``n``, for tables and JSON.

        Examples
        --------
        See :class:`SampledCurve`.
        """
        rows = []
        for i, n in enumerate(self.ns):
            row = {"n": int(n), "fits": int(self.fits[i]), "compared": bool(self.usable[i])}
            for q, short in zip(QUANTITIES, ("Z", "E", "B")):
                row[f"{short}_pred"] = float(self.predicted[q][i])
                row[f"{short}_meas"] = float(self.measured[q][i])
                row[f"{short}_lo"] = float(self.lower[q][i])
                row[f"{short}_hi"] = float(self.upper[q][i])
                row[f"{short}_ok"] = bool(self.within(q)[i])
            rows.append(row)
        return rows


def _tail_counts(times: np.ndarray, weights: np.ndarray, ns: np.ndarray) -> np.ndarray:
    """``sum_k weights[k] * [times[r, k] >= n]`` for each trial ``r`` and each ``n`` in ``ns``."""
    top = int(max(times.max(initial=0), ns.max(initial=0))) + 1
    weights = np.asarray(weights, dtype=float)
    hist = np.stack([np.bincount(np.minimum(row, top), weights=weights, minlength=top + 1) for row in times])
    tail = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1]
    return tail[:, np.minimum(ns, top)]


def _sup_t_band(numerator: np.ndarray, denominator: np.ndarray, usable: np.ndarray,
                resample: np.ndarray, confidence: float):
    """Pooled ratio per ``n`` and its simultaneous band over the usable ``n``.

    Half-width ``c * se`` with ``se`` the bootstrap standard error and ``c`` the
    larger of the bootstrap sup-t quantile and the Bonferroni normal quantile
    ``z(1 - (1 - confidence) / (2 m))`` over the ``m`` usable sizes; clipped to
    [0, 1], where all three compared quantities lie.
    """
    total_den = denominator.sum(axis=0)
    estimate = np.divide(numerator.sum(axis=0), total_den, out=np.full(total_den.shape, np.nan),
                         where=total_den > 0)
    boot_den = resample @ denominator
    boot = np.divide(resample @ numerator, boot_den, out=np.tile(estimate, (resample.shape[0], 1)),
                     where=boot_den > 0)
    se = boot.std(axis=0)
    cols = usable & (se > 0)
    if cols.any():
        t = np.abs(boot[:, cols] - estimate[cols]) / se[cols]
        bonferroni = float(stats.norm.ppf(1 - (1 - confidence) / (2 * int(cols.sum()))))
        critical = max(float(np.quantile(t.max(axis=1), confidence)), bonferroni)
    else:
        critical = 0.0
    return estimate, np.maximum(estimate - critical * se, 0.0), np.minimum(estimate + critical * se, 1.0)


def compare_with_theory(errors: np.ndarray, first_errors: np.ndarray, ns: Sequence[int], eps0: float,
                        confidence: float = 0.99, bootstrap: int = 2000, min_fits: int = 100,
                        rng: Optional[np.random.Generator] = None) -> SampledCurve:
    """Measured ``Z_n``, ``E_n``, ``B_n(eps0)`` with simultaneous bands, against the theory from the measured errors.

    Measured values pool all sequences (``sum over sequences of fitting
    classifiers' errors / number of fitting classifiers``), which is what
    ``rho_n`` predicts. Bands are simultaneous over the usable ``n``: standard
    errors from resampling whole sequences, times the larger of the bootstrap
    quantile of the largest standardised deviation ("sup-t") and the Bonferroni
    normal quantile, so that the confidence holds for the whole curve at once.

    Parameters
    ----------
    errors : numpy.ndarray, shape (K,)
        Measured true errors of the classifiers.
    first_errors : numpy.ndarray of int, shape (trials, K)
        From :func:`population_first_errors` or :func:`fresh_first_errors`.
    ns : sequence of int
    eps0 : float
    confidence : float
    bootstrap : int
        Resamples of the sequences.
    min_fits : int
        Sizes with fewer pooled fits are shown but not compared.
    rng : numpy.random.Generator or None

    Returns
    -------
    SampledCurve

    Examples
    --------
    >>> errors = np.array([0.0, 0.2, 0.6])
    >>> table = np.random.default_rng(0).random((500, 3)) >= errors   # correct with probability 1 - eps
    >>> times = population_first_errors(table, 5, 400, np.random.default_rng(1))
    >>> c = compare_with_theory(errors, times, [0, 2, 5], eps0=0.1, min_fits=10)
    >>> c.predicted["fit_fraction"].round(4).tolist(), c.passed   # mean of (1 - eps)^n
    ([1.0, 0.6, 0.446], True)
    """
    errors = np.asarray(errors, dtype=float)
    ns = np.asarray(list(ns), dtype=np.int64)
    if ns.size == 0 or ns.min() < 0:
        raise InputError("ns: expected a non-empty list of non-negative integers")
    if not 0 < confidence < 1:
        raise InputError(f"confidence={confidence!r}: expected a number in (0, 1)")
    rng = rng if rng is not None else np.random.default_rng(0)
    trials, count = first_errors.shape
    fits = _tail_counts(first_errors, np.ones(count), ns)
    error_sum = _tail_counts(first_errors, errors, ns)
    bad = _tail_counts(first_errors, (errors > eps0).astype(float), ns)
    pooled = fits.sum(axis=0)
    usable = pooled >= min_fits
    resample = rng.multinomial(trials, np.full(trials, 1.0 / trials), size=bootstrap).astype(float)
    measured, lower, upper = {}, {}, {}
    per_trial = np.full(fits.shape, float(count))
    for name, num, den in (("fit_fraction", fits, per_trial), ("expected_error", error_sum, fits),
                           ("bad_fraction", bad, fits)):
        measured[name], lower[name], upper[name] = _sup_t_band(num, den, usable, resample, confidence)
    density = EmpiricalDensity(errors)
    predicted = {
        "fit_fraction": np.array([math.exp(float(log_normaliser(density, int(n)))) for n in ns]),
        "expected_error": np.array([expected_error(density, int(n)) for n in ns]),
        "bad_fraction": np.array([math.exp(float(log_bad_fraction(density, int(n), eps0))) for n in ns]),
    }
    return SampledCurve(ns, pooled, usable, predicted, measured, lower, upper, float(eps0),
                        float(confidence), count, trials)


# ---------------------------------------------------------------------------
# the whole experiment
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SampledExperiment:
    """A sampled classifier set on a data set, its measured errors and the comparison.

    Attributes
    ----------
    dataset : str
    features : str
    prior : str
    spread : float
    errors : numpy.ndarray
        True error of each sampled classifier (the empirical ``rho``).
    curve : SampledCurve
    draws : str
        ``population`` or ``fresh`` (see the module docstring).
    population : int
        Size of the set on which the errors are measured.
    error_source : str
        How ``errors`` were obtained.
    heldout_errors : numpy.ndarray or None
        Errors on the held-out set (equal to ``errors`` for finite data sets).

    Examples
    --------
    See :func:`run_sampled_experiment`.
    """

    dataset: str
    features: str
    prior: str
    spread: float
    errors: np.ndarray
    curve: SampledCurve
    draws: str
    population: int
    error_source: str = ""
    heldout_errors: Optional[np.ndarray] = None

    def summary(self) -> dict:
        """Plain description of the run (no per-``n`` rows).

        Examples
        --------
        >>> e = run_sampled_experiment("synthetic:d=2", [0, 3], classifiers=200, trials=10, heldout=500, min_fits=1)
        >>> e.summary()["error_source"], e.summary()["draws"]
        ('exact: angle to the teacher / pi', 'fresh')
        """
        return {
            "dataset": self.dataset, "features": self.features, "prior": self.prior,
            "spread": self.spread, "draws": self.draws, "population": self.population,
            "error_source": self.error_source,
            "classifiers": self.curve.classifiers, "trials": self.curve.trials,
            "eps0": self.curve.eps0, "confidence": self.curve.confidence,
            "error_min": float(self.errors.min()), "error_median": float(np.median(self.errors)),
            "passed": self.curve.passed, "worst_excess": self.curve.worst_excess(),
        }


def default_setup(dataset: str) -> dict:
    """Features, prior and spread used when none are given, by data set.

    Synthetic: raw inputs (the teacher is in the set). Two classes: 2 principal
    components plus bias, prior at the origin. More classes: 16 components,
    prior centred at the least-squares classifier with spread 0.5 (an
    origin-centred prior puts almost no mass on good ten-class classifiers).

    Examples
    --------
    >>> default_setup("digits")
    {'features': 'pca:16', 'prior': 'fitted', 'spread': 0.5}
    >>> default_setup("digits:classes=3-8")['features']
    'pca:2'
    """
    name, options = parse_dataset(dataset)
    if name == "synthetic":
        return {"features": "identity", "prior": "zero", "spread": 1.0}
    if options.get("classes") is not None and len(set(options["classes"])) == 2:
        return {"features": "pca:2", "prior": "zero", "spread": 1.0}
    return {"features": "pca:16", "prior": "fitted", "spread": 0.5}


def default_eps0(errors: np.ndarray) -> float:
    """Threshold of a bad minimum when none is given: the 1% quantile of the measured errors, 2 digits.

    A zero-training-error classifier is then "bad" when it is worse than the
    best 1% of the sampled set.

    Examples
    --------
    >>> default_eps0(np.linspace(0.0, 1.0, 1001))
    0.01
    """
    value = float(f"{np.quantile(np.asarray(errors, dtype=float), 0.01):.2g}")
    return min(max(value, 1e-3), 0.999)


def run_sampled_experiment(dataset: str, ns: Sequence[int], classifiers: int = 10000, trials: int = 1000,
                           eps0: Optional[float] = None, features: Optional[str] = None, prior: Optional[str] = None,
                           spread: Optional[float] = None, heldout: int = 20000, confidence: float = 0.99,
                           bootstrap: int = 2000, min_fits: int = 100, seed: int = 0,
                           progress: Optional[Callable[[int], None]] = None) -> SampledExperiment:
    """Sample a classifier set, measure it on a data set and compare with the theory.

    Parameters
    ----------
    dataset : str
        A data-set string (:func:`rankstrat.numerics.datasets.load_dataset`).
    ns : sequence of int
        Training-set sizes compared.
    classifiers : int
        Number of sampled classifiers ``K``.
    trials : int
        Number of independent training sequences.
    eps0 : float or None
        Error above which a zero-training-error classifier counts as bad;
        None: :func:`default_eps0` of the measured errors.
    features, prior, spread
        See :func:`default_setup` for the defaults.
    heldout : int
        Synthetic only: size of the held-out sample measuring the errors.
    confidence, bootstrap, min_fits
        See :func:`compare_with_theory`.
    seed : int
    progress : callable or None
        Called with 1 after each training sequence.

    Returns
    -------
    SampledExperiment

    Examples
    --------
    >>> e = run_sampled_experiment("synthetic:d=2", [0, 5], classifiers=300, trials=20, heldout=2000)
    >>> e.curve.ns.tolist(), e.draws
    ([0, 5], 'fresh')
    """
    with threadpool_limits(limits=1, user_api="blas"):   # small products: threads only contend
        return _run_sampled_experiment(dataset, ns, classifiers, trials, eps0, features, prior, spread,
                                       heldout, confidence, bootstrap, min_fits, seed, progress)


def _run_sampled_experiment(dataset, ns, classifiers, trials, eps0, features, prior, spread, heldout,
                            confidence, bootstrap, min_fits, seed, progress):
    setup = default_setup(dataset)
    features = features or setup["features"]
    prior = prior or setup["prior"]
    spread = setup["spread"] if spread is None else float(spread)
    if prior not in PRIORS:
        raise InputError(f"prior={prior!r}: expected one of {', '.join(PRIORS)}")
    if trials < 2:
        raise InputError(f"trials={trials!r}: expected an integer of at least 2")
    if eps0 is not None and not 0 < eps0 < 1:
        raise InputError(f"eps0={eps0!r}: expected a number in (0, 1)")
    ns = [int(n) for n in ns]
    n_max = max(ns) if ns else 0
    rng = np.random.default_rng([seed, 7])
    name, options = parse_dataset(dataset)
    if name == "synthetic":
        dim, data_seed = options.get("d", 3), options.get("seed", 0)
        X, y = make_separable(heldout, dim, seed=data_seed + 1, teacher_seed=data_seed)
    else:
        X, y = load_dataset(dataset)
    feature_map = fit_feature_map(X, features, seed)
    F = feature_map(X)
    labels = np.unique(y)
    centre = least_squares_centre(F, y, labels) if prior == "fitted" else None
    sample = sample_linear_classifiers(classifiers, F.shape[1], labels, rng, centre, spread)
    if name == "synthetic":
        heldout_errors = sample.errors(F, y)
        if feature_map.kind == "identity":
            errors = exact_synthetic_errors(sample, separable_teacher(dim, data_seed))
            source = "exact: angle to the teacher / pi"
        else:
            errors = heldout_errors
            source = f"held-out estimate on {heldout} points"
        base = 1_000_003 * (data_seed + 2)

        def draw(trial):
            return make_separable(max(n_max, 1), dim, seed=base + trial, teacher_seed=data_seed)

        times = fresh_first_errors(sample, feature_map, draw, max(n_max, 1), trials, progress)
        draws = "fresh"
    else:
        if classifiers * F.shape[0] > MAX_POPULATION_ENTRIES:
            raise InputError(f"classifiers={classifiers} x {F.shape[0]} data points is too large a table; "
                             "lower --classifiers or load fewer points (limit=N in the data-set string)")
        table = sample.correct(F, y)
        errors = 1.0 - table.mean(axis=0)
        times = population_first_errors(table, max(n_max, 1), trials, rng, progress)
        draws = "population"
        heldout_errors, source = errors, f"exact: error on all {F.shape[0]} points of the data set"
    eps0 = default_eps0(errors) if eps0 is None else eps0
    curve = compare_with_theory(errors, times, ns, eps0, confidence, bootstrap, min_fits,
                                np.random.default_rng([seed, 11]))
    return SampledExperiment(dataset, features, prior, spread, errors, curve, draws, int(X.shape[0]),
                             source, heldout_errors)
