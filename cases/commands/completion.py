"""``rankstrat completion FILE|--example NAME``: observation graph, observed-entry
rank and determined entries of a partially observed matrix; optionally what
small-initialization training completes (``--train``, ``--init-sweep``), and the
reproduction of the connectivity experiments with their figures (``--figures``)."""

from __future__ import annotations

import argparse
import math
import os

import numpy as np

from rankstrat.cases.options import add_seed
from rankstrat.cases.provenance import provenance
from rankstrat.cases.report import to_json
from rankstrat.numerics.completion.example_matrices import EXAMPLES, example_matrix
from rankstrat.numerics.completion.observed_matrix import read_partial_matrix
from rankstrat.numerics.completion.observed_rank import determined_entries, observed_jacobian_rank
from rankstrat.numerics.completion.reference_completions import (
    completions_per_component,
    lowest_rank_completion,
    nuclear_norm_completion,
)
from rankstrat.numerics.figures import check_figure_path
from rankstrat.numerics.output_paths import prepare_folder
from rankstrat.theory.completion.observation_graph import graph_summary
from rankstrat.theory.errors import InputError
from rankstrat.theory.values import argument_type, positive_type

NAME = "completion"
HELP = "observation graph, observed-entry Jacobian rank and determined entries of a partially observed matrix"

EXAMPLE = 'rankstrat completion --example M1 --rank 1 --plot graph.png'
EXIT_ONE = 'exit 1: never (the report is the result); 2 bad input'
FIGURE_GRAPHS = ("M1", "M1-plus-r3c2", "M1-blocks", "rank1-10x10-connected", "rank1-10x10-disconnected")
FIGURE_SWEEPS = (("M4", 20, 0.05), ("M5", 34, 0.02))
"""(example, lowest variance exponent, step size) of the init sweeps drawn by ``--figures``."""
FIGURE_RECOVERY_VARIANCES = (1e-30, 1e-60, 1e-90, 1e-120, 1e-200)
MAX_WIDTH = 10_000
"""Largest inner dimension of a trained ``A B``."""
MAX_DOWN_TO = 300
"""Smallest init variance exponent of ``--init-sweep`` (``1e-300``; float64 underflows near ``1e-308``)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``rankstrat completion``.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> p.parse_args(["--example", "M1", "--rank", "1"]).example
    'M1'
    >>> p.parse_args(["--example", "M4", "--init-sweep", "--down-to", "12"]).down_to
    12
    """
    parser.add_argument(
        "file", nargs="?",
        help="text file: one row per line, numbers separated by spaces or commas, ? or * for a missing "
        "entry (or a .npy array with NaN)",
    )
    parser.add_argument("--example", metavar="NAME", help=f"a built-in matrix: {', '.join(EXAMPLES)}")
    parser.add_argument("--list-examples", action="store_true", help="list the built-in matrices and exit")
    parser.add_argument("--rank", type=positive_type("--rank"), default=1, metavar="R",
                        help="target rank r of the generic point (default 1)")
    parser.add_argument("--k", type=positive_type("--k"), default=None, metavar="K",
                        help="inner dimension of A B for the rank (default r)")
    add_seed(parser, "the first generic point")
    parser.add_argument("--no-certify", action="store_true", help="skip the proven lower bound (faster on large matrices)")
    parser.add_argument("--completions", action="store_true",
                        help="also compute the lowest-rank and least nuclear-norm completions, whole and per component")
    parser.add_argument("--plot", metavar="PNG", help="draw the observation graph to this file")
    parser.add_argument("--json", action="store_true", help="print one JSON object (indices 0-based)")
    training = parser.add_argument_group("training (small-initialization gradient descent on the observed entries)")
    training.add_argument("--train", action="store_true",
                          help="train A B on the observed entries and compare with the lowest-rank and "
                          "least nuclear-norm completions")
    training.add_argument("--init-sweep", action="store_true",
                          help="learned value of one missing entry against the init variance 1e-1 ... 1e-DOWN_TO")
    training.add_argument("--figures", metavar="DIR",
                          help="reproduce the connectivity experiments (M1 family, M4/M5 sweeps, 10x10 masks) "
                          "and draw their figures into DIR; no matrix needed (minutes)")
    training.add_argument("--seeds", type=argument_type("--seeds", 1, 10_000), default=8, metavar="N",
                          help="seeds per configuration (1 to 10000, default 8)")
    training.add_argument("--init-variance", type=float, default=1e-20, metavar="V",
                          help="initialization variance for --train (default 1e-20)")
    training.add_argument("--lr", type=float, default=0.02, help="gradient-descent step size (default 0.02)")
    training.add_argument("--max-steps", type=argument_type("--max-steps", 1, 10**9), default=200_000, metavar="N",
                          help="steps per run at most (1 to 1e9, default 200000)")
    training.add_argument("--width", type=argument_type("--width", 1, MAX_WIDTH), default=None,
                          help=f"inner dimension of the trained A B (1 to {MAX_WIDTH}, default max(n1, n2))")
    training.add_argument("--entry", metavar="I,J",
                          help="missing entry for --init-sweep, 1-based (default the first missing one)")
    training.add_argument("--down-to", type=argument_type("--down-to", 1, MAX_DOWN_TO), default=30, metavar="E",
                          help=f"--init-sweep goes down to variance 1e-E (1 to {MAX_DOWN_TO}, default 30)")
    training.add_argument("--figure", metavar="PNG", help="draw the --init-sweep curve to this file")


