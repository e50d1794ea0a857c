"""Jacobians ``J[i, j] = df(x_i; theta) / dtheta_j`` at float64, high precision, in
ball arithmetic, and exactly.

- :func:`jacobian` uses ``torch.func`` (``vmap`` over inputs of ``jacrev``) on
  large batches and one backward pass per input on small ones, where the
  first ``vmap`` call would cost more than the whole Jacobian (it imports
  ``torch._dynamo``, about a second).
- :func:`jacobian_mpmath`, :func:`jacobian_arb` and :func:`jacobian_exact` use
  the symbolic gradient of :func:`rankstrat.theory.model.symbolic.symbolic_model`;
  the ball version is compiled by :mod:`rankstrat.numerics.model.arb_code`, so
  every constant and function is an enclosure.
"""

from __future__ import annotations

import mpmath
import numpy as np
import torch

from rankstrat.numerics.model.realize import realize
from rankstrat.theory.errors import InputError
from rankstrat.theory.model.symbolic import gradient_function
from rankstrat.theory.spec import Spec

DEFAULT_CHUNK = 256
"""Inputs per vectorised chunk: keeps the working set in cache (measured fastest on CPU)."""

SMALL_BATCH = 256
"""Up to this many inputs, :func:`jacobian` takes one backward pass per input instead of ``vmap``."""


def jacobian(spec: Spec, theta, X, device: str | torch.device = "cpu", chunk_size: int | None = None,
             vectorized: bool | None = None) -> np.ndarray:
    """Float64 Jacobian of the outputs at the rows of ``X`` w.r.t. all parameters.

    Parameters
    ----------
    spec : Spec
    theta : array (M,)
        Flat parameters (:func:`rankstrat.numerics.model.points.flat_point`).
    X : array (n, D)
    device : str or torch.device
        ``cpu`` or ``cuda``.
    chunk_size : int, optional
        Inputs per vectorised chunk (default :data:`DEFAULT_CHUNK`).
    vectorized : bool, optional
        ``vmap`` over inputs (True) or one backward pass per input (False);
        by default ``vmap`` above :data:`SMALL_BATCH` inputs.

    Returns
    -------
    ndarray (n, M)

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> J = jacobian(parse_spec("mf:n1=1,k=1,n2=1"), np.array([2.0, 3.0]), np.array([[1.0, 1.0]]))
    >>> J.tolist()
    [[3.0, 2.0]]
    >>> J = jacobian(parse_spec("mf:n1=1,k=1,n2=1"), np.array([2.0, 3.0]), np.array([[1.0, 1.0]]), vectorized=True)
    >>> J.tolist()
    [[3.0, 2.0]]
    """
    if vectorized is None:
        vectorized = len(X) > SMALL_BATCH
    J = _jacobian_vmap(spec, theta, X, device, chunk_size) if vectorized else jacobian_loop(spec, theta, X, device)
    if not np.all(np.isfinite(J)):
        raise InputError(f"{getattr(spec, 'name', spec)}: the model's derivatives are not finite (NaN or inf) "
                         "at this point and these inputs; no rank can be measured")
    return J


def _jacobian_vmap(spec: Spec, theta, X, device, chunk_size: int | None) -> np.ndarray:
    from torch.func import jacrev, vmap

    model = realize(spec)
    theta_t = torch.as_tensor(np.asarray(theta), dtype=torch.float64, device=device)
    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float64, device=device)
    params = {name: value.contiguous() for name, value in model.unflatten(theta_t).items()}

    def single(p, x):
        return model.apply(p, x[None, :])[0]

    # Differentiate with respect to the named tensors, not the flat vector: the
    # backward of slicing a flat vector would scatter every block into a full
    # zero row per input. The blocks are joined once at the end.
    per_input = vmap(jacrev(single), in_dims=(None, 0), chunk_size=chunk_size or DEFAULT_CHUNK)
    blocks = per_input(params, X_t)
    n = X_t.shape[0]
    return torch.cat([blocks[name].reshape(n, -1) for name in params], dim=1).detach().cpu().numpy()


