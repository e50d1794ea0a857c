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
        required_certainty="certified-lower-bound",
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
        required_certainty="certified-lower-bound",
    )
    for name, neurons in STRATA.items()
    for b in (0, 1)
] + [
    rank_claim(
        f"twolayer.pow2-d{d}-k{k}",
        f"x**2 activation, d={d}, k={k}: the span is quadratic forms, rank "
        "k d - k(k-1)/2 (k <= d) or d(d+1)/2, not k(d+1)",
        "derived: span of (w_i.x) x_j",
        f"twolayer:d={d},k={k},act=pow2",
        lambda spec: twolayer.generic_rank(spec).value,
        required_certainty="certified-lower-bound",
    )
    for d, k in [(3, 2), (3, 5), (4, 3), (2, 6)]
] + [
    rank_claim(
        f"twolayer.pow{p}-d{d}-k{k}",
        f"x**{p} activation, d={d}, k={k}: Alexander-Hirschowitz dimension",
        "derived: Terracini + Alexander-Hirschowitz",
        f"twolayer:d={d},k={k},act=pow{p},bias={b}",
        lambda spec: twolayer.generic_rank(spec).value,
        required_certainty="certified-lower-bound",
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
