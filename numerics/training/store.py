"""A SQLite store of finished runs, so a sweep can be killed and resumed.

One database file, ``sweep.sqlite``, in the sweep's directory. Each batch of
runs is written in one transaction when it finishes: a sweep killed at any
moment keeps every batch written before, and a restarted sweep skips exactly
those runs. The settings an experiment's runs were made with are stored
beside them, in the same transaction as the first batch, so a sweep that fails
before finishing any run leaves the directory free for other settings; a sweep
with different settings into the same directory is refused rather than mixed
in. One sweep at a time writes into a store (:meth:`SweepStore.lock`); a
read-only store can still be read (``read_only=True``), and a damaged one is
named as such.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from rankstrat.numerics.training.experiments.definition import RunKey, RunRecord
from rankstrat.theory.errors import InputError

FILENAME = "sweep.sqlite"
LOCKNAME = "sweep.lock"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (
    experiment TEXT PRIMARY KEY,
    settings   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    experiment TEXT NOT NULL,
    run_id     TEXT NOT NULL,
    grp        TEXT NOT NULL,
    n          INTEGER NOT NULL,
    seed       INTEGER NOT NULL,
    converged  INTEGER NOT NULL,
    diverged   INTEGER NOT NULL,
    recovered  INTEGER,
    test_error REAL,
    train_loss REAL,
    steps      INTEGER NOT NULL,
    extra      TEXT NOT NULL,
    PRIMARY KEY (experiment, run_id)
);
"""


def _settings_text(settings: dict) -> str:
    return json.dumps(settings, sort_keys=True, default=str)


