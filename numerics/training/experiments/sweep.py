"""Run an experiment's missing runs batch by batch into a :class:`SweepStore`.

Backends: ``local`` trains the batches one after another in this process;
``dask`` submits them to a Dask distributed cluster
(:mod:`rankstrat.numerics.training.dask_backend`). Either way each finished batch is written to
the store at once, so an interrupted sweep resumes where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from rankstrat.numerics.progress import Progress
from rankstrat.numerics.training.experiments.definition import Experiment, Summary
from rankstrat.numerics.training.store import SweepStore
from rankstrat.theory.errors import InputError

BACKENDS = ("local", "dask")


@dataclass
class SweepOutcome:
    """What a sweep did and what the store now holds for its runs.

    Attributes
    ----------
    total : int
        Runs of the experiment's grid.
    skipped : int
        Runs found finished in the store.
    computed : int
        Runs trained by this sweep.
    diverged : int
        Diverged runs among the grid's stored runs.
    summary : Summary
        Of every stored run of the grid.

    Examples
    --------
    >>> SweepOutcome(10, 4, 6, 0, None).computed
    6
    """

    total: int
    skipped: int
    computed: int
    diverged: int
    summary: Optional[Summary]


def check_backend(backend: str, scheduler: Optional[str]) -> None:
    """Validate ``--backend`` and ``--scheduler``.

    Raises
    ------
    InputError

    Examples
    --------
    >>> check_backend("local", None)
    >>> check_backend("spark", None)
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --backend: unknown backend 'spark'; expected one of local, dask
    """
    if backend not in BACKENDS:
        raise InputError(f"--backend: unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    if scheduler is not None and backend != "dask":
        raise InputError("--scheduler: only used with --backend dask")


def run_sweep(
    experiment: Experiment,
    settings: dict,
    store: SweepStore,
    device: str = "cpu",
    backend: str = "local",
    scheduler=None,
    progress: bool = True,
    batch_size: Optional[int] = None,
    after_batch: Optional[Callable[[int], None]] = None,
) -> SweepOutcome:
    """Train the runs of ``experiment`` missing from ``store`` and summarize all of them.

    Parameters
    ----------
    experiment : Experiment
    settings : dict
        From :meth:`Experiment.settings`.
    store : SweepStore
    device : {'cpu', 'cuda', 'auto'}
    backend : {'local', 'dask'}
    scheduler : str or distributed.Client, optional
        Scheduler address (or a client) for the Dask backend; a local cluster
        is started when omitted.
    progress : bool
        Show a progress bar on stderr (runs done, diverged).
    batch_size : int, optional
        Runs per batch (default: the experiment's).
    after_batch : callable, optional
        Called with the number of batches written so far (used by tests to
        interrupt a sweep).

    Returns
    -------
    SweepOutcome

    Raises
    ------
    InputError
        Unknown backend, or a store holding the experiment with other settings.

    Examples
    --------
    >>> import tempfile
    >>> from rankstrat.numerics.training.experiments import get_experiment
    >>> exp = get_experiment("mf4x4")
    >>> settings = exp.settings(fast=True, seeds=1)
    >>> settings["sizes"] = {"rank1-a": [16]}
    >>> store = SweepStore(tempfile.mkdtemp())
    >>> out = run_sweep(exp, settings, store, progress=False)
    >>> out.total, out.computed, run_sweep(exp, settings, store, progress=False).skipped
    (1, 1, 1)
    """
    check_backend(backend, scheduler)
    store.bind(experiment.name, experiment.stored_settings(settings))
    keys = experiment.run_keys(settings)
    done = store.finished_ids(experiment.name)
    todo = [key for key in keys if key.run_id not in done]
    if batch_size is not None:
        if int(batch_size) < 1:
            raise InputError(f"--batch-size: expected a positive integer, got {batch_size!r}")
        experiment = _with_batch_size(experiment, int(batch_size))
    batches = experiment.batches(settings, todo)
    wanted = {key.run_id for key in keys}
    diverged = sum(r.diverged for r in store.records(experiment.name, wanted))
    bar = Progress(total=len(keys), initial=len(keys) - len(todo), desc=experiment.name, unit="run",
                   enabled=progress)
    bar.set_postfix(diverged=diverged)
    written = 0

    def accept(records: list) -> None:
        nonlocal written, diverged
        store.write(experiment.name, records)
        written += 1
        diverged += sum(r.diverged for r in records)
        bar.update(len(records))
        bar.set_postfix(diverged=diverged)
        if after_batch is not None:
            after_batch(written)

    try:
        if backend == "local":
            for batch in batches:
                accept(experiment.run_batch(settings, batch, device))
        else:
            from rankstrat.numerics.training.dask_backend import run_batches_on_dask

            run_batches_on_dask(experiment.name, settings, batches, accept, scheduler=scheduler, device=device)
    except BaseException:
        bar.close(summary=False)  # the error's line is the only output
        raise
    bar.close()
    records = store.records(experiment.name, wanted)
    return SweepOutcome(
        len(keys), len(keys) - len(todo), len(todo), sum(r.diverged for r in records),
        experiment.summarize(settings, records) if records else None,
    )


def _with_batch_size(experiment: Experiment, size: int) -> Experiment:
    clone = type(experiment)()
    clone.__dict__.update(experiment.__dict__)
    clone.batch_size = size
    return clone


def stored_summary(experiment: Experiment, store: SweepStore) -> Optional[Summary]:
    """Summary of every run of ``experiment`` in ``store`` (None when it has none).

    The seed count in the notes is the number of distinct stored seeds.

    Parameters
    ----------
    experiment : Experiment
    store : SweepStore

    Returns
    -------
    Summary or None

    Examples
    --------
    >>> import tempfile
    >>> from rankstrat.numerics.training.experiments import get_experiment
    >>> stored_summary(get_experiment("mf4x4"), SweepStore(tempfile.mkdtemp())) is None
    True
    """
    settings = store.settings(experiment.name)
    records = store.records(experiment.name)
    if settings is None or not records:
        return None
    settings = {**settings, "seeds": len({r.key.seed for r in records})}
    return experiment.summarize(settings, records)


def run_in_memory(experiment: Experiment, settings: dict, device: str = "cpu") -> Summary:
    """Train every run of the grid in this process, without a store, and summarize.

    For small configurations (the claims); sweeps that may be interrupted
    should use :func:`run_sweep`.

    Parameters
    ----------
    experiment : Experiment
    settings : dict
    device : str

    Returns
    -------
    Summary

    Examples
    --------
    >>> from rankstrat.numerics.training.experiments import get_experiment
    >>> exp = get_experiment("mf4x4")
    >>> settings = exp.settings(fast=True, seeds=2)
    >>> settings["sizes"] = {"rank1-a": [15, 16]}
    >>> [t.measured for t in run_in_memory(exp, settings).transitions]  # one onset per seed (two blocks)
    [(16, 15)]
    """
    keys = experiment.run_keys(settings)
    records = []
    for batch in experiment.batches(settings, keys):
        records.extend(experiment.run_batch(settings, batch, device))
    return experiment.summarize(settings, records)
