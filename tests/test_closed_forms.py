"""Closed forms: symbolic in the sizes, the figures of docs/theory.md, and derived
formulas checked against numerics on several sizes."""

import numpy as np
import pytest
import sympy

from rankstrat.numerics.model.points import generic_inputs
from rankstrat.numerics.model.stratum_points import exact_low_rank
from rankstrat.numerics.rank.engine import jacobian_rank
from rankstrat.theory.closed_form import SIZE_SYMBOLS
from rankstrat.theory.families import cnn, mf, mlp, twolayer
from rankstrat.theory.rank import single_neuron
from rankstrat.theory.spec import parse_spec

d, k, s = SIZE_SYMBOLS["d"], SIZE_SYMBOLS["k"], SIZE_SYMBOLS["s"]


def test_parameter_counts_are_symbolic_in_the_sizes():
    assert sympy.simplify(twolayer.num_params_formula(parse_spec("twolayer:d=3,k=5,bias=1")).expr - k * (d + 2)) == 0
    assert mf.num_params_formula(parse_spec("mf:n1=4,k=4,n2=4")).expr.free_symbols == {
        SIZE_SYMBOLS["k"], SIZE_SYMBOLS["n1"], SIZE_SYMBOLS["n2"]}


def test_28x28_figures_of_theory():
    conv = cnn.generic_rank(parse_spec("cnn2d:d=28,s=3,k=1,share=1"))
    local = cnn.generic_rank(parse_spec("cnn2d:d=28,s=3,k=1,share=0"))
    full = cnn.fully_connected_target_rank(parse_spec("cnn2d:d=28,s=3,k=1"), 676)
    assert (conv.value, local.value, full.value) == (685, 6760, 530660)
    # linear in k: the figures are 685k / 6760k / 530660k
    for k_value in (2, 7):
        assert cnn.generic_rank(parse_spec(f"cnn2d:d=28,s=3,k={k_value},share=1")).value == 685 * k_value
        assert cnn.generic_rank(parse_spec(f"cnn2d:d=28,s=3,k={k_value},share=0")).value == 6760 * k_value


def test_1d_cnn_figures_at_width_100():
    conv = parse_spec("cnn1d:d=5,s=3,k=100,share=1,bias=1")
    local = parse_spec("cnn1d:d=5,s=3,k=100,share=0,bias=1")
    full = cnn.fully_connected_counterpart(conv)
    assert [cnn.num_params_formula(x).value for x in (conv, local)] + [mlp.num_params_formula(full).value] == [700, 1500, 2100]
    assert cnn.target_rank(conv).value == 7 and cnn.target_rank(local).value == 15
    assert cnn.fully_connected_target_rank(conv, 3).value == 21


@pytest.mark.parametrize("dim, bias, expected", [(1, 1, [3, 4, 5, 6]), (3, 1, [5, 6, 9, 10]), (2, 0, [3, 4, 5, 6])])
def test_single_neuron_thresholds(dim, bias, expected):
    t = single_neuron.sample_size_thresholds(2, dim, bias)
    assert [t["optimistic"], t["Q2"], t["Q1"], t["parameters"]] == expected


@pytest.mark.parametrize("m", [2, 3, 5])
@pytest.mark.parametrize("dim", [1, 2, 4])
def test_separation_is_parameters_minus_branch_dimension(m, dim):
    for bias in (0, 1):
        for r in range(1, m + 1):
            total = single_neuron.num_params(m, dim, bias).value
            assert single_neuron.separation_size(m, r, dim, bias).value == total - single_neuron.branch_dimension(m, r, dim, bias).value


def test_llr_bound_widths_one():
    for depth in range(2, 6):
        widths = "-".join(["1"] * (depth - 1))
        spec = parse_spec(f"mlp:d=4,widths={widths}")
        assert mlp.narrow_bound(spec).value == 4 + depth - 1


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("depth, n1, kk, n2", [(3, 3, 3, 3), (3, 4, 2, 3), (4, 3, 3, 2)])
def test_deep_mf_rank_at_point_against_numerics(seed, depth, n1, kk, n2):
    spec = parse_spec(f"mf:n1={n1},k={kk},n2={n2},depth={depth}")
    rng = np.random.default_rng(seed)
    shapes = spec.module.param_shapes(spec)
    point = {}
    for name, (rows, cols) in shapes.items():
        point[name] = exact_low_rank(rng, rows, cols, int(rng.integers(0, min(rows, cols) + 1)))
    factors = list(point.values())
    left = [np.linalg.matrix_rank(np.linalg.multi_dot([np.eye(n1), *factors[:j + 1]])) for j in range(depth - 1)]
    right = [np.linalg.matrix_rank(np.linalg.multi_dot([*factors[j + 1:], np.eye(n2)])) for j in range(depth - 1)]
    form = mf.rank_at_point_from_products(spec, left, right)
    measured = jacobian_rank(spec, point, generic_inputs(spec, 80))
    assert measured.rank == form.value


@pytest.mark.parametrize("dim, width, power, bias", [(2, 3, 2, 0), (3, 4, 2, 1), (2, 5, 3, 0), (3, 5, 4, 0), (2, 2, 3, 1)])
def test_polynomial_activation_formula_against_numerics(dim, width, power, bias):
    from rankstrat.numerics.rank.engine import model_rank

    spec = parse_spec(f"twolayer:d={dim},k={width},act=pow{power},bias={bias}")
    assert model_rank(spec).rank == twolayer.generic_rank(spec).value
    assert twolayer.generic_rank(spec).value < width * (dim + 1 + bias) or width * (dim + 1 + bias) <= 6


def test_exp_with_bias_loses_one_direction_per_neuron():
    from rankstrat.numerics.rank.engine import model_rank

    for dim, width in [(2, 2), (3, 3)]:
        spec = parse_spec(f"twolayer:d={dim},k={width},act=exp,bias=1")
        assert model_rank(spec).rank == twolayer.generic_rank(spec).value == width * (dim + 1)
