"""The global-minimum branches ``Q_r`` of a single-neuron target, parametrized explicitly.

Target ``a* sigma(w* . x (+ b*))``, student ``sum_{i<=m} a_i sigma(w_i . x (+ b_i))``
(a ``twolayer`` spec of width ``m``). On branch ``Q_r`` the student's neurons
sit at ``r`` distinct weights: one group at the target's ``(w*, b*)`` whose
output weights sum to ``a*``, and ``r - 1`` groups at free weights whose
output weights sum to zero (docs/theory.md section 3).

:func:`branch_map` writes a point of ``Q_r`` as a function of redundant
coordinates (shares ``u`` with ``a_i = a* u_i / sum u``; free weights; output
weights ``v - mean(v)``), so the dimension of the branch is the rank of the
map's Jacobian, not a count of its coordinates. :func:`measure_branch_dimension`
takes that rank at a random point and checks that the point fits the target
exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch.func import jacrev

from rankstrat.numerics.model.points import generic_inputs
from rankstrat.numerics.model.realize import realize
from rankstrat.numerics.rank.engine import FLOAT64_EPS, SpectrumDecision, decide_spectrum
from rankstrat.theory.errors import InputError
from rankstrat.theory.spec import parse_spec


def student_spec(width: int, dim: int, bias: int = 0, act: str = "tanh"):
    """The ``twolayer`` student of width ``m`` on ``d`` inputs.

    Examples
    --------
    >>> student_spec(2, 1, bias=1)
    Spec('twolayer:d=1,k=2,act=tanh,bias=1')
    """
    return parse_spec(f"twolayer:d={dim},k={width},act={act},bias={bias}")


def single_neuron_target(dim: int, bias: int = 0, seed: int = 0) -> dict:
    """A random target neuron: ``w`` (d,), ``b`` (float, 0 without bias), ``a`` (float).

    Examples
    --------
    >>> sorted(single_neuron_target(3, bias=1))
    ['a', 'b', 'w']
    """
    rng = np.random.default_rng(50_000 + seed)
    return {
        "w": rng.standard_normal(dim),
        "b": float(rng.standard_normal()) if bias else 0.0,
        "a": float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.5)),
    }


def target_point(width: int, dim: int, bias: int = 0, mode: str = "split", seed: int = 0) -> dict:
    """The target inside a width-``m`` student.

    ``split``: every neuron at ``(w*, b*)``, output weights positive shares of
    ``a*`` (a point of ``Q_1``); ``zero``: neuron 0 is the target, the others
    are zero (``w = 0, b = 0, a = 0``).

    Examples
    --------
    >>> p = target_point(3, 2, mode="split")
    >>> bool(np.allclose(p["W"][0], p["W"][2])), round(float(p["a"].sum()), 12) == round(single_neuron_target(2)["a"], 12)
    (True, True)
    """
    if mode not in ("split", "zero"):
        raise InputError(f"single neuron: unknown mode {mode!r}; expected split or zero")
    target = single_neuron_target(dim, bias, seed)
    rng = np.random.default_rng(60_000 + seed)
    W, b, a = np.zeros((width, dim)), np.zeros(width), np.zeros(width)
    if mode == "zero":
        W[0], b[0], a[0] = target["w"], target["b"], target["a"]
    else:
        shares = rng.uniform(0.3, 1.0, width)
        W[:], b[:], a[:] = target["w"], target["b"], target["a"] * shares / shares.sum()
    point = {"W": W, "a": a}
    if bias:
        point["b"] = b
    return point


def _group_sizes(width: int, branch: int, rng: np.random.Generator) -> list:
    sizes = [1] * branch
    for _ in range(width - branch):
        sizes[int(rng.integers(branch))] += 1
    return sizes


@dataclass(frozen=True)
class BranchMap:
    """A point of ``Q_r`` as a function of redundant coordinates.

    Attributes
    ----------
    spec : Spec
        The student.
    branch : int
        ``r``.
    group_sizes : list of int
        Neurons per group; group 0 sits at the target.
    theta : callable
        ``phi (P,) -> theta (M,)``, torch float64, in the student's flat order.
    phi : ndarray (P,)
        A random point of the coordinates.
    target : dict
        The target neuron.

    Examples
    --------
    >>> bm = branch_map(3, 1, 2)
    >>> bm.group_sizes, len(bm.phi)
    ([3], 3)
    """

    spec: object
    branch: int
    group_sizes: list
    theta: Callable
    phi: np.ndarray
    target: dict


def branch_map(width: int, branch: int, dim: int, bias: int = 0, seed: int = 0) -> BranchMap:
    """Parametrize branch ``Q_r`` of a width-``m`` student (see the module docstring).

    Parameters
    ----------
    width, branch, dim : int
        ``m``, ``r``, ``d`` with ``1 <= r <= m``.
    bias : int
    seed : int
        Seeds the target, the group sizes and the coordinates.

    Returns
    -------
    BranchMap

    Raises
    ------
    InputError
        For ``r`` outside ``1 .. m``.

    Examples
    --------
    >>> bm = branch_map(3, 2, 2)
    >>> sum(bm.group_sizes), len(bm.theta(torch.tensor(bm.phi)))
    (3, 9)
    """
    if not 1 <= branch <= width:
        raise InputError(f"single neuron: branch r={branch} must be between 1 and m={width}")
    spec = student_spec(width, dim, bias)
    rng = np.random.default_rng(70_000 + seed)
    sizes = _group_sizes(width, branch, rng)
    target = single_neuron_target(dim, bias, seed)
    t_star = torch.tensor(np.append(target["w"], target["b"])[: dim + bias])
    a_star = float(target["a"])
    D = dim + bias

    def theta(phi: torch.Tensor) -> torch.Tensor:
        neurons, outputs, start = [], [], 0
        u = phi[start : start + sizes[0]]
        start += sizes[0]
        neurons += [t_star] * sizes[0]
        outputs.append(a_star * u / u.sum())
        for size in sizes[1:]:
            t = phi[start : start + D]
            v = phi[start + D : start + D + size]
            start += D + size
            neurons += [t] * size
            outputs.append(v - v.mean())
        stacked = torch.stack(neurons)
        parts = [stacked[:, :dim].reshape(-1)]
        if bias:
            parts.append(stacked[:, dim])
        parts.append(torch.cat(outputs))
        return torch.cat(parts)

    count = sizes[0] + sum(D + s for s in sizes[1:])
    phi = rng.standard_normal(count)
    phi[: sizes[0]] = rng.uniform(0.3, 1.0, sizes[0])  # positive shares: sum u far from 0
    return BranchMap(spec, branch, sizes, theta, phi, target)


@dataclass(frozen=True)
class BranchMeasurement:
    """Rank of a branch parametrization's Jacobian, and how well the point fits the target.

    Attributes
    ----------
    decision : SpectrumDecision
        Rank and gap of ``d theta / d phi``.
    residual : float
        ``max |f(x; theta) - f*(x)|`` over random inputs.
    group_sizes : list of int

    Examples
    --------
    >>> measure_branch_dimension(3, 2, 2).group_sizes
    [2, 1]
    """

    decision: SpectrumDecision
    residual: float
    group_sizes: list

    @property
    def dimension(self):
        """The measured dimension (None when the spectrum is ambiguous).

        Examples
        --------
        >>> measure_branch_dimension(3, 3, 2).dimension  # (m - r) + (r - 1) d
        4
        """
        return self.decision.rank if self.decision.clear else None


def measure_branch_dimension(width: int, branch: int, dim: int, bias: int = 0, seed: int = 0) -> BranchMeasurement:
    """``dim Q_r`` as the rank of the parametrization's Jacobian at a random point.

    Examples
    --------
    >>> m = measure_branch_dimension(2, 2, 1, bias=1)
    >>> m.dimension, m.residual < 1e-12
    (2, True)
    """
    bm = branch_map(width, branch, dim, bias, seed)
    phi = torch.tensor(bm.phi)
    J = jacrev(bm.theta)(phi).numpy()
    decision = decide_spectrum(np.linalg.svd(J, compute_uv=False), J.shape, FLOAT64_EPS)
    X = torch.tensor(generic_inputs(bm.spec, 50, seed))
    student = realize(bm.spec)(bm.theta(phi), X)
    act = torch.tanh
    w = torch.tensor(bm.target["w"])
    f_star = bm.target["a"] * act(X @ w + bm.target["b"])
    residual = float(torch.max(torch.abs(student - f_star)))
    return BranchMeasurement(decision, residual, bm.group_sizes)
