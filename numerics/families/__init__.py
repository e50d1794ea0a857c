"""The numeric side of each family: one module per theory family module
(:mod:`rankstrat.theory.families`), with the same name.

A family's numerics module may define

- ``TARGETS``: ``{key: (written form, builder)}``, the structural targets of
  ``--target key=value``; ``builder(spec, value, seed)`` returns a
  :class:`rankstrat.numerics.model.targets.Target`;
- ``stratum_parametrization(spec, labels)``: the
  :class:`rankstrat.numerics.model.stratum_points.Parametrization` of the
  stratum with these labels (:func:`rankstrat.theory.rank.stratum.list_strata`).

Adding a family means adding its theory module and this module; nothing else
dispatches on the family's name.
"""

from __future__ import annotations

import importlib
import types

EMPTY = types.ModuleType("rankstrat.numerics.families.none", "A family without a numerics module.")


def numeric_family(spec_or_name):
    """The numerics module of a spec's family (an empty module when it has none).

    Parameters
    ----------
    spec_or_name : Spec, user model or str
        A spec, or a family name such as ``"cnn2d"`` (``"user"`` for user models).

    Examples
    --------
    >>> numeric_family("cnn2d").__name__
    'rankstrat.numerics.families.cnn'
    >>> sorted(numeric_family("twolayer").TARGETS), sorted(numeric_family("user").TARGETS)
    (['neurons'], ['units'])
    """
    from rankstrat.theory.families import get_family

    if spec_or_name == "user" or getattr(spec_or_name, "family", None) == "user":
        return importlib.import_module(f"{__name__}.user")
    module = get_family(spec_or_name) if isinstance(spec_or_name, str) else spec_or_name.module
    short = module.__name__.rpartition(".")[2]
    if not module.__name__.startswith("rankstrat.theory.families."):
        return EMPTY
    try:
        return importlib.import_module(f"{__name__}.{short}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{short}":
            raise
        return EMPTY
