"""The rank engine: a rank together with how sure it is.

Decision rule (documented, used at every precision). Let ``s_1 >= s_2 >= ...``
be the singular values of the ``n x M`` Jacobian and ``rel_i = s_i / s_1``.
At unit roundoff ``eps`` (``2^-52`` for float64, ``10^-dps`` in mpmath):

- *noise ceiling* ``tau = 100 max(n, M) eps``: values at or below it are
  indistinguishable from rounding errors;
- *signal floor* ``kappa = sqrt(eps)``: values above it are far from noise.

The rank is the number of ``rel_i > tau``. The decision is *clear* when no
``rel_i`` lies in ``(tau, kappa]``; the gap ``s_r / s_{r+1}`` is reported
either way. An ambiguous float64 decision is recomputed in mpmath from the
symbolic model at 30, 60 and 120 digits, and accepted once two successive
precisions give the same clear rank (a singular value hidden under one noise
ceiling shows above the next); otherwise the answer is ``undecided`` with the
spectrum shown.

Certainty, weakest first: ``undecided``, ``float64-gap``, ``high-precision``,
``certified-lower-bound`` (a proven lower bound meets the measured rank),
``certified`` (proven lower and upper bounds meet).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import mpmath
import numpy as np

from rankstrat.numerics.backends.bounds import attach_bounds
from rankstrat.numerics.backends.forward import has_dual_forward
from rankstrat.numerics.model.jacobian import jacobian, jacobian_mpmath
from rankstrat.numerics.model.points import flat_point, generic_inputs, resolve_point
from rankstrat.theory.model.symbolic import has_symbolic_model, num_params
from rankstrat.theory.spec import Spec

FLOAT64_EPS = float(np.finfo(np.float64).eps)
PRECISIONS = (30, 60, 120)
"""Decimal digits tried, in order, when float64 is ambiguous."""
MAX_HIGH_PRECISION_PARAMS = 120
"""Largest parameter count recomputed in mpmath (cost grows as n M^2)."""
MAX_CERTIFY_PARAMS = 200
"""Largest parameter count for ball-arithmetic and modular certificates."""

RELU_WARNING = (
    "relu is only piecewise analytic: the model-rank theory does not apply; "
    "this is the rank of this Jacobian at these inputs only"
)


@dataclass(frozen=True)
class SpectrumDecision:
    """Rank read off a spectrum at one precision.

    Attributes
    ----------
    rank : int
    gap : float
        ``s_r / s_{r+1}`` (inf when nothing lies below the kept values).
    clear : bool
        True when no singular value lies between the noise ceiling and the
        signal floor.
    noise : float
        Noise ceiling ``tau`` (relative).
    floor : float
        Signal floor ``kappa`` (relative).
    relative : ndarray
        ``s_i / s_1``.

    Examples
    --------
    >>> d = decide_spectrum([1.0, 0.5, 1e-17], (3, 3), FLOAT64_EPS)
    >>> d.rank, d.clear
    (2, True)
    >>> decide_spectrum([1.0, 1e-11, 1e-17], (3, 3), FLOAT64_EPS).clear
    False
    """

    rank: int
    gap: float
    clear: bool
    noise: float
    floor: float
    relative: np.ndarray


def decide_spectrum(singular_values, shape: tuple, eps: float) -> SpectrumDecision:
    """Apply the engine's decision rule (module docstring) to a spectrum.

    Parameters
    ----------
    singular_values : sequence of float or mpf
    shape : (n, M)
    eps : float
        Unit roundoff of the arithmetic that produced them.

    Returns
    -------
    SpectrumDecision

    Examples
    --------
    >>> decide_spectrum([0.0, 0.0], (2, 2), FLOAT64_EPS).rank
    0
    """
    values = sorted((abs(v) for v in singular_values), reverse=True)
    noise = 100.0 * max(shape) * eps
    floor = math.sqrt(eps)
    top = values[0] if values else 0
    if not values or top == 0:
        return SpectrumDecision(0, math.inf, True, noise, floor, np.zeros(len(values)))
    relative = np.array([float(v / top) for v in values])
    rank = int(np.sum(relative > noise))
    clear = not bool(np.any((relative > noise) & (relative <= floor)))
    below = relative[rank] if rank < len(relative) else 0.0
    gap = math.inf if below == 0 else float(relative[rank - 1] / below)
    return SpectrumDecision(rank, gap, clear, noise, floor, relative)


@dataclass
class RankResult:
    """A rank and how sure it is; never a bare integer.

    Attributes
    ----------
    rank : int or None
        None when undecided.
    certainty : str
        ``undecided``, ``float64-gap``, ``high-precision``,
        ``certified-lower-bound`` or ``certified``.
    num_params : int
    num_inputs : int
    gap : float
        Singular-value gap ``s_r / s_{r+1}`` at the deciding precision.
    spectrum : ndarray
        Relative singular values at the deciding precision.
    digits : int
        Decimal digits of the deciding precision (16 for float64).
    lower_bound, upper_bound : int or None
        Proven bounds, with :attr:`lower_method` and :attr:`upper_method`.
    warnings : list of str
    methods : list of str
        What was computed, in order.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> result = model_rank(parse_spec("mf:n1=3,k=1,n2=3"))
    >>> result.rank, result.certainty
    (5, 'certified')
    """

    rank: Optional[int]
    certainty: str
    num_params: int
    num_inputs: int
    gap: float
    spectrum: np.ndarray
    digits: int = 16
    lower_bound: Optional[int] = None
    lower_method: str = ""
    upper_bound: Optional[int] = None
    upper_method: str = ""
    warnings: list = field(default_factory=list)
    methods: list = field(default_factory=list)

    def below_gap(self, count: int = 3) -> list:
        """The first ``count`` relative singular values below the gap.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> model_rank(parse_spec("mf:n1=2,k=1,n2=2")).below_gap()[0] < 1e-12
        True
        """
        start = self.rank if self.rank is not None else 0
        return [float(v) for v in self.spectrum[start : start + count]]

    def as_dict(self) -> dict:
        """Plain types for JSON.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> sorted(model_rank(parse_spec("mf:n1=2,k=1,n2=2")).as_dict())[:4]
        ['below_gap', 'certainty', 'digits', 'gap']
        """
        return {
            "model_rank": self.rank,
            "certainty": self.certainty,
            "num_params": self.num_params,
            "num_inputs": self.num_inputs,
            "gap": None if math.isinf(self.gap) else float(self.gap),
            "digits": self.digits,
            "lower_bound": self.lower_bound,
            "lower_method": self.lower_method,
            "upper_bound": self.upper_bound,
            "upper_method": self.upper_method,
            "below_gap": self.below_gap(),
            "spectrum": [float(v) for v in self.spectrum],
            "warnings": list(self.warnings),
            "methods": list(self.methods),
        }

    def summary(self) -> str:
        """One line: rank, certainty, gap.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> model_rank(parse_spec("mf:n1=2,k=1,n2=2")).summary()[:34]
        'rank 3 of 4 parameters (certified,'
        """
        rank = "undecided" if self.rank is None else f"rank {self.rank}"
        gap = "inf" if math.isinf(self.gap) else f"{self.gap:.3g}"
        return f"{rank} of {self.num_params} parameters ({self.certainty}, gap {gap}, {self.digits} digits)"


SINGLE_THREAD_SVD = 1000
"""Up to this many columns the float64 SVD runs on one BLAS thread (see :func:`singular_values`)."""


def singular_values(J: np.ndarray) -> np.ndarray:
    """Float64 singular values; one BLAS thread for small matrices.

    Right after a torch computation, torch's OpenMP threads keep spinning for a
    while and a multithreaded LAPACK SVD of a small matrix competes with them
    for the cores (measured up to 10x slower on a shared 2-core machine); one
    thread avoids it, and costs little at these sizes.

    Examples
    --------
    >>> singular_values(np.diag([3.0, 4.0])).tolist()
    [4.0, 3.0]
    """
    if min(J.shape) > SINGLE_THREAD_SVD:
        return np.linalg.svd(J, compute_uv=False)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        return np.linalg.svd(J, compute_uv=False)


def high_precision_spectrum(spec: Spec, theta, X, dps: int) -> list:
    """Singular values of the Jacobian computed in mpmath at ``dps`` digits.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> values = high_precision_spectrum(parse_spec("mf:n1=1,k=1,n2=1"), [3.0, 4.0], [[1.0, 1.0]], 30)
    >>> mpmath.nstr(values[0], 10)
    '5.0'
    """
    J = jacobian_mpmath(spec, theta, X, dps)
    with mpmath.workdps(dps):
        return list(mpmath.svd_r(J, compute_uv=False))


def _escalate(spec: Spec, theta, X, methods: list) -> tuple[SpectrumDecision, int]:
    """Recompute the spectrum at rising precision until two successive precisions
    give the same clear rank (a singular value hidden just under one noise
    ceiling shows above the next). Returns the last decision and its digits;
    the decision is not clear when no two precisions agreed."""
    previous = None
    decision = None
    for dps in PRECISIONS:
        methods.append(f"mpmath svd at {dps} digits")
        decision = decide_spectrum(high_precision_spectrum(spec, theta, X, dps), np.shape(X)[:1] + (len(theta),), 10.0**-dps)
        if decision.clear and previous is not None and previous.clear and previous.rank == decision.rank:
            return decision, dps
        previous = decision
    unclear = SpectrumDecision(decision.rank, decision.gap, False, decision.noise, decision.floor, decision.relative)
    return unclear, PRECISIONS[-1]


def jacobian_rank(
    spec: Spec,
    point: dict,
    X,
    escalate: bool = True,
    certify: bool = True,
    device: str = "cpu",
    J: np.ndarray | None = None,
    budget: float | None = None,
) -> RankResult:
    """Rank of the Jacobian at ``point`` and inputs ``X``, with its certainty.

    Parameters
    ----------
    spec : Spec
    point : dict
        Parameters by name (:mod:`rankstrat.numerics.model.points`).
    X : array (n, D)
    escalate : bool
        Recompute ambiguous spectra in mpmath at :data:`PRECISIONS`.
    certify : bool
        Try proven lower bounds (:mod:`rankstrat.numerics.rank.certify`).
    device : str
        Torch device for the float64 Jacobian.
    J : array (n, M), optional
        A float64 Jacobian already computed at this point and these inputs.
    budget : float, optional
        Seconds of certification work (:func:`rankstrat.numerics.backends.bounds.prove_bounds`).

    Returns
    -------
    RankResult

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import random_point
    >>> spec = parse_spec("twolayer:d=2,k=2")
    >>> X = generic_inputs(spec, 4)
    >>> jacobian_rank(spec, random_point(spec), X).rank  # n = 4 < 6 inputs cap it
    4
    """
    from rankstrat.numerics.rank import certify as certify_module

    X = np.asarray(X, dtype=np.float64)
    theta = flat_point(spec, point)
    size = len(theta)
    result_warnings = [] if spec.analytic else [RELU_WARNING]
    symbolic = has_symbolic_model(spec)
    if not symbolic:
        result_warnings.append(
            "no symbolic model (plain torch function): high precision unavailable; ball and exact certificates unavailable"
        )
    if J is None:
        J = jacobian(spec, theta, X, device=device)
    methods = ["float64 jacobian (torch.func)"]
    decision = decide_spectrum(singular_values(J), J.shape, FLOAT64_EPS)
    certainty, digits = ("float64-gap" if decision.clear else "undecided"), 16

    exact_backend = spec.polynomial and has_dual_forward(spec)
    # polynomial family models are decided exactly by the bounds (rank mod p, structural kernels) instead
    can_escalate = escalate and spec.analytic and symbolic and size <= MAX_HIGH_PRECISION_PARAMS and not (certify and exact_backend)
    if not decision.clear:
        if not can_escalate and exact_backend and escalate:
            methods.append("float64 spectrum ambiguous: left to the exact bounds")
        elif not can_escalate:
            if not spec.analytic:
                reason = "float64 spectrum ambiguous; no high-precision recomputation for relu"
            elif not symbolic:
                reason = "float64 spectrum ambiguous; a plain torch model has no high-precision form"
            else:
                reason = f"float64 spectrum ambiguous; high precision is limited to {MAX_HIGH_PRECISION_PARAMS} parameters"
            result_warnings.append(reason)
        else:
            decision, digits = _escalate(spec, theta, X, methods)
            certainty = "high-precision"
    result = RankResult(
        decision.rank if decision.clear else None,
        certainty if decision.clear else "undecided",
        size,
        len(X),
        decision.gap,
        decision.relative,
        digits,
        warnings=result_warnings,
        methods=methods,
    )
    provable = certify and spec.analytic and symbolic and result.rank is not None and not has_dual_forward(spec)
    if provable and size <= MAX_CERTIFY_PARAMS:
        certify_module.attach_lower_bound(result, spec, theta, X, J)
    kernel = certify and spec.analytic and symbolic and result.rank is not None and not exact_backend
    if kernel and size <= certify_module.MAX_KERNEL_PARAMS:  # proportional and zero columns at special points
        certify_module.attach_upper_bound(result, spec, theta)
    if certify:
        attach_bounds(result, spec, theta, X, budget=budget)
    return result


def model_rank(
    spec: Spec,
    at: str | dict = "random",
    n_inputs: int | None = None,
    seed: int = 0,
    escalate: bool = True,
    certify: bool = True,
    device: str = "cpu",
    budget: float | None = None,
) -> RankResult:
    """Model rank of ``spec`` at a point: rank of the Jacobian at ``n`` generic inputs.

    Parameters
    ----------
    spec : Spec
    at : {'random', 'zero'} or path or dict
        The parameter point (see :func:`rankstrat.numerics.model.points.resolve_point`).
    n_inputs : int, optional
        Number of standard normal inputs; default ``2 M``.
    seed : int
        Seed of the random point and inputs.
    escalate, certify : bool
        See :func:`jacobian_rank`.
    device : str
        Torch device for the float64 Jacobian.
    budget : float, optional
        Seconds of certification work.

    Returns
    -------
    RankResult

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> result = model_rank(parse_spec("twolayer:d=3,k=5,bias=1"))
    >>> result.rank, result.num_params
    (25, 25)
    >>> model_rank(parse_spec("twolayer:d=3,k=5"), at="zero").rank
    0
    """
    point = resolve_point(spec, at, seed)
    n = 2 * num_params(spec) if n_inputs is None else n_inputs
    X = generic_inputs(spec, n, seed)
    result = jacobian_rank(spec, point, X, escalate=escalate, certify=certify, device=device, budget=budget)
    symbolic_only = spec.polynomial and has_symbolic_model(spec) and not has_dual_forward(spec)
    if certify and at == "random" and symbolic_only and num_params(spec) <= MAX_CERTIFY_PARAMS:
        from rankstrat.numerics.rank.certify import attach_modular_bound

        attach_modular_bound(result, spec, seed)
    return result
