"""Batched small-initialization training of any spec: many runs in one tensor program.

Every run is one row of a batched parameter tensor, with its own sample set
padded to a common size and weighted; gradients by ``torch.func.vmap`` of
``torch.func.grad`` (a hand-written path for tanh two-layer networks). Runs
stop on their own as in :mod:`rankstrat.numerics.training.factorization`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.func import jacrev, vmap

from rankstrat.numerics.model.realize import realize
from rankstrat.numerics.training.device import cpu_single_thread, resolve_device
from rankstrat.numerics.training.runs import (
    COMPACT_EVERY,
    DIVERGENCE_LOSS,
    RunOutcomes,
    check_positive,
)
from rankstrat.theory.errors import InputError
from rankstrat.theory.spec import Spec


@dataclass
class TrainingResult(RunOutcomes):
    """Outcome of :func:`train_runs` or :func:`levenberg_marquardt_polish`, indexed by run.

    Attributes
    ----------
    theta : ndarray (R, M)
        Final flat parameters (:func:`rankstrat.numerics.model.realize.realize` order).
    train_loss : ndarray (R,)
        Final training loss ``1/(2 n) sum_i (f(x_i) - y_i)^2`` over each run's samples.
    converged : ndarray (R,) of bool
        Training loss below ``tol``.
    diverged : ndarray (R,) of bool
        Loss or parameters became non-finite, or the loss exceeded :data:`DIVERGENCE_LOSS`.
    steps : ndarray (R,) of int
        Steps taken.

    Examples
    --------
    >>> r = TrainingResult(np.zeros((2, 3)), np.array([0.0, np.nan]), np.array([True, False]),
    ...                    np.array([False, True]), np.array([5, 2]))
    >>> r.unconverged.tolist()
    [False, False]
    """

    theta: np.ndarray
    train_loss: np.ndarray
    converged: np.ndarray
    diverged: np.ndarray
    steps: np.ndarray


def check_run_data(model, theta0, X, y, weights):
    theta_np = np.asarray(theta0, dtype=np.float64)
    X_np = np.asarray(X, dtype=np.float64)
    y_np = np.asarray(y, dtype=np.float64)
    if theta_np.ndim != 2 or theta_np.shape[1] != model.num_params:
        raise InputError(
            f"theta0: expected shape (R, {model.num_params}) for {model.spec}, got {theta_np.shape}"
        )
    R = theta_np.shape[0]
    dim = model.spec.module.input_dim(model.spec)
    if X_np.ndim != 3 or X_np.shape[0] != R or X_np.shape[2] != dim:
        raise InputError(f"X: expected shape ({R}, N, {dim}) (runs, samples, input), got {X_np.shape}")
    if y_np.shape != X_np.shape[:2]:
        raise InputError(f"y: expected shape {X_np.shape[:2]} (runs, samples), got {y_np.shape}")
    if weights is None:
        w_np = np.ones(y_np.shape)
    else:
        w_np = np.asarray(weights, dtype=np.float64)
        if w_np.shape != y_np.shape:
            raise InputError(f"weights: expected shape {y_np.shape} like y, got {w_np.shape}")
        if np.any(w_np < 0) or np.any(w_np.sum(1) <= 0):
            raise InputError("weights: expected values >= 0 with at least one sample per run")
    for name, array in (("theta0", theta_np), ("X", X_np), ("y", y_np)):
        if not np.all(np.isfinite(array)):
            raise InputError(f"{name}: expected finite values, got NaN or infinity")
    return theta_np, X_np, y_np, w_np


def _has_tanh_twolayer_path(spec: Spec) -> bool:
    return spec.family == "twolayer" and spec["act"] == "tanh"


def _twolayer_parts(spec: Spec, theta: torch.Tensor):
    k, d = spec["k"], spec["d"]
    W = theta[:, : k * d].reshape(-1, k, d)
    b = theta[:, k * d : k * d + k] if spec["bias"] else None
    a = theta[:, -k:]
    return W, b, a


def _twolayer_hidden(spec: Spec, theta: torch.Tensor, X: torch.Tensor):
    W, b, a = _twolayer_parts(spec, theta)
    pre = (X[:, :, None, :] * W[:, None, :, :]).sum(-1)  # (R, N, k)
    if b is not None:
        pre = pre + b[:, None, :]
    h = torch.tanh(pre)
    return h, a, (h * a[:, None, :]).sum(-1)


def batched_loss_functions(spec: Spec):
    """Batched ``(loss, gradient)`` and ``loss`` of ``1/(2 n) sum_i w_i (f(x_i) - y_i)^2`` per run.

    Two-layer tanh networks use closed-form gradients on broadcast tensors
    (several times faster than ``vmap``); every other spec uses
    ``torch.func.vmap`` of ``torch.func.grad_and_value`` on the spec's forward
    map. Both agree to rounding (tested).

    Parameters
    ----------
    spec : Spec

    Returns
    -------
    value_and_grad : callable
        ``(theta (R, M), X (R, N, D), y (R, N), w (R, N)) -> (loss (R,), grad (R, M))``.
    loss : callable
        Same arguments, ``-> loss (R,)``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> value_and_grad, loss = batched_loss_functions(parse_spec("twolayer:d=1,k=1"))
    >>> theta = torch.tensor([[2.0, 1.0]], dtype=torch.float64); X = torch.ones(1, 1, 1, dtype=torch.float64)
    >>> y = torch.tanh(torch.tensor([[2.0]], dtype=torch.float64)); w = torch.ones(1, 1, dtype=torch.float64)
    >>> loss(theta, X, y, w).tolist(), value_and_grad(theta, X, y, w)[1].tolist()
    ([0.0], [[0.0, 0.0]])
    """
    if _has_tanh_twolayer_path(spec):

        def loss(theta, X, y, w):
            _, _, f = _twolayer_hidden(spec, theta, X)
            e = f - y
            return 0.5 * (w * e * e).sum(1) / w.sum(1)

        def value_and_grad(theta, X, y, w):
            h, a, f = _twolayer_hidden(spec, theta, X)
            e = f - y
            weights = w / w.sum(1, keepdim=True)
            value = 0.5 * (weights * e * e).sum(1)
            r = weights * e  # dL/df
            grad_a = (h * r[:, :, None]).sum(1)
            dpre = r[:, :, None] * a[:, None, :] * (1 - h * h)  # (R, N, k)
            parts = [(dpre[:, :, :, None] * X[:, :, None, :]).sum(1).reshape(len(theta), -1)]
            if spec["bias"]:
                parts.append(dpre.sum(1))
            parts.append(grad_a)
            return value, torch.cat(parts, 1)

        return value_and_grad, loss
    return _vmapped_loss_functions(spec)


def _vmapped_loss_functions(spec: Spec):
    from torch.func import grad_and_value

    model = realize(spec)

    def loss(theta, X, y, w):
        residual = model(theta, X) - y
        return 0.5 * (w * residual * residual).sum() / w.sum()

    gv = vmap(grad_and_value(loss))

    def value_and_grad(theta, X, y, w):
        g, v = gv(theta, X, y, w)
        return v, g

    return value_and_grad, vmap(loss)


def batched_residual_functions(spec: Spec):
    """Batched residuals ``r_i = sqrt(w_i / n) (f(x_i) - y_i)`` and their Jacobian.

    Closed form for two-layer tanh networks, ``vmap`` of ``jacrev`` otherwise.

    Parameters
    ----------
    spec : Spec

    Returns
    -------
    residual : callable
        ``(theta (R, M), X, y, w) -> (R, N)``.
    jacobian : callable
        ``(theta, X, y, w) -> (R, N, M)``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> res, jac = batched_residual_functions(parse_spec("twolayer:d=1,k=1"))
    >>> theta = torch.tensor([[0.0, 1.0]], dtype=torch.float64); X = torch.ones(1, 1, 1, dtype=torch.float64)
    >>> y = torch.zeros(1, 1, dtype=torch.float64); w = torch.ones(1, 1, dtype=torch.float64)
    >>> jac(theta, X, y, w).tolist()   # d/dW = a (1 - tanh^2) x, d/da = tanh(W x)
    [[[1.0, 0.0]]]
    """
    if _has_tanh_twolayer_path(spec):

        def residual(theta, X, y, w):
            _, _, f = _twolayer_hidden(spec, theta, X)
            return torch.sqrt(w / w.sum(1, keepdim=True)) * (f - y)

        def jacobian(theta, X, y, w):
            h, a, _ = _twolayer_hidden(spec, theta, X)
            scale = torch.sqrt(w / w.sum(1, keepdim=True))[:, :, None]  # (R, N, 1)
            dpre = scale * a[:, None, :] * (1 - h * h)  # (R, N, k)
            R, N = w.shape
            parts = [(dpre[:, :, :, None] * X[:, :, None, :]).reshape(R, N, -1)]
            if spec["bias"]:
                parts.append(dpre)
            parts.append(scale * h)
            return torch.cat(parts, 2)

        return residual, jacobian
    model = realize(spec)

    def residual(th, X_, y_, w_):
        return torch.sqrt(w_ / w_.sum()) * (model(th, X_) - y_)

    return vmap(residual), vmap(jacrev(residual))


def _as_rates(lr, R: int) -> np.ndarray:
    rates = np.broadcast_to(np.asarray(lr, dtype=np.float64), (R,)).copy() if np.ndim(lr) else np.full(R, float(lr))
    if rates.shape != (R,) or not np.all(np.isfinite(rates)) or np.any(rates <= 0):
        raise InputError(f"lr: expected a positive number or one per run ({R}), got {lr!r}")
    return rates


def train_runs(
    spec: Spec,
    theta0,
    X,
    y,
    weights=None,
    lr=0.1,
    max_steps: int = 10000,
    tol: float = 1e-12,
    device: str = "cpu",
) -> TrainingResult:
    """Full-batch gradient descent on ``R`` independent runs of one architecture at once.

    Run ``r`` minimizes ``L_r(theta) = 1/(2 n_r) sum_i w_ri (f(x_ri; theta) - y_ri)^2``
    with ``n_r = sum_i w_ri``: runs with fewer samples pad ``X`` and give the
    padding weight 0. Gradients are ``torch.func.vmap`` of ``torch.func.grad``
    over the runs, on the spec's own forward map. A run stops when its loss is
    below ``tol`` (converged), not finite or above :data:`DIVERGENCE_LOSS`
    (diverged), or at ``max_steps``.

    Parameters
    ----------
    spec : Spec
    theta0 : array_like (R, M)
        Initial flat parameters.
    X : array_like (R, N, D)
        Inputs of each run.
    y : array_like (R, N)
        Outputs of each run.
    weights : array_like (R, N), optional
        Sample weights, 1 for a sample and 0 for padding (default all 1).
    lr : float or array_like (R,)
        Step size, shared or per run.
    max_steps : int
    tol : float
    device : {'cpu', 'cuda', 'auto'}

    Returns
    -------
    TrainingResult

    Raises
    ------
    InputError
        Shapes that do not match the spec or each other, non-finite data,
        non-positive step sizes, tolerance or step count.

    Examples
    --------
    Two runs of a one-neuron network fitting ``tanh(2 x)``, one diverging with a huge step:

    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=1,k=1")
    >>> X = np.linspace(-1, 1, 5)[None, :, None].repeat(2, 0)
    >>> y = np.tanh(2 * X[..., 0])
    >>> r = train_runs(spec, [[1.5, 0.8], [1.5, 0.8]], X, y, lr=[2.0, 1e6], max_steps=300, tol=1e-6)
    >>> r.converged.tolist(), r.diverged.tolist(), r.steps.tolist()
    ([True, False], [False, True], [248, 3])
    >>> np.round(r.theta[0], 2).tolist()
    [1.98, 1.0]
    """
    model = realize(spec)
    theta_np, X_np, y_np, w_np = check_run_data(model, theta0, X, y, weights)
    check_positive("max_steps", max_steps, integer=True, allow_zero=True)
    check_positive("tol", tol)
    R = theta_np.shape[0]
    rates = _as_rates(lr, R)
    dev = resolve_device(device)
    value_and_grad, batched_loss = batched_loss_functions(spec)

    theta = torch.as_tensor(theta_np, device=dev)
    data = [torch.as_tensor(a, device=dev) for a in (X_np, y_np, w_np)]
    rate = torch.as_tensor(rates, device=dev)
    final_theta = theta_np.copy()
    final_loss = np.zeros(R)
    final_steps = np.zeros(R, dtype=np.int64)
    index = torch.arange(R, device=dev)
    steps = torch.zeros(R, dtype=torch.int64, device=dev)
    running = torch.ones(R, dtype=torch.bool, device=dev)

    def retire(keep: torch.Tensor) -> None:
        nonlocal theta, data, rate, steps, index, running
        gone = ~keep
        if bool(gone.any()):
            ids = index[gone].cpu().numpy()
            final_theta[ids] = theta[gone].cpu().numpy()
            final_loss[ids] = batched_loss(theta[gone], *(a[gone] for a in data)).cpu().numpy()
            final_steps[ids] = steps[gone].cpu().numpy()
        theta, rate, steps, index, running = theta[keep], rate[keep], steps[keep], index[keep], running[keep]
        data = [a[keep] for a in data]

    done = 0
    max_steps = int(max_steps)
    with cpu_single_thread(dev):
        while index.numel() and done < max_steps:
            for _ in range(min(COMPACT_EVERY, max_steps - done)):
                loss, gradient = value_and_grad(theta, *data)
                running &= (loss >= tol) & (loss <= DIVERGENCE_LOSS)
                theta = theta - (rate * running)[:, None] * gradient
                steps += running
                done += 1
            loss = batched_loss(theta, *data)
            running &= torch.isfinite(loss) & (loss <= DIVERGENCE_LOSS)
            retire(running)
        retire(torch.zeros_like(running))
    diverged = ~np.isfinite(final_loss) | (final_loss > DIVERGENCE_LOSS) | ~np.all(np.isfinite(final_theta), axis=1)
    converged = ~diverged & (final_loss < tol)
    return TrainingResult(final_theta, final_loss, converged, diverged, final_steps)
