"""Sampled classifier sets against the theory, and density families fitted to learning curves."""

import math

import numpy as np
import pytest

from rankstrat.numerics.curves.density_fit import (
    FAMILIES,
    MeasuredCurve,
    akaike_weights,
    family_curve,
    fit_density_families,
    measure_learning_curve,
)
from rankstrat.numerics.curves.sampled_classifiers import (
    _tail_counts,
    compare_with_theory,
    default_setup,
    exact_synthetic_errors,
    first_error_times,
    fit_feature_map,
    parse_features,
    population_first_errors,
    run_sampled_experiment,
    sample_linear_classifiers,
)
from rankstrat.numerics.datasets import load_digits, make_separable, separable_teacher
from rankstrat.theory.curves.error_density import EmpiricalDensity
from rankstrat.theory.curves.learning_curves import expected_error
from rankstrat.theory.errors import InputError

# ---------------------------------------------------------------------------
# building blocks
# ---------------------------------------------------------------------------

def test_first_error_times_brute_force():
    rng = np.random.default_rng(0)
    correct = rng.random((9, 40)) < 0.8
    times = first_error_times(correct)
    for k in range(40):
        wrong = np.flatnonzero(~correct[:, k])
        assert times[k] == (wrong[0] if wrong.size else 9)


def test_tail_counts_brute_force():
    rng = np.random.default_rng(1)
    times = rng.integers(0, 12, size=(5, 30))
    weights = rng.random(30)
    ns = np.array([0, 3, 7, 11, 20])
    counts = _tail_counts(times, weights, ns)
    expected = np.array([[np.sum(weights[times[r] >= n]) for n in ns] for r in range(5)])
    assert np.allclose(counts, expected)


def test_fit_probability_is_one_minus_error_to_the_n():
    # one classifier wrong on 3 of 10 population points fits n draws with probability 0.7^n
    table = np.ones((10, 1), dtype=bool)
    table[:3, 0] = False
    times = population_first_errors(table, 6, 6000, np.random.default_rng(2))
    for n in (1, 3, 6):
        assert np.mean(times[:, 0] >= n) == pytest.approx(0.7**n, abs=4 * math.sqrt(0.7**n / 6000))


def test_multiclass_errors_match_direct_prediction():
    rng = np.random.default_rng(3)
    F = rng.standard_normal((50, 4))
    labels = np.array([2, 5, 7])
    y = labels[rng.integers(0, 3, 50)]
    classifiers = sample_linear_classifiers(6, 4, labels, rng)
    direct = np.array([np.mean(labels[(F @ W.T).argmax(axis=1)] != y) for W in classifiers.weights])
    assert np.allclose(classifiers.errors(F, y), direct)


def test_heldout_errors_estimate_the_exact_synthetic_errors():
    dim, n = 3, 40000
    X, y = make_separable(n, dim, seed=9, teacher_seed=4)
    classifiers = sample_linear_classifiers(400, dim, [0, 1], np.random.default_rng(4))
    exact = exact_synthetic_errors(classifiers, separable_teacher(dim, 4))
    heldout = classifiers.errors(fit_feature_map(X, "identity")(X), y)
    sigma = np.sqrt(exact * (1 - exact) / n) + 1e-12
    assert np.max(np.abs(heldout - exact) / sigma) < 5


def test_feature_maps():
    X = np.random.default_rng(5).standard_normal((60, 8))
    assert fit_feature_map(X, "identity")(X).shape == (60, 8)
    pca = fit_feature_map(X, "pca:3")(X)
    assert pca.shape == (60, 4) and np.allclose(pca[:, :3].mean(axis=0), 0) and np.all(pca[:, 3] == 1)
    random = fit_feature_map(X, "random:5", seed=1)(X)
    assert random.shape == (60, 6) and np.all(np.abs(random[:, :5]) < 1)
    for bad in ("pca", "pca:0", "random:x", "wavelet:3"):
        with pytest.raises(InputError, match="expected identity, pca:D or random:D"):
            parse_features(bad)


