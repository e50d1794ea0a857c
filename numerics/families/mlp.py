"""Deep fully connected networks, numerically: targets embedded from a narrow network."""

from __future__ import annotations

from rankstrat.numerics.model.points import random_point
from rankstrat.numerics.model.targets import Target
from rankstrat.theory.errors import InputError, SpecError
from rankstrat.theory.spec import Spec


def narrow_target(spec: Spec, value: str, seed: int = 0) -> Target:
    """``--target narrow=W1-W2-...[:split]``: a random network of these hidden widths
    embedded in the spec's widths (extra neurons zero, or duplicated with
    ``:split``; :mod:`rankstrat.numerics.model.embedding`); the bound ``M_narrow``
    (:func:`rankstrat.theory.families.mlp.narrow_bound`).

    The zero embedding keeps the bound only when ``act(0) = 0``: otherwise a
    zero neuron feeds the constant ``act(0)`` forward and its outgoing weights
    gain directions the narrow network lacks (sigmoid, ``d=3``, widths 3-3,
    ``narrow=1-1``: rank 7 against ``M_narrow = 5``), so no bound is claimed.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> target = narrow_target(parse_spec("mlp:d=3,widths=3-3"), "1-1")
    >>> target.closed_form.value, target.bound
    (5, True)
    >>> narrow_target(parse_spec("mlp:d=3,widths=3-3,act=sigmoid"), "1-1").closed_form is None
    True
    """
    from rankstrat.numerics.model.embedding import embed_point
    from rankstrat.theory.families import mlp

    widths, _, mode = value.partition(":")
    mode = mode or "zero"
    try:
        narrow = spec.replace(widths=widths)
    except SpecError as exc:
        raise InputError(f"--target: narrow={value!r}: {exc}") from None
    point = embed_point(narrow, random_point(narrow, seed), spec, mode=mode, seed=seed)
    if mode == "zero" and spec.activation.value_at_zero != 0:
        return Target(point, f"narrow={value}", None, bound=True)
    return Target(point, f"narrow={value}", mlp.narrow_bound(narrow), bound=True)


TARGETS = {"narrow": ("narrow=W1-W2-...", narrow_target)}
"""Structural targets: key -> (how it is written, builder)."""


def neuron_units(spec, index: dict) -> list:
    """``(incoming, outgoing)`` parameter indices of each hidden neuron, layer by layer.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import flat_indices
    >>> spec = parse_spec("mlp:d=2,widths=2-1")
    >>> neuron_units(spec, flat_indices(spec))
    [([0, 1], [4]), ([2, 3], [5]), ([4, 5], [6])]
    """
    units, layer = [], 1
    while f"W{layer}" in index:
        W = index[f"W{layer}"]
        after = index.get(f"W{layer + 1}")
        for j in range(W.shape[0]):
            incoming = W[j].tolist() + ([int(index[f"b{layer}"][j])] if f"b{layer}" in index else [])
            outgoing = after[:, j].tolist() if after is not None else [int(index["a"][j])]
            units.append((incoming, outgoing))
        layer += 1
    return units


def unit_inputs(spec, index: dict) -> list:
    """What each neuron of :func:`neuron_units` reads, and whether it feeds the read-out.

    One ``(reads, readout)`` per neuron: the neurons of layer ``l`` read the
    output of layer ``l - 1`` (the input ``x`` for ``l = 1``), their incoming
    indices in the same order (``W_l[j, :]``, then ``b_l[j]``), and their
    ``r``-th outgoing weights ``W_(l+1)[r, j]`` feed the same neuron ``r``;
    only the last layer's single weight ``a[j]`` multiplies the output in the
    linear read-out.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import flat_indices
    >>> spec = parse_spec("mlp:d=2,widths=2-1")
    >>> unit_inputs(spec, flat_indices(spec))
    [('x', False), ('x', False), ('h1', True)]
    """
    out, layer = [], 1
    while f"W{layer}" in index:
        reads = "x" if layer == 1 else f"h{layer - 1}"
        last = f"W{layer + 1}" not in index
        out += [(reads, last)] * index[f"W{layer}"].shape[0]
        layer += 1
    return out
