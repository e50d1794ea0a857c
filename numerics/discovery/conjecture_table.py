"""A rank table over a grid of sizes, its certified entries fitted by
:mod:`rankstrat.theory.conjecture` and compared with the theory's closed form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import sympy

from rankstrat.numerics.model.points import generic_inputs
from rankstrat.numerics.model.targets import resolve_target
from rankstrat.numerics.rank.engine import jacobian_rank
from rankstrat.theory.conjecture import Conjecture, agrees_with, conjecture
from rankstrat.theory.model.symbolic import num_params
from rankstrat.theory.rank.size_claims import parse_size_grid

USABLE = ("certified",)
"""Certainties whose ranks are used as data."""


@dataclass
class ConjectureReport:
    """Table, fit and comparison.

    Attributes
    ----------
    names : list of str
    rows : list of dict
        ``sizes``, ``rank``, ``certainty`` per grid point.
    usable : int
        Certified entries (the data).
    conjecture : Conjecture
    theory : sympy.Expr or None
        The theory's closed form, when one holds.
    theory_agrees : bool or None
        Conjecture equals the closed form at every grid point.
    """

    names: list
    rows: list
    usable: int
    conjecture: Conjecture
    theory: Optional[sympy.Expr] = None
    theory_agrees: Optional[bool] = None
    fixed: dict = field(default_factory=dict)


def size_names(spec) -> list:
    """Integer sizes of a spec or user model (flags excluded), by name.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> size_names(parse_spec("twolayer:d=3,k=2,bias=1"))
    ['d', 'k', 'bias']
    """
    return [k for k, v in spec.values if isinstance(v, int) and not isinstance(v, bool)]


def rank_table(spec, vary: list, target: str = "random", seed: int = 0) -> tuple:
    """Ranks with certainty over the grid ``vary`` at ``target``.

    Returns
    -------
    (names, rows)

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> names, rows = rank_table(parse_spec("mf:n1=2,k=1,n2=2"), ["k=1..2"])
    >>> names, [(r["sizes"], r["rank"], r["certainty"]) for r in rows]
    (['k'], [((1,), 3, 'certified'), ((2,), 4, 'certified')])
    """
    grid = parse_size_grid(vary, size_names(spec))
    names = list(grid[0]) if grid else []
    rows = []
    for sizes in grid:
        model = spec.replace(**sizes)
        point = resolve_target(model, target, seed)
        X = generic_inputs(model, 2 * num_params(model), seed)
        result = jacobian_rank(model, point.point, X)
        form = point.closed_form
        rows.append({"sizes": tuple(sizes[n] for n in names), "rank": result.rank, "certainty": result.certainty,
                     "closed_form": form.expr if form is not None and form.holds else None,
                     "closed_sizes": dict(form.sizes) if form is not None else {}})
    return names, rows


def conjecture_report(spec, vary: list, target: str = "random", seed: int = 0, max_degree: int = 3) -> ConjectureReport:
    """Fit the certified entries of the table and compare with the theory.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> report = conjecture_report(parse_spec("twolayer:d=1,k=1"), ["d=1..4", "k=1..4"])
    >>> report.conjecture.expr, report.conjecture.verified, report.usable, report.theory_agrees
    (k*(d + 1), True, 16, True)
    """
    names, rows = rank_table(spec, vary, target, seed)
    data = {row["sizes"]: row["rank"] for row in rows if row["certainty"] in USABLE}
    fitted = conjecture(data, names, max_degree)
    theory = next((row["closed_form"] for row in rows if row["closed_form"] is not None), None)
    agrees = None
    if theory is not None and fitted.expr is not None:
        symbols = {sympy.Symbol(n) for n in names}
        other = {str(s) for s in sympy.sympify(theory).free_symbols} - {str(s) for s in symbols}
        agrees = all(
            agrees_with(fitted.expr, row["closed_form"], names, [row["sizes"]],
                        {k: v for k, v in row["closed_sizes"].items() if k in other})
            for row in rows if row["closed_form"] is not None
        )
    return ConjectureReport(names, rows, len(data), fitted, theory, agrees)
