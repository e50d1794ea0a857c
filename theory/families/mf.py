"""Matrix factorization ``f = A B`` (and deep ``A1 A2 ... AL``).

The model's "input" is a pair ``x = (u, v)`` with ``u`` in R^n1 and ``v`` in
R^n2, and ``f(x) = u^T A B v``; the matrix entry ``(i, j)`` is the input
``(e_i, e_j)``. The span of the parameter gradients over all inputs is the span
over the entries, so the model rank is the rank of the Jacobian of the entries.

Parameters are named ``A`` (n1 x k) and ``B`` (k x n2) for depth 2; for depth
L > 2 they are ``A1`` (n1 x k), ``A2`` ... ``A{L-1}`` (k x k) and ``AL``
(k x n2), and ``f = A1 A2 ... AL``.
"""

from __future__ import annotations

import sympy

from rankstrat.theory.closed_form import SIZE_SYMBOLS, ClosedForm
from rankstrat.theory.errors import SpecError
from rankstrat.theory.keys import Key

NAMES = ("mf",)
"""The family names this module serves."""

KEYS = (
    Key("n1", "size", doc="rows of the product"),
    Key("k", "size", doc="inner dimension"),
    Key("n2", "size", doc="columns of the product"),
    Key("depth", "size", default=2, minimum=2, doc="number of factors L >= 2"),
)

n1, n2, k, r = (SIZE_SYMBOLS[name] for name in ("n1", "n2", "k", "r"))
SOURCE = "Zhang et al., optimistic estimate (arXiv 2307.08921), matrix factorization model"


def validate(spec) -> None:
    """Nothing beyond the key types; kept for symmetry with other families.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> validate(parse_spec("mf:n1=2,k=2,n2=2"))
    """


def factor_names(spec) -> list[str]:
    """Names of the factors, left to right.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> factor_names(parse_spec("mf:n1=2,k=2,n2=2"))
    ['A', 'B']
    >>> factor_names(parse_spec("mf:n1=2,k=2,n2=2,depth=3"))
    ['A1', 'A2', 'A3']
    """
    depth = spec["depth"]
    return ["A", "B"] if depth == 2 else [f"A{i}" for i in range(1, depth + 1)]


def param_shapes(spec) -> dict:
    """Ordered ``{name: shape}`` of the factors.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> param_shapes(parse_spec("mf:n1=2,k=3,n2=4"))
    {'A': (2, 3), 'B': (3, 4)}
    """
    names = factor_names(spec)
    dims = [spec["n1"]] + [spec["k"]] * (len(names) - 1) + [spec["n2"]]
    return {name: (dims[i], dims[i + 1]) for i, name in enumerate(names)}


def input_dim(spec) -> int:
    """Length of an input ``(u, v)``: ``n1 + n2``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> input_dim(parse_spec("mf:n1=2,k=3,n2=4"))
    6
    """
    return spec["n1"] + spec["n2"]


def forward(params: dict, X, act=None):
    """``u^T A1 ... AL v`` for each row ``x = (u, v)`` of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> A, B = np.eye(2), np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> X = np.array([[0, 1, 1, 0], [1, 0, 0, 1]], dtype=float)  # entries (1,0) and (0,1)
    >>> forward({"A": A, "B": B}, X)
    array([3., 2.])
    """
    factors = list(params.values())
    n1 = factors[0].shape[0]
    left = X[:, :n1]
    for factor in factors[:-1]:
        left = left @ factor
    right = X[:, n1:] @ factors[-1].T
    return (left * right).sum(-1)


def num_params_formula(spec) -> ClosedForm:
    """Parameter count ``k (n1 + n2) + (L - 2) k^2``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> str(num_params_formula(parse_spec("mf:n1=4,k=4,n2=4")))
    'k*(n1 + n2) = 32'
    """
    L = SIZE_SYMBOLS["L"]
    expr = k * (n1 + n2) + (L - 2) * k**2
    if spec["depth"] == 2:
        expr = expr.subs(L, 2)
    return ClosedForm(expr, _sizes(spec))


def _sizes(spec, **extra) -> dict:
    return {"n1": spec["n1"], "n2": spec["n2"], "k": spec["k"], "L": spec["depth"], **extra}


def rank_at_point_formula(spec, rank_a: int, rank_b: int) -> ClosedForm:
    """Model rank at a point with ``rank A = rA`` and ``rank B = rB`` (depth 2).

    The tangent space of ``(A, B) -> A B`` is ``{dA B + A dB}``; its dimension is
    ``n1 n2 - (n1 - rA)(n2 - rB)`` (the product is the row space of ``B`` and
    column space of ``A`` spanned together).

    Parameters
    ----------
    spec : Spec
        An ``mf`` spec of depth 2.
    rank_a, rank_b : int
        Ranks of the factors at the point.

    Returns
    -------
    ClosedForm

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> str(rank_at_point_formula(parse_spec("mf:n1=4,k=4,n2=4"), 2, 1))
    'n1*n2 - (n1 - rA)*(n2 - rB) = 10'
    """
    if spec["depth"] != 2:
        raise SpecError("mf: the at-a-point formula is stated for depth 2")
    if not (0 <= rank_a <= min(spec["n1"], spec["k"]) and 0 <= rank_b <= min(spec["k"], spec["n2"])):
        raise SpecError(f"mf: factor ranks ({rank_a}, {rank_b}) impossible for {spec}")
    rA, rB = SIZE_SYMBOLS["rA"], SIZE_SYMBOLS["rB"]
    return ClosedForm(
        n1 * n2 - (n1 - rA) * (n2 - rB),
        _sizes(spec, rA=rank_a, rB=rank_b),
        source=SOURCE + ", rank at a point",
    )


