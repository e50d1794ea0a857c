"""Targets ``theta*`` named on the command line (``--target``), with their closed-form rank.

Accepted values:

- ``random`` (default): a random point, the generic stratum;
- ``zero``: every parameter zero;
- ``FILE.json``: parameter arrays by name (:func:`rankstrat.numerics.model.points.load_point`);
- ``key=value``: a structural target of the spec's family, defined by its
  numerics module (:mod:`rankstrat.numerics.families`): ``rank=R`` (mf),
  ``neurons=J`` (twolayer), ``channels=J`` (cnn1d, cnn2d),
  ``narrow=W1-W2-...[:split]`` (mlp), each with its closed-form rank or bound;
  ``units=N`` (user models that declare ``UNITS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from rankstrat.numerics.model.points import random_point, resolve_point
from rankstrat.theory.closed_form import ClosedForm
from rankstrat.theory.errors import InputError


@dataclass(frozen=True)
class Target:
    """A target point with what the theory says about its model rank.

    Attributes
    ----------
    point : dict
        Parameters by name.
    text : str
        How it was named.
    closed_form : ClosedForm or None
        Model rank ``R(theta*)`` in closed form, when known.
    bound : bool
        True when ``closed_form`` is only an upper bound (``narrow=``).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> target = resolve_target(parse_spec("mf:n1=4,k=4,n2=4"), "rank=2")
    >>> target.closed_form.value, target.bound
    (12, False)
    """

    point: dict
    text: str
    closed_form: Optional[ClosedForm] = None
    bound: bool = False


def count_value(key: str, value: str, family: str) -> int:
    """The positive count of a structural target such as ``neurons=3``.

    Examples
    --------
    >>> count_value("neurons", "3", "twolayer")
    3
    >>> count_value("neurons", "x", "twolayer")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --target: neurons='x' for twolayer needs a positive integer
    """
    try:
        count = int(value)
    except ValueError:
        count = -1
    if count < 1:
        raise InputError(f"--target: {key}={value!r} for {family} needs a positive integer")
    return count


def structural_targets() -> dict:
    """Structural target keys of every family: ``{key: (written, [families])}``.

    Examples
    --------
    >>> structural_targets()["neurons"]
    ('neurons=J', ['twolayer'])
    """
    from rankstrat.numerics.families import numeric_family
    from rankstrat.theory.families import family_names

    keys: dict = {}
    for name in [*family_names(), "user"]:
        for key, (written, _) in getattr(numeric_family(name), "TARGETS", {}).items():
            keys.setdefault(key, (written, []))[1].append(name)
    return keys


def accepted_targets() -> str:
    """What ``--target`` accepts, for help texts and errors.

    Examples
    --------
    >>> accepted_targets().split(", ")[:3]
    ['random', 'zero', 'a JSON point file']
    """
    structural = [f"{written} ({', '.join(families)})" for written, families in structural_targets().values()]
    return ", ".join(["random", "zero", "a JSON point file", *structural])


def resolve_target(spec, target: str | dict = "random", seed: int = 0) -> Target:
    """The target named by ``--target`` (see the module docstring).

    Parameters
    ----------
    spec : Spec or UserModel
    target : str or dict
    seed : int

    Returns
    -------
    Target

    Raises
    ------
    InputError
        Unknown form, a structural key the family does not accept, or a count
        out of range.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> resolve_target(parse_spec("twolayer:d=3,k=4,bias=1"), "neurons=1").closed_form.value
    5
    >>> resolve_target(parse_spec("mlp:d=3,widths=3-3"), "narrow=1-1").closed_form.value
    5
    >>> resolve_target(parse_spec("twolayer:d=3,k=4"), "rank=1")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --target: rank= applies to mf, not twolayer; accepted: random, zero, a JSON point file, channels=J (cnn1d, cnn2d), rank=R (mf), narrow=W1-W2-... (mlp), neurons=J (twolayer), units=N (user)
    """
    if isinstance(target, dict):
        return Target(resolve_point(spec, target), "point")
    text = str(target).strip()
    key, eq, value = text.partition("=")
    structural = structural_targets()
    if eq and key in structural:
        from rankstrat.numerics.families import numeric_family

        builders = getattr(numeric_family(spec), "TARGETS", {})
        if key not in builders:
            raise InputError(
                f"--target: {key}= applies to {', '.join(structural[key][1])}, not {spec.family}; "
                f"accepted: {accepted_targets()}"
            )
        return builders[key][1](spec, value, seed)
    if eq:
        raise InputError(f"--target: unknown target {text!r}; accepted: {accepted_targets()}")
    if text == "random":
        form = spec.module.generic_rank(spec)
        return Target(random_point(spec, seed), text, form if form.holds else None)
    if text == "zero":
        return Target(resolve_point(spec, "zero"), text)
    if not text.endswith(".json"):
        raise InputError(f"--target: unknown target {text!r}; accepted: {accepted_targets()}")
    try:
        return Target(resolve_point(spec, text), text)
    except InputError as exc:
        raise InputError(str(exc).replace("--at", "--target", 1)) from None
