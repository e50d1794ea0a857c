"""Bounds of sums of local groups (locally connected layers) by finite differences.

References written here: the model's output against the sum of its groups'
outputs; the rank of the sympy-built Jacobian (``jacobian_mpmath``, not the
dual forward map the bounds use) in mpmath at 40 digits, at many generic
inputs; brute-force checks of the difference keys.
"""

from __future__ import annotations

import itertools

import mpmath
import numpy as np
import pytest

from rankstrat.numerics.backends.bounds import prove_bounds
from rankstrat.numerics.backends.forward import dual_forward
from rankstrat.numerics.backends.local import MAX_KEY, difference_keys, has_local_groups, local_bounds
from rankstrat.numerics.families.cnn import local_groups
from rankstrat.numerics.model.jacobian import jacobian_mpmath
from rankstrat.numerics.model.points import flat_indices, flat_point, generic_inputs, random_point
from rankstrat.numerics.rank.engine import jacobian_rank, model_rank
from rankstrat.theory.model.symbolic import num_params
from rankstrat.theory.spec import parse_spec

SPECS = [
    "cnn1d:d=6,s=3,k=1,share=0",
    "cnn1d:d=5,s=2,k=2,share=0,bias=1",
    "cnn1d:d=6,s=3,k=1,share=0,act=exp,bias=1",
    "cnn1d:d=5,s=2,k=1,share=0,act=sin,bias=1",
    "cnn1d:d=5,s=3,k=1,share=0,act=softplus,bias=1",
    "cnn2d:d=4,s=2,k=1,share=0,act=sigmoid",
    "cnn2d:d=3,s=2,k=2,share=0,act=exp,bias=1",
]


