"""Near-degenerate points: no rank below the truth may carry a label.

The reference is written here, independent of the engine: the two-layer
Jacobian from its closed-form derivatives, evaluated in mpmath at 150 digits
at the exact float point and inputs, ranked by its singular values (the
smallest true ones at these points are near 1e-45, the rounding noise near
1e-148).
"""

import json

import mpmath
import numpy as np
import pytest

from rankstrat.numerics.model.points import generic_inputs
from rankstrat.numerics.rank.engine import jacobian_rank
from rankstrat.theory.spec import parse_spec

DECIDED = ("certified", "high-precision")


def _activation(name):
    if name == "tanh":
        return mpmath.tanh, lambda z: 1 - mpmath.tanh(z) ** 2
    if name == "sin":
        return mpmath.sin, mpmath.cos
    sigmoid = lambda z: 1 / (1 + mpmath.exp(-z))
    return sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z))


def reference_rank(act, W, a, b, X, dps=150, threshold=1e-100):
    """Rank of the two-layer Jacobian at 150 digits (independent of the engine)."""
    f, df = _activation(act)
    with mpmath.workdps(dps):
        exact = lambda v: mpmath.mpf(float(v))
        rows = []
        for x in X:
            row = []
            for j in range(len(W)):
                z = sum(exact(w) * exact(v) for w, v in zip(W[j], x)) + (exact(b[j]) if b is not None else 0)
                slope = exact(a[j]) * df(z)
                row += [slope * exact(v) for v in x] + ([slope] if b is not None else []) + [f(z)]
            rows.append(row)
        values = sorted((abs(s) for s in mpmath.svd_r(mpmath.matrix(rows), compute_uv=False)), reverse=True)
        return sum(1 for s in values if s > threshold * values[0])


def _near_point(kind, separation, bias, k=2, d=3):
    rng = np.random.default_rng(11)
    W = rng.standard_normal((k, d))
    direction = np.array([1.0, -0.5, 0.25])[:d]
    W[1] = (W[0] if kind == "duplicate" else -W[0]) + separation * direction
    a = rng.standard_normal(k)
    b = rng.standard_normal(k) if bias else None
    if bias and kind == "sign":
        b[1] = -b[0] + separation
    return W, a, b


def _check(spec, W, a, b):
    point = {"W": W, "a": a, **({"b": b} if b is not None else {})}
    X = generic_inputs(spec, 2 * W.size + 4 * len(a))
    result = jacobian_rank(spec, point, X)
    truth = reference_rank(spec.activation.name, W, a, b, X)
    assert result.lower_bound <= truth <= result.upper_bound, (result.summary(), truth)
    if result.certainty in DECIDED:
        assert result.rank == truth, (result.summary(), truth)
    else:
        assert result.rank is None
    return result, truth


@pytest.mark.parametrize("separation", [1e-2, 1e-6, 1e-10, 1e-14])
@pytest.mark.parametrize("kind", ["duplicate", "sign"])
@pytest.mark.parametrize("bias", [0, 1])
@pytest.mark.parametrize("act", ["tanh", "sigmoid", "sin"])
def test_near_duplicates_are_never_reported_below_the_true_rank(act, bias, kind, separation):
    spec = parse_spec(f"twolayer:d=3,k=2,act={act},bias={bias}")
    _check(spec, *_near_point(kind, separation, bias))


@pytest.mark.parametrize("separation", [1e-3, 1e-9, 1e-13])
@pytest.mark.parametrize("act", ["tanh", "sigmoid", "sin"])
def test_an_exact_duplicate_next_to_a_near_one(act, separation):
    """True rank below M (an exact duplicate pair) with a third neuron close to them."""
    spec = parse_spec(f"twolayer:d=3,k=3,act={act}")
    rng = np.random.default_rng(5)
    W = rng.standard_normal((3, 3))
    W[1] = W[0]
    W[2] = W[0] + separation * np.array([0.3, 1.0, -0.7])
    a = rng.standard_normal(3)
    _, truth = _check(spec, W, a, None)
    assert truth < 12


@pytest.mark.parametrize("separation", [1e-4, 1e-13])
def test_the_reported_near_duplicates_are_certified_at_the_true_rank(separation, tmp_path, run_cli):
    W = [[0.5, -0.3, 0.8], [0.5 + separation, -0.3, 0.8]]
    path = tmp_path / "point.json"
    path.write_text(json.dumps({"W": W, "a": [1.2, -0.7]}))
    code, out, _ = run_cli("rank", "twolayer:d=3,k=2,act=tanh", "--at", path, "--json")
    payload = json.loads(out)
    X = generic_inputs(parse_spec("twolayer:d=3,k=2"), 16)
    assert code == 0 and reference_rank("tanh", np.array(W), [1.2, -0.7], None, X) == 8
    assert payload["model_rank"] == 8 and payload["certainty"] == "certified"
    assert payload["lower"] == payload["upper"] == 8
    assert payload["float64_rank"] < 8  # float64 alone is wrong here; the proof is not
