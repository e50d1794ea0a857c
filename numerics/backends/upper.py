"""Proven upper bounds of the Jacobian rank, at any size.

- *Trivial bounds*, always: the parameter count ``M``, the number of inputs
  ``n``, and for polynomial models the number of monomials that can occur in
  ``f(x; theta)`` as a polynomial in ``x`` (every column of the Jacobian is a
  polynomial in ``x`` with the same support). The support is computed by the
  family's forward map on :class:`Support`, a ring of monomial sets: the
  support of a sum is inside the union, of a product inside the pairwise
  products; for ``mf`` it gives ``n1 n2``.
- *Structural kernel vectors*, proven once per pattern and instantiated at
  any size by the family's numerics module: ``kernel_vectors(spec, index)``
  (the scaling symmetry of factorizations) or ``neuron_units(spec, index)``
  (the homogeneity of ``powP`` neurons: incoming weights times ``c``,
  outgoing times ``c^-P``). The vectors have exact entries (integer multiples
  of the point's coordinates); the rank of their span modulo ``2^31 - 1`` is
  at most its rank over the rationals, so ``M - rank_p`` is a proven upper
  bound of the Jacobian rank at the point.
- *Kernel vectors of degenerate points* (:mod:`rankstrat.numerics.backends.degenerate`):
  duplicate units (up to the activation's sign symmetry) and zero units,
  found by exact equality of the point's coordinates, spanned together with
  the structural ones.
"""

from __future__ import annotations

import numpy as np

from rankstrat.numerics.backends.degenerate import degenerate_vectors
from rankstrat.numerics.backends.modular import rank_mod_p
from rankstrat.numerics.backends.rings import PRIME, mod_from_float
from rankstrat.numerics.families import numeric_family
from rankstrat.numerics.model.points import flat_indices
from rankstrat.theory.model.symbolic import family_forward, param_shapes
from rankstrat.theory.spec import Spec

MAX_SPAN_ENTRIES = 50_000_000
"""Largest dense residue matrix formed for one connected block of kernel vectors
(a larger block keeps only its first rows: a smaller, still proven, span)."""
MAX_SUPPORT = 20_000
"""Largest monomial set tracked by :class:`Support` (larger gives no bound)."""


class SupportTooLarge(Exception):
    """A monomial set outgrew :data:`MAX_SUPPORT`."""


class Support:
    """A superset of the monomials (sorted tuples of input indices) of a polynomial.

    Examples
    --------
    >>> x, y, c = Support({(0,)}), Support({(1,)}), Support({()})
    >>> sorted(((x + c) * (y + c)).monomials)
    [(), (0,), (0, 1), (1,)]
    """

    __slots__ = ("monomials",)

    def __init__(self, monomials):
        self.monomials = frozenset(monomials)

    def __add__(self, other):
        if isinstance(other, int) and other == 0:
            return self
        return Support(self.monomials | other.monomials)

    __radd__ = __add__
    __sub__ = __add__

    def __neg__(self):
        return self

    def __mul__(self, other):
        if len(self.monomials) * len(other.monomials) > 50 * MAX_SUPPORT:
            raise SupportTooLarge()
        out = {tuple(sorted(a + b)) for a in self.monomials for b in other.monomials}
        if len(out) > MAX_SUPPORT:
            raise SupportTooLarge()
        return Support(out)

    def __pow__(self, power: int):
        out = self
        for _ in range(power - 1):
            out = out * self
        return out


def monomial_bound(spec: Spec) -> int | None:
    """Number of monomials of ``f(x; theta)`` in ``x`` (polynomial models), else None.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> monomial_bound(parse_spec("mf:n1=3,k=1,n2=4"))
    12
    >>> monomial_bound(parse_spec("twolayer:d=3,k=9,act=pow2"))  # x_i x_j: 3 + 1 choose 2
    6
    >>> monomial_bound(parse_spec("twolayer:d=3,k=9")) is None
    True
    """
    if not spec.polynomial:
        return None
    shapes = param_shapes(spec)
    params = {name: np.full(shape, Support({()}), dtype=object) for name, shape in shapes.items()}
    for array in params.values():
        for position in np.ndindex(*array.shape):
            array[position] = Support({()})
    dim = spec.module.input_dim(spec)
    X = np.empty((1, dim), dtype=object)
    for column in range(dim):
        X[0, column] = Support({(column,)})
    act = spec.activation
    elementwise = np.vectorize(lambda s: s**act.degree, otypes=[object]) if act else None
    try:
        out = family_forward(spec)(params, X, elementwise)
    except SupportTooLarge:
        return None
    return len(out[0].monomials)


def structural_vectors(spec: Spec) -> tuple[list, str]:
    """The family's kernel-vector patterns for ``spec`` and their name.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> vectors, kind = structural_vectors(parse_spec("twolayer:d=2,k=3,act=pow3"))
    >>> len(vectors), kind, vectors[0]
    (3, 'homogeneity', [(0, 1, 0), (1, 1, 1), (6, -3, 6)])
    """
    family = numeric_family(spec)
    index = flat_indices(spec)
    if hasattr(family, "kernel_vectors"):
        return family.kernel_vectors(spec, index), "scaling"
    act = spec.activation
    if hasattr(family, "neuron_units") and act is not None and act.polynomial:
        P = act.degree
        units = family.neuron_units(spec, index)
        return [[(j, 1, j) for j in inc] + [(j, -P, j) for j in out] for inc, out in units], "homogeneity"
    return [], ""