def target_rank_formula(spec, target_rank: int) -> ClosedForm:
    """Model rank (optimistic sample size) of a rank-``r`` target: ``r (n1 + n2 - r)``.

    Requires ``r <= min(n1, k, n2)``; it is the dimension of the manifold of
    rank-``r`` matrices, reached at any factorization with ``rank A = rank B = r``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> [target_rank_formula(parse_spec("mf:n1=4,k=4,n2=4"), r).value for r in range(1, 5)]
    [7, 12, 15, 16]
    """
    limit = min(spec["n1"], spec["k"], spec["n2"])
    if not 0 <= target_rank <= limit:
        raise SpecError(
            f"mf: target rank must be between 0 and min(n1, k, n2) = {limit}, got {target_rank}"
        )
    return ClosedForm(
        r * (n1 + n2 - r), _sizes(spec, r=target_rank), source=SOURCE + ", rank-r target"
    )


def generic_rank(spec) -> ClosedForm:
    """Generic model rank: the rank-``min(n1, k, n2)`` stratum, any depth.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> generic_rank(parse_spec("mf:n1=4,k=2,n2=5")).value
    14
    """
    return target_rank_formula(spec, min(spec["n1"], spec["k"], spec["n2"]))


STRATA_NOTE = (
    "depth 2: strata by (rank A, rank B), complete; depth L > 2: the rank at a point "
    "follows from the ranks of the partial products (rank_at_point_from_products), "
    "stratum dimensions are not stated"
)


def strata(spec) -> list:
    """Strata of the depth-2 factorization, by ``(rank A, rank B)``.

    The set of ``n x k`` matrices of rank ``r`` has dimension ``r (n + k - r)``,
    so the stratum has dimension ``rA (n1 + k - rA) + rB (k + n2 - rB)`` and
    model rank ``n1 n2 - (n1 - rA)(n2 - rB)``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> [(s.labels["rA"], s.labels["rB"], s.rank.value) for s in strata(parse_spec("mf:n1=2,k=1,n2=3"))]
    [(0, 0, 0), (0, 1, 2), (1, 0, 3), (1, 1, 4)]
    """
    from rankstrat.theory.rank.stratum import Stratum

    if spec["depth"] != 2:
        return []
    rA, rB = SIZE_SYMBOLS["rA"], SIZE_SYMBOLS["rB"]
    dimension = rA * (n1 + k - rA) + rB * (k + n2 - rB)
    out = []
    for ra in range(min(spec["n1"], spec["k"]) + 1):
        for rb in range(min(spec["k"], spec["n2"]) + 1):
            sizes = _sizes(spec, rA=ra, rB=rb)
            out.append(
                Stratum(
                    f"rank A = {ra}, rank B = {rb}",
                    {"rA": ra, "rB": rb},
                    ClosedForm(dimension, sizes, source="dimension of fixed-rank matrices"),
                    rank_at_point_formula(spec, ra, rb),
                )
            )
    return out


def rank_at_point_from_products(spec, left_ranks, right_ranks) -> ClosedForm:
    """Model rank of ``A1 ... AL`` at a point, from the ranks of its partial products.

    Derivation (ours). The tangent space is ``sum_j P_j dA_j S_j`` with
    ``P_j = A1 ... A(j-1)`` and ``S_j = A(j+1) ... AL``; the j-th term is
    ``U_j (x) V_j`` with ``U_j`` the column space of ``P_j`` and ``V_j`` the row
    space of ``S_j``. The ``U_j`` decrease and the ``V_j`` increase with ``j``,
    so splitting ``R^n1`` along the ``U`` chain gives
    ``R = sum_j (u_j - u_(j+1)) v_j``, with ``u_1 = n1``,
    ``u_j = rank(A1 ... A(j-1))``, ``u_(L+1) = 0``, ``v_j = rank(A(j+1) ... AL)``
    and ``v_L = n2``. For L = 2 this is ``n1 n2 - (n1 - rA)(n2 - rB)``.

    Parameters
    ----------
    spec : Spec
        An ``mf`` spec of depth L.
    left_ranks : sequence of int
        ``rank(A1 ... Aj)`` for ``j = 1 .. L-1``.
    right_ranks : sequence of int
        ``rank(A(j+1) ... AL)`` for ``j = 1 .. L-1``.

    Returns
    -------
    ClosedForm

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("mf:n1=4,k=4,n2=4")
    >>> rank_at_point_from_products(spec, [2], [1]).value == rank_at_point_formula(spec, 2, 1).value
    True
    >>> deep = parse_spec("mf:n1=3,k=3,n2=3,depth=3")
    >>> rank_at_point_from_products(deep, [3, 1], [1, 3]).value  # A2 of rank 1 between invertible factors
    9
    >>> rank_at_point_from_products(deep, [1, 1], [1, 1]).value  # every factor of rank 1
    5
    """
    L = spec["depth"]
    if len(left_ranks) != L - 1 or len(right_ranks) != L - 1:
        raise SpecError(f"mf: depth {L} needs {L - 1} left and {L - 1} right partial-product ranks")
    u = [spec["n1"], *left_ranks, 0]
    v = [*right_ranks, spec["n2"]]
    us = sympy.symbols(f"u1:{L + 2}")
    vs = sympy.symbols(f"v1:{L + 1}")
    expr = sum((us[j] - us[j + 1]) * vs[j] for j in range(L))
    sizes = {**{str(s): val for s, val in zip(us, u)}, **{str(s): val for s, val in zip(vs, v)}}
    return ClosedForm(expr, sizes, source="derived: nested tangent subspaces of the product map")
