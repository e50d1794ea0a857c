"""The SQLite store: round trips, settings guard, and resuming an interrupted sweep."""

import sqlite3

import pytest

from rankstrat.numerics.training.experiments import get_experiment
from rankstrat.numerics.training.experiments.definition import RunKey, RunRecord
from rankstrat.numerics.training.experiments.sweep import run_in_memory, run_sweep, stored_summary
from rankstrat.numerics.training.store import SweepStore
from rankstrat.theory.errors import InputError


def tiny_mf_settings(seeds=3):
    experiment = get_experiment("mf4x4")
    settings = experiment.settings(fast=True, seeds=seeds)
    settings["sizes"] = {"rank1-a": [15, 16], "rank2-a": [16]}
    return experiment, settings


class Interrupted(Exception):
    pass


def test_records_round_trip_with_special_values(tmp_path):
    store = SweepStore(tmp_path)
    records = [
        RunRecord(RunKey("g", 3, 0), True, False, True, 1e-20, 0.0, 10, {"branch": "Q1", "c": 0.9}),
        RunRecord(RunKey("g", 3, 1), False, True, None, float("nan"), float("inf"), 4),
        RunRecord(RunKey("h", 4, 0), False, False, None, 0.5, 1e-3, 100),
    ]
    assert store.write("demo", records) == 3
    back = {r.key: r for r in store.records("demo")}
    assert back[RunKey("g", 3, 0)].extra == {"branch": "Q1", "c": 0.9}
    assert back[RunKey("g", 3, 1)].train_loss == float("inf") and back[RunKey("g", 3, 1)].recovered is None
    assert back[RunKey("h", 4, 0)].outcome == "unconverged"
    assert store.count("demo") == 3 and store.count("other") == 0


def test_writing_a_finished_run_again_keeps_the_first_result(tmp_path):
    store = SweepStore(tmp_path)
    store.write("demo", [RunRecord(RunKey("g", 1, 0), True, False, True, 0.0, 0.0, 1)])
    assert store.write("demo", [RunRecord(RunKey("g", 1, 0), True, False, False, 9.0, 0.0, 1)]) == 0
    assert store.records("demo")[0].recovered is True


def test_other_settings_are_refused(tmp_path):
    store = SweepStore(tmp_path)
    store.bind("demo", {"lr": 0.05, "tol": 1e-9})
    with pytest.raises(InputError, match="lr: 0.05 there, 0.1 now"):
        store.bind("demo", {"lr": 0.1, "tol": 1e-9})


def test_a_file_that_is_not_a_database_is_reported(tmp_path):
    (tmp_path / "sweep.sqlite").write_text("not sqlite " * 100)
    with pytest.raises(InputError, match="is not a sweep database"):
        SweepStore(tmp_path)


def test_out_must_be_a_directory(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(InputError, match="is not a directory"):
        SweepStore(path)


def test_killed_sweep_resumes_without_losing_or_recomputing(tmp_path):
    experiment, settings = tiny_mf_settings()
    trained = []
    original = experiment.run_batch

    def counting_run_batch(settings_, keys, device="cpu"):
        trained.extend(k.run_id for k in keys)
        return original(settings_, keys, device)

    experiment.run_batch = counting_run_batch
    try:
        def kill_after_first_batch(batches_written):
            raise Interrupted

        store = SweepStore(tmp_path)
        with pytest.raises(Interrupted):
            run_sweep(experiment, settings, store, progress=False, batch_size=4, after_batch=kill_after_first_batch)
        first = set(trained)
        assert store.finished_ids("mf4x4") == first and len(first) == 4  # the finished batch is kept

        trained.clear()
        outcome = run_sweep(experiment, settings, SweepStore(tmp_path), progress=False, batch_size=4)
        total = len(experiment.run_keys(settings))
        assert outcome.skipped == 4 and outcome.computed == total - 4
        assert set(trained).isdisjoint(first) and len(trained) == total - 4  # nothing recomputed
        assert SweepStore(tmp_path).count("mf4x4") == total  # nothing lost

        trained.clear()
        again = run_sweep(experiment, settings, SweepStore(tmp_path), progress=False)
        assert trained == [] and again.computed == 0 and again.skipped == total
    finally:
        del experiment.run_batch


def test_resumed_sweep_gives_the_uninterrupted_result(tmp_path):
    experiment, settings = tiny_mf_settings(seeds=2)

    def kill(batches_written):
        raise Interrupted

    with pytest.raises(Interrupted):
        run_sweep(experiment, settings, SweepStore(tmp_path / "a"), progress=False, batch_size=2, after_batch=kill)
    resumed = run_sweep(experiment, settings, SweepStore(tmp_path / "a"), progress=False, batch_size=2)
    straight = run_sweep(experiment, settings, SweepStore(tmp_path / "b"), progress=False)
    assert resumed.summary.rows == straight.summary.rows
    by_id = lambda path: {r.key.run_id: (r.steps, r.test_error) for r in SweepStore(path).records("mf4x4")}
    assert by_id(tmp_path / "a") == by_id(tmp_path / "b")


def test_stored_summary_counts_stored_seeds(tmp_path):
    experiment, settings = tiny_mf_settings(seeds=2)
    store = SweepStore(tmp_path)
    run_sweep(experiment, settings, store, progress=False)
    summary = stored_summary(experiment, store)
    assert "2 seeds" in summary.notes[0]
    fresh = run_in_memory(experiment, settings).transitions  # the same runs trained again, without a store
    assert [t.measured for t in summary.transitions] == [t.measured for t in fresh]
    assert all(len(t.measured) == 2 for t in fresh)  # one onset per seed (two seeds: two blocks)


def test_the_database_is_plain_sqlite(tmp_path):
    experiment, settings = tiny_mf_settings(seeds=1)
    run_sweep(experiment, settings, SweepStore(tmp_path), progress=False)
    with sqlite3.connect(tmp_path / "sweep.sqlite") as connection:
        count = connection.execute("SELECT COUNT(*) FROM runs WHERE experiment = 'mf4x4'").fetchone()[0]
    assert count == 3
