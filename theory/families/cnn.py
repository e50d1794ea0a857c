"""One convolution layer and a linear read-out, in 1-D (``cnn1d``) or 2-D (``cnn2d``).

Input: a signal of length ``d`` (1-D) or a ``d x d`` image flattened row by
row (2-D). ``k`` channels with an ``s`` (or ``s x s``) kernel, stride 1, no
padding, give ``Q = (d - s + 1)^n`` positions (``n`` = 1 or 2). Each channel
``c`` and position ``p`` is a neuron ``sigma(w . patch_p(x) + b)``; the
read-out is ``f = sum_{c,p} a[c, p] sigma(...)``.

- ``share=1`` (convolution): ``W`` (k, s^n) shared over positions, ``b`` (k,).
- ``share=0`` (locally connected): the same sparsity without weight sharing,
  ``W`` (k, Q, s^n), ``b`` (k, Q).

The fully connected comparison is :func:`fully_connected_counterpart`: an
``mlp`` with one hidden layer of ``k Q`` neurons on all ``d^n`` inputs.
"""

from __future__ import annotations

import numpy as np
import sympy

from rankstrat.theory.closed_form import SIZE_SYMBOLS, ClosedForm
from rankstrat.theory.errors import SpecError
from rankstrat.theory.keys import Key

NAMES = ("cnn1d", "cnn2d")
"""The family names this module serves."""

KEYS = (
    Key("d", "size", doc="input length (1-D) or side (2-D)"),
    Key("s", "size", doc="kernel size"),
    Key("k", "size", doc="channels"),
    Key("share", "flag", default=1, doc="1 convolution, 0 locally connected"),
    Key("bias", "flag", default=0, doc="1 for a bias per neuron"),
    Key("act", "act", default="tanh", doc="activation"),
)

d, s, k = SIZE_SYMBOLS["d"], SIZE_SYMBOLS["s"], SIZE_SYMBOLS["k"]
SOURCE = "Zhang et al., optimistic estimate (arXiv 2307.08921), CNN vs fully connected"


def validate(spec) -> None:
    """The kernel must fit in the input.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> parse_spec("cnn1d:d=2,s=3,k=1")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.SpecError: cnn1d: kernel size s=3 must not exceed the input size d=2
    """
    if spec["s"] > spec["d"]:
        raise SpecError(
            f"{spec.family}: kernel size s={spec['s']} must not exceed the input size d={spec['d']}"
        )


def ndim(spec) -> int:
    """1 for ``cnn1d``, 2 for ``cnn2d``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> ndim(parse_spec("cnn2d:d=4,s=2,k=1"))
    2
    """
    return 2 if spec.family == "cnn2d" else 1


def positions(spec) -> int:
    """Number of kernel positions ``Q = (d - s + 1)^n``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> positions(parse_spec("cnn2d:d=4,s=2,k=1"))
    9
    """
    return (spec["d"] - spec["s"] + 1) ** ndim(spec)


def patch_index(spec) -> np.ndarray:
    """Integer array (Q, s^n): the input indices each kernel position reads.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> patch_index(parse_spec("cnn1d:d=4,s=2,k=1")).tolist()
    [[0, 1], [1, 2], [2, 3]]
    >>> patch_index(parse_spec("cnn2d:d=3,s=2,k=1"))[0].tolist()
    [0, 1, 3, 4]
    """
    side, size = spec["d"], spec["s"]
    steps = side - size + 1
    if ndim(spec) == 1:
        return np.array([[p + t for t in range(size)] for p in range(steps)], dtype=np.int64)
    return np.array(
        [
            [(i + u) * side + (j + v) for u in range(size) for v in range(size)]
            for i in range(steps)
            for j in range(steps)
        ],
        dtype=np.int64,
    )


