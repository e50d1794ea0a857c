"""Batched small-initialization training: many independent runs in one tensor program.

Every run (a target, a sample set, a seed) is one slice of a batched parameter
tensor; full-batch gradient descent advances all of them at once in float64.
Each run stops on its own -- when its training loss falls below ``tol``
(converged), when its loss stops being finite or explodes (diverged), or at
``max_steps`` -- and finished runs are dropped from the batch, so the cost
follows the slowest runs only.

- :func:`train_masked_factorization`: matrix factorization ``A B`` (or a deep
  product) trained on the observed entries of a matrix, with hand-written
  gradients (the fast path for the matrix experiments).
- :func:`train_runs`: any spec (:func:`numerics.realize.realize`), with
  per-run sample sets padded to a common size and weighted; gradients by
  ``torch.func.vmap`` of ``torch.func.grad``.
- :func:`levenberg_marquardt_polish`: a batched damped Gauss-Newton finish on
  the same training loss, for runs that plain gradient descent brings into a
  basin but converges in only very slowly (THEORY.md section 3, measured notes).

A run that neither converged nor diverged is *unconverged*: callers report it
separately and never count it as a success or a failure of recovery.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from torch.func import jacrev, vmap

from numerics.realize import realize
from theory.errors import InputError
from theory.spec import Spec

DEVICES = ("auto", "cpu", "cuda")
"""Accepted values of ``device`` / ``--device``."""

DIVERGENCE_LOSS = 1e30
"""A training loss above this (or not finite) marks a run as diverged."""

COMPACT_EVERY = 64
"""Steps between two removals of finished runs from the batch."""


def resolve_device(device: str | torch.device = "cpu") -> torch.device:
    """The torch device named by ``--device``: ``auto`` picks CUDA when present.

    Parameters
    ----------
    device : {'auto', 'cpu', 'cuda'} or torch.device

    Returns
    -------
    torch.device

    Raises
    ------
    InputError
        For another name, or ``cuda`` on a machine without a CUDA device.

    Examples
    --------
    >>> resolve_device("cpu")
    device(type='cpu')
    >>> resolve_device("tpu")
    Traceback (most recent call last):
    ...
    theory.errors.InputError: --device: unknown device 'tpu'; expected one of auto, cpu, cuda
    """
    if isinstance(device, torch.device):
        return device
    name = str(device)
    if name not in DEVICES:
        raise InputError(f"--device: unknown device {name!r}; expected one of {', '.join(DEVICES)}")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError("--device: 'cuda' requested but no CUDA device is available; use cpu or auto")
    return torch.device(name)


@contextmanager
def cpu_single_thread(device: torch.device):
    """Run the block with one intra-op torch thread when ``device`` is the CPU.

    The batched tensors of these loops are small (thousands of elements);
    splitting each operation across threads costs more than it gains, and
    on a shared machine it can cost several times the single-thread time.
    Parallelism comes from processes instead (:mod:`numerics.dask_backend`).

    Parameters
    ----------
    device : torch.device

    Examples
    --------
    >>> with cpu_single_thread(torch.device("cpu")):
    ...     torch.get_num_threads()
    1
    """
    if device.type != "cpu":
        yield
        return
    global _single_thread_users, _threads_before
    with _single_thread_lock:  # threads of one process (a threaded Dask worker) share the setting
        if _single_thread_users == 0:
            _threads_before = torch.get_num_threads()
            torch.set_num_threads(1)
        _single_thread_users += 1
    try:
        yield
    finally:
        with _single_thread_lock:
            _single_thread_users -= 1
            if _single_thread_users == 0:
                torch.set_num_threads(_threads_before)


_single_thread_lock = threading.Lock()
_single_thread_users = 0
_threads_before = 1


def _positive(name: str, value, integer: bool = False, allow_zero: bool = False) -> None:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok and integer:
        ok = float(value) == int(value)
    if ok:
        ok = np.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        kind = "integer" if integer else "number"
        bound = ">= 0" if allow_zero else "> 0"
        raise InputError(f"{name}: expected a finite {kind} {bound}, got {value!r}")


def _seed_list(seeds) -> list[int]:
    try:
        values = [int(s) for s in seeds]
    except (TypeError, ValueError):
        raise InputError(f"seeds: expected a sequence of integers, got {seeds!r}") from None
    if not values:
        raise InputError("seeds: expected at least one seed, got an empty sequence")
    if any(float(a) != float(b) for a, b in zip(values, seeds)):
        raise InputError(f"seeds: expected integers, got {list(seeds)!r}")
    return values


class RunOutcomes:
    """The ``unconverged`` runs of a result with ``converged`` and ``diverged`` flags.

    Examples
    --------
    >>> r = MaskedTrainingResult(np.zeros((1, 2, 1, 1)), np.zeros((1, 2)),
    ...     np.array([[True, False]]), np.array([[False, True]]), np.zeros((1, 2), int))
    >>> r.unconverged.tolist()
    [[False, False]]
    >>> TrainingResult(np.zeros((1, 1)), np.ones(1), np.zeros(1, bool), np.zeros(1, bool),
    ...                np.ones(1, int)).unconverged.tolist()
    [True]
    """

    @property
    def unconverged(self) -> np.ndarray:
        """Runs stopped at ``max_steps`` without converging or diverging."""
        return ~(self.converged | self.diverged)


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
    _positive("k", k, integer=True)
    _positive("depth", depth, integer=True)
    if int(depth) < 2:
        raise InputError(f"depth: expected an integer >= 2, got {depth!r}")
    _positive("init_std", init_std)
    _positive("lr", lr)
    _positive("max_steps", max_steps, integer=True, allow_zero=True)
    _positive("tol", tol)


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
    seed_values = _seed_list(seeds)
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
    seed_values = _seed_list(seeds)
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


@dataclass
class TrainingResult(RunOutcomes):
    """Outcome of :func:`train_runs` or :func:`levenberg_marquardt_polish`, indexed by run.

    Attributes
    ----------
    theta : ndarray (R, M)
        Final flat parameters (:func:`numerics.realize.realize` order).
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



