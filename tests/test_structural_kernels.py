"""Kernel vectors of degenerate points (duplicate, sign-duplicate and zero units),
checked against an independent reference: the Jacobian in mpmath at 50 digits at
the point's exact values, its rank read off a singular-value gap of more than
20 orders of magnitude, and each vector's product with it."""

from __future__ import annotations

import time

import mpmath
import numpy as np
import pytest

from rankstrat.numerics.backends.degenerate import degenerate_vectors
from rankstrat.numerics.backends.upper import kernel_dimension, span_rank, upper_bounds
from rankstrat.numerics.families import numeric_family
from rankstrat.numerics.model.jacobian import jacobian_mpmath
from rankstrat.numerics.model.points import flat_indices, flat_point, generic_inputs, random_point
from rankstrat.theory.families.twolayer import rank_at_point
from rankstrat.theory.spec import parse_spec

DPS = 50


def _units(spec):
    return numeric_family(spec).neuron_units(spec, flat_indices(spec))


def _point(spec, seed=0):
    return flat_point(spec, random_point(spec, seed=seed))


def plant(spec, theta, kind, i, j=None):
    """A copy of ``theta`` with unit ``j`` a (sign) duplicate of unit ``i``, or unit ``i`` zeroed."""
    theta = theta.copy()
    units = _units(spec)
    (in_i, out_i), (in_j, _) = units[i], units[j if j is not None else i]
    if kind == "duplicate":
        theta[in_j] = theta[in_i]
    elif kind == "sign":
        theta[in_j] = -theta[in_i]
    elif kind == "zero-out":
        theta[out_i] = 0.0
    elif kind == "zero-in":
        theta[in_i] = 0.0
    elif kind == "near":
        theta[in_j] = theta[in_i]
        theta[in_j[0]] += 1e-12
    return theta


def reference(spec, theta, seed=0, dps=DPS):
    """The Jacobian at ``dps`` digits at exactly ``theta`` (mpmath matrix) and its rank,
    read off a gap: every singular value above ``10^-(dps - 30)`` or below ``10^-(dps - 10)``
    relative to the largest."""
    M = len(theta)
    X = generic_inputs(spec, M + 12, seed=seed)
    J = jacobian_mpmath(spec, theta, X, dps)
    with mpmath.workdps(dps):
        sv = sorted(mpmath.svd_r(J, compute_uv=False), reverse=True)
        top = sv[0]
        small = [s for s in sv if s <= top * mpmath.mpf(10) ** (10 - dps)]
        large = [s for s in sv if s >= top * mpmath.mpf(10) ** (30 - dps)]
    assert len(small) + len(large) == len(sv), "no clear gap in the reference spectrum"
    return J, len(large)


def assert_in_kernel(J, vectors, theta):
    """Every vector (exact entries) times the 50-digit Jacobian is zero to 40 digits."""
    with mpmath.workdps(DPS):
        scale = max(abs(v) for v in J)
        for vector in vectors:
            v = [mpmath.mpf(0)] * J.cols
            for target, coefficient, source in vector:
                v[target] += coefficient * (1 if source is None else mpmath.mpf(float(theta[source])))
            norm = max(abs(x) for x in v)
            product = J * mpmath.matrix(v)
            assert max(abs(x) for x in product) <= scale * norm * mpmath.mpf(10) ** -40


def bound(spec, theta):
    return len(theta) - kernel_dimension(spec, theta)[0]


