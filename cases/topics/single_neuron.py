"""Single-neuron target learned by a width-``m`` two-layer student (docs/theory.md section 3).

- The model rank of the target inside the student is the optimistic size
  ``d + 1`` (``d + 2`` with bias), whatever ``m``: at the split point (every
  neuron on the target, output weights sharing ``a*``) and at the zero point
  (one neuron is the target, the others zero).
- ``dim Q_r = (m - r) + (r - 1) d`` (``d -> d + 1`` with bias), measured as the
  rank of an explicit, redundant parametrization of the branch at random
  points that fit the target exactly.
- The thresholds for ``m = 2`` with bias: ``d = 1``: 3, 4, 5, 6 and
  ``d = 3``: 5, 6, 9, 10 (optimistic, ``Q_2``, ``Q_1``, parameters).
"""

from functools import partial

from rankstrat.cases.claim import Claim, Measurement
from rankstrat.cases.rank_claims import rank_claim
from rankstrat.numerics.model.points import generic_inputs
from rankstrat.numerics.rank.engine import jacobian_rank
from rankstrat.numerics.rank.single_neuron_branches import measure_branch_dimension, student_spec, target_point
from rankstrat.theory.model.symbolic import num_params
from rankstrat.theory.rank import single_neuron

SOURCE = single_neuron.SOURCE
RESIDUAL_LIMIT = 1e-12
"""A parametrized branch point must fit the target to this accuracy."""


def measure_branch(width: int, branch: int, dim: int, bias: int) -> Measurement:
    """Rank of the branch parametrization at two random points; both must agree and fit.

    A consistency check: the parametrization is the theory's own description of
    ``Q_r``, so this confirms the closed form against that description, not
    against an independent measurement of the set of global minima.

    Examples
    --------
    >>> m = measure_branch(2, 2, 1, 1)
    >>> m.value, m.conditions
    (2, True)
    """
    results = [measure_branch_dimension(width, branch, dim, bias, seed) for seed in (0, 1)]
    dims = {r.dimension for r in results}
    fits = all(r.residual < RESIDUAL_LIMIT for r in results)
    clear = all(r.decision.clear for r in results)
    value = dims.pop() if len(dims) == 1 else None
    gaps = ", ".join("inf" if r.decision.gap == float("inf") else f"{r.decision.gap:.2g}" for r in results)
    detail = (
        f"consistency check (rank of the branch's own parametrization); "
        f"groups {' and '.join(str(r.group_sizes) for r in results)}; gaps {gaps}; "
        f"max residual {max(r.residual for r in results):.1e}"
    )
    return Measurement(
        value, "float64-gap" if clear else "undecided", detail,
        conditions=clear and fits,
    )


SAMPLED_GAP = 1e6
"""Least singular-value gap of the sampled set of global minima that is trusted."""


def measure_branch_sampled(width: int, dim: int, bias: int) -> Measurement:
    """``dim Q_m`` (every neuron at its own weight, the extra ones idle) measured without
    the branch's parametrization: the local dimension of the set of global minima
    around one of its points, sampled by Gauss-Newton pull-backs
    (:func:`rankstrat.numerics.rank.fiber_dimension.fiber_dimension`).

    Examples
    --------
    >>> m = measure_branch_sampled(2, 1, 1)
    >>> m.value, m.conditions
    (2, True)
    """
    import torch

    from rankstrat.numerics.rank.fiber_dimension import fiber_dimension
    from rankstrat.numerics.rank.single_neuron_branches import branch_map

    bm = branch_map(width, width, dim, bias, seed=0)
    theta = bm.theta(torch.tensor(bm.phi)).detach().numpy()
    f = fiber_dimension(bm.spec, theta)
    trusted = f.gap > SAMPLED_GAP and f.residual < RESIDUAL_LIMIT
    detail = (f"independent: local dimension of the set of global minima sampled by Gauss-Newton pull-backs "
              f"({len(theta) * 2} points at distance 1e-3); singular-value gap {f.gap:.2g}, "
              f"largest residual {f.residual:.1e}")
    return Measurement(f.dimension, "sampled" if trusted else "undecided", detail, conditions=trusted)


def _target_rank(width: int, dim: int, bias: int):
    spec = student_spec(width, dim, bias)
    point = target_point(width, dim, bias, mode="zero")
    return jacobian_rank(spec, point, generic_inputs(spec, 2 * num_params(spec)))


