"""Assertion helpers for regression tests of proofs, with readable failure messages.

::

    from rankstrat.cases import assert_model_rank, assert_linearly_stable, assert_claim

    def test_attention_rank():
        assert_model_rank("attention.py:d=4,k=2", 10, certainty="certified-lower-bound")

    def test_hyperplane_loses_the_last_weights():
        assert_linearly_stable("twolayer:d=3,k=2", "neurons=2", "hyperplane:40",
                               stable=False, lost={"W[0,2]", "W[1,2]"})

    def test_catalogue_claim():
        assert_claim("mf.target-rank-2")

A failure shows predicted against measured, the certainty (and the one
required), the singular-value gap, the values below it and the proven bounds;
the helpers hide their own frames (``__tracebackhide__``), so pytest prints the
message under the test's line, not the helper's source. A model file named
by a relative path (``attention.py:d=4,k=2``) is looked up beside the test
file that calls the helper first, then in the working folder.
"""

from __future__ import annotations

import math
import os
import sys
from typing import Iterable, Optional

from rankstrat.cases.claim import CERTAINTY_ORDER, certainty_at_least

VERDICT_ORDER = ("undecided", "float64-gap", "high-precision", "certified")
"""Certainties of stability verdicts, weakest first."""


def caller_folder() -> str | None:
    """The folder of the nearest calling file outside :mod:`rankstrat.cases` (the test file).

    Examples
    --------
    >>> caller_folder() is None or os.path.isdir(caller_folder())
    True
    """
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if not (name == "rankstrat.cases" or name.startswith("rankstrat.cases.")):
            filename = frame.f_code.co_filename
            return os.path.dirname(os.path.abspath(filename)) if os.path.exists(filename) else None
        frame = frame.f_back
    return None


def beside_caller(spec):
    """``spec`` with a relative model-file path replaced by the file beside the calling test, when it is there.

    Parameters
    ----------
    spec : str, Spec or model object
        Anything else than a string naming a ``.py`` / ``.toml`` file comes back unchanged.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "net.toml").write_text('family = "twolayer"\\nd = 2\\nk = 1\\n')
    >>> code = "from rankstrat.cases.assertions import beside_caller\\nfound = beside_caller('net.toml:k=2')\\n"
    >>> _ = (folder / "test_net.py").write_text(code)
    >>> scope = {"__name__": "test_net"}
    >>> exec(compile(code, str(folder / "test_net.py"), "exec"), scope)
    >>> scope["found"] == f"{folder / 'net.toml'}:k=2"
    True
    >>> beside_caller("twolayer:d=2,k=1")
    'twolayer:d=2,k=1'
    """
    from rankstrat.theory.spec import split_file_spec

    if not isinstance(spec, str):
        return spec
    named = split_file_spec(spec.strip())
    if named is None or os.path.isabs(named[0]):
        return spec
    folder = caller_folder()
    if folder is None or not os.path.exists(os.path.join(folder, named[0])):
        return spec
    path = os.path.join(folder, named[0])
    return f"{path}:{named[1]}" if named[1] else path


def _spec(spec):
    from rankstrat.theory.spec import parse_spec

    return parse_spec(beside_caller(spec))


def _gap(value: float) -> str:
    return "inf" if math.isinf(value) else f"{value:.3g}"


def rank_report(result) -> list:
    """Lines describing a :class:`rankstrat.numerics.rank.engine.RankResult`: certainty, gap, bounds, warnings.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.rank.engine import model_rank
    >>> print(rank_report(model_rank(parse_spec("mf:n1=2,k=1,n2=2")))[0])
    gap        ... (s_r/s_r+1 at 16 digits, 8 inputs, 4 parameters)
    """
    lines = [f"gap        {_gap(result.gap)} (s_r/s_r+1 at {result.digits} digits, "
             f"{result.num_inputs} inputs, {result.num_params} parameters)"]
    below = result.below_gap()
    lines.append("below gap  " + (", ".join(f"{v:.2e}" for v in below) if below else "-"))
    proven = []
    if result.lower_bound is not None:
        proven.append(f">= {result.lower_bound} ({result.lower_method})")
    if result.upper_bound is not None:
        proven.append(f"<= {result.upper_bound} ({result.upper_method})")
    lines.append("proven     " + ("; ".join(proven) if proven else "-"))
    lines += [f"warning    {w}" for w in result.warnings]
    return lines


def _value(expected):
    return expected.value if hasattr(expected, "value") and hasattr(expected, "expr") else expected


