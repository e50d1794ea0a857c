"""``rankstrat sweep``: run a sample-size experiment into a resumable store, print the
measured transitions next to the predicted ones, and draw its figure."""

from __future__ import annotations

import argparse

from rankstrat.cases.report import FORMATS, format_rows
from rankstrat.numerics.training.device import DEVICES
from rankstrat.numerics.training.experiments import experiment_names, get_experiment
from rankstrat.numerics.training.experiments.sweep import BACKENDS, run_sweep
from rankstrat.numerics.training.plots import FIGURE_FORMATS, draw_figures
from rankstrat.numerics.training.store import SweepStore
from rankstrat.theory.errors import InputError

NAME = "sweep"
HELP = "train a sample-size experiment (batched, resumable) and compare its transitions with theory"
DEFAULT_OUT = "out/sweeps"
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
    ('mf4x4', '3', 'local')
    """
    parser.add_argument("experiment", nargs="?", help="experiment name (see --list)")
    parser.add_argument("--list", action="store_true", help="list the experiments and exit")
    parser.add_argument("--seeds", help="seeds per (group, n) (default: the experiment's)")
    parser.add_argument("--fast", action="store_true", help="the small configuration used by the claims")
    parser.add_argument("--device", default="cpu", choices=DEVICES, help="torch device")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"directory of the store and figures (default {DEFAULT_OUT})")
    parser.add_argument("--backend", default="local", choices=BACKENDS, help="where batches are trained")
    parser.add_argument("--scheduler", help="Dask scheduler address (with --backend dask; default: a local cluster)")
    parser.add_argument("--batch-size", type=int, help="runs per batch (default: the experiment's)")
    parser.add_argument("--format", default="text", choices=FORMATS, help="table format")
    parser.add_argument("--figure-format", default="png", choices=FIGURE_FORMATS, help="figure file format")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def summary_text(summary, fmt: str = "text") -> str:
    """The rate table, the transitions (measured next to predicted), extra tables and notes.

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
    parts = [format_rows(summary.rows, RATE_COLUMNS, fmt).rstrip("\n")]
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
    store = SweepStore(args.out)
    outcome = run_sweep(
        experiment, settings, store, device=args.device, backend=args.backend,
        scheduler=args.scheduler, progress=not args.no_progress, batch_size=args.batch_size,
    )
    print(f"{experiment.name}: {outcome.total} runs, {outcome.skipped} already in {store.path}, "
          f"{outcome.computed} trained, {outcome.diverged} diverged")
    print(summary_text(outcome.summary, args.format))
    for path in draw_figures(outcome.summary, experiment.figure_kind, args.out, args.figure_format):
        print(f"figure: {path}")
    return 0 if all(t.agrees for t in outcome.summary.transitions if t.claimed) else 1