def check_training_options(args: argparse.Namespace) -> None:
    """Reject non-positive training options before any work.

    Raises
    ------
    InputError

    Examples
    --------
    >>> check_training_options(argparse.Namespace(seeds=0, init_variance=1e-20, lr=0.1, max_steps=10,
    ...                                           width=None, down_to=30))
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --seeds must be a positive integer, got 0
    """
    for name, value in (("--seeds", args.seeds), ("--max-steps", args.max_steps), ("--down-to", args.down_to)):
        if value < 1:
            raise InputError(f"{name} must be a positive integer, got {value}")
    if args.width is not None and args.width < 1:
        raise InputError(f"--width must be a positive integer, got {args.width}")
    for name, value in (("--init-variance", args.init_variance), ("--lr", args.lr)):
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"{name} must be a positive number, got {value}")


def check_option_scope(args: argparse.Namespace) -> None:
    """Refuse options that the chosen work would silently ignore.

    Raises
    ------
    InputError

    Examples
    --------
    >>> check_option_scope(argparse.Namespace(file=None, example="M4", figures=None, entry="2,2", figure=None,
    ...                                       width=None, init_sweep=False, train=False))
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --entry is used by --init-sweep only; add --init-sweep or drop --entry
    """
    if getattr(args, "figures", None) is not None and (args.file is not None or args.example is not None):
        raise InputError("--figures reproduces the built-in experiments and reads no matrix; "
                         "drop FILE / --example, or drop --figures")
    if args.file is not None and args.example is not None:
        raise InputError("FILE and --example both name the matrix; give one of them")
    for option, value in (("--entry", getattr(args, "entry", None)), ("--figure", getattr(args, "figure", None))):
        if value is not None and not getattr(args, "init_sweep", False):
            raise InputError(f"{option} is used by --init-sweep only; add --init-sweep or drop {option}")
    if getattr(args, "width", None) is not None and not (getattr(args, "train", False)
                                                         or getattr(args, "init_sweep", False)):
        raise InputError("--width is the inner dimension of the trained A B; add --train or --init-sweep, "
                         "or drop --width")


def load_matrix(args: argparse.Namespace):
    """The matrix named by ``FILE`` or ``--example`` (exactly one of them).

    Raises
    ------
    InputError
        When both or neither are given.

    Examples
    --------
    >>> load_matrix(argparse.Namespace(file=None, example="M4")).shape
    (2, 2)
    >>> load_matrix(argparse.Namespace(file=None, example=None))
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: give a matrix FILE or --example NAME (see --list-examples)
    """
    if (args.file is None) == (args.example is None):
        raise InputError("give a matrix FILE or --example NAME (see --list-examples)")
    return read_partial_matrix(args.file) if args.file is not None else example_matrix(args.example)


