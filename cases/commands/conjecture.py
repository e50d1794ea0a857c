"""``rankstrat conjecture SPEC --vary d=1..6 --vary k=1..6``: a closed form
conjectured from the certified entries of a rank table, checked on held-out
sizes and compared with the theory's closed form."""

from __future__ import annotations

import argparse

from rankstrat.cases.options import add_max_memory, add_seed, memory_limit
from rankstrat.cases.report import FORMATS, format_rows, to_json
from rankstrat.numerics.resources import check_request
from rankstrat.theory.errors import InputError
from rankstrat.theory.rank.size_claims import parse_size_grid
from rankstrat.theory.spec import parse_spec
from rankstrat.theory.values import FORM, argument_type

NAME = "conjecture"
EXAMPLE = "rankstrat conjecture twolayer:d=1,k=1 --vary d=1..5 --vary k=1..4 --table"
EXIT_ONE = "exit 1: no formula fits the certified table, or a held-out size disagrees"
HELP = "conjecture a closed form for the model rank from a certified table over sizes; verify it on held-out sizes"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``rankstrat conjecture``.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> p.parse_args(["twolayer:d=1,k=1", "--vary", "d=1..3"]).vary
    ['d=1..3']
    """
    parser.add_argument("spec", help="FAMILY:key=value,... or a model file (FILE.py, FILE.toml)")
    parser.add_argument("--vary", action="append", default=[], metavar="NAME=VALUES",
                        help=f"a size and its values: {FORM}; repeat for a product grid")
    parser.add_argument("--target", default="random", help="the point at each size (default random: generic rank)")
    parser.add_argument("--degree", type=argument_type("--degree", 0, 6), default=3,
                        help="largest total degree fitted, 0 to 6 (default 3)")
    add_seed(parser)
    add_max_memory(parser)
    parser.add_argument("--table", action="store_true", help="print the rank table too")
    parser.add_argument("--format", default="text", choices=FORMATS, help="table format (default text)")


def run(args: argparse.Namespace) -> int:
    """Print the conjecture; exit 1 when nothing fits or a held-out size disagrees.

    Examples
    --------
    >>> run(argparse.Namespace(spec="mf:n1=5,k=1,n2=5", vary=["k=1..4"], target="random", degree=3, seed=0,
    ...                        table=False, format="text"))
    data           4 of 4 table entries certified (used)
    conjecture     -k*(k - 10)   [polynomial]
    latex          - k \\left(k - 10\\right)
    held out       k=4: 1 point(s), all agree
    theory         agrees with r*(n1 + n2 - r) on the grid
    0
    """
    from rankstrat.numerics.discovery.conjecture_table import conjecture_report, size_names

    if not args.vary:
        raise InputError("conjecture: give at least one --vary NAME=RANGE (e.g. --vary k=1..6)")
    if not 0 <= args.degree <= 6:
        raise InputError(f"--degree must be between 0 and 6, got {args.degree}")
    spec = parse_spec(args.spec)
    limit = memory_limit(args)
    for sizes in parse_size_grid(args.vary, size_names(spec)):
        check_request(spec.replace(**sizes), None, limit)
    report = conjecture_report(spec, args.vary, args.target, args.seed, args.degree)
    c = report.conjecture
    if args.format == "json":  # one JSON object, nothing else on stdout
        print(to_json({
            "spec": str(spec), "names": list(report.names), "usable": report.usable, "entries": len(report.rows),
            "conjecture": None if c.expr is None else str(c.expr), "regime": c.regime,
            "latex": None if c.expr is None else c.latex(), "held_out": len(c.held_out or []),
            "failures": [{"sizes": dict(zip(report.names, p)), "formula": str(f), "measured": m}
                         for p, f, m in c.failures],
            "theory": None if report.theory is None else str(report.theory), "theory_agrees": report.theory_agrees,
            "verified": bool(c.verified), "rows": report.rows if args.table else None,
        }))
        return 0 if c.expr is not None and c.verified else 1
    if args.table:
        rows = [{**dict(zip(report.names, r["sizes"])), "rank": r["rank"], "certainty": r["certainty"]}
                for r in report.rows]
        from rankstrat.cases.provenance import provenance

        record = provenance(spec, args.seed, target=args.target, vary=args.vary, degree=args.degree)
        print(format_rows(rows, [*report.names, "rank", "certainty"], args.format, provenance=record))
    print(f"data           {report.usable} of {len(report.rows)} table entries certified (used)")
    if c.expr is None:
        print("conjecture     none: no polynomial of degree <= "
              f"{args.degree}, nor a min/piecewise pair of them, fits the data")
        return 1
    print(f"conjecture     {c.expr}   [{c.regime}]")
    print(f"latex          {c.latex()}")
    largest = ", ".join(f"{n}={v}" for n, v in c.held_sizes.items())
    if not c.held_out:
        print("held out       none (each size needs two values or more)")
    elif c.failures:
        shown = "; ".join(f"{dict(zip(report.names, p))}: formula {f}, measured {m}" for p, f, m in c.failures[:3])
        print(f"held out       {largest}: {len(c.held_out)} point(s), {len(c.failures)} DISAGREE ({shown})")
    else:
        print(f"held out       {largest}: {len(c.held_out)} point(s), all agree")
    if report.theory is None:
        print("theory         no closed form stated for this model")
    else:
        word = "agrees with" if report.theory_agrees else "DISAGREES with"
        print(f"theory         {word} {report.theory} on the grid")
    return 0 if c.verified else 1