def assert_model_rank(spec, expected, at="random", point: Optional[dict] = None, inputs=None,
                      n_inputs: Optional[int] = None, seed: int = 0, certainty: str = "float64-gap"):
    """Assert the model rank of ``spec`` (at a point, or at given inputs) equals ``expected``.

    Parameters
    ----------
    spec : str, Spec or UserModel
    expected : int or ClosedForm
    at : {'random', 'zero'} or path
        The point, unless ``point`` is given.
    point : dict, optional
        Parameters by name.
    inputs : array or str, optional
        Inputs (array, or an ``--inputs`` string such as ``random:40``);
        default ``n_inputs`` generic inputs.
    n_inputs : int, optional
        Generic inputs (default ``2 M``).
    seed : int
    certainty : str
        Least certainty accepted (:data:`rankstrat.cases.claim.CERTAINTY_ORDER`).

    Returns
    -------
    RankResult

    Raises
    ------
    AssertionError
        With predicted, measured, certainty, gap and proven bounds.

    Examples
    --------
    >>> assert_model_rank("twolayer:d=3,k=2", 8).rank
    8
    >>> assert_model_rank("mf:n1=2,k=1,n2=2", 4)
    Traceback (most recent call last):
    ...
    AssertionError: model rank of mf:n1=2,k=1,n2=2,depth=2 at the random point
      predicted  4
      measured   3
      certainty  certified... (required: float64-gap)
      gap        ... (s_r/s_r+1 at 16 digits, 8 inputs, 4 parameters)
    ...
    """
    __tracebackhide__ = True
    from rankstrat.numerics.model.input_sets import resolve_inputs
    from rankstrat.numerics.model.points import resolve_point
    from rankstrat.numerics.rank.engine import jacobian_rank, model_rank

    if certainty not in CERTAINTY_ORDER:
        raise ValueError(f"certainty must be one of {', '.join(CERTAINTY_ORDER)}, got {certainty!r}")
    model = _spec(spec)
    where = "the given point" if point is not None else f"the {at} point"
    if point is None and inputs is None:
        result = model_rank(model, at=at, n_inputs=n_inputs, seed=seed)
    else:
        chosen = resolve_point(model, point if point is not None else at, seed)
        if inputs is None:
            from rankstrat.numerics.model.points import generic_inputs
            from rankstrat.theory.model.symbolic import num_params

            X = generic_inputs(model, n_inputs or 2 * num_params(model), seed)
        else:
            X = resolve_inputs(model, inputs, seed).X if isinstance(inputs, str) else inputs
            where += f", {len(X)} given inputs"
        result = jacobian_rank(model, chosen, X)
    value = _value(expected)
    ok = result.rank == value and certainty_at_least(result.certainty, certainty)
    if not ok:
        formula = f" ({expected})" if value is not expected else ""
        lines = [
            f"model rank of {model} at {where}",
            f"  predicted  {value}{formula}",
            f"  measured   {'undecided' if result.rank is None else result.rank}",
            f"  certainty  {result.certainty} (required: {certainty})",
        ] + ["  " + line for line in rank_report(result)]
        raise AssertionError("\n".join(lines))
    return result


