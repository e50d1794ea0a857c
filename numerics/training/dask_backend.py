"""Train batches of runs on a Dask distributed cluster and hand each result back as it finishes.

Every batch is one task: the worker rebuilds the experiment by name, trains
the batch (:meth:`rankstrat.numerics.training.experiments.definition.Experiment.run_batch`) and
returns its records; the client writes them to the store as they arrive, so
a lost worker or an interrupted client loses at most the batches in flight.
"""

from __future__ import annotations

from typing import Callable

from rankstrat.theory.errors import InputError


def train_batch_task(experiment_name: str, settings: dict, keys: list, device: str = "cpu") -> list:
    """The task a worker runs: train one batch of an experiment by name.

    Parameters
    ----------
    experiment_name : str
    settings : dict
    keys : list of RunKey
    device : str

    Returns
    -------
    list of RunRecord

    Examples
    --------
    >>> from rankstrat.numerics.training.experiments import get_experiment
    >>> from rankstrat.numerics.training.experiments.definition import RunKey
    >>> settings = get_experiment("mf4x4").settings(fast=True, seeds=1)
    >>> [r.key.n for r in train_batch_task("mf4x4", settings, [RunKey("rank1-a", 16, 0)])]
    [16]
    """
    from rankstrat.numerics.training.experiments import get_experiment

    return get_experiment(experiment_name).run_batch(settings, keys, device)


def connect(scheduler=None, timeout: float = 30):
    """A ``distributed.Client``: to ``scheduler`` (an address), the given client, or a new
    local cluster of threads when None. Returns ``(client, owned)``; close owned clients.

    Parameters
    ----------
    scheduler : str or distributed.Client, optional
    timeout : float
        Seconds to wait for a scheduler at an address.

    Raises
    ------
    InputError
        When dask.distributed is missing or the scheduler cannot be reached.

    Examples
    --------
    >>> client, owned = connect(None)
    >>> owned
    True
    >>> client.close()
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask is a declared dependency of the sweep backend
        raise InputError("--backend dask: the 'distributed' package is not installed (pip install 'dask[distributed]')") from None
    if scheduler is None:
        cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0")
        client = Client(cluster)
        client._rankstrat_cluster = cluster
        return client, True
    if isinstance(scheduler, Client):
        return scheduler, False
    try:
        return Client(str(scheduler), timeout=timeout), True
    except (OSError, TimeoutError) as exc:
        raise InputError(f"--scheduler: cannot reach a Dask scheduler at {scheduler!r} ({exc})") from None


def run_batches_on_dask(
    experiment_name: str,
    settings: dict,
    batches: list,
    on_records: Callable[[list], None],
    scheduler=None,
    device: str = "cpu",
) -> int:
    """Submit every batch as a task and call ``on_records`` with each result as it completes.

    Parameters
    ----------
    experiment_name : str
    settings : dict
    batches : list of list of RunKey
    on_records : callable
        ``records -> None``, called in the client process (it writes the store).
    scheduler : str or distributed.Client, optional
        Address such as ``tcp://127.0.0.1:8786``, a client, or None for a
        local in-process cluster.
    device : str
        Device on the workers.

    Returns
    -------
    int
        Number of batches completed.

    Raises
    ------
    InputError
        When the scheduler cannot be reached.

    Examples
    --------
    >>> from rankstrat.numerics.training.experiments import get_experiment
    >>> from rankstrat.numerics.training.experiments.definition import RunKey
    >>> settings = get_experiment("mf4x4").settings(fast=True, seeds=1)
    >>> got = []
    >>> run_batches_on_dask("mf4x4", settings, [[RunKey("rank1-a", 16, 0)]], got.extend)
    1
    >>> got[0].recovered
    True
    """
    from distributed import as_completed

    client, owned = connect(scheduler)
    done = 0
    try:
        futures = [
            client.submit(train_batch_task, experiment_name, settings, batch, device, pure=False)
            for batch in batches
        ]
        for future in as_completed(futures):
            on_records(future.result())
            done += 1
    finally:
        if owned:
            cluster = getattr(client, "_rankstrat_cluster", None)
            client.close()
            if cluster is not None:
                cluster.close()
    return done
