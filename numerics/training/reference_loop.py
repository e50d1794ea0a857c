"""One factorization run written plainly (autograd, a Python loop): the reference
the batched engine is tested against and the baseline of the training benchmark."""

from __future__ import annotations

import numpy as np
import torch

from rankstrat.numerics.training.factorization import initial_factors


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
