"""A user's closed-form claim about a model, ``QUANTITY OP EXPRESSION`` in the sizes,
and the grid of sizes it is checked over.

Examples of claims: ``model_rank == k*(d+1)``, ``model_rank <= num_params``
is not accepted (the right side is a formula in the sizes only), but
``num_params == 2*d*k`` and ``model_rank == min(2*k, d)*d - min(2*k, d)*(min(2*k, d) - 1)/2``
are. Grids use the values grammar of :mod:`rankstrat.theory.values`: ``k=1..6``
(inclusive range), ``k=1..6:2`` (step), ``k=1,2,4`` (list), ``k=1..3,8``.
"""

from __future__ import annotations

import itertools
import operator
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

import sympy

from rankstrat.theory.closed_form import SIZE_SYMBOLS, ClosedForm
from rankstrat.theory.errors import InputError
from rankstrat.theory.formula import parse_formula
from rankstrat.theory.values import parse_assignments

QUANTITIES = ("model_rank", "num_params")
"""What a claim may be about: the generic model rank, or the parameter count."""

OPERATORS = {
    "==": operator.eq,
    "<=": operator.le,
    ">=": operator.ge,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}
"""Comparison operators accepted between the quantity and the formula."""

_CLAIM = re.compile(r"^\s*([A-Za-z_][A-Za-z_0-9]*)\s*(==|<=|>=|!=|<|>)\s*(.+?)\s*$")


def size_symbol(name: str) -> sympy.Symbol:
    """The positive integer symbol of a size, shared with :data:`rankstrat.theory.closed_form.SIZE_SYMBOLS`.

    Examples
    --------
    >>> size_symbol("d") is SIZE_SYMBOLS["d"], size_symbol("heads").is_integer
    (True, True)
    """
    return SIZE_SYMBOLS.get(name) or sympy.Symbol(name, positive=True, integer=True)


def parse_size_expression(text: str, size_names: Sequence[str], option: str = "--claim") -> sympy.Expr:
    """Parse a formula in the sizes (``min``, ``max``, ``binomial``, ``floor``, ``ceiling`` allowed).

    The text is read by :func:`rankstrat.theory.formula.parse_formula`: a
    whitelist walk of its syntax tree, which never runs it.

    Parameters
    ----------
    text : str
        Python/sympy syntax, e.g. ``k*(d+1)``.
    size_names : sequence of str
        The names the formula may use.
    option : str
        Option or file key named in error messages.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    InputError
        Unreadable formula, or a name that is not a size.

    Examples
    --------
    >>> parse_size_expression("k*(d+1)", ["d", "k"])
    k*(d + 1)
    >>> parse_size_expression("k*(q+1)", ["d", "k"])
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --claim: refused 'k*(q+1)': unknown name 'q' (the sizes are d, k); a formula may use size names, numbers, + - * / **, parentheses, min, max, binomial, floor, ceiling, comparisons and and/or
    """
    expr = parse_formula(text, {name: size_symbol(name) for name in size_names}, option)
    if not isinstance(expr, sympy.Expr):
        raise InputError(f"{option}: {text!r} is not a formula in the sizes")
    return expr


