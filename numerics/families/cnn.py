"""Convolutional and locally connected networks, numerically: channel targets, their fully
connected counterparts, strata."""

from __future__ import annotations

import numpy as np

from rankstrat.numerics.model.stratum_points import Parametrization
from rankstrat.numerics.model.targets import Target, count_value
from rankstrat.theory.errors import InputError
from rankstrat.theory.spec import Spec


def cnn_target_point(spec: Spec, kernels, biases=None, readout=None) -> dict:
    """A conv / locally connected point whose first channels carry given kernels
    and whose other channels are zero (``w = 0``, ``b = 0``, ``a = 0``).

    Parameters
    ----------
    spec : Spec
        ``cnn1d`` or ``cnn2d``.
    kernels : array (k*, s^n)
        Kernels of the active channels (the same at every position).
    biases : array (k*,), optional
        Zero by default; needs ``bias=1`` in the spec when nonzero.
    readout : array (k*, Q), optional
        Ones by default.

    Returns
    -------
    dict

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("cnn1d:d=5,s=3,k=2,share=0,bias=1")
    >>> p = cnn_target_point(spec, [[0.6, 0.8, 1.0]])
    >>> p["W"].shape, p["W"][0, 2].tolist(), float(abs(p["W"][1]).sum())
    ((2, 3, 3), [0.6, 0.8, 1.0], 0.0)
    """
    from rankstrat.theory.families.cnn import positions
    from rankstrat.theory.model.symbolic import param_shapes

    kernels = np.atleast_2d(np.asarray(kernels, dtype=float))
    active, q = len(kernels), positions(spec)
    if active > spec["k"]:
        raise InputError(f"{active} kernels given for k={spec['k']} channels")
    shapes = param_shapes(spec)
    point = {name: np.zeros(shape) for name, shape in shapes.items()}
    if spec["share"]:
        point["W"][:active] = kernels
    else:
        point["W"][:active] = kernels[:, None, :]
    if biases is not None:
        if "b" not in point:
            raise InputError(f"{spec} has no bias; pass biases=None")
        b = np.asarray(biases, dtype=float)
        point["b"][:active] = b if spec["share"] else b[:, None]
    point["a"][:active] = np.ones((active, q)) if readout is None else readout
    return point


def fully_connected_point(spec: Spec, point: dict) -> tuple:
    """The fully connected counterpart of a cnn point: one hidden neuron per
    channel and position, its weight the kernel placed on the patch.

    Returns
    -------
    (Spec, dict)
        The ``mlp`` spec of :func:`rankstrat.theory.families.cnn.fully_connected_counterpart`
        and its point, computing the same function.

    Examples
    --------
    >>> import torch
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.realize import realize
    >>> from rankstrat.numerics.model.points import flat_point, generic_inputs
    >>> spec = parse_spec("cnn1d:d=5,s=3,k=2,share=1,bias=1")
    >>> p = cnn_target_point(spec, [[0.6, 0.8, 1.0]])
    >>> fc_spec, fc_p = fully_connected_point(spec, p)
    >>> X = torch.tensor(generic_inputs(spec, 3))
    >>> a = realize(spec)(torch.tensor(flat_point(spec, p)), X)
    >>> b = realize(fc_spec)(torch.tensor(flat_point(fc_spec, fc_p)), X)
    >>> bool(torch.allclose(a, b))
    True
    """
    from rankstrat.theory.families.cnn import fully_connected_counterpart, patch_index

    fc_spec = fully_connected_counterpart(spec)
    index = patch_index(spec)
    k, q = spec["k"], len(index)
    W = np.zeros((k * q, spec.module.input_dim(spec)))
    b = np.zeros(k * q)
    for c in range(k):
        for p in range(q):
            kernel = point["W"][c] if spec["share"] else point["W"][c, p]
            W[c * q + p, index[p]] = kernel
            if "b" in point:
                b[c * q + p] = point["b"][c] if spec["share"] else point["b"][c, p]
    fc_point = {"W1": W, "a": np.asarray(point["a"], dtype=float).reshape(-1)}
    if spec["bias"]:
        fc_point["b1"] = b
    return fc_spec, {name: fc_point[name] for name in ("W1", "b1", "a") if name in fc_point}


def cnn_parametrization(spec: Spec, active: int) -> Parametrization:
    """Points with ``active`` free channels (shared) or neurons (locally
    connected, in channel-major order) and every other one zero.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> cnn_parametrization(parse_spec("cnn1d:d=5,s=3,k=2,bias=1"), 1).dimension
    7
    """
    from rankstrat.theory.model.symbolic import param_shapes

    shapes = param_shapes(spec)
    names = list(shapes)
    units = spec["k"] if spec["share"] else spec["k"] * shapes["a"][1]

    def unit_view(array):
        """Rows are channels (shared) or (channel, position) neurons."""
        return array.reshape(units, -1)

    widths = {name: unit_view(np.zeros(shape)).shape[1] for name, shape in shapes.items()}
    dimension = active * sum(widths.values())

    def build(z):
        point = {name: np.zeros(shape) for name, shape in shapes.items()}
        start = 0
        for unit in range(active):
            for name in names:
                view = unit_view(point[name])
                view[unit] = z[start : start + widths[name]]
                point[name] = view.reshape(shapes[name])
                start += widths[name]
        return point

    return Parametrization(dimension, build)


