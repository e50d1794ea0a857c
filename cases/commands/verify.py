"""``rankstrat verify MODEL --claim "model_rank == k*(d+1)" --vary k=1..6``: a user's
closed form against the measured rank over a grid of sizes; the first counterexample."""

from __future__ import annotations

import argparse

from rankstrat.cases.claim import CERTAINTY_ORDER, run_claim
from rankstrat.cases.grid_claims import first_counterexample, grid_points
from rankstrat.cases.options import add_max_memory, add_seed, memory_limit
from rankstrat.cases.provenance import provenance
from rankstrat.cases.report import FORMATS, format_rows, to_json
from rankstrat.numerics.progress import Progress
from rankstrat.numerics.resources import check_request
from rankstrat.theory.spec import parse_spec
from rankstrat.theory.values import FORM, positive_type

NAME = "verify"
HELP = "check a closed-form claim (model_rank or num_params vs a formula in the sizes) over a grid; exit 1 on a counterexample"


EXAMPLE = 'rankstrat verify twolayer:d=3,k=1 --claim "model_rank == k*(d+1)" --vary k=1..3,5'
EXIT_ONE = 'exit 1: a counterexample, or a grid point left undecided'
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``rankstrat verify``.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> p.parse_args(["twolayer:d=3,k=1", "--vary", "k=1..3", "--vary", "d=2,3"]).vary
    ['k=1..3', 'd=2,3']
    """
    parser.add_argument("model", help="spec string, model file (FILE.py or FILE.toml, optionally :key=value,...)")
    parser.add_argument("--claim", help='QUANTITY OP FORMULA, e.g. "model_rank == k*(d+1)" (default: the model\'s own claim)')
    parser.add_argument("--vary", action="append", default=[], metavar="NAME=VALUES",
                        help=f"a size and its values: {FORM}; repeat for a product grid")
    add_seed(parser)
    parser.add_argument("--inputs", type=positive_type("--inputs"), default=None, metavar="N",
                        help="generic inputs per point (default 2M)")
    add_max_memory(parser)
    parser.add_argument("--no-certify", action="store_true", help="skip proven bounds (faster)")
    parser.add_argument("--stop-at-first", action="store_true", help="stop at the first counterexample")
    parser.add_argument("--format", default="text", choices=FORMATS, help="table format (json: one JSON object on stdout)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Check the claim at every grid point; 0 when it holds everywhere, 1 otherwise.

    Examples
    --------
    >>> ns = argparse.Namespace(model="twolayer:d=2,k=1", claim="model_rank == k*(d+1)", vary=["k=1..2"],
    ...                         seed=0, inputs=None, no_certify=False, stop_at_first=False, format="csv",
    ...                         no_progress=True)
    >>> run(ns)  # doctest: +ELLIPSIS
    model        twolayer:d=2,k=1,act=tanh,bias=0
    claim        model_rank == k*(d + 1)
    grid         2 points
    # rankstrat_version: ...
    # git_commit: ...
    # spec: twolayer:d=2,k=1,act=tanh,bias=0
    # seed: 0
    # date: ...
    # claim: model_rank == k*(d + 1)
    # vary: k=1..2
    k,predicted,measured,certainty,holds,detail
    1,3,3,certified,yes,...
    2,6,6,certified,yes,...
    <BLANKLINE>
    claim holds at all 2 grid points (weakest certainty: certified)
    0
    """
    model = parse_spec(args.model)
    points = grid_points(model, args.claim, args.vary, seed=args.seed, n_inputs=args.inputs,
                         certify=not args.no_certify)
    limit = memory_limit(args)
    for point in points:
        check_request(point.spec, args.inputs, limit)
        point.claim.predicted()  # a formula without a value at a grid point is bad input, not a failed claim
    text_claim = _claim_text(points)
    if args.format != "json":
        print(f"{'model':<12} {model}")
        if hasattr(model, "describe"):
            print(f"{'kind':<12} {model.describe()}")
        print(f"{'claim':<12} {text_claim}")
        print(f"{'grid':<12} {len(points)} point{'s' if len(points) != 1 else ''}")
    results, rows = [], []
    bar = Progress(points, desc="grid", unit="point", enabled=not args.no_progress)
    for point in bar:
        bar.set_postfix_str(point.label)
        result = run_claim(point.claim)
        results.append(result)
        rows.append({**point.varied, "predicted": result.predicted, "measured": result.measured,
                     "certainty": result.certainty, "holds": "yes" if result.passed else "NO",
                     "detail": result.error or result.detail})
        if args.stop_at_first and not result.passed:
            break
    bar.close()
    columns = list(points[0].varied) + ["predicted", "measured", "certainty", "holds", "detail"]
    counterexample = first_counterexample(results)
    undecided = [r for r in results if not r.passed and r is not counterexample and r.measured is None]
    record = provenance(model, args.seed, claim=text_claim, vary=args.vary)
    if args.format == "json":
        print(to_json({"model": str(model), "claim": text_claim, "rows": rows,
                       "counterexample": None if counterexample is None else counterexample.id.split(".", 1)[1],
                       "provenance": record}))
        return 0 if all(r.passed for r in results) else 1
    print(format_rows(rows, columns, args.format, provenance=record))
    print()
    if counterexample is not None:
        where = counterexample.id.split(".", 1)[1]
        print(f"first counterexample: {where}: the claim gives {counterexample.predicted}, measured "
              f"{counterexample.measured} ({counterexample.certainty}; {counterexample.detail})")
    elif undecided:
        print(f"not verified: {len(undecided)} grid point(s) undecided ({undecided[0].id.split('.', 1)[1]}: "
              f"{undecided[0].error or undecided[0].detail})")
    else:
        weakest = min((r.certainty for r in results), key=_certainty_rank)
        print(f"claim holds at all {len(results)} grid points (weakest certainty: {weakest})")
    return 0 if all(r.passed for r in results) else 1


def _claim_text(points) -> str:
    """The claim as normalised (``model_rank == k*(d + 1)``)."""
    return points[0].claim.statement.rsplit(" at ", 1)[0]


def _certainty_rank(certainty: str) -> int:
    return CERTAINTY_ORDER.index(certainty) if certainty in CERTAINTY_ORDER else len(CERTAINTY_ORDER)
