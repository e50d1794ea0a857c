"""Linear stability (local linear recovery) of a target at an input set.

docs/theory.md section 1: a target ``f* = f(.; theta*)`` is linearly stable at
inputs ``X = {x_1..x_n}`` when the ``n x M`` Jacobian at ``theta*`` has rank
``R(theta*)``, the model rank at the point. Then no first-order change of the
parameters that moves the function is invisible on the data. For ``n < R``
it is never stable; for ``n >= R`` it is stable for almost every input set
(analytic models), but not for structured ones (repeated points, points on a
hyperplane, unobserved rows), and the lost directions say what is missed.

The model rank ``R(theta*)`` is measured at ``2 M`` generic inputs by default.

Verdict certainty:

- ``certified``: proven. Unstable with ``n``, or the exact rank of the data
  Jacobian (polynomial models: exact rational arithmetic at the float values),
  below a proven lower bound of ``R``; or stable with a proven lower bound of
  ``rank J_data`` that reaches a proven upper bound of ``R``.
- otherwise the weaker label of the two ranks (``float64-gap`` or
  ``high-precision``, see :mod:`rankstrat.numerics.rank.engine`);
  ``undecided`` when a rank is undecided: no verdict rests on a rank that
  is only bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Optional, Sequence

import numpy as np

from rankstrat.numerics.model.jacobian import jacobian
from rankstrat.numerics.model.points import flat_point, generic_inputs
from rankstrat.numerics.rank.engine import RankResult, jacobian_rank
from rankstrat.numerics.rank.kernel_directions import named_lost_directions
from rankstrat.theory.errors import InputError
from rankstrat.theory.model.symbolic import gradient_function, has_symbolic_model, num_params, param_names

MAX_EXACT_ENTRIES = 20_000
"""Largest ``n M`` for which the data Jacobian of a polynomial model is ranked exactly."""


LEVELS = ("undecided", "float64-gap", "high-precision", "certified")
"""Rank certainties, weakest first."""


def numeric_level(result: RankResult) -> str:
    """The certainty of a rank result (``undecided`` when it has no rank).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.rank.engine import model_rank
    >>> numeric_level(model_rank(parse_spec("twolayer:d=1,k=1")))
    'certified'
    """
    if result.rank is None or result.certainty not in LEVELS:
        return "undecided"
    return result.certainty


@dataclass
class StabilityResult:
    """Whether a target is linearly stable at an input set, and why.

    Attributes
    ----------
    stable : bool or None
        None when a rank is undecided.
    certainty : str
        ``certified``, ``high-precision``, ``float64-gap`` or ``undecided``.
    reason : str
        One sentence.
    num_inputs : int
    data_rank : RankResult
        Rank of the Jacobian at the inputs.
    model_rank : RankResult
        ``R(theta*)`` at generic inputs.
    lost : list of Direction
        Lost directions when unstable (:mod:`rankstrat.numerics.rank.kernel_directions`).
    warnings : list of str

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import random_point
    >>> spec = parse_spec("twolayer:d=2,k=2")
    >>> result = linear_stability(spec, random_point(spec), generic_inputs(spec, 6))
    >>> result.stable, result.deficiency
    (True, 0)
    """

    stable: Optional[bool]
    certainty: str
    reason: str
    num_inputs: int
    data_rank: RankResult
    model_rank: RankResult
    lost: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def deficiency(self) -> Optional[int]:
        """``R(theta*) - rank J_data``: the number of lost directions.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> from rankstrat.numerics.model.points import random_point
        >>> spec = parse_spec("twolayer:d=2,k=1")
        >>> linear_stability(spec, random_point(spec), generic_inputs(spec, 1)).deficiency
        2
        """
        if self.data_rank.rank is None or self.model_rank.rank is None:
            return None
        return self.model_rank.rank - self.data_rank.rank

    def as_dict(self) -> dict:
        """Plain types, for JSON.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> from rankstrat.numerics.model.points import random_point
        >>> spec = parse_spec("twolayer:d=2,k=1")
        >>> data = linear_stability(spec, random_point(spec), generic_inputs(spec, 3)).as_dict()
        >>> data["stable"], data["data_rank"], data["model_rank"], data["lost_directions"]
        (True, 3, 3, [])
        """
        return {
            "stable": self.stable,
            "certainty": self.certainty,
            "reason": self.reason,
            "num_inputs": self.num_inputs,
            "num_params": self.model_rank.num_params,
            "data_rank": self.data_rank.rank,
            "data_rank_certainty": self.data_rank.certainty,
            "data_rank_bounds": [self.data_rank.lower_bound, self.data_rank.upper_bound],
            "data_rank_float64": self.data_rank.estimate,
            "model_rank": self.model_rank.rank,
            "model_rank_certainty": self.model_rank.certainty,
            "model_rank_bounds": [self.model_rank.lower_bound, self.model_rank.upper_bound],
            "model_rank_float64": self.model_rank.estimate,
            "deficiency": self.deficiency,
            "lost_directions": [d.as_dict() for d in self.lost],
            "warnings": list(self.warnings),
        }

    def summary(self) -> str:
        """One line: the verdict, ranks and certainty.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> from rankstrat.numerics.model.points import random_point
        >>> spec = parse_spec("mf:n1=2,k=1,n2=2")
        >>> linear_stability(spec, random_point(spec), generic_inputs(spec, 2)).summary()
        'NOT linearly stable at 2 inputs: rank 2 < model rank 3 (certified)'
        """
        if self.stable is None:
            return f"undecided at {self.num_inputs} inputs: {self.reason}"
        data, model = self.data_rank.rank, self.model_rank.rank
        if self.stable:
            return f"linearly stable at {self.num_inputs} inputs: rank {data} = model rank {model} ({self.certainty})"
        return (
            f"NOT linearly stable at {self.num_inputs} inputs: rank {data} < model rank {model} ({self.certainty})"
        )


def exact_data_rank(spec, point: dict, X) -> Optional[int]:
    """Exact rank over the rationals of the Jacobian at ``X`` (polynomial models with a
    symbolic form; the float values of the point and the inputs are rationals).

    Returns None for other models or when ``n M`` exceeds :data:`MAX_EXACT_ENTRIES`.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("mf:n1=2,k=1,n2=2")
    >>> exact_data_rank(spec, {"A": [[1.0], [0.5]], "B": [[2.0, 3.0]]}, np.array([[1, 0, 1, 0], [1, 0, 0, 1]]))
    2
    >>> exact_data_rank(parse_spec("twolayer:d=1,k=1"), {"W": [[1.0]], "a": [1.0]}, np.ones((1, 1))) is None
    True
    """
    import flint

    X = np.asarray(X, dtype=np.float64)
    theta = flat_point(spec, point)
    if not (spec.polynomial and has_symbolic_model(spec)) or X.shape[0] * len(theta) > MAX_EXACT_ENTRIES:
        return None
    grad = gradient_function(spec, "exact")
    th = [Fraction(float(t)) for t in theta]
    rows = [[Fraction(v) for v in grad(th, [Fraction(float(u)) for u in x])] for x in X]
    entries = [flint.fmpq(value.numerator, value.denominator) for row in rows for value in row]
    return int(flint.fmpq_mat(len(rows), len(theta), entries).rank())


def _verdict(n: int, data: RankResult, model: RankResult, exact: Optional[int] = None) -> tuple:
    if data.rank is None or model.rank is None:
        which = "the Jacobian at the data" if data.rank is None else "the model rank"
        return None, "undecided", f"the rank of {which} is undecided"
    R, r = model.rank, data.rank
    numeric = min((numeric_level(data), numeric_level(model)), key=LEVELS.index)
    if n < R:
        proven = model.lower_bound is not None and model.lower_bound > n
        return False, "certified" if proven else numeric, (
            f"n = {n} inputs < model rank R = {R}: never stable with fewer inputs than R"
        )
    if r == R:
        lower = max(v for v in (data.lower_bound, exact, -1) if v is not None)
        proven = model.upper_bound is not None and lower >= model.upper_bound
        return True, "certified" if proven else numeric, f"the {n} inputs see all R = {R} directions"
    upper = min(v for v in (data.upper_bound, exact, n) if v is not None)
    proven = model.lower_bound is not None and upper < model.lower_bound
    return False, "certified" if proven else numeric, (
        f"n = {n} >= R = {R}, but the inputs see only {r} of the R directions"
    )


def _model_inputs(spec, model_inputs, seed: int) -> np.ndarray:
    if model_inputs is None:
        return generic_inputs(spec, 2 * num_params(spec), seed)
    return np.asarray(model_inputs, dtype=np.float64)


def _check_inputs(spec, X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    dim = spec.module.input_dim(spec)
    if X.ndim != 2 or X.shape[1] != dim or len(X) == 0:
        raise InputError(f"--inputs: expected an array of shape (n, {dim}) with n >= 1, got shape {X.shape}")
    return X


def linear_stability(
    spec,
    point: dict,
    X,
    model_inputs=None,
    seed: int = 0,
    escalate: bool = True,
    certify: bool = True,
    model_result: Optional[RankResult] = None,
    J_model: Optional[np.ndarray] = None,
    J_data: Optional[np.ndarray] = None,
) -> StabilityResult:
    """Decide whether the target at ``point`` is linearly stable at inputs ``X``.

    Parameters
    ----------
    spec : Spec or UserModel
    point : dict
        The target's parameters ``theta*``.
    X : array (n, D)
        The input set.
    model_inputs : array (N, D), optional
        Generic inputs for ``R(theta*)``; default ``2 M`` standard normal ones.
    seed : int
        Seed of the generic inputs.
    escalate, certify : bool
        Passed to the rank engine (:func:`rankstrat.numerics.rank.engine.jacobian_rank`).
    model_result, J_model, J_data : optional
        Already computed model-rank result and Jacobians (for curves).

    Returns
    -------
    StabilityResult

    Raises
    ------
    InputError
        When ``X`` does not have the model's input size.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import random_point
    >>> spec = parse_spec("twolayer:d=3,k=2")
    >>> X = generic_inputs(spec, 12)
    >>> X[:, 2] = 0.0                     # every input on the hyperplane x_2 = 0
    >>> result = linear_stability(spec, random_point(spec), X)
    >>> result.stable, [d.text() for d in result.lost]
    (False, ['W[0,2] +1.00', 'W[1,2] +1.00'])
    """
    X = _check_inputs(spec, X)
    theta = flat_point(spec, point)
    if model_result is None or J_model is None:
        Xg = _model_inputs(spec, model_inputs, seed)
        J_model = jacobian(spec, theta, Xg) if J_model is None else J_model
        model_result = jacobian_rank(spec, point, Xg, escalate=escalate, certify=certify, J=J_model)
    J_data = jacobian(spec, theta, X) if J_data is None else J_data
    data_result = jacobian_rank(spec, point, X, escalate=escalate, certify=certify, J=J_data)
    exact = exact_data_rank(spec, point, X) if certify else None
    if exact is not None:
        data_result.methods.append(f"exact rank over Q at the data: {exact}")
    stable, certainty, reason = _verdict(len(X), data_result, model_result, exact)
    lost = []
    if stable is False:
        lost = named_lost_directions(param_names(spec), J_data, data_result.rank, J_model, model_result.rank)
    warnings = list(dict.fromkeys(model_result.warnings + data_result.warnings))
    return StabilityResult(stable, certainty, reason, len(X), data_result, model_result, lost, warnings)


def stability_curve(
    spec,
    point: dict,
    X,
    sizes: Optional[Sequence[int]] = None,
    seed: int = 0,
    escalate: bool = True,
    certify: bool = False,
    lost_directions: bool = False,
) -> list:
    """Linear stability at the first ``n`` inputs of ``X``, for each ``n`` in ``sizes``.

    The Jacobians are computed once; by default the curve points are decided
    without certificates (``certify=False``) and without naming lost
    directions, which is what makes long curves cheap.

    Parameters
    ----------
    spec : Spec or UserModel
    point : dict
    X : array (N, D)
    sizes : sequence of int, optional
        Prefix sizes (``1 .. N`` by default).
    seed : int
    escalate, certify, lost_directions : bool

    Returns
    -------
    list of StabilityResult

    Raises
    ------
    InputError
        For a size outside ``1 .. N``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.families.mf import mf_target_point
    >>> spec = parse_spec("mf:n1=3,k=3,n2=3")
    >>> curve = stability_curve(spec, mf_target_point(spec, 1), generic_inputs(spec, 7), sizes=[4, 5, 6])
    >>> [(r.num_inputs, r.stable) for r in curve], stability_onset(curve)
    ([(4, False), (5, True), (6, True)], 5)
    """
    X = _check_inputs(spec, X)
    sizes = list(range(1, len(X) + 1)) if sizes is None else [int(n) for n in sizes]
    for n in sizes:
        if not 1 <= n <= len(X):
            raise InputError(f"--curve: sizes must lie between 1 and the {len(X)} inputs, got {n}")
    theta = flat_point(spec, point)
    Xg = generic_inputs(spec, 2 * num_params(spec), seed)
    J_model = jacobian(spec, theta, Xg)
    model_result = jacobian_rank(spec, point, Xg, escalate=escalate, certify=certify, J=J_model)
    J_all = jacobian(spec, theta, X)
    names = param_names(spec)
    curve = []
    for n in sizes:
        data_result = jacobian_rank(spec, point, X[:n], escalate=escalate, certify=certify, J=J_all[:n])
        stable, certainty, reason = _verdict(n, data_result, model_result)
        lost = []
        if stable is False and lost_directions:
            lost = named_lost_directions(names, J_all[:n], data_result.rank, J_model, model_result.rank)
        warnings = list(dict.fromkeys(model_result.warnings + data_result.warnings))
        curve.append(StabilityResult(stable, certainty, reason, n, data_result, model_result, lost, warnings))
    return curve


def stability_onset(curve: Sequence[StabilityResult]) -> Optional[int]:
    """The smallest ``n`` of a curve from which every point is stable (None if the last is not).

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> stability_onset([S(num_inputs=3, stable=False), S(num_inputs=4, stable=True), S(num_inputs=5, stable=True)])
    4
    """
    onset = None
    for result in curve:
        if result.stable:
            onset = result.num_inputs if onset is None else onset
        else:
            onset = None
    return onset
