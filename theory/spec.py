"""Architecture descriptions: one immutable :class:`Spec` per model.

A spec names a family and its sizes. Both the symbolic side (:mod:`rankstrat.theory`)
and the numeric side (:mod:`rankstrat.numerics`) take a spec, so the two can never
describe different models.

Grammar of a spec string::

    FAMILY:key=value,key=value

for example ``mf:n1=4,k=4,n2=4``, ``twolayer:d=3,k=5,act=tanh,bias=1``,
``mlp:d=3,widths=4-4,act=tanh,bias=0`` or ``cnn1d:d=5,s=3,k=2,share=1,bias=1``.
A TOML file with a ``family`` key and the same keys is accepted in its place.

User models (:mod:`rankstrat.theory.model.user_model`) are named by their file, optionally
with sizes: ``attention.py:d=4,k=2`` (a Python file defining ``model``) or
``block.toml:k=3`` (an architecture file with ``layers``); a family TOML file
takes the same ``:key=value`` overrides.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping

from rankstrat.theory.activations import Activation, get_activation
from rankstrat.theory.errors import SpecError
from rankstrat.theory.keys import REQUIRED
from rankstrat.theory.model.layer_file import layer_model
from rankstrat.theory.model.model_file import load_python_model


@dataclass(frozen=True)
class Spec:
    """An immutable architecture description: a family and its sizes.

    Build one with :func:`parse_spec`, :func:`load_spec` or
    :func:`spec_from_mapping`; they validate every key.

    Parameters
    ----------
    family : str
        Family name (``mf``, ``twolayer``, ``mlp``, ``cnn1d``, ``cnn2d``).
    values : tuple of (str, object)
        Every key of the family with its typed value, in the family's order.

    Examples
    --------
    >>> spec = parse_spec("twolayer:d=3,k=5")
    >>> spec["k"], spec["act"], spec["bias"]
    (5, 'tanh', 0)
    >>> str(spec)
    'twolayer:d=3,k=5,act=tanh,bias=0'
    >>> spec.replace(k=2)
    Spec('twolayer:d=3,k=2,act=tanh,bias=0')
    """

    family: str
    values: tuple

    def __getitem__(self, key: str) -> Any:
        for name, value in self.values:
            if name == key:
                return value
        raise KeyError(f"{self.family} has no key {key!r}")

    def get(self, key: str, default: Any = None) -> Any:
        """Value of ``key``, or ``default`` when the family has no such key.

        Examples
        --------
        >>> parse_spec("mf:n1=2,k=1,n2=3").get("act", "none")
        'none'
        """
        return dict(self.values).get(key, default)

    def as_dict(self) -> dict:
        """All keys with their values, the family under ``family``.

        Examples
        --------
        >>> parse_spec("mf:n1=2,k=1,n2=3").as_dict()
        {'family': 'mf', 'n1': 2, 'k': 1, 'n2': 3, 'depth': 2}
        """
        return {"family": self.family, **dict(self.values)}

    @property
    def module(self):
        """The family module that defines this model (shapes, forward, closed forms).

        Examples
        --------
        >>> parse_spec("mf:n1=2,k=1,n2=3").module.__name__
        'rankstrat.theory.families.mf'
        """
        from rankstrat.theory.families import get_family

        return get_family(self.family)

    @property
    def activation(self) -> Activation | None:
        """The activation, or None for families without one (``mf``).

        Examples
        --------
        >>> parse_spec("twolayer:d=1,k=1,act=pow2").activation.degree
        2
        """
        name = self.get("act")
        return None if name is None else get_activation(name)

    @property
    def polynomial(self) -> bool:
        """True when f(x; theta) is a polynomial in x and theta.

        Examples
        --------
        >>> parse_spec("mf:n1=2,k=1,n2=3").polynomial
        True
        >>> parse_spec("twolayer:d=1,k=1").polynomial
        False
        """
        act = self.activation
        return act is None or act.polynomial

    @property
    def analytic(self) -> bool:
        """True when the model is analytic in its parameters (not ReLU).

        Examples
        --------
        >>> parse_spec("twolayer:d=1,k=1,act=relu").analytic
        False
        """
        act = self.activation
        return act is None or act.analytic

    def replace(self, **changes: Any) -> "Spec":
        """A new spec with some keys changed, validated like a parsed one.

        Examples
        --------
        >>> parse_spec("mf:n1=4,k=4,n2=4").replace(k=1)
        Spec('mf:n1=4,k=1,n2=4,depth=2')
        """
        merged = {**dict(self.values), **changes}
        return spec_from_mapping({"family": self.family, **merged})

    def __str__(self) -> str:
        keys = {key.name: key for key in self.module.KEYS}
        body = ",".join(f"{name}={keys[name].format(value)}" for name, value in self.values)
        return f"{self.family}:{body}"

    def __repr__(self) -> str:
        return f"Spec({str(self)!r})"


def spec_from_mapping(mapping: Mapping[str, Any]) -> Spec:
    """Build and validate a spec from a mapping with a ``family`` key.

    Parameters
    ----------
    mapping : mapping
        ``{"family": "twolayer", "d": 3, "k": 5, ...}``; values may be strings.

    Returns
    -------
    Spec

    Raises
    ------
    SpecError
        Unknown family or key, missing or non-positive size, unknown activation.

    Examples
    --------
    >>> spec_from_mapping({"family": "mlp", "d": 3, "widths": [4, 4]})
    Spec('mlp:d=3,widths=4-4,act=tanh,bias=0')
    >>> spec_from_mapping({"family": "twolayer", "d": 3, "k": 5, "width": 2})
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.SpecError: twolayer: unknown key 'width'; expected one of d, k, act, bias
    """
    from rankstrat.theory.families import get_family

    mapping = dict(mapping)
    family = mapping.pop("family", None)
    if family is None:
        raise SpecError("spec has no family; expected FAMILY:key=value,... or a 'family' key")
    module = get_family(str(family))
    keys = {key.name: key for key in module.KEYS}
    for name in mapping:
        if name not in keys:
            raise SpecError(
                f"{family}: unknown key {name!r}; expected one of {', '.join(keys)}"
            )
    values = []
    for key in module.KEYS:
        if key.name in mapping:
            values.append((key.name, key.parse(family, mapping[key.name])))
        elif key.default is REQUIRED:
            raise SpecError(f"{family}: missing key {key.name!r} ({key.doc})")
        else:
            values.append((key.name, key.default))
    spec = Spec(str(family), tuple(values))
    validate = getattr(module, "validate", None)
    if validate is not None:
        validate(spec)
    return spec


def parse_spec(text: str) -> Spec:
    """Parse a spec string ``FAMILY:key=value,...``, or load a ``.toml`` path.

    Parameters
    ----------
    text : str
        A spec string, the path of a TOML file (see :func:`load_spec`), or a
        model file ``FILE.py`` / ``FILE.toml`` with optional ``:key=value,...``
        sizes (see :mod:`rankstrat.theory.model.user_model`). A spec or model object is
        returned unchanged.

    Returns
    -------
    Spec or rankstrat.theory.model.user_model.UserModel

    Raises
    ------
    SpecError
        With one line saying which key is wrong and what is accepted.

    Examples
    --------
    >>> parse_spec("cnn1d:d=5,s=3,k=2,share=1,bias=1")
    Spec('cnn1d:d=5,s=3,k=2,share=1,bias=1,act=tanh')
    >>> parse_spec("twolayer:d=0,k=5")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.SpecError: twolayer: key 'd' must be an integer >= 1, got '0'
    >>> parse_spec("resnet:d=3")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.SpecError: unknown family 'resnet'; expected one of cnn1d, cnn2d, mf, mlp, twolayer
    >>> parse_spec("missing.py:k=2")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.SpecError: model file 'missing.py' does not exist
    """
    if isinstance(text, Spec) or _is_model_object(text):
        return text
    text = str(text).strip()
    named_file = split_file_spec(text)
    if named_file is not None:
        path, overrides = named_file
        sizes = parse_overrides(overrides, path)
        return load_python_model(path, sizes) if path.endswith(".py") else load_spec(path, sizes)
    if os.path.sep in text and os.path.exists(text):
        return load_spec(text)
    family, sep, body = text.partition(":")
    mapping: dict[str, Any] = {"family": family.strip()}
    if sep and body.strip():
        for item in body.split(","):
            name, eq, value = item.partition("=")
            if not eq or not name.strip():
                raise SpecError(
                    f"{family}: cannot read {item!r}; expected key=value pairs separated by ','"
                )
            if name.strip() in mapping:
                raise SpecError(f"{family}: key {name.strip()!r} given twice")
            mapping[name.strip()] = value.strip()
    return spec_from_mapping(mapping)


def load_spec(path: str | os.PathLike, overrides: Mapping[str, Any] | None = None) -> Spec:
    """Read a spec from a TOML file with a ``family`` key and the family's keys.

    Parameters
    ----------
    path : path-like
        File such as::

            family = "twolayer"
            d = 3
            k = 5
            act = "tanh"
            bias = 1

        A file with ``layers`` instead of ``family`` is an architecture file
        (:func:`rankstrat.theory.model.layer_file.layer_model`).
    overrides : mapping, optional
        Keys (sizes) replacing those of the file.

    Returns
    -------
    Spec, or rankstrat.theory.model.user_model.UserModel for an architecture file

    Raises
    ------
    SpecError
        When the file is missing, is not TOML, or holds an invalid spec.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "net.toml"
    >>> _ = path.write_text('family = "mlp"\\nd = 2\\nwidths = [3, 1]\\n')
    >>> load_spec(path)
    Spec('mlp:d=2,widths=3-1,act=tanh,bias=0')
    """
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise SpecError(f"spec file {str(path)!r} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"spec file {str(path)!r} is not valid TOML: {exc}") from None
    if "layers" in data and "family" not in data:
        return layer_model(data, source=str(path), overrides=overrides)
    return spec_from_mapping({**data, **dict(overrides or {})})


def parse_overrides(text: str, where: str) -> dict:
    """``k=3,d=4`` -> ``{'k': '3', 'd': '4'}`` (values checked by the model).

    Examples
    --------
    >>> parse_overrides("k=3, d=4", "net.py")
    {'k': '3', 'd': '4'}
    """
    out: dict = {}
    for item in [part for part in text.split(",") if part.strip()]:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise SpecError(f"{where}: cannot read {item!r}; expected key=value pairs separated by ','")
        out[name.strip()] = value.strip()
    return out


def split_file_spec(text: str) -> tuple[str, str] | None:
    """Split ``FILE.py:k=2`` or ``FILE.toml:k=2`` into the path and the size text.

    Returns None when ``text`` does not name a ``.py`` or ``.toml`` file.

    Examples
    --------
    >>> split_file_spec("nets/attention.py:d=4,k=2")
    ('nets/attention.py', 'd=4,k=2')
    >>> split_file_spec("net.toml"), split_file_spec("twolayer:d=3,k=2")
    (('net.toml', ''), None)
    """
    for suffix in (".toml", ".py"):
        if text.endswith(suffix):
            return text, ""
        marker = text.find(suffix + ":")
        if marker >= 0:
            end = marker + len(suffix)
            return text[:end], text[end + 1 :]
    return None


def _is_model_object(value: Any) -> bool:
    """True for spec-like objects (user models): a family and a module."""
    return not isinstance(value, (str, os.PathLike)) and hasattr(value, "family") and hasattr(value, "module")
