"""Activation functions known to rankstrat, with the properties the theory needs.

One table, :data:`ACTIVATIONS`, plus the polynomial family ``powP`` (``x**P``).
Each entry carries its sympy form and the identities that decide which closed
forms apply:

- ``odd``: ``act(-z) = -act(z)`` (tanh, sin, odd powers); then ``act(0) = 0``;
- ``reflection``: ``act(-z) = c - act(z)`` with a constant ``c`` (``c = 0`` for
  odd activations, ``c = 1`` for sigmoid): ``act = c/2 + (odd function)``;
- ``linear_reflection``: ``act(z) - act(-z) = s z`` (softplus, ``s = 1``):
  ``act = (s/2) z + (even function)``;
- ``exponential``: ``act(u + v) = act(u) act(v)`` (exp): a bias is a factor;
- ``trig_addition``: ``act(u + v)`` lies in the span of ``sin u, cos u``
  (sin): neurons that share a weight span only two functions;
- ``degree``: the polynomial degree of ``powP``.

:func:`closed_form_kind` names the class of closed forms an activation gets.
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
    reflection : float or None
        The constant ``c`` of ``act(-z) = c - act(z)`` when that identity holds
        (0 for odd activations), else None.
    linear_reflection : float or None
        The slope ``s`` of ``act(z) - act(-z) = s z`` when that identity holds
        with ``s != 0``, else None.
    exponential : bool
        ``act(u + v) = act(u) act(v)``.
    trig_addition : bool
        ``act(u + v) = cos(v) act(u) + sin(v) act'(u)`` (sin).
    value_at_zero : float
        ``act(0)``.

    Examples
    --------
    >>> act = get_activation("tanh")
    >>> act.sympy_fn(sympy.Symbol("z"))
    tanh(z)
    >>> act.odd, act.analytic, act.degree, act.reflection
    (True, True, None, 0)
    """

    name: str
    sympy_fn: Callable[[sympy.Expr], sympy.Expr]
    analytic: bool
    odd: bool
    degree: Optional[int] = None
    reflection: Optional[float] = None
    linear_reflection: Optional[float] = None
    exponential: bool = False
    trig_addition: bool = False
    value_at_zero: float = 0.0

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
    "tanh": Activation("tanh", sympy.tanh, analytic=True, odd=True, reflection=0),
    "sigmoid": Activation("sigmoid", lambda z: 1 / (1 + sympy.exp(-z)), analytic=True, odd=False,
                          reflection=1, value_at_zero=0.5),
    "sin": Activation("sin", sympy.sin, analytic=True, odd=True, reflection=0, trig_addition=True),
    "exp": Activation("exp", sympy.exp, analytic=True, odd=False, exponential=True, value_at_zero=1.0),
    "softplus": Activation("softplus", _softplus, analytic=True, odd=False, linear_reflection=1,
                           value_at_zero=0.6931471805599453),
    "relu": Activation("relu", lambda z: sympy.Max(0, z), analytic=False, odd=False, linear_reflection=1),
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
        return Activation(name, lambda z, p=p: z**p, analytic=True, odd=p % 2 == 1, degree=p,
                          reflection=0 if p % 2 == 1 else None)
    raise SpecError(f"unknown activation {name!r}; expected one of {ACCEPTED}")


KINDS = {
    "odd": "odd analytic (tanh; sin without a bias): act(-z) = -act(z), act(0) = 0",
    "reflection": "sigmoid-type: act(-z) = c - act(z) with c != 0, so act(0) = c/2 != 0",
    "linear-reflection": "softplus-type: act(z) - act(-z) = s z with s != 0, act(0) != 0",
    "exponential": "exponential: act(u + v) = act(u) act(v)",
    "trigonometric": "sin with a bias: sin(w.x + b) lies in span{sin(w.x), cos(w.x)}",
    "polynomial": "polynomial of degree P",
}
"""The classes of closed forms, by the identity each one rests on."""


def closed_form_kind(act: Activation, bias: bool = False) -> Optional[str]:
    """The class of closed forms that covers ``act`` (a key of :data:`KINDS`), or
    None when no closed form is derived for it (not analytic).

    The two-layer strata, targets and rank-at-a-point formulas are derived once
    per class; every class rests on one identity of :class:`Activation` plus
    the genericity of an analytic non-polynomial function (its shifted and
    scaled copies and their derivatives times inputs are linearly independent
    modulo that identity).

    Parameters
    ----------
    act : Activation
    bias : bool
        Whether the neurons have a bias (sin is ``odd`` without one,
        ``trigonometric`` with one).

    Examples
    --------
    >>> [closed_form_kind(get_activation(n)) for n in ("tanh", "sigmoid", "softplus", "exp", "pow3", "relu")]
    ['odd', 'reflection', 'linear-reflection', 'exponential', 'polynomial', None]
    >>> closed_form_kind(get_activation("sin"), bias=True)
    'trigonometric'
    """
    if not act.analytic:
        return None
    if act.polynomial:
        return "polynomial"
    if act.trig_addition and bias:
        return "trigonometric"
    if act.exponential:
        return "exponential"
    if act.reflection == 0:
        return "odd"
    if act.reflection is not None:
        return "reflection"
    if act.linear_reflection is not None:
        return "linear-reflection"
    return None
