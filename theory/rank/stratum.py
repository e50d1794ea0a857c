"""Strata: structural types of parameter points, each with its dimension and model rank.

Every family module lists its strata with ``strata(spec)``; :func:`list_strata`
is the one entry point. A family without a clean statement returns an empty
list and says so in :func:`strata_note`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from rankstrat.theory.closed_form import ClosedForm
from rankstrat.theory.spec import Spec


@dataclass(frozen=True)
class Stratum:
    """One structural type of parameter point.

    Parameters
    ----------
    name : str
        Human-readable label, e.g. ``rank A = 2, rank B = 1``.
    labels : mapping
        The structural indices (``{"rA": 2, "rB": 1}``), enough for a point
        generator to build a point of the stratum.
    dimension : ClosedForm
        Dimension of the stratum as a set in parameter space (of its largest
        piece, when the structural indices leave some freedom).
    rank : ClosedForm
        Model rank at every point of the stratum.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> first = list_strata(parse_spec("mf:n1=2,k=1,n2=2"))[-1]
    >>> first.name, first.rank.value, first.dimension.value
    ('rank A = 1, rank B = 1', 3, 4)
    """

    name: str
    labels: Mapping = field(default_factory=dict)
    dimension: ClosedForm = None
    rank: ClosedForm = None


def list_strata(spec: Spec) -> list[Stratum]:
    """The strata of ``spec``, lowest rank first when ranks differ.

    Parameters
    ----------
    spec : Spec

    Returns
    -------
    list of Stratum
        Empty when the family states no strata (see :func:`strata_note`).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> [s.rank.value for s in list_strata(parse_spec("mf:n1=2,k=1,n2=2"))]
    [0, 2, 2, 3]
    """
    make = getattr(spec.module, "strata", None)
    if make is None:
        return []
    return sorted(make(spec), key=lambda s: (s.rank.value, s.dimension.value, s.name))


def strata_note(spec: Spec) -> str:
    """What the family states about its strata (hypotheses, gaps).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> strata_note(parse_spec("mlp:d=2,widths=2-2"))[:30]
    'no clean stratification is sta'
    """
    per_spec = getattr(spec.module, "strata_note", None)
    if per_spec is not None:
        return per_spec(spec)
    return getattr(spec.module, "STRATA_NOTE", "")
