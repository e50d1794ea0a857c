"""Parameter points inside a chosen stratum: smooth parametrizations and exact values.

Strata are structural (factor ranks, neurons that coincide up to a symmetry,
vanish or carry a zero output weight, active channels). A
:class:`Parametrization` maps free values onto a piece of a stratum; its
samples are dyadic rationals, so a point lies in the stratum exactly, not only
within rounding of it. The family-specific parametrizations live in
:mod:`rankstrat.numerics.families`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from rankstrat.theory.errors import InputError
from rankstrat.theory.spec import Spec


@dataclass(frozen=True)
class Parametrization:
    """A smooth map from ``R^dimension`` onto (a piece of) a stratum.

    Attributes
    ----------
    dimension : int
        Number of free parameters.
    build : callable
        ``z -> {name: array}``.

    Examples
    --------
    >>> param = Parametrization(2, lambda z: {"x": np.asarray(z)})
    >>> param.sample(0)["x"].shape
    (2,)
    """

    dimension: int
    build: Callable[[np.ndarray], dict]

    def sample(self, seed: int = 0) -> dict:
        """The point at random nonzero free values of distinct magnitudes,
        multiples of 1/2**15 in [-2, 2].

        Such values keep sums and products exact in float64, so the point lies
        in the stratum itself, not only within rounding of it; distinct
        magnitudes keep two free values from coinciding up to sign (which
        would put the point in a smaller stratum).

        Examples
        --------
        >>> z = Parametrization(50, lambda z: {"z": z}).sample(3)["z"]
        >>> len(set(np.abs(z))), bool(np.all(z * 2**15 % 1 == 0)), bool(np.all(np.abs(z) <= 2))
        (50, True, True)
        """
        rng = np.random.default_rng(seed)
        magnitude = rng.choice(np.arange(1, 2**16 + 1), size=self.dimension, replace=False)
        sign = rng.choice([-1.0, 1.0], size=self.dimension)
        return self.build(sign * magnitude / 2.0**15)


def dyadic_values(rng: np.random.Generator, shape) -> np.ndarray:
    """Random nonzero multiples of 1/16 in [-2, 2] (exact in binary floating point).

    Examples
    --------
    >>> values = dyadic_values(np.random.default_rng(0), 1000)
    >>> bool(np.all(values != 0)), bool(np.all(np.abs(values) <= 2)), bool(np.all(values * 16 % 1 == 0))
    (True, True, True)
    """
    magnitude = rng.integers(1, 33, size=shape)
    sign = rng.choice([-1.0, 1.0], size=shape)
    return sign * magnitude / 16.0


def exact_low_rank(rng: np.random.Generator, rows: int, cols: int, rank: int) -> np.ndarray:
    """A random ``rows x cols`` matrix of rank exactly ``rank`` in float64.

    The factors hold multiples of 1/16 in [-2, 2], so the product is exact in
    binary floating point: the matrix lies in the rank-``rank`` stratum itself,
    not only within rounding of it (high-precision and ball arithmetic see the
    float values exactly).

    Examples
    --------
    >>> M = exact_low_rank(np.random.default_rng(0), 4, 5, 2)
    >>> import sympy
    >>> sympy.Matrix(M.tolist()).rank()
    2
    """
    return dyadic_values(rng, (rows, rank)) @ dyadic_values(rng, (rank, cols))


def stratum_parametrization(spec: Spec, stratum) -> Parametrization:
    """The parametrization of a stratum listed by :func:`rankstrat.theory.rank.stratum.list_strata`.

    Each family's numerics module (:mod:`rankstrat.numerics.families`) maps the
    stratum's labels to a parametrization.

    Raises
    ------
    InputError
        For a family without listed strata.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.theory.rank.stratum import list_strata
    >>> spec = parse_spec("mf:n1=2,k=2,n2=2")
    >>> top = list_strata(spec)[-1]
    >>> stratum_parametrization(spec, top).dimension >= top.dimension.value
    True
    """
    from rankstrat.numerics.families import numeric_family

    builder = getattr(numeric_family(spec), "stratum_parametrization", None)
    if builder is None:
        raise InputError(f"{spec.family}: no strata are listed for this family")
    return builder(spec, stratum.labels)