def span_rank(vectors, theta, uncut: int = 0) -> tuple[int, bool]:
    """A proven lower bound of the dimension of the span of exact vectors at ``theta``.

    Each vector is a list of ``(target, coefficient, source)``: entry
    ``target`` gains ``coefficient * theta[source]``, or ``coefficient`` when
    ``source`` is None. The rank is taken modulo ``2^31 - 1`` (at most the
    rank over the rationals): the columns of unit vectors ``e[t]`` count one
    each and are removed from the others (exact), then the other vectors are
    split into blocks that share no column (the rank is the sum over blocks);
    a block larger than :data:`MAX_SPAN_ENTRIES` keeps only its first rows,
    and always the first ``uncut`` vectors.

    Returns
    -------
    (int, bool)
        The rank, and True when some block was cut.

    Examples
    --------
    >>> theta = np.array([2.0, 3.0, 0.5])
    >>> span_rank([[(0, 1, None)], [(0, 1, 1), (1, 1, None)], [(1, 2, None)], [(2, 1, 2), (1, -1, 2)]], theta)
    (3, False)
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    residues = mod_from_float(np.asarray(theta, dtype=np.float64).reshape(-1))
    units = {int(v[0][0]) for v in vectors if len(v) == 1 and v[0][2] is None and v[0][1] % PRIME}
    entries = [(r, int(t), c, -1 if s is None else int(s)) for r, v in enumerate(vectors) for t, c, s in v
               if int(t) not in units]
    if not entries:
        return len(units), False
    row, target, coefficient, source = (np.array(column, dtype=np.int64) for column in zip(*entries))
    factor = np.where(source >= 0, residues[np.maximum(source, 0)], 1)
    value = np.mod(np.mod(coefficient, PRIME) * factor, PRIME)
    rows, row = np.unique(row, return_inverse=True)
    columns, column = np.unique(target, return_inverse=True)
    n_rows, n_cols = len(rows), len(columns)
    graph = coo_matrix((np.ones(len(row)), (row, n_rows + column)), shape=(n_rows + n_cols,) * 2)
    _, label = connected_components(graph, directed=False)
    rank, cut = len(units), False
    order = np.argsort(label[row], kind="stable")
    bounds = np.flatnonzero(np.diff(label[row][order])) + 1
    for block in np.split(order, bounds):
        block_rows, local_row = np.unique(row[block], return_inverse=True)
        block_cols, local_col = np.unique(column[block], return_inverse=True)
        keep = len(block_rows)
        if keep * len(block_cols) > MAX_SPAN_ENTRIES:
            keep = max(1, MAX_SPAN_ENTRIES // len(block_cols), int(np.searchsorted(rows[block_rows], uncut)))
            cut = cut or keep < len(block_rows)
        mask = local_row < keep  # the first rows: all of the first ``uncut`` vectors
        K = np.zeros((keep, len(block_cols)), dtype=np.int64)
        np.add.at(K, (local_row[mask], local_col[mask]), value[block][mask])
        rank += rank_mod_p(K)
    return rank, cut


def kernel_dimension(spec: Spec, theta) -> tuple[int, str]:
    """A proven lower bound of the dimension spanned by the structural kernel
    vectors and those of degenerate units at ``theta`` (:func:`span_rank`), and a description.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import flat_point, random_point
    >>> spec = parse_spec("mf:n1=4,k=2,n2=5")
    >>> kernel_dimension(spec, flat_point(spec, random_point(spec)))
    (4, '4 scaling vectors, span >= 4')
    >>> spec = parse_spec("twolayer:d=2,k=3,bias=1")
    >>> point = random_point(spec)
    >>> point["W"][1], point["b"][1] = -point["W"][0], -point["b"][0]  # tanh is odd
    >>> point["a"][2] = 0.0
    >>> kernel_dimension(spec, flat_point(spec, point))
    (7, '4 sign-duplicate + 3 zero-unit vectors, span >= 7')
    """
    vectors, kind = structural_vectors(spec)
    parts = [f"{len(vectors)} {kind}"] if vectors else []
    extra, counts = degenerate_vectors(spec, theta)
    parts += [f"{count} {rule}{'-unit' if rule == 'zero' else ''}" for rule, count in counts.items()]
    if not vectors and not extra:
        return 0, "no structural kernel vectors"
    span, cut = span_rank(vectors + extra, theta, uncut=len(vectors))
    note = " (largest blocks cut)" if cut else ""
    return span, f"{' + '.join(parts)} vectors, span >= {span}{note}"


def upper_bounds(spec: Spec, theta, n_inputs: int) -> list[tuple[int, str]]:
    """Every proven upper bound available: ``[(bound, method), ...]``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import flat_point, random_point
    >>> spec = parse_spec("mf:n1=3,k=3,n2=3")
    >>> for bound in sorted(upper_bounds(spec, flat_point(spec, random_point(spec)), 36)):
    ...     print(bound)
    (9, 'M - proven kernel: 9 scaling vectors, span >= 9')
    (9, 'monomials of f in x: 9')
    (18, 'parameter count M')
    (36, 'number of inputs n')
    """
    M = len(np.asarray(theta).reshape(-1))
    bounds = [(M, "parameter count M"), (n_inputs, "number of inputs n")]
    monomials = monomial_bound(spec)
    if monomials is not None:
        bounds.append((monomials, f"monomials of f in x: {monomials}"))
    span, description = kernel_dimension(spec, theta)
    if span:
        bounds.append((M - span, f"M - proven kernel: {description}"))
    return bounds
