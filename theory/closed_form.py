"""A closed form: a sympy expression in the sizes, its value, and where it comes from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import sympy

SIZE_SYMBOLS = {
    name: sympy.Symbol(name, positive=True, integer=True)
    for name in ("d", "k", "s", "n1", "n2", "r", "m", "L", "P", "rA", "rB")
}
"""Size symbols shared by every family, so formulas print with the spec's key names."""


@dataclass(frozen=True)
class ClosedForm:
    """A formula in the sizes together with its value at one spec.

    Parameters
    ----------
    expr : sympy.Expr
        The formula, symbolic in size symbols (see :data:`SIZE_SYMBOLS`).
    sizes : mapping
        Values for the free symbols of ``expr`` (by symbol name).
    source : str
        Paper and statement, or ``derived`` with a pointer to the derivation.
    holds : bool
        False when the formula's hypotheses fail for this spec (then ``note``
        says why, and the value is shown only for comparison).
    note : str
        Hypotheses, caveats.

    Examples
    --------
    >>> d, k = SIZE_SYMBOLS["d"], SIZE_SYMBOLS["k"]
    >>> form = ClosedForm(k * (d + 1), {"d": 3, "k": 5}, source="2307.08921")
    >>> form.value, str(form)
    (20, 'k*(d + 1) = 20')
    """

    expr: sympy.Expr
    sizes: Mapping[str, int] = field(default_factory=dict)
    source: str = ""
    holds: bool = True
    note: str = ""

    @property
    def value(self) -> int:
        """The formula evaluated at :attr:`sizes` (an integer).

        Examples
        --------
        >>> ClosedForm(sympy.Integer(7)).value
        7
        """
        expr = sympy.sympify(self.expr)
        subs = {sym: self.sizes[sym.name] for sym in expr.free_symbols if sym.name in self.sizes}
        result = expr.subs(subs)
        if result.free_symbols:
            missing = ", ".join(sorted(str(sym) for sym in result.free_symbols))
            raise ValueError(f"closed form {self.formula}: no value given for {missing}")
        return int(result)

    @property
    def formula(self) -> str:
        """The formula as text.

        Examples
        --------
        >>> ClosedForm(SIZE_SYMBOLS["k"] * 2, {"k": 1}).formula
        '2*k'
        """
        return str(self.expr)

    def __str__(self) -> str:
        return f"{self.formula} = {self.value}"
