"""Parameter points inside a chosen stratum.

Strata are structural: which factor ranks (matrix factorization), which
neurons coincide up to sign, vanish, or carry a zero output weight (two-layer
networks). These generators build random points with exactly that structure,
so a closed form for a stratum can be checked at points of the stratum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from rankstrat.theory.errors import InputError
from rankstrat.theory.spec import Spec


@dataclass(frozen=True)
class Parametrization:
    """A smooth map from ``R^dimension`` onto (a piece of) a stratum.

    Attributes
    ----------
    dimension : int
        Number of free parameters.
    build : callable
        ``z -> {name: array}``.

    Examples
    --------
    >>> param = Parametrization(2, lambda z: {"x": np.asarray(z)})
    >>> param.sample(0)["x"].shape
    (2,)
    """

    dimension: int
    build: Callable[[np.ndarray], dict]

    def sample(self, seed: int = 0) -> dict:
        """The point at random nonzero free values, multiples of 1/16 in [-2, 2].

        Such values keep sums and products exact in float64, so the point lies
        in the stratum itself, not only within rounding of it.
        """
        return self.build(dyadic_values(np.random.default_rng(seed), self.dimension))


def dyadic_values(rng: np.random.Generator, shape) -> np.ndarray:
    """Random nonzero multiples of 1/16 in [-2, 2] (exact in binary floating point).

    Examples
    --------
    >>> values = dyadic_values(np.random.default_rng(0), 1000)
    >>> bool(np.all(values != 0)), bool(np.all(np.abs(values) <= 2)), bool(np.all(values * 16 % 1 == 0))
    (True, True, True)
    """
    magnitude = rng.integers(1, 33, size=shape)
    sign = rng.choice([-1.0, 1.0], size=shape)
    return sign * magnitude / 16.0


def exact_low_rank(rng: np.random.Generator, rows: int, cols: int, rank: int) -> np.ndarray:
    """A random ``rows x cols`` matrix of rank exactly ``rank`` in float64.

    The factors hold multiples of 1/16 in [-2, 2], so the product is exact in
    binary floating point: the matrix lies in the rank-``rank`` stratum itself,
    not only within rounding of it (high-precision and ball arithmetic see the
    float values exactly).

    Examples
    --------
    >>> M = exact_low_rank(np.random.default_rng(0), 4, 5, 2)
    >>> import sympy
    >>> sympy.Matrix(M.tolist()).rank()
    2
    """
    return dyadic_values(rng, (rows, rank)) @ dyadic_values(rng, (rank, cols))


def mf_point(spec: Spec, rank_a: int, rank_b: int, seed: int = 0) -> dict:
    """Random ``A`` (n1 x k) of rank ``rank_a`` and ``B`` (k x n2) of rank ``rank_b``.

    Parameters
    ----------
    spec : Spec
        An ``mf`` spec of depth 2.
    rank_a, rank_b : int
    seed : int

    Returns
    -------
    dict

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> p = mf_point(parse_spec("mf:n1=4,k=4,n2=4"), 2, 3)
    >>> int(np.linalg.matrix_rank(p["A"])), int(np.linalg.matrix_rank(p["B"]))
    (2, 3)
    """
    if spec.family != "mf" or spec["depth"] != 2:
        raise InputError(f"mf_point needs an mf spec of depth 2, got {spec}")
    n1, k, n2 = spec["n1"], spec["k"], spec["n2"]
    if not (0 <= rank_a <= min(n1, k) and 0 <= rank_b <= min(k, n2)):
        raise InputError(f"factor ranks ({rank_a}, {rank_b}) impossible for {spec}")
    return mf_parametrization(spec, rank_a, rank_b).sample(seed)


def mf_target_point(spec: Spec, target_rank: int, seed: int = 0) -> dict:
    """A factorization of a random rank-``r`` target with ``rank A = rank B = r``.

    Works at any depth: the inner factors are random rank-``r`` square
    matrices.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> p = mf_target_point(parse_spec("mf:n1=4,k=4,n2=4,depth=3"), 2)
    >>> int(np.linalg.matrix_rank(p["A1"] @ p["A2"] @ p["A3"]))
    2
    """
    from rankstrat.theory.model.symbolic import param_shapes

    rng = np.random.default_rng(seed)
    shapes = param_shapes(spec)
    limit = min(spec["n1"], spec["k"], spec["n2"])
    if not 0 <= target_rank <= limit:
        raise InputError(f"target rank must be between 0 and {limit}, got {target_rank}")
    return {name: exact_low_rank(rng, rows, cols, target_rank) for name, (rows, cols) in shapes.items()}


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

    Examples
    --------
    >>> Neuron(1, -1, True)
    Neuron(cls=1, sign=-1, output=True, bias=True)
    """

    cls: int
    sign: int = 1
    output: bool = True
    bias: bool = True


