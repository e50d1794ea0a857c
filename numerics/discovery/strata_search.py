"""Strata discovered from structure: every degeneration measured, then merged.

For each degeneration (:mod:`rankstrat.numerics.discovery.degenerations`) at
an exact dyadic point of it:

- the model rank, by the rank engine, with its certainty;
- the dimension, measured independently of any formula: the rank of the
  Jacobian of the degeneration's parametrization at a random point;
- a *profile*: the ranks of the model Jacobian restricted to the column
  groups of the structure (incoming weights, biases, output weights, incoming
  weights of the units with ``w != 0``; factors ``A`` and ``B`` for mf).

Degenerations with the same rank and profile form one discovered stratum, and
a stratum whose largest piece lies in the closure of a larger one of equal
rank joins it (:func:`rankstrat.numerics.discovery.poset.merge_closures`). A
stratum's dimension is that of its largest piece (the convention of the
hand-derived strata), and the piece that attains it is its representative.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from rankstrat.numerics.discovery.degenerations import Degeneration, degenerations, unit_permutations
from rankstrat.numerics.discovery.poset import merge_closures
from rankstrat.numerics.model.jacobian import jacobian
from rankstrat.numerics.model.points import flat_point, generic_inputs
from rankstrat.numerics.rank.engine import FLOAT64_EPS, RankResult, decide_spectrum, jacobian_rank
from rankstrat.numerics.rank.strata_check import parametrization_dimension
from rankstrat.theory.model.symbolic import num_params


@dataclass
class MeasuredPiece:
    """One degeneration with what was measured at a point of it."""

    degeneration: Degeneration
    result: RankResult
    dimension: int
    profile: tuple

    @property
    def key(self) -> tuple:
        """What tells strata apart: ``(rank, profile)``."""
        return (self.result.rank, self.profile)


@dataclass
class DiscoveredStratum:
    """A discovered stratum: pieces with one rank and profile.

    Attributes
    ----------
    rank : int or None
    certainty : str
        The weakest certainty among its pieces' ranks.
    dimension : int
        Of the largest piece.
    profile : tuple
    pieces : list of MeasuredPiece
    """

    rank: int
    certainty: str
    dimension: int
    profile: tuple
    pieces: list = field(default_factory=list)

    @property
    def representative(self) -> MeasuredPiece:
        """The largest piece (first of them by name)."""
        return max(self.pieces, key=lambda p: (p.dimension, -len(p.degeneration.name)))

    @property
    def name(self) -> str:
        """The representative's description."""
        return self.representative.degeneration.name

    def as_dict(self) -> dict:
        """Plain types for JSON and tables."""
        return {
            "stratum": self.name, "rank": self.rank, "certainty": self.certainty,
            "dimension": self.dimension, "profile": [list(p) for p in self.profile], "pieces": len(self.pieces),
        }


def _profile(spec, point: dict, X: np.ndarray, groups: tuple) -> tuple:
    J = jacobian(spec, flat_point(spec, point), X)
    out = []
    for name, cols in groups:
        if not cols:
            continue
        block = J[:, list(cols)]
        values = np.linalg.svd(block, compute_uv=False) if block.size else np.zeros(0)
        scale = np.linalg.svd(J, compute_uv=False)[:1]
        # relative to the whole Jacobian, so a vanishing block counts as rank 0
        decision = decide_spectrum(list(scale) + list(values), J.shape, FLOAT64_EPS)
        out.append((name, max(decision.rank - 1, 0) if scale.size and scale[0] > 0 else 0))
    return tuple(out)


def measure_pieces(spec, seed: int = 0, certify: bool = True, max_count: int = 5000) -> list:
    """Measure every degeneration of ``spec``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> pieces = measure_pieces(parse_spec("mf:n1=2,k=1,n2=2"))
    >>> sorted((p.result.rank, p.dimension) for p in pieces)
    [(0, 0), (2, 2), (2, 2), (3, 4)]
    """
    X = generic_inputs(spec, 2 * num_params(spec), seed)
    out = []
    for number, gen in enumerate(degenerations(spec, max_count)):
        point = gen.parametrization.sample(seed + number)
        result = jacobian_rank(spec, point, X, certify=certify)
        dimension = parametrization_dimension(spec, gen.parametrization, seed)
        out.append(MeasuredPiece(gen, result, dimension, _profile(spec, point, X, gen.groups)))
    return out


def _weakest(certainties) -> str:
    from rankstrat.cases.claim import CERTAINTY_ORDER

    order = {c: i for i, c in enumerate(CERTAINTY_ORDER)}
    return min(certainties, key=lambda c: order.get(c, -1))


def discover_strata(spec, seed: int = 0, certify: bool = True, max_count: int = 5000) -> list:
    """The discovered strata of ``spec``, lowest rank first.

    Parameters
    ----------
    spec : Spec or user model
    seed : int
    certify : bool
        Ask the engine for proven bounds (slower).
    max_count : int
        Largest number of degenerations measured.

    Returns
    -------
    list of DiscoveredStratum

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> [(s.rank, s.dimension) for s in discover_strata(parse_spec("mf:n1=2,k=1,n2=2"))]
    [(0, 0), (2, 2), (2, 2), (3, 4)]
    """
    groups: dict = {}
    for piece in measure_pieces(spec, seed, certify, max_count):
        groups.setdefault(piece.key, []).append(piece)
    strata = [
        DiscoveredStratum(key[0], _weakest(p.result.certainty for p in pieces),
                          max(p.dimension for p in pieces), key[1], pieces)
        for key, pieces in groups.items()
    ]
    strata = merge_closures(strata, unit_permutations(spec))
    for stratum in strata:
        stratum.certainty = _weakest(p.result.certainty for p in stratum.pieces)
    return sorted(strata, key=lambda s: (-1 if s.rank is None else s.rank, s.dimension, s.name))


def compare_with_theory(spec, strata: list) -> dict:
    """Discovered against hand-derived strata, as multisets of ``(rank, dimension)``.

    Returns
    -------
    dict
        ``stated`` (number of hand-derived strata), ``matched``, ``missing``
        (hand-derived, not discovered), ``extra`` (discovered, not stated),
        ``exact`` (nothing missing and nothing extra) and ``note``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("mf:n1=2,k=1,n2=2")
    >>> compare_with_theory(spec, discover_strata(spec))["exact"]
    True
    """
    from rankstrat.theory.rank.stratum import list_strata, strata_note

    stated = Counter((s.rank.value, s.dimension.value) for s in list_strata(spec))
    found = Counter((s.rank, s.dimension) for s in strata)
    missing = stated - found
    extra = found - stated
    return {
        "stated": sum(stated.values()), "discovered": sum(found.values()),
        "matched": sum((stated & found).values()), "missing": sorted(missing.elements()),
        "extra": sorted(extra.elements(), key=lambda t: (t[0] is None, t)), "exact": not missing and not extra,
        "note": strata_note(spec),
    }
