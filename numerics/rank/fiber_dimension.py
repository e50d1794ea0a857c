"""Local dimension of a set of global minima, measured without its parametrization.

The set ``{theta : f(x_i; theta) = f(x_i; theta*)}`` for generic inputs ``x_i``
(the global minima of the training loss that fit ``f(.; theta*)``) is sampled
near ``theta*``: random points at distance ``radius`` are pulled back onto it by
minimum-norm Gauss-Newton steps, and the displacements ``theta - theta*`` are
stacked; the largest ratio between consecutive singular values of the
displacements counts the dimension. Where the set is flat near ``theta*`` (an
affine piece, such as the idle-neuron branches of a single-neuron target) the
off-set singular values are at rounding level and the gap is about 1e12; where
it is curved, curvature adds a second scale (``radius^2``) and where it is not
cut out transversally Gauss-Newton may not reach it (``residual`` says so):
the result is trusted only with a large gap and a small residual. Nothing here reads a
description of the set: only the model and one point on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from rankstrat.numerics.model.jacobian import jacobian
from rankstrat.numerics.model.points import generic_inputs
from rankstrat.numerics.model.realize import realize
from rankstrat.theory.spec import Spec


@dataclass(frozen=True)
class FiberDimension:
    """The sampled local dimension of a set of global minima.

    Attributes
    ----------
    dimension : int
        Singular values of the displacements above their largest gap.
    gap : float
        That largest ratio ``s_i / s_(i+1)``.
    residual : float
        Largest ``max |f(x_i; theta) - f(x_i; theta*)|`` of the sampled points.
    singular_values : numpy.ndarray

    Examples
    --------
    >>> FiberDimension(2, 1e12, 1e-16, np.array([1e-3, 5e-4, 1e-16])).dimension
    2
    """

    dimension: int
    gap: float
    residual: float
    singular_values: np.ndarray


def fiber_dimension(spec: Spec, theta_star, samples: int | None = None, radius: float = 1e-3,
                    seed: int = 0, iterations: int = 120) -> FiberDimension:
    """Local dimension of ``{theta : f(X; theta) = f(X; theta*)}`` at ``theta*`` by sampling.

    Parameters
    ----------
    spec : Spec
    theta_star : array (M,)
        A point of the set.
    samples : int, optional
        Sampled points (default ``2 M``).
    radius : float
        Distance of the starting points from ``theta*``.
    seed : int
    iterations : int
        Gauss-Newton steps per point (it converges only linearly where the set
        is not cut out transversally, so it is generous).

    Returns
    -------
    FiberDimension

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=1,k=2,bias=1")   # W (2), b (2), a (2)
    >>> q2 = np.array([0.7, -1.3, 1.0, 0.4, 1.0, 0.0])  # second neuron idle: Q_2, dimension 2
    >>> f = fiber_dimension(spec, q2)
    >>> f.dimension, f.gap > 1e9, f.residual < 1e-12
    (2, True, True)
    """
    theta_star = np.asarray(theta_star, dtype=np.float64)
    M = theta_star.size
    X = generic_inputs(spec, 2 * M, seed)
    model = realize(spec)
    X_t = torch.as_tensor(X)

    def values(theta):
        with torch.no_grad():
            return model(torch.as_tensor(theta), X_t).numpy()

    target = values(theta_star)
    rng = np.random.default_rng(seed)
    displacements, worst = [], 0.0
    for _ in range(samples or 2 * M):
        direction = rng.standard_normal(M)
        theta = theta_star + radius * direction / np.linalg.norm(direction)
        for _ in range(iterations):
            r = values(theta) - target
            if np.max(np.abs(r)) < 1e-15:
                break
            step = np.linalg.lstsq(jacobian(spec, theta, X), r, rcond=None)[0]
            theta = theta - step
        worst = max(worst, float(np.max(np.abs(values(theta) - target))))
        displacements.append(theta - theta_star)
    s = np.linalg.svd(np.array(displacements), compute_uv=False)
    s = s[s > 0]
    if s.size < 2:
        return FiberDimension(int(s.size), float("inf"), worst, s)
    ratios = s[:-1] / s[1:]
    cut = int(np.argmax(ratios))
    return FiberDimension(cut + 1, float(ratios[cut]), worst, s)
