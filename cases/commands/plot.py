"""``rankstrat plot``: redraw the figures and tables of the experiments in a sweep store."""

from __future__ import annotations

import argparse
from pathlib import Path

from rankstrat.cases.commands.sweep import summary_text
from rankstrat.cases.report import FORMATS
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
    parser.add_argument("--format", default="text", choices=FORMATS, help="table format")
    parser.add_argument("--quiet", action="store_true", help="print only the figure paths")


def run(args: argparse.Namespace) -> int:
    """Redraw from the store; 0 on success.

    Raises
    ------
    InputError
        When the directory has no store, or the experiment has no stored runs.

    Examples
    --------
    >>> import tempfile
    >>> run(argparse.Namespace(directory=tempfile.mkdtemp(), experiment=None,
    ...                        figure_format="png", format="text", quiet=True))
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: plot: no sweep store in ...; run `rankstrat sweep EXPERIMENT --out DIR` first
    """
    directory = Path(args.directory)
    if not (directory / FILENAME).exists():
        raise InputError(
            f"plot: no sweep store in {str(directory)!r}; run `rankstrat sweep EXPERIMENT --out DIR` first"
        )
    store = SweepStore(directory)
    names = [args.experiment] if args.experiment else store.experiments()
    drawn = 0
    for name in names:
        experiment = get_experiment(name)
        summary = stored_summary(experiment, store)
        if summary is None:
            if args.experiment:
                raise InputError(f"--experiment: no stored runs of {name!r} in {str(directory)!r}")
            continue
        if not args.quiet:
            print(f"== {name}: {store.count(name)} stored runs")
            print(summary_text(summary, args.format))
        for path in draw_figures(summary, experiment.figure_kind, directory, args.figure_format):
            print(f"figure: {path}")
            drawn += 1
    if not drawn:
        raise InputError(f"plot: the store in {str(directory)!r} holds no finished runs")
    return 0
