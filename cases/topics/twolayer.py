"""Two-layer networks: generic rank, rank at structured points, polynomial activations,
and the precision escalation of the engine (docs/theory.md sections 2 and 6)."""

import numpy as np

from rankstrat.cases.claim import Claim, Measurement
from rankstrat.cases.rank_claims import rank_claim, rank_measurement
from rankstrat.numerics.families.twolayer import Neuron, twolayer_point
from rankstrat.numerics.model.points import generic_inputs, random_point
from rankstrat.numerics.rank.engine import jacobian_rank
from rankstrat.theory.families import twolayer
from rankstrat.theory.spec import parse_spec

SOURCE = "arXiv 2307.08921, two-layer networks"

GENERIC = [(1, 1, 0), (3, 5, 0), (2, 4, 1), (3, 5, 1), (5, 3, 0), (4, 6, 1)]

STRATA = {
    "sign-duplicates": [Neuron(1), Neuron(1, -1), Neuron(2), Neuron(3)],
    "zero-weight": [Neuron(1), Neuron(2), Neuron(0), Neuron(0)],
    "zero-output": [Neuron(1), Neuron(2, output=False), Neuron(3), Neuron(3, -1, output=False)],
    "mixed": [Neuron(1), Neuron(1), Neuron(0, output=False), Neuron(2, output=False)],
    "all-zero-output": [Neuron(1, output=False), Neuron(2, output=False), Neuron(0), Neuron(3, output=False)],
}


def _stratum(neurons):
    return lambda spec: twolayer_point(spec, neurons, seed=5)


def _at_point_value(neurons):
    def predicted(spec):
        point = twolayer_point(spec, neurons, seed=5)
        return twolayer.rank_at_point(spec, point["W"], point["a"], point.get("b")).value

    return predicted


CLASS_ACTIVATIONS = ("sigmoid", "softplus", "exp", "sin")
"""One activation per class other than odd: reflection, linear reflection, exponential, trigonometric."""

SHARED_WEIGHT = [Neuron(1, own_bias=True), Neuron(1, own_bias=True), Neuron(1, -1, own_bias=True), Neuron(2)]
"""Three neurons on one weight (up to sign) with their own biases, and one more."""


def _target_value(count):
    return lambda spec: twolayer.target_rank(spec, count).value


def _target_point(count):
    def point(spec):
        from rankstrat.numerics.families.twolayer import neurons_target

        return neurons_target(spec, str(count), seed=4).point

    return point


def _near_duplicate_point(spec, separation=1e-9):
    point = random_point(spec, seed=3)
    direction = np.linspace(1.0, -0.5, spec["d"])
    point["W"][1] = point["W"][0] + separation * direction
    return point


def _near_duplicate_measure():
    spec = parse_spec("twolayer:d=2,k=3")
    X = generic_inputs(spec, 12)
    result = jacobian_rank(spec, _near_duplicate_point(spec), X)
    measurement = rank_measurement(result)
    expected = twolayer.generic_rank(spec).value
    float_wrong = not result.estimate_clear or result.estimate != expected
    return Measurement(
        result.rank, result.certainty,
        measurement.detail + f"; float64 alone: {result.estimate_text()}",
        conditions=float_wrong,
    )


CLAIMS = [
    rank_claim(
        f"twolayer.generic-d{d}-k{k}-bias{b}",
        f"tanh, d={d}, k={k}, bias={b}: generic rank k(d+1+bias)",
        SOURCE,
        f"twolayer:d={d},k={k},act=tanh,bias={b}",
        lambda spec: twolayer.generic_rank(spec).value,
        required_certainty="certified",
    )
    for d, k, b in GENERIC
] + [
    rank_claim(
        f"twolayer.stratum-{name}-bias{b}",
        f"tanh, d=3, k=4, bias={b}, {name} neurons: rank from the neuron classes"
        + (" (m_w + m_a d)" if not b else " (m_w + m_a (d+1) + c, derived)"),
        SOURCE,
        f"twolayer:d=3,k=4,act=tanh,bias={b}",
        _at_point_value(neurons),
        point=_stratum(neurons),
        required_certainty="certified",
    )
    for name, neurons in STRATA.items()
    for b in (0, 1)
] + [
    rank_claim(
        f"twolayer.class-{act}-{name}-bias{b}",
        f"{act}, d=3, k=4, bias={b}, {name} neurons: rank at a point by its activation class",
        "derived here (theory/families/twolayer.py, per activation class)",
        f"twolayer:d=3,k=4,act={act},bias={b}",
        _at_point_value(neurons),
        point=_stratum(neurons),
        required_certainty="high-precision",
    )
    for act in CLASS_ACTIVATIONS
    for name, neurons in [("sign-duplicates", STRATA["sign-duplicates"]), ("zero-weight", STRATA["zero-weight"])]
    for b in (0, 1)
] + [
    rank_claim(
        f"twolayer.class-{act}-shared-weight",
        f"{act}, d=3, k=4, bias=1, three neurons on one weight with their own biases: "
        + ("they span only sin(w.x), cos(w.x) and their x-multiples" if act == "sin" else "rank by the class"),
        "derived here (theory/families/twolayer.py, per activation class)",
        f"twolayer:d=3,k=4,act={act},bias=1",
        _at_point_value(SHARED_WEIGHT),
        point=_stratum(SHARED_WEIGHT),
        required_certainty="high-precision",
    )
    for act in ("sin", "exp", "tanh", "sigmoid")
] + [
    rank_claim(
        f"twolayer.target-{act}-neurons{count}-bias{b}",
        f"{act}, d=3, k=3, bias={b}, target with {count} neuron(s), the others zero: "
        "k*(d+1+bias) (bias absorbed for exp), plus the constant act(0) when a neuron is zero",
        "derived here (theory/families/twolayer.py, target_rank)",
        f"twolayer:d=3,k=3,act={act},bias={b}",
        _target_value(count),
        point=_target_point(count),
        required_certainty="certified",
    )
    for act in ("sigmoid", "softplus", "exp", "tanh")
    for count in (1, 3)
    for b in (0, 1)
] + [
    rank_claim(
        f"twolayer.pow2-d{d}-k{k}",
        f"x**2 activation, d={d}, k={k}: the span is quadratic forms, rank "
        "k d - k(k-1)/2 (k <= d) or d(d+1)/2, not k(d+1)",
        "derived: span of (w_i.x) x_j",
        f"twolayer:d={d},k={k},act=pow2",
        lambda spec: twolayer.generic_rank(spec).value,
        required_certainty="certified",
    )
    for d, k in [(3, 2), (3, 5), (4, 3), (2, 6)]
] + [
    rank_claim(
        f"twolayer.pow{p}-d{d}-k{k}",
        f"x**{p} activation, d={d}, k={k}: Alexander-Hirschowitz dimension",
        "derived: Terracini + Alexander-Hirschowitz",
        f"twolayer:d={d},k={k},act=pow{p},bias={b}",
        lambda spec: twolayer.generic_rank(spec).value,
        required_certainty="certified",
    )
    for p, d, k, b in [(3, 3, 2, 0), (3, 2, 4, 1), (4, 3, 5, 0)]
] + [
    Claim(
        "twolayer.near-duplicate-escalation",
        "two neurons 1e-9 apart: float64 alone cannot see the generic rank k(d+1); the proofs (or high precision) do",
        "docs/theory.md section 6",
        lambda: twolayer.generic_rank(parse_spec("twolayer:d=2,k=3")).value,
        _near_duplicate_measure,
        required_certainty="high-precision",
    )
]
