"""Deep fully connected networks: local linear recovery bounds (docs/theory.md section 2).

``O_wide(f*) <= O_narrow(f*) <= M_narrow``: a target expressed by a narrow
network is embedded into a wider one (extra neurons zero, or duplicated with
split output weights) and the model rank is measured at the wide point. For
two-layer tanh networks and chains of width-1 layers the bound is attained:
``rank == M_narrow`` (all widths 1: ``d + L - 1``).
"""

from functools import partial

from rankstrat.cases.claim import CERTAINTY_ORDER, Claim, Measurement
from rankstrat.numerics.model.embedding import embed_point
from rankstrat.numerics.model.points import generic_inputs, random_point
from rankstrat.numerics.rank.engine import jacobian_rank
from rankstrat.theory.families import mlp
from rankstrat.theory.model.symbolic import num_params
from rankstrat.theory.spec import parse_spec

SOURCE = "Zhang et al., local linear recovery (arXiv 2406.18035); embedding principle (arXiv 2309.00508)"


def _weaker(*certainties: str) -> str:
    return min(certainties, key=lambda c: CERTAINTY_ORDER.index(c) if c in CERTAINTY_ORDER else -1)


def _duplicated_first_layer(spec, seed: int) -> dict:
    """A narrow point below the generic stratum: neuron 1 of layer 1 copies neuron 0."""
    point = random_point(spec, seed)
    point["W1"][1] = point["W1"][0]
    if "b1" in point:
        point["b1"][1] = point["b1"][0]
    return point


def measure_embedding(narrow: str, wide: str, mode: str, point=random_point, attained: bool = True,
                      strict: bool = False, certify: bool = True) -> Measurement:
    """Model ranks at the narrow point and at its embedding: the value is ``R_wide``,
    compared by the claim with ``M_narrow`` (``==`` when ``attained``, ``<=``
    otherwise, or with the strict prediction of :func:`duplicated_rank`); the
    side condition is ``R_wide <= R_narrow <= M_narrow`` (``R_narrow < M_narrow``
    when ``strict``). Large deep networks are measured without certificates
    (their symbolic gradients are expensive).

    Examples
    --------
    >>> m = measure_embedding("mlp:d=2,widths=1", "mlp:d=2,widths=3", "split")
    >>> m.value, m.conditions
    (3, True)
    """
    narrow_spec, wide_spec = parse_spec(narrow), parse_spec(wide)
    narrow_point = point(narrow_spec, 3)
    wide_point = embed_point(narrow_spec, narrow_point, wide_spec, mode=mode, seed=3)
    r_narrow = jacobian_rank(narrow_spec, narrow_point, generic_inputs(narrow_spec, 2 * num_params(narrow_spec)),
                             certify=certify)
    r_wide = jacobian_rank(wide_spec, wide_point, generic_inputs(wide_spec, 2 * num_params(wide_spec)),
                           certify=certify)
    bound = mlp.narrow_bound(narrow_spec).value
    holds = None not in (r_wide.rank, r_narrow.rank) and r_wide.rank <= r_narrow.rank <= bound
    if strict:
        holds = holds and r_narrow.rank < bound
    detail = (
        f"{mode} embedding into widths {'-'.join(map(str, wide_spec['widths']))}: R_wide {r_wide.rank} "
        f"({r_wide.certainty}), R_narrow {r_narrow.rank} ({r_narrow.certainty}), M_narrow {bound}, "
        f"M_wide {num_params(wide_spec)}"
    )
    return Measurement(r_wide.rank, _weaker(r_wide.certainty, r_narrow.certainty), detail, conditions=holds)


def _claim(claim_id, statement, narrow, wide, mode, point=random_point, attained=True, strict=False,
           full_only=False):
    bound = mlp.narrow_bound(parse_spec(narrow))
    if strict:
        predicted = partial(duplicated_rank, narrow)
    else:
        predicted = lambda: bound.value
    return Claim(
        claim_id, statement, SOURCE, predicted,
        partial(measure_embedding, narrow, wide, mode, point, attained, strict, not full_only),
        required_certainty="float64-gap", full_only=full_only,
        comparison="==" if attained or strict else "<=",
    )


def duplicated_rank(narrow: str) -> int:
    """Rank at a generic point whose first-layer neuron 1 copies neuron 0: ``M_narrow - m_2``.

    The two copies feed the second layer the same function ``h``, so the
    derivatives along ``W2[:, 0]`` and ``W2[:, 1]`` coincide (``m_2`` directions
    lost); the first-layer weights of the copies stay independent because they
    are weighted by different columns of ``W2`` (derived in docs/theory.md
    section 2.4).

    Examples
    --------
    >>> duplicated_rank("mlp:d=3,widths=2-2")
    10
    """
    spec = parse_spec(narrow)
    return mlp.narrow_bound(spec).value - spec["widths"][1]


CLAIMS = [
    _claim(
        f"deep.two-layer-attained-bias{b}-{mode}",
        f"two-layer tanh (bias={b}) width 2 embedded in width 5 ({mode}): rank equals M_narrow = {2 * (3 + 1 + b)}",
        f"mlp:d=3,widths=2,bias={b}", f"mlp:d=3,widths=5,bias={b}", mode,
    )
    for b in (0, 1)
    for mode in ("zero", "split")
] + [
    _claim(
        f"deep.chain-d{d}-L{L}-bias{b}-{mode}",
        f"{L - 1} hidden layers of width 1, d={d}, bias={b}, embedded ({mode}): rank equals M_narrow"
        + (" = d + L - 1" if not b else " = d + L - 1 + (L - 1)"),
        f"mlp:d={d},widths={'-'.join(['1'] * (L - 1))},bias={b}",
        f"mlp:d={d},widths={'-'.join(['3'] * (L - 1))},bias={b}", mode,
    )
    for d, L, b, mode in [(3, 3, 0, "zero"), (2, 4, 0, "split"), (4, 2, 0, "split"), (2, 3, 1, "zero")]
] + [
    _claim(
        f"deep.bound-bias{b}-{mode}",
        f"deep narrow widths 2-2 (bias={b}) into 4-3 ({mode}): R_wide <= R_narrow <= M_narrow",
        f"mlp:d=3,widths=2-2,bias={b}", f"mlp:d=3,widths=4-3,bias={b}", mode, attained=False,
    )
    for b, mode in [(0, "split"), (1, "zero")]
] + [
    _claim(
        "deep.bound-below-generic",
        "a narrow point with a duplicated first-layer neuron (below the generic stratum): "
        "R_wide = R_narrow = M_narrow - m_2 = 10 < M_narrow = 12",
        "mlp:d=3,widths=2-2", "mlp:d=3,widths=4-4", "split", point=_duplicated_first_layer, attained=False,
        strict=True,
    ),
] + [
    _claim(
        f"deep.large-three-layer-bias{b}",
        f"d=5, narrow widths 3-3-2 into 8-8-8 (bias={b}): R_wide <= R_narrow <= M_narrow",
        f"mlp:d=5,widths=3-3-2,bias={b}", f"mlp:d=5,widths=8-8-8,bias={b}", "split",
        attained=False, full_only=True,
    )
    for b in (0, 1)
] + [
    _claim(
        f"deep.large-two-layer-attained-bias{b}",
        f"two-layer tanh d=8 (bias={b}), width 6 into width 20: rank equals M_narrow",
        f"mlp:d=8,widths=6,bias={b}", f"mlp:d=8,widths=20,bias={b}", "split", full_only=True,
    )
    for b in (0, 1)
]
"""Every deep-network claim; large sizes only with ``--full``."""
