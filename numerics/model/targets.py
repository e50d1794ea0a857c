"""Targets ``theta*`` named on the command line (``--target``), with their closed-form rank.

Accepted values:

- ``random`` (default): a random point, the generic stratum;
- ``zero``: every parameter zero;
- ``FILE.json``: parameter arrays by name (:func:`rankstrat.numerics.model.points.load_point`);
- ``rank=R`` (``mf``): a random rank-``R`` product with ``rank A_i = R``;
  closed form ``R (n1 + n2 - R)``;
- ``neurons=J`` (``twolayer``): ``J`` distinct random neurons, the others zero
  (``w = 0, b = 0, a = 0``); closed form ``J (d + 1 [+ 1])``;
- ``channels=J`` (``cnn1d``, ``cnn2d``): ``J`` channels with random kernels
  (and biases), random read-out, the others zero; closed form
  :func:`rankstrat.theory.families.cnn.target_rank`;
- ``narrow=W1-W2-...`` (``mlp``): a random network of these hidden widths
  embedded in the spec's widths (extra neurons zero,
  :mod:`rankstrat.numerics.model.embedding`); ``narrow=...:split`` duplicates neurons
  instead; bound ``M_narrow`` (:func:`rankstrat.theory.families.mlp.narrow_bound`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from rankstrat.numerics.model.points import random_point, resolve_point
from rankstrat.theory.closed_form import ClosedForm
from rankstrat.theory.errors import InputError, SpecError

STRUCTURAL = {
    "rank": ("mf",),
    "neurons": ("twolayer",),
    "channels": ("cnn1d", "cnn2d"),
    "narrow": ("mlp",),
}
"""Structural target keys and the families that accept them."""

ACCEPTED = "random, zero, a JSON point file, rank=R (mf), neurons=J (twolayer), channels=J (cnn1d, cnn2d), narrow=W1-W2-... (mlp)"


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


def _count(key: str, value: str, family: str) -> int:
    try:
        count = int(value)
    except ValueError:
        count = -1
    if count < 1:
        raise InputError(f"--target: {key}={value!r} for {family} needs a positive integer")
    return count


def _twolayer_target(spec, count: int, seed: int) -> Target:
    from rankstrat.numerics.model.stratum_points import Neuron, twolayer_point
    from rankstrat.theory.families import twolayer

    if count > spec["k"]:
        raise InputError(f"--target: neurons={count} exceeds the width k={spec['k']}")
    neurons = [Neuron(i + 1) for i in range(count)] + [
        Neuron(0, output=False, bias=False) for _ in range(spec["k"] - count)
    ]
    form = twolayer.target_rank(spec, count)
    return Target(twolayer_point(spec, neurons, seed), f"neurons={count}", form if form.holds else None)


def _cnn_target(spec, count: int, seed: int) -> Target:
    from rankstrat.numerics.model.stratum_points import cnn_target_point
    from rankstrat.theory.families import cnn

    if count > spec["k"]:
        raise InputError(f"--target: channels={count} exceeds the k={spec['k']} channels")
    rng = np.random.default_rng(seed)
    kernels = rng.standard_normal((count, spec["s"] ** cnn.ndim(spec)))
    biases = rng.standard_normal(count) if spec["bias"] else None
    readout = rng.standard_normal((count, cnn.positions(spec)))
    point = cnn_target_point(spec, kernels, biases, readout)
    form = cnn.target_rank(spec, count)
    return Target(point, f"channels={count}", form if spec.activation.generic else None)


def _mlp_target(spec, value: str, seed: int) -> Target:
    from rankstrat.numerics.model.embedding import embed_point
    from rankstrat.theory.families import mlp

    widths, _, mode = value.partition(":")
    mode = mode or "zero"
    try:
        narrow = spec.replace(widths=widths)
    except SpecError as exc:
        raise InputError(f"--target: narrow={value!r}: {exc}") from None
    point = embed_point(narrow, random_point(narrow, seed), spec, mode=mode, seed=seed)
    return Target(point, f"narrow={value}", mlp.narrow_bound(narrow), bound=True)


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
    rankstrat.theory.errors.InputError: --target: rank= applies to mf, not twolayer; accepted: random, zero, a JSON point file, rank=R (mf), neurons=J (twolayer), channels=J (cnn1d, cnn2d), narrow=W1-W2-... (mlp)
    """
    if isinstance(target, dict):
        return Target(resolve_point(spec, target), "point")
    text = str(target).strip()
    key, eq, value = text.partition("=")
    if eq and key in STRUCTURAL:
        if spec.family not in STRUCTURAL[key]:
            raise InputError(
                f"--target: {key}= applies to {', '.join(STRUCTURAL[key])}, not {spec.family}; accepted: {ACCEPTED}"
            )
        if key == "rank":
            from rankstrat.numerics.model.stratum_points import mf_target_point
            from rankstrat.theory.families import mf

            count = _count(key, value, spec.family)
            limit = min(spec["n1"], spec["k"], spec["n2"])
            if count > limit:
                raise InputError(f"--target: rank={count} exceeds min(n1, k, n2) = {limit}")
            return Target(mf_target_point(spec, count, seed), text, mf.target_rank_formula(spec, count))
        if key == "neurons":
            return _twolayer_target(spec, _count(key, value, spec.family), seed)
        if key == "channels":
            return _cnn_target(spec, _count(key, value, spec.family), seed)
        return _mlp_target(spec, value, seed)
    if eq:
        raise InputError(f"--target: unknown target {text!r}; accepted: {ACCEPTED}")
    if text == "random":
        form = spec.module.generic_rank(spec)
        return Target(random_point(spec, seed), text, form if form.holds else None)
    if text == "zero":
        return Target(resolve_point(spec, "zero"), text)
    if not text.endswith(".json"):
        raise InputError(f"--target: unknown target {text!r}; accepted: {ACCEPTED}")
    try:
        return Target(resolve_point(spec, text), text)
    except InputError as exc:
        raise InputError(str(exc).replace("--at", "--target", 1)) from None
