"""Two-layer networks, numerically: points with a given neuron structure, neuron targets, strata."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rankstrat.numerics.model.stratum_points import Parametrization
from rankstrat.numerics.model.targets import Target, count_value
from rankstrat.theory.errors import InputError
from rankstrat.theory.spec import Spec


@dataclass(frozen=True)
class Neuron:
    """Structure of one two-layer neuron in a stratum.

    Parameters
    ----------
    cls : int
        Class label: neurons with the same label share ``(w, b)`` up to
        ``sign``; ``0`` means ``w = 0``.
    sign : int
        +1 or -1.
    output : bool
        False for ``a = 0``.
    bias : bool
        For ``cls = 0`` with a bias: False for ``b = 0``.
    own_bias : bool
        For ``cls != 0`` with a bias: the neuron's bias is its own free value
        instead of ``sign`` times the class bias (exponential strata, where
        the bias does not change the class).

    Examples
    --------
    >>> Neuron(1, -1, True)
    Neuron(cls=1, sign=-1, output=True, bias=True, own_bias=False)
    """

    cls: int
    sign: int = 1
    output: bool = True
    bias: bool = True
    own_bias: bool = False


def twolayer_parametrization(spec: Spec, neurons: list) -> "Parametrization":
    """The smooth map from free parameters onto the two-layer points with a given
    neuron structure.

    Free parameters: one ``(w, b)`` (or ``w``) per class, one output weight per
    neuron with ``output=True``, one bias per zero-weight neuron with
    ``bias=True`` and per neuron with ``own_bias=True`` (when the spec has a bias).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> param = twolayer_parametrization(parse_spec("twolayer:d=2,k=3"), [Neuron(1), Neuron(1, -1), Neuron(0)])
    >>> param.dimension  # one direction (2) and three output weights
    5
    """
    if spec.family != "twolayer":
        raise InputError(f"twolayer_parametrization needs a twolayer spec, got {spec}")
    if len(neurons) != spec["k"]:
        raise InputError(f"{len(neurons)} neurons given for width k={spec['k']}")
    d, bias = spec["d"], spec["bias"]
    classes = sorted({n.cls for n in neurons if n.cls != 0})
    width = d + bias
    outputs = [i for i, n in enumerate(neurons) if n.output]
    zero_biases = [i for i, n in enumerate(neurons) if bias and ((n.cls == 0 and n.bias) or (n.cls and n.own_bias))]
    dimension = len(classes) * width + len(outputs) + len(zero_biases)

    def build(z: np.ndarray) -> dict:
        z = np.asarray(z, dtype=float)
        reps = {c: z[i * width : (i + 1) * width] for i, c in enumerate(classes)}
        rest = z[len(classes) * width :]
        W, b, a = np.zeros((len(neurons), d)), np.zeros(len(neurons)), np.zeros(len(neurons))
        for i, neuron in enumerate(neurons):
            if neuron.cls != 0:
                W[i] = neuron.sign * reps[neuron.cls][:d]
                if bias:
                    b[i] = neuron.sign * reps[neuron.cls][d]
        a[outputs] = rest[: len(outputs)]
        b[zero_biases] = rest[len(outputs) :]
        point = {"W": W, "a": a}
        if bias:
            point = {"W": W, "b": b, "a": a}
        return point

    return Parametrization(dimension, build)


def twolayer_point(spec: Spec, neurons: list, seed: int = 0) -> dict:
    """A random two-layer point with the given neuron structure.

    Parameters
    ----------
    spec : Spec
        A ``twolayer`` spec with ``k == len(neurons)``.
    neurons : list of Neuron
    seed : int

    Returns
    -------
    dict

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=2,k=3")
    >>> p = twolayer_point(spec, [Neuron(1), Neuron(1, -1), Neuron(0)])
    >>> bool(np.allclose(p["W"][0], -p["W"][1])), p["W"][2].tolist()
    (True, [0.0, 0.0])
    """
    return twolayer_parametrization(spec, neurons).sample(seed)


def twolayer_stratum_neurons(spec: Spec, labels: dict) -> list:
    """Neuron structure of the largest piece of a two-layer stratum.

    ``labels`` are those of :func:`rankstrat.theory.families.twolayer.strata`.
    Odd activations: class representatives ``1 .. m_w`` (the first ``m_a``
    with an output weight); the other neurons are zero-weight neurons or
    duplicates of class 1, chosen so that the labels stay the same and the
    piece is as large as possible. Sigmoid- and softplus-type: the
    configuration stored in the labels
    (:func:`rankstrat.theory.families.twolayer.configuration_neurons`).
    Exponential: ``m`` distinct weights, the other neurons duplicates of class
    1 with their own bias.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=2,k=3")
    >>> [(n.cls, n.output) for n in twolayer_stratum_neurons(spec, {"m_w": 1, "m_a": 1, "z": 0})]
    [(1, True), (1, True), (1, True)]
    >>> [(n.cls, n.sign) for n in twolayer_stratum_neurons(parse_spec("twolayer:d=2,k=2,act=sigmoid"),
    ...     {"m_w": 1, "m_a": 1, "e": 1, "pairs": 1, "active_pair": True, "zero": "none"})]
    [(1, 1), (1, -1)]
    """
    from rankstrat.theory.families.twolayer import configuration_neurons

    if "e" in labels:
        neurons = configuration_neurons(spec["k"], labels["m_w"], labels["m_a"], labels["pairs"],
                                        labels["active_pair"], labels["zero"])
        return [Neuron(*n) for n in neurons]
    if "m" in labels:
        m, ma = labels["m"], labels["m_a"]
        return [Neuron(c, 1, c <= ma) for c in range(1, m + 1)] + [
            Neuron(1, 1, ma >= 1, own_bias=True) for _ in range(spec["k"] - m)
        ]
    mw, ma = labels["m_w"], labels["m_a"]
    neurons = [Neuron(c, 1, c <= ma) for c in range(1, mw + 1)]
    extra = spec["k"] - mw
    kind = labels.get("c", labels.get("z"))
    if kind in (1, "affine"):
        neurons += [Neuron(0, 1, True, True)] * extra
    elif kind == "const":
        neurons += [Neuron(0, 1, False, True)] * extra
    elif ma >= 1:
        neurons += [Neuron(1, (-1) ** i, True) for i in range(1, extra + 1)]
    else:
        neurons += [Neuron(0, 1, False, False)] * extra
    return neurons


def neurons_target(spec: Spec, value: str, seed: int = 0) -> Target:
    """``--target neurons=J``: ``J`` distinct random neurons, the others zero
    (``w = 0, b = 0, a = 0``); closed form
    :func:`rankstrat.theory.families.twolayer.target_rank` (``J (d + 1 [+ 1])``,
    plus the constant when ``J < k`` and ``act(0) != 0``).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> neurons_target(parse_spec("twolayer:d=3,k=4,bias=1"), "1").closed_form.value
    5
    """
    from rankstrat.theory.families import twolayer

    count = count_value("neurons", value, spec.family)
    if count > spec["k"]:
        raise InputError(f"--target: neurons={count} exceeds the width k={spec['k']}")
    neurons = [Neuron(i + 1) for i in range(count)] + [
        Neuron(0, output=False, bias=False) for _ in range(spec["k"] - count)
    ]
    form = twolayer.target_rank(spec, count)
    return Target(twolayer_point(spec, neurons, seed), f"neurons={count}", form if form.holds else None)


TARGETS = {"neurons": ("neurons=J", neurons_target)}
"""Structural targets: key -> (how it is written, builder)."""


def stratum_parametrization(spec: Spec, labels: dict) -> Parametrization:
    """The largest piece of a two-layer stratum (:func:`twolayer_stratum_neurons`).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> stratum_parametrization(parse_spec("twolayer:d=2,k=3"), {"m_w": 1, "m_a": 1, "z": 0}).dimension
    5
    """
    return twolayer_parametrization(spec, twolayer_stratum_neurons(spec, labels))


def neuron_units(spec, index: dict) -> list:
    """``(incoming, outgoing)`` parameter indices of each hidden neuron.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import flat_indices
    >>> spec = parse_spec("twolayer:d=2,k=2,bias=1")
    >>> neuron_units(spec, flat_indices(spec))[0]
    ([0, 1, 4], [6])
    """
    units = []
    for j in range(index["W"].shape[0]):
        incoming = index["W"][j].tolist() + ([int(index["b"][j])] if "b" in index else [])
        units.append((incoming, [int(index["a"][j])]))
    return units


def unit_inputs(spec, index: dict) -> list:
    """What each neuron of :func:`neuron_units` reads, and whether it feeds the read-out.

    One ``(reads, readout)`` per neuron: every neuron reads the input ``x``
    (its incoming indices in the same order: ``W[j, :]``, then ``b[j]``), and
    its one outgoing weight ``a[j]`` multiplies its output in ``f = sum_j a_j h_j``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import flat_indices
    >>> spec = parse_spec("twolayer:d=2,k=2")
    >>> unit_inputs(spec, flat_indices(spec))
    [('x', True), ('x', True)]
    """
    return [("x", True)] * index["W"].shape[0]
