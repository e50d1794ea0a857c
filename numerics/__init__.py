"""Numeric side of rankstrat: torch realisations, Jacobians, the rank engine,
certified bounds, training, sweeps and data.

Every function takes a :class:`rankstrat.theory.spec.Spec`, the same description the
symbolic side uses.
"""
