"""Model families. Each module holds, side by side, one family's parameter
shapes, its forward map (written once, for sympy object arrays and torch
tensors alike), and its closed forms.

Every family module defines

- ``KEYS``: the spec keys it accepts (:class:`rankstrat.theory.spec.Key`);
- ``param_shapes(spec)``: ordered ``{name: shape}``;
- ``input_dim(spec)``: length of one input vector;
- ``forward(params, X, act)``: outputs for a batch ``X`` of shape ``(n, input_dim)``,
  using only ``@``, ``*``, ``+``, indexing, ``reshape`` and ``sum``, so the same
  code runs on numpy object arrays of sympy symbols and on torch tensors;
- ``num_params_formula(spec)`` and ``generic_rank(spec)``: closed forms.
"""

from __future__ import annotations

import importlib

from rankstrat.theory.errors import SpecError

FAMILY_MODULES = {
    "mf": "rankstrat.theory.families.mf",
    "twolayer": "rankstrat.theory.families.twolayer",
    "mlp": "rankstrat.theory.families.mlp",
    "cnn1d": "rankstrat.theory.families.cnn",
    "cnn2d": "rankstrat.theory.families.cnn",
}
"""Family name -> module path."""


def get_family(name: str):
    """The module that defines family ``name``.

    Parameters
    ----------
    name : str
        One of the keys of :data:`FAMILY_MODULES`.

    Returns
    -------
    module

    Raises
    ------
    SpecError
        For an unknown family.

    Examples
    --------
    >>> get_family("twolayer").__name__
    'rankstrat.theory.families.twolayer'
    """
    if name not in FAMILY_MODULES:
        raise SpecError(
            f"unknown family {name!r}; expected one of {', '.join(FAMILY_MODULES)}"
        )
    return importlib.import_module(FAMILY_MODULES[name])