def channels_target(spec: Spec, value: str, seed: int = 0) -> Target:
    """``--target channels=J``: ``J`` channels with random kernels (and biases),
    random read-out, the others zero; closed form
    :func:`rankstrat.theory.families.cnn.target_rank`.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> channels_target(parse_spec("cnn1d:d=5,s=3,k=4,bias=1"), "1").closed_form.value
    7
    """
    from rankstrat.theory.families import cnn

    count = count_value("channels", value, spec.family)
    if count > spec["k"]:
        raise InputError(f"--target: channels={count} exceeds the k={spec['k']} channels")
    rng = np.random.default_rng(seed)
    kernels = rng.standard_normal((count, spec["s"] ** cnn.ndim(spec)))
    biases = rng.standard_normal(count) if spec["bias"] else None
    readout = rng.standard_normal((count, cnn.positions(spec)))
    point = cnn_target_point(spec, kernels, biases, readout)
    form = cnn.target_rank(spec, count)
    return Target(point, f"channels={count}", form if form.holds else None)


TARGETS = {"channels": ("channels=J", channels_target)}
"""Structural targets: key -> (how it is written, builder)."""


def stratum_parametrization(spec: Spec, labels: dict) -> Parametrization:
    """Points with ``labels["active"]`` free channels or neurons.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> stratum_parametrization(parse_spec("cnn1d:d=5,s=3,k=2,bias=1"), {"active": 1}).dimension
    7
    """
    return cnn_parametrization(spec, labels["active"])


def neuron_units(spec, index: dict) -> list:
    """``(incoming, outgoing)`` parameter indices of each channel (convolution)
    or each neuron (locally connected).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import flat_indices
    >>> spec = parse_spec("cnn1d:d=3,s=2,k=1")
    >>> neuron_units(spec, flat_indices(spec))
    [([0, 1], [2, 3])]
    """
    W, a, b = index["W"], index["a"], index.get("b")
    units = []
    for c in range(W.shape[0]):
        if W.ndim == 2:
            units.append((W[c].tolist() + ([int(b[c])] if b is not None else []), a[c].tolist()))
            continue
        for q in range(W.shape[1]):
            incoming = W[c, q].tolist() + ([int(b[c, q])] if b is not None else [])
            units.append((incoming, [int(a[c, q])]))
    return units


def unit_inputs(spec, index: dict) -> list:
    """What each unit of :func:`neuron_units` reads, and whether it feeds the read-out
    through one weight.

    One ``(reads, readout)`` per unit. Convolution: every channel reads all
    ``Q`` patches (incoming ``W[c, :]``, then ``b[c]``), its ``q``-th outgoing
    weight ``a[c, q]`` multiplies its output at position ``q``; ``readout``
    only when ``Q = 1`` (one weight per channel). Locally connected: the
    neuron ``(c, q)`` reads patch ``q`` only, so neurons at different
    positions read different inputs; its one weight ``a[c, q]`` feeds the
    read-out.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import flat_indices
    >>> spec = parse_spec("cnn1d:d=3,s=2,k=1,share=0")
    >>> unit_inputs(spec, flat_indices(spec))
    [('patch 0', True), ('patch 1', True)]
    >>> spec = parse_spec("cnn1d:d=3,s=2,k=2")
    >>> unit_inputs(spec, flat_indices(spec))
    [('patches', False), ('patches', False)]
    """
    W, a = index["W"], index["a"]
    if W.ndim == 2:
        return [("patches", a.shape[1] == 1)] * W.shape[0]
    return [(f"patch {q}", True) for _ in range(W.shape[0]) for q in range(W.shape[1])]


def local_groups(spec, index: dict) -> tuple[str, list]:
    """A locally connected model as a sum of small models on its patches.

    With ``share=0`` each position ``q`` has its own ``k`` neurons, and they
    read only patch ``q``::

        f(x) = sum_q  g(patch_q(x); W[:, q], b[:, q], a[:, q]),
        g = twolayer:d=s^n,k=k (same bias and activation)

    Distinct positions read distinct patches and own disjoint parameters.
    A convolution shares its kernels over positions: no such sum (``[]``).

    Parameters
    ----------
    spec : Spec
    index : dict
        :func:`rankstrat.numerics.model.points.flat_indices` of ``spec``.

    Returns
    -------
    unit : str
        The spec of ``g``.
    groups : list of (inputs, params)
        Per position: the input indices of its patch (in ``g``'s input order)
        and, for each flat parameter of ``g``, the flat index in ``spec``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import flat_indices
    >>> spec = parse_spec("cnn1d:d=4,s=2,k=1,share=0,bias=1")
    >>> unit, groups = local_groups(spec, flat_indices(spec))
    >>> unit, len(groups)
    ('twolayer:d=2,k=1,act=tanh,bias=1', 3)
    >>> groups[1][0].tolist(), groups[1][1].tolist()   # patch [1, 2]; W[0, 1], b[0, 1], a[0, 1]
    ([1, 2], [2, 3, 7, 10])
    >>> local_groups(parse_spec("cnn1d:d=4,s=2,k=1"), {})
    ('', [])
    """
    from rankstrat.numerics.model.points import flat_indices
    from rankstrat.theory.families.cnn import patch_index
    from rankstrat.theory.spec import parse_spec

    if spec["share"]:
        return "", []
    patches = patch_index(spec)
    unit = f"twolayer:d={patches.shape[1]},k={spec['k']},act={spec['act']},bias={spec['bias']}"
    unit_index = flat_indices(parse_spec(unit))
    groups = []
    for q, patch in enumerate(patches):
        params = np.empty(sum(array.size for array in unit_index.values()), dtype=np.int64)
        params[unit_index["W"]] = index["W"][:, q, :]
        params[unit_index["a"]] = index["a"][:, q]
        if "b" in unit_index:
            params[unit_index["b"]] = index["b"][:, q]
        groups.append((patch, params))
    return unit, groups
