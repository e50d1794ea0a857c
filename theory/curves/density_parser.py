"""Density strings: :func:`parse_density` turns ``FAMILY:key=value,...`` into
an :class:`rankstrat.theory.curves.error_density.ErrorDensity`, and :func:`read_errors` reads
the files of measured errors that the ``empirical`` and ``histogram`` strings
name.

Families and their strings (:data:`FAMILIES`)::

    beta:a=2,b=5                 Beta(a, b) on [0, 1]
    beta:a=2,b=5,offset=0.01     the same, shifted and squeezed onto [offset, 1]
    powerlaw:k=1.5,offset=0.02   rho proportional to (eps - offset)^k on [offset, 1]
    uniform                      Beta(1, 1)
    mix:0.9*beta:a=2,b=80+0.1*powerlaw:k=1,offset=0.3
                                 finite mixture; weights are normalised
    empirical:file=errors.txt    point masses at measured errors (text or .npy)
    histogram:file=errors.txt,bins=20
                                 piecewise-constant density of measured errors
"""

from __future__ import annotations

import os
import re

import numpy as np

from rankstrat.theory.curves.error_density import (
    BetaDensity,
    EmpiricalDensity,
    ErrorDensity,
    HistogramDensity,
    MixtureDensity,
    PowerLawDensity,
    checked_errors,
)
from rankstrat.theory.errors import InputError

FAMILIES = {
    "beta": "beta:a=A,b=B[,offset=O]",
    "powerlaw": "powerlaw:k=K[,offset=O]",
    "uniform": "uniform",
    "mix": "mix:W1*DENSITY+W2*DENSITY...",
    "empirical": "empirical:file=PATH",
    "histogram": "histogram:file=PATH[,bins=N]",
}
"""Density families and their string forms."""


def _expected() -> str:
    return "; ".join(FAMILIES.values())


MAX_BINS = 100_000
"""Most bins of a histogram density."""


def _parse_keys(text: str, family: str, body: str, allowed: dict) -> dict:
    """``key=value`` items of a density string; floats and integers in ASCII digits, each key once.

    Examples
    --------
    >>> _parse_keys("histogram:file=e.txt,bins=1e15", "histogram", "file=e.txt,bins=1e15", {"file": str, "bins": int})
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: density 'histogram:file=e.txt,bins=1e15': histogram: bins: 1000000000000000 is too large; expected an integer >= 1 and <= 100000
    >>> _parse_keys("beta:a=2,a=3", "beta", "a=2,a=3", {"a": float})
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: density 'beta:a=2,a=3': beta: a given twice
    """
    from rankstrat.theory.values import REAL_FORM, is_real, parse_integer

    values = {}
    for item in filter(None, (part.strip() for part in body.split(","))):
        if "=" not in item:
            raise InputError(f"density {text!r}: {family}: expected key=value, got {item!r}; "
                             f"form {FAMILIES[family]}")
        key, raw = (s.strip() for s in item.split("=", 1))
        if key not in allowed:
            raise InputError(f"density {text!r}: {family}: unknown key {key!r}; "
                             f"expected one of {', '.join(allowed)}")
        if key in values:
            raise InputError(f"density {text!r}: {family}: {key} given twice")
        kind = allowed[key]
        if kind is str:
            if not raw:
                raise InputError(f"density {text!r}: {family}: {key} is empty; form {FAMILIES[family]}")
            values[key] = raw
        elif kind is int:
            values[key] = parse_integer(raw, f"density {text!r}: {family}: {key}", 1, MAX_BINS)
        elif not is_real(raw):
            raise InputError(f"density {text!r}: {family}: {key}={raw!r} is not a number; expected {REAL_FORM}")
        else:
            values[key] = float(raw)
    return values


def _required(text, family, values, *keys):
    missing = [k for k in keys if k not in values]
    if missing:
        raise InputError(f"density {text!r}: {family}: missing {', '.join(missing)}; form {FAMILIES[family]}")


