"""The Dask backend against a local cluster started here: same records as the local backend."""

import pytest

distributed = pytest.importorskip("distributed")

from rankstrat.numerics.training.dask_backend import connect, run_batches_on_dask  # noqa: E402
from rankstrat.numerics.training.experiments import get_experiment  # noqa: E402
from rankstrat.numerics.training.experiments.sweep import run_sweep  # noqa: E402
from rankstrat.numerics.training.store import SweepStore  # noqa: E402
from rankstrat.theory.errors import InputError  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as local:
        yield local


def small_settings():
    experiment = get_experiment("mf4x4")
    settings = experiment.settings(fast=True, seeds=2)
    settings["sizes"] = {"rank1-a": [14, 16], "rank3-a": [16]}
    return experiment, settings


def outcomes(store):
    return {r.key.run_id: (r.converged, r.recovered, r.steps, r.test_error) for r in store.records("mf4x4")}


def test_dask_sweep_writes_the_same_runs_as_the_local_backend(tmp_path, cluster):
    experiment, settings = small_settings()
    with distributed.Client(cluster) as client:
        dask_outcome = run_sweep(experiment, settings, SweepStore(tmp_path / "dask"), backend="dask",
                                 scheduler=client, progress=False, batch_size=2)
    local_outcome = run_sweep(experiment, settings, SweepStore(tmp_path / "local"), progress=False)
    assert dask_outcome.computed == local_outcome.computed == 6
    assert outcomes(SweepStore(tmp_path / "dask")) == outcomes(SweepStore(tmp_path / "local"))
    assert dask_outcome.summary.rows == local_outcome.summary.rows


def test_dask_sweep_by_scheduler_address_resumes_from_the_store(tmp_path, cluster):
    experiment, settings = small_settings()
    store = SweepStore(tmp_path)
    keys = experiment.run_keys(settings)
    store.bind(experiment.name, experiment.stored_settings(settings))
    store.write(experiment.name, experiment.run_batch(settings, keys[:2]))
    outcome = run_sweep(experiment, settings, store, backend="dask", scheduler=cluster.scheduler_address,
                        progress=False, batch_size=2)
    assert outcome.skipped == 2 and outcome.computed == len(keys) - 2
    assert store.count("mf4x4") == len(keys)


def test_every_batch_is_handed_back(cluster):
    experiment, settings = small_settings()
    keys = experiment.run_keys(settings)
    batches = [keys[i : i + 1] for i in range(len(keys))]
    got = []
    with distributed.Client(cluster) as client:
        done = run_batches_on_dask("mf4x4", settings, batches, got.append, scheduler=client)
    assert done == len(keys) and sorted(r[0].key.run_id for r in got) == sorted(k.run_id for k in keys)


def test_unreachable_scheduler_is_an_input_error():
    with pytest.raises(InputError, match="--scheduler: cannot reach a Dask scheduler"):
        connect("tcp://127.0.0.1:9", timeout=1)
