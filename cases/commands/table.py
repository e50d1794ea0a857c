"""``rankstrat table SPEC [SPEC ...] --vary KEY=RANGE``: rank versus sizes, closed form against measurement."""

from __future__ import annotations

import argparse
import itertools
import math
import sys

from rankstrat.cases.options import add_max_memory, add_seed, memory_limit
from rankstrat.cases.report import FORMATS, format_rows, write_rows
from rankstrat.numerics.model.targets import accepted_targets
from rankstrat.numerics.output_paths import prepare_output_path
from rankstrat.numerics.progress import Progress
from rankstrat.numerics.rank.table import compare_table
from rankstrat.numerics.resources import check_request
from rankstrat.theory.spec import parse_spec
from rankstrat.theory.values import FORM, parse_assignments

NAME = "table"
HELP = "table of parameter count, closed-form and measured model rank over a grid of sizes"
EXAMPLE = 'rankstrat table twolayer:d=3,k=1 --vary k=1..6:2 --target neurons=1   (or a model file net.py)'
EXIT_ONE = 'exit 1: a row where the measured rank disagrees with the closed form'
COLUMNS = ["architecture", "params_formula", "params", "rank_formula", "closed_form",
           "measured", "certainty", "optimistic", "ratio", "agreement"]
MATH_COLUMNS = ["params_formula", "rank_formula"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``rankstrat table``.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> p.parse_args(["mf:n1=2,k=2,n2=2", "--vary", "k=1..2", "--vary", "n1=2,3"]).vary
    ['k=1..2', 'n1=2,3']
    >>> p.parse_args(["mf:n1=2,k=2,n2=2", "twolayer:d=2,k=2"]).spec
    ['mf:n1=2,k=2,n2=2', 'twolayer:d=2,k=2']
    """
    parser.add_argument("spec", nargs="+",
                        help="architecture(s): FAMILY:key=value,..., a .toml file, or a model file FILE.py / FILE.toml "
                        "with optional sizes (net.py:d=4,k=2); several share one table and plot")
    parser.add_argument("--vary", action="append", default=[], metavar="KEY=VALUES",
                        help=f"size to vary: {FORM} (repeatable: a product grid)")
    parser.add_argument("--target", default="random",
                        help=f"the point: {accepted_targets()}; sizes too small for it are skipped with a note")
    parser.add_argument("--with-fully-connected", action="store_true",
                        help="cnn: add the fully connected counterpart at the same target")
    parser.add_argument("--format", default="text", choices=FORMATS, help="table format (default text)")
    parser.add_argument("--out", metavar="FILE",
                        help="also write the table with its provenance (.json, .csv, .tex, .md, else text)")
    parser.add_argument("--plot", metavar="FILE",
                        help="draw parameters and rank vs the first varied size; the extension picks the format")
    add_seed(parser, "the target, the random point and the inputs")
    parser.add_argument("--no-certify", action="store_true", help="skip proven bounds")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar and no summary line")
    add_max_memory(parser)


def run(args: argparse.Namespace) -> int:
    """Build, print (and write, and plot) the table; 1 when a row disagrees.

    Examples
    --------
    >>> ns = argparse.Namespace(spec=["twolayer:d=2,k=1"], vary=["k=1..2"], target="neurons=1",
    ...     with_fully_connected=False, format="csv", out=None, plot=None, seed=0, no_certify=False,
    ...     no_progress=True)
    >>> run(ns)  # doctest: +ELLIPSIS
    # rankstrat_version: ...
    # git_commit: ...
    # spec: twolayer:d=2,k=1,act=tanh,bias=0
    # seed: 0
    # date: ...
    # target: neurons=1
    # vary: k=1..2
    # skipped: -
    k,architecture,params_formula,params,rank_formula,closed_form,measured,certainty,optimistic,ratio,agreement
    1,twolayer,k*(d + 1),3,kstar*(d + 1),3,3,certified,3,1,agree
    2,twolayer,k*(d + 1),6,kstar*(d + 1),3,3,certified,3,0.5,agree
    0
    """
    from rankstrat.cases.provenance import provenance

    specs = [parse_spec(text) for text in args.spec]
    vary = parse_assignments(args.vary, "--vary")
    if args.plot is not None:
        from rankstrat.numerics.figures import check_figure_path

        check_figure_path(args.plot)
    if args.out is not None:
        prepare_output_path(args.out, "--out")
    limit = memory_limit(args)
    for spec in specs:
        for combo in itertools.product(*vary.values()):
            check_request(spec.replace(**dict(zip(vary, combo))) if vary else spec, None, limit)
    skipped = []

    def skip(sizes: dict, reason: str) -> None:
        setting = ",".join(f"{key}={value}" for key, value in sizes.items())
        skipped.append(setting)
        print(f"note: {setting} skipped: {reason}", file=sys.stderr)

    total = len(specs) * math.prod(len(values) for values in vary.values())
    bar = Progress(total=total, desc="table", unit="size", enabled=not args.no_progress)
    rows = compare_table(specs, vary, args.target, with_fully_connected=args.with_fully_connected,
                         seed=args.seed, certify=not args.no_certify, on_skip=skip,
                         progress=lambda items: _counted(items, bar))
    bar.close()
    record = provenance(specs if len(specs) > 1 else specs[0], args.seed, target=args.target,
                        vary=args.vary, skipped=skipped or None)
    columns = list(vary) + COLUMNS
    print(format_rows(rows, columns, args.format, provenance=record, math_columns=MATH_COLUMNS))
    for row in rows:
        if row["warnings"]:
            print(f"warning ({row['spec']}): {row['warnings']}", file=sys.stderr)
    if args.out:
        print(f"table: {write_rows(args.out, rows, columns, record, MATH_COLUMNS)}", file=sys.stderr)
    if args.plot:
        from rankstrat.numerics.rank.table_plots import figure_title, plot_rank_table

        path = plot_rank_table(rows, next(iter(vary), None), args.plot, figure_title(specs, args.target))
        print(f"figure: {path}", file=sys.stderr)
    return 1 if any(row["agreement"] == "DISAGREE" for row in rows) else 0


def _counted(items, bar: Progress):
    for item in items:
        yield item
        bar.update()
