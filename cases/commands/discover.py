"""``rankstrat discover SPEC|MODEL``: strata found from the model's structure,
with rank, certainty and measured dimension, their poset by closure, and the
comparison with the hand-derived strata."""

from __future__ import annotations

import argparse

from rankstrat.cases.options import add_max_memory, add_seed, memory_limit
from rankstrat.cases.report import FORMATS, format_rows
from rankstrat.numerics.output_paths import prepare_output_path
from rankstrat.numerics.resources import check_request
from rankstrat.theory.errors import InputError
from rankstrat.theory.spec import parse_spec
from rankstrat.theory.values import positive_type

NAME = "discover"
HELP = "discover the rank strata from the model's structure: ranks, dimensions, closure poset (JSON, Hasse figure)"
EXAMPLE = "rankstrat discover mf:n1=3,k=2,n2=3 --json poset.json --figure hasse.png"
EXIT_ONE = "exit 1: a hand-derived stratum was not discovered"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``rankstrat discover``.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> p.parse_args(["mf:n1=2,k=1,n2=2", "--json", "out.json"]).json
    'out.json'
    """
    parser.add_argument("spec", help="FAMILY:key=value,... or a model file (FILE.py, FILE.toml)")
    add_seed(parser, "the point measured in each degeneration")
    parser.add_argument("--no-certify", action="store_true", help="skip proven bounds (faster)")
    parser.add_argument("--max", type=positive_type("--max"), default=2000, metavar="N",
                        help="most degenerations to measure (default 2000)")
    add_max_memory(parser)
    parser.add_argument("--json", metavar="FILE", help="write the poset (nodes and Hasse edges) as JSON")
    parser.add_argument("--figure", metavar="FILE", help="draw the Hasse diagram; the extension picks the format")
    parser.add_argument("--format", default="text", choices=FORMATS, help="table format (default text)")


def run(args: argparse.Namespace) -> int:
    """Print the discovered strata; exit 1 when a hand-derived stratum is not found.

    Examples
    --------
    >>> run(argparse.Namespace(spec="mf:n1=2,k=1,n2=2", seed=0, no_certify=False, max=100, json=None,
    ...                        figure=None, format="csv"))  # doctest: +ELLIPSIS
    # rankstrat_version: ...
    id,stratum,rank,certainty,dimension,pieces
    0,"rank A = 0, rank B = 0",0,certified,0,1
    ...
    hand-derived strata: 4 stated, 4 discovered, 4 matched; exact
    0
    """
    from rankstrat.numerics.discovery.degenerations import unit_permutations
    from rankstrat.numerics.discovery.poset import closure_graph, draw_hasse, hasse, poset_json
    from rankstrat.numerics.discovery.strata_search import compare_with_theory, discover_strata

    if args.max < 1:
        raise InputError(f"--max must be a positive integer, got {args.max}")
    if args.json is not None:
        prepare_output_path(args.json, "--json")
    spec = parse_spec(args.spec)
    if args.figure is not None:
        from rankstrat.numerics.figures import check_figure_path

        check_figure_path(args.figure, "--figure")
    check_request(spec, None, memory_limit(args))
    from rankstrat.cases.provenance import provenance

    record = provenance(spec, args.seed, max=args.max)
    try:
        strata = discover_strata(spec, args.seed, certify=not args.no_certify, max_count=args.max)
    except ValueError as exc:
        raise InputError(f"{spec}: {exc} (--max)") from None
    graph = closure_graph(strata, unit_permutations(spec))
    rows = [{"id": i, **{k: v for k, v in s.as_dict().items() if k != "profile"}} for i, s in enumerate(strata)]
    print(format_rows(rows, ["id", "stratum", "rank", "certainty", "dimension", "pieces"], args.format,
                      provenance=record))
    comparison = compare_with_theory(spec, strata)
    edges = sorted(hasse(graph).edges)
    if args.format in ("text", "md", "csv"):
        print(f"closure (Hasse) edges: {' '.join(f'{a}<{b}' for a, b in edges) or '(none)'}")
        if comparison["stated"]:
            verdict = "exact" if comparison["exact"] else (
                "every stated stratum found" if not comparison["missing"] else "MISSING " + str(comparison["missing"]))
            extra = f"; not stated (rank, dim): {comparison['extra']}" if comparison["extra"] else ""
            print(f"hand-derived strata: {comparison['stated']} stated, {comparison['discovered']} discovered, "
                  f"{comparison['matched']} matched; {verdict}{extra}")
        else:
            print("hand-derived strata: none stated for this model")
    if args.json:
        with open(args.json, "w") as handle:
            handle.write(poset_json(graph, {"spec": str(spec), "comparison": comparison, "provenance": record}))
    if args.figure:
        draw_hasse(graph, args.figure, title=f"strata of {spec}")
    return 1 if comparison["missing"] else 0
