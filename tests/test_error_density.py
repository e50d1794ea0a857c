"""True-error density families: parsing, normalisation, exact masses, special functions."""

import math

import mpmath
import numpy as np
import pytest
from scipy import integrate, special, stats

from rankstrat.theory.curves.density_parser import parse_density, read_errors
from rankstrat.theory.curves.error_density import (
    BetaDensity,
    EmpiricalDensity,
    HistogramDensity,
    MixtureDensity,
    PowerLawDensity,
)
from rankstrat.theory.curves.log_space import log_regularized_beta
from rankstrat.theory.errors import InputError

PDF_DENSITIES = [
    BetaDensity(2, 5),
    BetaDensity(0.7, 3.5),
    BetaDensity(3, 2, offset=0.1),
    PowerLawDensity(1.5, 0.02),
    PowerLawDensity(-0.5, 0.0),
    MixtureDensity((0.8, 0.2), (BetaDensity(2, 40), PowerLawDensity(1.0, 0.3))),
    HistogramDensity([0.0, 0.1, 0.4, 1.0], [0.2, 0.5, 0.3]),
]


@pytest.mark.parametrize("text", [
    "beta:a=2,b=5",
    "beta:a=0.5,b=3,offset=0.05",
    "powerlaw:k=1.5,offset=0.02",
    "mix:0.9*beta:a=2,b=80+0.1*powerlaw:k=1,offset=0.3",
    "mix:0.25*beta:a=1,b=1+0.75*beta:a=2.5e+1,b=3",
])
def test_parse_describe_round_trip(text):
    density = parse_density(text)
    again = parse_density(density.describe())
    assert again == density
    assert float(again.log_mass(7)) == pytest.approx(float(density.log_mass(7)), rel=1e-14)


def test_uniform_is_beta_one_one():
    assert parse_density("uniform") == BetaDensity(1, 1)


@pytest.mark.parametrize("text, fragment", [
    ("gamma:a=1", "unknown family 'gamma'"),
    ("beta:a=2,c=5", "unknown key 'c'; expected one of a, b, offset"),
    ("beta:a=2", "missing b"),
    ("beta:a=x,b=2", "a='x' is not a number"),
    ("beta:a=-1,b=2", "expected positive finite numbers"),
    ("beta:a=1,b=2,offset=1", "offset=1.0; expected a number in [0, 1)"),
    ("powerlaw:k=-2", "expected a finite number greater than -1"),
    ("mix:0.5*beta:a=1,b=1+-1*beta:a=2,b=2", "expected positive numbers"),
    ("mix:zz*beta:a=1,b=1", "weight 'zz' is not a number"),
    ("mix:1*mix:1*beta:a=1,b=1", "cannot be mixtures"),
    ("", "empty"),
    ("empirical:file=/nonexistent.txt", "not found"),
])
def test_parse_errors_name_the_problem(text, fragment):
    with pytest.raises(InputError) as info:
        parse_density(text)
    assert fragment in str(info.value)


@pytest.mark.parametrize("density", PDF_DENSITIES, ids=str)
def test_pdf_integrates_to_one_and_log_mass_zero_is_zero(density):
    lo, hi = density.support()
    points = [lo] + sorted(p for p in density.breakpoints() if lo < p < hi) + [hi]
    total = sum(integrate.quad(lambda e: float(density.pdf(np.array([e]))[0]), a, b, limit=200)[0]
                for a, b in zip(points[:-1], points[1:]))
    assert total == pytest.approx(1.0, abs=1e-6)
    assert abs(float(density.log_mass(0))) < 1e-12


@pytest.mark.parametrize("density", PDF_DENSITIES, ids=str)
def test_log_mass_matches_float_integral_and_splits_additively(density):
    n, cut = 6, 0.23
    lo, hi = density.support()
    points = [lo] + sorted(p for p in density.breakpoints() if lo < p < hi) + [hi]
    direct = sum(integrate.quad(lambda e: float(density.pdf(np.array([e]))[0]) * (1 - e) ** n, a, b, limit=200)[0]
                 for a, b in zip(points[:-1], points[1:]))
    total = float(mpmath.exp(density.log_mass(n)))
    assert total == pytest.approx(direct, rel=1e-6)
    left = mpmath.exp(density.log_mass(n, None, cut))
    right = mpmath.exp(density.log_mass(n, cut, None))
    assert float(left + right) == pytest.approx(total, rel=1e-12)