# (spec, kind, units (i, j), expected vectors per rule, bound equals the reference rank)
CASES = [
    ("twolayer:d=3,k=4,act=tanh,bias=0", "duplicate", (0, 2), {"duplicate": 4}, True),
    ("twolayer:d=3,k=4,act=tanh,bias=1", "duplicate", (0, 2), {"duplicate": 5}, True),
    ("twolayer:d=3,k=4,act=tanh,bias=1", "sign", (1, 3), {"sign-duplicate": 5}, True),
    ("twolayer:d=3,k=4,act=tanh,bias=1", "zero-out", (2, None), {"zero": 4}, True),
    ("twolayer:d=3,k=4,act=tanh,bias=1", "zero-in", (2, None), {"zero": 1}, True),
    ("twolayer:d=3,k=4,act=sin,bias=0", "sign", (0, 1), {"sign-duplicate": 4}, True),
    ("twolayer:d=2,k=3,act=sin,bias=1", "duplicate", (0, 1), {"duplicate": 4}, True),
    ("twolayer:d=3,k=4,act=sigmoid,bias=1", "duplicate", (0, 3), {"duplicate": 5}, True),
    ("twolayer:d=3,k=4,act=sigmoid,bias=1", "zero-out", (1, None), {"zero": 4}, True),
    # sigmoid(0) != 0: the neuron is the constant sigmoid(0) a with the slope a sigmoid'(0) (w.x + b), and
    # d/da, d/db give the constant twice; no vector is claimed for it
    ("twolayer:d=3,k=4,act=sigmoid,bias=1", "zero-in", (1, None), {}, False),
    ("twolayer:d=3,k=4,act=exp,bias=0", "duplicate", (0, 1), {"duplicate": 4}, True),
    ("twolayer:d=3,k=4,act=exp,bias=1", "duplicate", (0, 1), {"duplicate": 5}, False),  # exp(u + b) = e^b exp(u)
    ("twolayer:d=3,k=4,act=exp,bias=0", "sign", (0, 1), {}, True),  # exp(-z) is a new function
    ("mlp:d=3,widths=3-3,act=tanh,bias=1", "duplicate", (0, 1), {"duplicate": 3}, True),
    ("mlp:d=3,widths=3-3,act=tanh,bias=1", "duplicate", (3, 5), {"duplicate": 5}, True),
    ("mlp:d=3,widths=3-3,act=tanh,bias=1", "sign", (1, 2), {"sign-duplicate": 3}, True),
    ("mlp:d=3,widths=3-3,act=tanh,bias=1", "sign", (4, 5), {"sign-duplicate": 5}, True),
    ("mlp:d=3,widths=3-3,act=tanh,bias=1", "zero-out", (0, None), {"zero": 4}, True),
    # h = tanh(w.x + b) at w = b = 0: d/db = tanh'(0) sum_r W2[r, 1] d/db2_r, a relation not claimed here
    ("mlp:d=3,widths=3-3,act=tanh,bias=1", "zero-in", (1, None), {"zero": 3}, False),
    ("mlp:d=3,widths=3-3,act=sigmoid,bias=1", "duplicate", (0, 2), {"duplicate": 3}, True),
    ("mlp:d=3,widths=3-3,act=sigmoid,bias=1", "zero-out", (4, None), {"zero": 4}, True),  # a_4 = 0
    ("cnn1d:d=5,s=2,k=3,act=tanh,bias=1", "duplicate", (0, 2), {"duplicate": 4}, True),
    ("cnn1d:d=5,s=2,k=3,act=tanh,bias=1", "sign", (0, 1), {"sign-duplicate": 4}, True),
    ("cnn1d:d=5,s=2,k=3,act=tanh,bias=1", "zero-out", (1, None), {"zero": 3}, True),
    ("cnn1d:d=5,s=2,k=3,act=tanh,bias=1", "zero-in", (1, None), {"zero": 4}, True),
    ("cnn1d:d=3,s=3,k=3,act=tanh,bias=1", "duplicate", (0, 1), {"duplicate": 5}, True),  # Q = 1: one read-out weight
    ("cnn2d:d=3,s=2,k=2,act=tanh", "duplicate", (0, 1), {"duplicate": 4}, True),
    ("cnn2d:d=3,s=2,k=2,act=sin,share=0", "sign", (1, 5), {"sign-duplicate": 5}, True),
    ("cnn1d:d=4,s=2,k=2,act=tanh,bias=1,share=0", "duplicate", (1, 4), {"duplicate": 4}, True),  # same position 1
    ("cnn1d:d=4,s=2,k=2,act=tanh,bias=1,share=0", "sign", (0, 3), {"sign-duplicate": 4}, True),
    ("cnn1d:d=4,s=2,k=2,act=tanh,bias=1,share=0", "zero-out", (2, None), {"zero": 3}, True),
]


@pytest.mark.parametrize("text, kind, pair, counts, tight", CASES)
def test_planted_degeneracy_gives_proven_kernel_vectors(text, kind, pair, counts, tight):
    spec = parse_spec(text)
    theta = plant(spec, _point(spec, seed=2), kind, *pair)
    vectors, found = degenerate_vectors(spec, theta)
    assert found == counts
    J, rank = reference(spec, theta)
    assert_in_kernel(J, vectors, theta)
    assert bound(spec, theta) >= rank
    assert (bound(spec, theta) == rank) == tight
    assert bound(spec, theta) == len(theta) - sum(counts.values())  # the planted vectors are independent


@pytest.mark.parametrize("text", ["twolayer:d=3,k=6,act=tanh,bias=1", "twolayer:d=3,k=6,act=sigmoid,bias=1",
                                  "twolayer:d=3,k=6,act=sin,bias=0"])