def check_rank(args: argparse.Namespace, shape: tuple) -> None:
    """``--rank`` (and ``--k``) against the matrix: ``1 <= r <= min(n1, n2, k)``.

    Raises
    ------
    InputError
        Naming the value, the bound and where it comes from.

    Examples
    --------
    >>> check_rank(argparse.Namespace(rank=4, k=None), (3, 5))
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --rank 4: expected an integer from 1 to min(n1, n2) = 3 for this 3 x 5 matrix
    >>> check_rank(argparse.Namespace(rank=2, k=1), (3, 5))
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --rank 2: expected an integer from 1 to min(n1, n2, k) = 1 for this 3 x 5 matrix with --k 1
    """
    n1, n2 = shape
    if args.k is None:
        if not 1 <= args.rank <= min(n1, n2):
            raise InputError(f"--rank {args.rank}: expected an integer from 1 to min(n1, n2) = {min(n1, n2)} "
                             f"for this {n1} x {n2} matrix")
    elif not 1 <= args.rank <= min(n1, n2, args.k):
        raise InputError(f"--rank {args.rank}: expected an integer from 1 to min(n1, n2, k) = "
                         f"{min(n1, n2, args.k)} for this {n1} x {n2} matrix with --k {args.k}")


def parse_entry(text: str | None, partial) -> tuple:
    """The 0-based entry named by ``--entry I,J`` (1-based), or the first missing one.

    Raises
    ------
    InputError
        For text that is not ``I,J``, an entry outside the matrix, or an observed one.

    Examples
    --------
    >>> M4 = example_matrix("M4")
    >>> parse_entry(None, M4), parse_entry("2,2", M4)
    ((1, 1), (1, 1))
    >>> parse_entry("1,1", M4)
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --entry 1,1 is observed; choose a missing entry
    """
    if text is None:
        missing = np.argwhere(~partial.mask)
        if not len(missing):
            raise InputError("--init-sweep: every entry is observed; nothing to complete")
        return tuple(int(v) for v in missing[0])
    try:
        i, j = (int(part) for part in text.split(","))
    except ValueError:
        raise InputError(f"--entry must be I,J (1-based row and column), got {text!r}") from None
    n1, n2 = partial.shape
    if not (1 <= i <= n1 and 1 <= j <= n2):
        raise InputError(f"--entry {text} is outside the {n1} x {n2} matrix")
    if partial.mask[i - 1, j - 1]:
        raise InputError(f"--entry {text} is observed; choose a missing entry")
    return i - 1, j - 1


def pattern_rows(determined: np.ndarray, mask: np.ndarray) -> list[str]:
    """Rows of ``o`` (observed), ``d`` (determined) and ``?`` (free).

    Examples
    --------
    >>> pattern_rows(np.array([[1, 1], [1, 0]], bool), np.array([[1, 0], [1, 0]], bool))
    ['o d', 'o ?']
    """
    symbol = np.where(mask, "o", np.where(determined, "d", "?"))
    return [" ".join(row) for row in symbol]


def matrix_rows(matrix) -> list[str]:
    """A matrix as aligned text rows; values below ``1e-9`` of the largest print as 0.

    Examples
    --------
    >>> matrix_rows([[1.0, 2e-17], [3.0, 40.5]])
    ['   1    0', '   3 40.5']
    """
    matrix = np.asarray(matrix, dtype=float)
    top = float(np.abs(matrix).max()) if matrix.size else 0.0
    matrix = np.where(np.abs(matrix) < 1e-9 * top, 0.0, matrix)
    cells = [[f"{v:.6g}" for v in row] for row in matrix]
    width = max(len(c) for row in cells for c in row)
    return [" ".join(c.rjust(width) for c in row) for row in cells]


# ---------------------------------------------------------------------------- sections: (payload, lines)


