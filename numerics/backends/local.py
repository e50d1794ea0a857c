"""Proven model-rank bounds for a sum of small models on distinct input sets.

Some models are a sum ``f(x) = sum_G f_G(x[S_G]; theta_G)`` of small models
that own disjoint blocks of parameters and read distinct sets ``S_G`` of input
coordinates: a locally connected layer is a one-hidden-layer model on each
patch (the family's ``local_groups``, for example
:func:`rankstrat.numerics.families.cnn.local_groups`). The gradient functions
of ``f`` are then those of the groups, and two proven bounds follow.

*Upper bound.* The span of all gradient functions is the sum of the groups'
spans, so the model rank is at most the sum of the groups' proven upper bounds.

*Lower bound, by finite differences.* For a set ``T`` of input coordinates
and a step ``h``, the mixed difference
``D_T g(x) = sum_{e in {0,1}^T} (-1)^{|T| - |e|} g(x + h e)`` is a linear
combination of values of ``g``, and ``D_T g = 0`` for every ``g`` that does
not depend on all the coordinates in ``T``. Order the groups by decreasing
``|S_G|`` and give each a *key* ``T_G`` inside ``S_G`` that lies in no later
group's ``S``. If ``sum_G g_G = 0`` with ``g_G`` in group ``G``'s span, then
``D_{T_G}`` applied to the sum leaves only the groups up to ``G``; taking the
groups in order, the earlier ones already vanish and ``D_{T_G} g_G = 0``.
Hence if ``r_G`` is a proven lower bound of the rank of the matrix
``[D_{T_G} dg_G/dtheta_j (x_b)]`` over base points ``x_b``, the groups
contribute independent subspaces of dimensions ``>= r_G`` and the model rank
at the point is ``>= sum_G r_G``. Each matrix is built in rigorous float64
balls (:class:`~rankstrat.numerics.backends.rings.Ball`) and its rank proven by
:func:`~rankstrat.numerics.backends.verified.verified_rank_lower`.

These are bounds of the *model* rank (over all inputs): the differences use
inputs of their own, so they say nothing about the rank at a given finite
input set. For a locally connected layer taken in row order each key is one
pixel (the patch's top-left corner, in no later patch): two evaluations per
base point; a 28 x 28 layer (6760 parameters) takes a few seconds.

Examples
--------
>>> from rankstrat.theory.spec import parse_spec
>>> from rankstrat.numerics.model.points import flat_point, random_point
>>> spec = parse_spec("cnn1d:d=6,s=3,k=1,share=0")
>>> local_bounds(spec, flat_point(spec, random_point(spec))).interval
'[16, 16]'
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from rankstrat.numerics.backends.rings import Ball
from rankstrat.numerics.families import numeric_family
from rankstrat.numerics.model.points import flat_indices

MAX_KEY = 10
"""Largest key (``2^10`` evaluations per base point); a group needing more proves nothing."""
STEP = 1.0
"""Finite-difference step ``h`` (inputs are of order one)."""
SEED = 20240531
"""Seed of the base points (fixed: the proof is reproducible)."""


@dataclass
class LocalBounds:
    """Proven ``lower <= model rank <= upper`` from a sum of local groups.

    Examples
    --------
    >>> LocalBounds(4, 6, groups=2).interval
    '[4, 6]'
    """

    lower: int
    upper: int
    groups: int = 0
    failed: list = field(default_factory=list)

    @property
    def interval(self) -> str:
        return f"[{self.lower}, {self.upper}]"


def has_local_groups(spec) -> bool:
    """True when the spec's family writes the model as a sum of local groups.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> has_local_groups(parse_spec("cnn2d:d=4,s=2,k=1,share=0")), has_local_groups(parse_spec("cnn2d:d=4,s=2,k=1"))
    (True, False)
    """
    family = numeric_family(spec)
    return hasattr(family, "local_groups") and bool(family.local_groups(spec, flat_indices(spec))[1])


def difference_keys(supports: list) -> list:
    """A key for each support (in the given order): a subset of it that lies in
    no later support, chosen greedily; None when there is none (a later
    support contains this one) or it exceeds :data:`MAX_KEY`.

    Parameters
    ----------
    supports : list of sets
        Input coordinates of each group, in processing order.

    Returns
    -------
    list of tuple or None

    Examples
    --------
    >>> difference_keys([{0, 1}, {1, 2}, {2, 3}])
    [(0,), (1,), ()]
    >>> difference_keys([{0, 1, 3, 4}, {1, 2, 4, 5}, {3, 4, 6, 7}, {4, 5, 7, 8}])   # 2x2 patches of 3x3
    [(0,), (1,), (3,), ()]
    >>> difference_keys([{0}, {0, 1}])
    [None, ()]
    """
    keys = []
    for position, support in enumerate(supports):
        later = list(supports[position + 1:])
        key: list = []
        while later:
            counts = {u: sum(u not in other for other in later) for u in sorted(support) if u not in key}
            best = max(counts, key=lambda u: (counts[u], -u), default=None)
            if best is None or counts[best] == 0 or len(key) == MAX_KEY:
                key = None
                break
            key.append(best)
            later = [other for other in later if best in other]
        keys.append(None if key is None else tuple(sorted(key)))
    return keys


def _differenced(jacobian: Ball, base: int, key_size: int) -> Ball:
    """Mixed differences over the ``2^key_size`` corners of each base point:
    rows ``(b, corner)`` with corner bits in the order of :func:`_corners`."""
    mid = jacobian.mid.reshape((base,) + (2,) * key_size + (-1,))
    rad = jacobian.rad.reshape(mid.shape)
    out = Ball(mid, rad)
    for axis in range(key_size, 0, -1):
        high = Ball(np.take(out.mid, 1, axis=axis), np.take(out.rad, 1, axis=axis))
        low = Ball(np.take(out.mid, 0, axis=axis), np.take(out.rad, 0, axis=axis))
        out = high - low
    return out


def _corners(key_size: int) -> np.ndarray:
    """``(2^t, t)`` array of corner bits, first bit slowest (C order)."""
    return np.array(list(itertools.product((0.0, 1.0), repeat=key_size))).reshape(2**key_size, key_size)


def _proven_rank(D: Ball) -> int | None:
    """The largest candidate rank of a ball matrix that
    :func:`~rankstrat.numerics.backends.verified.verified_rank_lower` proves
    (candidates: the counts of singular values of the midpoints above
    ``1e-12``, ``1e-8`` and ``1e-4`` of the largest); 0 when none is; None
    when an entry is not finite."""
    from rankstrat.numerics.backends.verified import verified_rank_lower

    if not (np.all(np.isfinite(D.mid)) and np.all(np.isfinite(D.rad))):
        return None
    values = np.linalg.svd(D.mid, compute_uv=False)
    if not len(values) or values[0] == 0:
        return 0
    for candidate in sorted({int(np.sum(values > cut * values[0])) for cut in (1e-12, 1e-8, 1e-4)}, reverse=True):
        if verified_rank_lower(D.mid, D.rad, candidate):
            return candidate
    return 0


def local_bounds(spec, theta, base_points: int | None = None, lower: bool = True) -> LocalBounds:
    """Proven bounds of the model rank at ``theta`` for a sum of local groups
    (module docstring); ``LocalBounds(0, M)`` when the family has none.

    Parameters
    ----------
    spec : Spec
    theta : array (M,)
    base_points : int, optional
        Base points per group; default twice the group's parameter count.
    lower : bool
        Prove the lower bound (False: only the upper bound, no differences).

    Returns
    -------
    LocalBounds

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import flat_point, random_point
    >>> spec = parse_spec("cnn2d:d=5,s=2,k=2,share=0,bias=1")
    >>> b = local_bounds(spec, flat_point(spec, random_point(spec)))
    >>> b.interval, b.groups, b.failed
    ('[192, 192]', 16, [])
    """
    from rankstrat.numerics.backends.forward import dual_jacobian
    from rankstrat.numerics.backends.upper import upper_bounds
    from rankstrat.theory.spec import parse_spec

    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    M = len(theta)
    family = numeric_family(spec)
    if not hasattr(family, "local_groups"):
        return LocalBounds(0, M)
    unit_text, groups = family.local_groups(spec, flat_indices(spec))
    if not groups:
        return LocalBounds(0, M)
    unit = parse_spec(unit_text)
    owned = np.concatenate([params for _, params in groups])
    if len(owned) != M or len(np.unique(owned)) != M:
        raise ValueError(f"{spec}: the local groups must own every parameter exactly once")
    order = sorted(range(len(groups)), key=lambda g: -len(groups[g][0]))
    keys = difference_keys([set(groups[g][0].tolist()) for g in order])
    size = len(groups[0][1])
    count = 2 * size if base_points is None else int(base_points)
    rng = np.random.default_rng(SEED)
    upper = 0
    rows_theta, rows_x, blocks, offset = [], [], [], 0
    for g, key in zip(order, keys):
        inputs, params = groups[g]
        theta_g = theta[params]
        upper += min(bound for bound, method in upper_bounds(unit, theta_g, size) if not method.startswith("number"))
        if not lower:
            continue
        if key is None:
            blocks.append(None)
            continue
        corners = _corners(len(key))
        base = rng.standard_normal((count, len(inputs)))
        X = np.repeat(base, len(corners), axis=0)
        columns = [list(inputs).index(u) for u in key]
        X[:, columns] += STEP * np.tile(corners, (count, 1))
        blocks.append((offset, len(X), len(key)))
        offset += len(X)
        rows_x.append(X)
        rows_theta.append(np.broadcast_to(theta_g, (len(X), size)))
    with np.errstate(all="ignore"):  # overflow gives non-finite balls: those groups prove nothing
        J = dual_jacobian(unit, np.concatenate(rows_theta), np.concatenate(rows_x), "ball") if rows_x else None
        return _add_groups(order, blocks, J, count, LocalBounds(0, min(upper, M), len(groups)))


def _add_groups(order: list, blocks: list, J, count: int, out: LocalBounds) -> LocalBounds:
    """Prove each group's differenced rank (:func:`local_bounds`) and add them up."""
    for g, block in zip(order, blocks):
        if block is None:
            out.failed.append(f"group {g}: no key of at most {MAX_KEY} inputs separates it from later groups")
            continue
        start, length, key_size = block
        D = _differenced(Ball(J.mid[start:start + length], J.rad[start:start + length]), count, key_size)
        proven = _proven_rank(D)
        if proven is None:
            out.failed.append(f"group {g}: the ball Jacobian is not finite (overflow)")
        elif proven:
            out.lower += proven
        else:
            out.failed.append(f"group {g}: no rank of the differenced Jacobian is proven")
    return out