def _check_run_data(model, theta0, X, y, weights):
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
    >>> from theory.spec import parse_spec
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
    >>> from theory.spec import parse_spec
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

    >>> from theory.spec import parse_spec
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
    theta_np, X_np, y_np, w_np = _check_run_data(model, theta0, X, y, weights)
    _positive("max_steps", max_steps, integer=True, allow_zero=True)
    _positive("tol", tol)
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
    >>> from theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=1,k=1")
    >>> X = np.linspace(-1, 1, 5)[None, :, None]
    >>> r = levenberg_marquardt_polish(spec, [[1.8, 1.1]], X, np.tanh(2 * X[..., 0]))
    >>> bool(r.converged[0]), np.round(r.theta[0], 8).tolist()
    (True, [2.0, 1.0])
    """
    model = realize(spec)
    theta_np, X_np, y_np, w_np = _check_run_data(model, theta, X, y, weights)
    _positive("max_iters", max_iters, integer=True, allow_zero=True)
    _positive("tol", tol)
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


def plain_factorization_run(target, mask, seed, k, init_std, lr, max_steps, tol):
    """One masked factorization run written plainly: autograd and a Python loop.

    The reference the batched engine is tested against and the baseline of the
    training benchmark. Same initial factors (:func:`initial_factors`), loss
    ``0.5 * sum over observed entries of the squared error`` and stopping rule
    (loss below ``tol``) as :func:`train_masked_factorization`.

    Parameters
    ----------
    target : array (n1, n2)
    mask : bool array (n1, n2)
    seed, k : int
    init_std, lr : float
    max_steps : int
    tol : float

    Returns
    -------
    (ndarray, int, float)
        The learned product, the gradient steps taken, the final loss.

    Examples
    --------
    >>> product, steps, loss = plain_factorization_run(
    ...     np.array([[1.0, 2.0], [3.0, 6.0]]), np.ones((2, 2), bool), 0, 1, 0.1, 0.05, 5000, 1e-12)
    >>> bool(loss < 1e-12), bool(np.allclose(product, [[1, 2], [3, 6]], atol=1e-5))
    (True, True)
    """
    A, B = (f.clone().requires_grad_() for f in initial_factors(seed, *np.shape(target), k, init_std))
    Y = torch.as_tensor(target)
    W = torch.as_tensor(mask, dtype=torch.float64)
    steps = 0
    for _ in range(max_steps):
        loss = 0.5 * ((W * (A @ B - Y)) ** 2).sum()
        if not loss.item() >= tol:
            break
        A.grad = B.grad = None
        loss.backward()
        with torch.no_grad():
            A -= lr * A.grad
            B -= lr * B.grad
        steps += 1
    with torch.no_grad():
        return (A @ B).numpy(), steps, float(0.5 * ((W * (A @ B - Y)) ** 2).sum())
