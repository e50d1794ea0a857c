"""User models, numerically: the ``--target units=N`` point of a model that
declares its units (``UNITS`` of a model file)."""

from __future__ import annotations

import numpy as np

from rankstrat.numerics.model.points import check_point, random_point
from rankstrat.numerics.model.targets import Target, count_value
from rankstrat.theory.errors import InputError


def active_units_point(model, point: dict, active: int) -> dict:
    """``point`` with every unit of the model's first unit layer after the first
    ``active`` zeroed (their ``in``, ``bias`` and ``out`` entries).

    Parameters
    ----------
    model : UserModel
        With declared units.
    point : dict
    active : int

    Returns
    -------
    dict

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> model = parse_spec("examples/attention.py:d=2,k=3")
    >>> p = active_units_point(model, random_point(model, 0), 1)
    >>> bool((p["WQ"][:, 1:] == 0).all() and (p["WK"][:, 1:] == 0).all()), bool((p["WQ"][:, 0] != 0).all())
    (True, True)
    """
    from rankstrat.numerics.discovery.units import declared_layers

    layers = declared_layers(model)
    if not layers:
        raise InputError(f"--target units=N: {model} declares no units; add UNITS to the model file")
    names = [name for name, _ in model.shapes]
    flat = np.concatenate([np.asarray(point[n], dtype=float).reshape(-1) for n in names])
    for unit in layers[0].units[active:]:
        flat[list(unit.inputs + unit.bias + unit.out)] = 0.0
    out, start = {}, 0
    for name, shape in model.shapes:
        size = int(np.prod(shape, dtype=np.int64))
        out[name] = flat[start : start + size].reshape(shape)
        start += size
    return out


def units_target(model, value: str, seed: int = 0) -> Target:
    """``--target units=N``: a point where ``N`` units of the first declared
    unit layer are active: the model file's ``TARGET(units, seed, **sizes)``
    when it has one, else a random point with the other units zeroed.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> model = parse_spec("examples/attention.py:d=3,k=3")
    >>> point = units_target(model, "2").point
    >>> int(np.linalg.matrix_rank(point["WQ"] @ point["WK"].T))
    2
    >>> units_target(model, "4")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --target: units=4 exceeds the 3 units of head coordinates
    """
    from rankstrat.numerics.discovery.units import declared_layers

    count = count_value("units", value, model.family)
    layers = declared_layers(model)
    if not layers:
        raise InputError(f"--target units=N: {model} declares no units; add UNITS to the model file")
    if count > len(layers[0].units):
        raise InputError(f"--target: units={count} exceeds the {len(layers[0].units)} units of {layers[0].name}")
    if model.target_builder is not None:
        point = check_point(model, model.target_builder(count, seed), "TARGET of the model file")
    else:
        point = active_units_point(model, random_point(model, seed), count)
    return Target(point, f"units={count}")


TARGETS = {"units": ("units=N", units_target)}
"""Structural targets: key -> (how it is written, builder)."""
