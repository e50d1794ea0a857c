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
"""

from __future__ import annotations

import numpy as np

from rankstrat.numerics.backends.modular import rank_mod_p
from rankstrat.numerics.backends.rings import PRIME, mod_from_float
from rankstrat.numerics.families import numeric_family
from rankstrat.numerics.model.points import flat_indices
from rankstrat.theory.model.symbolic import family_forward, param_shapes
from rankstrat.theory.spec import Spec

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


def kernel_dimension(spec: Spec, theta) -> tuple[int, str]:
    """A proven lower bound of the dimension spanned by the structural kernel
    vectors at ``theta`` (rank modulo ``2^31 - 1``), and a description.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import flat_point, random_point
    >>> spec = parse_spec("mf:n1=4,k=2,n2=5")
    >>> kernel_dimension(spec, flat_point(spec, random_point(spec)))
    (4, '4 scaling vectors, span >= 4')
    """
    vectors, kind = structural_vectors(spec)
    if not vectors:
        return 0, "no structural kernel vectors"
    residues = mod_from_float(np.asarray(theta, dtype=np.float64))
    K = np.zeros((len(vectors), len(residues)), dtype=np.int64)
    for row, vector in enumerate(vectors):
        for target, coefficient, source in vector:
            K[row, target] = (K[row, target] + coefficient * residues[source]) % PRIME
    span = rank_mod_p(K)
    return span, f"{len(vectors)} {kind} vectors, span >= {span}"


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