def test_mixed_degeneracies_match_the_two_layer_closed_form(text):
    spec = parse_spec(text)
    theta = _point(spec, seed=4)
    theta = plant(spec, theta, "duplicate", 0, 1)
    theta = plant(spec, theta, "sign", 0, 2)
    theta = plant(spec, theta, "duplicate", 0, 3)
    theta = plant(spec, theta, "zero-out", 4)
    theta = plant(spec, theta, "zero-in", 5)
    index = flat_indices(spec)
    closed = rank_at_point(spec, theta[index["W"]], theta[index["a"]], theta[index["b"]] if "b" in index else None)
    _, rank = reference(spec, theta)
    assert closed.holds and closed.value == rank
    assert bound(spec, theta) >= rank
    if spec.activation.name == "sigmoid":
        # two relations through the constant function are not claimed: the zero-weight neuron's
        # d/da and d/db are both constant, and sigma(p) + sigma(-p) = 1 (the sign pair)
        assert bound(spec, theta) == rank + 2
    else:
        assert bound(spec, theta) == rank


def test_sigmoid_sign_duplicates_give_incoming_vectors_only():
    # sigmoid(-z) = 1 - sigmoid(z): sigmoid' is even (incoming relation holds), but the
    # outgoing columns sigma(p) and 1 - sigma(p) are independent of the rest
    spec = parse_spec("twolayer:d=3,k=4,act=sigmoid,bias=1")
    theta = plant(spec, _point(spec, seed=5), "sign", 0, 1)
    vectors, counts = degenerate_vectors(spec, theta)
    assert counts == {"sign-duplicate": 4}
    units = _units(spec)
    assert all(source is not None for vector in vectors for _, _, source in vector)  # no e[a_0] +- e[a_1]
    J, rank = reference(spec, theta)
    assert_in_kernel(J, vectors, theta)
    assert bound(spec, theta) == rank
    outgoing = [(units[0][1][0], 1, None), (units[1][1][0], 1, None)]
    with mpmath.workdps(DPS):
        column_sum = [J[r, outgoing[0][0]] + J[r, outgoing[1][0]] for r in range(J.rows)]
    assert max(abs(v) for v in column_sum) > 0.1  # e[a_0] + e[a_1] is not a kernel vector


def test_near_duplicates_give_no_vector_and_keep_the_rank():
    spec = parse_spec("twolayer:d=3,k=4,act=tanh,bias=1")
    theta = plant(spec, _point(spec, seed=6), "near", 0, 1)
    assert degenerate_vectors(spec, theta) == ([], {})
    _, rank = reference(spec, theta, dps=120)  # the near-relations are O(1e-12) to O(1e-36)
    assert bound(spec, theta) == len(theta) == rank
    theta = plant(spec, _point(spec, seed=6), "sign", 0, 1)
    theta[_units(spec)[1][0][2]] *= 1 + 2**-50  # one coordinate one ulp-scale step off
    assert degenerate_vectors(spec, theta) == ([], {})


def test_locally_connected_neurons_at_different_positions_are_not_duplicates():
    spec = parse_spec("cnn1d:d=4,s=2,k=2,act=tanh,bias=1,share=0")
    generic = _point(spec, seed=7)
    theta = plant(spec, generic, "duplicate", 0, 1)  # neurons (0, 0) and (0, 1): equal weights, patches 0 and 1
    assert degenerate_vectors(spec, theta) == ([], {})
    _, rank = reference(spec, theta)
    _, generic_rank = reference(spec, generic)
    assert rank == generic_rank == bound(spec, theta)  # the rank is not reduced


def test_convolution_channels_with_many_positions_get_no_incoming_vectors():
    # Q = 4 read-out weights per channel: df/dw_c = sum_q a[c, q] tanh'(.) patch_q is not
    # proportional between duplicate channels, so only the 4 outgoing vectors hold
    spec = parse_spec("cnn1d:d=5,s=2,k=3,act=tanh,bias=1")
    theta = plant(spec, _point(spec, seed=8), "duplicate", 0, 1)
    _, rank = reference(spec, theta)
    assert rank == len(theta) - 4 == bound(spec, theta)