def test_default_setup_by_dataset():
    assert default_setup("synthetic")["features"] == "identity"
    assert default_setup("digits:classes=3-8") == {"features": "pca:2", "prior": "zero", "spread": 1.0}
    assert default_setup("digits")["prior"] == "fitted"


# ---------------------------------------------------------------------------
# sampled against predicted
# ---------------------------------------------------------------------------

def test_sampled_synthetic_agrees_with_theory():
    experiment = run_sampled_experiment("synthetic:d=3", list(range(0, 61, 10)), classifiers=3000, trials=500,
                                        eps0=0.05, heldout=5000, seed=1)
    curve = experiment.curve
    assert curve.usable.sum() >= 5
    assert curve.passed, curve.rows()
    assert experiment.draws == "fresh" and experiment.error_source.startswith("exact")
    # the learning curve really falls, and the measured values are not the predictions themselves
    assert curve.measured["expected_error"][-1] < 0.3 * curve.measured["expected_error"][0]
    assert not np.allclose(curve.measured["expected_error"][1:], curve.predicted["expected_error"][1:])


def test_sampled_digits_agrees_with_theory():
    experiment = run_sampled_experiment("digits:classes=3-8", list(range(0, 41, 8)), classifiers=4000, trials=500,
                                        eps0=0.05, seed=2)
    assert experiment.draws == "population" and experiment.population == 357
    assert experiment.curve.passed, experiment.curve.rows()


