"""Train batches of small-initialization networks and measure them on held-out inputs.

The pipeline shared by the network experiments (single neuron, CNN versus
fully connected, width independence): gradient descent from a small
initialization (:func:`rankstrat.numerics.training.network.train_runs`), then a
Levenberg-Marquardt polish on the same training loss
(:func:`rankstrat.numerics.training.polish.levenberg_marquardt_polish`), then the test error
on fresh inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.func import vmap

from rankstrat.numerics.model.realize import realize
from rankstrat.numerics.training.experiments.definition import relative_error
from rankstrat.numerics.training.network import TrainingResult, train_runs
from rankstrat.numerics.training.polish import levenberg_marquardt_polish
from rankstrat.theory.spec import Spec

TEST_SEED = 987654321
"""Seed of the held-out inputs."""


def sample_inputs(seed: int, n: int, dim: int, pool: int = 64) -> np.ndarray:
    """The first ``n`` of a fixed pool of standard normal inputs for ``seed`` (nested in ``n``).

    Parameters
    ----------
    seed : int
    n : int
        Number of samples (at most ``pool``).
    dim : int
        Input dimension.
    pool : int
        Size of the pool the samples are taken from.

    Returns
    -------
    ndarray (n, dim)

    Examples
    --------
    >>> a, b = sample_inputs(0, 3, 2), sample_inputs(0, 5, 2)
    >>> bool(np.all(a == b[:3]))
    True
    """
    if n > pool:
        pool = n
    return np.random.default_rng([seed, dim, 11]).standard_normal((pool, dim))[:n]


def held_out_inputs(dim: int, count: int = 1000) -> np.ndarray:
    """Held-out standard normal inputs, the same for every run.

    Examples
    --------
    >>> held_out_inputs(3, 10).shape
    (10, 3)
    """
    return np.random.default_rng([TEST_SEED, dim]).standard_normal((count, dim))


def initial_parameters(seed: int, num_params: int, variance: float) -> np.ndarray:
    """I.i.d. ``N(0, variance)`` flat parameters for ``seed``.

    Examples
    --------
    >>> p = initial_parameters(0, 4, 1e-20)
    >>> p.shape, bool(np.abs(p).max() < 1e-9)
    ((4,), True)
    """
    return np.sqrt(variance) * np.random.default_rng([seed, num_params, 5]).standard_normal(num_params)


def padded_samples(inputs: list, outputs: list) -> tuple:
    """Stack per-run sample sets of different sizes, padding with weight-0 samples.

    Parameters
    ----------
    inputs : list of ndarray (n_r, D)
    outputs : list of ndarray (n_r,)

    Returns
    -------
    X (R, N, D), y (R, N), weights (R, N)

    Examples
    --------
    >>> X, y, w = padded_samples([np.ones((1, 2)), np.ones((3, 2))], [np.ones(1), np.ones(3)])
    >>> X.shape, w.sum(1).tolist()
    ((2, 3, 2), [1.0, 3.0])
    """
    N = max(len(y) for y in outputs)
    dim = inputs[0].shape[1]
    R = len(inputs)
    X = np.zeros((R, N, dim))
    y = np.zeros((R, N))
    w = np.zeros((R, N))
    for r, (xs, ys) in enumerate(zip(inputs, outputs)):
        X[r, : len(ys)] = xs
        y[r, : len(ys)] = ys
        w[r, : len(ys)] = 1.0
    return X, y, w


def held_out_errors(spec: Spec, thetas: np.ndarray, X_test: np.ndarray, y_test: np.ndarray) -> np.ndarray:
    """Relative held-out error of each run's network: mean squared error on the held-out
    inputs divided by the target's mean square there.

    Non-finite parameters give an infinite error.

    Parameters
    ----------
    spec : Spec
    thetas : ndarray (R, M)
    X_test : ndarray (N, D)
    y_test : ndarray (N,)

    Returns
    -------
    ndarray (R,)

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=1,k=1")
    >>> X = np.array([[0.5], [1.0]]); y = np.tanh(2 * X[:, 0])
    >>> held_out_errors(spec, np.array([[2.0, 1.0], [0.0, 0.0]]), X, y).round(4).tolist()
    [0.0, 1.0]
    """
    model = realize(spec)
    thetas = np.asarray(thetas, dtype=np.float64)
    finite = np.all(np.isfinite(thetas), axis=1)
    out = np.full(len(thetas), np.inf)
    if finite.any():
        with torch.no_grad():
            pred = vmap(model, in_dims=(0, None))(
                torch.as_tensor(thetas[finite]), torch.as_tensor(np.asarray(X_test, dtype=np.float64))
            ).numpy()
        out[finite] = ((pred - np.asarray(y_test)[None, :]) ** 2).mean(1)
    return relative_error(out, np.mean(np.asarray(y_test, dtype=np.float64) ** 2))


@dataclass
class PolishedRuns:
    """Gradient descent and polish results of one batch.

    Attributes
    ----------
    descent : TrainingResult
        End of gradient descent.
    polished : TrainingResult
        After the Levenberg-Marquardt polish (diverged runs are not polished).

    Examples
    --------
    >>> PolishedRuns.__dataclass_fields__.keys() == {"descent", "polished"}
    True
    """

    descent: TrainingResult
    polished: TrainingResult


def descend_and_polish(
    spec: Spec,
    theta0: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    lr: float,
    descent_steps: int,
    polish_iters: int,
    train_tol: float,
    device: str = "cpu",
) -> PolishedRuns:
    """Gradient descent for ``descent_steps``, then a Levenberg-Marquardt polish to ``train_tol``.

    Runs that gradient descent already brought below ``train_tol`` stop
    early; diverged runs keep their gradient-descent result.

    Parameters
    ----------
    spec : Spec
    theta0 : ndarray (R, M)
    X, y, weights : ndarray
        Padded samples (:func:`padded_samples`).
    lr : float
    descent_steps : int
    polish_iters : int
    train_tol : float
        Converged when the training loss is below it.
    device : str

    Returns
    -------
    PolishedRuns

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=1,k=1")
    >>> X = np.linspace(-1, 1, 4)[None, :, None]; y = np.tanh(2 * X[..., 0])
    >>> out = descend_and_polish(spec, np.array([[1.0, 1.0]]), X, y, np.ones((1, 4)), 0.5, 50, 50, 1e-25)
    >>> bool(out.polished.converged[0]), np.round(out.polished.theta[0], 6).tolist()
    (True, [2.0, 1.0])
    """
    descent = train_runs(spec, theta0, X, y, weights, lr=lr, max_steps=descent_steps, tol=train_tol, device=device)
    polish = ~descent.diverged & ~descent.converged
    polished = TrainingResult(
        descent.theta.copy(), descent.train_loss.copy(), descent.converged.copy(),
        descent.diverged.copy(), descent.steps.copy(),
    )
    if polish.any():
        ids = np.flatnonzero(polish)
        result = levenberg_marquardt_polish(
            spec, descent.theta[ids], X[ids], y[ids], weights[ids],
            max_iters=polish_iters, tol=train_tol, device=device,
        )
        polished.theta[ids] = result.theta
        polished.train_loss[ids] = result.train_loss
        polished.converged[ids] = result.converged
        polished.diverged[ids] = result.diverged
        polished.steps[ids] = descent.steps[ids] + result.steps
    return PolishedRuns(descent, polished)
