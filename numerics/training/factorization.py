"""Batched small-initialization training of matrix factorizations on observed entries.

Every run (a target, a mask, a seed) is one slice of batched factor tensors;
full-batch gradient descent with hand-written gradients advances all of them
at once in float64. Each run stops on its own -- when its training loss falls
below ``tol`` (converged), when its loss stops being finite or explodes
(diverged), or at ``max_steps`` -- and finished runs leave the batch, so the
cost follows the slowest runs only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from rankstrat.numerics.training.device import cpu_single_thread, resolve_device
from rankstrat.numerics.training.runs import (
    COMPACT_EVERY,
    DIVERGENCE_LOSS,
    RunOutcomes,
    check_positive,
    seed_list,
)
from rankstrat.theory.errors import InputError


@dataclass
class MaskedTrainingResult(RunOutcomes):
    """Outcome of :func:`train_masked_factorization`, indexed ``[target, seed]``.

    Attributes
    ----------
    products : ndarray (T, S, n1, n2)
        The learned product ``A B`` (``A1 ... AL`` for deeper factorizations).
    train_loss : ndarray (T, S)
        Final training loss ``1/2 sum over observed entries of (product - target)^2``
        (NaN or huge for diverged runs).
    converged : ndarray (T, S) of bool
        Training loss below ``tol``.
    diverged : ndarray (T, S) of bool
        Loss became non-finite or exceeded :data:`DIVERGENCE_LOSS`.
    steps : ndarray (T, S) of int
        Gradient steps taken before the run stopped.

    Examples
    --------
    >>> r = MaskedTrainingResult(np.zeros((1, 1, 2, 2)), np.zeros((1, 1)), np.ones((1, 1), bool),
    ...                          np.zeros((1, 1), bool), np.zeros((1, 1), int))
    >>> r.unconverged.tolist()
    [[False]]
    """

    products: np.ndarray
    train_loss: np.ndarray
    converged: np.ndarray
    diverged: np.ndarray
    steps: np.ndarray


def _factor_dims(n1: int, n2: int, k: int, depth: int) -> list[tuple[int, int]]:
    dims = [n1] + [k] * (depth - 1) + [n2]
    return [(dims[i], dims[i + 1]) for i in range(depth)]


def initial_factors(seed: int, n1: int, n2: int, k: int, init_std: float, depth: int = 2) -> list[torch.Tensor]:
    """The initial factors of one run: i.i.d. ``N(0, init_std^2)`` entries, float64, CPU.

    The draw depends only on ``seed`` and the shapes, so a run starts from the
    same point whatever the batch it is trained in or the device.

    Parameters
    ----------
    seed : int
    n1, n2, k : int
        Rows, columns and inner dimension.
    init_std : float
        Standard deviation (the square root of the initialization variance).
    depth : int
        Number of factors.

    Returns
    -------
    list of torch.Tensor
        ``[A (n1, k), B (k, n2)]`` for depth 2, ``[A1, ..., AL]`` otherwise.

    Examples
    --------
    >>> A, B = initial_factors(0, 2, 3, 1, 1e-4)
    >>> tuple(A.shape), tuple(B.shape), bool(A.abs().max() < 1e-3)
    ((2, 1), (1, 3), True)
    """
    generator = torch.Generator().manual_seed(int(seed))
    return [
        init_std * torch.randn(shape, generator=generator, dtype=torch.float64)
        for shape in _factor_dims(n1, n2, k, depth)
    ]


def _runs_last_matmul(left: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
    """``left @ right`` for every run, with runs on the *last* axis.

    ``left`` is (a, b, R) and ``right`` (b, c, R). A loop over the short inner
    axis of elementwise multiply-adds on length-R vectors is far faster on CPU
    than a batched GEMM of thousands of tiny matrices.
    """
    out = left[:, 0, None, :] * right[None, 0, :, :]
    for inner in range(1, left.shape[1]):
        out.addcmul_(left[:, inner, None, :], right[None, inner, :, :])
    return out


def _product(factors: list[torch.Tensor]) -> torch.Tensor:
    out = factors[0]
    for factor in factors[1:]:
        out = _runs_last_matmul(out, factor)
    return out


def _factor_gradients(factors: list[torch.Tensor], residual: torch.Tensor) -> list[torch.Tensor]:
    """Gradients of ``1/2 ||residual||^2`` with ``residual = mask * (F1 ... FL - Y)`` (runs last)."""
    depth = len(factors)
    prefix = [None] * depth  # F1 ... F_{i-1}
    suffix = [None] * depth  # F_{i+1} ... FL
    for i in range(1, depth):
        prefix[i] = factors[0] if i == 1 else _runs_last_matmul(prefix[i - 1], factors[i - 1])
    for i in range(depth - 2, -1, -1):
        suffix[i] = factors[-1] if i == depth - 2 else _runs_last_matmul(factors[i + 1], suffix[i + 1])
    grads = []
    for i in range(depth):
        g = residual
        if prefix[i] is not None:
            g = _runs_last_matmul(prefix[i].transpose(0, 1), g)
        if suffix[i] is not None:
            g = _runs_last_matmul(g, suffix[i].transpose(0, 1))
        grads.append(g)
    return grads


def _check_matrices(targets, masks, name_t: str = "targets", name_m: str = "masks"):
    targets_np = np.asarray(targets)
    masks_np = np.asarray(masks)
    if targets_np.ndim != 3:
        raise InputError(f"{name_t}: expected an array of shape (T, n1, n2), got shape {targets_np.shape}")
    if masks_np.shape != targets_np.shape:
        raise InputError(f"{name_m}: expected shape {targets_np.shape} like {name_t}, got {masks_np.shape}")
    if masks_np.dtype != np.bool_:
        raise InputError(f"{name_m}: expected a boolean array (True = observed), got dtype {masks_np.dtype}")
    try:
        targets_np = targets_np.astype(np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name_t}: expected a float array") from None
    if not np.all(np.isfinite(targets_np)):
        raise InputError(f"{name_t}: expected finite values, got NaN or infinity")
    return targets_np, masks_np


def _check_training_options(k, init_std, lr, max_steps, tol, depth) -> None:
    check_positive("k", k, integer=True)
    check_positive("depth", depth, integer=True)
    if int(depth) < 2:
        raise InputError(f"depth: expected an integer >= 2, got {depth!r}")
    check_positive("init_std", init_std)
    check_positive("lr", lr)
    check_positive("max_steps", max_steps, integer=True, allow_zero=True)
    check_positive("tol", tol)


def train_factorization_runs(
    targets,
    masks,
    seeds: Sequence[int],
    k: int,
    init_std: float,
    lr: float,
    max_steps: int,
    tol: float = 1e-9,
    device: str = "cpu",
    depth: int = 2,
) -> MaskedTrainingResult:
    """Train one masked factorization per run, every run with its own target, mask and seed.

    The per-run form of :func:`train_masked_factorization` (same loss, same
    stopping rules, same initialization :func:`initial_factors`), for
    experiments whose runs do not form a target x seed grid (nested masks
    that change with the seed).

    Parameters
    ----------
    targets : array_like (R, n1, n2)
    masks : array_like of bool (R, n1, n2)
        True where an entry of run ``r`` is observed.
    seeds : sequence of int, length R
        Initialization seed of each run.
    k, init_std, lr, max_steps, tol, device, depth
        As in :func:`train_masked_factorization`.

    Returns
    -------
    MaskedTrainingResult
        Arrays indexed by run: ``products`` (R, n1, n2), the others (R,).

    Raises
    ------
    InputError
        As :func:`train_masked_factorization`, or when ``seeds`` does not have
        one entry per run.

    Examples
    --------
    >>> target = np.ones((2, 2, 2)); masks = np.ones((2, 2, 2), bool); masks[1, 1, 1] = False
    >>> r = train_factorization_runs(target, masks, [0, 1], k=2, init_std=1e-3, lr=0.1, max_steps=5000)
    >>> r.converged.tolist(), np.round(r.products[:, 1, 1], 3).tolist()
    ([True, True], [1.0, 1.0])
    """
    targets_np, masks_np = _check_matrices(targets, masks)
    _check_training_options(k, init_std, lr, max_steps, tol, depth)
    seed_values = seed_list(seeds)
    if len(seed_values) != targets_np.shape[0]:
        raise InputError(
            f"seeds: expected one seed per run ({targets_np.shape[0]}), got {len(seed_values)}"
        )
    R, n1, n2 = targets_np.shape
    k, depth = int(k), int(depth)
    cache: dict[int, list[torch.Tensor]] = {}
    for seed in seed_values:
        if seed not in cache:
            cache[seed] = initial_factors(seed, n1, n2, k, float(init_std), depth)
    dev = resolve_device(device)
    factors = [
        torch.stack([cache[seed][i] for seed in seed_values], dim=-1).to(dev)  # runs last
        for i in range(depth)
    ]
    with cpu_single_thread(dev):
        products, losses, steps = _descend_factorizations(
            factors, targets_np, masks_np, float(lr), int(max_steps), float(tol), dev
        )
    diverged = ~np.isfinite(losses) | (losses > DIVERGENCE_LOSS)
    converged = ~diverged & (losses < tol)
    return MaskedTrainingResult(products, losses, converged, diverged, steps)


def train_masked_factorization(
    targets,
    masks,
    k: int,
    seeds: Sequence[int],
    init_std: float,
    lr: float,
    max_steps: int,
    tol: float = 1e-9,
    device: str = "cpu",
    depth: int = 2,
) -> MaskedTrainingResult:
    """Train ``T * S`` matrix factorizations on observed entries, all in one batch.

    Run ``(t, s)`` fits target ``t`` on the entries where ``masks[t]`` is True,
    starting from :func:`initial_factors` of ``seeds[s]``, by full-batch
    gradient descent on

    ``L(A, B) = 1/2 * sum over observed (i, j) of ((A B)[i, j] - targets[t, i, j])^2``

    (half the *sum*, not the mean, of the squared errors). A run stops when its
    loss falls below ``tol`` (converged), when the loss is not finite or exceeds
    :data:`DIVERGENCE_LOSS` (diverged), or after ``max_steps`` steps.

    Parameters
    ----------
    targets : array_like (T, n1, n2)
        Target matrices (float).
    masks : array_like of bool (T, n1, n2)
        True where an entry is observed; mask ``t`` goes with target ``t``.
    k : int
        Inner dimension (width) of the factorization.
    seeds : sequence of int
        One initialization per seed; every target is trained from every seed.
    init_std : float
        Standard deviation of the i.i.d. Gaussian initial entries (the
        initialization *variance* is ``init_std**2``; float64 handles
        ``init_std = 10**-41.5``).
    lr : float
        Gradient-descent step size.
    max_steps : int
        Largest number of steps per run.
    tol : float
        Stop a run when its training loss is below ``tol``.
    device : {'cpu', 'cuda', 'auto'}
    depth : int
        Number of factors ``L >= 2``: ``A1 (n1, k) A2 (k, k) ... AL (k, n2)``.

    Returns
    -------
    MaskedTrainingResult
        Arrays indexed ``[target, seed]``.

    Raises
    ------
    InputError
        Shapes that disagree, a non-boolean mask, non-finite targets, or a
        non-positive size, step size, tolerance or standard deviation.

    Examples
    --------
    A rank-1 4 x 4 target observed on 10 entries, initialization variance 1e-16 (a connected pattern), three seeds:

    >>> u, v = np.array([1.0, 2.0, -1.0, 0.5]), np.array([1.0, -1.0, 0.5, 2.0])
    >>> target = np.outer(u, v)[None]
    >>> mask = np.zeros((1, 4, 4), bool); mask[0, 0, :] = True; mask[0, :, 0] = True
    >>> mask[0, 1, 1] = mask[0, 2, 2] = mask[0, 3, 3] = True
    >>> result = train_masked_factorization(target, mask, k=4, seeds=[0, 1, 2],
    ...                                     init_std=1e-8, lr=0.05, max_steps=20000)
    >>> result.products.shape, result.converged.tolist(), bool(result.diverged.any())
    ((1, 3, 4, 4), [[True, True, True]], False)
    >>> result.steps.tolist()
    [[456, 461, 456]]
    >>> bool(np.abs(result.products - target[:, None]).max() < 1e-3)  # unobserved entries too
    True
    """
    targets_np, masks_np = _check_matrices(targets, masks)
    _check_training_options(k, init_std, lr, max_steps, tol, depth)
    seed_values = seed_list(seeds)
    T, n1, n2 = targets_np.shape
    S = len(seed_values)
    result = train_factorization_runs(
        np.repeat(targets_np, S, axis=0),
        np.repeat(masks_np, S, axis=0),
        seed_values * T,
        k, init_std, lr, max_steps, tol, device, depth,
    )
    return MaskedTrainingResult(
        result.products.reshape(T, S, n1, n2),
        result.train_loss.reshape(T, S),
        result.converged.reshape(T, S),
        result.diverged.reshape(T, S),
        result.steps.reshape(T, S),
    )


def _descend_factorizations(factors, targets_np, masks_np, lr, max_steps, tol, dev):
    """Gradient descent on all runs (runs on the last axis); finished runs leave the
    batch every :data:`COMPACT_EVERY` steps.

    Returns the final products (R, n1, n2), losses (R,) and step counts (R,).
    """
    R, n1, n2 = targets_np.shape
    y = torch.as_tensor(np.moveaxis(targets_np, 0, -1).copy(), device=dev)
    w = torch.as_tensor(np.moveaxis(masks_np, 0, -1).astype(np.float64), device=dev)
    final_products = np.zeros((R, n1, n2))
    final_loss = np.zeros(R)
    final_steps = np.zeros(R, dtype=np.int64)
    index = torch.arange(R, device=dev)
    steps = torch.zeros(R, dtype=torch.int64, device=dev)
    running = torch.ones(R, dtype=torch.bool, device=dev)
    current = factors

    def loss_of(fs, y_, w_):
        residual = w_ * (_product(fs) - y_)
        return 0.5 * (residual * residual).sum((0, 1)), residual

    def retire(keep: torch.Tensor) -> None:
        nonlocal current, y, w, steps, index, running
        gone = ~keep
        if bool(gone.any()):
            ids = index[gone].cpu().numpy()
            leaving = [f[..., gone] for f in current]
            loss, _ = loss_of(leaving, y[..., gone], w[..., gone])
            final_loss[ids] = loss.cpu().numpy()
            final_products[ids] = np.moveaxis(_product(leaving).cpu().numpy(), -1, 0)
            final_steps[ids] = steps[gone].cpu().numpy()
        current = [f[..., keep] for f in current]
        y, w, steps, index, running = y[..., keep], w[..., keep], steps[keep], index[keep], running[keep]

    done = 0
    current = [f.clone() for f in current]
    while index.numel() and done < max_steps:
        for _ in range(min(COMPACT_EVERY, max_steps - done)):
            loss, residual = loss_of(current, y, w)
            # NaN compares False: a non-finite loss stops the run like an exploding one.
            running &= (loss >= tol) & (loss <= DIVERGENCE_LOSS)
            move = running.to(torch.float64) * -lr
            for factor, gradient in zip(current, _factor_gradients(current, residual)):
                factor.addcmul_(move, gradient)
            steps += running
            done += 1
        loss, _ = loss_of(current, y, w)
        running &= torch.isfinite(loss) & (loss <= DIVERGENCE_LOSS)
        retire(running)
    retire(torch.zeros_like(running))
    return final_products, final_loss, final_steps
