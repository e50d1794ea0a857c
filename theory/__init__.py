"""Symbolic side of rankstrat: architecture descriptions, sympy models and closed forms.

This package imports no torch. Everything numeric lives in :mod:`rankstrat.numerics`.
"""

from rankstrat.theory.errors import RankstratError, SpecError
from rankstrat.theory.spec import Spec, load_spec, parse_spec, spec_from_mapping

__all__ = [
    "RankstratError",
    "SpecError",
    "Spec",
    "parse_spec",
    "load_spec",
    "spec_from_mapping",
]
