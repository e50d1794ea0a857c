"""Proven bounds of a Jacobian rank at a point, within a time budget, never silent.

:func:`prove_bounds` tries, in order:

1. the upper bounds of :mod:`rankstrat.numerics.backends.upper` (parameter
   count, number of inputs, monomials, structural kernel vectors);
2. for sums of local groups (locally connected layers), the bounds of
   :mod:`rankstrat.numerics.backends.local`: the sum of the groups' upper
   bounds, and, when the inputs only stand for the model, the lower bound by
   finite differences (a few seconds for 30 000 parameters);
3. a lower bound: for polynomial models the exact rank modulo ``2^31 - 1`` of
   the whole Jacobian at exactly this point and these inputs
   (:mod:`rankstrat.numerics.backends.modular`); for analytic models the
   rigorous ball Jacobian (:mod:`rankstrat.numerics.backends.forward`,
   ``ring="ball"``) and the verified float64 bound of
   :mod:`rankstrat.numerics.backends.verified`, then, if that fails on a small
   enough minor, an ``arb`` determinant at higher precision.

Each step is recorded in :attr:`Bounds.attempted` with its time, or in
:attr:`Bounds.skipped` with the reason (not applicable, size, budget).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from rankstrat.numerics.backends.forward import has_dual_forward
from rankstrat.theory.spec import Spec

DEFAULT_BUDGET = 120.0
"""Seconds of certification work when no budget is given."""
MAX_ARB_MINOR = 300
"""Largest minor whose determinant is tried in arb after the float64 verification fails."""
ARB_PRECISIONS = (128, 512)
FLOPS_PER_SECOND = 2e9
"""Rough speed used only to skip work that cannot fit the remaining budget."""


@dataclass
class Bounds:
    """Proven ``lower <= rank <= upper`` and how each side was obtained.

    Examples
    --------
    >>> b = Bounds(3, "a", 5, "b")
    >>> b.decided, b.interval
    (False, '[3, 5]')
    """

    lower: int = 0
    lower_method: str = "trivial"
    upper: int | None = None
    upper_method: str = ""
    attempted: list = field(default_factory=list)
    skipped: list = field(default_factory=list)

    @property
    def decided(self) -> bool:
        return self.upper is not None and self.lower == self.upper

    @property
    def interval(self) -> str:
        return f"[{self.lower}, {self.upper}]"

    def add_lower(self, bound: int, method: str) -> None:
        if bound > self.lower:
            self.lower, self.lower_method = bound, method

    def add_upper(self, bound: int, method: str) -> None:
        if self.upper is None or bound < self.upper:
            self.upper, self.upper_method = bound, method


class _Clock:
    """Seconds left: the given budget, cut to the enclosing deadline
    (:func:`rankstrat.numerics.rank.budget.deadline`)."""

    def __init__(self, budget: float | None):
        from rankstrat.numerics.rank.budget import BudgetExceeded, step_seconds

        self.start = time.perf_counter()
        try:
            self.budget = step_seconds(DEFAULT_BUDGET if budget is None else float(budget))
        except BudgetExceeded:
            self.budget = 0.0

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def left(self) -> float:
        return self.budget - self.elapsed()


def _timed(bounds: Bounds, clock: _Clock, label: str, fn):
    start = time.perf_counter()
    out = fn()
    bounds.attempted.append(f"{label} ({time.perf_counter() - start:.2f} s)")
    return out


def _lower_polynomial(bounds, clock, spec, theta, X) -> None:
    from rankstrat.numerics.backends.modular import modular_lower_bound

    n, M = len(X), len(theta)
    estimate = n * M * min(n, M) / FLOPS_PER_SECOND
    if estimate > clock.left():
        bounds.skipped.append(f"exact rank mod p: about {estimate:.0f} s for {n}x{M}, budget left {clock.left():.0f} s")
        return
    rank = _timed(bounds, clock, f"exact rank mod 2^31-1 of the {n}x{M} Jacobian", lambda: modular_lower_bound(spec, theta, X))
    bounds.add_lower(rank, "exact rank mod 2^31-1 of the Jacobian at the point")


def _lower_analytic(bounds, clock, spec, theta, X, target) -> None:
    from rankstrat.numerics.backends.forward import dual_jacobian
    from rankstrat.numerics.backends.verified import choose_columns, smallest_singular_lower

    n, M = len(X), len(theta)
    ball = _timed(bounds, clock, f"ball Jacobian {n}x{M} (float64 balls, arb activations)", lambda: dual_jacobian(spec, theta, X, "ball"))
    if not (np.all(np.isfinite(ball.mid)) and np.all(np.isfinite(ball.rad))):
        bounds.skipped.append("verified float64 bound: the ball Jacobian overflows float64 at this point")
        return
    if target is None:
        from rankstrat.numerics.rank.engine import FLOAT64_EPS, decide_spectrum

        target = decide_spectrum(np.linalg.svd(ball.mid, compute_uv=False), ball.mid.shape, FLOAT64_EPS).rank
    if target == 0:
        return
    estimate = 4 * n * M * M / FLOPS_PER_SECOND
    if estimate > clock.left():
        bounds.skipped.append(f"verified float64 bound: about {estimate:.0f} s, budget left {clock.left():.0f} s")
        return

    def verify():
        if target == M:
            cols, T = np.arange(M), None
        else:
            cols, T = choose_columns(ball.mid, target)
        return cols, smallest_singular_lower(ball.mid[:, cols], ball.rad[:, cols], T)

    cols, sigma = _timed(bounds, clock, f"verified float64 sigma_min of {target} columns", verify)
    if sigma > 0:
        bounds.add_lower(target, f"verified float64: sigma_min of {target} Jacobian columns >= {sigma:.3g}")
        return
    if target > MAX_ARB_MINOR:
        bounds.skipped.append(f"arb minor determinant: {target}x{target} exceeds {MAX_ARB_MINOR}")
        return
    _lower_arb_minor(bounds, clock, spec, theta, X, ball.mid, cols, target)


def _lower_arb_minor(bounds, clock, spec, theta, X, mid, cols, target) -> None:
    import flint
    import scipy.linalg

    from rankstrat.numerics.backends.forward import dual_jacobian

    _, row_piv = scipy.linalg.qr(mid[:, cols].T, mode="r", pivoting=True)
    rows = sorted(int(i) for i in row_piv[:target])
    for bits in ARB_PRECISIONS:
        if clock.left() <= 0:
            bounds.skipped.append(f"arb minor determinant at {bits} bits: budget spent")
            return

        def det(bits=bits):
            with flint.ctx.workprec(bits):
                J = dual_jacobian(spec, theta, np.asarray(X)[rows], "arb")[:, cols]
                return flint.arb_mat(J.tolist()).det()

        value = _timed(bounds, clock, f"arb determinant of a {target}x{target} minor at {bits} bits", det)
        if not value.contains(0):
            bounds.add_lower(target, f"arb ball determinant of a {target}x{target} minor ({bits} bits)")
            return


def _local_step(bounds: Bounds, clock: _Clock, spec: Spec, theta, n_inputs: int, free_inputs: bool) -> None:
    """Bounds of :mod:`rankstrat.numerics.backends.local` for sums of local groups:
    the upper bound always, the lower bound (a bound of the model rank, proven at
    inputs of its own) only when the inputs stand for the model."""
    from rankstrat.numerics.backends.local import has_local_groups, local_bounds

    if not spec.analytic or not has_local_groups(spec):
        return
    if not free_inputs:
        bounds.skipped.append("local finite differences: they bound the model rank, not the rank at these inputs")
    elif n_inputs < len(theta):
        bounds.skipped.append(f"local finite differences: {n_inputs} inputs cap the rank below the model's")
    differences = free_inputs and n_inputs >= len(theta)
    label = "local groups: sum of group bounds" + (", finite differences" if differences else "")
    local = _timed(bounds, clock, label, lambda: local_bounds(spec, theta, lower=differences))
    bounds.add_upper(local.upper, f"sum of proven upper bounds of {local.groups} local groups")
    if differences:
        bounds.add_lower(local.lower, f"finite differences of {local.groups} local groups (model rank)")
    for reason in local.failed[:3]:
        bounds.skipped.append(f"local finite differences: {reason}")


def prove_local_bounds(spec: Spec, theta, n_inputs: int, budget: float | None = None) -> Bounds:
    """The cheap proofs alone: trivial and structural upper bounds and the local
    groups' bounds (:mod:`rankstrat.numerics.backends.local`), with the inputs
    standing for the model. Used before any Jacobian is computed.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import flat_point, random_point
    >>> spec = parse_spec("cnn1d:d=6,s=3,k=1,share=0")
    >>> b = prove_local_bounds(spec, flat_point(spec, random_point(spec)), 32)
    >>> b.interval, b.lower_method
    ('[16, 16]', 'finite differences of 4 local groups (model rank)')
    """
    from rankstrat.numerics.backends.upper import upper_bounds

    clock = _Clock(budget)
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    bounds = Bounds()
    bounds.add_upper(len(theta), "parameter count M")
    bounds.add_upper(n_inputs, "number of inputs n")
    if has_dual_forward(spec):
        for bound, method in _timed(bounds, clock, "structural upper bounds", lambda: upper_bounds(spec, theta, n_inputs)):
            bounds.add_upper(bound, method)
        _local_step(bounds, clock, spec, theta, n_inputs, True)
    return bounds


def prove_bounds(
    spec: Spec,
    theta,
    X,
    target: int | None = None,
    budget: float | None = None,
    lower: bool = True,
    free_inputs: bool = False,
) -> Bounds:
    """Proven lower and upper bounds of the Jacobian rank at ``theta`` and ``X``.

    Parameters
    ----------
    spec : Spec
    theta : array (M,)
    X : array (n, D)
    target : int, optional
        The rank to prove from below (the measured rank); default: read off the
        ball Jacobian's midpoints.
    budget : float, optional
        Seconds of certification work (default :data:`DEFAULT_BUDGET`); a step
        that cannot fit is skipped and listed.
    lower : bool
        Try lower bounds (False when one is already known).
    free_inputs : bool
        True when ``X`` only stands for the model (generic inputs): lower
        bounds of the model rank proven at other inputs then count.

    Returns
    -------
    Bounds

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import flat_point, random_point, generic_inputs
    >>> spec = parse_spec("mf:n1=4,k=2,n2=4")
    >>> b = prove_bounds(spec, flat_point(spec, random_point(spec)), generic_inputs(spec, 32))
    >>> b.lower, b.upper, b.decided
    (12, 12, True)
    >>> spec = parse_spec("twolayer:d=3,k=4,bias=1")
    >>> b = prove_bounds(spec, flat_point(spec, random_point(spec)), generic_inputs(spec, 40))
    >>> b.interval, b.lower_method.split(":")[0]
    ('[20, 20]', 'verified float64')
    """
    from rankstrat.numerics.backends.upper import upper_bounds

    clock = _Clock(budget)
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    X = np.asarray(X, dtype=np.float64)
    bounds = Bounds()
    bounds.add_upper(len(theta), "parameter count M")
    bounds.add_upper(len(X), "number of inputs n")
    if not has_dual_forward(spec):
        bounds.skipped.append("exact and ball backends: only family models have a forward map on them")
        return bounds
    for bound, method in _timed(bounds, clock, "structural upper bounds", lambda: upper_bounds(spec, theta, len(X))):
        bounds.add_upper(bound, method)
    if not lower:
        return bounds
    _local_step(bounds, clock, spec, theta, len(X), free_inputs)
    if bounds.decided:
        return bounds
    if not spec.analytic:
        bounds.skipped.append("lower bounds: the activation is not analytic (relu)")
    elif spec.polynomial:
        _lower_polynomial(bounds, clock, spec, theta, X)
    else:
        _lower_analytic(bounds, clock, spec, theta, X, target)
    return bounds


def attach_bounds(
    result, spec: Spec, theta, X, target: int | None = None, budget: float | None = None, free_inputs: bool = False
) -> Bounds:
    """Prove bounds (:func:`prove_bounds`) and tighten a rank result's proven interval.

    Only ``lower_bound`` and ``upper_bound`` (with their methods) change; the
    engine labels the result from the interval. Every attempted step goes to
    ``result.methods``, every skipped one to ``result.warnings``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.rank.engine import model_rank
    >>> result = model_rank(parse_spec("mlp:d=3,widths=3-2,act=pow3,bias=0"))
    >>> result.rank, result.certainty, result.upper_method
    (12, 'certified', 'M - proven kernel: 5 homogeneity vectors, span >= 5')
    """
    need_lower = result.lower_bound is None or result.upper_bound is None or result.lower_bound < result.upper_bound
    bounds = prove_bounds(spec, theta, X, target=target, budget=budget, lower=need_lower, free_inputs=free_inputs)
    result.methods.extend(f"attempted: {step}" for step in bounds.attempted)
    result.warnings.extend(f"skipped: {step}" for step in bounds.skipped)
    if bounds.lower > 0 and (result.lower_bound is None or bounds.lower > result.lower_bound):
        result.lower_bound, result.lower_method = bounds.lower, bounds.lower_method
    if bounds.upper is not None and (result.upper_bound is None or bounds.upper < result.upper_bound):
        result.upper_bound, result.upper_method = bounds.upper, bounds.upper_method
    return bounds
