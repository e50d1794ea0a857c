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

from theory.closed_form import SIZE_SYMBOLS, ClosedForm
from theory.errors import SpecError
from theory.spec import Key

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
    >>> from theory.spec import parse_spec
    >>> validate(parse_spec("mf:n1=2,k=2,n2=2"))
    """


def factor_names(spec) -> list[str]:
    """Names of the factors, left to right.

    Examples
    --------
    >>> from theory.spec import parse_spec
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
    >>> from theory.spec import parse_spec
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
    >>> from theory.spec import parse_spec
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
    >>> from theory.spec import parse_spec
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
    >>> from theory.spec import parse_spec
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
    >>> from theory.spec import parse_spec
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
    >>> from theory.spec import parse_spec
    >>> generic_rank(parse_spec("mf:n1=4,k=2,n2=5")).value
    14
    """
    return target_rank_formula(spec, min(spec["n1"], spec["k"], spec["n2"]))
