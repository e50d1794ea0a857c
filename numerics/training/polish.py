"""A batched damped Gauss-Newton (Levenberg-Marquardt) finish on the training loss.

For runs that plain gradient descent brings into a basin but converges in
only very slowly (the single-neuron experiments); the experiments check that
the polish does not change the branch a run ends on.
"""

from __future__ import annotations

import numpy as np
import torch

from rankstrat.numerics.model.realize import realize
from rankstrat.numerics.training.device import cpu_single_thread, resolve_device
from rankstrat.numerics.training.network import (
    TrainingResult,
    batched_residual_functions,
    check_run_data,
)
from rankstrat.numerics.training.runs import check_positive
from rankstrat.theory.spec import Spec


def levenberg_marquardt_polish(
    spec: Spec,
    theta,
    X,
    y,
    weights=None,
    max_iters: int = 200,
    tol: float = 1e-28,
    device: str = "cpu",
) -> TrainingResult:
    """Finish runs with damped Gauss-Newton (Levenberg-Marquardt) steps on the training loss.

    Gradient descent from a small initialization decides *which* global
    minimum a run approaches, but near the minimum set it converges slowly.
    This polish takes, per run, the step ``(J^T J + mu I) delta = -J^T r`` on
    the residuals ``r_i = sqrt(w_i / n) (f(x_i) - y_i)`` of the same loss as
    :func:`train_runs` (``1/2 ||r||^2``); ``mu`` shrinks after a step that
    lowers the loss and grows otherwise. With fewer samples than parameters
    the step is close to the least-norm Gauss-Newton step, so the run moves to
    a nearby point of the minimum set and does not jump to another branch
    (the experiments check this by classifying the branch before and after).

    Parameters
    ----------
    spec : Spec
    theta : array_like (R, M)
        Starting points (the end of gradient descent).
    X, y, weights
        As in :func:`train_runs`.
    max_iters : int
        Largest number of accepted or rejected steps per run.
    tol : float
        A run is converged when its loss is below ``tol``.
    device : {'cpu', 'cuda', 'auto'}

    Returns
    -------
    TrainingResult
        ``steps`` counts the iterations.

    Raises
    ------
    InputError
        As :func:`train_runs`.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=1,k=1")
    >>> X = np.linspace(-1, 1, 5)[None, :, None]
    >>> r = levenberg_marquardt_polish(spec, [[1.8, 1.1]], X, np.tanh(2 * X[..., 0]))
    >>> bool(r.converged[0]), np.round(r.theta[0], 8).tolist()
    (True, [2.0, 1.0])
    """
    model = realize(spec)
    theta_np, X_np, y_np, w_np = check_run_data(model, theta, X, y, weights)
    check_positive("max_iters", max_iters, integer=True, allow_zero=True)
    check_positive("tol", tol)
    dev = resolve_device(device)
    R, M = theta_np.shape

    res, jac = batched_residual_functions(spec)
    theta_t = torch.tensor(theta_np, device=dev)  # a copy: the caller's array is left alone
    X_t, y_t, w_t = (torch.as_tensor(a, device=dev) for a in (X_np, y_np, w_np))
    r = res(theta_t, X_t, y_t, w_t)
    loss = 0.5 * (r * r).sum(1)
    mu = torch.full((R,), 1e-3, dtype=torch.float64, device=dev)
    steps = torch.zeros(R, dtype=torch.int64, device=dev)
    active = torch.isfinite(loss) & (loss >= tol)
    with cpu_single_thread(dev):
        for _ in range(int(max_iters)):
            if not bool(active.any()):
                break
            ids = torch.nonzero(active).squeeze(1)
            th, r_a = theta_t[ids], r[ids]
            J = jac(th, X_t[ids], y_t[ids], w_t[ids])
            delta = _damped_gauss_newton_step(J, r_a, mu[ids])
            trial = th + delta
            r_new = res(trial, X_t[ids], y_t[ids], w_t[ids])
            loss_new = 0.5 * (r_new * r_new).sum(1)
            better = torch.isfinite(loss_new) & (loss_new < loss[ids])
            theta_t[ids] = torch.where(better[:, None], trial, th)
            r[ids] = torch.where(better[:, None], r_new, r_a)
            loss[ids] = torch.where(better, loss_new, loss[ids])
            mu[ids] = torch.where(better, mu[ids] / 3, mu[ids] * 4).clamp(1e-15, 1e15)
            steps[ids] += 1
            stalled = mu[ids] >= 1e15
            active[ids] = (loss[ids] >= tol) & ~stalled
    final_theta = theta_t.cpu().numpy()
    final_loss = loss.cpu().numpy()
    diverged = ~np.isfinite(final_loss) | ~np.all(np.isfinite(final_theta), axis=1)
    converged = ~diverged & (final_loss < tol)
    return TrainingResult(final_theta, final_loss, converged, diverged, steps.cpu().numpy())


def _damped_gauss_newton_step(J: torch.Tensor, r: torch.Tensor, mu: torch.Tensor) -> torch.Tensor:
    """``-(J^T J + lam I)^{-1} J^T r`` per run, ``lam = mu * ||J||_F^2 / min(N, M)``.

    With fewer residuals than parameters the same step is computed in sample
    space, ``-J^T (J J^T + lam I)^{-1} r``: an N x N system instead of M x M.
    """
    R, N, M = J.shape
    lam = mu * (J * J).sum((1, 2)).clamp_min(1e-300) / min(N, M)
    if N < M:
        gram = J @ J.transpose(1, 2) + lam[:, None, None] * torch.eye(N, dtype=J.dtype, device=J.device)
        return -(J.transpose(1, 2) @ torch.linalg.solve(gram, r[:, :, None]))[:, :, 0]
    normal = J.transpose(1, 2) @ J + lam[:, None, None] * torch.eye(M, dtype=J.dtype, device=J.device)
    return -torch.linalg.solve(normal, (J.transpose(1, 2) @ r[:, :, None]))[:, :, 0]
