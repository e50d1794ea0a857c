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
- ``num_params_formula(spec)`` and ``generic_rank(spec)``: closed forms;
- ``NAMES``: the family names it serves (``cnn`` serves ``cnn1d`` and ``cnn2d``).

The registry is the package itself: a module here with ``NAMES`` is a family.
Its numeric side is the module of the same name in
:mod:`rankstrat.numerics.families`.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from rankstrat.theory.errors import SpecError


@functools.lru_cache(maxsize=None)
def _registry() -> dict:
    names = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name in getattr(module, "NAMES", ()):
            names[name] = module
    return names


def family_names() -> list:
    """The family names, in order of their modules.

    Examples
    --------
    >>> family_names()
    ['cnn1d', 'cnn2d', 'mf', 'mlp', 'twolayer']
    """
    return list(_registry())


def get_family(name: str):
    """The module that defines family ``name``.

    Parameters
    ----------
    name : str
        One of :func:`family_names`.

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
    registry = _registry()
    if name not in registry:
        raise SpecError(f"unknown family {name!r}; expected one of {', '.join(registry)}")
    return registry[name]
