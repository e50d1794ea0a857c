"""``rankstrat sweep``: run a sample-size experiment into a resumable store, print the
measured transitions next to the predicted ones, and draw its figure."""

from __future__ import annotations

import argparse

from rankstrat.cases.report import FORMATS, format_rows, to_json
from rankstrat.numerics.output_paths import prepare_folder
from rankstrat.numerics.training.device import DEVICES
from rankstrat.numerics.training.experiments import experiment_names, get_experiment
from rankstrat.numerics.training.experiments.sweep import BACKENDS, run_sweep
from rankstrat.numerics.training.plots import FIGURE_FORMATS, draw_figures
from rankstrat.numerics.training.store import SweepStore
from rankstrat.theory.errors import InputError
from rankstrat.theory.values import positive_type

NAME = "sweep"
HELP = "train a sample-size experiment (batched, resumable) and compare its transitions with theory"
EXAMPLE = 'rankstrat sweep mf4x4 --fast --out out/sweeps'
EXIT_ONE = 'exit 1: a claimed transition disagrees with its prediction'
DEFAULT_OUT = "out/sweeps"
MAX_SEEDS = 10_000
"""Most seeds per (group, n): the plan of runs is listed before training."""
RATE_COLUMNS = ["group", "n", "runs", "converged", "unconverged", "diverged", "recovered", "rate", "rate_low",
                "rate_high"]
TRANSITION_COLUMNS = ["label", "predicted", "measured", "agrees", "kind", "formula", "detail"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``rankstrat sweep``.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> args = p.parse_args(["mf4x4", "--seeds", "3"])
    >>> args.experiment, args.seeds, args.backend
    ('mf4x4', 3, 'local')
    """
    parser.add_argument("experiment", nargs="?", help="experiment name (see --list)")
    parser.add_argument("--list", action="store_true", help="list the experiments and exit")
    parser.add_argument("--seeds", type=positive_type("--seeds", MAX_SEEDS),
                        help=f"seeds per (group, n), 1 to {MAX_SEEDS} (default: the experiment's)")
    parser.add_argument("--fast", action="store_true", help="the small configuration used by the claims")
    parser.add_argument("--device", default="cpu", choices=DEVICES, help="torch device")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"directory of the store and figures (default {DEFAULT_OUT})")
    parser.add_argument("--backend", default="local", choices=BACKENDS, help="where batches are trained")
    parser.add_argument("--scheduler", help="Dask scheduler address (with --backend dask; default: a local cluster)")
    parser.add_argument("--batch-size", type=positive_type("--batch-size"), help="runs per batch (default: the experiment's)")
    parser.add_argument("--format", default="text", choices=FORMATS, help="table format (json: one JSON object on stdout)")
    parser.add_argument("--figure-format", default="png", choices=FIGURE_FORMATS, help="figure file format")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def summary_text(summary, fmt: str = "text", provenance: dict | None = None) -> str:
    """The rate table, the transitions (measured next to predicted), extra tables and notes;
    ``provenance`` heads the first table (see :func:`rankstrat.cases.report.format_rows`).

    Examples
    --------
    >>> from rankstrat.numerics.training.experiments.definition import Summary, Transition
    >>> s = Summary("demo", [{"group": "g", "n": 7, "runs": 2, "converged": 2, "unconverged": 0,
    ...                       "diverged": 0, "recovered": 1, "rate": 0.5, "rate_low": 0.095, "rate_high": 0.91}],
    ...             [Transition("g onset", 7, 7, "r(n1+n2-r)")], notes=["two runs"])
    >>> print(summary_text(s, "csv"))  # doctest: +NORMALIZE_WHITESPACE
    group,n,runs,converged,unconverged,diverged,recovered,rate,rate_low,rate_high
    g,7,2,2,0,0,1,0.5,0.095,0.91
    <BLANKLINE>
    label,predicted,measured,agrees,kind,formula,detail
    g onset,7,7,yes,claim,r(n1+n2-r),
    <BLANKLINE>
    # two runs
    """
    parts = [format_rows(summary.rows, RATE_COLUMNS, fmt, provenance=provenance).rstrip("\n")]
    transitions = [{**t.as_dict(), "kind": "claim" if t.claimed else "observation"} for t in summary.transitions]
    parts.append(format_rows(transitions, TRANSITION_COLUMNS, fmt).rstrip("\n"))
    for name, table in summary.extra_tables.items():
        columns = list(dict.fromkeys(c for row in table for c in row))
        parts.append(f"{name}:\n" + format_rows(table, columns, fmt).rstrip("\n"))
    parts.append("\n".join(f"# {note}" for note in summary.notes))
    return "\n\n".join(parts)


def run(args: argparse.Namespace) -> int:
    """Run the sweep; 0 when every claimed transition agrees with its prediction, 1 otherwise.

    Examples
    --------
    >>> ns = argparse.Namespace(experiment=None, list=True)
    >>> run(ns)  # doctest: +ELLIPSIS
    mf4x4 ...
    0
    """
    if args.list:
        for name in experiment_names():
            experiment = get_experiment(name)
            print(f"{name:<16} {experiment.title}")
        return 0
    if not args.experiment:
        raise InputError(f"experiment: give an experiment name; expected one of {', '.join(experiment_names())}")
    experiment = get_experiment(args.experiment)
    settings = experiment.settings(fast=args.fast, seeds=args.seeds)
    if args.batch_size is not None and args.batch_size < 1:
        raise InputError(f"--batch-size must be a positive integer, got {args.batch_size}")
    prepare_folder(args.out, "--out")  # an empty --out is refused, not read as the current folder
    store = SweepStore(args.out)
    with store.lock():
        outcome = run_sweep(
            experiment, settings, store, device=args.device, backend=args.backend,
            scheduler=args.scheduler, progress=not args.no_progress, batch_size=args.batch_size,
        )
    from rankstrat.cases.provenance import provenance

    record = provenance(None, None, experiment=experiment.name, seeds=args.seeds, fast=args.fast,
                        store=str(store.path))
    figures = [str(p) for p in draw_figures(outcome.summary, experiment.figure_kind, args.out, args.figure_format)]
    if args.format == "json":
        print(to_json({"provenance": record, "experiment": experiment.name, "store": str(store.path),
                       "runs": outcome.total, "already_stored": outcome.skipped, "trained": outcome.computed,
                       "diverged": outcome.diverged, **summary_payload(outcome.summary), "figures": figures}))
    else:
        print(f"{experiment.name}: {outcome.total} runs, {outcome.skipped} already in {store.path}, "
              f"{outcome.computed} trained, {outcome.diverged} diverged")
        print(summary_text(outcome.summary, args.format, record))
        for path in figures:
            print(f"figure: {path}")
    return 0 if all(t.agrees for t in outcome.summary.transitions if t.claimed) else 1


def summary_payload(summary) -> dict:
    """The summary as one JSON-ready dict: rates, transitions, extra tables, notes.

    Examples
    --------
    >>> from rankstrat.numerics.training.experiments.definition import Summary, Transition
    >>> s = Summary("demo", [{"group": "g", "n": 7, "rate": 0.5}], [Transition("g onset", 7, 7, "r")], notes=["x"])
    >>> sorted(summary_payload(s)), summary_payload(s)["transitions"][0]["kind"]
    (['extra_tables', 'notes', 'rates', 'transitions'], 'claim')
    """
    transitions = [{**t.as_dict(), "kind": "claim" if t.claimed else "observation"} for t in summary.transitions]
    return {"rates": list(summary.rows), "transitions": transitions,
            "extra_tables": dict(summary.extra_tables), "notes": list(summary.notes)}