def param_shapes(spec) -> dict:
    """Ordered ``{name: shape}``: ``W``, ``b`` (with bias), ``a``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> param_shapes(parse_spec("cnn1d:d=5,s=3,k=2,share=1,bias=1"))
    {'W': (2, 3), 'b': (2,), 'a': (2, 3)}
    >>> param_shapes(parse_spec("cnn1d:d=5,s=3,k=2,share=0,bias=1"))
    {'W': (2, 3, 3), 'b': (2, 3), 'a': (2, 3)}
    """
    kk, q, size = spec["k"], positions(spec), spec["s"] ** ndim(spec)
    shapes = {"W": (kk, size) if spec["share"] else (kk, q, size)}
    if spec["bias"]:
        shapes["b"] = (kk,) if spec["share"] else (kk, q)
    shapes["a"] = (kk, q)
    return shapes


def input_dim(spec) -> int:
    """Length of the (flattened) input, ``d^n``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> input_dim(parse_spec("cnn2d:d=4,s=2,k=1"))
    16
    """
    return spec["d"] ** ndim(spec)


def architecture_label(spec) -> str:
    """``convolution`` (shared kernels) or ``locally connected``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> architecture_label(parse_spec("cnn1d:d=3,s=2,k=1,share=0"))
    'locally connected'
    """
    return "convolution" if spec["share"] else "locally connected"


def forward(params: dict, X, act, index=None):
    """Read-out of the activated convolution (or locally connected) layer.

    Parameters
    ----------
    params : dict
        ``W``, optional ``b``, ``a`` with the shapes of :func:`param_shapes`.
    X : array (n, d^n)
    act : callable
    index : array (Q, s^n)
        :func:`patch_index` of the spec (required).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("cnn1d:d=3,s=2,k=1")
    >>> p = {"W": np.array([[1.0, 1.0]]), "a": np.array([[1.0, 10.0]])}
    >>> forward(p, np.array([[1.0, 2.0, 3.0]]), lambda z: z, patch_index(spec))
    array([53.])
    """
    patches = X[:, index]  # (n, Q, S)
    W = params["W"]
    if len(W.shape) == 2:  # shared kernel: broadcast over positions
        W = W[:, None, :]
    pre = (patches[:, None, :, :] * W[None]).sum(-1)  # (n, k, Q)
    if "b" in params:
        b = params["b"]
        pre = pre + (b[:, None] if len(b.shape) == 1 else b)
    return (act(pre) * params["a"]).sum(-1).sum(-1)


def _sizes(spec) -> dict:
    return {"d": spec["d"], "s": spec["s"], "k": spec["k"]}


def _per_neuron_exprs(spec):
    n = ndim(spec)
    q = (d - s + 1) ** n
    return n, q


def num_params_formula(spec) -> ClosedForm:
    """Parameter count.

    Convolution: ``k (s^n + Q)`` (+ ``k`` with bias); locally connected:
    ``k Q (s^n + 1)`` (+ ``k Q`` with bias), ``Q = (d - s + 1)^n``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> num_params_formula(parse_spec("cnn1d:d=5,s=3,k=100,share=1,bias=1")).value
    700
    >>> num_params_formula(parse_spec("cnn1d:d=5,s=3,k=100,share=0,bias=1")).value
    1500
    """
    n, q = _per_neuron_exprs(spec)
    bias = spec["bias"]
    if spec["share"]:
        expr = k * (s**n + bias + q)
    else:
        expr = k * q * (s**n + bias + 1)
    return ClosedForm(expr, _sizes(spec))


def target_rank(spec, channels: int = 1, null_neurons: int = 0) -> ClosedForm:
    """Model rank (optimistic size) of a target built from ``channels`` distinct
    channels of the same architecture, with ``null_neurons`` neurons of zero
    read-out among them (locally connected).

    Convolution: ``k* (s^n + Q)`` (+ ``k*`` with bias): each channel spans its
    ``Q`` neurons and one tangent direction per kernel entry (and bias).
    Locally connected: ``(s^n + 1 [+ 1]) (k* Q - m_null)``: every active neuron
    is a free two-layer neuron with ``s^n`` inputs.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> target_rank(parse_spec("cnn1d:d=5,s=3,k=100,share=1,bias=1")).value
    7
    >>> target_rank(parse_spec("cnn1d:d=5,s=3,k=100,share=0,bias=1")).value
    15
    """
    n, q = _per_neuron_exprs(spec)
    bias = spec["bias"]
    if not 1 <= channels <= spec["k"]:
        raise SpecError(f"{spec.family}: target channels must be between 1 and k={spec['k']}")
    m_null = sympy.Symbol("m_null", nonnegative=True, integer=True)
    kstar = sympy.Symbol("kstar", positive=True, integer=True)
    if spec["share"]:
        expr = kstar * (s**n + bias + q)
        note = ""
    else:
        expr = (s**n + 1 + bias) * (kstar * q - m_null)
        note = "m_null = neurons with zero read-out"
    sizes = {**_sizes(spec), "kstar": channels, "m_null": null_neurons}
    return ClosedForm(expr, sizes, source=SOURCE, note=note)


