"""The family's forward map on any backend, and the Jacobian by forward mode.

The same ``forward(params, X, act)`` that builds the sympy model and the torch
function (:func:`rankstrat.theory.model.symbolic.family_forward`) is run on
numpy object arrays whose entries are :class:`~rankstrat.numerics.backends.dual.Dual`
numbers. Each entry's value is batched over all inputs (one ring element per
input), so the Python work is one forward pass of a single input, and the
numeric work is vectorised.

Backends (``ring``):

- ``"mod"``: exact residues modulo ``2^31 - 1``
  (:class:`~rankstrat.numerics.backends.rings.ModArray`), polynomial models;
- ``"ball"``: rigorous float64 balls (:class:`~rankstrat.numerics.backends.rings.Ball`),
  analytic activations evaluated in flint ``arb``;
- ``"arb"``: flint ``arb`` balls at the current ``flint.ctx.prec``;
- ``"mpmath"``: mpmath numbers at the current ``mpmath.mp.dps``;
- ``"fmpq"``: exact rationals (flint ``fmpq``), polynomial models.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from rankstrat.numerics.backends.dual import Dual
from rankstrat.numerics.backends.rings import UNIT, Ball, ModArray, inflate, mod_from_float
from rankstrat.theory.errors import SpecError
from rankstrat.theory.model.symbolic import family_forward, has_symbolic_model, param_shapes
from rankstrat.theory.spec import Spec

RINGS = ("mod", "ball", "arb", "mpmath", "fmpq")
BALL_PREC = 64
"""Bits of the arb evaluations behind :class:`Ball` activations."""


class _Functions:
    """Elementary functions of one scalar type (arb methods or mpmath)."""

    def __init__(self, tanh, exp, sin, cos, log):
        self.tanh, self.exp, self.sin, self.cos, self.log = tanh, exp, sin, cos, log


def _arb_functions():
    return _Functions(lambda z: z.tanh(), lambda z: z.exp(), lambda z: z.sin(), lambda z: z.cos(), lambda z: z.log())


def _mpmath_functions():
    import mpmath

    return _Functions(mpmath.tanh, mpmath.exp, mpmath.sin, mpmath.cos, mpmath.log)


def _sigmoid(f, z):
    return 1 / (1 + f.exp(-z))


def _tanh_pair(f, z):
    t = f.tanh(z)
    return t, 1 - t * t


def _sigmoid_pair(f, z):
    s = _sigmoid(f, z)
    return s, s * (1 - s)


ANALYTIC_PAIRS = {
    "tanh": _tanh_pair,
    "sigmoid": _sigmoid_pair,
    "sin": lambda f, z: (f.sin(z), f.cos(z)),
    "exp": lambda f, z: (f.exp(z), f.exp(z)),
    "softplus": lambda f, z: (f.log(1 + f.exp(z)), _sigmoid(f, z)),
}
"""``name -> pair(functions, z) = (sigma(z), sigma'(z))`` for analytic activations."""


def _arb_to_ball(values: list, shape) -> Ball:
    mid = np.array([float(v.mid()) for v in values], dtype=np.float64)
    rad = np.array([float(v.rad()) for v in values], dtype=np.float64)
    # float() rounds the midpoint (error <= UNIT |mid|) and the radius (relative UNIT).
    return Ball(mid.reshape(shape), inflate(rad + UNIT * np.abs(mid)).reshape(shape))


def _ball_pair(name: str, z: Ball):
    import flint

    pair = ANALYTIC_PAIRS[name]
    f = _arb_functions()
    mid, rad = np.broadcast_arrays(z.mid, z.rad)
    values, slopes = [], []
    with flint.ctx.workprec(BALL_PREC):
        for m, r in zip(mid.ravel().tolist(), rad.ravel().tolist()):
            value, slope = pair(f, flint.arb(m, r))
            values.append(value)
            slopes.append(slope)
    return _arb_to_ball(values, mid.shape), _arb_to_ball(slopes, mid.shape)


def _object_pair(name: str, z: np.ndarray):
    import flint

    pair = ANALYTIC_PAIRS[name]
    first = z.flat[0]
    f = _arb_functions() if isinstance(first, flint.arb) else _mpmath_functions()
    out = [pair(f, v) for v in z.ravel()]
    value = np.empty(z.shape, dtype=object)
    slope = np.empty(z.shape, dtype=object)
    value.ravel()[:] = [v for v, _ in out]
    slope.ravel()[:] = [s for _, s in out]
    return value, slope


def activation(spec: Spec):
    """The elementwise activation of ``spec`` on object arrays of duals (None for ``mf``).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> act = activation(parse_spec("twolayer:d=1,k=1,act=pow3"))
    >>> act(np.array([Dual(2, {0: 1})], dtype=object))[0].tangent
    {0: 12}
    """
    act = spec.activation
    if act is None:
        return None
    if act.polynomial:
        degree = act.degree
        return np.vectorize(lambda d: d**degree, otypes=[object])
    if act.name not in ANALYTIC_PAIRS:
        raise SpecError(f"{spec}: activation {act.name} is not analytic; no exact or ball backend")
    name = act.name

    def pair(value):
        if isinstance(value, Ball):
            return _ball_pair(name, value)
        if isinstance(value, np.ndarray) and value.dtype == object:
            return _object_pair(name, value)
        raise SpecError(f"{spec}: activation {name} needs the ball, arb or mpmath backend")

    return np.vectorize(lambda d: d.apply(pair), otypes=[object])


def to_ring(values, ring: str):
    """Float64 values (any shape, batched on axis 0) as one element of ``ring``.

    The conversion is exact: a float is a dyadic rational.

    Examples
    --------
    >>> to_ring(np.array([0.5, 2.0]), "mod").values.tolist()
    [1073741824, 2]
    >>> to_ring(np.array([0.5]), "fmpq")[0]
    1/2
    """
    values = np.asarray(values, dtype=np.float64)
    if ring == "mod":
        return ModArray._raw(mod_from_float(values))
    if ring == "ball":
        return Ball(values)
    out = np.empty(values.shape, dtype=object)
    if ring == "arb":
        import flint

        out.ravel()[:] = [flint.arb(v) for v in values.ravel().tolist()]
    elif ring == "mpmath":
        import mpmath

        out.ravel()[:] = [mpmath.mpf(v) for v in values.ravel().tolist()]
    elif ring == "fmpq":
        import flint

        out.ravel()[:] = [flint.fmpq(*Fraction(v).as_integer_ratio()) for v in values.ravel().tolist()]
    else:
        raise ValueError(f"unknown ring {ring!r}; expected one of {', '.join(RINGS)}")
    return out


def has_dual_forward(spec) -> bool:
    """True for family specs: their forward map runs on the backends here.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> has_dual_forward(parse_spec("mf:n1=2,k=1,n2=2"))
    True
    """
    module = getattr(spec, "module", None)
    return (
        has_symbolic_model(spec)
        and module is not None
        and module.__name__.startswith("rankstrat.theory.families.")
        and hasattr(module, "forward")
    )


def dual_forward(spec: Spec, theta, X, ring: str) -> Dual:
    """Outputs at all rows of ``X`` with their gradient, in ``ring``.

    Parameters
    ----------
    spec : Spec
        A family spec (not a plain torch model).
    theta : array (M,) or (n, M)
        The point; with ``ring="ball"`` also one point per input row (many
        small models evaluated in one pass).
    X : array (n, D)
    ring : str
        One of :data:`RINGS`.

    Returns
    -------
    Dual
        Value: the ``n`` outputs; tangent ``{j: df/dtheta_j}`` (batched).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> out = dual_forward(parse_spec("mf:n1=1,k=1,n2=1"), [2.0, 3.0], [[1.0, 1.0]], "fmpq")
    >>> out.value[0], out.tangent[0][0], out.tangent[1][0]
    (6, 3, 2)
    """
    if not has_dual_forward(spec):
        raise SpecError(f"{spec}: only family models have a forward map on the exact and ball backends")
    theta = np.asarray(theta, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    if theta.ndim == 2 and ring == "ball" and len(theta) == len(X):
        values = [Ball(column) for column in theta.T]
        return _forward_on(spec, values, Ball(1.0), X, ring)
    theta = theta.reshape(-1)
    thetas = to_ring(theta, ring)
    one = to_ring(np.ones(1), ring)
    if isinstance(one, np.ndarray):
        one = one[0]
        values = list(thetas)
    else:
        values = [type(thetas)._raw(thetas.values[j]) if ring == "mod" else Ball(thetas.mid[j]) for j in range(len(theta))]
    return _forward_on(spec, values, one, X, ring)


def _forward_on(spec: Spec, values: list, one, X: np.ndarray, ring: str) -> Dual:
    """:func:`dual_forward` once the parameters are ring elements."""
    shapes = param_shapes(spec)
    count = sum(int(np.prod(shape, dtype=np.int64)) for shape in shapes.values())
    if count != len(values):
        raise SpecError(f"{spec}: theta has {len(values)} entries, the model {count} parameters")
    params, start = {}, 0
    for name, shape in shapes.items():
        size = int(np.prod(shape, dtype=np.int64))
        array = np.empty(size, dtype=object)
        for j in range(size):
            array[j] = Dual(values[start + j], {start + j: one})
        params[name] = array.reshape(shape)
        start += size
    inputs = np.empty((1, X.shape[1]), dtype=object)
    for column in range(X.shape[1]):
        inputs[0, column] = Dual(to_ring(X[:, column], ring))
    out = family_forward(spec)(params, inputs, activation(spec))
    return out[0]


def dual_jacobian(spec: Spec, theta, X, ring: str):
    """The Jacobian ``df(x_i)/dtheta_j`` by forward mode in ``ring``.

    Returns
    -------
    ``mod``: int64 array ``(n, M)`` of residues; ``ball``: :class:`Ball` with
    ``(n, M)`` midpoints and radii; otherwise an object array ``(n, M)``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> J = dual_jacobian(parse_spec("twolayer:d=1,k=1,act=pow2"), [3.0, 2.0], [[1.0]], "mod")
    >>> J.tolist()   # d/dw (a (w x)^2) = 2 a w x^2, d/da = (w x)^2
    [[12, 9]]
    >>> B = dual_jacobian(parse_spec("twolayer:d=1,k=1"), [0.5, 2.0], [[1.0]], "ball")
    >>> bool(abs(B.mid[0, 1] - np.tanh(0.5)) <= B.rad[0, 1] + 1e-15)
    True
    """
    out = dual_forward(spec, theta, X, ring)
    n, M = len(X), np.shape(theta)[-1]
    if ring == "mod":
        J = np.zeros((n, M), dtype=np.int64)
        for j, entry in out.tangent.items():
            J[:, j] = entry.values
        return J
    if ring == "ball":
        mid, rad = np.zeros((n, M)), np.zeros((n, M))
        for j, entry in out.tangent.items():
            mid[:, j], rad[:, j] = entry.mid, entry.rad
        return Ball(mid, rad)
    J = np.empty((n, M), dtype=object)
    zero = to_ring(np.zeros(1), ring)[0]
    J[:] = zero
    for j, entry in out.tangent.items():
        J[:, j] = entry
    return J