def measure_thresholds(dim: int, bias: int, width: int = 2) -> Measurement:
    """(model rank of the target, M - dim Q_m, ..., M - dim Q_1, M), each measured.

    Examples
    --------
    >>> measure_thresholds(1, 1).value
    (3, 4, 5, 6)
    """
    result = _target_rank(width, dim, bias)
    M = num_params(student_spec(width, dim, bias))
    branches = [measure_branch_dimension(width, r, dim, bias) for r in range(width, 0, -1)]
    values = (result.rank, *(M - b.dimension if b.dimension is not None else None for b in branches), M)
    detail = f"target rank {result.summary()}; branch dims {[b.dimension for b in branches]}; M from the shapes"
    clear = all(b.decision.clear for b in branches) and result.rank is not None
    return Measurement(values, result.certainty if clear else "undecided", detail)


TARGET_SIZES = [(2, 1, 1), (2, 3, 1), (3, 2, 0), (5, 3, 0), (4, 2, 1)]
BRANCH_SIZES = [(2, 1, 1), (2, 3, 1), (3, 2, 0), (4, 3, 0), (3, 2, 1)]

CLAIMS = [
    rank_claim(
        f"single_neuron.target-{mode}-m{m}-d{d}-bias{b}",
        f"single-neuron target in a width-{m} student ({mode} point), d={d}, bias={b}: "
        f"model rank = optimistic size d + 1{' + 1' if b else ''}",
        SOURCE + ", optimistic size",
        student_spec(m, d, b),
        lambda spec, d=d, b=b: single_neuron.optimistic_size(d, b).value,
        point=lambda spec, m=m, d=d, b=b, mode=mode: target_point(m, d, b, mode=mode),
        required_certainty="certified-lower-bound",
    )
    for m, d, b in TARGET_SIZES
    for mode in ("split", "zero")
] + [
    Claim(
        f"single_neuron.branch-m{m}-r{r}-d{d}-bias{b}",
        f"branch Q_{r} of a width-{m} student, d={d}, bias={b}: dim = (m - r) + (r - 1) d"
        + (" with d -> d + 1" if b else "") + " (consistency check against its parametrization)",
        SOURCE + ", branches Q_r",
        lambda m=m, r=r, d=d, b=b: single_neuron.branch_dimension(m, r, d, b).value,
        partial(measure_branch, m, r, d, b),
        required_certainty="float64-gap",
    )
    for m, d, b in BRANCH_SIZES
    for r in range(1, m + 1)
] + [
    Claim(
        f"single_neuron.branch-sampled-m{m}-r{m}-d{d}-bias{b}",
        f"branch Q_{m} of a width-{m} student, d={d}, bias={b}: dim = (m - r) + (r - 1) d"
        + (" with d -> d + 1" if b else "") + ", measured independently of its parametrization",
        SOURCE + ", branches Q_r",
        lambda m=m, d=d, b=b: single_neuron.branch_dimension(m, m, d, b).value,
        partial(measure_branch_sampled, m, d, b),
    )
    for m, d, b in BRANCH_SIZES
] + [
    Claim(
        f"single_neuron.thresholds-m2-d{d}-bias1",
        f"m=2, d={d}, with bias: optimistic, Q_2, Q_1 and parameter count are {expected}",
        SOURCE + ", sample-size thresholds",
        lambda d=d: tuple(single_neuron.sample_size_thresholds(2, d, 1).values()),
        partial(measure_thresholds, d, 1),
        required_certainty="certified-lower-bound",
    )
    for d, expected in [(1, "3, 4, 5, 6"), (3, "5, 6, 9, 10")]
] + [
    rank_claim(
        f"single_neuron.target-split-m{m}-d{d}-bias{b}-large",
        f"single-neuron target in a width-{m} student, d={d}, bias={b}: model rank = optimistic size",
        SOURCE + ", optimistic size",
        student_spec(m, d, b),
        lambda spec, d=d, b=b: single_neuron.optimistic_size(d, b).value,
        point=lambda spec, m=m, d=d, b=b: target_point(m, d, b, mode="split"),
        full_only=True,
    )
    for m, d, b in [(20, 10, 1), (40, 5, 0)]
]
"""Every single-neuron claim; large widths only with ``--full``."""