def _graph_section(partial, args) -> tuple[dict, list]:
    graph = partial.graph()
    summary = graph_summary(graph)
    observed = observed_jacobian_rank(partial.mask, args.rank, k=args.k, seed=args.seed,
                                      certify=not getattr(args, "no_certify", False))
    determined = determined_entries(partial.mask, args.rank, k=args.k, seed=args.seed)
    plot = None
    if args.plot:
        from rankstrat.numerics.completion.plots import draw_observation_graph

        plot = draw_observation_graph(graph, args.plot, title=partial.source.split(":")[0])
    payload = {
        "source": partial.source,
        "values": [[None if math.isnan(v) else v for v in row] for row in partial.values],
        **summary,
        **{key: value for key, value in observed.as_dict().items() if key != "engine"},
        "rank_result": observed.result.as_dict(),
        "determined": determined.determined.tolist(),
        "undetermined": determined.undetermined(),
        "plot": plot,
    }
    lines = [("matrix", partial.source)] + [("", row) for row in partial.to_text().splitlines()]
    n1, n2 = partial.shape
    lines.append(("shape", f"{n1} x {n2}, {summary['num_observed']} observed"))
    count = summary["num_components"]
    lines.append(("graph", f"{'connected' if summary['connected'] else 'disconnected'}, "
                           f"{count} component{'s' if count != 1 else ''}"))
    for n, component in enumerate(summary["components"], start=1):
        complete = "complete bipartite" if component["complete_bipartite"] else "not complete bipartite"
        label = "{" + ",".join(component["nodes"]) + "}"
        lines.append((f"component {n}", f"{label}: {component['num_edges']} observed, {complete}"))
    if summary["unobserved_rows"] or summary["unobserved_columns"]:
        rows = ", ".join(f"r{i + 1}" for i in summary["unobserved_rows"]) or "-"
        cols = ", ".join(f"c{j + 1}" for j in summary["unobserved_columns"]) or "-"
        lines.append(("never observed", f"rows {rows}; columns {cols} (dropped from the graph)"))
    lines += _rank_lines(observed)
    pattern = pattern_rows(determined.determined, partial.mask)
    lines.append(("determined", pattern[0]))
    lines += [("", row) for row in pattern[1:]]
    free = determined.undetermined()
    lines.append(("", "o observed, d determined, ? free: " + (f"{len(free)} free entries" if free else "all determined")))
    if plot:
        lines.append(("plot", plot))
    lines += [("warning", warning) for warning in observed.result.warnings]
    return payload, lines


def _rank_lines(observed) -> list:
    result, r = observed.result, observed.target_rank
    lines = [("target rank", f"{r} ({observed.spec})")]
    gap = "inf" if math.isinf(result.gap) else f"{result.gap:.3g}"
    bounds = []
    if result.lower_bound is not None:
        bounds.append(f"proven >= {result.lower_bound}")
    if result.upper_bound is not None:
        bounds.append(f"proven <= {result.upper_bound}")
    rank_text = "undecided" if observed.rank is None else str(observed.rank)
    lines.append(("jacobian rank", f"{rank_text} ({result.certainty}, gap {gap}; {', '.join(bounds) or 'no bounds'})"))
    if observed.locally_unique:
        verdict = f"equal: finitely many rank-{r} completions (locally unique)"
    elif observed.locally_unique is False:
        verdict = f"observations pin down fewer: infinitely many rank-{r} completions"
    else:
        verdict = "not compared (rank undecided)"
    lines.append(("r(n1+n2-r)", f"{observed.manifold_dim.value}: {verdict}"))
    if observed.rank_one_count is not None:
        sizes = observed.rank_one_count.sizes
        agree = "agrees" if observed.rank == observed.rank_one_count.value else "DISAGREES"
        lines.append(("graph count", f"V - C = {sizes['V']} - {sizes['C']} = {observed.rank_one_count.value} ({agree})"))
    else:
        lines.append(("graph bound", f"{observed.graph_bound} (sum over components of min(edges, sub-factorization rank))"))
    return lines


