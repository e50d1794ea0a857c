"""Tables of model rank against sizes: closed form, measurement and parameter count.

One row per size setting (and per fully connected counterpart when asked):
parameter count, the closed-form rank of the target, the measured rank with
its certainty, the optimistic sample size and the ratio rank / parameters.
"""

from __future__ import annotations

import itertools
from typing import Callable

import numpy as np

from rankstrat.numerics.families.cnn import fully_connected_point
from rankstrat.numerics.model.points import generic_inputs
from rankstrat.numerics.model.targets import resolve_target
from rankstrat.numerics.rank.engine import RankResult, jacobian_rank
from rankstrat.theory.closed_form import ClosedForm
from rankstrat.theory.errors import InputError
from rankstrat.theory.families import cnn
from rankstrat.theory.model.symbolic import num_params
from rankstrat.theory.spec import Spec


def measure_rank(spec: Spec, point: dict, expected: int, seed: int = 0, certify: bool = True,
                 generic: bool = False) -> RankResult:
    """Jacobian rank at ``point`` with as few generic inputs as show the full span.

    Starts from ``2 expected + 10`` inputs (at most ``2 M``) and doubles while
    the rank comes within two of the number of inputs. ``generic`` marks a
    random point (see :func:`rankstrat.numerics.rank.engine.jacobian_rank`).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=3,k=40")
    >>> target = resolve_target(spec, "neurons=1")
    >>> result = measure_rank(spec, target.point, target.closed_form.value)
    >>> result.rank, result.num_inputs < 2 * result.num_params
    (4, True)
    """
    limit = 2 * num_params(spec)
    n = min(limit, 2 * expected + 10)
    while True:
        result = jacobian_rank(
            spec, point, generic_inputs(spec, n, seed), certify=certify, generic=generic, free_inputs=True
        )
        if n >= limit or result.upper_bound < n - 2 or (result.rank is not None and result.rank < n - 2):
            return result
        n = min(limit, 2 * n)


def architecture_label(spec: Spec) -> str:
    """``convolution`` / ``locally connected`` for cnn specs, else the family.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> architecture_label(parse_spec("cnn1d:d=3,s=2,k=1,share=0")), architecture_label(parse_spec("mf:n1=1,k=1,n2=1"))
    ('locally connected', 'mf')
    """
    label = getattr(spec.module, "architecture_label", None)
    return spec.family if label is None else label(spec)


def _row(spec: Spec, sizes: dict, architecture: str, form: ClosedForm | None, bound: bool, result: RankResult) -> dict:
    params = spec.module.num_params_formula(spec)
    measured = result.rank
    predicted = None if form is None else form.value
    if measured is None:
        agreement = "undecided"
    elif form is None:
        agreement = "no closed form"
    elif bound or not form.holds:
        agreement = ("agree (bound)" if measured <= predicted else "DISAGREE") if bound else (
            "agree (hypotheses fail)" if measured == predicted else "DISAGREE")
    else:
        agreement = "agree" if measured == predicted else "DISAGREE"
    return {
        **sizes,
        "architecture": architecture,
        "spec": str(spec),
        "params_formula": params.formula,
        "params": params.value,
        "rank_formula": None if form is None else form.formula,
        "closed_form": predicted,
        "measured": measured,
        "certainty": result.certainty,
        "optimistic": predicted if form is not None and not bound else measured,
        "ratio": None if measured is None else round(measured / params.value, 4),
        "agreement": agreement,
        "warnings": "; ".join(result.warnings),
    }


def closed_form_of(spec: Spec, target: str, found) -> tuple[ClosedForm | None, bool]:
    """The closed form to compare with, and whether it is only an upper bound.

    A random target is compared with the family's generic rank even when its
    hypotheses fail (ReLU, deep networks), so a table shows the disagreement
    instead of hiding the formula.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=2,k=2,act=relu")
    >>> form, bound = closed_form_of(spec, "random", resolve_target(spec, "random"))
    >>> form.value, form.holds, bound
    (6, False, False)
    """
    if str(target) == "random":
        return spec.module.generic_rank(spec), False
    return found.closed_form, found.bound


