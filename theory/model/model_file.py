"""Python model files: a module that defines ``model``, a model object or a function
of its sizes returning one, and optionally

- ``SIZES = {"d": 3, "k": 2}``: default sizes (for arguments of ``model``
  without an integer default);
- ``CLAIM = "model_rank == ..."``: its closed form;
- ``UNITS``: its unit layers, a list of ``{"count": K, "in": [(NAME, AXIS),
  ...], "bias": [...], "out": [...], "signs": [1, -1]}`` (``K`` an integer or
  a size name; unit ``i`` owns ``NAME[..., i, ...]`` along ``AXIS``), or a
  function of the sizes returning one. Units give ``--target units=N``, strata
  discovery and ``--minimize``;
- ``SYMMETRIES(point)``: tangent vectors ``{NAME: array}`` (or flat lists)
  claimed to lie in the Jacobian's kernel at ``point`` (parameter arrays of
  exact rationals); each is verified exactly before it bounds the rank;
- ``TARGET(units, seed, **sizes)``: the point with ``units`` active units, when
  zeroing the other units is not the right construction.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import os
from typing import Optional

from rankstrat.theory.errors import SpecError
from rankstrat.theory.model.user_model import UserModel, positive_size, with_origin


def _load_python(path: str, overrides: dict) -> UserModel:
    module_name = "rankstrat_user_model_" + str(abs(hash(os.path.abspath(path))))
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SpecError:
        raise
    except (Exception, SystemExit) as exc:  # a file that calls sys.exit is a failed file too
        raise SpecError(f"model file {path!r} failed to run: {type(exc).__name__}: {exc}") from None
    claim = getattr(module, "CLAIM", None)
    if claim is not None and not isinstance(claim, str):
        raise SpecError(f"model file {path!r}: CLAIM must be a string such as \"model_rank == k*(d+1)\"")
    target = getattr(module, "model", None)
    if target is None:
        raise SpecError(
            f"model file {path!r} defines no 'model'; expected a model object or a function of "
            "its sizes returning one"
        )
    if isinstance(target, UserModel):
        if overrides:
            raise SpecError(f"model file {path!r}: 'model' is a fixed model; sizes cannot be set")
        fixed = dataclasses.replace(target, source=path, identity=(target.kind, path, target.values),
                                    claim=target.claim or claim)
        return _declare(fixed, _declarations(module, path), dict(target.values), path)
    if not callable(target):
        raise SpecError(f"model file {path!r}: 'model' must be a model object or a function of sizes")
    declared_sizes = getattr(module, "SIZES", None) or {}
    if not isinstance(declared_sizes, dict):
        raise SpecError(f"model file {path!r}: SIZES must be a dict of size names to integers, e.g. {{'d': 3}}")
    defaults = {}
    for parameter in inspect.signature(target).parameters.values():
        default = declared_sizes.get(parameter.name, parameter.default)
        if not isinstance(default, int) or isinstance(default, bool):
            raise SpecError(
                f"model file {path!r}: every argument of model() needs an integer default, in its "
                f"signature or in SIZES (size {parameter.name!r} has none)"
            )
        defaults[parameter.name] = default
    extras = _declarations(module, path)
    for key in overrides:
        if key not in defaults:
            listed = ", ".join(defaults) if defaults else "(none)"
            raise SpecError(f"model file {path!r}: unknown size {key!r}; its sizes are {listed}")
    sizes = {**defaults, **{k: positive_size(path, k, v) for k, v in overrides.items()}}
    def build(**values):
        try:
            built = target(**values)
        except SpecError:
            raise
        except (Exception, SystemExit) as exc:
            shown = ", ".join(f"{k}={v}" for k, v in values.items())
            raise SpecError(f"model file {path!r}: model({shown}) failed: {type(exc).__name__}: {exc}") from None
        if not isinstance(built, UserModel):
            raise SpecError(f"model file {path!r}: model() returned {type(built).__name__}, not a user model")
        if not built.claim and claim:
            built = dataclasses.replace(built, claim=claim)
        return _declare(built, extras, values, path)

    return with_origin(build(**sizes), build, sizes, source=path)


def _declarations(module, path: str) -> dict:
    """``UNITS``, ``SYMMETRIES`` and ``TARGET`` of a model file, checked for type."""
    units = getattr(module, "UNITS", None)
    if units is not None and not (callable(units) or isinstance(units, (list, tuple))):
        raise SpecError(f"model file {path!r}: UNITS must be a list of unit layers or a function of the sizes")
    out = {"units": units}
    for name in ("SYMMETRIES", "TARGET"):
        value = getattr(module, name, None)
        if value is not None and not callable(value):
            raise SpecError(f"model file {path!r}: {name} must be a function")
        out[name.lower()] = value
    return out


def resolve_units(declared, sizes: dict, shapes: dict, where: str) -> tuple:
    """Unit layers with counts resolved to integers, checked against the parameter shapes.

    Parameters
    ----------
    declared : list of dict
        As ``UNITS`` of a model file (``count`` an integer or a size name).
    sizes : dict
    shapes : dict
        Parameter name -> shape.
    where : str
        For error messages.

    Returns
    -------
    tuple of dict

    Raises
    ------
    SpecError
        Unknown parameters or sizes, bad axes, or slices of the wrong length.

    Examples
    --------
    >>> resolve_units([{"count": "k", "in": [("Wq", 1)], "out": [("Wk", 1)]}], {"d": 3, "k": 2},
    ...               {"Wq": (3, 2), "Wk": (3, 2)}, "m.py")[0]["count"]
    2
    >>> resolve_units([{"count": "k", "in": [("Wq", 0)]}], {"d": 3, "k": 2}, {"Wq": (3, 2)}, "m.py")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.SpecError: m.py: UNITS: Wq has 3 entries along axis 0, not the 2 units declared
    """
    out = []
    for number, entry in enumerate(declared, start=1):
        if not isinstance(entry, dict) or "count" not in entry:
            raise SpecError(f"{where}: UNITS entry {number} must be a dict with 'count' and groups 'in', 'bias', 'out'")
        unknown = sorted(set(entry) - {"count", "in", "bias", "out", "signs", "name"})
        if unknown:
            raise SpecError(f"{where}: UNITS entry {number} has unknown keys {unknown}; "
                            "accepted: count, in, bias, out, signs, name")
        count = entry["count"]
        if isinstance(count, str):
            if count not in sizes:
                raise SpecError(f"{where}: UNITS count {count!r} is not a size; sizes are {', '.join(sizes)}")
            count = sizes[count]
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise SpecError(f"{where}: UNITS count must be a positive integer or a size name, got {count!r}")
        resolved = {"count": count, "name": str(entry.get("name", f"units {number}")),
                    "signs": tuple(int(v) for v in entry.get("signs", (1,)))}
        for group in ("in", "bias", "out"):
            parts = []
            for item in entry.get(group, ()):
                name, axis = item
                if name not in shapes:
                    raise SpecError(f"{where}: UNITS: no parameter {name!r}; the model has {', '.join(shapes)}")
                shape = shapes[name]
                if not isinstance(axis, int) or not -len(shape) <= axis < len(shape):
                    raise SpecError(f"{where}: UNITS: axis {axis!r} of {name} is out of range for shape {shape}")
                if shape[axis] != count:
                    raise SpecError(f"{where}: UNITS: {name} has {shape[axis]} entries along axis {axis}, "
                                    f"not the {count} units declared")
                parts.append((name, axis))
            resolved[group] = tuple(parts)
        if not any(resolved[g] for g in ("in", "bias", "out")):
            raise SpecError(f"{where}: UNITS entry {number} names no parameters in 'in', 'bias' or 'out'")
        out.append(resolved)
    return tuple(out)


def _declare(model: UserModel, extras: dict, sizes: dict, path: str) -> UserModel:
    units = extras["units"]
    if callable(units):
        units = units(**sizes)
    resolved = resolve_units(units or (), sizes, dict(model.shapes), f"model file {path!r}")
    if extras["symmetries"] is not None and not model.symbolic:
        raise SpecError(f"model file {path!r}: SYMMETRIES are verified exactly, which needs a symbolic model "
                        "(sympy_model or an architecture file), not a plain torch function")
    target = extras["target"]
    builder = None if target is None else (lambda units, seed: target(units, seed, **sizes))
    return dataclasses.replace(model, units=resolved, symmetries=extras["symmetries"], target_builder=builder)


def load_python_model(path: str, overrides: Optional[dict] = None) -> UserModel:
    """Load a Python model file: its ``model`` object, or its builder at the given sizes.

    Parameters
    ----------
    path : str
        A ``.py`` file defining ``model``.
    overrides : dict, optional
        Sizes to set (``{'k': '3'}``).

    Returns
    -------
    UserModel

    Raises
    ------
    SpecError
        Missing file, a file that fails, defines no model, or unknown sizes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "lin.py"
    >>> _ = path.write_text(
    ...     "from rankstrat.theory.model.layer_file import layer_model\\n"
    ...     "def model(d=2):\\n"
    ...     "    return layer_model({'input': d, 'layers': [{'type': 'readout'}]})\\n")
    >>> load_python_model(str(path), {"d": "5"}).num_params
    5
    """
    if not os.path.exists(path):
        raise SpecError(f"model file {str(path)!r} does not exist")
    return _load_python(str(path), dict(overrides or {}))
