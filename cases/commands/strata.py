"""``rankstrat strata SPEC [--verify]``: the strata with dimension and model rank."""

from __future__ import annotations

import argparse

from rankstrat.cases.options import add_max_memory, add_seed, memory_limit
from rankstrat.cases.report import FORMATS, format_rows
from rankstrat.numerics.resources import MAX_STRATA, check_request, strata_count
from rankstrat.theory.errors import ResourceError
from rankstrat.theory.rank.stratum import list_strata, strata_note
from rankstrat.theory.spec import parse_spec

NAME = "strata"
HELP = "list the rank strata of an architecture (dimension, rank); --verify checks each numerically"


EXAMPLE = 'rankstrat strata mf:n1=3,k=2,n2=3 --verify'
EXIT_ONE = 'exit 1: with --verify, a stratum whose measured rank or dimension disagrees with its formula'
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``rankstrat strata``.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> p.parse_args(["mf:n1=2,k=2,n2=2", "--verify"]).verify
    True
    """
    parser.add_argument("spec", help="FAMILY:key=value,... or a .toml file")
    add_max_memory(parser)
    parser.add_argument("--verify", action="store_true", help="measure rank and dimension at a point of each stratum")
    add_seed(parser, "the point drawn in each stratum (with --verify)")
    parser.add_argument("--format", default="text", choices=FORMATS, help="table format (default text)")


def run(args: argparse.Namespace) -> int:
    """Print the strata; with ``--verify`` exit 1 when any stratum disagrees.

    Examples
    --------
    >>> run(argparse.Namespace(spec="mf:n1=2,k=1,n2=2", verify=True, seed=0, format="csv"))  # doctest: +ELLIPSIS
    # rankstrat_version: ...
    # git_commit: ...
    # spec: mf:n1=2,k=1,n2=2,depth=2
    # seed: 0
    # date: ...
    stratum,dimension_formula,dimension,measured_dimension,rank_formula,rank,measured_rank,certainty,agreement
    "rank A = 0, rank B = 0",...,0,0,...,0,0,...,agree
    ...
    0
    """
    spec = parse_spec(args.spec)
    count = strata_count(spec)
    if count > MAX_STRATA:
        raise ResourceError(f"{spec} has about {count} strata, more than the {MAX_STRATA} listed in one call; "
                            "use smaller sizes")
    if args.verify:
        check_request(spec, None, memory_limit(args))
    strata = list_strata(spec)
    note = strata_note(spec)
    if not strata:
        print(f"{spec}: no strata listed. {note}")
        return 0
    if args.verify:
        from rankstrat.numerics.rank.strata_check import verify_strata

        rows = [check.as_dict() for check in verify_strata(spec, args.seed)]
        columns = ["stratum", "dimension_formula", "dimension", "measured_dimension",
                   "rank_formula", "rank", "measured_rank", "certainty", "agreement"]
    else:
        rows = [{"stratum": s.name, "dimension_formula": s.dimension.formula, "dimension": s.dimension.value,
                 "rank_formula": s.rank.formula, "rank": s.rank.value} for s in strata]
        columns = ["stratum", "dimension_formula", "dimension", "rank_formula", "rank"]
    from rankstrat.cases.provenance import provenance

    record = provenance(spec, args.seed if args.verify else None)
    print(format_rows(rows, columns, args.format, provenance=record, math_columns=["dimension_formula", "rank_formula"]))
    if note and args.format in ("text", "md"):
        print(f"\nnote: {note}")
    return 1 if any(row.get("agreement") == "DISAGREE" for row in rows) else 0
