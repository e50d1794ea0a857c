"""Dual numbers with sparse tangents over any ring: forward-mode derivatives.

A :class:`Dual` holds a value and its derivatives with respect to the flat
parameters as a sparse ``{parameter index: derivative}`` dictionary. Values
and derivatives may be any objects supporting ``+``, ``-`` and ``*`` (python
ints, flint ``nmod``/``fmpz``/``fmpq``/``arb``, mpmath numbers, numpy arrays,
the batched rings of :mod:`rankstrat.numerics.backends.rings`). Running a
family's forward map on parameters that are duals gives the output together
with its gradient: one forward pass, no symbolic expansion.

Only the parameters an intermediate value depends on appear in its tangent,
so a two-layer network's pre-activation ``w_j . x + b_j`` carries ``d + 1``
entries, not ``M``.
"""

from __future__ import annotations

from collections.abc import Callable


class Dual:
    """``value + sum_j tangent[j] eps_j`` with ``eps_i eps_j = 0``.

    Parameters
    ----------
    value : ring element
    tangent : dict, optional
        ``{parameter index: derivative}``; missing entries are zero.

    Examples
    --------
    >>> x = Dual(3, {0: 1})
    >>> y = Dual(5, {1: 1})
    >>> z = x * y + x * x
    >>> z.value, z.tangent
    (24, {0: 11, 1: 3})
    >>> (z - 2 * y).tangent
    {0: 11, 1: 1}
    """

    __slots__ = ("tangent", "value")
    __array_ufunc__ = None  # numpy defers to the reflected operators below

    def __init__(self, value, tangent: dict | None = None):
        self.value = value
        self.tangent = {} if tangent is None else tangent

    def __repr__(self) -> str:
        return f"Dual({self.value!r}, {self.tangent!r})"

    def __add__(self, other):
        if not isinstance(other, Dual):
            if isinstance(other, int) and other == 0:  # numpy's object reductions may start at 0
                return self
            return Dual(self.value + other, self.tangent)
        big, small = (self, other) if len(self.tangent) >= len(other.tangent) else (other, self)
        tangent = dict(big.tangent)
        for key, value in small.tangent.items():
            tangent[key] = tangent[key] + value if key in tangent else value
        return Dual(self.value + other.value, tangent)

    __radd__ = __add__

    def __neg__(self):
        return Dual(-self.value, {key: -value for key, value in self.tangent.items()})

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, other):
        if not isinstance(other, Dual):
            return Dual(self.value * other, {key: value * other for key, value in self.tangent.items()})
        a, b = self.value, other.value
        tangent = {key: value * b for key, value in self.tangent.items()}
        for key, value in other.tangent.items():
            term = value * a
            tangent[key] = tangent[key] + term if key in tangent else term
        return Dual(a * b, tangent)

    def __rmul__(self, other):
        return self * other

    def __pow__(self, power: int):
        if not isinstance(power, int) or power < 1:
            raise ValueError(f"Dual ** {power!r}: only positive integer powers")
        return self.apply(lambda v: (_power(v, power), power * _power(v, power - 1) if power > 1 else _one_like(v)))

    def apply(self, pair: Callable):
        """Chain rule: ``pair(value) -> (g(value), g'(value))``.

        Examples
        --------
        >>> Dual(3, {0: 2}).apply(lambda v: (v * v, 2 * v)).tangent
        {0: 12}
        """
        value, derivative = pair(self.value)
        return Dual(value, {key: entry * derivative for key, entry in self.tangent.items()})


def _power(value, power: int):
    out = value
    for _ in range(power - 1):
        out = out * value
    return out


def _one_like(value):
    one = getattr(value, "one", None)
    return one() if callable(one) else 1


def seed(values, offset: int = 0, one=1) -> list:
    """Parameters as duals: the ``j``-th has tangent ``{offset + j: one}``.

    Examples
    --------
    >>> [d.tangent for d in seed([2.0, 3.0])]
    [{0: 1}, {1: 1}]
    """
    return [Dual(v, {offset + j: one}) for j, v in enumerate(values)]
