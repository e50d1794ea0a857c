"""A claim is data: a theorem instance with its closed form and its numeric check.

Topic modules in :mod:`rankstrat.cases.topics` only list claims; :func:`run_claim` runs
any of them the same way, and :func:`compare` is the one comparison used by the
claims, the tests and the pytest helpers.
"""

from __future__ import annotations

import math
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Optional

CERTAINTY_ORDER = (
    "undecided",
    "float64-gap",
    "high-precision",
    "certified-lower-bound",
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
        Set by checks that decide pass/fail themselves (confidence bands);
        None to compare ``value`` with the prediction.

    Examples
    --------
    >>> Measurement(7, "certified").value
    7
    """

    value: Any
    certainty: str = ""
    detail: str = ""
    passed: Optional[bool] = None


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
    required_certainty : str or None
        Least rank certainty accepted (from :data:`CERTAINTY_ORDER`), or None.
    full_only : bool
        True for large sizes run only by ``rankstrat check --full``.
    case : object, optional
        For rank claims, the :class:`rankstrat.cases.rank_claims.RankCase` behind them, so
        tests can run the same case over every rank implementation.

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

    def as_dict(self) -> dict:
        """Plain types, for JSON.

        Examples
        --------
        >>> sorted(ClaimResult("x", "s", "src", 1, 1, "", True, 0.0).as_dict())[:3]
        ['certainty', 'detail', 'error']
        """
        return {
            "id": self.id,
            "statement": self.statement,
            "source": self.source,
            "predicted": _plain(self.predicted),
            "measured": _plain(self.measured),
            "certainty": self.certainty,
            "passed": bool(self.passed),
            "seconds": round(self.seconds, 3),
            "detail": self.detail,
            "error": self.error,
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
    start = time.perf_counter()
    predicted = measured = None
    certainty = detail = error = ""
    passed = False
    try:
        predicted = claim.predicted()
        measurement = claim.measure()
        measured, certainty, detail = measurement.value, measurement.certainty, measurement.detail
        if measurement.passed is not None:
            passed = measurement.passed
        else:
            passed = compare(predicted, measured, claim.tolerance)
        passed = passed and certainty_at_least(certainty, claim.required_certainty)
    except Exception as exc:  # a failing check is a failed claim, not a crash
        error = f"{type(exc).__name__}: {exc}"
        detail = traceback.format_exc(limit=2).strip().splitlines()[-1]
    return ClaimResult(
        claim.id, claim.statement, claim.source, predicted, measured, certainty,
        passed, time.perf_counter() - start, detail, error,
    )
