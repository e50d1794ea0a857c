"""Learning curves in log space: closed forms against quadrature, the bound, the decay rate."""

import math

import mpmath
import numpy as np
import pytest
from scipy import integrate, stats

from rankstrat.theory.curves.error_density import (
    BetaDensity,
    EmpiricalDensity,
    ErrorDensity,
    HistogramDensity,
    MixtureDensity,
    PowerLawDensity,
)
from rankstrat.theory.curves.learning_curves import (
    LOG10_E,
    bad_fraction,
    bad_fraction_bound,
    bad_fraction_decay_rate,
    expected_error,
    expected_error_by_moment,
    learning_curve,
    log_bad_fraction,
    log_normaliser,
    posterior_log_pdf,
    posterior_quantile,
    quadrature_log_mass,
)
from rankstrat.theory.errors import InputError


@pytest.mark.parametrize("a, b, n", [(2, 5, 0), (2, 5, 37), (0.5, 3, 1000), (3, 1, 10**6), (1.7, 0.6, 12),
                                     (0.3, 0.7, 5)])
def test_beta_learning_curve_closed_form_equals_quadrature(a, b, n):
    density = BetaDensity(a, b)
    closed = a / (a + b + n)
    assert expected_error(density, n, method="quad") == pytest.approx(closed, rel=1e-12)
    assert expected_error(density, n, method="exact") == pytest.approx(closed, rel=1e-13)
    # Z_n = B(a, b + n) / B(a, b)
    exact_log_z = mpmath.log(mpmath.beta(a, b + n)) - mpmath.log(mpmath.beta(a, b))
    assert float(log_normaliser(density, n, method="quad")) == pytest.approx(float(exact_log_z), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("density, n, eps0", [
    (BetaDensity(2, 5), 0, 0.3),
    (BetaDensity(2, 5), 300, 0.05),
    (BetaDensity(0.5, 3), 1000, 0.01),
    (PowerLawDensity(1.5, 0.02), 500, 0.1),
    (BetaDensity(4, 2, offset=0.1), 50, 0.2),
    (MixtureDensity((0.7, 0.3), (BetaDensity(2, 60), BetaDensity(5, 5))), 200, 0.1),
], ids=str)
def test_bad_fraction_exact_equals_quadrature(density, n, eps0):
    exact = float(log_bad_fraction(density, n, eps0, method="exact"))
    quad = float(log_bad_fraction(density, n, eps0, method="quad"))
    assert quad == pytest.approx(exact, rel=1e-10, abs=1e-14)


def test_beta_posterior_is_beta_with_b_plus_n():
    a, b, n, eps0 = 2.5, 4.0, 80, 0.03
    expected = stats.beta.sf(eps0, a, b + n)
    assert float(bad_fraction(BetaDensity(a, b), n, eps0)) == pytest.approx(expected, rel=1e-10)
    for p in (0.1, 0.5, 0.9):
        assert posterior_quantile(BetaDensity(a, b), n, p) == pytest.approx(stats.beta.ppf(p, a, b + n), rel=1e-10)


def test_huge_n_is_finite_in_log_space_where_floats_underflow():
    density, n, eps0 = BetaDensity(2, 5), 10**6, 0.1
    exact = float(log_bad_fraction(density, n, eps0))
    quad = float(log_bad_fraction(density, n, eps0, method="quad"))
    assert math.isfinite(exact) and exact * LOG10_E < -45000
    assert quad == pytest.approx(exact, rel=1e-12)
    assert math.exp(exact) == 0.0           # a float cannot hold B_n ...
    assert bad_fraction(density, n, eps0) > 0   # ... mpmath can
    assert expected_error(density, n) == pytest.approx(2 / (7 + n), rel=1e-12)


@pytest.mark.parametrize("density", [
    MixtureDensity((0.9, 0.1), (BetaDensity(2, 80), PowerLawDensity(1.0, 0.3))),
    HistogramDensity([0.0, 0.05, 0.2, 1.0], [0.2, 0.5, 0.3]),
], ids=str)
@pytest.mark.parametrize("n", [0, 2000])
def test_learning_curve_is_mean_of_posterior(density, n):
    # E_n = 1 - Z_{n+1}/Z_n against the first moment of rho_n, both by quadrature
    assert expected_error(density, n, method="quad") == pytest.approx(expected_error_by_moment(density, n), rel=1e-12)
    assert expected_error(density, n, method="exact") == pytest.approx(expected_error_by_moment(density, n), rel=1e-10)


def test_posterior_density_integrates_to_one():
    density, n = MixtureDensity((0.5, 0.5), (BetaDensity(2, 9), BetaDensity(6, 3))), 15
    total, _ = integrate.quad(lambda e: float(mpmath.exp(posterior_log_pdf(density, n, e))), 0, 1, limit=200)
    assert total == pytest.approx(1.0, abs=1e-8)


def test_quantiles_invert_the_posterior_cdf():
    density = MixtureDensity((0.6, 0.4), (BetaDensity(2, 40), PowerLawDensity(2.0, 0.2)))
    for n in (0, 300):
        for p in (0.1, 0.9):
            q = posterior_quantile(density, n, p)
            cdf = float(mpmath.exp(quadrature_log_mass(density, n, None, q) - quadrature_log_mass(density, n)))
            assert cdf == pytest.approx(p, abs=1e-9)


BOUND_DENSITIES = [
    BetaDensity(2, 5),
    BetaDensity(0.5, 3),
    BetaDensity(6, 1),
    PowerLawDensity(2.0, 0.02),
    MixtureDensity((0.9, 0.1), (BetaDensity(2, 80), PowerLawDensity(1.0, 0.3))),
    EmpiricalDensity(BetaDensity(1.5, 6).sample(3000, np.random.default_rng(2))),
    HistogramDensity.from_errors(BetaDensity(1.5, 6).sample(3000, np.random.default_rng(3)), bins=30),
]


@pytest.mark.parametrize("density", BOUND_DENSITIES, ids=str)
def test_bound_is_at_least_the_exact_bad_fraction(density):
    for eps0 in (0.02, 0.1, 0.3, 0.6):
        for n in (0, 1, 5, 50, 500, 5000, 10**5, 10**6):
            bound = bad_fraction_bound(density, n, eps0)
            assert bound.holds, (density, eps0, n, bound)
            for eps1 in (eps0 / 10, eps0 / 2, 0.9 * eps0):
                fixed = bad_fraction_bound(density, n, eps0, eps1=eps1)
                assert fixed.holds
                # the chosen eps1 is no worse than these (up to the grid resolution)
                if math.isfinite(fixed.log_bound):
                    assert bound.log_bound <= fixed.log_bound + 0.01 * max(1.0, abs(fixed.log_bound))


def test_bound_formula_with_fixed_eps1():
    density, n, eps0, eps1 = BetaDensity(1, 1), 10, 0.5, 0.25
    expected = (0.5 / 0.75) ** n * (1 - eps0) / eps1
    assert math.exp(bad_fraction_bound(density, n, eps0, eps1=eps1).log_bound) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("density, eps0", [(BetaDensity(2, 5), 0.1), (BetaDensity(0.5, 2), 0.05),
                                           (PowerLawDensity(1.0, 0.05), 0.1),
                                           (MixtureDensity((0.5, 0.5), (BetaDensity(3, 30), PowerLawDensity(0, 0.2))), 0.3)],
                         ids=str)
def test_bad_fraction_decays_exponentially_at_the_predicted_rate(density, eps0):
    n = 10**5
    slope = (float(log_bad_fraction(density, 2 * n, eps0)) - float(log_bad_fraction(density, n, eps0))) / n
    assert slope == pytest.approx(bad_fraction_decay_rate(density, eps0), abs=5e-5)
    assert slope < 0
    bound_slope = (bad_fraction_bound(density, 2 * n, eps0).log_bound - bad_fraction_bound(density, n, eps0).log_bound) / n
    assert bound_slope < 0.5 * bad_fraction_decay_rate(density, eps0)


def test_no_decay_when_every_classifier_is_bad():
    density = PowerLawDensity(1.0, 0.2)
    assert bad_fraction_decay_rate(density, 0.1) == 0.0
    assert float(log_bad_fraction(density, 1000, 0.1)) == 0.0


def test_empirical_learning_curve_is_the_weighted_mean():
    errors = np.random.default_rng(0).beta(2, 9, size=500)
    density = EmpiricalDensity(errors)
    for n in (0, 3, 60):
        weights = (1 - errors) ** n
        assert expected_error(density, n) == pytest.approx(np.sum(errors * weights) / np.sum(weights), rel=1e-10)
        bad = np.sum(weights[errors > 0.1]) / np.sum(weights)
        assert float(bad_fraction(density, n, 0.1)) == pytest.approx(bad, rel=1e-10)


def test_learning_curve_rows_agree_with_single_calls():
    density = MixtureDensity((0.8, 0.2), (BetaDensity(2, 30), BetaDensity(4, 4)))
    curve = learning_curve(density, [0, 5, 50, 500], eps0=0.1, quantiles=(0.5,))
    for row in curve.rows():
        n = row["n"]
        assert row["E_n"] == pytest.approx(expected_error(density, n), rel=1e-12)
        assert row["log10_B_n"] == pytest.approx(float(log_bad_fraction(density, n, 0.1)) * LOG10_E, rel=1e-12)
        assert row["q0.5"] == pytest.approx(posterior_quantile(density, n, 0.5), rel=1e-9)
        assert row["bound_holds"]
    assert np.all(np.diff(curve.expected) < 0)


def test_density_without_closed_form_uses_quadrature():
    class TriangleDensity(ErrorDensity):
        """rho(eps) = 2(1 - eps), i.e. Beta(1, 2), known only through its pdf."""

        def log_pdf(self, eps):
            return mpmath.log(2) + mpmath.log1p(-mpmath.mpf(eps))

        def describe(self):
            return "triangle"

    assert expected_error(TriangleDensity(), 10) == pytest.approx(1 / 13, rel=1e-12)


@pytest.mark.parametrize("call, fragment", [
    (lambda: log_normaliser(BetaDensity(2, 5), -1), "non-negative integer"),
    (lambda: log_bad_fraction(BetaDensity(2, 5), 3, 1.5), "eps0=1.5"),
    (lambda: expected_error(BetaDensity(2, 5), 3, method="simpson"), "method='simpson'"),
    (lambda: bad_fraction_bound(BetaDensity(2, 5), 3, 0.1, eps1=0.2), "below eps0"),
    (lambda: posterior_quantile(BetaDensity(2, 5), 3, 1.0), "probability in (0, 1)"),
    (lambda: expected_error(EmpiricalDensity([0.1, 0.2]), 3, method="quad"), "point masses"),
])
def test_bad_input_raises_input_error(call, fragment):
    with pytest.raises(InputError) as info:
        call()
    assert fragment in str(info.value)