def test_groups_of_duplicates_with_zero_read_out_weights():
    spec = parse_spec("twolayer:d=2,k=5,act=tanh,bias=1")
    theta = _point(spec, seed=9)
    for j in (1, 2, 3):
        theta = plant(spec, theta, "duplicate" if j != 2 else "sign", 0, j)
    theta[_units(spec)[0][1]] = 0.0  # the first of the group has a = 0
    vectors, _ = degenerate_vectors(spec, theta)
    J, rank = reference(spec, theta)
    assert_in_kernel(J, vectors, theta)
    assert bound(spec, theta) == rank


def test_span_rank_cuts_large_blocks_to_a_smaller_proven_span(monkeypatch):
    from rankstrat.numerics.backends import upper

    vectors = [[(0, 1, 1), (1, 1, None)], [(1, 1, 0), (2, 1, None)], [(2, 1, None), (0, 1, None)]]
    theta = np.array([3.0, 5.0, 0.0])
    assert span_rank(vectors, theta) == (3, False)
    monkeypatch.setattr(upper, "MAX_SPAN_ENTRIES", 6)
    assert span_rank(vectors, theta) == (2, True)
    assert span_rank(vectors, theta, uncut=3) == (3, False)  # the structural vectors are never cut
    unit = [[(5, 1, None)], [(4, 1, None), (5, 3, None)]]  # e[5] removes column 5: e[4] is left
    assert span_rank(unit + vectors, np.array([3.0, 5.0, 0.0, 0.0, 0.0, 0.0]), uncut=5) == (5, False)


def test_twolayer_at_scale_is_fast_and_exact():
    spec = parse_spec("twolayer:d=20,k=100,act=tanh,bias=1")
    theta = scale_point(spec)
    start = time.perf_counter()
    bounds = upper_bounds(spec, theta, 4000)
    elapsed = time.perf_counter() - start
    best = min(bounds)
    assert best[0] == 85 * 22  # 85 distinct neurons, d + 2 directions each
    assert "duplicate" in best[1] and "zero-unit" in best[1]
    assert elapsed < 5.0


def scale_point(spec, seed=0):
    """10 duplicate pairs (half of them sign duplicates) and 5 zero neurons (w = 0, b = 0, a = 0)."""
    theta = _point(spec, seed=seed)
    for pair in range(10):
        theta = plant(spec, theta, "duplicate" if pair % 2 else "sign", 2 * pair, 2 * pair + 1)
    for unit in range(95, 100):
        theta = plant(spec, plant(spec, theta, "zero-in", unit), "zero-out", unit)
    return theta


@pytest.mark.parametrize("text, kind, pair", [
    ("twolayer:d=2,k=4,act=pow2,bias=1", "sign", (0, 1)),  # even power: h_j = h_i, act' odd
    ("twolayer:d=2,k=4,act=pow3,bias=1", "sign", (0, 1)),
    ("mlp:d=2,widths=3-3,act=pow3,bias=1", "duplicate", (3, 4)),
    ("mlp:d=2,widths=3-3,act=pow2,bias=1", "sign", (0, 2)),
    ("cnn1d:d=4,s=2,k=3,act=pow2,bias=1", "zero-in", (1, None)),
])
def test_polynomial_points_against_the_exact_rational_jacobian(text, kind, pair):
    import flint

    from rankstrat.numerics.backends.forward import dual_jacobian

    spec = parse_spec(text)
    rng = np.random.default_rng(11)
    theta = plant(spec, rng.integers(-4, 5, size=len(_point(spec))).astype(float), kind, *pair)
    X = rng.integers(-3, 4, size=(3 * len(theta), spec.module.input_dim(spec))).astype(float)
    J = dual_jacobian(spec, theta, X, "fmpq")
    vectors, counts = degenerate_vectors(spec, theta)
    assert counts
    for vector in vectors:
        v = [flint.fmpq(0)] * len(theta)
        for target, coefficient, source in vector:
            v[target] += coefficient * (1 if source is None else flint.fmpq(int(theta[source])))
        assert all(sum((J[i, j] * v[j] for j in range(len(theta))), flint.fmpq(0)) == 0 for i in range(len(X)))
    exact = int(flint.fmpq_mat(J.tolist()).rank())
    assert bound(spec, theta) >= exact


@pytest.mark.slow
def test_twolayer_at_scale_is_certified():
    from rankstrat.numerics.rank.engine import jacobian_rank

    spec = parse_spec("twolayer:d=20,k=100,act=tanh,bias=1")
    theta = scale_point(spec)
    point = {name: theta[index] for name, index in flat_indices(spec).items()}
    result = jacobian_rank(spec, point, generic_inputs(spec, 2 * len(theta)))
    assert (result.lower_bound, result.upper_bound, result.certainty) == (1870, 1870, "certified")
