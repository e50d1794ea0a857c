"""Build rank claims: a closed form against the rank engine at a point."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from rankstrat.cases.claim import Claim, Measurement
from rankstrat.numerics.model.points import generic_inputs
from rankstrat.numerics.rank.engine import RankResult, jacobian_rank, model_rank
from rankstrat.theory.model.symbolic import num_params
from rankstrat.theory.spec import Spec, parse_spec


def rank_measurement(result: RankResult) -> Measurement:
    """A claim measurement from a rank result, with the gap and bounds in the detail.

    Examples
    --------
    >>> m = rank_measurement(model_rank(parse_spec("mf:n1=2,k=1,n2=2")))
    >>> m.value, m.certainty
    (3, 'certified')
    """
    gap = "inf" if math.isinf(result.gap) else f"{result.gap:.2g}"
    parts = [f"gap {gap} at {result.digits} digits"]
    if result.lower_bound is not None:
        parts.append(f"proven >= {result.lower_bound}")
    if result.upper_bound is not None:
        parts.append(f"proven <= {result.upper_bound}")
    parts += result.warnings
    return Measurement(result.rank, result.certainty, "; ".join(parts))


@dataclass(frozen=True)
class RankCase:
    """One row of the shared table: a spec, a point of a stratum, the closed form.

    Every rank implementation (float64, high precision, ball arithmetic,
    modular) is run over the same rows in the tests.

    Parameters
    ----------
    spec : Spec
    predicted : callable
        ``spec -> int``.
    point : callable or None
        ``spec -> {name: array}``; None for a random (generic) point.
    n_inputs : int or None
        Default ``2 M``.

    Examples
    --------
    >>> from rankstrat.theory.families import mf
    >>> case = RankCase(parse_spec("mf:n1=2,k=2,n2=2"), lambda s: mf.generic_rank(s).value)
    >>> case.expected(), case.inputs().shape
    (4, (16, 4))
    """

    spec: Spec
    predicted: Callable[[Spec], int]
    point: Optional[Callable[[Spec], dict]] = None
    n_inputs: Optional[int] = None

    def expected(self) -> int:
        """The closed-form rank."""
        return self.predicted(self.spec)

    def parameters(self) -> dict:
        """The point (random with seed 0 when no stratum point is given)."""
        from rankstrat.numerics.model.points import random_point

        return random_point(self.spec, 0) if self.point is None else self.point(self.spec)

    def inputs(self) -> np.ndarray:
        """The generic inputs used by the claim."""
        n = 2 * num_params(self.spec) if self.n_inputs is None else self.n_inputs
        return generic_inputs(self.spec, n)

    def measure(self) -> RankResult:
        """The rank engine's full answer at this case."""
        if self.point is None:
            return model_rank(self.spec, n_inputs=self.n_inputs)
        return jacobian_rank(self.spec, self.parameters(), self.inputs())


def rank_claim(
    claim_id: str,
    statement: str,
    source: str,
    spec: str | Spec,
    predicted: Callable[[Spec], int],
    point: Optional[Callable[[Spec], dict]] = None,
    n_inputs: Optional[int] = None,
    required_certainty: str = "float64-gap",
    full_only: bool = False,
) -> Claim:
    """A claim that the model rank of ``spec`` at ``point`` equals ``predicted(spec)``.

    Parameters
    ----------
    claim_id, statement, source : str
    spec : str or Spec
    predicted : callable
        ``spec -> int``, a closed form from :mod:`rankstrat.theory`.
    point : callable, optional
        ``spec -> {name: array}``; a random point when omitted.
    n_inputs : int, optional
        Generic inputs; default ``2 M``.
    required_certainty : str
    full_only : bool

    Returns
    -------
    Claim

    Examples
    --------
    >>> from rankstrat.cases.claim import run_claim
    >>> from rankstrat.theory.families import mf
    >>> claim = rank_claim("mf.demo", "generic rank", "test", "mf:n1=2,k=2,n2=3",
    ...                    lambda s: mf.generic_rank(s).value)
    >>> run_claim(claim).passed
    True
    """
    case = RankCase(parse_spec(spec), predicted, point, n_inputs)
    return Claim(
        claim_id, statement, source, case.expected, lambda: rank_measurement(case.measure()),
        required_certainty=required_certainty, full_only=full_only, case=case,
    )
