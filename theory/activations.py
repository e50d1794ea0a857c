"""Activation functions known to rankstrat, with the properties the theory needs.

One table, :data:`ACTIVATIONS`, plus the polynomial family ``powP`` (``x**P``).
Each entry carries its sympy form and the facts that decide which closed forms
apply: analytic or not, odd or not, polynomial degree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional

import sympy

from rankstrat.theory.errors import SpecError


@dataclass(frozen=True)
class Activation:
    """An elementwise activation and the properties the rank theory uses.

    Parameters
    ----------
    name : str
        Name as written in a spec (``tanh``, ``pow2``, ...).
    sympy_fn : callable
        Maps a sympy expression to the activated expression.
    analytic : bool
        True when the function is real analytic everywhere (the rank
        stratification theory applies).
    odd : bool
        True when ``sigma(-z) == -sigma(z)``: neurons ``w`` and ``-w`` then
        span the same functions.
    degree : int or None
        Polynomial degree for ``powP``, None for non-polynomial activations.

    Examples
    --------
    >>> act = get_activation("tanh")
    >>> act.sympy_fn(sympy.Symbol("z"))
    tanh(z)
    >>> act.odd, act.analytic, act.degree
    (True, True, None)
    """

    name: str
    sympy_fn: Callable[[sympy.Expr], sympy.Expr]
    analytic: bool
    odd: bool
    degree: Optional[int] = None

    @property
    def polynomial(self) -> bool:
        """True for polynomial activations (exact rank arithmetic applies).

        Examples
        --------
        >>> get_activation("pow3").polynomial, get_activation("sin").polynomial
        (True, False)
        """
        return self.degree is not None

    @property
    def generic(self) -> bool:
        """True when the activation is analytic with infinitely many nonzero
        Taylor coefficients at 0, the hypothesis of the two-layer closed forms.

        Examples
        --------
        >>> get_activation("tanh").generic, get_activation("pow2").generic
        (True, False)
        >>> get_activation("relu").generic
        False
        """
        return self.analytic and self.degree is None


def _softplus(z):
    return sympy.log(1 + sympy.exp(z))


ACTIVATIONS = {
    "tanh": Activation("tanh", sympy.tanh, analytic=True, odd=True),
    "sigmoid": Activation("sigmoid", lambda z: 1 / (1 + sympy.exp(-z)), analytic=True, odd=False),
    "sin": Activation("sin", sympy.sin, analytic=True, odd=True),
    "exp": Activation("exp", sympy.exp, analytic=True, odd=False),
    "softplus": Activation("softplus", _softplus, analytic=True, odd=False),
    "relu": Activation("relu", lambda z: sympy.Max(0, z), analytic=False, odd=False),
}
"""Non-polynomial activations by name; ``powP`` is parsed by :func:`get_activation`."""

_POW = re.compile(r"^pow([1-9][0-9]*)$")

ACCEPTED = "tanh, sigmoid, sin, exp, softplus, relu, powP (P >= 1, e.g. pow2)"


def get_activation(name: str) -> Activation:
    """Look up an activation by its spec name.

    Parameters
    ----------
    name : str
        ``tanh``, ``sigmoid``, ``sin``, ``exp``, ``softplus``, ``relu`` or
        ``powP`` with an integer ``P >= 1``.

    Returns
    -------
    Activation

    Raises
    ------
    SpecError
        For an unknown name.

    Examples
    --------
    >>> get_activation("pow2").sympy_fn(sympy.Symbol("z"))
    z**2
    >>> get_activation("pow3").odd
    True
    >>> get_activation("gelu")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.SpecError: unknown activation 'gelu'; expected one of tanh, sigmoid, sin, exp, softplus, relu, powP (P >= 1, e.g. pow2)
    """
    if name in ACTIVATIONS:
        return ACTIVATIONS[name]
    match = _POW.match(name)
    if match:
        p = int(match.group(1))
        return Activation(name, lambda z, p=p: z**p, analytic=True, odd=p % 2 == 1, degree=p)
    raise SpecError(f"unknown activation {name!r}; expected one of {ACCEPTED}")
