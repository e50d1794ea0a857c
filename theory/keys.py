"""The keys of a spec: names, kinds (size, list of sizes, activation, flag), defaults.

Families and user models declare their keys here; :mod:`rankstrat.theory.spec`
reads spec strings and files with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rankstrat.theory.activations import get_activation
from rankstrat.theory.errors import InputError, SpecError
from rankstrat.theory.values import parse_integer

REQUIRED = object()
"""Marker for a key without default."""


@dataclass(frozen=True)
class Key:
    """One key a family accepts.

    Parameters
    ----------
    name : str
        The key as written in a spec.
    kind : {'size', 'sizes', 'act', 'flag'}
        A positive integer, a ``-``-separated list of positive integers, an
        activation name, or 0/1.
    default : object
        Value when the key is absent; :data:`REQUIRED` when it must be given.
    minimum : int
        Smallest accepted value for sizes.
    doc : str
        One line for help texts.

    Examples
    --------
    >>> Key("d", "size", doc="input dimension").parse("twolayer", "3")
    3
    """

    name: str
    kind: str
    default: Any = REQUIRED
    minimum: int = 1
    doc: str = ""

    def parse(self, family: str, raw: Any) -> Any:
        """Turn a raw value (string from a spec, or TOML value) into a typed one.

        Parameters
        ----------
        family : str
            Family name, for the error message.
        raw : object
            String, int, bool or list.

        Returns
        -------
        int, tuple of int, or str

        Raises
        ------
        SpecError
            Naming the key, the value and what is accepted.

        Examples
        --------
        >>> Key("widths", "sizes").parse("mlp", "4-2")
        (4, 2)
        >>> Key("bias", "flag", default=0).parse("mlp", "yes")
        Traceback (most recent call last):
        ...
        rankstrat.theory.errors.SpecError: mlp: key 'bias' must be 0 or 1, got 'yes'
        """
        if self.kind == "act":
            get_activation(str(raw))
            return str(raw)
        if self.kind == "flag":
            value = int(raw) if isinstance(raw, bool) else _as_int(raw)  # TOML true/false are fine for a flag
            if value not in (0, 1):
                raise SpecError(f"{family}: key {self.name!r} must be 0 or 1, got {_shown(raw)}")
            return value
        if self.kind == "sizes":
            items = raw if isinstance(raw, (list, tuple)) else str(raw).split("-")
            values = tuple(_as_int(item) for item in items)
            if not values or any(v is None or v < self.minimum for v in values):
                raise SpecError(
                    f"{family}: key {self.name!r} must be a '-'-separated list of integers "
                    f">= {self.minimum} (e.g. 4-4), got {_shown(raw)}"
                )
            return values
        value = _as_int(raw)
        if value is None or value < self.minimum:
            raise SpecError(
                f"{family}: key {self.name!r} must be an integer >= {self.minimum}, got {_shown(raw)}"
            )
        return value

    def format(self, value: Any) -> str:
        """Write a typed value back in spec-string form.

        Examples
        --------
        >>> Key("widths", "sizes").format((4, 2))
        '4-2'
        """
        if self.kind == "sizes":
            return "-".join(str(v) for v in value)
        return str(value)


def _as_int(raw: Any):
    """An integer from a spec string or a TOML value; None when it is not one.

    Booleans (TOML ``true``), digits outside ASCII and numbers beyond
    :data:`rankstrat.theory.values.MAX_INTEGER` are not integers here.
    """
    if isinstance(raw, bool):
        return None
    try:
        return parse_integer(raw, "size")
    except InputError:
        return None


def _shown(raw: Any) -> str:
    """The raw value for a message, with why it is not an integer when that is not plain.

    Examples
    --------
    >>> _shown(True), _shown("９")
    ('true (a boolean)', "'９' (not ASCII digits)")
    """
    if isinstance(raw, bool):
        return f"{str(raw).lower()} (a boolean)"
    text = repr(raw)
    if len(text) > 40:
        text = text[:37] + "..."
    try:
        parse_integer(raw, "")
    except InputError as exc:
        if "too large" in str(exc) or "too long" in str(exc):
            return f"{text} (too large)"
        if isinstance(raw, str) and not raw.isascii():
            return f"{text} (not ASCII digits)"
    return text