def _completions_section(partial) -> tuple[dict, list]:
    lowest = lowest_rank_completion(partial)
    nuclear = nuclear_norm_completion(partial)
    blocks = completions_per_component(partial)
    payload = {
        "lowest_rank": {
            "rank": lowest.rank, "proven": lowest.proven, "lower_bound": lowest.lower_bound,
            "method": lowest.method, "max_residual": lowest.max_residual, "matrix": lowest.matrix.tolist(),
            "unique_within_components": lowest.unique_within_components,
        },
        "nuclear_norm": {
            "value": nuclear.nuclear_norm, "solver": nuclear.solver, "status": nuclear.status,
            "max_violation": nuclear.max_violation, "matrix": nuclear.matrix.tolist(),
        },
        "components": [
            {**block.component.as_dict(), "lowest_rank": block.lowest_rank.rank,
             "lowest_rank_completion": block.lowest_rank.matrix.tolist(),
             "nuclear_norm": block.nuclear.nuclear_norm, "nuclear_norm_completion": block.nuclear.matrix.tolist()}
            for block in blocks
        ],
    }
    proof = "proven lowest" if lowest.proven else f"lowest >= {lowest.lower_bound}"
    lines = [("lowest rank", f"{lowest.rank} ({proof}; {lowest.method})")]
    lines += [("", row) for row in matrix_rows(lowest.matrix)]
    lines.append(("nuclear norm", f"{nuclear.nuclear_norm:.6g} ({nuclear.solver}, {nuclear.status})"))
    lines += [("", row) for row in matrix_rows(nuclear.matrix)]
    for n, block in enumerate(blocks, start=1):
        lines.append((f"component {n}", f"lowest rank {block.lowest_rank.rank}, "
                                        f"least nuclear norm {block.nuclear.nuclear_norm:.6g}"))
    return payload, lines


def _train_section(partial, args) -> tuple[dict, list]:
    from rankstrat.numerics.completion.training import (
        RECOVERY_RTOL,
        compare_completion,
        completion_references,
        component_verdicts,
        train_completions,
    )

    run = train_completions([partial], k=args.width, seeds=range(args.seeds), init_std=math.sqrt(args.init_variance),
                            lr=args.lr, max_steps=args.max_steps)[0]
    refs = completion_references(partial)
    comparisons = [compare_completion(partial, p, refs) for p, ok in zip(run.products, run.converged) if ok]
    verdicts = {}
    for c in comparisons:
        verdicts[c.verdict] = verdicts.get(c.verdict, 0) + 1
    payload = {
        "width": run.k, "init_variance": args.init_variance, "lr": args.lr, "seeds": args.seeds,
        "converged": int(run.converged.sum()), "unconverged": int(run.unconverged.sum()),
        "diverged": int(run.diverged.sum()), "verdicts": verdicts,
        "runs": [c.as_dict() for c in comparisons],
    }
    lines = [("training", f"{args.seeds} seeds, width {run.k}, init variance {args.init_variance:g}, lr {args.lr:g}: "
                          f"{payload['converged']} converged, {payload['unconverged']} unconverged, "
                          f"{payload['diverged']} diverged")]
    if comparisons:
        median = np.median(run.products[run.converged], axis=0)
        payload["median_learned"] = median.tolist()
        lines.append(("learned", "median over converged runs"))
        lines += [("", row) for row in matrix_rows(median)]
        lines.append(("verdict", ", ".join(f"{name} {count}" for name, count in verdicts.items())))
        first = comparisons[0]
        proven = "proven" if first.lowest_rank_proven else "found"
        lines.append(("rank", f"learned {first.learned_rank} (seed {run.seeds[0]}), lowest {first.lowest_rank} ({proven})"))
        lines.append(("nuclear norm", f"learned {first.learned_nuclear:.6g}, least {first.least_nuclear:.6g}"))
        lines += [(f"component {n}", text) for n, text in enumerate(component_verdicts(first), start=1)]
    if partial.full is not None:
        error = np.linalg.norm(run.products - partial.full, axis=(1, 2)) / np.linalg.norm(partial.full)
        recovered = int(np.sum(run.converged & (error <= RECOVERY_RTOL)))
        payload["recovered"] = recovered
        lines.append(("recovered", f"{recovered}/{payload['converged']} converged runs (relative error <= {RECOVERY_RTOL:g})"))
    return payload, lines


