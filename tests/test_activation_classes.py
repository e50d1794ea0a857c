"""Closed forms per class of activation, against a reference written here.

The reference is the two-layer Jacobian written out by hand in numpy
(columns ``act(u_i)``, ``a_i act'(u_i) x``, ``a_i act'(u_i)``, with the
activations and their derivatives coded independently of sympy), its rank read
from the singular values with a required clear gap. Points are drawn with
structure: sign duplicates, zero-weight neurons, shared weights with different
biases, zero output weights.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy

from rankstrat.numerics.families.twolayer import neurons_target, stratum_parametrization
from rankstrat.theory.activations import ACTIVATIONS, closed_form_kind, get_activation
from rankstrat.theory.families import twolayer
from rankstrat.theory.rank.stratum import list_strata, strata_note
from rankstrat.theory.spec import parse_spec

FUNCTIONS = {
    "tanh": (np.tanh, lambda u: 1 - np.tanh(u) ** 2),
    "sigmoid": (lambda u: 1 / (1 + np.exp(-u)), lambda u: np.exp(-u) / (1 + np.exp(-u)) ** 2),
    "softplus": (lambda u: np.logaddexp(0, u), lambda u: 1 / (1 + np.exp(-u))),
    "exp": (np.exp, np.exp),
    "sin": (np.sin, np.cos),
}


MP_FUNCTIONS = {
    "tanh": (mpmath.tanh, lambda u: 1 - mpmath.tanh(u) ** 2),
    "sigmoid": (lambda u: 1 / (1 + mpmath.exp(-u)), lambda u: mpmath.exp(-u) / (1 + mpmath.exp(-u)) ** 2),
    "softplus": (lambda u: mpmath.log(1 + mpmath.exp(u)), lambda u: 1 / (1 + mpmath.exp(-u))),
    "exp": (mpmath.exp, mpmath.exp),
    "sin": (mpmath.sin, mpmath.cos),
}


def _jacobian(f, df, W, a, b, X):
    rows = []
    for x in X:
        row = []
        for i in range(len(a)):
            u = sum(W[i][j] * x[j] for j in range(len(x))) + (0 if b is None else b[i])
            row.append(f(u))
            row += [a[i] * df(u) * x[j] for j in range(len(x))]
            if b is not None:
                row.append(a[i] * df(u))
        rows.append(row)
    return rows


def spectrum_rank(act: str, build) -> int:
    """Rank of ``build(f, df, cast)`` (rows of a Jacobian); fails unless the gap is clear.

    float64 first; a spectrum without a clear gap is recomputed by mpmath at 60
    digits from the same (exactly representable) point and inputs.
    """
    J = np.array(build(*FUNCTIONS[act], float), dtype=float)
    s = np.linalg.svd(J, compute_uv=False)
    if s.size == 0 or s[0] == 0:
        return 0
    s = s / s[0]
    if not np.any((s > 1e-11) & (s < 1e-6)):
        return int(np.sum(s >= 1e-6))
    with mpmath.workdps(60):
        rows = build(*MP_FUNCTIONS[act], lambda t: mpmath.mpf(float(t)))
        sv = mpmath.svd_r(mpmath.matrix(rows[: 3 * J.shape[1]]), compute_uv=False)
        sv = sorted((abs(v) for v in sv), reverse=True)
        rel = [v / sv[0] for v in sv]
        assert not any(mpmath.mpf("1e-45") < v < mpmath.mpf("1e-25") for v in rel), f"no clear gap: {rel}"
        return sum(1 for v in rel if v >= mpmath.mpf("1e-25"))


def reference_rank(act: str, W, a, b, X) -> int:
    """Rank of the hand-written two-layer Jacobian (:func:`spectrum_rank`)."""
    W, a, X = np.asarray(W, float), np.asarray(a, float), np.asarray(X, float)
    b = None if b is None else np.asarray(b, float)

    def build(f, df, cast):
        c = lambda v: [cast(t) for t in v]
        return _jacobian(f, df, [c(w) for w in W], c(a), None if b is None else c(b), [c(x) for x in X])

    return spectrum_rank(act, build)


def inputs(d: int, count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.5, 1.5, size=(count, d))


# ---------------------------------------------------------------- identities


@pytest.mark.parametrize("name", list(ACTIVATIONS) + ["pow2", "pow3"])
def test_declared_identities_hold_and_absent_ones_fail(name):
    act = get_activation(name)
    z, u, v = sympy.symbols("z u v")
    f = act.sympy_fn
    grid = [-1.7, -0.3, 0.4, 2.1]

    def zero(expr, symbols=(z,)):
        fn = sympy.lambdify(symbols, expr, "mpmath")
        points = [(g,) if len(symbols) == 1 else (g, g / 3 + 0.25) for g in grid]
        return all(abs(fn(*point)) < 1e-12 for point in points)

    assert abs(float(f(sympy.Integer(0))) - act.value_at_zero) < 1e-12
    assert zero(f(-z) + f(z)) == act.odd
    if act.reflection is not None:
        assert zero(f(-z) + f(z) - act.reflection)
    else:
        assert not zero(f(-z) + f(z) - (f(z) + f(-z)).subs(z, 1))
    if act.linear_reflection is not None:
        assert zero(f(z) - f(-z) - act.linear_reflection * z)
    else:
        slope = (f(z) - f(-z)).subs(z, 1)
        assert not (zero(f(z) - f(-z) - slope * z) and slope != 0)
    assert zero(f(u + v) - f(u) * f(v), (u, v)) == act.exponential
    trig = f(u + v) - sympy.cos(v) * f(u) - sympy.sin(v) * sympy.diff(f(u), u)
    assert zero(trig, (u, v)) == act.trig_addition


def test_kinds():
    assert closed_form_kind(get_activation("sin"), False) == "odd"
    assert closed_form_kind(get_activation("sin"), True) == "trigonometric"
    assert closed_form_kind(get_activation("relu")) is None


# ---------------------------------------------------------------- rank at a point


def structured_point(act: str, d: int, k: int, bias: bool, rng) -> tuple:
    """A random point with duplicates, sign duplicates, zero weights, shared weights."""
    W = np.zeros((k, d))
    b = np.zeros(k)
    a = rng.standard_normal(k)
    for i in range(k):
        choice = rng.integers(6) if i else 0
        if choice in (0, 1):
            W[i], b[i] = rng.standard_normal(d), rng.standard_normal()
        elif choice == 2:  # zero weight, random bias
            b[i] = rng.standard_normal() if rng.random() < 0.7 else 0.0
        elif choice in (3, 4):  # copy of an earlier neuron up to sign
            j = rng.integers(i)
            sign = rng.choice([-1.0, 1.0])
            W[i], b[i] = sign * W[j], sign * b[j]
        else:  # same weight as an earlier neuron (up to sign), its own bias
            j = rng.integers(i)
            W[i], b[i] = rng.choice([-1.0, 1.0]) * W[j], rng.standard_normal()
        if rng.random() < 0.3:
            a[i] = 0.0
    return W, a, (b if bias else None)


@pytest.mark.parametrize("act", list(FUNCTIONS))
@pytest.mark.parametrize("bias", [0, 1])
def test_rank_at_point_matches_reference(act, bias):
    rng = np.random.default_rng(17 + bias)
    checked = 0
    for trial in range(40):
        d, k = int(rng.integers(1, 4)), int(rng.integers(2, 5))
        spec = parse_spec(f"twolayer:d={d},k={k},act={act},bias={bias}")
        W, a, b = structured_point(act, d, k, bias, rng)
        form = twolayer.rank_at_point(spec, W, a, b, tol=1e-12)
        assert form.holds
        X = inputs(d, 6 * k * (d + 2) + 10, trial)
        assert form.value == reference_rank(act, W, a, b, X), (spec, W, a, b, form.sizes)
        checked += 1
    assert checked == 40


def test_sin_with_bias_shared_weight_spans_sin_and_cos_only():
    spec = parse_spec("twolayer:d=2,k=4,act=sin,bias=1")
    W = np.array([[0.7, -1.1]] * 4)
    b, a = np.array([0.0, 0.4, 1.3, -2.0]), np.ones(4)
    form = twolayer.rank_at_point(spec, W, a, b)
    assert form.value == 2 * spec["d"] + 2 == reference_rank("sin", W, a, b, inputs(2, 80, 1))


def test_tanh_with_bias_shared_weight_is_not_special():
    spec = parse_spec("twolayer:d=2,k=3,act=tanh,bias=1")
    W, b, a = np.array([[0.7, -1.1]] * 3), np.array([0.0, 0.4, 1.3]), np.ones(3)
    assert twolayer.rank_at_point(spec, W, a, b).value == 12 == reference_rank("tanh", W, a, b, inputs(2, 80, 2))


@pytest.mark.parametrize("act", ["pow2", "pow3", "relu"])
def test_no_formula_claimed_without_a_class(act):
    spec = parse_spec(f"twolayer:d=2,k=2,act={act}")
    assert not twolayer.rank_at_point(spec, np.eye(2), np.ones(2)).holds
    assert list_strata(spec) == []
    assert strata_note(spec).startswith("not applicable")
    if act == "relu":
        assert not twolayer.generic_rank(spec).holds
        assert neurons_target(spec, "1").closed_form is None


# ---------------------------------------------------------------- strata and targets

STRATA_SPECS = [
    f"twolayer:d={d},k={k},act={act},bias={bias}"
    for act in FUNCTIONS
    for bias in (0, 1)
    for d, k in ((1, 3), (2, 2), (3, 3))
]


def parametrization_rank(param, seed: int) -> int:
    """Rank of the Jacobian of a stratum parametrization (complex-step free: it is polynomial)."""
    z = np.random.default_rng(seed).standard_normal(param.dimension)
    flat = lambda p: np.concatenate([np.asarray(v, float).reshape(-1) for v in p.values()])
    h = 1e-5
    cols = [(flat(param.build(z + h * e)) - flat(param.build(z - h * e))) / (2 * h) for e in np.eye(param.dimension)]
    if not cols:
        return 0
    return int(np.linalg.matrix_rank(np.column_stack(cols), tol=1e-7))


@pytest.mark.parametrize("text", STRATA_SPECS)
def test_every_stratum_rank_and_dimension(text):
    spec = parse_spec(text)
    strata = list_strata(spec)
    assert strata, text
    for n, stratum in enumerate(strata):
        param = stratum_parametrization(spec, stratum.labels)
        point = param.sample(n)
        X = inputs(spec["d"], 4 * sum(np.size(v) for v in point.values()) + 10, n)
        measured = reference_rank(spec["act"], point["W"], point["a"], point.get("b"), X)
        assert measured == stratum.rank.value, (text, stratum.name)
        assert twolayer.rank_at_point(spec, point["W"], point["a"], point.get("b"), tol=1e-12).value == measured
        assert parametrization_rank(param, n) == stratum.dimension.value, (text, stratum.name)


@pytest.mark.parametrize(
    "text", ["twolayer:d=2,k=2,act=sigmoid", "twolayer:d=2,k=2,act=softplus,bias=1", "twolayer:d=2,k=2,act=exp,bias=1"]
)
def test_strata_verify_cli_agrees(run_cli, text):
    import json

    code, out, _ = run_cli("strata", text, "--verify", "--format", "json")
    rows = json.loads(out)["rows"]
    assert code == 0 and rows and all(row["agreement"] == "agree" for row in rows)
    # a sigmoid pair (w, -w) adds the constant: the odd-activation rank is one less
    if "sigmoid" in text:
        pair = [r for r in rows if r["stratum"] == "m_w=1, m_a=1, affine part 1"]
        assert pair and pair[0]["measured_rank"] == 1 + 2 + 1


@pytest.mark.parametrize("act", list(FUNCTIONS) + ["pow2", "pow3"])
@pytest.mark.parametrize("bias", [0, 1])
@pytest.mark.parametrize("d, k", [(1, 2), (3, 3), (2, 4)])
def test_targets(act, bias, d, k):
    spec = parse_spec(f"twolayer:d={d},k={k},act={act},bias={bias}")
    for count in range(1, k + 1):
        target = neurons_target(spec, str(count), seed=count)
        point = target.point
        if act.startswith("pow"):
            continue  # polynomial: checked below with an exact reference
        X = inputs(d, 6 * k * (d + 2), count)
        assert target.closed_form.value == reference_rank(act, point["W"], point["a"], point.get("b"), X)


def test_sigmoid_target_issue_example():
    spec = parse_spec("twolayer:d=3,k=3,act=sigmoid")
    assert twolayer.target_rank(spec, 1).value == 5
    assert twolayer.target_rank(spec.replace(k=1), 1).value == 4


@pytest.mark.parametrize(
    "text", ["twolayer:d=2,k=3,act=pow2,bias=1", "twolayer:d=2,k=3,act=pow3", "twolayer:d=3,k=4,act=pow2"]
)
def test_polynomial_targets_exact(text):
    from rankstrat.numerics.model.points import flat_point
    from rankstrat.theory.rank.kernel_certificates import exact_polynomial_rank

    spec = parse_spec(text)
    for count in range(1, spec["k"] + 1):
        target = neurons_target(spec, str(count), seed=count)
        assert exact_polynomial_rank(spec, flat_point(spec, target.point)) == target.closed_form.value


# ---------------------------------------------------------------- convolution


def patches(family: str, d: int, s: int) -> list:
    """Input indices read at each kernel position (written out here)."""
    if family == "cnn1d":
        return [[p + t for t in range(s)] for p in range(d - s + 1)]
    return [
        [(i + u) * d + j + v for u in range(s) for v in range(s)] for i in range(d - s + 1) for j in range(d - s + 1)
    ]


def cnn_reference_rank(spec, point, X) -> int:
    """Rank of the hand-written convolution / locally connected Jacobian."""
    index = patches(spec.family, spec["d"], spec["s"])
    share, has_bias = spec["share"], spec["bias"]
    k, q = spec["k"], len(index)

    def build(f, df, cast):
        W = np.asarray(point["W"], float)
        a = np.asarray(point["a"], float)
        b = np.asarray(point["b"], float) if has_bias else None
        rows = []
        for x in np.asarray(X, float):
            x = [cast(t) for t in x]
            row = []
            for c in range(k):
                kernel_grad = [cast(0)] * W.shape[-1]
                bias_grad = cast(0)
                for p in range(q):
                    w = W[c] if share else W[c, p]
                    beta = 0 if b is None else (b[c] if share else b[c, p])
                    u = sum(cast(w[t]) * x[i] for t, i in enumerate(index[p])) + cast(beta)
                    slope = cast(a[c, p]) * df(u)
                    grads = [slope * x[i] for i in index[p]]
                    if share:
                        kernel_grad = [g + h for g, h in zip(kernel_grad, grads)]
                        bias_grad = bias_grad + slope
                    else:
                        row += grads + ([slope] if has_bias else [])
                if share:
                    row += kernel_grad + ([bias_grad] if has_bias else [])
                row += [
                    f(
                        sum(cast(wt) * x[i] for wt, i in zip(W[c] if share else W[c, p], index[p]))
                        + cast(0 if b is None else (b[c] if share else b[c, p]))
                    )
                    for p in range(q)
                ]
            rows.append(row)
        return rows

    return spectrum_rank(spec["act"], build)


CNN_SPECS = [
    f"{family}:d={d},s={s},k={k},share={share},bias={bias},act={act}"
    for act in FUNCTIONS
    for share in (1, 0)
    for bias in (0, 1)
    for family, d, s, k in (("cnn1d", 4, 2, 2), ("cnn2d", 3, 2, 1))
]


@pytest.mark.parametrize("text", CNN_SPECS)
def test_cnn_generic_targets_and_strata(text):
    from rankstrat.numerics.families.cnn import channels_target
    from rankstrat.numerics.families.cnn import stratum_parametrization as cnn_stratum
    from rankstrat.theory.families import cnn
    from rankstrat.theory.model.symbolic import num_params

    spec = parse_spec(text)
    X = np.random.default_rng(5).uniform(-1.5, 1.5, size=(3 * num_params(spec) + 10, cnn.input_dim(spec)))
    rng = np.random.default_rng(1)
    generic = {name: rng.standard_normal(shape) for name, shape in cnn.param_shapes(spec).items()}
    form = cnn.generic_rank(spec)
    assert form.holds and form.value == cnn_reference_rank(spec, generic, X)
    for count in range(1, spec["k"] + 1):
        target = channels_target(spec, str(count), seed=count)
        assert target.closed_form.value == cnn_reference_rank(spec, target.point, X)
    for n, stratum in enumerate(list_strata(spec)):
        point = cnn_stratum(spec, stratum.labels).sample(n)
        assert stratum.rank.value == cnn_reference_rank(spec, point, X), stratum.name


def test_cnn_exp_bias_loses_one_direction_per_channel_or_neuron():
    from rankstrat.theory.families import cnn
    from rankstrat.theory.model.symbolic import num_params

    conv = parse_spec("cnn1d:d=5,s=3,k=2,share=1,bias=1,act=exp")
    local = conv.replace(share=0)
    assert cnn.generic_rank(conv).value == num_params(conv) - 2
    assert cnn.generic_rank(local).value == num_params(local) - 2 * cnn.positions(local)


@pytest.mark.parametrize("act", ["pow2", "relu"])
def test_cnn_refuses_without_a_class(act):
    from rankstrat.numerics.families.cnn import channels_target
    from rankstrat.theory.families import cnn

    spec = parse_spec(f"cnn1d:d=4,s=2,k=2,act={act}")
    assert not cnn.generic_rank(spec).holds and list_strata(spec) == []
    assert channels_target(spec, "1").closed_form is None


@pytest.mark.parametrize(
    "act, claimed", [("tanh", True), ("sin", True), ("sigmoid", False), ("softplus", False), ("exp", False)]
)
def test_mlp_zero_embedding_bound_only_when_act_vanishes_at_zero(act, claimed):
    from rankstrat.numerics.families.mlp import narrow_target

    spec = parse_spec(f"mlp:d=3,widths=3-3,act={act}")
    assert (narrow_target(spec, "1-1").closed_form is not None) == claimed
    assert narrow_target(spec, "1-1:split").closed_form is not None
