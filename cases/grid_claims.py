"""A user's closed-form claim checked over a grid of sizes: one :class:`~rankstrat.cases.claim.Claim` per grid point.

``rankstrat verify MODEL --claim "model_rank == k*(d+1)" --vary k=1..6``
builds the claims here and runs them with :func:`rankstrat.cases.claim.run_claim`, like
the catalogue; :func:`first_counterexample` picks the first failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from rankstrat.cases.claim import Claim, ClaimResult, Measurement
from rankstrat.cases.rank_claims import rank_measurement
from rankstrat.theory.errors import InputError
from rankstrat.theory.model.symbolic import num_params
from rankstrat.theory.rank.size_claims import SizeClaim, parse_size_claim, parse_size_grid


def model_sizes(spec) -> dict:
    """The integer sizes of a spec or user model (flags included), by name.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> model_sizes(parse_spec("twolayer:d=3,k=2,bias=1"))
    {'d': 3, 'k': 2, 'bias': 1}
    >>> model_sizes(parse_spec("mlp:d=3,widths=4-4"))
    {'d': 3, 'bias': 0}
    """
    return {name: value for name, value in spec.values if isinstance(value, int) and not isinstance(value, bool)}


def resolve_claim(spec, text: Optional[str]) -> SizeClaim:
    """The claim to check: ``--claim`` text, else the model's own claim.

    Raises
    ------
    InputError
        When neither is given, or the text cannot be read.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> str(resolve_claim(parse_spec("twolayer:d=3,k=2"), "model_rank == k*(d+1)"))
    'model_rank == k*(d + 1)'
    >>> resolve_claim(parse_spec("twolayer:d=3,k=2"), None)
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --claim: no claim given and the model states none; e.g. --claim "model_rank == k*(d+1)"
    """
    if text:
        return parse_size_claim(text, list(model_sizes(spec)))
    own = spec.size_claim() if hasattr(spec, "size_claim") else None
    if own is None:
        raise InputError('--claim: no claim given and the model states none; e.g. --claim "model_rank == k*(d+1)"')
    return own


@dataclass(frozen=True)
class GridPoint:
    """One grid point: the sizes varied, the model there, and its claim.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> points = grid_points(parse_spec("twolayer:d=3,k=1"), "model_rank == k*(d+1)", ["k=1..2"])
    >>> [p.label for p in points], points[1].claim.predicted()
    (['k=1', 'k=2'], 8)
    """

    varied: dict
    spec: object
    claim: Claim

    @property
    def label(self) -> str:
        """``k=2,d=3``: the varied sizes.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> grid_points(parse_spec("twolayer:d=3,k=1"), "num_params == k*(d+1)", ["k=2", "d=4"])[0].label
        'k=2,d=4'
        """
        return ",".join(f"{k}={v}" for k, v in self.varied.items()) or "as given"


def _measure(size_claim: SizeClaim, spec, sizes: dict, seed: int, n_inputs, certify: bool) -> Measurement:
    from rankstrat.numerics.rank.engine import model_rank

    if size_claim.quantity == "num_params":
        value = num_params(spec)
        return Measurement(value, "exact", "parameter count from the shapes",
                           passed=size_claim.holds(value, sizes))
    result = model_rank(spec, n_inputs=n_inputs, seed=seed, certify=certify)
    measurement = rank_measurement(result)
    return Measurement(result.rank, result.certainty, measurement.detail,
                       passed=result.rank is not None and size_claim.holds(result.rank, sizes))


def grid_points(spec, claim_text: Optional[str], vary: Sequence[str] = (), seed: int = 0,
                n_inputs: Optional[int] = None, certify: bool = True) -> list:
    """One claim per grid point of ``vary`` (the model's own sizes when empty).

    Parameters
    ----------
    spec : Spec or UserModel
    claim_text : str or None
        ``QUANTITY OP FORMULA``; None uses the model's own claim.
    vary : sequence of str
        ``NAME=A..B`` or ``NAME=A,B,...`` items.
    seed : int
        Seed of the random point and generic inputs.
    n_inputs : int, optional
        Generic inputs (default ``2 M``).
    certify : bool

    Returns
    -------
    list of GridPoint

    Raises
    ------
    InputError, SpecError
        Bad claim or grid, or sizes the model rejects.

    Examples
    --------
    >>> from rankstrat.cases.claim import run_claim
    >>> from rankstrat.theory.spec import parse_spec
    >>> points = grid_points(parse_spec("mf:n1=2,k=1,n2=2"), "model_rank == k*(n1+n2-k)", ["n2=2..3"])
    >>> [(p.label, run_claim(p.claim).passed) for p in points]
    [('n2=2', True), ('n2=3', True)]
    """
    size_claim = resolve_claim(spec, claim_text)
    points = []
    for varied in parse_size_grid(vary, list(model_sizes(spec))) or [{}]:
        model = spec.replace(**varied) if varied else spec
        sizes = model_sizes(model)
        label = ",".join(f"{k}={v}" for k, v in varied.items()) or "as-given"
        claim = Claim(
            f"verify.{label}", f"{size_claim} at {label}", "user's claim",
            lambda c=size_claim, s=sizes: c.predicted(s),
            lambda c=size_claim, m=model, s=sizes: _measure(c, m, s, seed, n_inputs, certify),
        )
        points.append(GridPoint(varied, model, claim))
    return points


def first_counterexample(results: Sequence[ClaimResult]) -> Optional[ClaimResult]:
    """The first result that fails with a decided measurement (undecided ones are not counterexamples).

    Examples
    --------
    >>> ok = ClaimResult("a", "", "", 1, 1, "certified", True, 0.0)
    >>> bad = ClaimResult("b", "", "", 2, 1, "certified", False, 0.0)
    >>> first_counterexample([ok, bad]).id
    'b'
    """
    for result in results:
        if not result.passed and result.measured is not None and not result.error:
            return result
    return None