def rank_table(
    spec: Spec,
    vary: dict | None = None,
    target: str = "random",
    with_fully_connected: bool = False,
    seed: int = 0,
    certify: bool = True,
    progress: Callable | None = None,
    on_skip: Callable[[dict, str], None] | None = None,
) -> list[dict]:
    """Rows of closed form versus measured rank over a grid of sizes.

    Parameters
    ----------
    spec : Spec
        The base architecture; ``vary`` overrides some of its keys.
    vary : dict
        ``{key: [values]}``; the grid is their product.
    target : str
        As ``--target`` (:func:`rankstrat.numerics.model.targets.resolve_target`).
    with_fully_connected : bool
        For cnn specs, add the fully connected counterpart at the same target.
    seed : int
    certify : bool
        Try proven bounds (small models only).
    progress : callable, optional
        Wraps the iterable of settings (e.g. ``tqdm``).
    on_skip : callable, optional
        ``on_skip(sizes, reason)``: when given, a size setting the target
        does not fit (``neurons=2`` at ``k=1``) is skipped and reported
        instead of raising; when every setting is skipped the first error
        is raised all the same.

    Returns
    -------
    list of dict
        Keys: the varied sizes, ``architecture``, ``spec``, ``params_formula``,
        ``params``, ``rank_formula``, ``closed_form``, ``measured``,
        ``certainty``, ``optimistic``, ``ratio``, ``agreement``, ``warnings``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> rows = rank_table(parse_spec("twolayer:d=3,k=1"), {"k": [1, 4]}, "neurons=1")
    >>> [(r["k"], r["params"], r["measured"], r["agreement"]) for r in rows]
    [(1, 4, 4, 'agree'), (4, 16, 4, 'agree')]
    >>> rows = rank_table(parse_spec("twolayer:d=2,k=1"), {"k": [1, 2]}, "neurons=2", on_skip=print)
    {'k': 1} --target: neurons=2 exceeds the width k=1
    >>> [(r["k"], r["measured"]) for r in rows]
    [(2, 6)]
    """
    vary = vary or {}
    keys = list(vary)
    settings = [dict(zip(keys, combo)) for combo in itertools.product(*(vary[k] for k in keys))] or [{}]
    for key in keys:
        if key not in dict(spec.values):
            raise InputError(f"--vary {key}: {spec.family} has no key {key!r}; expected one of {', '.join(dict(spec.values))}")
    if with_fully_connected and spec.family not in ("cnn1d", "cnn2d"):
        raise InputError("--with-fully-connected applies to cnn1d and cnn2d specs")
    rows = []
    skipped = []
    for sizes in progress(settings) if progress else settings:
        current = spec.replace(**sizes)
        try:
            found = resolve_target(current, target, seed)
        except InputError as exc:
            if on_skip is None or len(skipped) + 1 == len(settings):
                raise
            skipped.append(sizes)
            on_skip(sizes, str(exc))
            continue
        form, bound = closed_form_of(current, target, found)
        expected = num_params(current) if form is None else form.value
        result = measure_rank(current, found.point, expected, seed, certify, generic=str(target) == "random")
        rows.append(_row(current, sizes, architecture_label(current), form, bound, result))
        if with_fully_connected:
            fc_spec, fc_point = fully_connected_point(current, found.point)
            if any(row["spec"] == str(fc_spec) for row in rows):
                continue  # the counterpart ignores `share`: one row is enough
            active = int(np.count_nonzero(np.abs(fc_point["a"]) > 0))
            fc_form = (fc_spec.module.generic_rank(fc_spec) if str(target) == "random"
                       else cnn.fully_connected_target_rank(current, active))
            fc_result = measure_rank(fc_spec, fc_point, fc_form.value, seed, certify, generic=str(target) == "random")
            rows.append(_row(fc_spec, sizes, "fully connected", fc_form, False, fc_result))
    return rows


def comparison_label(spec: Spec, varied) -> str:
    """A spec without its varied keys, naming one architecture among several of one family.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> comparison_label(parse_spec("twolayer:d=3,k=1,act=relu"), ["k"])
    'twolayer:d=3,act=relu,bias=0'
    """
    kept = [f"{key}={value}" for key, value in spec.values if key not in varied]
    return f"{spec.family}:{','.join(kept)}"


def compare_table(specs: list, vary: dict | None = None, target: str = "random", **options) -> list[dict]:
    """:func:`rank_table` of several architectures over one grid, one list of rows.

    Rows keep :func:`architecture_label`; when two architectures would share a
    label, each gets its :func:`comparison_label` instead, so a table or plot
    tells them apart.

    Parameters
    ----------
    specs : list of Spec
    vary, target, **options
        As :func:`rank_table`, applied to every spec.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> specs = [parse_spec("twolayer:d=2,k=1"), parse_spec("mf:n1=2,k=1,n2=2")]
    >>> [(r["architecture"], r["k"], r["measured"]) for r in compare_table(specs, {"k": [1, 2]})]
    [('twolayer', 1, 3), ('twolayer', 2, 6), ('mf', 1, 3), ('mf', 2, 4)]
    >>> specs = [parse_spec("twolayer:d=2,k=1,act=tanh"), parse_spec("twolayer:d=2,k=1,act=relu")]
    >>> sorted({r["architecture"] for r in compare_table(specs, {"k": [1]}, certify=False)})
    ['twolayer:d=2,act=relu,bias=0', 'twolayer:d=2,act=tanh,bias=0']
    """
    vary = vary or {}
    tables = [rank_table(spec, vary, target, **options) for spec in specs]
    labels = [row["architecture"] for table in tables for row in table]
    rows = []
    for spec, table in zip(specs, tables):
        for row in table:
            label = row["architecture"]
            if labels.count(label) > sum(other["architecture"] == label for other in table):
                own = comparison_label(spec, vary)
                row["architecture"] = own if label == spec.family else f"{label}, {own}"
            rows.append(row)
    return rows