def _sweep_section(partial, args) -> tuple[dict, list]:
    from rankstrat.numerics.completion.training import init_scale_sweep

    entry = parse_entry(args.entry, partial)
    variances = [10.0**-e for e in range(1, args.down_to + 1)]
    sweep = init_scale_sweep(partial, entry, variances, k=args.width, seeds=range(args.seeds), lr=args.lr,
                             max_steps=args.max_steps)
    payload, lines = _sweep_payload(sweep), []
    name = f"({entry[0] + 1},{entry[1] + 1})"
    lines.append(("init sweep", f"entry {name}, rank-1 completion {sweep.reference:.6g}; {args.seeds} seeds, lr {args.lr:g}"))
    lines.append(("", "variance   median     min        max        converged"))
    for v, row, ok in zip(sweep.variances, sweep.entries, sweep.converged):
        values = row[ok]
        stats = (np.median(values), values.min(), values.max()) if values.size else (math.nan,) * 3
        lines.append(("", f"{v:<10.0e} {stats[0]:<10.6g} {stats[1]:<10.6g} {stats[2]:<10.6g} {int(ok.sum())}/{len(ok)}"))
    for key, text in (("threshold_median_10pct", "median within 10%"), ("threshold_median_1pct", "median within 1%"),
                      ("threshold_all_1pct", "every seed within 1%")):
        value = payload[key]
        lines.append(("threshold", f"{'not reached' if value is None else f'{value:.0e}'} ({text})"))
    if args.figure:
        from rankstrat.numerics.completion.plots import plot_entry_against_init

        payload["figure"] = plot_entry_against_init(sweep.variances, sweep.entries, sweep.reference, args.figure,
                                                    title=f"{partial.source.split(':')[0]}: entry {name}")
        lines.append(("figure", payload["figure"]))
    return payload, lines


def _sweep_payload(sweep) -> dict:
    return {
        "entry": list(sweep.entry),
        "reference": sweep.reference,
        "variances": sweep.variances.tolist(),
        "entries": [[None if math.isnan(v) else float(v) for v in row] for row in sweep.entries],
        "threshold_median_10pct": sweep.threshold(0.1),
        "threshold_median_1pct": sweep.threshold(0.01),
        "threshold_all_1pct": sweep.threshold(0.01, "all"),
    }


def _print(lines) -> None:
    for key, value in lines:
        print(f"{key:<15} {value}".rstrip())


def run(args: argparse.Namespace) -> int:
    """Compute and print the graph summary, the observed-entry rank and the determined entries
    (and, when asked, completions, training, sweeps or the figures).

    Examples
    --------
    >>> ns = argparse.Namespace(file=None, example="M1", list_examples=False, rank=1, k=None, seed=0,
    ...                         completions=False, plot=None, json=False, train=False, init_sweep=False,
    ...                         figures=None, seeds=8, init_variance=1e-20, lr=0.02, max_steps=200000,
    ...                         width=None, entry=None, down_to=30, figure=None)
    >>> run(ns)  # doctest: +ELLIPSIS
    matrix          M1: disconnected: {r1,r2,c1,c2} and {r3,c3} (arXiv 2405.13721)
                    1 2 ?
                    3 ? ?
                    ? ? 5
    shape           3 x 3, 4 observed
    graph           disconnected, 2 components
    component 1     {r1,r2,c1,c2}: 3 observed, not complete bipartite
    component 2     {r3,c3}: 1 observed, complete bipartite
    ...
    jacobian rank   4 (certified, ...)
    r(n1+n2-r)      5: observations pin down fewer: infinitely many rank-1 completions
    graph count     V - C = 6 - 2 = 4 (agrees)
    ...
    0
    """
    if args.list_examples:
        for name, (_, description) in EXAMPLES.items():
            print(f"{name:<26} {description}")
        return 0
    check_option_scope(args)
    for option, path in (("--plot", args.plot), ("--figure", getattr(args, "figure", None))):
        if path is not None:
            check_figure_path(path, option)
    if getattr(args, "figures", None) is not None:
        prepare_folder(args.figures, "--figures")
    if args.k is not None and args.k < 1:
        raise InputError(f"--k must be a positive integer, got {args.k}")
    check_training_options(args)
    if args.figures:
        return _figures(args)
    partial = load_matrix(args)
    check_rank(args, partial.shape)
    payload, lines = _graph_section(partial, args)
    for flag, key, section in (("completions", "completions", _completions_section),
                               ("train", "training", _train_section),
                               ("init_sweep", "init_sweep", _sweep_section)):
        if getattr(args, flag):
            part, more = section(partial, args) if section is not _completions_section else section(partial)
            payload[key] = part
            lines += more
    if args.json:
        print(to_json({**payload, "provenance": provenance(args.file or args.example, args.seed)}))
    else:
        _print(lines)
    return 0


