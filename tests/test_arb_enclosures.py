"""Ball-arithmetic Jacobians are enclosures: exact constants, arb functions, or a refusal."""

import flint
import mpmath
import numpy as np
import pytest
import sympy

from rankstrat.numerics.model.arb_code import NotRigorous, arb_lambdify
from rankstrat.numerics.model.jacobian import _as_arb, jacobian_arb
from rankstrat.numerics.model.user_model import sympy_model
from rankstrat.numerics.rank.engine import jacobian_rank, model_rank

a, w, c, x = sympy.symbols("a w c x")
EXPR = a * sympy.erf(w * x / 3) + sympy.pi * c * x**2 + sympy.sqrt(2) * w * c * x
"""A model with a rational 1/3, pi, sqrt(2) and erf."""


def _reference_gradient(theta, xv, dps=60):
    """d/d(a, w, c) of EXPR by hand, in mpmath at 60 digits (independent of the code under test)."""
    with mpmath.workdps(dps):
        A, W, C = (mpmath.mpf(float(t)) for t in theta)
        X = mpmath.mpf(float(xv))
        z = W * X / 3
        return [
            mpmath.erf(z),
            A * 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-z * z) * X / 3 + mpmath.sqrt(2) * C * X,
            mpmath.pi * X**2 + mpmath.sqrt(2) * W * X,
        ]


def test_a_model_with_rationals_pi_sqrt2_and_erf_is_enclosed_rigorously():
    model = sympy_model("constants", EXPR, {"a": a, "w": w, "c": c}, [x])
    theta, X = np.array([0.7, -1.3, 0.4]), np.array([[0.1], [-2.5], [1.75]])
    J = jacobian_arb(model, theta, X)
    for i, xv in enumerate(X[:, 0]):
        for j, value in enumerate(_reference_gradient(theta, xv)):
            ball = J[i, j]
            assert ball.rad() > 0  # irrational: a float wrapped as a zero-radius ball would be a false proof
            assert ball.contains(flint.arb(mpmath.nstr(value, 50)))
            assert ball.rad() < 1e-12
    result = model_rank(model)
    assert result.rank == 3 and result.certainty == "certified" and "ball" in result.lower_method


def test_the_float_value_of_a_constant_is_not_contained_where_the_exact_one_is():
    third = arb_lambdify([x], x / 3)(flint.arb(1))
    assert not third.contains(flint.arb(1 / 3)) or third.rad() > 0
    assert third.contains(flint.arb(1) / 3)
    pi_ball = arb_lambdify([x], sympy.pi * x)(flint.arb(1))
    assert pi_ball.rad() > 0 and pi_ball.overlaps(flint.arb.pi())


def test_a_function_without_a_ball_form_is_named_and_nothing_is_certified_by_it():
    model = sympy_model("digamma", a * sympy.digamma(w * x + 2) + c * x, {"a": a, "w": w, "c": c}, [x])
    with pytest.raises(NotRigorous, match="polygamma"):
        jacobian_arb(model, [0.5, 0.3, 1.0], [[1.0]])
    point = {"a": np.array(0.5), "w": np.array(0.3), "c": np.array(1.0)}
    result = jacobian_rank(model, point, np.array([[1.0], [2.0], [-1.0], [0.5]]))
    assert result.lower_bound == 0
    assert any("polygamma" in warning for warning in result.warnings)
    assert result.certainty != "certified"


@pytest.mark.parametrize("value", [0.5, np.float64(0.5), mpmath.mpf(0.5), 1.0 + 0j])
def test_the_ball_conversion_refuses_anything_that_is_not_a_ball(value):
    with pytest.raises(TypeError, match="not a ball"):
        _as_arb(value)


def test_exact_integers_are_balls_of_radius_zero():
    assert _as_arb(7).rad() == 0 and _as_arb(flint.arb(2)).mid() == 2
