"""Symbolic side of rankstrat: architecture descriptions, sympy models and closed forms.

This package imports no torch. Everything numeric lives in :mod:`rankstrat.numerics`.
The names re-exported here load on first use, so importing
:mod:`rankstrat.theory.errors` alone does not import sympy.

Examples
--------
>>> from rankstrat.theory import parse_spec
>>> str(parse_spec("mf:n1=2,k=1,n2=2"))
'mf:n1=2,k=1,n2=2,depth=2'
"""

from rankstrat.theory.errors import RankstratError, SpecError

SPEC_NAMES = ("Spec", "parse_spec", "load_spec", "spec_from_mapping")
"""Names re-exported lazily from :mod:`rankstrat.theory.spec`."""

__all__ = ["RankstratError", "SpecError", "Spec", "parse_spec", "load_spec", "spec_from_mapping"]


def __getattr__(name: str):
    if name in SPEC_NAMES:
        from rankstrat.theory import spec

        return getattr(spec, name)
    raise AttributeError(f"module 'rankstrat.theory' has no attribute {name!r}")
