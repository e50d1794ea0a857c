"""A claim is data: a theorem instance with its closed form and its numeric check.

Topic modules in :mod:`rankstrat.cases.topics` only list claims; :func:`run_claim` runs
any of them the same way, and :func:`holds` (with :func:`compare` for equality) is
the one comparison used by the claims, the tests and the pytest helpers.

A claim declares its predicted value and how it is compared (``==`` within a
tolerance, or a one-sided bound ``<=`` / ``>=``), so :func:`perturbations` can
move any prediction one step away (integers by one, reals beyond their
tolerance, sets and sequences by one element) and :func:`falsify_claim` can show
that the check rejects every perturbed prediction.
"""

from __future__ import annotations

import math
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Optional

COMPARISONS = ("==", "<=", ">=")
"""How a claim holds its measurement against its prediction."""

CERTAINTY_ORDER = (
    "undecided",
    "float64-gap",
    "high-precision",
    "certified",
)
"""Rank certainties, weakest first (see :class:`rankstrat.numerics.rank.engine.RankResult`)."""


@dataclass(frozen=True)
class Measurement:
    """What a numeric check measured.

    Parameters
    ----------
    value : object
        The measured number (or tuple of numbers).
    certainty : str
        How sure the measurement is: a rank certainty from
        :data:`CERTAINTY_ORDER`, or a short free text for non-rank checks
        (``"95% band"``, ``"quadrature 50 digits"``).
    detail : str
        One line shown in the report (gap, seeds, counterexample...).
    passed : bool or None
        Set only by checks that decide pass/fail themselves, without the
        prediction (user grid claims); such a claim cannot be falsified by
        perturbing its prediction. None to compare ``value`` with the prediction.
    conditions : bool or None
        Side conditions that do not involve the prediction (a certificate was
        found, a count of runs is large enough); False fails the claim whatever
        the comparison says. None: no side condition.

    Examples
    --------
    >>> Measurement(7, "certified").value
    7
    """

    value: Any
    certainty: str = ""
    detail: str = ""
    passed: Optional[bool] = None
    conditions: Optional[bool] = None


@dataclass(frozen=True)
class Claim:
    """A theorem instance: statement, source, closed form and numeric check.

    Parameters
    ----------
    id : str
        Stable identifier, ``topic.short-name``.
    statement : str
        One sentence.
    source : str
        Paper and theorem, figure or section.
    predicted : callable
        ``() -> value`` from :mod:`rankstrat.theory` (the closed form).
    measure : callable
        ``() -> Measurement`` from :mod:`rankstrat.numerics`.
    tolerance : float
        Absolute tolerance for numeric values (0 for ranks).
    comparison : {'==', '<=', '>='}
        How the measurement is held against the prediction: equal within
        ``tolerance``, or a one-sided bound (``<=``: measured at most the
        prediction plus ``tolerance``).
    required_certainty : str or None
        Least rank certainty accepted (from :data:`CERTAINTY_ORDER`), or None.
    full_only : bool
        True for large sizes run only by ``rankstrat check --full``.
    case : object, optional
        For rank claims, the :class:`rankstrat.cases.rank_claims.RankCase` behind them, so
        tests can run the same case over every rank implementation.
    does_not_reproduce : str, optional
        For a published claim that our measurement contradicts: what was
        measured. The claim still runs against the published prediction; its
        failure is reported as ``does not reproduce`` and does not fail the
        report, while a pass fails it (the note is then out of date).

    Examples
    --------
    >>> claim = Claim("demo.one", "1 + 1 = 2", "arithmetic",
    ...               predicted=lambda: 2, measure=lambda: Measurement(1 + 1, "exact"))
    >>> run_claim(claim).passed
    True
    """

    id: str
    statement: str
    source: str
    predicted: Callable[[], Any]
    measure: Callable[[], Measurement]
    tolerance: float = 0.0
    required_certainty: Optional[str] = None
    full_only: bool = False
    case: Any = None
    comparison: str = "=="
    does_not_reproduce: Optional[str] = None

    def __post_init__(self):
        if self.comparison not in COMPARISONS:
            raise ValueError(f"comparison must be one of {', '.join(COMPARISONS)}, got {self.comparison!r}")

    @property
    def topic(self) -> str:
        """The part of the id before the first dot.

        Examples
        --------
        >>> Claim("mf.rank", "", "", lambda: 0, lambda: None).topic
        'mf'
        """
        return self.id.split(".", 1)[0]