def assert_linearly_stable(spec, target="random", inputs="random:100", stable: bool = True,
                           lost: Optional[Iterable[str]] = None, seed: int = 0, certainty: str = "float64-gap"):
    """Assert a target is (or, with ``stable=False``, is not) linearly stable at an input set.

    Parameters
    ----------
    spec : str, Spec or UserModel
    target : str or dict
        ``--target`` value (:mod:`rankstrat.numerics.model.targets`) or a point by name.
    inputs : str or array
        ``--inputs`` value (:mod:`rankstrat.numerics.model.input_sets`) or an array.
    stable : bool
        The expected verdict.
    lost : iterable of str, optional
        With ``stable=False``: the parameter names that must lead the lost
        directions, one per direction.
    seed : int
    certainty : str
        Least verdict certainty accepted (``float64-gap``, ``high-precision``, ``certified``).

    Returns
    -------
    StabilityResult

    Raises
    ------
    AssertionError
        With the verdict, both ranks, their certainty and gaps, and the lost directions.

    Examples
    --------
    >>> assert_linearly_stable("twolayer:d=3,k=2", "neurons=2", "hyperplane:30", stable=False,
    ...                        lost={"W[0,2]", "W[1,2]"}).deficiency
    2
    >>> assert_linearly_stable("twolayer:d=3,k=2", "neurons=2", "hyperplane:30")
    Traceback (most recent call last):
    ...
    AssertionError: linear stability of twolayer:d=3,k=2,act=tanh,bias=0, target neurons=2, inputs hyperplane:30
      predicted  stable
      measured   NOT stable: n = 30 >= R = 8, but the inputs see only 6 of the R directions
    ...
    """
    __tracebackhide__ = True
    from rankstrat.numerics.model.input_sets import resolve_inputs
    from rankstrat.numerics.model.targets import resolve_target
    from rankstrat.numerics.rank.stability import linear_stability

    if certainty not in VERDICT_ORDER:
        raise ValueError(f"certainty must be one of {', '.join(VERDICT_ORDER)}, got {certainty!r}")
    model = _spec(spec)
    chosen = resolve_target(model, target, seed)
    X = resolve_inputs(model, inputs, seed).X if isinstance(inputs, str) else inputs
    result = linear_stability(model, chosen.point, X, seed=seed)
    leading = sorted(d.names()[0] for d in result.lost if d.names())
    problems = []
    if result.stable is not stable:
        problems.append("verdict")
    if VERDICT_ORDER.index(result.certainty) < VERDICT_ORDER.index(certainty):
        problems.append("certainty")
    if lost is not None and leading != sorted(lost):
        problems.append("lost directions")
    if problems:
        verdict = {True: "stable", False: "NOT stable", None: "undecided"}[result.stable]
        inputs_text = inputs if isinstance(inputs, str) else f"{len(X)} given inputs"
        lines = [
            f"linear stability of {model}, target {chosen.text}, inputs {inputs_text}",
            f"  predicted  {'stable' if stable else 'NOT stable'}"
            + (f", lost directions led by {', '.join(sorted(lost))}" if lost is not None else ""),
            f"  measured   {verdict}: {result.reason}",
            f"  certainty  {result.certainty} (required: {certainty})",
            f"  data rank  {result.data_rank.rank} at {result.num_inputs} inputs "
            f"({result.data_rank.certainty}, gap {_gap(result.data_rank.gap)})",
            f"  model rank {result.model_rank.rank} at {result.model_rank.num_inputs} generic inputs "
            f"({result.model_rank.certainty}, gap {_gap(result.model_rank.gap)})",
        ]
        lines += [f"  lost       {d.text()}" for d in result.lost[:8]]
        lines += [f"  warning    {w}" for w in result.warnings]
        raise AssertionError("\n".join(lines))
    return result


def assert_claim(claim, full: bool = True):
    """Assert a claim of the catalogue (or any :class:`rankstrat.cases.claim.Claim`) passes.

    Parameters
    ----------
    claim : str or Claim
        A claim id (``mf.target-rank-2``) or a claim object.
    full : bool
        Look ids up among the large-size claims too.

    Returns
    -------
    ClaimResult

    Raises
    ------
    AssertionError
        With statement, source, predicted, measured, certainty and detail.
    KeyError
        For an unknown id.

    Examples
    --------
    >>> assert_claim("mf.target-rank-1").measured
    7
    >>> from rankstrat.cases.claim import Claim, Measurement
    >>> assert_claim(Claim("demo.wrong", "2 + 2 = 5", "none", lambda: 5, lambda: Measurement(4, "exact")))
    Traceback (most recent call last):
    ...
    AssertionError: claim demo.wrong failed: 2 + 2 = 5
      source     none
      predicted  5
      measured   4
      certainty  exact (required: any)
    """
    __tracebackhide__ = True
    from rankstrat.cases.claim import Claim, run_claim

    if not isinstance(claim, Claim):
        from rankstrat.cases.catalogue import all_claims

        found = {c.id: c for c in all_claims(full=full)}
        if claim not in found:
            raise KeyError(f"no claim with id {claim!r}; see `rankstrat check --list`")
        claim = found[claim]
    result = run_claim(claim)
    if not result.passed:
        raise AssertionError(format_claim_failure(result, claim.required_certainty))
    return result


def format_claim_failure(result, required: Optional[str] = None) -> str:
    """The failure message of a claim result (used by :func:`assert_claim` and the pytest plugin).

    Examples
    --------
    >>> from rankstrat.cases.claim import ClaimResult
    >>> print(format_claim_failure(ClaimResult("x.y", "s", "src", 8, 7, "certified", False, 0.1, "gap inf")))
    claim x.y failed: s
      source     src
      predicted  8
      measured   7
      certainty  certified (required: any)
      detail     gap inf
    """
    lines = [
        f"claim {result.id} failed: {result.statement}",
        f"  source     {result.source}",
        f"  predicted  {result.predicted}",
        f"  measured   {'undecided' if result.measured is None else result.measured}",
        f"  certainty  {result.certainty or '-'} (required: {required or 'any'})",
    ]
    if result.detail:
        lines.append(f"  detail     {result.detail}")
    if result.error:
        lines.append(f"  error      {result.error}")
    return "\n".join(lines)
