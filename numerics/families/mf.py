"""Matrix factorization, numerically: points of a given factor rank, rank-R targets, strata."""

from __future__ import annotations

import numpy as np

from rankstrat.numerics.model.stratum_points import Parametrization, exact_low_rank
from rankstrat.numerics.model.targets import Target, count_value
from rankstrat.theory.errors import InputError
from rankstrat.theory.spec import Spec


def mf_point(spec: Spec, rank_a: int, rank_b: int, seed: int = 0) -> dict:
    """Random ``A`` (n1 x k) of rank ``rank_a`` and ``B`` (k x n2) of rank ``rank_b``.

    Parameters
    ----------
    spec : Spec
        An ``mf`` spec of depth 2.
    rank_a, rank_b : int
    seed : int

    Returns
    -------
    dict

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> p = mf_point(parse_spec("mf:n1=4,k=4,n2=4"), 2, 3)
    >>> int(np.linalg.matrix_rank(p["A"])), int(np.linalg.matrix_rank(p["B"]))
    (2, 3)
    """
    if spec.family != "mf" or spec["depth"] != 2:
        raise InputError(f"mf_point needs an mf spec of depth 2, got {spec}")
    n1, k, n2 = spec["n1"], spec["k"], spec["n2"]
    if not (0 <= rank_a <= min(n1, k) and 0 <= rank_b <= min(k, n2)):
        raise InputError(f"factor ranks ({rank_a}, {rank_b}) impossible for {spec}")
    return mf_parametrization(spec, rank_a, rank_b).sample(seed)


def mf_target_point(spec: Spec, target_rank: int, seed: int = 0) -> dict:
    """A factorization of a random rank-``r`` target with ``rank A = rank B = r``.

    Works at any depth: the inner factors are random rank-``r`` square
    matrices.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> p = mf_target_point(parse_spec("mf:n1=4,k=4,n2=4,depth=3"), 2)
    >>> int(np.linalg.matrix_rank(p["A1"] @ p["A2"] @ p["A3"]))
    2
    """
    from rankstrat.theory.model.symbolic import param_shapes

    rng = np.random.default_rng(seed)
    shapes = param_shapes(spec)
    limit = min(spec["n1"], spec["k"], spec["n2"])
    if not 0 <= target_rank <= limit:
        raise InputError(f"target rank must be between 0 and {limit}, got {target_rank}")
    return {name: exact_low_rank(rng, rows, cols, target_rank) for name, (rows, cols) in shapes.items()}


def mf_parametrization(spec: Spec, rank_a: int, rank_b: int) -> Parametrization:
    """``(L_A, R_A, L_B, R_B) -> (A, B) = (L_A R_A, L_B R_B)``: onto the stratum
    ``rank A = rA, rank B = rB`` of the depth-2 factorization.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> param = mf_parametrization(parse_spec("mf:n1=3,k=2,n2=3"), 1, 2)
    >>> param.dimension, int(np.linalg.matrix_rank(param.sample(1)["A"]))  # 15 free values, a 10-dim image
    (15, 1)
    """
    n1, k, n2 = spec["n1"], spec["k"], spec["n2"]
    shapes = [(n1, rank_a), (rank_a, k), (k, rank_b), (rank_b, n2)]
    sizes = [r * c for r, c in shapes]

    def build(z):
        parts, start = [], 0
        for (r, c), size in zip(shapes, sizes):
            parts.append(np.asarray(z[start : start + size], dtype=float).reshape(r, c))
            start += size
        return {"A": parts[0] @ parts[1], "B": parts[2] @ parts[3]}

    return Parametrization(sum(sizes), build)


def rank_target(spec: Spec, value: str, seed: int = 0) -> Target:
    """``--target rank=R``: a random rank-``R`` product with ``rank A_i = R``,
    closed form ``R (n1 + n2 - R)``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> rank_target(parse_spec("mf:n1=4,k=4,n2=4"), "2").closed_form.value
    12
    """
    from rankstrat.theory.families import mf

    count = count_value("rank", value, spec.family)
    limit = min(spec["n1"], spec["k"], spec["n2"])
    if count > limit:
        raise InputError(f"--target: rank={count} exceeds min(n1, k, n2) = {limit}")
    return Target(mf_target_point(spec, count, seed), f"rank={count}", mf.target_rank_formula(spec, count))


TARGETS = {"rank": ("rank=R", rank_target)}
"""Structural targets: key -> (how it is written, builder)."""


def stratum_parametrization(spec: Spec, labels: dict) -> Parametrization:
    """The stratum ``rank A = rA, rank B = rB`` (:func:`rankstrat.theory.families.mf.strata`).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> stratum_parametrization(parse_spec("mf:n1=3,k=2,n2=3"), {"rA": 1, "rB": 2}).dimension
    15
    """
    return mf_parametrization(spec, labels["rA"], labels["rB"])


def kernel_vectors(spec, index: dict) -> list:
    """Kernel vectors of the Jacobian at every point, from the scaling symmetry.

    ``f = u^T A1 ... AL v`` is unchanged by ``A_i -> A_i G``,
    ``A_(i+1) -> G^-1 A_(i+1)``; the derivative at ``G = I + t E_pq`` is
    ``(A_i E_pq, -E_pq A_(i+1))``, in the kernel for every input. Each vector is a
    list of ``(target index, integer coefficient, source index)``: entry
    ``target`` equals ``coefficient * theta[source]``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import flat_indices
    >>> spec = parse_spec("mf:n1=2,k=2,n2=2")
    >>> vectors = kernel_vectors(spec, flat_indices(spec))
    >>> len(vectors), vectors[0]
    (4, [(0, 1, 0), (2, 1, 2), (4, -1, 4), (5, -1, 5)])
    """
    names = list(index)
    out = []
    for left, right in zip(names[:-1], names[1:]):
        A, B = index[left], index[right]
        for p in range(A.shape[1]):
            for q in range(A.shape[1]):
                vector = [(int(A[r, q]), 1, int(A[r, p])) for r in range(A.shape[0])]
                vector += [(int(B[p, c]), -1, int(B[q, c])) for c in range(B.shape[1])]
                out.append(vector)
    return out