def test_wrong_theory_falls_outside_the_band():
    experiment = run_sampled_experiment("digits:classes=3-8", list(range(0, 41, 8)), classifiers=4000, trials=500,
                                        eps0=0.05, seed=2)
    curve = experiment.curve
    density = EmpiricalDensity(experiment.errors)
    usable = np.flatnonzero(curve.usable & (curve.ns > 0))
    lower, upper = curve.lower["expected_error"][usable], curve.upper["expected_error"][usable]
    # ignoring the (1 - eps)^n weighting, or weighting by (1 - eps)^(n/2), contradicts the measurement
    unweighted = np.full(usable.size, np.mean(experiment.errors))
    half_n = np.array([expected_error(density, int(n) // 2) for n in curve.ns[usable]])
    for wrong in (unweighted, half_n):
        assert np.any((wrong < lower) | (wrong > upper))


def test_compare_with_theory_on_a_hand_made_set():
    errors = np.array([0.0, 0.5])
    # classifier 0 never errs; classifier 1 errs first at position 0 or 1 of each sequence
    times = np.array([[5, 0], [5, 1], [5, 0], [5, 2]])
    curve = compare_with_theory(errors, times, [0, 1, 2], eps0=0.25, bootstrap=200, min_fits=1)
    # n=1: classifier 1 fits in sequences 2 and 4; n=2: only in sequence 4
    assert curve.measured["fit_fraction"].tolist() == [1.0, 6 / 8, 5 / 8]
    assert curve.predicted["fit_fraction"].tolist() == pytest.approx([1.0, 0.75, 0.625])
    assert curve.measured["bad_fraction"].tolist() == pytest.approx([1 / 2, 2 / 6, 1 / 5])
    assert curve.measured["expected_error"].tolist() == pytest.approx([0.25, 1 / 6, 0.1])
    with pytest.raises(InputError):
        compare_with_theory(errors, times, [], eps0=0.25)


# ---------------------------------------------------------------------------
# density fits
# ---------------------------------------------------------------------------

TRUE_CURVES = [
    ("beta", {"a": 2.0, "b": 6.0}),
    ("powerlaw", {"k": 3.0, "offset": 0.03}),
    ("mix", {"w": 0.1, "k": 5.0, "offset": 0.03, "a": 20.0, "b": 8.0}),
]


SIZES = np.array([5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560])


def _noisy(family, params, seed=6):
    truth = family_curve(family, params, SIZES)
    noise = 0.002 * truth
    return truth, truth + noise * np.random.default_rng(seed).standard_normal(SIZES.size), noise


@pytest.mark.parametrize("family, params", TRUE_CURVES, ids=[f for f, _ in TRUE_CURVES])
def test_fit_recovers_the_curve_that_made_the_data(family, params):
    truth, observed, noise = _noisy(family, params)
    fits = {f.family: f for f in fit_density_families(SIZES, observed, noise)}
    own = fits[family]
    assert own.chi2 / (SIZES.size - own.n_params) < 3          # the true family fits to the noise level
    assert np.max(np.abs(own.fitted - truth) / truth) < 0.01
    best = min(fits.values(), key=lambda f: f.aic)
    assert np.max(np.abs(best.fitted - truth) / truth) < 0.01  # whatever AIC picks reproduces the truth
    assert sum(akaike_weights(list(fits.values()))) == pytest.approx(1.0)


def test_aic_rejects_a_family_without_the_floor():
    truth, observed, noise = _noisy("powerlaw", {"k": 3.0, "offset": 0.03})
    fits = fit_density_families(SIZES, observed, noise)
    aic = {f.family: f.aic for f in fits}
    assert fits[0].family != "beta"
    assert aic["beta"] - min(aic.values()) > 100
    assert fits[0].params["offset"] == pytest.approx(0.03, rel=0.05)


@pytest.mark.parametrize("family, params", TRUE_CURVES + [("beta-offset", {"a": 3.0, "b": 2.0, "offset": 0.01})],
                         ids=[f for f, _ in TRUE_CURVES] + ["beta-offset"])
def test_family_curves_match_the_theory(family, params):
    ns = np.array([0, 3, 30, 300])
    fits = fit_density_families(ns[1:], family_curve(family, params, ns[1:]), None, [family]) if family == "beta" else None
    from rankstrat.numerics.curves.density_fit import _FAMILIES, _logit

    theta = {
        "beta": lambda p: np.log([p["a"], p["b"]]),
        "powerlaw": lambda p: np.array([math.log(p["k"] + 1), _logit(p["offset"])]),
        "beta-offset": lambda p: np.array([math.log(p["a"]), math.log(p["b"]), _logit(p["offset"])]),
        "mix": lambda p: np.array([_logit(p["w"]), math.log(p["k"] + 1), _logit(p["offset"]),
                                   math.log(p["a"]), math.log(p["b"])]),
    }[family](params)
    density = _FAMILIES[family].density(theta)
    theory = np.array([expected_error(density, int(n)) for n in ns])
    assert np.allclose(family_curve(family, params, ns), theory, rtol=1e-10)
    if fits:
        assert fits[0].params["a"] == pytest.approx(params["a"], rel=1e-4)


def test_measured_learning_curve_on_digits_falls_with_zero_training_error():
    X, y = load_digits(classes=(3, 8))
    curve = measure_learning_curve(X, y, [10, 40, 160], repeats=3, dataset="digits 3-8")
    assert np.all(curve.zero_train_fraction == 1.0)
    assert curve.mean_error[-1] < curve.mean_error[0]
    assert isinstance(curve, MeasuredCurve) and curve.rows()[0]["n"] == 10


def test_measure_and_fit_input_errors():
    X, y = make_separable(100, 2)
    with pytest.raises(InputError, match="from 1 to 50"):
        measure_learning_curve(X, y, [10, 80])
    with pytest.raises(InputError, match="model='svm'"):
        measure_learning_curve(X, y, [10], model="svm")
    with pytest.raises(InputError, match="subset of"):
        fit_density_families([1, 2, 3], [0.3, 0.2, 0.1], families=["gauss"])
    assert set(FAMILIES) == {"beta", "powerlaw", "beta-offset", "mix"}
