"""Check the listed strata numerically: rank at a point of each stratum, and the
stratum's dimension as the rank of its parametrization."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rankstrat.numerics.model.points import flat_point, generic_inputs
from rankstrat.numerics.model.stratum_points import Parametrization, stratum_parametrization
from rankstrat.numerics.rank.engine import FLOAT64_EPS, RankResult, decide_spectrum, jacobian_rank
from rankstrat.theory.model.symbolic import num_params
from rankstrat.theory.rank.stratum import Stratum, list_strata
from rankstrat.theory.spec import Spec


def parametrization_dimension(spec: Spec, param: Parametrization, seed: int = 0) -> int:
    """Local dimension of the image of a parametrization: the rank of its
    Jacobian (central differences) at a random point.

    The parametrizations are multilinear in blocks of their free values, so
    central differences are exact up to rounding and the spectrum has a clear gap.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.families.mf import mf_parametrization
    >>> spec = parse_spec("mf:n1=3,k=2,n2=3")
    >>> parametrization_dimension(spec, mf_parametrization(spec, 1, 2))  # 1*(3+2-1) + 2*(2+3-2)
    10
    """
    if param.dimension == 0:
        return 0
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(param.dimension)
    step = 2.0**-12
    columns = []
    for j in range(param.dimension):
        e = np.zeros(param.dimension)
        e[j] = step
        forward = flat_point(spec, param.build(z + e))
        backward = flat_point(spec, param.build(z - e))
        columns.append((forward - backward) / (2 * step))
    J = np.column_stack(columns)
    decision = decide_spectrum(np.linalg.svd(J, compute_uv=False), J.shape, FLOAT64_EPS)
    return decision.rank


@dataclass
class StratumCheck:
    """A stratum with its closed forms and what was measured.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> check = verify_strata(parse_spec("mf:n1=2,k=1,n2=2"))[-1]
    >>> check.rank_agrees, check.dimension_agrees
    (True, True)
    """

    stratum: Stratum
    measured: RankResult
    measured_dimension: int

    @property
    def rank_agrees(self) -> bool:
        """Measured rank equals the stratum's closed-form rank."""
        return self.measured.rank == self.stratum.rank.value

    @property
    def dimension_agrees(self) -> bool:
        """Measured dimension equals the closed-form dimension."""
        return self.measured_dimension == self.stratum.dimension.value

    def as_dict(self) -> dict:
        """Plain types for reports."""
        return {
            "stratum": self.stratum.name,
            "dimension_formula": self.stratum.dimension.formula,
            "dimension": self.stratum.dimension.value,
            "measured_dimension": self.measured_dimension,
            "rank_formula": self.stratum.rank.formula,
            "rank": self.stratum.rank.value,
            "measured_rank": self.measured.rank,
            "certainty": self.measured.certainty,
            "proven_interval": [self.measured.lower_bound, self.measured.upper_bound],
            "agreement": ("undecided" if self.measured.rank is None
                          else "agree" if self.rank_agrees and self.dimension_agrees else "DISAGREE"),
        }


def verify_stratum(spec: Spec, stratum: Stratum, seed: int = 0, certify: bool = True) -> StratumCheck:
    """Measure rank and dimension of one stratum at a random point of it.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=2,k=2")
    >>> check = verify_stratum(spec, list_strata(spec)[3])
    >>> check.measured.rank == check.stratum.rank.value
    True
    """
    param = stratum_parametrization(spec, stratum)
    point = param.sample(seed)
    X = generic_inputs(spec, 2 * num_params(spec), seed)
    result = jacobian_rank(spec, point, X, certify=certify)
    return StratumCheck(stratum, result, parametrization_dimension(spec, param, seed))


def verify_strata(spec: Spec, seed: int = 0, certify: bool = True) -> list[StratumCheck]:
    """:func:`verify_stratum` for every listed stratum of ``spec``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> all(c.rank_agrees for c in verify_strata(parse_spec("cnn1d:d=4,s=2,k=1,bias=1")))
    True
    """
    return [verify_stratum(spec, stratum, seed, certify) for stratum in list_strata(spec)]