def _short(value) -> str:
    """A settings value for a message, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _real(value: float):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


class SweepStore:
    """Finished runs of one or more experiments, in ``DIR/sweep.sqlite``.

    Parameters
    ----------
    directory : path-like
        Created when missing (unless ``read_only``).
    read_only : bool
        Open an existing store for reading only (e.g. on a read-only file system).

    Raises
    ------
    InputError
        When ``directory`` exists but is not a directory, or the file is not
        a sweep database.

    Examples
    --------
    >>> import tempfile
    >>> store = SweepStore(tempfile.mkdtemp())
    >>> store.bind("demo", {"lr": 0.1})
    >>> rec = RunRecord(RunKey("g", 3, 0), True, False, True, 1e-12, 1e-20, 10, {"branch": "Q1"})
    >>> store.write("demo", [rec])
    1
    >>> store.finished_ids("demo")
    {'g|n=3|seed=0'}
    >>> store.records("demo")[0].extra
    {'branch': 'Q1'}
    """

    def __init__(self, directory: str | os.PathLike, read_only: bool = False):
        from rankstrat.numerics.output_paths import prepare_folder

        self.directory = Path(directory)
        self.read_only = read_only
        self._pending: dict = {}
        if self.directory.exists() and not self.directory.is_dir():
            raise InputError(f"--out: {str(self.directory)!r} exists and is not a directory")
        self.path = self.directory / FILENAME
        if read_only:
            if not self.path.is_file():
                raise InputError(f"no sweep store in {str(self.directory)!r}")
            self._check_tables()
            return
        if self.path.exists() and not (os.access(self.path, os.W_OK) and os.access(self.directory, os.W_OK)):
            raise InputError(f"--out: the store {str(self.path)!r} is read-only; `rankstrat plot "
                             f"{self.directory}` can still read it; give another --out to run a sweep")
        prepare_folder(self.directory, "--out")
        try:
            with self._connect() as connection:
                connection.executescript(_SCHEMA)
        except InputError:
            raise
        except sqlite3.DatabaseError as exc:
            raise InputError(f"--out: {str(self.path)!r} is not a sweep database ({exc})") from None

    def _check_tables(self) -> None:
        with self._connect() as connection:
            names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"settings", "runs"} <= names:
            raise InputError(f"{str(self.path)!r} is not a sweep database (no settings and runs tables)")

    @contextmanager
    def _connect(self):
        """One connection: committed on success, rolled back on error, always closed.

        Database errors become one-line :class:`InputError`: read-only, damaged, or not a store.
        """
        try:
            if self.read_only:
                writable = os.access(self.directory, os.W_OK)
                uri = f"{self.path.resolve().as_uri()}?mode=ro" + ("" if writable else "&immutable=1")
                connection = sqlite3.connect(uri, uri=True, timeout=60)
            else:
                connection = sqlite3.connect(self.path, timeout=60)
        except sqlite3.Error as exc:
            raise InputError(f"cannot open the sweep store {str(self.path)!r} ({exc})") from None
        try:
            if not self.read_only:
                connection.execute("PRAGMA journal_mode=WAL")
            with connection:
                yield connection
        except sqlite3.DatabaseError as exc:
            text = str(exc)
            if "readonly" in text or "read-only" in text:
                raise InputError(f"the sweep store {str(self.path)!r} is read-only; `rankstrat plot "
                                 f"{self.directory}` can still read it") from None
            if "locked" in text:
                raise InputError(f"the sweep store {str(self.path)!r} is busy (locked by another process)") from None
            raise InputError(f"the sweep store {str(self.path)!r} is not a sweep database or is damaged ({text}); "
                             "move it away and run the sweep again") from None
        finally:
            connection.close()

    @contextmanager
    def lock(self):
        """Hold the store for one sweep: a second sweep into it is refused while this one runs.

        Raises
        ------
        InputError
            When another process holds the store.

        Examples
        --------
        >>> import tempfile
        >>> store = SweepStore(tempfile.mkdtemp())
        >>> with store.lock():
        ...     with SweepStore(store.directory).lock():
        ...         pass
        Traceback (most recent call last):
        ...
        rankstrat.theory.errors.InputError: --out: another sweep is writing into ...; wait for it to finish or give another --out
        """
        handle = open(self.directory / LOCKNAME, "a+")
        try:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError(f"--out: another sweep is writing into {str(self.directory)!r}; wait for it "
                                 "to finish or give another --out") from None
            yield self
        finally:
            handle.close()

    def bind(self, experiment: str, settings: dict) -> None:
        """Check the settings of ``experiment`` against the recorded ones; new settings are
        recorded with the first batch written (:meth:`write`), so a sweep that fails
        before any run finishes claims nothing.

        Parameters
        ----------
        experiment : str
        settings : dict
            :meth:`Experiment.stored_settings`.

        Raises
        ------
        InputError
            When the directory holds runs of ``experiment`` made with other settings.

        Examples
        --------
        >>> import tempfile
        >>> store = SweepStore(tempfile.mkdtemp())
        >>> store.bind("demo", {"lr": 0.1}); store.bind("demo", {"lr": 0.1})
        >>> store.bind("demo", {"lr": 0.2})
        Traceback (most recent call last):
        ...
        rankstrat.theory.errors.InputError: --out: ... holds runs of 'demo' made with other settings (lr: 0.1 there, 0.2 now); use another directory
        """
        text = _settings_text(settings)
        stored = self.settings(experiment)
        if stored is None and experiment in self._pending:
            stored = json.loads(self._pending[experiment])
        if stored is None:
            self._pending[experiment] = text
            return
        if _settings_text(stored) != text:
            now = json.loads(text)
            changed = [
                f"{key}: {_short(stored.get(key))} there, {_short(now.get(key))} now"
                for key in sorted(set(stored) | set(now))
                if _settings_text({"v": stored.get(key)}) != _settings_text({"v": now.get(key)})
            ]
            raise InputError(
                f"--out: {str(self.directory)!r} holds runs of {experiment!r} made with other settings "
                f"({'; '.join(changed)}); use another directory"
            )

    def settings(self, experiment: str) -> dict | None:
        """The recorded settings of ``experiment`` (None when it has none).

        Examples
        --------
        >>> import tempfile
        >>> SweepStore(tempfile.mkdtemp()).settings("demo") is None
        True
        """
        with self._connect() as connection:
            row = connection.execute(
                "SELECT settings FROM settings WHERE experiment = ?", (experiment,)
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def experiments(self) -> list:
        """Experiments with recorded settings, sorted.

        Examples
        --------
        >>> import tempfile
        >>> store = SweepStore(tempfile.mkdtemp()); store.bind("b", {}); store.bind("a", {})
        >>> store.experiments()  # nothing written yet: no experiment claims the store
        []
        >>> rec = RunRecord(RunKey("g", 1, 0), True, False, None, 0.0, 0.0, 1)
        >>> store.write("b", [rec]), store.write("a", [rec])
        (1, 1)
        >>> store.experiments()
        ['a', 'b']
        """
        with self._connect() as connection:
            rows = connection.execute("SELECT experiment FROM settings ORDER BY experiment").fetchall()
        return [row[0] for row in rows]

    def finished_ids(self, experiment: str) -> set:
        """Run ids of ``experiment`` already stored.

        Parameters
        ----------
        experiment : str

        Returns
        -------
        set of str

        Examples
        --------
        >>> import tempfile
        >>> SweepStore(tempfile.mkdtemp()).finished_ids("demo")
        set()
        """
        with self._connect() as connection:
            rows = connection.execute("SELECT run_id FROM runs WHERE experiment = ?", (experiment,)).fetchall()
        return {row[0] for row in rows}

    def write(self, experiment: str, records: list) -> int:
        """Store a batch of records in one transaction; runs already stored are kept as they are.

        Parameters
        ----------
        experiment : str
        records : list of RunRecord

        Returns
        -------
        int
            Number of records newly stored.

        Examples
        --------
        >>> import tempfile
        >>> store = SweepStore(tempfile.mkdtemp())
        >>> rec = RunRecord(RunKey("g", 1, 0), False, True, None, float("nan"), float("inf"), 3)
        >>> store.write("demo", [rec]), store.write("demo", [rec])
        (1, 0)
        >>> back = store.records("demo")[0]
        >>> back.diverged, back.recovered, back.train_loss
        (True, None, inf)
        """
        rows = [
            (
                experiment, r.key.run_id, r.key.group, int(r.key.n), int(r.key.seed),
                int(bool(r.converged)), int(bool(r.diverged)),
                None if r.recovered is None else int(bool(r.recovered)),
                _real(r.test_error), _real(r.train_loss), int(r.steps), r.extra_json(),
            )
            for r in records
        ]
        with self._connect() as connection:
            if experiment in self._pending:
                connection.execute("INSERT OR IGNORE INTO settings VALUES (?, ?)",
                                   (experiment, self._pending.pop(experiment)))
            before = connection.total_changes
            connection.executemany(
                "INSERT OR IGNORE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
            return connection.total_changes - before

    def records(self, experiment: str, run_ids: set | None = None) -> list:
        """Stored records of ``experiment`` (only ``run_ids`` when given), in storage order.

        Parameters
        ----------
        experiment : str
        run_ids : set of str, optional

        Returns
        -------
        list of RunRecord

        Examples
        --------
        >>> import tempfile
        >>> SweepStore(tempfile.mkdtemp()).records("demo")
        []
        """
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT grp, n, seed, converged, diverged, recovered, test_error, train_loss, steps, extra, run_id "
                "FROM runs WHERE experiment = ? ORDER BY rowid",
                (experiment,),
            ).fetchall()
        out = []
        for grp, n, seed, converged, diverged, recovered, test_error, train_loss, steps, extra, run_id in rows:
            if run_ids is not None and run_id not in run_ids:
                continue
            out.append(RunRecord(
                RunKey(grp, int(n), int(seed)), bool(converged), bool(diverged),
                None if recovered is None else bool(recovered),
                float("nan") if test_error is None else float(test_error),
                float("nan") if train_loss is None else float(train_loss),
                int(steps), json.loads(extra),
            ))
        return out

    def count(self, experiment: str) -> int:
        """Number of stored runs of ``experiment``.

        Examples
        --------
        >>> import tempfile
        >>> SweepStore(tempfile.mkdtemp()).count("demo")
        0
        """
        with self._connect() as connection:
            return connection.execute("SELECT COUNT(*) FROM runs WHERE experiment = ?", (experiment,)).fetchone()[0]
