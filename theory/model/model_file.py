"""Python model files: a module that defines ``model``, a model object or a function
of its sizes (keyword arguments with integer defaults) returning one, and
optionally ``CLAIM = "model_rank == ..."``, its closed form."""

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
    except Exception as exc:
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
        return dataclasses.replace(target, source=path, identity=(target.kind, path, target.values),
                                   claim=target.claim or claim)
    if not callable(target):
        raise SpecError(f"model file {path!r}: 'model' must be a model object or a function of sizes")
    defaults = {}
    for parameter in inspect.signature(target).parameters.values():
        if not isinstance(parameter.default, int) or isinstance(parameter.default, bool):
            raise SpecError(
                f"model file {path!r}: every argument of model() needs an integer default "
                f"(size {parameter.name!r} has none)"
            )
        defaults[parameter.name] = parameter.default
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
        except Exception as exc:
            shown = ", ".join(f"{k}={v}" for k, v in values.items())
            raise SpecError(f"model file {path!r}: model({shown}) failed: {type(exc).__name__}: {exc}") from None
        if not isinstance(built, UserModel):
            raise SpecError(f"model file {path!r}: model() returned {type(built).__name__}, not a user model")
        return built if built.claim or not claim else dataclasses.replace(built, claim=claim)

    return with_origin(build(**sizes), build, sizes, source=path)


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
