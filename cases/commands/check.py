"""``rankstrat check``: run the claims catalogue and print the report."""

from __future__ import annotations

import argparse

from rankstrat.cases.catalogue import all_claims, select_claims
from rankstrat.cases.claim import falsify_claim, run_claim
from rankstrat.cases.provenance import provenance
from rankstrat.cases.report import FORMATS, format_rows, to_json, write_rows
from rankstrat.numerics.output_paths import prepare_output_path
from rankstrat.numerics.progress import Progress
from rankstrat.theory.errors import InputError

NAME = "check"
HELP = "run the claims catalogue (closed form vs numerics) and print a report; exit 1 if any fails"
EXAMPLE = 'rankstrat check --topic mf --format csv --out report.csv'
EXIT_ONE = 'exit 1: at least one claim failed or stayed undecided'
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
                             "exit 1 if any does, or if a claim fails unperturbed")
    parser.add_argument("--format", default="text", choices=FORMATS, help="report format (json: JSON only on stdout)")
    parser.add_argument("--out", help="also write the report with its provenance, row by row as claims finish "
                        "(.json, .csv, .tex, .md, else text)")
    parser.add_argument("--list", action="store_true",
                        help="list the selected claims and exit, running none (JSON with --format json); "
                             "not with --falsify or --out")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar and no summary line")


def run(args: argparse.Namespace) -> int:
    """Run the selected claims; 0 when every one passes, 1 otherwise.

    ``--out`` is checked before any claim runs, and the report with its rows so
    far is rewritten (atomically) after each finished claim, so an
    interruption keeps every finished claim.

    Examples
    --------
    >>> ns = argparse.Namespace(only="mf.target-rank-1", topic=None, full=False, format="csv",
    ...                         out=None, list=False, no_progress=True)
    >>> run(ns)  # doctest: +ELLIPSIS
    # rankstrat_version: ...
    # git_commit: ...
    # spec: -
    # seed: -
    # date: ...
    # only: mf.target-rank-1
    # topic: -
    # full: False
    # claims: 1
    id,predicted,measured,certainty,result,seconds,detail
    mf.target-rank-1,7,7,certified,pass,...
    <BLANKLINE>
    1 passed, 0 failed
    0
    """
    for option, value in (("--only", args.only), ("--topic", args.topic)):
        if value is not None and not [part for part in value.split(",") if part.strip()]:
            raise InputError(f"{option}: empty; give comma-separated {'claim ids' if option == '--only' else 'topics'} "
                             "(see `rankstrat check --list`)")
    if getattr(args, "fast", False) and args.full:
        raise InputError("--fast and --full: choose one (the fast catalogue is the default)")
    if args.list:
        for option, given in (("--falsify", getattr(args, "falsify", False)), ("--out", args.out is not None)):
            if given:
                raise InputError(f"--list only lists the selected claims and runs none; {option} needs them run: "
                                 "give one of them")
    claims = select_claims(all_claims(full=args.full or bool(args.only)), args.only, args.topic)
    if args.list:
        if args.format == "json":
            print(to_json([{"id": c.id, "statement": c.statement} for c in claims]))
        else:
            for claim in claims:
                print(f"{claim.id:<45} {claim.statement}")
        return 0
    if not claims:
        raise InputError("no claim selected; see `rankstrat check --list`")
    out = None if args.out is None else prepare_output_path(args.out, "--out")
    if getattr(args, "falsify", False):
        return run_falsify(claims, args, out)
    results = []
    record = provenance(only=args.only, topic=args.topic, full=args.full, claims=len(claims))
    columns = COLUMNS + ["statement", "source", "passed", "error"]
    bar = Progress(claims, desc="claims", unit="claim", enabled=not args.no_progress)
    try:
        for claim in bar:
            bar.set_postfix_str(claim.id)
            results.append(run_claim(claim))
            if out:
                write_rows(out, _rows(results), columns, record)
    except BaseException as exc:
        bar.close(summary=False)  # the error's line is the only output
        if isinstance(exc, KeyboardInterrupt) and out and results:
            raise KeyboardInterrupt(f"{len(results)} finished claims kept in {out}") from None
        raise
    bar.close()
    print(format_rows(_rows(results), COLUMNS, args.format, provenance=record))
    failed = [r for r in results if not r.ok]
    known = [r for r in results if r.outcome == "does not reproduce"]
    if args.format != "json":
        tail = f", {len(known)} do not reproduce the literature (known, listed in the README)" if known else ""
        print(f"\n{len(results) - len(failed) - len(known)} passed, {len(failed)} failed{tail}")
    return 1 if failed else 0