@pytest.mark.parametrize("density", PDF_DENSITIES, ids=str)
def test_cdf_values_match_log_mass(density):
    points = np.array([0.01, 0.05, 0.2, 0.5, 0.9])
    fast = density.log_cdf_values(points)
    exact = np.array([float(density.log_mass(0, None, float(p))) for p in points])
    finite = np.isfinite(exact)
    assert np.array_equal(finite, np.isfinite(fast))
    assert np.allclose(fast[finite], exact[finite], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("density", PDF_DENSITIES, ids=str)
def test_samples_follow_the_cdf(density):
    draws = density.sample(4000, np.random.default_rng(1))
    result = stats.kstest(draws, lambda x: np.exp(density.log_cdf_values(np.atleast_1d(x))))
    assert result.pvalue > 1e-3


@pytest.mark.parametrize("x, p, q", [(0.3, 2.0, 5.0), (0.9, 50.0, 3.0), (0.05, 0.5, 30.0), (0.5, 3, 3),
                                     (0.999, 1e4, 2.5), (0.2, 1.0, 1.0)])
def test_log_regularized_beta_matches_scipy(x, p, q):
    lower = float(mpmath.exp(log_regularized_beta(x, p, q)))
    upper = float(mpmath.exp(log_regularized_beta(x, p, q, upper=True)))
    assert lower == pytest.approx(special.betainc(p, q, x), rel=1e-12)
    assert lower + upper == pytest.approx(1.0, rel=1e-14)


def test_log_regularized_beta_huge_parameter_closed_form():
    # I_x(p, 2) = x^p (p + 1 - p x): a closed form valid for any p
    for p in (10.0**3, 10.0**6, 10.0**7):
        x = 0.97
        expected = p * math.log(x) + math.log(p + 1 - p * x)
        assert float(log_regularized_beta(x, p, 2)) == pytest.approx(expected, rel=1e-14)


def test_powerlaw_is_shifted_beta():
    power, beta = PowerLawDensity(2.0, 0.1), BetaDensity(3.0, 1.0, 0.1)
    for n in (0, 5, 500):
        assert float(power.log_mass(n, 0.2, None)) == pytest.approx(float(beta.log_mass(n, 0.2, None)), rel=1e-14)


def test_mixture_mass_is_weighted_sum():
    parts = (BetaDensity(2, 40), PowerLawDensity(1.0, 0.3))
    mix = MixtureDensity((3, 1), parts)
    for n in (0, 10, 1000):
        expected = 0.75 * mpmath.exp(parts[0].log_mass(n)) + 0.25 * mpmath.exp(parts[1].log_mass(n))
        assert float(mpmath.exp(mix.log_mass(n)) / expected) == pytest.approx(1.0, rel=1e-14)


def test_empirical_mass_is_a_plain_average():
    errors = np.array([0.0, 0.01, 0.2, 0.5, 0.5, 0.93])
    density = EmpiricalDensity(errors)
    for n in (0, 1, 7, 40):
        assert float(mpmath.exp(density.log_mass(n))) == pytest.approx(np.mean((1 - errors) ** n), rel=1e-13)
        tail = np.sum(((1 - errors) ** n)[errors > 0.2]) / errors.size
        assert float(mpmath.exp(density.log_mass(n, 0.2, None))) == pytest.approx(tail, rel=1e-13)
    weights = density.posterior_weights(3)
    assert weights.sum() == pytest.approx(1.0)
    assert density.posterior_quantile(0, 0.5) == 0.2


def test_empirical_mass_for_huge_n_stays_finite():
    density = EmpiricalDensity([0.001, 0.3])
    value = float(density.log_mass(10**6))
    assert math.isfinite(value)
    assert value == pytest.approx(10**6 * math.log1p(-0.001) - math.log(2), rel=1e-12)


def test_histogram_from_errors_and_exact_mass():
    hist = HistogramDensity([0.0, 0.5, 1.0], [0.25, 0.75])
    n = 3
    # integral of (1 - e)^3 over [0, 0.5] is (1 - 0.5^4)/4, over [0.5, 1] it is 0.5^4/4
    expected = 0.25 / 0.5 * (1 - 0.5**4) / 4 + 0.75 / 0.5 * 0.5**4 / 4
    assert float(mpmath.exp(hist.log_mass(n))) == pytest.approx(expected, rel=1e-14)
    built = HistogramDensity.from_errors(np.array([0.1, 0.1, 0.3]), bins=2)
    assert built.probabilities.tolist() == pytest.approx([2 / 3, 1 / 3])


def test_read_errors_text_and_npy(tmp_path):
    text = tmp_path / "errors.txt"
    text.write_text("0.1, 0.2\n0.3 0.4\n")
    assert read_errors(str(text)).tolist() == [0.1, 0.2, 0.3, 0.4]
    npy = tmp_path / "errors.npy"
    np.save(npy, np.array([0.05, 0.5]))
    assert parse_density(f"empirical:file={npy}").errors.tolist() == [0.05, 0.5]
    assert isinstance(parse_density(f"histogram:file={text},bins=3"), HistogramDensity)
    bad = tmp_path / "bad.txt"
    bad.write_text("0.1 1.5")
    with pytest.raises(InputError, match=r"in \[0, 1\]"):
        read_errors(str(bad))