@dataclass
class ClaimResult:
    """Outcome of one claim: predicted, measured, certainty, pass/fail, time.

    Examples
    --------
    >>> r = ClaimResult("x", "s", "src", 1, 1, "exact", True, 0.01)
    >>> r.as_dict()["passed"]
    True
    """

    id: str
    statement: str
    source: str
    predicted: Any
    measured: Any
    certainty: str
    passed: bool
    seconds: float
    detail: str = ""
    error: str = ""
    comparison: str = "=="
    does_not_reproduce: Optional[str] = None

    @property
    def outcome(self) -> str:
        """``pass``, ``FAIL``, ``does not reproduce`` (a known failure) or
        ``UNEXPECTED PASS`` (a known failure that passed).

        Examples
        --------
        >>> ClaimResult("x", "s", "src", 6, 7, "", False, 0.0, does_not_reproduce="7").outcome
        'does not reproduce'
        >>> ClaimResult("x", "s", "src", 6, 6, "", True, 0.0, does_not_reproduce="7").outcome
        'UNEXPECTED PASS'
        """
        if self.does_not_reproduce is None:
            return "pass" if self.passed else "FAIL"
        return "UNEXPECTED PASS" if self.passed else "does not reproduce"

    @property
    def ok(self) -> bool:
        """True when the report may exit 0 on this claim.

        Examples
        --------
        >>> ClaimResult("x", "s", "src", 6, 7, "", False, 0.0, does_not_reproduce="7").ok
        True
        """
        return self.outcome in ("pass", "does not reproduce")

    def as_dict(self) -> dict:
        """Plain types, for JSON; a one-sided bound shows as ``"<= 12"``.

        Examples
        --------
        >>> sorted(ClaimResult("x", "s", "src", 1, 1, "", True, 0.0).as_dict())[:3]
        ['certainty', 'detail', 'does_not_reproduce']
        >>> ClaimResult("x", "s", "src", 12, 10, "", True, 0.0, comparison="<=").as_dict()["predicted"]
        '<= 12'
        """
        predicted = _plain(self.predicted)
        return {
            "id": self.id,
            "statement": self.statement,
            "source": self.source,
            "predicted": predicted if self.comparison == "==" else f"{self.comparison} {predicted}",
            "measured": _plain(self.measured),
            "certainty": self.certainty,
            "passed": bool(self.passed),
            "seconds": round(self.seconds, 3),
            "detail": self.detail,
            "error": self.error,
            "does_not_reproduce": self.does_not_reproduce,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return str(value)


def certainty_at_least(certainty: str, required: Optional[str]) -> bool:
    """True when ``certainty`` is as strong as ``required`` (None: anything).

    Examples
    --------
    >>> certainty_at_least("certified", "float64-gap")
    True
    >>> certainty_at_least("undecided", "float64-gap")
    False
    """
    if required is None:
        return True
    if certainty not in CERTAINTY_ORDER:
        return False
    return CERTAINTY_ORDER.index(certainty) >= CERTAINTY_ORDER.index(required)


def weakest_certainty(certainties) -> str:
    """The weakest of several rank certainties (``undecided`` for none or an unknown one).

    Examples
    --------
    >>> weakest_certainty(["certified", "float64-gap", "high-precision"])
    'float64-gap'
    >>> weakest_certainty([])
    'undecided'
    """
    known = [c if c in CERTAINTY_ORDER else CERTAINTY_ORDER[0] for c in certainties]
    return min(known, key=CERTAINTY_ORDER.index, default=CERTAINTY_ORDER[0])


def compare(predicted: Any, measured: Any, tolerance: float = 0.0) -> bool:
    """Do a prediction and a measurement agree within ``tolerance``?

    Numbers compare by absolute difference; sequences element by element;
    anything else by equality. A measurement of None (undecided) never agrees.

    Parameters
    ----------
    predicted, measured : object
    tolerance : float

    Returns
    -------
    bool

    Examples
    --------
    >>> compare(7, 7), compare(0.5, 0.52, tolerance=0.05), compare(7, None)
    (True, True, False)
    >>> compare((7, 15, 21), (7, 15, 20))
    False
    """
    if measured is None or predicted is None:
        return False
    if _is_formula(predicted) and _is_formula(measured):
        return same_formula(predicted, measured)
    if isinstance(predicted, (list, tuple)) and isinstance(measured, (list, tuple)):
        return len(predicted) == len(measured) and all(
            compare(p, m, tolerance) for p, m in zip(predicted, measured)
        )
    try:
        p, m = float(predicted), float(measured)
    except (TypeError, ValueError):
        return predicted == measured
    if math.isnan(p) or math.isnan(m):
        return False
    return abs(p - m) <= tolerance


def _is_formula(value: Any) -> bool:
    return hasattr(value, "free_symbols") and hasattr(value, "subs")


def same_formula(first, second, largest: int = 9) -> bool:
    """Are two sympy formulas in the sizes the same function of positive integer sizes?

    Equal when their difference simplifies to 0, or when they agree at every
    size from 1 to ``largest`` (each size; at most three sizes).

    Examples
    --------
    >>> import sympy
    >>> d, k = sympy.symbols("d k")
    >>> same_formula(k * (d + 1), k * d + k), same_formula(k * (d + 1), k * (d + 1) + 1)
    (True, False)
    >>> same_formula(sympy.Min(d, k) * (2 * d - sympy.Min(d, k)), (2 * d - sympy.Min(k, d)) * sympy.Min(k, d))
    True
    """
    import itertools

    import sympy

    # the theory's size symbols carry assumptions (positive, integer): compare by name
    first, second = (f.subs({s: sympy.Symbol(s.name) for s in f.free_symbols}) for f in (first, second))
    if sympy.simplify(first - second) == 0:
        return True
    symbols = sorted(first.free_symbols | second.free_symbols, key=str)
    if len(symbols) > 3:
        return False
    for values in itertools.product(range(1, largest + 1), repeat=len(symbols)):
        point = dict(zip(symbols, values))
        if sympy.nsimplify(first.subs(point) - second.subs(point)) != 0:
            return False
    return True


def holds(predicted: Any, measured: Any, tolerance: float = 0.0, comparison: str = "==") -> bool:
    """Does ``measured`` satisfy the prediction under ``comparison``?

    ``==`` is :func:`compare`; ``<=`` and ``>=`` are one-sided bounds on numbers
    (``measured <= predicted + tolerance``). None never holds.

    Parameters
    ----------
    predicted, measured : object
    tolerance : float
    comparison : {'==', '<=', '>='}

    Returns
    -------
    bool

    Examples
    --------
    >>> holds(12, 12, comparison="<="), holds(11, 12, comparison="<="), holds(13, 12, comparison=">=")
    (True, False, False)
    >>> holds((3, 4), (3, 4))
    True
    """
    if comparison == "==":
        return compare(predicted, measured, tolerance)
    if comparison not in COMPARISONS:
        raise ValueError(f"comparison must be one of {', '.join(COMPARISONS)}, got {comparison!r}")
    if measured is None or predicted is None:
        return False
    try:
        p, m = float(predicted), float(measured)
    except (TypeError, ValueError):
        return False
    if math.isnan(p) or math.isnan(m):
        return False
    return m <= p + tolerance if comparison == "<=" else m >= p - tolerance


EXTRA_ELEMENT = "<one more element>"
"""The element :func:`perturbations` adds to a set or sequence."""

_OPPOSITES = {"yes": "no", "no": "yes", "stable": "NOT stable", "NOT stable": "stable"}


def perturbations(value: Any, tolerance: float = 0.0, comparison: str = "==") -> list:
    """Predictions one step away from ``value`` that a sound check must reject.

    Integers move by one (by ``2 tolerance + 1`` when compared within a
    tolerance), reals by more than twice ``tolerance`` (so a
    measurement within ``tolerance`` of ``value`` is beyond ``tolerance`` of the
    perturbed one), booleans and yes/no flip, sets and sequences gain or lose
    one element or have one element perturbed. A one-sided bound is only
    tightened (``<=``: moved down), since loosening it cannot make a true claim
    false. Text that is neither a set nor a yes/no answer has no perturbation.

    Parameters
    ----------
    value : object
        The prediction.
    tolerance : float
        The claim's absolute tolerance.
    comparison : {'==', '<=', '>='}

    Returns
    -------
    list
        Perturbed predictions (empty when none can be formed).

    Examples
    --------
    >>> perturbations(7), perturbations(12, comparison="<="), perturbations(-7, tolerance=1)
    ([6, 8], [11], [-10, -4])
    >>> perturbations(1.0, tolerance=0.1)
    [0.799999999, 1.200000001]
    >>> perturbations(frozenset({"a", "b"}))[0] == frozenset({"a", "b", "<one more element>"})
    True
    >>> import sympy
    >>> perturbations(sympy.Symbol("k") * 2)
    [2*k - 1, 2*k + 1]
    >>> perturbations((3, True))
    [(2, True), (4, True), (3, False), (True,), (3,), (3, True, '<one more element>')]
    """
    if value is None:
        return []
    if _is_formula(value):  # a closed form in the sizes: off by one everywhere
        return [value - 1, value + 1]
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return [not bool(value)]
    if isinstance(value, str):
        return [_OPPOSITES[value]] if value in _OPPOSITES else []
    if isinstance(value, (set, frozenset)):
        removed = [frozenset(value - {element}) for element in sorted(value, key=repr)]
        return [frozenset(value | {EXTRA_ELEMENT})] + removed
    if isinstance(value, (list, tuple)):
        out = []
        for i, element in enumerate(value):
            out += [tuple(value[:i]) + (p,) + tuple(value[i + 1:])
                    for p in perturbations(element, tolerance, "==")]
        out += [tuple(value[:i]) + tuple(value[i + 1:]) for i in range(len(value))]
        return out + [tuple(value) + (EXTRA_ELEMENT,)]
    try:
        number = float(value)
    except (TypeError, ValueError):
        return []
    if math.isnan(number):
        return []
    if float(number).is_integer() and not isinstance(value, float) and type(value).__name__ != "float64":
        step = 1 if tolerance == 0 else int(2 * tolerance) + 1
        number = int(number)
    else:
        step = 2 * tolerance + max(abs(number) * 1e-9, 1e-12)
    down, up = number - step, number + step
    if comparison == "<=":
        return [down]
    if comparison == ">=":
        return [up]
    return [down, up]


def evaluate(claim: Claim, predicted: Any, measurement: Measurement) -> bool:
    """Pass or fail of ``claim`` for a given prediction and measurement.

    Examples
    --------
    >>> claim = Claim("demo.one", "", "", lambda: 2, lambda: None)
    >>> evaluate(claim, 2, Measurement(2, "exact")), evaluate(claim, 3, Measurement(2, "exact"))
    (True, False)
    >>> evaluate(claim, 2, Measurement(2, "exact", conditions=False))
    False
    """
    if measurement.passed is not None:
        passed = bool(measurement.passed)
    else:
        passed = holds(predicted, measurement.value, claim.tolerance, claim.comparison)
    passed = passed and measurement.conditions is not False
    return passed and certainty_at_least(measurement.certainty, claim.required_certainty)


def run_claim(claim: Claim) -> ClaimResult:
    """Run one claim: closed form, numeric check, comparison, timing.

    An exception inside the check fails the claim with the error text; it does
    not stop the run.

    Parameters
    ----------
    claim : Claim

    Returns
    -------
    ClaimResult

    Examples
    --------
    >>> bad = Claim("demo.bad", "2 = 3", "none", lambda: 2, lambda: Measurement(3, "exact"))
    >>> run_claim(bad).passed
    False
    """
    return _run(claim)[0]


def _run(claim: Claim) -> tuple:
    start = time.perf_counter()
    predicted = measured = measurement = None
    certainty = detail = error = ""
    passed = False
    try:
        predicted = claim.predicted()
        measurement = claim.measure()
        measured, certainty, detail = measurement.value, measurement.certainty, measurement.detail
        passed = evaluate(claim, predicted, measurement)
    except Exception as exc:  # a failing check is a failed claim, not a crash
        error = f"{type(exc).__name__}: {exc}"
        detail = traceback.format_exc(limit=2).strip().splitlines()[-1]
    result = ClaimResult(
        claim.id, claim.statement, claim.source, predicted, measured, certainty,
        passed, time.perf_counter() - start, detail, error, claim.comparison, claim.does_not_reproduce,
    )
    return result, measurement


@dataclass
class Falsification:
    """A claim checked against its perturbed predictions.

    Attributes
    ----------
    result : ClaimResult
        The claim with its own prediction.
    tried : list
        The perturbed predictions.
    survivors : list
        Perturbed predictions the check still accepts (must be empty).
    reason : str
        Why the claim cannot be falsified, when it cannot (no perturbation,
        a check that ignores the prediction, an error).

    Examples
    --------
    >>> f = falsify_claim(Claim("demo.one", "1 + 1 = 2", "", lambda: 2, lambda: Measurement(2, "exact")))
    >>> f.tried, f.survivors, f.falsified
    ([1, 3], [], True)
    """

    result: ClaimResult
    tried: list
    survivors: list
    reason: str = ""

    @property
    def falsified(self) -> bool:
        """True when every perturbed prediction fails (and there was one).

        Examples
        --------
        >>> loose = Claim("demo.loose", "", "", lambda: 2.0, lambda: Measurement(2.5, "exact"), tolerance=5)
        >>> falsify_claim(loose).falsified   # 2 -+ 10 are beyond the tolerance of 2.5
        True
        """
        return bool(self.tried) and not self.survivors and not self.reason


def falsify_claim(claim: Claim) -> Falsification:
    """Run ``claim`` once, then hold the same measurement against each of its
    :func:`perturbations`; the perturbed predictions that still pass survive.

    Parameters
    ----------
    claim : Claim

    Returns
    -------
    Falsification

    Examples
    --------
    >>> blind = Claim("demo.blind", "", "", lambda: 2, lambda: Measurement(2, "exact", passed=True))
    >>> falsify_claim(blind).reason
    'the check decides without the prediction'
    >>> bound = Claim("demo.bound", "", "", lambda: 12, lambda: Measurement(10, "exact"), comparison="<=")
    >>> falsify_claim(bound).survivors
    [11]
    """
    result, measurement = _run(claim)
    if measurement is None:
        return Falsification(result, [], [], result.error or "no measurement")
    tried = perturbations(result.predicted, claim.tolerance, claim.comparison)
    if measurement.passed is not None:
        return Falsification(result, tried, [], "the check decides without the prediction")
    if not tried:
        return Falsification(result, [], [], f"no perturbation of {result.predicted!r}")
    survivors = [p for p in tried if evaluate(claim, p, measurement)]
    return Falsification(result, tried, survivors)
