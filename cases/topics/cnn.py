"""Convolution versus locally connected versus fully connected (docs/theory.md section 2)."""

from rankstrat.cases.rank_claims import rank_claim
from rankstrat.numerics.families.cnn import cnn_target_point, fully_connected_point
from rankstrat.theory.families import cnn
from rankstrat.theory.spec import parse_spec

SOURCE = "arXiv 2307.08921, CNN vs fully connected, d=5, s=3"
KERNEL = [[0.6, 0.8, 1.0]]
"""Target sum_j tanh(0.6 x_j + 0.8 x_{j+1} + x_{j+2})."""


def _target(spec):
    return cnn_target_point(spec, KERNEL, biases=[0.0])


CONV = parse_spec("cnn1d:d=5,s=3,k=2,share=1,bias=1")
FULLY_CONNECTED = cnn.fully_connected_counterpart(CONV)


CLAIMS = [
    rank_claim(
        "cnn.target-conv",
        "the 1-D target has model rank 7 in the convolutional network (k=2, bias)",
        SOURCE,
        "cnn1d:d=5,s=3,k=2,share=1,bias=1",
        lambda spec: cnn.target_rank(spec, 1).value,
        point=_target,
        required_certainty="certified",
    ),
    rank_claim(
        "cnn.target-local",
        "the same target has model rank 15 without weight sharing (locally connected)",
        SOURCE,
        "cnn1d:d=5,s=3,k=2,share=0,bias=1",
        lambda spec: cnn.target_rank(spec, 1).value,
        point=_target,
        required_certainty="certified",
    ),
    rank_claim(
        "cnn.target-fully-connected",
        "the same target has model rank 21 in the fully connected counterpart (3 neurons of d+2)",
        SOURCE,
        FULLY_CONNECTED,
        lambda spec: cnn.fully_connected_target_rank(CONV, 3).value,
        point=lambda spec: fully_connected_point(CONV, _target(CONV))[1],
        required_certainty="certified",
    ),
] + [
    rank_claim(
        f"cnn.generic-{family}-share{share}-bias{bias}",
        f"{family}, d={d}, s={s}, k={k}, share={share}, bias={bias}: generic rank equals the parameter count",
        SOURCE + " (2-D: k(s^2 + (d+1-s)^2) and (s^2+1) k (d+1-s)^2)",
        f"{family}:d={d},s={s},k={k},share={share},bias={bias}",
        lambda spec: cnn.generic_rank(spec).value,
        required_certainty="certified",
    )
    for family, d, s, k, share, bias in [
        ("cnn1d", 5, 3, 2, 1, 1),
        ("cnn1d", 6, 2, 2, 0, 0),
        ("cnn2d", 4, 2, 2, 1, 0),
        ("cnn2d", 3, 2, 1, 0, 0),
    ]
]

CLAIMS += [
    rank_claim(
        f"cnn.class-{act}-share{share}-bias{bias}",
        f"cnn1d, d=5, s=3, k=2, share={share}, bias={bias}, {act}: generic rank "
        + ("M - k (convolution) or M - kQ (locally connected): the bias is absorbed"
           if act == "exp" and bias else "M"),
        "derived here (theory/families/cnn.py, per activation class)",
        f"cnn1d:d=5,s=3,k=2,share={share},bias={bias},act={act}",
        lambda spec: cnn.generic_rank(spec).value,
        required_certainty="float64-gap",
    )
    for act in ("exp", "sigmoid", "softplus", "sin")
    for share in (1, 0)
    for bias in (0, 1)
] + [
    rank_claim(
        f"cnn.class-target-{act}-share{share}",
        f"cnn1d, d=5, s=3, k=2, share={share}, bias=1, {act}, one active channel: the zero channel adds "
        "the constant act(0) != 0",
        "derived here (theory/families/cnn.py, target_rank)",
        f"cnn1d:d=5,s=3,k=2,share={share},bias=1,act={act}",
        lambda spec: cnn.target_rank(spec, 1).value,
        point=lambda spec: cnn_target_point(spec, KERNEL, biases=[0.3]),
        required_certainty="high-precision",
    )
    for act in ("exp", "sigmoid", "softplus")
    for share in (1, 0)
]

TWO_D = [(4, 2, 1), (4, 3, 2), (5, 3, 1)]
"""(d, s, k) of the 2-D no-bias comparisons; the 28x28 figures of docs/theory.md section 2.3 are the same formulas at d=28."""

CLAIMS += [
    rank_claim(
        f"cnn.2d-{name}-d{d}-s{s}-k{k}",
        f"2-D, no bias, d={d}, s={s}, k={k}: {name} generic rank {formula}",
        SOURCE.replace("d=5, s=3", "2-D"),
        spec_text,
        predicted,
        required_certainty="float64-gap",
    )
    for d, s, k in TWO_D
    for name, formula, spec_text, predicted in [
        ("convolution", "k(s^2 + (d+1-s)^2)", f"cnn2d:d={d},s={s},k={k},share=1",
         lambda spec: cnn.generic_rank(spec).value),
        ("locally-connected", "(s^2+1) k (d+1-s)^2", f"cnn2d:d={d},s={s},k={k},share=0",
         lambda spec: cnn.generic_rank(spec).value),
        ("fully-connected", "(d^2+1) k (d+1-s)^2",
         cnn.fully_connected_counterpart(parse_spec(f"cnn2d:d={d},s={s},k={k}")),
         lambda spec, d=d, s=s, k=k: cnn.fully_connected_target_rank(
             parse_spec(f"cnn2d:d={d},s={s},k={k}"), k * (d + 1 - s) ** 2).value),
    ]
] + [
    rank_claim(
        "cnn.2d-convolution-28x28",
        "28x28 input, s=3, one channel: convolution generic rank 685 (docs/theory.md section 2.3: 685k)",
        SOURCE.replace("d=5, s=3", "2-D, 28x28"),
        "cnn2d:d=28,s=3,k=1,share=1",
        lambda spec: cnn.generic_rank(spec).value,
        full_only=True,
    )
]
