"""Parameter points and input sets: random, zero, or read from a file."""

from __future__ import annotations

import json
import os

import numpy as np

from rankstrat.theory.errors import InputError
from rankstrat.theory.model.symbolic import param_shapes
from rankstrat.theory.spec import Spec


def random_point(spec: Spec, seed: int = 0, scale: float = 1.0) -> dict:
    """Parameters with independent ``N(0, scale^2)`` entries.

    Parameters
    ----------
    spec : Spec
    seed : int
    scale : float

    Returns
    -------
    dict of name -> float64 array

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> p = random_point(parse_spec("twolayer:d=2,k=3"), seed=1)
    >>> p["W"].shape, p["a"].dtype
    ((3, 2), dtype('float64'))
    """
    rng = np.random.default_rng(seed)
    return {name: scale * rng.standard_normal(shape) for name, shape in param_shapes(spec).items()}


def zero_point(spec: Spec) -> dict:
    """All parameters zero.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> float(zero_point(parse_spec("mf:n1=2,k=1,n2=2"))["A"].sum())
    0.0
    """
    return {name: np.zeros(shape) for name, shape in param_shapes(spec).items()}


def check_point(spec: Spec, point: dict, where: str = "point") -> dict:
    """Validate a ``{name: values}`` point against the spec's shapes.

    Returns the point with float64 arrays.

    Raises
    ------
    InputError
        Missing or unknown names, wrong shapes, non-finite values.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> check_point(parse_spec("mf:n1=1,k=1,n2=1"), {"A": [[1]], "B": [[2]]})["B"]
    array([[2.]])
    >>> check_point(parse_spec("mf:n1=1,k=1,n2=1"), {"A": [[1]]})
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: point: missing parameter 'B' of shape (1, 1); expected names A, B
    """
    shapes = param_shapes(spec)
    expected = ", ".join(shapes)
    for name in point:
        if name not in shapes:
            raise InputError(f"{where}: unknown parameter {name!r}; expected names {expected}")
    out = {}
    for name, shape in shapes.items():
        if name not in point:
            raise InputError(f"{where}: missing parameter {name!r} of shape {shape}; expected names {expected}")
        try:
            array = np.asarray(point[name], dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(f"{where}: parameter {name!r} is not numeric") from None
        if array.shape != tuple(shape):
            raise InputError(f"{where}: parameter {name!r} has shape {array.shape}, expected {tuple(shape)}")
        if not np.all(np.isfinite(array)):
            raise InputError(f"{where}: parameter {name!r} has non-finite values")
        out[name] = array
    return out


def load_point(spec: Spec, path: str | os.PathLike) -> dict:
    """Read a point from a JSON file ``{"W": [[...]], "a": [...]}``.

    Raises
    ------
    InputError
        Missing file, invalid JSON, or a point that does not fit the spec.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from rankstrat.theory.spec import parse_spec
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "p.json"
    >>> _ = path.write_text('{"A": [[1.0]], "B": [[2.0]]}')
    >>> load_point(parse_spec("mf:n1=1,k=1,n2=1"), path)["A"]
    array([[1.]])
    """
    try:
        with open(path) as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise InputError(f"--at: file {str(path)!r} does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"--at: file {str(path)!r} is not valid JSON ({exc})") from None
    except OSError as exc:
        raise InputError(f"--at: cannot read {str(path)!r} ({exc.strerror or exc}); expected a JSON file") from None
    if not isinstance(data, dict):
        raise InputError(f"--at: file {str(path)!r} must hold an object of parameter arrays by name")
    return check_point(spec, data, where=f"--at {path}")


def resolve_point(spec: Spec, at: str | dict = "random", seed: int = 0) -> dict:
    """The point named by ``--at``: ``random``, ``zero``, a JSON path, or a dict.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> sorted(resolve_point(parse_spec("twolayer:d=1,k=1"), "zero"))
    ['W', 'a']
    >>> resolve_point(parse_spec("twolayer:d=1,k=1"), "nowhere.json")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --at: file 'nowhere.json' does not exist
    """
    if isinstance(at, dict):
        return check_point(spec, at)
    if at == "random":
        return random_point(spec, seed)
    if at == "zero":
        return zero_point(spec)
    return load_point(spec, at)


def flat_point(spec: Spec, point: dict) -> np.ndarray:
    """The flat float64 vector of a point, in :func:`rankstrat.theory.model.symbolic.param_names` order.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> flat_point(parse_spec("mf:n1=1,k=1,n2=1"), {"A": [[1.0]], "B": [[2.0]]})
    array([1., 2.])
    """
    return np.concatenate([np.asarray(point[name], dtype=np.float64).reshape(-1) for name in param_shapes(spec)])


def generic_inputs(spec: Spec, n: int, seed: int = 0) -> np.ndarray:
    """``n`` standard normal inputs, shape ``(n, input_dim)``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> generic_inputs(parse_spec("cnn2d:d=4,s=2,k=1"), 5).shape
    (5, 16)
    """
    if n < 1:
        raise InputError(f"--inputs must be a positive integer, got {n}")
    rng = np.random.default_rng(10_000 + seed)
    return rng.standard_normal((n, spec.module.input_dim(spec)))


def flat_indices(spec) -> dict:
    """Each parameter's flat indices as an integer array of its shape.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> flat_indices(parse_spec("twolayer:d=2,k=2"))["a"].tolist()
    [4, 5]
    """
    out, start = {}, 0
    for name, shape in param_shapes(spec).items():
        size = int(np.prod(shape, dtype=np.int64))
        out[name] = np.arange(start, start + size).reshape(shape)
        start += size
    return out