@dataclass(frozen=True)
class SizeClaim:
    """``QUANTITY OP EXPRESSION``: a closed form the user states for a model.

    Attributes
    ----------
    quantity : str
        One of :data:`QUANTITIES`.
    operator : str
        One of :data:`OPERATORS`.
    expr : sympy.Expr
        The formula in the sizes.
    text : str
        The claim as written.

    Examples
    --------
    >>> claim = parse_size_claim("model_rank == k*(d+1)", ["d", "k"])
    >>> claim.predicted({"d": 3, "k": 2}), claim.holds(8, {"d": 3, "k": 2})
    (8, True)
    """

    quantity: str
    operator: str
    expr: sympy.Expr
    text: str

    def predicted(self, sizes: dict):
        """The formula's value at ``sizes``: an int, or a float when not an integer.

        Examples
        --------
        >>> parse_size_claim("model_rank == k/2", ["k"]).predicted({"k": 3})
        1.5
        """
        value = self.expr.subs({size_symbol(name): v for name, v in sizes.items()})
        if value.free_symbols:
            missing = ", ".join(sorted(str(s) for s in value.free_symbols))
            raise InputError(f"claim {self.text!r}: no value for {missing}")
        if not value.is_finite:
            raise InputError(f"claim {self.text!r}: the formula has no finite value at {sizes}")
        return int(value) if value.is_integer else float(value)

    def holds(self, measured, sizes: dict) -> bool:
        """Does the measured quantity satisfy the claim at ``sizes``? (None never does.)

        Examples
        --------
        >>> parse_size_claim("model_rank <= 2*k", ["k"]).holds(5, {"k": 2})
        False
        """
        if measured is None:
            return False
        return bool(OPERATORS[self.operator](measured, self.predicted(sizes)))

    def closed_form(self, sizes: dict) -> ClosedForm:
        """The formula as a :class:`~rankstrat.theory.closed_form.ClosedForm` at ``sizes``.

        Examples
        --------
        >>> str(parse_size_claim("model_rank == k*(d+1)", ["d", "k"]).closed_form({"d": 3, "k": 2}))
        'k*(d + 1) = 8'
        """
        return ClosedForm(self.expr, dict(sizes), source="user's claim: " + self.text)

    def __str__(self) -> str:
        return f"{self.quantity} {self.operator} {self.expr}"


def parse_size_claim(text: str, size_names: Sequence[str], option: str = "--claim") -> SizeClaim:
    """Parse ``QUANTITY OP EXPRESSION``.

    Parameters
    ----------
    text : str
        E.g. ``"model_rank == k*(d+1)"``.
    size_names : sequence of str
        Sizes the formula may use.
    option : str
        Named in error messages.

    Returns
    -------
    SizeClaim

    Raises
    ------
    InputError
        Naming the option, the value and the accepted form.

    Examples
    --------
    >>> parse_size_claim("num_params >= 2*d", ["d"]).operator
    '>='
    >>> parse_size_claim("rank = 3", ["d"])
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --claim: cannot read 'rank = 3'; expected QUANTITY OP FORMULA with QUANTITY one of model_rank, num_params and OP one of ==, <=, >=, !=, <, > (e.g. "model_rank == k*(d+1)")
    """
    match = _CLAIM.match(str(text))
    if not match or match.group(1) not in QUANTITIES:
        raise InputError(
            f"{option}: cannot read {text!r}; expected QUANTITY OP FORMULA with QUANTITY one of "
            f"{', '.join(QUANTITIES)} and OP one of {', '.join(OPERATORS)} "
            '(e.g. "model_rank == k*(d+1)")'
        )
    quantity, op, rhs = match.groups()
    return SizeClaim(quantity, op, parse_size_expression(rhs, size_names, option), str(text).strip())


def parse_size_grid(items: Iterable[str], size_names: Sequence[str], option: str = "--vary") -> list[dict]:
    """The grid of sizes named by ``NAME=RANGE`` items (their Cartesian product).

    Parameters
    ----------
    items : iterable of str
        ``k=1..6``, ``d=2,3``...
    size_names : sequence of str
        Sizes the model has.
    option : str
        Named in error messages.

    Returns
    -------
    list of dict
        One ``{name: value}`` per grid point, first name varying slowest.

    Raises
    ------
    InputError
        Unreadable item, unknown size, size given twice, or a negative value
        (the model checks its own limits when it is rebuilt).

    Examples
    --------
    >>> parse_size_grid(["k=1..2", "d=3,5"], ["d", "k"])
    [{'k': 1, 'd': 3}, {'k': 1, 'd': 5}, {'k': 2, 'd': 3}, {'k': 2, 'd': 5}]
    >>> parse_size_grid(["q=1..2"], ["d", "k"])
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --vary: 'q' is not a size of this model; its sizes are d, k
    """
    axes = parse_assignments(items, option, names=size_names, minimum=0)
    names = list(axes)
    return [dict(zip(names, combo)) for combo in itertools.product(*(axes[n] for n in names))]