# ---------------------------------------------------------------------------- --figures


def _figures(args: argparse.Namespace) -> int:
    """Reproduce the connectivity experiments and draw their figures into ``args.figures``."""
    from rankstrat.numerics.completion.plots import (
        draw_observation_graph,
        plot_entry_against_init,
        plot_recovery_against_init,
    )
    from rankstrat.numerics.completion.training import (
        compare_completion,
        completion_references,
        connectivity_recovery,
        init_scale_sweep,
        train_completions,
    )

    folder = args.figures
    os.makedirs(folder, exist_ok=True)
    seeds = range(args.seeds)
    payload, lines = {"graphs": {}, "training": {}, "sweeps": {}, "recovery": {}}, []
    for name in FIGURE_GRAPHS:
        partial = example_matrix(name)
        path = draw_observation_graph(partial.graph(), os.path.join(folder, f"graph_{name}.png"), title=name)
        payload["graphs"][name] = path
        lines.append(("graph", path))
    family = ("M1", "M1-plus-r3c2", "M1-plus-r1c3", "M1-blocks")
    runs = train_completions([example_matrix(n) for n in family], k=3, seeds=seeds,
                             init_std=math.sqrt(args.init_variance), lr=args.lr, max_steps=args.max_steps)
    for name, run in zip(family, runs):
        refs = completion_references(run.partial)
        verdicts = [compare_completion(run.partial, p, refs).verdict for p, ok in zip(run.products, run.converged) if ok]
        counts = {v: verdicts.count(v) for v in dict.fromkeys(verdicts)}
        payload["training"][name] = {"verdicts": counts, "unconverged": int(run.unconverged.sum())}
        lines.append((name, f"{', '.join(f'{k} {v}' for k, v in counts.items()) or 'no converged run'} "
                            f"({int(run.unconverged.sum())} unconverged; init variance {args.init_variance:g})"))
    for name, lowest, lr in FIGURE_SWEEPS:
        sweep = init_scale_sweep(example_matrix(name), (1, 1), [10.0**-e for e in range(1, lowest + 1)], k=2,
                                 seeds=seeds, lr=lr, max_steps=args.max_steps)
        path = plot_entry_against_init(sweep.variances, sweep.entries, sweep.reference,
                                       os.path.join(folder, f"init_{name}.png"), title=f"{name}: entry (2,2), lr {lr:g}")
        payload["sweeps"][name] = {**_sweep_payload(sweep), "figure": path}
        threshold = sweep.threshold(0.1)
        lines.append((f"{name} sweep", f"median within 10% of {sweep.reference:g} from variance "
                                       f"{'-' if threshold is None else f'{threshold:.0e}'}; "
                                       f"within 1% from {sweep.threshold(0.01) or '-'}; figure {path}"))
    rates = connectivity_recovery(FIGURE_RECOVERY_VARIANCES, seeds=range(min(args.seeds, 4)),
                                  max_steps=min(args.max_steps, 100_000))
    curves = {label: [by_variance[n].rate for by_variance in rates.values()]
              for n, label in enumerate(("connected", "disconnected"))}
    path = plot_recovery_against_init(list(rates), curves, os.path.join(folder, "recovery_10x10.png"),
                                      title="rank-1 10x10, 19 observations")
    payload["recovery"] = {
        "figure": path,
        "rows": [{"variance": v, **{r.label: {"recovered": r.recovered, "converged": r.converged,
                                              "unconverged": r.unconverged} for r in pair}}
                 for v, pair in rates.items()],
    }
    for v, pair in rates.items():
        lines.append(("recovery", f"variance {v:.0e}: " + "; ".join(
            f"{r.label} {r.counts} ({r.unconverged} unconverged)" for r in pair)))
    lines.append(("figure", path))
    if args.json:
        print(to_json({**payload, "provenance": provenance(args.file or args.example, args.seed)}))
    else:
        _print(lines)
    return 0
