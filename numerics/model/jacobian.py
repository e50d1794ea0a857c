"""Jacobians ``J[i, j] = df(x_i; theta) / dtheta_j`` at float64, high precision, in
ball arithmetic, and exactly.

- :func:`jacobian` uses ``torch.func`` (``vmap`` over inputs of ``jacrev``).
- :func:`jacobian_mpmath` and :func:`jacobian_arb` run the family's forward map
  on dual numbers (:mod:`rankstrat.numerics.backends.forward`); user models and
  :func:`jacobian_exact` use the symbolic gradient of
  :func:`rankstrat.theory.model.symbolic.symbolic_model`.
"""

from __future__ import annotations

import mpmath
import numpy as np
import torch
from torch.func import jacrev, vmap

from rankstrat.numerics.backends.forward import dual_jacobian, has_dual_forward
from rankstrat.numerics.model.realize import realize
from rankstrat.theory.model.symbolic import gradient_function
from rankstrat.theory.spec import Spec

DEFAULT_CHUNK = 256
"""Inputs per vectorised chunk: keeps the working set in cache (measured fastest on CPU)."""


def jacobian(spec: Spec, theta, X, device: str | torch.device = "cpu", chunk_size: int | None = None) -> np.ndarray:
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

    Returns
    -------
    ndarray (n, M)

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> J = jacobian(parse_spec("mf:n1=1,k=1,n2=1"), np.array([2.0, 3.0]), np.array([[1.0, 1.0]]))
    >>> J.tolist()
    [[3.0, 2.0]]
    """
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


def jacobian_loop(spec: Spec, theta, X) -> np.ndarray:
    """The same Jacobian by one autograd backward pass per input (the baseline).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=2,k=2")
    >>> theta, X = np.arange(6.0) / 5, np.ones((3, 2))
    >>> bool(np.allclose(jacobian_loop(spec, theta, X), jacobian(spec, theta, X)))
    True
    """
    model = realize(spec)
    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float64)
    rows = []
    for x in X_t:
        th = torch.as_tensor(np.asarray(theta), dtype=torch.float64).clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(model(th, x[None, :])[0], th)
        rows.append(grad.numpy())
    return np.stack(rows)


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
    if has_dual_forward(spec):
        with mpmath.workdps(dps):
            return mpmath.matrix(dual_jacobian(spec, theta, X, "mpmath").tolist())
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

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> J = jacobian_arb(parse_spec("mf:n1=1,k=1,n2=1"), [2.0, 3.0], [[1.0, 1.0]])
    >>> J[0, 0], J[0, 1]
    (3.00000000000000, 2.00000000000000)
    """
    import flint

    X = np.asarray(X)
    if has_dual_forward(spec):
        J = dual_jacobian(spec, theta, X if rows is None else X[list(rows)], "arb")
        return flint.arb_mat((J if cols is None else J[:, list(cols)]).tolist())
    grad = gradient_function(spec, "arb")
    rows = range(len(X)) if rows is None else rows
    th = [flint.arb(float(t)) for t in np.asarray(theta).reshape(-1)]
    cols = range(len(th)) if cols is None else list(cols)
    entries = []
    for i in rows:
        full = grad(th, [flint.arb(float(v)) for v in X[i]])
        entries.append([_as_arb(full[j]) for j in cols])
    return flint.arb_mat(entries)


def _as_arb(value):
    import flint

    return value if isinstance(value, flint.arb) else flint.arb(value)


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