def _rows(results) -> list:
    return [
        {**r.as_dict(), "result": r.outcome,
         "detail": r.error or r.detail, "seconds": round(r.seconds, 2)}
        for r in results
    ]


def _short(text: str, instead: str, width: int = 40) -> str:
    """``text``, or ``instead`` when it is wider than ``width``; ``-`` when empty.

    Examples
    --------
    >>> _short("6, 8", "2 perturbations"), _short("x" * 50, "9 perturbations"), _short("", "none")
    ('6, 8', '9 perturbations', '-')
    """
    if not text:
        return "-"
    return text if len(text) <= width else instead


FALSIFY_COLUMNS = ["id", "predicted", "measured", "perturbed", "survivors", "result"]


def run_falsify(claims: list, args: argparse.Namespace, out: str | None = None) -> int:
    """``--falsify``: each claim against its perturbed predictions; 1 when any claim
    survives, or fails unperturbed (a known non-reproduction excepted).

    A claim survives when a perturbed prediction still passes, or when it cannot
    be perturbed (no perturbation, a check that ignores the prediction, an error).

    Examples
    --------
    >>> ns = argparse.Namespace(only="mf.target-rank-1", topic=None, full=False, format="csv",
    ...                         out=None, list=False, no_progress=True, falsify=True)
    >>> run(ns)  # doctest: +ELLIPSIS
    # rankstrat_version: ...
    # git_commit: ...
    # spec: -
    # seed: -
    # date: ...
    # only: mf.target-rank-1
    # topic: -
    # full: False
    # claims: 1
    # falsify: True
    id,predicted,measured,perturbed,survivors,result
    mf.target-rank-1,7,7,"6, 8",-,falsified
    <BLANKLINE>
    1 falsified, 0 surviving, 0 failing unperturbed
    0
    """
    outcomes = []
    bar = Progress(claims, desc="falsify", unit="claim", enabled=not args.no_progress)
    with bar:  # no summary line when a claim raises: the error's line is the only output
        for claim in bar:
            bar.set_postfix_str(claim.id)
            outcomes.append(falsify_claim(claim))
    rows = []
    for f in outcomes:
        r = f.result
        rows.append({
            "id": r.id, "predicted": _short(str(r.as_dict()["predicted"]), "(long: see the claim report)", 60),
            "measured": _short(str(r.as_dict()["measured"]), "(long: see the claim report)", 60),
            "perturbed": _short(", ".join(map(str, f.tried)), f"{len(f.tried)} perturbations"),
            "survivors": f.reason or _short(", ".join(map(str, f.survivors)), f"{len(f.survivors)} perturbations"),
            "result": "falsified" if f.falsified else "SURVIVES",
        })
    record = provenance(only=args.only, topic=args.topic, full=args.full, claims=len(claims), falsify=True)
    print(format_rows(rows, FALSIFY_COLUMNS, args.format, provenance=record))
    # a known non-reproduction already fails its prediction; a neighbour may match what was measured
    surviving = [f for f in outcomes if not f.falsified and f.result.does_not_reproduce is None]
    failing = [f for f in outcomes if not f.result.ok]  # fails unperturbed: the claim itself is broken
    if args.format != "json":
        print(f"\n{len(outcomes) - len(surviving)} falsified, {len(surviving)} surviving, "
              f"{len(failing)} failing unperturbed")
        for f in surviving:
            print(f"  survives: {f.result.id}: {f.reason or 'still passes with ' + ', '.join(map(str, f.survivors))}")
        for f in failing:
            print(f"  fails unperturbed: {f.result.id}: {f.result.error or f.result.detail}")
    if out:
        write_rows(out, rows, FALSIFY_COLUMNS, record)
    return 1 if surviving or failing else 0
