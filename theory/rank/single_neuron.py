"""Single-neuron target ``a* sigma(w* . x (+ b*))`` learned by a two-layer student of width ``m``.

Closed forms of docs/theory.md section 3 (arXiv 2405.13787, 2309.00508). With a
bias every formula holds with ``d`` replaced by ``d + 1`` (the bias is a weight
on a constant input).
"""

from __future__ import annotations

import sympy

from rankstrat.theory.closed_form import SIZE_SYMBOLS, ClosedForm
from rankstrat.theory.errors import SpecError

d, m, r = SIZE_SYMBOLS["d"], SIZE_SYMBOLS["m"], SIZE_SYMBOLS["r"]
SOURCE = "Zhao, Bai, Zhang (arXiv 2405.13787); Zhang et al. embedding principle (arXiv 2309.00508)"


def _effective(expr, bias: int):
    return expr.subs(d, d + 1) if bias else expr


def _check(width: int, dim: int, branch: int | None = None) -> None:
    if width < 1 or dim < 1:
        raise SpecError(f"single neuron: width m={width} and input dimension d={dim} must be >= 1")
    if branch is not None and not 1 <= branch <= width:
        raise SpecError(f"single neuron: branch r={branch} must be between 1 and m={width}")


def num_params(width: int, dim: int, bias: int = 0) -> ClosedForm:
    """Student parameter count ``m (d + 1)`` (``m (d + 2)`` with bias).

    Examples
    --------
    >>> num_params(2, 1, bias=1).value, num_params(2, 3, bias=1).value
    (6, 10)
    """
    _check(width, dim)
    return ClosedForm(_effective(m * (d + 1), bias), {"m": width, "d": dim}, source=SOURCE)


def optimistic_size(dim: int, bias: int = 0) -> ClosedForm:
    """Optimistic sample size of a single-neuron target: ``d + 1`` (``d + 2`` with bias).

    It is the model rank of the target, whatever the student width.

    Examples
    --------
    >>> optimistic_size(1, bias=1).value, optimistic_size(3, bias=1).value
    (3, 5)
    """
    _check(1, dim)
    return ClosedForm(_effective(d + 1, bias), {"d": dim}, source=SOURCE + ", optimistic size")


def branch_dimension(width: int, branch: int, dim: int, bias: int = 0) -> ClosedForm:
    """Dimension of the global-minimum branch ``Q_r`` (``r`` distinct weight directions).

    ``dim Q_r = (m - r) + (r - 1) d``: the ``m - r`` neurons sharing a direction
    split the output weight freely, and each of the ``r - 1`` extra directions
    carries a free weight vector with zero total output.

    Examples
    --------
    >>> branch_dimension(2, 1, 1, bias=1).value, branch_dimension(2, 2, 1, bias=1).value
    (1, 2)
    """
    _check(width, dim, branch)
    expr = (m - r) + (r - 1) * d
    return ClosedForm(_effective(expr, bias), {"m": width, "r": branch, "d": dim}, source=SOURCE)


def separation_size(width: int, branch: int, dim: int, bias: int = 0) -> ClosedForm:
    """Sample size at which branch ``Q_r`` separates: ``M - dim Q_r = r + (m + 1 - r) d``.

    Examples
    --------
    >>> [separation_size(2, r, 1, bias=1).value for r in (2, 1)]
    [4, 5]
    >>> [separation_size(2, r, 3, bias=1).value for r in (2, 1)]
    [6, 9]
    """
    _check(width, dim, branch)
    expr = r + (m + 1 - r) * d
    form = ClosedForm(_effective(expr, bias), {"m": width, "r": branch, "d": dim}, source=SOURCE + ", separation size")
    total = num_params(width, dim, bias).value
    assert form.value == total - branch_dimension(width, branch, dim, bias).value
    return form


def sample_size_thresholds(width: int, dim: int, bias: int = 0) -> dict:
    """All thresholds for a width-``m`` student: optimistic, each ``Q_r`` from
    ``r = m`` down to 1, and the parameter count.

    Examples
    --------
    >>> sample_size_thresholds(2, 3, bias=1)
    {'optimistic': 5, 'Q2': 6, 'Q1': 9, 'parameters': 10}
    """
    out = {"optimistic": optimistic_size(dim, bias).value}
    for branch in range(width, 0, -1):
        out[f"Q{branch}"] = separation_size(width, branch, dim, bias).value
    out["parameters"] = num_params(width, dim, bias).value
    return out


def symbolic_thresholds(bias: int = 0) -> dict:
    """The thresholds as sympy expressions in ``m``, ``r``, ``d``.

    Examples
    --------
    >>> symbolic_thresholds()["separation"]
    d*(m - r + 1) + r
    """
    return {
        "optimistic": _effective(d + 1, bias),
        "branch_dimension": _effective((m - r) + (r - 1) * d, bias),
        "separation": sympy.expand(_effective(r + (m + 1 - r) * d, bias)) if bias else r + (m + 1 - r) * d,
        "parameters": _effective(m * (d + 1), bias),
    }
