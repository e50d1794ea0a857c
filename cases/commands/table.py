"""``rankstrat table SPEC --vary KEY=RANGE``: rank versus sizes, closed form against measurement."""

from __future__ import annotations

import argparse
import itertools
import sys

from tqdm import tqdm

from rankstrat.cases.options import add_max_memory, add_seed, memory_limit
from rankstrat.cases.report import FORMATS, format_rows
from rankstrat.numerics.model.targets import accepted_targets
from rankstrat.numerics.output_paths import prepare_output_path
from rankstrat.numerics.rank.table import rank_table
from rankstrat.numerics.resources import check_request
from rankstrat.theory.spec import parse_spec
from rankstrat.theory.values import FORM, parse_assignments

NAME = "table"
HELP = "table of parameter count, closed-form and measured model rank over a grid of sizes"
EXAMPLE = 'rankstrat table twolayer:d=3,k=1 --vary k=1..6:2 --target neurons=1   (or a model file net.py)'
EXIT_ONE = 'exit 1: a row where the measured rank disagrees with the closed form'
COLUMNS = ["architecture", "params_formula", "params", "rank_formula", "closed_form",
           "measured", "certainty", "optimistic", "ratio", "agreement"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``rankstrat table``.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> p.parse_args(["mf:n1=2,k=2,n2=2", "--vary", "k=1..2", "--vary", "n1=2,3"]).vary
    ['k=1..2', 'n1=2,3']
    """
    parser.add_argument("spec", help="base architecture: FAMILY:key=value,..., a .toml file, or a model file "
                        "FILE.py / FILE.toml with optional sizes (net.py:d=4,k=2)")
    parser.add_argument("--vary", action="append", default=[], metavar="KEY=VALUES",
                        help=f"size to vary: {FORM} (repeatable: a product grid)")
    parser.add_argument("--target", default="random", help=f"the point: {accepted_targets()}")
    parser.add_argument("--with-fully-connected", action="store_true",
                        help="cnn: add the fully connected counterpart at the same target")
    parser.add_argument("--format", default="text", choices=FORMATS, help="table format (default text)")
    parser.add_argument("--plot", metavar="FILE", help="draw parameters and rank vs the first varied size (PNG and SVG)")
    add_seed(parser, "the target, the random point and the inputs")
    parser.add_argument("--no-certify", action="store_true", help="skip proven bounds")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    add_max_memory(parser)


def run(args: argparse.Namespace) -> int:
    """Build, print (and plot) the table; 1 when a row disagrees.

    Examples
    --------
    >>> ns = argparse.Namespace(spec="twolayer:d=2,k=1", vary=["k=1..2"], target="neurons=1",
    ...     with_fully_connected=False, format="csv", plot=None, seed=0, no_certify=False, no_progress=True)
    >>> run(ns)  # doctest: +ELLIPSIS
    k,architecture,params_formula,params,rank_formula,closed_form,measured,certainty,optimistic,ratio,agreement
    1,twolayer,k*(d + 1),3,kstar*(d + 1),3,3,certified,3,1,agree
    2,twolayer,k*(d + 1),6,kstar*(d + 1),3,3,certified,3,0.5,agree
    0
    """
    spec = parse_spec(args.spec)
    vary = parse_assignments(args.vary, "--vary")
    if args.plot:
        prepare_output_path(args.plot, "--plot")
    limit = memory_limit(args)
    for combo in itertools.product(*vary.values()):
        check_request(spec.replace(**dict(zip(vary, combo))) if vary else spec, None, limit)
    wrap = lambda items: tqdm(items, desc="sizes", file=sys.stderr, disable=args.no_progress)
    rows = rank_table(spec, vary, args.target, args.with_fully_connected, args.seed,
                      certify=not args.no_certify, progress=wrap)
    print(format_rows(rows, list(vary) + COLUMNS, args.format))
    for row in rows:
        if row["warnings"]:
            print(f"warning ({row['spec']}): {row['warnings']}", file=sys.stderr)
    if args.plot:
        from rankstrat.numerics.rank.table_plots import plot_rank_table

        files = plot_rank_table(rows, next(iter(vary), None), args.plot)
        print(f"figure: {', '.join(files)}", file=sys.stderr)
    return 1 if any(row["agreement"] == "DISAGREE" for row in rows) else 0