def reference_rank(spec, theta, dps: int = 40) -> int:
    """Rank of the sympy-built Jacobian in mpmath at 2M + 5 generic inputs:
    singular values below 10^(-dps/2) of the largest count as zero, and the
    decision must be clear (nothing between 10^(-dps/2) and 10^(-dps/4))."""
    X = generic_inputs(spec, 2 * len(theta) + 5, seed=3)
    J = jacobian_mpmath(spec, theta, X, dps)
    with mpmath.workdps(dps):
        values = sorted((abs(v) for v in mpmath.svd_r(J, compute_uv=False)), reverse=True)
        relative = [v / values[0] for v in values]
        assert not any(mpmath.mpf(10) ** (-dps // 2) < v < mpmath.mpf(10) ** (-dps // 4) for v in relative), "reference rank is ambiguous"
        return sum(v > mpmath.mpf(10) ** (-dps // 2) for v in relative)


def test_groups_sum_to_the_model():
    """The family's output equals the sum of the groups' outputs on their patches."""
    for text in SPECS + ["cnn2d:d=5,s=3,k=2,share=0,bias=1"]:
        spec = parse_spec(text)
        theta = flat_point(spec, random_point(spec, 4))
        X = generic_inputs(spec, 7, seed=5)
        unit_text, groups = local_groups(spec, flat_indices(spec))
        unit = parse_spec(unit_text)
        total = sum(dual_forward(unit, theta[params], X[:, inputs], "ball").value.mid for inputs, params in groups)
        whole = dual_forward(spec, theta, X, "ball").value.mid
        np.testing.assert_allclose(total, whole, rtol=1e-12, atol=1e-12)
        owned = np.sort(np.concatenate([params for _, params in groups]))
        assert owned.tolist() == list(range(len(theta)))


def test_convolutions_have_no_local_groups():
    assert not has_local_groups(parse_spec("cnn2d:d=5,s=3,k=2"))
    assert not has_local_groups(parse_spec("twolayer:d=3,k=2"))
    spec = parse_spec("cnn1d:d=5,s=3,k=1")
    assert local_bounds(spec, flat_point(spec, random_point(spec))).interval == f"[0, {num_params(spec)}]"


@pytest.mark.parametrize("text", SPECS)
def test_bounds_contain_the_reference_rank_at_random_points(text):
    spec = parse_spec(text)
    theta = flat_point(spec, random_point(spec, 1))
    bounds = local_bounds(spec, theta)
    reference = reference_rank(spec, theta)
    assert bounds.lower <= reference <= bounds.upper
    assert bounds.lower == reference, "at a random point every group keeps its rank under the differences"


def _degenerate(spec, kind: str) -> np.ndarray:
    point = random_point(spec, 2)
    if kind == "duplicate":  # channel 1 copies channel 0 at position 0
        point["W"][1, 0] = point["W"][0, 0]
        if "b" in point:
            point["b"][1, 0] = point["b"][0, 0]
    elif kind == "zero-readout":
        point["a"][0, 1] = 0.0
    elif kind == "zero-neuron":
        point["W"][0, 2] = 0.0
        point["a"][0, 2] = 0.0
        if "b" in point:
            point["b"][0, 2] = 0.0
    elif kind == "tiny-weights":
        point["W"][0] *= 1e-6
    return flat_point(spec, point)


@pytest.mark.parametrize("kind", ["duplicate", "zero-readout", "zero-neuron", "tiny-weights"])
@pytest.mark.parametrize("text", ["cnn1d:d=5,s=2,k=2,share=0,bias=1", "cnn1d:d=5,s=2,k=2,share=0,act=sigmoid"])
def test_bounds_contain_the_reference_rank_at_degenerate_points(text, kind):
    spec = parse_spec(text)
    theta = _degenerate(spec, kind)
    bounds = local_bounds(spec, theta)
    reference = reference_rank(spec, theta, dps=100)
    assert bounds.lower <= reference <= bounds.upper
    if kind == "tiny-weights":  # full rank (singular values down to 1e-22): float64 balls prove less
        assert reference == len(theta) and bounds.lower < reference
    else:
        assert reference < len(theta)


def test_keys_separate_each_support_from_the_later_ones():
    rng = np.random.default_rng(0)
    for _ in range(200):
        supports = [set(rng.choice(8, size=rng.integers(1, 6), replace=False).tolist()) for _ in range(rng.integers(1, 7))]
        supports.sort(key=len, reverse=True)
        for position, key in enumerate(difference_keys(supports)):
            later = supports[position + 1:]
            contained = any(supports[position] <= other for other in later)
            if key is None:
                assert contained or len(supports[position]) > MAX_KEY
                continue
            assert set(key) <= supports[position]
            assert not any(set(key) <= other for other in later)


def test_keys_of_image_patches_are_their_first_pixel():
    """In row order, a patch's top-left pixel lies in no later patch."""
    spec = parse_spec("cnn2d:d=7,s=3,k=1,share=0")
    _, groups = local_groups(spec, flat_indices(spec))
    keys = difference_keys([set(inputs.tolist()) for inputs, _ in groups])
    assert keys[:-1] == [(int(inputs[0]),) for inputs, _ in groups[:-1]]
    assert keys[-1] == ()


def test_the_lower_bound_needs_inputs_that_stand_for_the_model():
    spec = parse_spec("cnn1d:d=6,s=3,k=1,share=0")
    theta = flat_point(spec, random_point(spec))
    X = np.zeros((40, 6))  # every gradient vanishes at x = 0 except the read-out's tanh(0) = 0: rank 0
    pinned = prove_bounds(spec, theta, X)
    assert pinned.lower == 0 and any("not the rank at these inputs" in step for step in pinned.skipped)
    assert jacobian_rank(spec, random_point(spec), X).rank == 0
    free = prove_bounds(spec, theta, generic_inputs(spec, 40), free_inputs=True)
    assert free.decided and free.lower == 16
    few = prove_bounds(spec, theta, generic_inputs(spec, 10), free_inputs=True)
    assert few.lower <= 10


def test_model_rank_of_a_large_locally_connected_layer_needs_no_float_jacobian():
    spec = parse_spec("cnn2d:d=14,s=3,k=1,share=0,bias=1")
    result = model_rank(spec)
    assert (result.rank, result.certainty, result.estimate) == (num_params(spec), "certified", None)
    assert result.lower_method.startswith("finite differences of 144 local groups")


def test_corners_cover_every_bit_pattern():
    from rankstrat.numerics.backends.local import _corners

    for size in range(4):
        corners = _corners(size)
        assert {tuple(row) for row in corners.tolist()} == set(itertools.product((0.0, 1.0), repeat=size))


@pytest.mark.parametrize("act,scale", [("exp", 1e3), ("sigmoid", 1e200), ("pow3", 1e200)])
def test_overflowing_balls_prove_nothing_and_the_engine_refuses_cleanly(act, scale):
    """Huge weights overflow the float64 balls: the groups fail (no exception),
    and the rank command's path refuses the point in one line (InputError) or
    answers undecided."""
    from rankstrat.theory.errors import InputError

    spec = parse_spec(f"cnn1d:d=4,s=2,k=2,share=0,act={act},bias=1")
    point = random_point(spec, 0)
    point["W"] = point["W"] * scale
    bounds = local_bounds(spec, flat_point(spec, point))
    assert bounds.lower == 0 and bounds.failed
    try:
        result = model_rank(spec, at=point)
    except InputError:
        return
    assert result.certainty != "certified" or result.rank == reference_rank(spec, flat_point(spec, point), dps=400)