def jacobian_loop(spec: Spec, theta, X, device: str | torch.device = "cpu") -> np.ndarray:
    """The same Jacobian by one autograd backward pass per input (the baseline, and small batches).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=2,k=2")
    >>> theta, X = np.arange(6.0) / 5, np.ones((3, 2))
    >>> bool(np.allclose(jacobian_loop(spec, theta, X), jacobian(spec, theta, X, vectorized=True)))
    True
    """
    model = realize(spec)
    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float64, device=device)
    theta_t = torch.as_tensor(np.asarray(theta), dtype=torch.float64, device=device)
    rows = []
    for x in X_t:
        th = theta_t.clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(model(th, x[None, :])[0], th)
        rows.append(grad.detach().cpu().numpy())
    return np.stack(rows) if rows else np.zeros((0, len(theta_t)))


def jacobian_mpmath(spec: Spec, theta, X, dps: int) -> mpmath.matrix:
    """Jacobian in mpmath at ``dps`` decimal digits, at the exact binary values of
    the float64 ``theta`` and ``X``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> J = jacobian_mpmath(parse_spec("twolayer:d=1,k=1"), [0.5, 2.0], [[1.0]], dps=30)
    >>> mpmath.nstr(J[0, 1], 20)  # tanh(0.5)
    '0.46211715726000975850'
    """
    grad = gradient_function(spec, "mpmath")
    with mpmath.workdps(dps):
        th = [mpmath.mpf(float(t)) for t in np.asarray(theta).reshape(-1)]
        rows = [grad(th, [mpmath.mpf(float(v)) for v in x]) for x in np.asarray(X)]
        return mpmath.matrix(rows)


def jacobian_arb(spec: Spec, theta, X, rows=None, cols=None):
    """Jacobian entries as python-flint ``arb`` balls (certified enclosures).

    Parameters
    ----------
    spec : Spec
    theta : array (M,)
    X : array (n, D)
    rows, cols : sequence of int, optional
        Sub-matrix to evaluate (all by default).

    Returns
    -------
    flint.arb_mat

    Raises
    ------
    NotRigorous
        When the model uses a function without a ball-arithmetic form
        (:mod:`rankstrat.numerics.model.arb_code`).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> J = jacobian_arb(parse_spec("mf:n1=1,k=1,n2=1"), [2.0, 3.0], [[1.0, 1.0]])
    >>> J[0, 0], J[0, 1]
    (3.00000000000000, 2.00000000000000)
    """
    import flint

    from rankstrat.numerics.model.arb_code import arb_gradient_function

    grad = arb_gradient_function(spec)
    X = np.asarray(X)
    rows = range(len(X)) if rows is None else rows
    th = [flint.arb(float(t)) for t in np.asarray(theta).reshape(-1)]
    cols = range(len(th)) if cols is None else list(cols)
    entries = []
    for i in rows:
        full = grad(th, [flint.arb(float(v)) for v in X[i]])
        entries.append([_as_arb(full[j]) for j in cols])
    return flint.arb_mat(entries)


def _as_arb(value):
    """An entry as a ball: arb balls pass, exact Python integers are converted;
    anything else (a float, an mpf) is no enclosure and raises.

    Examples
    --------
    >>> _as_arb(3)
    3.00000000000000
    >>> _as_arb(0.5)
    Traceback (most recent call last):
    ...
    TypeError: a Jacobian entry of type float is not a ball: no rigorous enclosure
    """
    import flint

    if isinstance(value, flint.arb):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return flint.arb(value)
    raise TypeError(f"a Jacobian entry of type {type(value).__name__} is not a ball: no rigorous enclosure")


def jacobian_exact(spec: Spec, theta, X) -> list:
    """Exact Jacobian (Python integers / fractions) of a polynomial model.

    ``theta`` and ``X`` must hold integers; the entries are Python integers.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> jacobian_exact(parse_spec("twolayer:d=1,k=1,act=pow2"), [3, 2], [[1]])
    [[12, 9]]
    """
    grad = gradient_function(spec, "exact")
    th = [int(t) for t in theta]
    return [[int(v) for v in grad(th, [int(v) for v in x])] for x in X]