def read_errors(path: str) -> np.ndarray:
    """Read measured errors from a text file (numbers separated by space, comma or newline) or a ``.npy`` file.

    Raises
    ------
    InputError
        When the file is missing, unreadable or holds values outside [0, 1].

    Examples
    --------
    >>> read_errors("/nonexistent/errors.txt")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: errors file '/nonexistent/errors.txt' not found; expected a text file of numbers in [0, 1] or a .npy array
    """
    if not os.path.isfile(path):
        raise InputError(f"errors file {path!r} not found; expected a text file of numbers in [0, 1] or a .npy array")
    try:
        if path.endswith(".npy"):
            values = np.load(path, allow_pickle=False)
        else:
            with open(path, encoding="utf-8") as handle:
                values = np.array([float(t) for t in re.split(r"[\s,;]+", handle.read()) if t])
    except (ValueError, OSError) as exc:
        raise InputError(f"errors file {path!r}: cannot read numbers ({exc})") from None
    return checked_errors(values, f"errors file {path!r}")


def parse_density(text: str) -> ErrorDensity:
    """Turn a density string into an :class:`ErrorDensity`.

    Parameters
    ----------
    text : str
        ``FAMILY:key=value,...``; see the module docstring for the families.

    Returns
    -------
    ErrorDensity

    Raises
    ------
    InputError
        Naming the string, the offending part and what is accepted.

    Examples
    --------
    >>> parse_density("beta:a=2,b=5")
    BetaDensity(a=2.0, b=5.0, offset=0.0)
    >>> parse_density("mix:0.9*beta:a=2,b=80+0.1*powerlaw:k=1,offset=0.3").describe()
    'mix:0.9*beta:a=2,b=80+0.1*powerlaw:k=1,offset=0.3'
    >>> parse_density("beta:a=1e70,b=1")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: density 'beta:a=1e70,b=1': shape parameters must be at most 1e+12
    >>> parse_density("beta:a=2,c=5")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: density 'beta:a=2,c=5': beta: unknown key 'c'; expected one of a, b, offset
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"density {text!r}: empty; expected one of: {_expected()}")
    text = text.strip()
    family, _, body = text.partition(":")
    family = family.strip().lower()
    if family == "uniform":
        if body.strip():
            raise InputError(f"density {text!r}: uniform takes no keys")
        return BetaDensity(1.0, 1.0)
    if family == "beta":
        values = _parse_keys(text, family, body, {"a": float, "b": float, "offset": float})
        _required(text, family, values, "a", "b")
        return _build(text, BetaDensity, values["a"], values["b"], values.get("offset", 0.0))
    if family == "powerlaw":
        values = _parse_keys(text, family, body, {"k": float, "offset": float})
        _required(text, family, values, "k")
        return _build(text, PowerLawDensity, values["k"], values.get("offset", 0.0))
    if family in ("mix", "mixture"):
        return _parse_mixture(text, body)
    if family == "empirical":
        values = _parse_keys(text, family, body, {"file": str})
        _required(text, family, values, "file")
        return EmpiricalDensity(read_errors(values["file"]))
    if family in ("histogram", "hist"):
        values = _parse_keys(text, "histogram", body, {"file": str, "bins": int})
        _required(text, "histogram", values, "file")
        return HistogramDensity.from_errors(read_errors(values["file"]), values.get("bins", 20))
    raise InputError(f"density {text!r}: unknown family {family!r}; expected one of: {_expected()}")


MAX_SHAPE = 1e12
"""Largest shape parameter (``a``, ``b``, ``k``): above it the closed forms lose every digit."""


def _build(text, cls, *args):
    shapes = args[:-1] if cls in (BetaDensity, PowerLawDensity) else ()  # the last argument is the offset
    if any(abs(value) > MAX_SHAPE for value in shapes):
        raise InputError(f"density {text!r}: shape parameters must be at most {MAX_SHAPE:g}")
    try:
        return cls(*args)
    except InputError as exc:
        raise InputError(f"density {text!r}: {exc}") from None


def _parse_mixture(text: str, body: str) -> MixtureDensity:
    parts = [p.strip() for p in re.split(r"(?<![eE])\+", body) if p.strip()]
    if not parts:
        raise InputError(f"density {text!r}: mix: no components; form {FAMILIES['mix']}")
    weights, components = [], []
    for part in parts:
        weight, star, rest = part.partition("*")
        if not star:
            weight, rest = "1", part
        from rankstrat.theory.values import is_real

        if not is_real(weight):
            raise InputError(f"density {text!r}: mix: weight {weight.strip()!r} is not a number; "
                             f"form {FAMILIES['mix']}")
        weights.append(float(weight))
        if rest.split(":", 1)[0].strip().lower() in ("mix", "mixture"):
            raise InputError(f"density {text!r}: mix: components cannot be mixtures themselves")
        components.append(parse_density(rest))
    return _build(text, MixtureDensity, tuple(weights), tuple(components))
