"""Exact fits of rank tables: recovery of known polynomials, min regimes, and
wrong conjectures caught on held-out sizes."""

import random
from fractions import Fraction

import sympy

from rankstrat.theory.conjecture import conjecture, fit_polynomial, fit_table


def test_random_rational_polynomials_are_recovered_exactly():
    rng = random.Random(3)
    d, k = sympy.symbols("d k")
    for _ in range(5):
        coeffs = [Fraction(rng.randint(-6, 6), rng.choice([1, 2, 3])) for _ in range(6)]
        truth = sum(sympy.Rational(c.numerator, c.denominator) * m for c, m in zip(coeffs, [1, d, k, d * d, d * k, k * k]))
        table = {(a, b): truth.subs({d: a, k: b}) for a in range(1, 5) for b in range(1, 5)}
        fitted = fit_polynomial(table, ["d", "k"])
        assert sympy.expand(fitted - truth) == 0


def test_min_regime_of_symmetric_matrices_rank():
    # rank of sums of k squares of linear forms in d variables: symmetric d x d of rank <= k
    table = {(dd, kk): sum(dd - i for i in range(min(dd, kk))) for dd in range(1, 7) for kk in range(1, 7)}
    result = conjecture(table, ["d", "k"])
    assert result.regime == "min" and result.verified
    d, k = sympy.symbols("d k")
    for dd in range(1, 9):
        for kk in range(1, 9):
            assert result.expr.subs({d: dd, k: kk}) == sum(dd - i for i in range(min(dd, kk)))


def test_exponential_table_is_not_passed_as_a_polynomial():
    table = {(n,): 2**n for n in range(1, 8)}
    result = conjecture(table, ["n"])
    assert not result.verified


def test_one_wrong_held_out_entry_is_reported():
    table = {(dd, kk): kk * (dd + 1) for dd in range(1, 5) for kk in range(1, 5)}
    table[(4, 2)] += 1
    result = conjecture(table, ["d", "k"])
    assert result.failures == [((4, 2), 10, 11)]


def test_underdetermined_table_gives_no_polynomial():
    assert fit_polynomial({(1, 1): 2, (2, 1): 3}, ["d", "k"], max_degree=2) is None
    assert fit_table({(1, 1): 1, (1, 2): 5, (1, 3): 2}, ["d", "k"], max_degree=1).expr is None


def test_conjecture_command_and_bad_input(run_cli):
    code, out, _ = run_cli("conjecture", "twolayer:d=1,k=1,bias=1", "--vary", "d=1..3", "--vary", "k=1..3")
    assert code == 1 and "DISAGREE" in out  # 4 training points cannot fix k(d+2): the held-out sizes say so
    code, _, err = run_cli("conjecture", "twolayer:d=1,k=1")
    assert code == 2 and "--vary" in err
    code, _, err = run_cli("conjecture", "twolayer:d=1,k=1", "--vary", "q=1..3")
    assert code == 2 and "q" in err


def test_attention_score_tables_bend_at_min_k_d_and_min_2k_d():
    # x^T WQ WK^T y: d x d matrices of rank <= k; x^T WQ WK^T x: symmetric ones of rank <= 2k
    bilinear = lambda d, k: min(k, d) * (2 * d - min(k, d))  # noqa: E731
    symmetric = lambda d, k: min(2 * k, d) * d - min(2 * k, d) * (min(2 * k, d) - 1) // 2  # noqa: E731
    d, k = sympy.symbols("d k")
    for truth in (bilinear, symmetric):
        table = {(dd, kk): truth(dd, kk) for dd in range(1, 8) for kk in range(1, 4)}
        result = conjecture(table, ["d", "k"])
        assert result.verified and result.regime == "min"
        assert all(result.expr.subs({d: dd, k: kk}) == truth(dd, kk) for dd in range(1, 12) for kk in range(1, 12))


def test_min_fit_with_no_spare_point_is_refused():
    from rankstrat.theory.conjecture import fit_through_min

    table = {(1, 1): 1, (1, 2): 5, (1, 3): 2}  # three points, three unknowns of a linear fit in (d, min(k, 2d))
    assert fit_through_min(table, ["d", "k"], 1, 0, 2, 0, max_degree=1) is None