def generic_rank(spec) -> ClosedForm:
    """Generic model rank: every parameter counts, ``M`` (tanh-like activations).

    docs/theory.md section 2.3: 2-D, no bias, CNN ``k (s^2 + (d+1-s)^2)``; locally connected
    ``(s^2 + 1) k (d+1-s)^2``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> generic_rank(parse_spec("cnn2d:d=28,s=3,k=1,share=1")).value
    685
    >>> generic_rank(parse_spec("cnn2d:d=28,s=3,k=1,share=0")).value
    6760
    """
    form = target_rank(spec, spec["k"])
    act = spec.activation
    return ClosedForm(
        form.expr, form.sizes, source=SOURCE + ", generic rank", holds=act.generic,
        note="" if act.generic else f"{act.name}: the generic-activation formula may not hold",
    )


def fully_connected_counterpart(spec):
    """The ``mlp`` with one hidden layer of ``k Q`` neurons on the same input.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> fully_connected_counterpart(parse_spec("cnn1d:d=5,s=3,k=100,bias=1"))
    Spec('mlp:d=5,widths=300,act=tanh,bias=1')
    """
    from rankstrat.theory.spec import spec_from_mapping

    return spec_from_mapping(
        {
            "family": "mlp",
            "d": input_dim(spec),
            "widths": [spec["k"] * positions(spec)],
            "act": spec["act"],
            "bias": spec["bias"],
        }
    )


def fully_connected_target_rank(spec, active_neurons: int) -> ClosedForm:
    """Model rank of the fully connected counterpart at a target with
    ``active_neurons`` distinct neurons: ``(d^n + 1 [+ 1]) * active``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> fully_connected_target_rank(parse_spec("cnn1d:d=5,s=3,k=100,bias=1"), 3).value
    21
    >>> fully_connected_target_rank(parse_spec("cnn2d:d=28,s=3,k=1"), 676).value
    530660
    """
    n = ndim(spec)
    active = sympy.Symbol("n_active", positive=True, integer=True)
    expr = (d**n + 1 + spec["bias"]) * active
    return ClosedForm(expr, {"d": spec["d"], "n_active": active_neurons}, source=SOURCE)


STRATA_NOTE = (
    "only strata whose channels (shared) or neurons (locally connected) are either "
    "fully active or entirely zero are listed; other strata are not stated"
)


def strata(spec) -> list:
    """Strata with ``j`` active channels (shared) or ``j`` active neurons (locally
    connected) and every other channel or neuron zero (``w = 0, b = 0, a = 0``).

    Each active channel is free, so the dimension equals the rank:
    ``j (s^n + Q [+ 1])`` for convolution, ``j (s^n + 1 [+ 1])`` locally connected.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> [s.rank.value for s in strata(parse_spec("cnn1d:d=5,s=3,k=2,bias=1"))]
    [0, 7, 14]
    """
    from rankstrat.theory.rank.stratum import Stratum

    n, q = _per_neuron_exprs(spec)
    bias = spec["bias"]
    active = sympy.Symbol("j")
    if spec["share"]:
        expr, count = active * (s**n + bias + q), spec["k"]
        unit = "channels"
    else:
        expr, count = active * (s**n + 1 + bias), spec["k"] * positions(spec)
        unit = "neurons"
    out = []
    for j in range(count + 1):
        form = ClosedForm(expr, {**_sizes(spec), "j": j}, source=SOURCE)
        out.append(Stratum(f"{j} active {unit}", {"active": j}, form, form))
    return out