def twolayer_parametrization(spec: Spec, neurons: list) -> "Parametrization":
    """The smooth map from free parameters onto the two-layer points with a given
    neuron structure.

    Free parameters: one ``(w, b)`` (or ``w``) per class, one output weight per
    neuron with ``output=True``, one bias per zero-weight neuron with
    ``bias=True`` (when the spec has a bias).

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
    zero_biases = [i for i, n in enumerate(neurons) if n.cls == 0 and n.bias and bias]
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

    ``labels`` are those of :func:`rankstrat.theory.families.twolayer.strata`. Class
    representatives ``1 .. m_w`` (the first ``m_a`` with an output weight);
    the other neurons are zero-weight neurons or duplicates of class 1, chosen
    so that the labels stay the same and the piece is as large as possible.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=2,k=3")
    >>> [(n.cls, n.output) for n in twolayer_stratum_neurons(spec, {"m_w": 1, "m_a": 1, "z": 0})]
    [(1, True), (1, True), (1, True)]
    """
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


def mf_parametrization(spec: Spec, rank_a: int, rank_b: int) -> Parametrization:
    """``(L_A, R_A, L_B, R_B) -> (A, B) = (L_A R_A, L_B R_B)``: onto the stratum
    ``rank A = rA, rank B = rB`` of the depth-2 factorization.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> param = mf_parametrization(parse_spec("mf:n1=3,k=2,n2=3"), 1, 2)
    >>> param.dimension, int(np.linalg.matrix_rank(param.sample(1)["A"]))  # 15 free values, a 10-dim image
    (15, 1)
    """
    n1, k, n2 = spec["n1"], spec["k"], spec["n2"]
    shapes = [(n1, rank_a), (rank_a, k), (k, rank_b), (rank_b, n2)]
    sizes = [r * c for r, c in shapes]

    def build(z):
        parts, start = [], 0
        for (r, c), size in zip(shapes, sizes):
            parts.append(np.asarray(z[start : start + size], dtype=float).reshape(r, c))
            start += size
        return {"A": parts[0] @ parts[1], "B": parts[2] @ parts[3]}

    return Parametrization(sum(sizes), build)


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


def stratum_parametrization(spec: Spec, stratum) -> Parametrization:
    """The parametrization of a stratum listed by :func:`rankstrat.theory.rank.stratum.list_strata`.

    Raises
    ------
    InputError
        For a family without listed strata.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.theory.rank.stratum import list_strata
    >>> spec = parse_spec("mf:n1=2,k=2,n2=2")
    >>> top = list_strata(spec)[-1]
    >>> stratum_parametrization(spec, top).dimension >= top.dimension.value
    True
    """
    labels = stratum.labels
    if spec.family == "mf":
        return mf_parametrization(spec, labels["rA"], labels["rB"])
    if spec.family == "twolayer":
        return twolayer_parametrization(spec, twolayer_stratum_neurons(spec, labels))
    if spec.family in ("cnn1d", "cnn2d"):
        return cnn_parametrization(spec, labels["active"])
    raise InputError(f"{spec.family}: no strata are listed for this family")
