"""``rankstrat plot``: redraw the figures and tables of the experiments in a sweep store."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from rankstrat.cases.commands.sweep import summary_payload, summary_text
from rankstrat.cases.report import FORMATS, to_json
from rankstrat.numerics.output_paths import folder_takes_files, prepare_folder
from rankstrat.numerics.training.experiments import get_experiment
from rankstrat.numerics.training.experiments.sweep import stored_summary
from rankstrat.numerics.training.plots import FIGURE_FORMATS, draw_figures
from rankstrat.numerics.training.store import FILENAME, SweepStore
from rankstrat.theory.errors import InputError

NAME = "plot"
HELP = "redraw the figures (and print the tables) of the experiments stored by `rankstrat sweep`"


EXAMPLE = 'rankstrat plot out/sweeps --experiment mf4x4 --figure-format pdf'
EXIT_ONE = 'exit 1: never (a missing or empty store is bad input, exit 2)'
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``rankstrat plot``.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> p.parse_args(["out/sweeps", "--experiment", "mf4x4"]).experiment
    'mf4x4'
    """
    parser.add_argument("directory", help="a sweep directory (holding sweep.sqlite)")
    parser.add_argument("--experiment", help="only this experiment (default: every stored one)")
    parser.add_argument("--figure-format", default="png", choices=FIGURE_FORMATS, help="figure file format")
    parser.add_argument("--format", default="text", choices=FORMATS, help="table format (json: one JSON array on stdout)")
    parser.add_argument("--quiet", action="store_true", help="print only the figure paths")
    parser.add_argument("--figures", metavar="DIR", default=None,
                        help="folder of the figures (default: the sweep directory; needed when it is read-only)")


def run(args: argparse.Namespace) -> int:
    """Redraw from the store; 0 on success.

    Raises
    ------
    InputError
        When the directory has no store, or the experiment has no stored runs.

    Examples
    --------
    >>> import tempfile
    >>> run(argparse.Namespace(directory=tempfile.mkdtemp(), experiment=None, figures=None,
    ...                        figure_format="png", format="text", quiet=True))
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: plot: no sweep store in ...; run `rankstrat sweep EXPERIMENT --out DIR` first
    """
    if not str(args.directory).strip():
        raise InputError("plot: the sweep directory is empty; expected a folder holding sweep.sqlite")
    directory = Path(args.directory)
    if not (directory / FILENAME).exists():
        raise InputError(
            f"plot: no sweep store in {str(directory)!r}; run `rankstrat sweep EXPERIMENT --out DIR` first"
        )
    store = SweepStore(directory, read_only=True)
    figures_to = directory if os.access(directory, os.W_OK) and folder_takes_files(directory) else None
    if figures_to is None and args.figures is None:
        raise InputError(f"plot: {str(directory)!r} is read-only; the store can be read, give --figures DIR "
                         "for the figures")
    if args.figures is not None:
        figures_to = Path(prepare_folder(args.figures, "--figures"))
    names = [args.experiment] if args.experiment else store.experiments()
    drawn, payload = 0, []
    for name in names:
        experiment = get_experiment(name)
        summary = stored_summary(experiment, store)
        if summary is None:
            if args.experiment:
                raise InputError(f"--experiment: no stored runs of {name!r} in {str(directory)!r}")
            continue
        from rankstrat.cases.provenance import provenance

        record = provenance(None, None, experiment=name, store=str(store.path))
        if not args.quiet and args.format != "json":
            print(f"== {name}: {store.count(name)} stored runs")
            print(summary_text(summary, args.format, record))
        figures = [str(p) for p in draw_figures(summary, experiment.figure_kind, figures_to, args.figure_format)]
        drawn += len(figures)
        if args.format == "json":
            payload.append({"experiment": name, "runs": store.count(name), **summary_payload(summary),
                            "figures": figures, "provenance": record})
        else:
            for path in figures:
                print(f"figure: {path}")
    if not drawn:
        raise InputError(f"plot: the store in {str(directory)!r} holds no finished runs")
    if args.format == "json":
        print(to_json(payload))
    return 0
