"""The rank engine: a proven interval for the rank, a float estimate, and a label.

Every result carries ``lower <= rank <= upper``, both *proven* at the exact
point (the float64 values of the parameters and inputs are exact binary
rationals), each with the method that proved it:

- lower: an ``r x r`` minor whose determinant, evaluated in ``arb`` ball
  arithmetic at the exact point, excludes 0 (else the trivial ``0``);
- upper: the parameter count ``M``, the input count ``n``, verified exact
  kernel vectors (``M`` minus their span) or, for polynomial models, the exact
  rank of the gradient's coefficient matrix over the rationals, or ``M``
  minus the columns that are exactly zero in ball arithmetic at these inputs.

Beside them is the *float64 estimate*, read off the float64 spectrum by the
decision rule below. The label says what is known of the rank itself:

- ``certified``: ``lower == upper`` (a proof);
- ``high-precision``: three successive precisions (30, 60, 120, 240 digits,
  from the exact point) give the same rank with a clear decision, and the
  rank lies in the proven interval (strong evidence, not a proof). Family
  models, and user models whose functions all have a ball form, are
  recomputed with flint ball matrices (a pivot block proven invertible, its
  Schur complement below the precision's signal floor:
  :mod:`rankstrat.numerics.backends.arb_rank`), other symbolic models with
  mpmath's SVD (the smallest kept singular value above the signal floor);
- ``float64-gap``: only at a random (generic) point, where landing close to
  a lower-rank stratum has probability near zero, and only when the proofs
  do not close the interval: a clear float64 decision inside the proven
  interval (an estimate);
- ``undecided``: otherwise; ``rank`` is None and the interval is the answer.

At a point the caller gives (a file, a target, a stratum point) a rank below
``upper`` is never taken from float64 alone: the spectrum is recomputed in
mpmath from the exact point and the minor is tried again at the new rank.

Decision rule (used at every precision). Let ``s_1 >= s_2 >= ...`` be the
singular values of the ``n x M`` Jacobian and ``rel_i = s_i / s_1``. At unit
roundoff ``eps`` (``2^-52`` for float64, ``10^-dps`` in mpmath):

- *noise ceiling* ``tau = 100 max(n, M) eps``: values at or below it are
  indistinguishable from rounding errors;
- *signal floor* ``kappa = sqrt(eps)``: values above it are far from noise.

The rank is the number of ``rel_i > tau``. The decision is *clear* when no
``rel_i`` lies in ``(tau, kappa]``; the gap ``s_r / s_{r+1}`` is reported
either way. When the row or column norms of the Jacobian span more than
``1e8`` the matrix is first scaled by powers of two
(:mod:`rankstrat.numerics.rank.scaling`); a Jacobian with an infinity or a
NaN is refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mpmath
import numpy as np

from rankstrat.numerics.backends.bounds import attach_bounds
from rankstrat.numerics.backends.forward import has_dual_forward
from rankstrat.numerics.model.jacobian import jacobian, jacobian_mpmath
from rankstrat.numerics.model.points import flat_point, generic_inputs, resolve_point
from rankstrat.numerics.rank.scaling import equilibrate, require_finite
from rankstrat.theory.model.symbolic import has_symbolic_model, num_params
from rankstrat.theory.spec import Spec

FLOAT64_EPS = float(np.finfo(np.float64).eps)
PRECISIONS = (30, 60, 120, 240)
"""Decimal digits tried, in order, when float64 is ambiguous."""
AGREEING_PRECISIONS = 3
"""Successive precisions (each twice the last) that must give one clear rank for
``high-precision``: a singular value hidden below 1e-30 and above 1e-120 changes
the rank between them (seen at a point whose weights are in the thousands, where
two precisions agreed on a rank 4 below the truth)."""
MAX_HIGH_PRECISION_COST = 2 * 120**3
"""Largest ``n M min(n, M)`` recomputed in mpmath (the cost of its SVD; 120 parameters at 240 inputs)."""
MAX_ARB_COST = 2 * 600**3
"""Largest ``n M min(n, M)`` recomputed with flint ball matrices (family models; 600 parameters at 1200 inputs)."""
MAX_USER_ARB_COST = 2 * 250**3
"""The same for user models with an arb form (their gradient is evaluated input by input)."""

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
    """A proven interval for a Jacobian rank, a float estimate and a label; never a bare integer.

    Attributes
    ----------
    rank : int or None
        The decided rank; None when ``undecided``.
    certainty : str
        ``certified``, ``high-precision``, ``float64-gap`` or ``undecided``
        (module docstring).
    num_params : int
    num_inputs : int
    gap : float
        Singular-value gap ``s_r / s_{r+1}`` at the deciding precision.
    spectrum : ndarray
        Relative singular values at the deciding precision.
    digits : int
        Decimal digits of the deciding precision (16 for float64).
    lower_bound, upper_bound : int
        The proven interval, with :attr:`lower_method` and :attr:`upper_method`.
    warnings : list of str
    methods : list of str
        What was computed, in order.
    estimate : int or None
        Rank by the float64 decision rule.
    estimate_clear : bool
        Whether that float64 decision was clear.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> result = model_rank(parse_spec("mf:n1=3,k=1,n2=3"))
    >>> result.rank, result.certainty, result.lower_bound, result.upper_bound
    (5, 'certified', 5, 5)
    """

    rank: int | None
    certainty: str
    num_params: int
    num_inputs: int
    gap: float
    spectrum: np.ndarray
    digits: int = 16
    lower_bound: int | None = None
    lower_method: str = ""
    upper_bound: int | None = None
    upper_method: str = ""
    warnings: list = field(default_factory=list)
    methods: list = field(default_factory=list)
    estimate: int | None = None
    estimate_clear: bool = True

    @property
    def input_limited(self) -> bool:
        """True when fewer inputs than parameters cap the rank: the value is the
        rank at these inputs, not the model's.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> model_rank(parse_spec("twolayer:d=3,k=5"), n_inputs=10).input_limited
        True
        >>> model_rank(parse_spec("twolayer:d=3,k=5")).input_limited
        False
        """
        if self.num_inputs >= self.num_params:
            return False
        value = self.rank if self.rank is not None else self.upper_bound
        return value is not None and value >= self.num_inputs

    def below_gap(self, count: int = 3) -> list:
        """The first ``count`` relative singular values below the gap.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> model_rank(parse_spec("mf:n1=2,k=1,n2=2")).below_gap()[0] < 1e-12
        True
        """
        start = self.rank if self.rank is not None else (self.estimate or 0)
        return [float(v) for v in self.spectrum[start : start + count]]

    def interval_text(self) -> str:
        """The proven interval in words: ``rank 7 (proven)``, ``rank >= 7 (proven)``
        (when only ``M`` or ``n`` bounds it above) or ``rank in [7, 8] (proven)``.

        Examples
        --------
        >>> RankResult(None, "undecided", 8, 16, 1.0, np.ones(8), lower_bound=7, upper_bound=8,
        ...            upper_method="parameter count M = 8").interval_text()
        'rank >= 7 (proven)'
        """
        low, high = self.lower_bound or 0, self.upper_bound
        if high is not None and low == high:
            return f"rank {low} (proven)"
        trivial = high is None or self.upper_method.startswith(("parameter count", "input count"))
        return f"rank >= {low} (proven)" if trivial else f"rank in [{low}, {high}] (proven)"

    def estimate_text(self) -> str:
        """``7 by float64`` (``, ambiguous`` when the float64 decision was not clear).

        Examples
        --------
        >>> RankResult(None, "undecided", 8, 16, 1.0, np.ones(8), estimate=7).estimate_text()
        '7 by float64'
        """
        if self.estimate is None:
            return "no float64 estimate"
        return f"{self.estimate} by float64" + ("" if self.estimate_clear else " (ambiguous spectrum)")

    def describe(self) -> str:
        """The rank for people: the decided value with its label, or the interval.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> model_rank(parse_spec("mf:n1=2,k=1,n2=2")).describe()
        '3 (certified)'
        >>> RankResult(None, "undecided", 8, 16, 1.0, np.ones(8), lower_bound=7, upper_bound=8,
        ...            upper_method="kernel certificates", estimate=7).describe()
        'undecided: rank in [7, 8] (proven), 7 by float64'
        """
        if self.rank is None:
            return f"undecided: {self.interval_text()}, {self.estimate_text()}"
        if self.certainty == "certified":
            return f"{self.rank} (certified)"
        return f"{self.rank} ({self.certainty}; {self.interval_text()}, {self.estimate_text()})"

    def as_dict(self) -> dict:
        """Plain types for JSON. ``model_rank`` is None when undecided or when the
        inputs cap the rank (``input_limited``); ``rank_at_inputs`` is the decided
        rank of this Jacobian either way.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> d = model_rank(parse_spec("mf:n1=2,k=1,n2=2")).as_dict()
        >>> d["model_rank"], d["lower"], d["upper"], d["float64_rank"]
        (3, 3, 3, 3)
        """
        return {
            "model_rank": None if self.input_limited else self.rank,
            "rank_at_inputs": self.rank,
            "certainty": self.certainty,
            "lower": self.lower_bound,
            "lower_method": self.lower_method,
            "upper": self.upper_bound,
            "upper_method": self.upper_method,
            "float64_rank": self.estimate,
            "float64_clear": self.estimate_clear,
            "input_limited": self.input_limited,
            "num_params": self.num_params,
            "num_inputs": self.num_inputs,
            "gap": None if math.isinf(self.gap) else float(self.gap),
            "digits": self.digits,
            "below_gap": self.below_gap(),
            "spectrum": [float(v) for v in self.spectrum],
            "warnings": list(self.warnings),
            "methods": list(self.methods),
        }

    def summary(self) -> str:
        """One line: rank (or interval), certainty, gap.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> model_rank(parse_spec("mf:n1=2,k=1,n2=2")).summary()[:34]
        'rank 3 of 4 parameters (certified,'
        """
        rank = f"undecided ({self.interval_text()}, {self.estimate_text()})" if self.rank is None else f"rank {self.rank}"
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


def high_precision_spectrum(spec: Spec, theta, X, dps: int, row_scale=None, col_scale=None) -> list:
    """Singular values of the Jacobian computed in mpmath at ``dps`` digits from the
    exact point, scaled by powers of two (the given row and column factors, then
    :func:`equilibrate_mpmath`): the rank is that of the Jacobian.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> values = high_precision_spectrum(parse_spec("mf:n1=1,k=1,n2=1"), [3.0, 4.0], [[1.0, 1.0]], 30)
    >>> mpmath.nstr(values[0], 6)   # of [[4, 3]] scaled to [[1/2, 3/4]]
    '0.901388'
    """
    J = jacobian_mpmath(spec, theta, X, dps)
    with mpmath.workdps(dps):
        if row_scale is not None:
            for i in range(J.rows):
                for j in range(J.cols):
                    J[i, j] *= mpmath.mpf(float(row_scale[i])) * mpmath.mpf(float(col_scale[j]))
        equilibrate_mpmath(J)
        return list(mpmath.svd_r(J, compute_uv=False))


def equilibrate_mpmath(J) -> None:
    """Scale the columns, then the rows, of an mpmath matrix in place by powers
    of two to a largest entry in [1/2, 1) (all-zero lines are left alone).

    The rank is unchanged. Columns that float64 underflows to zero (large
    weights: ``tanh'(z)`` below 1e-308) keep their true size in mpmath; without
    this scaling they would sit under every precision's noise ceiling.

    Examples
    --------
    >>> J = mpmath.matrix([[mpmath.mpf("1e-400"), 1], [mpmath.mpf("3e-400"), 2]])
    >>> min(mpmath.svd_r(J, compute_uv=False)) < 1e-300   # rank 2, hidden by the scales
    True
    >>> equilibrate_mpmath(J)
    >>> min(mpmath.svd_r(J, compute_uv=False)) > 0.01
    True
    """
    for count, entry in ((J.cols, lambda line, k: (k, line)), (J.rows, lambda line, k: (line, k))):
        other = J.rows if count == J.cols else J.cols
        for line in range(count):
            largest = max(abs(J[entry(line, k)]) for k in range(other))
            if largest:
                scale = mpmath.ldexp(1, -mpmath.frexp(largest)[1])
                for k in range(other):
                    J[entry(line, k)] *= scale


def arb_decision(spec: Spec, theta, X, dps: int, hint: int) -> tuple[SpectrumDecision, int]:
    """Rank at ``dps`` digits from flint ball matrices: the Jacobian in ``arb``
    from the exact point (the family's forward map, or a user model's compiled
    arb gradient), then a pivot block and its Schur complement
    (:func:`rankstrat.numerics.backends.arb_rank.schur_decision`).

    Returns the decision (``gap``: one over the largest Schur entry of the
    scaled matrix; no spectrum) and the proven lower bound (the pivot block
    proven invertible).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import random_point
    >>> spec = parse_spec("twolayer:d=2,k=2")
    >>> point = random_point(spec)
    >>> point["W"][1] = point["W"][0]   # duplicate neurons: tanh(w.x), tanh'(w.x) x: rank 3
    >>> decision, proven = arb_decision(spec, flat_point(spec, point), generic_inputs(spec, 12), 30, hint=6)
    >>> decision.rank, decision.clear, proven
    (3, True, 3)
    """
    import flint

    from rankstrat.numerics.backends.arb_rank import bits_for, schur_decision
    from rankstrat.numerics.backends.forward import dual_jacobian
    from rankstrat.numerics.model.jacobian import jacobian_arb

    with flint.ctx.workprec(bits_for(dps)):
        if has_dual_forward(spec):
            J = flint.arb_mat(dual_jacobian(spec, theta, X, "arb").tolist())
        else:  # user models: their compiled arb gradient
            J = jacobian_arb(spec, theta, X)
    out = schur_decision(J, dps, hint)
    gap = math.inf if out.residual == 0 else 1.0 / out.residual
    noise = 100.0 * max(np.shape(X)[0], len(theta)) * 10.0**-dps
    return SpectrumDecision(out.rank, gap, out.clear, noise, out.floor, np.zeros(0)), out.proven


def has_arb_form(spec: Spec) -> bool:
    """True when the Jacobian can be enclosed in ``arb`` balls: family models,
    and symbolic user models whose functions all have a ball form.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> has_arb_form(parse_spec("twolayer:d=2,k=2"))
    True
    """
    from rankstrat.numerics.model.arb_code import arb_gradient_function

    if has_dual_forward(spec):
        return True
    try:
        arb_gradient_function(spec)
    except Exception:  # noqa: BLE001 -- no ball form (or no symbolic form): mpmath decides instead
        return False
    return True


def _escalate(
    spec: Spec, theta, X, methods: list, scales=(None, None), hint: int | None = None, proofs: list | None = None
) -> tuple[SpectrumDecision, int]:
    """Recompute the rank at rising precision until :data:`AGREEING_PRECISIONS`
    successive precisions give the same clear rank (a singular value hidden
    under one noise ceiling shows above a later one). Models with an arb form
    (:func:`has_arb_form`) use flint ball matrices (:func:`arb_decision`, whose
    proven lower bounds go to ``proofs`` as ``(bound, method)``), other
    symbolic models mpmath's SVD.
    Returns the last decision and its digits; the decision is not clear when
    they never agreed."""
    agreeing = []  # clear decisions of successive precisions with one rank
    decision = None
    on_arb = has_arb_form(spec)
    for dps in PRECISIONS:
        if on_arb:
            methods.append(f"flint arb Jacobian and Schur complement at {dps} digits from the exact point")
            start = hint if decision is None else decision.rank
            decision, proven = arb_decision(spec, theta, X, dps, len(theta) if start is None else start)
            if proofs is not None and proven:
                proofs.append((proven, f"arb {proven}x{proven} pivot block proven invertible ({dps} digits)"))
        else:
            methods.append(f"mpmath svd at {dps} digits from the exact point")
            values = high_precision_spectrum(spec, theta, X, dps, *scales)
            decision = decide_spectrum(values, np.shape(X)[:1] + (len(theta),), 10.0**-dps)
        if not decision.clear:
            agreeing = []
            continue
        agreeing = [d for d in agreeing if d.rank == decision.rank] + [decision]
        if len(agreeing) == AGREEING_PRECISIONS:
            return decision, dps
    unclear = SpectrumDecision(decision.rank, decision.gap, False, decision.noise, decision.floor, decision.relative)
    return unclear, PRECISIONS[-1]


def _guarded_escalation(spec: Spec, theta, X, result: RankResult, scales, budget: float | None = None) -> tuple | None:
    """:func:`_escalate` within the time budget (default the certificate budget);
    None (with a warning) when it fails. Lower bounds proven on the way tighten
    the result's interval."""
    from rankstrat.numerics.rank.budget import step_seconds, time_budget
    from rankstrat.numerics.rank.certify import CERTIFY_SECONDS

    proofs: list = []
    try:
        with time_budget(step_seconds(CERTIFY_SECONDS if budget is None else budget)):
            return _escalate(spec, theta, X, result.methods, scales, hint=result.estimate, proofs=proofs)
    except Exception as exc:  # noqa: BLE001 -- high precision is evidence; its failure only weakens the answer
        result.warnings.append(f"high-precision recomputation failed ({type(exc).__name__}: {str(exc)[:160]})")
        return None
    finally:
        for bound, method in proofs:
            if bound > result.lower_bound:
                result.lower_bound, result.lower_method = bound, method


def _trivial_upper(n: int, size: int) -> tuple[int, str]:
    if n < size:
        return n, f"input count n = {n}"
    return size, f"parameter count M = {size}"


def _label(result: RankResult, decision: SpectrumDecision, high: tuple | None, generic: bool) -> None:
    """Set ``rank`` and ``certainty`` from the proven interval and the numerics."""
    low, up = result.lower_bound, result.upper_bound
    if low > up:
        result.warnings.append(f"proven bounds contradict each other ({low} > {up}): a certificate is wrong")
        return
    if low == up:
        result.rank, result.certainty = low, "certified"
        return
    if high is not None:
        hp, dps = high
        result.gap, result.spectrum, result.digits = hp.gap, hp.relative, dps
        if not hp.clear:
            result.warnings.append("no three successive precisions agreed on a clear rank: rank undecided")
        elif low <= hp.rank <= up:
            result.rank, result.certainty = hp.rank, "high-precision"
            return
        else:
            result.warnings.append(
                f"high precision gives {hp.rank}, outside the proven interval [{low}, {up}]: rank undecided"
            )
        return
    if not (low <= decision.rank <= up):
        result.warnings.append(
            f"the float64 estimate {decision.rank} lies outside the proven interval [{low}, {up}]: rank undecided"
        )
    elif generic and decision.clear:
        result.rank, result.certainty = decision.rank, "float64-gap"


def _proven_first(spec: Spec, theta, n: int, budget, result_warnings: list) -> RankResult | None:
    """A certified result from the cheap proofs alone (no float64 Jacobian), or
    None when they leave the interval open (sums of local groups only)."""
    from rankstrat.numerics.backends.bounds import prove_local_bounds
    from rankstrat.numerics.backends.local import has_local_groups

    if not has_local_groups(spec):
        return None
    bounds = prove_local_bounds(spec, theta, n, budget)
    if not bounds.decided:
        return None
    return RankResult(
        bounds.lower, "certified", len(theta), n, math.inf, np.zeros(0),
        lower_bound=bounds.lower, lower_method=bounds.lower_method,
        upper_bound=bounds.upper, upper_method=bounds.upper_method, warnings=result_warnings,
        methods=[f"attempted: {step}" for step in bounds.attempted] + ["no float64 jacobian: the proofs decided first"],
        estimate=None,
    )


def jacobian_rank(
    spec: Spec,
    point: dict,
    X,
    escalate: bool = True,
    certify: bool = True,
    device: str = "cpu",
    J: np.ndarray | None = None,
    generic: bool = False,
    budget: float | None = None,
    free_inputs: bool = False,
) -> RankResult:
    """Rank of the Jacobian at ``point`` and inputs ``X``: proven interval, estimate, label.

    Parameters
    ----------
    spec : Spec
    point : dict
        Parameters by name (:mod:`rankstrat.numerics.model.points`).
    X : array (n, D)
    escalate : bool
        Recompute in mpmath at :data:`PRECISIONS` when float64 cannot decide.
    certify : bool
        Prove bounds (:mod:`rankstrat.numerics.rank.certify`); without them
        the interval is ``[0, min(n, M)]``.
    device : str
        Torch device for the float64 Jacobian.
    J : array (n, M), optional
        A float64 Jacobian already computed at this point and these inputs.
    generic : bool
        True when the point was drawn at random: a clear float64 decision may
        then stand as ``float64-gap``. At any other point a rank below the
        proven upper bound needs high precision.
    budget : float, optional
        Seconds for all certification work (bounds, certificates, high
        precision); a step that does not fit is skipped and listed.
    free_inputs : bool
        True when ``X`` only stands for the model (generic inputs drawn by
        :func:`model_rank` or the tables, at least ``M`` of them): bounds of
        the model rank proven at inputs of their own count (finite
        differences of local groups), and when the cheap proofs decide the
        rank no float64 Jacobian is computed. The result is then the model
        rank at the point, which can exceed the rank at degenerate inputs
        (repeated rows): leave it False for inputs given by a user or data.

    Returns
    -------
    RankResult

    Raises
    ------
    InputError
        When the Jacobian is not finite at the point.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import random_point
    >>> spec = parse_spec("twolayer:d=2,k=2")
    >>> X = generic_inputs(spec, 4)
    >>> result = jacobian_rank(spec, random_point(spec), X)  # n = 4 < 6 inputs cap it
    >>> result.rank, result.upper_method, result.input_limited
    (4, 'input count n = 4', True)
    """
    from rankstrat.numerics.rank.budget import deadline

    with deadline(budget):  # one budget for every certificate step
        return _jacobian_rank(spec, point, X, escalate, certify, device, J, generic, budget, free_inputs)


def _jacobian_rank(spec, point, X, escalate, certify, device, J, generic, budget, free_inputs) -> RankResult:
    """:func:`jacobian_rank` inside its deadline."""
    from rankstrat.numerics.rank import certify as certify_module

    X = np.asarray(X, dtype=np.float64)
    theta = flat_point(spec, point)
    size, n = len(theta), len(X)
    result_warnings = [] if spec.analytic else [RELU_WARNING]
    symbolic = has_symbolic_model(spec)
    if not symbolic:
        result_warnings.append(
            "no symbolic model (plain torch function): high precision unavailable; ball and exact certificates unavailable"
        )
    if free_inputs and certify and J is None and n >= size and spec.analytic and has_dual_forward(spec):
        early = _proven_first(spec, theta, n, budget, result_warnings)
        if early is not None:
            return early
    if J is None:
        J = jacobian(spec, theta, X, device=device)
    J = np.asarray(J, dtype=np.float64)
    require_finite(J)
    methods = ["float64 jacobian (torch.func)"]
    row_scale, col_scale = equilibrate(J)
    scaled = bool(np.any(row_scale != 1.0) or np.any(col_scale != 1.0))
    Js = row_scale[:, None] * J * col_scale[None, :] if scaled else J
    if scaled:
        methods.append("power-of-two row and column scaling (badly scaled Jacobian)")
    with np.errstate(all="ignore"):
        decision = decide_spectrum(singular_values(Js), J.shape, FLOAT64_EPS)
    upper, upper_method = _trivial_upper(n, size)
    result = RankResult(
        None, "undecided", size, n, decision.gap, decision.relative, 16,
        lower_bound=0, lower_method="trivial", upper_bound=upper, upper_method=upper_method,
        warnings=result_warnings, methods=methods, estimate=decision.rank, estimate_clear=decision.clear,
    )
    # polynomial family models: exact bounds from the dual forward map before any sympy expansion
    exact_backend = spec.polynomial and has_dual_forward(spec)
    provable = certify and spec.analytic and symbolic
    symbolic_ok = symbolic
    if certify and exact_backend:  # exact bounds first: they usually close the interval at once
        attach_bounds(result, spec, theta, X, target=decision.rank, budget=budget, free_inputs=free_inputs)
    if provable and result.lower_bound < result.upper_bound:
        symbolic_ok = certify_module.prove_upper_bound(result, spec, theta)
        symbolic_ok = symbolic_ok and certify_module.prove_zero_columns(result, spec, theta, X, J)
    if certify and not exact_backend and result.lower_bound < result.upper_bound:
        attach_bounds(result, spec, theta, X, target=decision.rank, budget=budget, free_inputs=free_inputs)
    if provable and result.lower_bound < result.upper_bound:
        symbolic_ok = symbolic_ok and certify_module.prove_lower_bound(
            result, spec, theta, X, Js, [result.upper_bound, decision.rank]
        )
    high = None
    if result.lower_bound < result.upper_bound and (not generic or not decision.clear):
        cost_limit = (
            MAX_ARB_COST if has_dual_forward(spec)
            else MAX_USER_ARB_COST if symbolic and spec.analytic and has_arb_form(spec)
            else MAX_HIGH_PRECISION_COST
        )
        can_escalate = escalate and spec.analytic and symbolic_ok and n * size * min(n, size) <= cost_limit
        if can_escalate:
            high = _guarded_escalation(
                spec, theta, X, result, (row_scale, col_scale) if scaled else (None, None), budget=budget
            )
            if provable and high is not None and high[0].clear:
                certify_module.prove_lower_bound(result, spec, theta, X, Js, [high[0].rank])
        elif not spec.analytic:
            result_warnings.append("no high-precision recomputation for relu")
        elif not symbolic:
            result_warnings.append("a plain torch model has no high-precision form")
        elif not symbolic_ok:
            result_warnings.append("high precision skipped: the symbolic model could not be built in time")
        elif escalate:
            result_warnings.append(
                f"high precision is limited to n M min(n, M) <= {cost_limit} (here {n * size * min(n, size)})"
            )
    _label(result, decision, high, generic)
    if result.rank is None and not decision.clear:
        result_warnings.append("float64 spectrum ambiguous")
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
    generic = isinstance(at, str) and at == "random"
    return jacobian_rank(
        spec, point, X, escalate=escalate, certify=certify, device=device, generic=generic, budget=budget,
        free_inputs=True,
    )
