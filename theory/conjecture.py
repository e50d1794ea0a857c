"""Closed forms conjectured from tables: exact polynomial fits over Q, with
min regimes where a table bends, checked on held-out sizes.

A table maps size tuples to integers. :func:`fit_polynomial` finds the
polynomial of least total degree (at most ``max_degree``) through every point,
solving the linear system exactly in fractions; it is accepted only when the
points determine it uniquely. When no single polynomial fits,
:func:`conjecture` splits the table into the regions ``a <= c b`` and ``a > c b``
of two sizes (``c`` in :data:`SLOPES`) and fits each; when one piece is the other with the larger size
replaced by the smaller, it writes the result as that piece with
``min(a, b)`` in place of the size (otherwise as a ``Piecewise``). The conjecture is then checked exactly on the
held-out points.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Optional

import sympy


def monomials(names: list, degree: int) -> list:
    """Exponent tuples of total degree at most ``degree``, low degree first.

    Examples
    --------
    >>> monomials(["d", "k"], 1)
    [(0, 0), (0, 1), (1, 0)]
    """
    out = [e for e in itertools.product(range(degree + 1), repeat=len(names)) if sum(e) <= degree]
    return sorted(out, key=lambda e: (sum(e), e))


def _solve_exact(rows: list, values: list) -> Optional[list]:
    """The unique solution of ``rows c = values`` in fractions, or None
    (inconsistent or underdetermined)."""
    m = len(rows[0]) if rows else 0
    matrix = [[Fraction(v) for v in row] + [Fraction(y)] for row, y in zip(rows, values)]
    pivot_row = 0
    pivots = []
    for col in range(m):
        found = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col] != 0), None)
        if found is None:
            return None
        matrix[pivot_row], matrix[found] = matrix[found], matrix[pivot_row]
        head = matrix[pivot_row][col]
        matrix[pivot_row] = [v / head for v in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[pivot_row])]
        pivots.append(col)
        pivot_row += 1
    if any(row[-1] != 0 for row in matrix[pivot_row:]):
        return None
    return [matrix[i][-1] for i in range(m)]


def fit_polynomial(points: dict, names: list, max_degree: int = 3):
    """The polynomial of least degree through every point, or None.

    Parameters
    ----------
    points : dict
        ``{(size, ...): value}``.
    names : list of str
        The size names, in tuple order.
    max_degree : int

    Returns
    -------
    sympy.Expr or None

    Examples
    --------
    >>> pts = {(d, k): k * (d + 1) for d in range(1, 4) for k in range(1, 4)}
    >>> fit_polynomial(pts, ["d", "k"])
    d*k + k
    >>> fit_polynomial({(1,): 1, (2,): 5, (3,): 2}, ["n"], max_degree=1) is None
    True
    """
    symbols = [sympy.Symbol(n) for n in names]
    keys = list(points)
    for degree in range(max_degree + 1):
        basis = monomials(names, degree)
        if len(basis) > len(keys):
            return None
        rows = [[_power(point, e) for e in basis] for point in keys]
        solution = _solve_exact(rows, [points[p] for p in keys])
        if solution is not None:
            expr = sum(sympy.Rational(c.numerator, c.denominator) * sympy.Mul(*[s**p for s, p in zip(symbols, e)])
                       for c, e in zip(solution, basis))
            return sympy.expand(expr)
    return None


def _power(point: tuple, exponents: tuple) -> int:
    out = 1
    for value, power in zip(point, exponents):
        out *= value**power
    return out


@dataclass
class Conjecture:
    """A formula fitted on a table and checked on held-out sizes.

    Attributes
    ----------
    expr : sympy.Expr or None
        None when nothing fits.
    regime : str
        ``polynomial``, ``min`` or ``piecewise``.
    fitted : int
        Points used for the fit.
    held_out : list of tuple
        Points held out.
    failures : list of tuple
        Held-out points where the formula is wrong: ``(point, formula, data)``.
    held_sizes : dict
        The sizes whose largest value was held out, and that value.
    """

    expr: Optional[sympy.Expr]
    regime: str
    names: list
    fitted: int = 0
    held_out: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    held_sizes: dict = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        """A formula, at least one held-out point, and no failure there."""
        return self.expr is not None and bool(self.held_out) and not self.failures

    def value(self, point: tuple) -> int:
        """The formula at a point.

        Examples
        --------
        >>> Conjecture(sympy.Symbol("d") + 1, "polynomial", ["d"]).value((3,))
        4
        """
        subs = {sympy.Symbol(n): v for n, v in zip(self.names, point)}
        return sympy.nsimplify(self.expr.subs(subs))

    def latex(self) -> str:
        """The formula in LaTeX.

        Examples
        --------
        >>> Conjecture(sympy.Symbol("k") * (sympy.Symbol("d") + 1), "polynomial", ["d", "k"]).latex()
        'k \\\\left(d + 1\\\\right)'
        """
        return sympy.latex(self.expr) if self.expr is not None else ""


SLOPES = (1, 2)
"""Regions ``a <= c b`` tried, for these ``c`` (``min(2k, d)`` bends at ``d = 2k``)."""


def _regions(names: list) -> list:
    return [(a, b) for a, b in itertools.permutations(range(len(names)), 2)]


def fit_table(points: dict, names: list, max_degree: int = 3) -> Conjecture:
    """A polynomial through the table, else a min or piecewise formula over
    the regions ``a <= b`` / ``a > b`` of two sizes.

    Examples
    --------
    >>> pts = {(d, k): min(k, d) * d - min(k, d) * (min(k, d) - 1) // 2 for d in range(1, 6) for k in range(1, 6)}
    >>> c = fit_table(pts, ["d", "k"])
    >>> c.regime, c.expr
    ('min', (2*d - Min(d, k) + 1)*Min(d, k)/2)
    """
    expr = fit_polynomial(points, names, max_degree)
    if expr is not None:
        return Conjecture(sympy.factor(expr), "polynomial", names, fitted=len(points))
    symbols = [sympy.Symbol(n) for n in names]
    piecewise = None
    for (a, b), c in itertools.product(_regions(names), SLOPES):
        low = {p: v for p, v in points.items() if p[a] <= c * p[b]}
        high = {p: v for p, v in points.items() if p[a] > c * p[b]}
        if not low or not high:
            continue
        f_low = fit_polynomial(low, names, max_degree)
        f_high = fit_polynomial(high, names, max_degree)
        if f_low is None or f_high is None:
            continue
        x, y = symbols[a], symbols[b]
        smaller = sympy.Min(x, c * y)
        if sympy.expand(f_low.subs(x, c * y) - f_high) == 0:
            return Conjecture(sympy.factor(f_low).subs(x, smaller), "min", names, fitted=len(points))
        if sympy.expand(f_high.subs(y, x / c) - f_low) == 0:
            return Conjecture(sympy.factor(f_high).subs(y, smaller / c), "min", names, fitted=len(points))
        if piecewise is None:
            piecewise = sympy.Piecewise((sympy.factor(f_low), sympy.Le(x, c * y)), (sympy.factor(f_high), True))
    for (a, b), c in itertools.product(_regions(names), SLOPES):
        for replaced in (b, a):
            expr = fit_through_min(points, names, a, b, c, replaced, max_degree)
            if expr is not None:
                return Conjecture(expr, "min", names, fitted=len(points))
    if piecewise is not None:
        return Conjecture(piecewise, "piecewise", names, fitted=len(points))
    return Conjecture(None, "none", names, fitted=len(points))


def fit_through_min(points: dict, names: list, a: int, b: int, c: int, replaced: int, max_degree: int = 3):
    """A polynomial in the sizes with size ``replaced`` (``a`` or ``b``) read as
    ``r = min(a, c b)``, fitted on every point at once; None when the table does
    not bend there (one side of ``a = c b`` empty), two points with one ``r``
    disagree, or no polynomial fits with a point to spare.

    This finds formulas such as ``r d - r (r - 1)/2`` with ``r = min(2k, d)``,
    whose two sides of the bend are each quadratic in a size that takes too few
    values on one side to be fitted there alone.

    Parameters
    ----------
    points : dict
        ``{(size, ...): value}``.
    names : list of str
    a, b : int
        Positions of the two sizes of the bend ``a = c b``.
    c : int
    replaced : int
        ``a`` or ``b``: the size whose role ``r`` takes.
    max_degree : int

    Returns
    -------
    sympy.Expr or None

    Examples
    --------
    >>> rank = lambda d, k: min(2 * k, d) * d - min(2 * k, d) * (min(2 * k, d) - 1) // 2
    >>> pts = {(d, k): rank(d, k) for d in range(1, 7) for k in range(1, 3)}
    >>> fit_through_min(pts, ["d", "k"], 0, 1, 2, 1)
    d*Min(d, 2*k) - Min(d, 2*k)**2/2 + Min(d, 2*k)/2
    >>> fit_through_min({(1, 1): 1, (2, 1): 2}, ["d", "k"], 0, 1, 1, 1) is None  # never bends
    True
    """
    if not any(p[a] < c * p[b] for p in points) or not any(p[a] > c * p[b] for p in points):
        return None
    moved: dict = {}
    for point, value in points.items():
        key = list(point)
        key[replaced] = min(point[a], c * point[b])
        key = tuple(key)
        if moved.setdefault(key, value) != value:
            return None
    fitted = fit_polynomial(moved, names, max_degree)
    if fitted is None:
        return None
    degree = sympy.Poly(fitted, *[sympy.Symbol(n) for n in names]).total_degree() if fitted.free_symbols else 0
    if len(moved) <= len(monomials(names, degree)):
        return None  # the points only just determine it: the bend would be fitted, not found
    symbols = [sympy.Symbol(n) for n in names]
    return fitted.subs(symbols[replaced], sympy.Min(symbols[a], c * symbols[b]))


def conjecture(points: dict, names: list, max_degree: int = 3) -> Conjecture:
    """Fit on all points but the largest value of each size, verify on those.

    When that finds no formula, or one that a held-out point refutes, the
    largest value is held out only of the sizes with at least
    :data:`SPARE_VALUES` values (the others keep theirs to fix their degree):
    a formula quadratic in a size of three values needs all three. The sizes
    held out are in :attr:`Conjecture.held_sizes`.

    Parameters
    ----------
    points : dict
        ``{(size, ...): value}`` (certified data only).
    names : list of str
    max_degree : int

    Returns
    -------
    Conjecture

    Examples
    --------
    >>> pts = {(d, k): k * (d + 2) for d in range(1, 5) for k in range(1, 5)}
    >>> c = conjecture(pts, ["d", "k"])
    >>> c.expr, c.verified, len(c.held_out), c.held_sizes
    (k*(d + 2), True, 7, {'d': 4, 'k': 4})
    >>> pts[(4, 4)] = 0
    >>> conjecture(pts, ["d", "k"]).failures
    [((4, 4), 24, 0)]
    >>> rank = lambda d, k: min(k, d) * (2 * d - min(k, d))  # d x d matrices of rank <= k
    >>> c = conjecture({(d, k): rank(d, k) for d in range(1, 8) for k in range(1, 4)}, ["d", "k"])
    >>> c.expr, c.verified, c.held_sizes
    ((2*d - Min(d, k))*Min(d, k), True, {'d': 7})
    """
    if not points:
        return Conjecture(None, "none", names)
    values = [sorted({p[i] for p in points}) for i in range(len(names))]
    first = _fit_holding_out(points, names, max_degree, [i for i, v in enumerate(values) if len(v) > 1])
    if first.verified:
        return first
    spare = [i for i, v in enumerate(values) if len(v) >= SPARE_VALUES]
    if spare and len(spare) < sum(len(v) > 1 for v in values):
        second = _fit_holding_out(points, names, max_degree, spare)
        if second.verified:
            return second
    return first


SPARE_VALUES = 4
"""Sizes with at least this many values can lose their largest to the held-out set."""


def _fit_holding_out(points: dict, names: list, max_degree: int, sizes: list) -> Conjecture:
    largest = {i: max(p[i] for p in points) for i in sizes}
    hold = {p for p in points if any(p[i] == largest[i] for i in sizes)}
    train = {p: v for p, v in points.items() if p not in hold}
    result = fit_table(train, names, max_degree) if train else Conjecture(None, "none", names)
    result.held_out = sorted(hold)
    result.held_sizes = {names[i]: largest[i] for i in sizes}
    if result.expr is not None:
        for p in result.held_out:
            predicted = result.value(p)
            if predicted != points[p]:
                result.failures.append((p, int(predicted) if predicted.is_integer else predicted, points[p]))
    return result


def agrees_with(expr, closed_form_expr, names: list, points: list, fixed: dict) -> bool:
    """Whether a conjectured formula equals a closed form at every given point
    (the closed form's other sizes fixed).

    Examples
    --------
    >>> d, k = sympy.symbols("d k")
    >>> agrees_with(k * (d + 1), k * d + k, ["d", "k"], [(1, 2), (3, 4)], {})
    True
    >>> agrees_with(k * (d + 1), sympy.Symbol("k", positive=True) * d, ["d", "k"], [(1, 2)], {})
    False
    """
    for point in points:
        values = {**{n: v for n, v in fixed.items() if n not in names}, **dict(zip(names, point))}
        left, right = sympy.sympify(expr), sympy.sympify(closed_form_expr)
        left = left.subs({s: values[str(s)] for s in left.free_symbols if str(s) in values})
        right = right.subs({s: values[str(s)] for s in right.free_symbols if str(s) in values})
        if sympy.simplify(left - right) != 0:
            return False
    return True
