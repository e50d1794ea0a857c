"""Rare bad global minima: learning curves from the true-error density (docs/theory.md section 5).

Closed forms (:mod:`rankstrat.theory.curves.learning_curves`) against quadrature, the bound on
the fraction of bad minima against its exact value, the exponential decay
rate, and classifier sets sampled and measured on synthetic data and on
scikit-learn's digits against the theory's prediction from their measured
errors (:mod:`rankstrat.numerics.curves.sampled_classifiers`).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from rankstrat.cases.claim import Claim, Measurement
from rankstrat.theory.curves.error_density import (
    BetaDensity,
    EmpiricalDensity,
    HistogramDensity,
    MixtureDensity,
    PowerLawDensity,
)
from rankstrat.theory.curves.learning_curves import (
    LOG10_E,
    bad_fraction_bound,
    bad_fraction_decay_rate,
    expected_error,
    expected_error_by_moment,
    log_bad_fraction,
)

SOURCE = "Martinetz, Linse & Martinetz, arXiv 2410.16868 (IJCNN 2024); Martinetz & Martinetz, arXiv 2211.03570"
# ---------------------------------------------------------------------------
# closed forms against quadrature
# ---------------------------------------------------------------------------

BETA_CASES = [(2.0, 5.0, 100), (0.5, 3.0, 1000), (3.0, 1.0, 10**6)]
"""(a, b, n) at which E_n = a/(a+b+n) is checked."""

TAIL_CASES = [(BetaDensity(2, 5), 10**6, 0.1), (BetaDensity(0.5, 3), 1000, 0.05),
              (PowerLawDensity(1.0, 0.02), 10**4, 0.1)]
"""(density, n, eps0) at which log B_n is checked."""


def _beta_closed() -> tuple:
    return tuple(a / (a + b + n) for a, b, n in BETA_CASES)


def _beta_quadrature() -> Measurement:
    values = tuple(expected_error(BetaDensity(a, b), n, method="quad") for a, b, n in BETA_CASES)
    worst = max(abs(v - c) / c for v, c in zip(values, _beta_closed()))
    return Measurement(values, "quadrature 30 digits", f"largest relative difference {worst:.1e}")


def _tail_closed() -> tuple:
    return tuple(float(log_bad_fraction(d, n, e, method="exact")) * LOG10_E for d, n, e in TAIL_CASES)


def _tail_quadrature() -> Measurement:
    values = tuple(float(log_bad_fraction(d, n, e, method="quad")) * LOG10_E for d, n, e in TAIL_CASES)
    return Measurement(values, "quadrature 30 digits",
                       "log10 B_n; " + ", ".join(f"{d.describe()} n={n}" for d, n, _ in TAIL_CASES))


# ---------------------------------------------------------------------------
# the bound and the decay
# ---------------------------------------------------------------------------

def _bound_densities():
    rng = np.random.default_rng(5)
    mixture = MixtureDensity((0.9, 0.1), (BetaDensity(2, 80), PowerLawDensity(1.0, 0.3)))
    sample = BetaDensity(1.5, 6).sample(2000, rng)
    return [BetaDensity(2, 5), BetaDensity(0.5, 3), PowerLawDensity(2.0, 0.02), mixture,
            EmpiricalDensity(sample), HistogramDensity.from_errors(sample, bins=25)]


BOUND_SIZES = (0, 1, 10, 100, 1000, 10**4, 10**6)
BOUND_THRESHOLDS = (0.05, 0.1, 0.3)


def _bound_check() -> Measurement:
    margins = []
    holds = True
    for density in _bound_densities():
        for eps0 in BOUND_THRESHOLDS:
            for n in BOUND_SIZES:
                bound = bad_fraction_bound(density, n, eps0)
                holds = holds and bound.holds
                if math.isfinite(bound.log_bound) and math.isfinite(bound.log_exact):
                    margins.append((bound.log_bound - bound.log_exact) * LOG10_E)
    cases = len(_bound_densities()) * len(BOUND_THRESHOLDS) * len(BOUND_SIZES)
    return Measurement(holds, "exact", f"{cases} cases (6 densities, eps0 in {BOUND_THRESHOLDS}, n up to 1e6); "
                                       f"smallest margin {min(margins):.3g} decades")


DECAY_N = 10**5
DECAY_CASES = [(BetaDensity(2, 5), 0.1), (PowerLawDensity(1.0, 0.05), 0.1)]


def _decay_predicted() -> tuple:
    rates = tuple(bad_fraction_decay_rate(d, e) for d, e in DECAY_CASES)
    return rates + (rates[0],)


def _decay_measured() -> Measurement:
    slopes = []
    for density, eps0 in DECAY_CASES:
        first = float(log_bad_fraction(density, DECAY_N, eps0, method="quad"))
        second = float(log_bad_fraction(density, 2 * DECAY_N, eps0, method="quad"))
        slopes.append((second - first) / DECAY_N)
    density, eps0 = DECAY_CASES[0]
    bound_slope = (bad_fraction_bound(density, 2 * DECAY_N, eps0).log_bound
                   - bad_fraction_bound(density, DECAY_N, eps0).log_bound) / DECAY_N
    return Measurement(tuple(slopes) + (bound_slope,), "quadrature 30 digits",
                       f"slopes of log B_n (quadrature) and of the log bound between n={DECAY_N} and {2 * DECAY_N}")


IDENTITY_DENSITY = HistogramDensity([0.0, 0.05, 0.2, 0.5, 1.0], [0.1, 0.3, 0.4, 0.2])
IDENTITY_SIZES = (0, 30, 3000)


def _identity_ratio() -> tuple:
    return tuple(expected_error(IDENTITY_DENSITY, n, method="quad") for n in IDENTITY_SIZES)


def _identity_moment() -> Measurement:
    return Measurement(tuple(expected_error_by_moment(IDENTITY_DENSITY, n) for n in IDENTITY_SIZES),
                       "quadrature 30 digits", "first moment of rho_n, 4-bin histogram density")


# ---------------------------------------------------------------------------
# sampled classifier sets against the theory
# ---------------------------------------------------------------------------

def _sampled(dataset, ns, classifiers, trials, eps0, **kwargs):
    def measure() -> Measurement:
        from rankstrat.numerics.curves.sampled_classifiers import run_sampled_experiment

        experiment = run_sampled_experiment(dataset, ns, classifiers=classifiers, trials=trials, eps0=eps0, **kwargs)
        curve = experiment.curve
        compared = int(curve.usable.sum())
        inside = int(sum(all(curve.within(q)[i] for q in ("fit_fraction", "expected_error", "bad_fraction"))
                         for i in np.flatnonzero(curve.usable)))
        last = int(np.flatnonzero(curve.usable)[-1]) if compared else 0
        detail = (f"{inside}/{compared} sizes inside the {curve.confidence:.0%} simultaneous bands (Z_n, E_n, B_n); "
                  f"worst {experiment.curve.worst_excess():.2f} of a half-width; at n={int(curve.ns[last])}: "
                  f"E_n predicted {curve.predicted['expected_error'][last]:.4f}, measured "
                  f"{curve.measured['expected_error'][last]:.4f} "
                  f"[{curve.lower['expected_error'][last]:.4f}, {curve.upper['expected_error'][last]:.4f}]")
        return Measurement(inside / compared if compared else 0.0, f"{curve.confidence:.0%} band", detail,
                           conditions=compared >= len(ns) // 2)
    return measure


FIT_SIZES = (10, 19, 37, 72, 139, 268, 518, 1000)
FIT_UP_TO = 139
"""The density is fitted on ``n <= FIT_UP_TO`` and predicts the larger sizes."""
FIT_TOLERANCE = 0.01
"""Absolute tolerance of the out-of-sample prediction (one percentage point of test
error, about five standard errors of the measured means at the large sizes), fixed
before the fit."""


@lru_cache(maxsize=None)
def _digits_prediction():
    from rankstrat.numerics.curves.density_fit import measure_learning_curve, predict_out_of_sample
    from rankstrat.numerics.datasets import load_digits

    X, y = load_digits()
    measured = measure_learning_curve(X, y, list(FIT_SIZES), repeats=5, dataset="digits")
    return predict_out_of_sample(measured.ns, measured.mean_error, measured.stderr, FIT_UP_TO)


def _fit_predicted() -> tuple:
    return tuple(float(v) for v in _digits_prediction().predicted)


def _fit_measured() -> Measurement:
    p = _digits_prediction()
    detail = (f"fitted on n <= {FIT_UP_TO}: {p.fit.family} ({p.fit.density.describe()}, chosen by AIC on those sizes "
              f"only); prediction error at n = {', '.join(str(int(n)) for n in p.ns)}: "
              + ", ".join(f"{e:+.4f} ({z:+.1f} s.e.)" for e, z in zip(p.errors, p.z)))
    return Measurement(tuple(float(v) for v in p.measured), "out of sample", detail)


CLAIMS = [
    Claim(
        "curves.beta-closed-form",
        "a Beta(a, b) error density stays Beta(a, b + n) among zero-training-error classifiers: "
        "E_n = a/(a + b + n) equals quadrature of rho(eps)(1 - eps)^n, n up to 10^6",
        SOURCE + "; docs/theory.md section 5",
        _beta_closed, _beta_quadrature, tolerance=1e-13,
    ),
    Claim(
        "curves.bad-fraction-closed-form",
        "log10 B_n(eps0) from the incomplete beta function equals quadrature in log space "
        "(B_n down to 10^-45757 at n = 10^6)",
        SOURCE,
        _tail_closed, _tail_quadrature, tolerance=1e-9,
    ),
    Claim(
        "curves.bound-holds",
        "B_n(eps0) <= [(1-eps0)/(1-eps1)]^n P(eps>eps0)/P(eps<=eps1) with the best eps1 < eps0, "
        "for Beta, power-law, mixture, histogram and sampled densities",
        SOURCE,
        lambda: True, _bound_check,
    ),
    Claim(
        "curves.exponential-decay",
        "bad minima become exponentially rare: log B_n falls with slope log((1-eps0)/(1-eps_min)) "
        "(Beta(2,5), and a power law with offset 0.05), and so does the bound",
        SOURCE,
        _decay_predicted, _decay_measured, tolerance=1e-4,
    ),
    Claim(
        "curves.learning-curve-identity",
        "the learning curve E_n = 1 - Z_{n+1}/Z_n equals the mean error under rho_n",
        SOURCE + "; docs/theory.md section 5",
        _identity_ratio, _identity_moment, tolerance=1e-13,
    ),
    Claim(
        "curves.sampled-synthetic",
        "5000 random linear classifiers on separable Gaussian data (d=3, teacher in the set), 1000 training "
        "sequences of fresh points: fit fraction, learning curve and bad fraction (eps0=0.05) match the theory "
        "from their true errors",
        SOURCE + "; sampled classifiers",
        lambda: 1.0, _sampled("synthetic:d=3", list(range(0, 101, 10)), 5000, 1000, 0.05, heldout=10000),
        tolerance=0.0,
    ),
    Claim(
        "curves.sampled-digits-two-class",
        "5000 random linear classifiers on 2 principal components of digits 3 vs 8, 1000 training sequences: "
        "sampled curves match the theory from their measured errors (eps0=0.05)",
        SOURCE + "; sampled classifiers, scikit-learn digits",
        lambda: 1.0, _sampled("digits:classes=3-8", list(range(0, 61, 6)), 5000, 1000, 0.05),
        tolerance=0.0,
    ),
    Claim(
        "curves.sampled-digits-ten-class",
        "3000 linear ten-class classifiers (16 principal components, prior around the least-squares fit) on all "
        "digits, 1000 training sequences: sampled curves match the theory from their measured errors (eps0=0.12)",
        SOURCE + "; sampled classifiers, scikit-learn digits",
        lambda: 1.0, _sampled("digits", list(range(0, 41, 4)), 3000, 1000, 0.12),
        tolerance=0.0,
    ),
    Claim(
        "curves.fit-digits",
        f"a density family (Beta, power law with offset, Beta with offset, mixture) chosen by AIC on the "
        f"learning curve of logistic regression on digits at n <= {FIT_UP_TO} predicts the test error at the "
        f"larger sizes, out of sample, within {FIT_TOLERANCE}",
        SOURCE + " (proposed over-parameterized density model)",
        _fit_predicted, _fit_measured, tolerance=FIT_TOLERANCE, full_only=True,
    ),
    Claim(
        "curves.sampled-synthetic-large",
        "50000 classifiers, 2000 training sequences, n up to 200: sampled curves on separable data "
        "match the theory (eps0=0.03)",
        SOURCE + "; sampled classifiers",
        lambda: 1.0, _sampled("synthetic:d=3", list(range(0, 201, 10)), 50000, 2000, 0.03, heldout=50000),
        tolerance=0.0, full_only=True,
    ),
    Claim(
        "curves.sampled-digits-two-class-large",
        "50000 classifiers, 2000 training sequences on digits 4 vs 9 (2 principal components), n up to 100: "
        "sampled curves match the theory (eps0=0.03)",
        SOURCE + "; sampled classifiers, scikit-learn digits",
        lambda: 1.0, _sampled("digits:classes=4-9", list(range(0, 101, 10)), 50000, 2000, 0.03),
        tolerance=0.0, full_only=True,
    ),
]
