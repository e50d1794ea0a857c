"""``rankstrat check``: run the claims catalogue and print the report."""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from rankstrat.cases.catalogue import all_claims, select_claims
from rankstrat.cases.claim import falsify_claim, run_claim
from rankstrat.cases.report import FORMATS, format_rows, to_json
from rankstrat.theory.errors import InputError

NAME = "check"
HELP = "run the claims catalogue (closed form vs numerics) and print a report; exit 1 if any fails"
COLUMNS = ["id", "predicted", "measured", "certainty", "result", "seconds", "detail"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``rankstrat check``.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> p.parse_args(["--topic", "mf"]).topic
    'mf'
    """
    parser.add_argument("--only", help="comma-separated claim ids")
    parser.add_argument("--topic", help="comma-separated topics")
    parser.add_argument("--full", action="store_true", help="include the large sizes")
    parser.add_argument("--fast", action="store_true", help="only the fast catalogue (the default)")
    parser.add_argument("--falsify", action="store_true",
                        help="rerun every claim with its prediction perturbed (integers +-1, reals beyond "
                             "their tolerance, sets by one element); list the claims that still pass; "
                             "exit 1 if any does")
    parser.add_argument("--format", default="text", choices=FORMATS, help="report format")
    parser.add_argument("--out", help="also write the report to this file (JSON when it ends in .json)")
    parser.add_argument("--list", action="store_true", help="list the claims and exit")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Run the selected claims; 0 when every one passes, 1 otherwise.

    Examples
    --------
    >>> ns = argparse.Namespace(only="mf.target-rank-1", topic=None, full=False, format="csv",
    ...                         out=None, list=False, no_progress=True)
    >>> run(ns)  # doctest: +ELLIPSIS
    id,predicted,measured,certainty,result,seconds,detail
    mf.target-rank-1,7,7,certified,pass,...
    <BLANKLINE>
    1 passed, 0 failed
    0
    """
    if getattr(args, "fast", False) and args.full:
        raise InputError("--fast and --full: choose one (the fast catalogue is the default)")
    claims = select_claims(all_claims(full=args.full or bool(args.only)), args.only, args.topic)
    if args.list:
        for claim in claims:
            print(f"{claim.id:<45} {claim.statement}")
        return 0
    if not claims:
        raise InputError("no claim selected; see `rankstrat check --list`")
    if getattr(args, "falsify", False):
        return run_falsify(claims, args)
    results = []
    bar = tqdm(claims, desc="claims", unit="claim", file=sys.stderr, disable=args.no_progress)
    for claim in bar:
        bar.set_postfix_str(claim.id)
        results.append(run_claim(claim))
    rows = [
        {**r.as_dict(), "result": "pass" if r.passed else "FAIL",
         "detail": r.error or r.detail, "seconds": round(r.seconds, 2)}
        for r in results
    ]
    text = format_rows(rows, COLUMNS, args.format)
    print(text)
    failed = [r for r in results if not r.passed]
    if args.format != "json":
        print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed")
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(to_json([r.as_dict() for r in results]) if args.out.endswith(".json") else text + "\n")
    return 1 if failed else 0


FALSIFY_COLUMNS = ["id", "predicted", "measured", "perturbed", "survivors", "result"]


def run_falsify(claims: list, args: argparse.Namespace) -> int:
    """``--falsify``: each claim against its perturbed predictions; 1 when any claim survives.

    A claim survives when a perturbed prediction still passes, or when it cannot
    be perturbed (no perturbation, a check that ignores the prediction, an error).

    Examples
    --------
    >>> ns = argparse.Namespace(only="mf.target-rank-1", topic=None, full=False, format="csv",
    ...                         out=None, list=False, no_progress=True, falsify=True)
    >>> run(ns)  # doctest: +ELLIPSIS
    id,predicted,measured,perturbed,survivors,result
    mf.target-rank-1,7,7,"6, 8",-,falsified
    <BLANKLINE>
    1 falsified, 0 surviving
    0
    """
    outcomes = []
    bar = tqdm(claims, desc="falsify", unit="claim", file=sys.stderr, disable=args.no_progress)
    for claim in bar:
        bar.set_postfix_str(claim.id)
        outcomes.append(falsify_claim(claim))
    rows = []
    for f in outcomes:
        r = f.result
        rows.append({
            "id": r.id, "predicted": r.as_dict()["predicted"], "measured": r.as_dict()["measured"],
            "perturbed": ", ".join(map(str, f.tried)) or "-",
            "survivors": f.reason or ", ".join(map(str, f.survivors)) or "-",
            "result": "falsified" if f.falsified else "SURVIVES",
        })
    text = format_rows(rows, FALSIFY_COLUMNS, args.format)
    print(text)
    surviving = [f for f in outcomes if not f.falsified]
    if args.format != "json":
        print(f"\n{len(outcomes) - len(surviving)} falsified, {len(surviving)} surviving")
        for f in surviving:
            print(f"  survives: {f.result.id}: {f.reason or 'still passes with ' + ', '.join(map(str, f.survivors))}")
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(to_json(rows) if args.out.endswith(".json") else text + "\n")
    return 1 if surviving else 0
