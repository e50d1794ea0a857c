"""Provenance of every written result: version, commit, spec, seed and date.

Every table, JSON document and ``--out`` file of the command line carries the
record built by :func:`provenance`, so a number in a paper can be traced to the
code and the inputs that produced it. Rows carry their own ``certainty``.
"""

from __future__ import annotations

import datetime
import functools
import os
import subprocess
from typing import Any


@functools.lru_cache(maxsize=1)
def source_commit() -> str | None:
    """The git commit of the rankstrat source folder, or None when it is not a git checkout.

    The commit is reported only when the package's own files are tracked by
    that checkout (an installed copy inside some other repository reports
    None), with ``+dirty`` appended when tracked files have uncommitted
    changes. Never raises.

    Returns
    -------
    str or None

    Examples
    --------
    >>> commit = source_commit()
    >>> commit is None or len(commit.split("+")[0]) == 40
    True
    """
    import rankstrat

    folder = os.path.dirname(os.path.abspath(rankstrat.__file__))

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", folder, *args], capture_output=True, text=True, timeout=5,
                                  check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    if git("ls-files", "--error-unmatch", "__init__.py") is None:
        return None
    commit = git("rev-parse", "HEAD")
    if not commit:
        return None
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return commit + ("+dirty" if dirty else "")


def provenance(spec: Any = None, seed: Any = None, **extra: Any) -> dict:
    """The provenance record of one result.

    Parameters
    ----------
    spec : Spec, str or list, optional
        The architecture(s) the result is about (written with ``str``).
    seed : int, optional
    **extra
        Further inputs worth recording (target, command, ...); None values are kept.

    Returns
    -------
    dict
        ``rankstrat_version``, ``git_commit`` (None outside a checkout),
        ``spec``, ``seed``, ``date`` (UTC, ISO 8601) and the extras.

    Examples
    --------
    >>> record = provenance("mf:n1=2,k=1,n2=2", seed=3, target="random")
    >>> sorted(record)
    ['date', 'git_commit', 'rankstrat_version', 'seed', 'spec', 'target']
    >>> record["spec"], record["seed"], record["date"].endswith("+00:00")
    ('mf:n1=2,k=1,n2=2', 3, True)
    """
    import rankstrat

    if isinstance(spec, (list, tuple)):
        spec = [str(s) for s in spec]
    elif spec is not None:
        spec = str(spec)
    return {
        "rankstrat_version": rankstrat.__version__,
        "git_commit": source_commit(),
        "spec": spec,
        "seed": seed,
        "date": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        **extra,
    }


def provenance_lines(record: dict, comment: str = "# ") -> list[str]:
    """The record as comment lines, one ``key: value`` each, for CSV, text and LaTeX files.

    Examples
    --------
    >>> provenance_lines({"spec": ["a", "b"], "seed": 0, "git_commit": None}, "% ")
    ['% spec: a; b', '% seed: 0', '% git_commit: -']
    """
    def text(value: Any) -> str:
        if value is None:
            return "-"
        if isinstance(value, (list, tuple)):
            return "; ".join(str(v) for v in value)
        return str(value)

    return [f"{comment}{key}: {text(value)}" for key, value in record.items()]


def with_provenance(payload: dict, record: dict) -> dict:
    """``payload`` with the record under the key ``provenance`` (for JSON documents).

    Examples
    --------
    >>> with_provenance({"rank": 3}, {"seed": 0})
    {'rank': 3, 'provenance': {'seed': 0}}
    """
    return {**payload, "provenance": record}
