"""Collect the claims of every topic module in :mod:`rankstrat.cases.topics`."""

from __future__ import annotations

import importlib
import pkgutil

import rankstrat.cases.topics
from rankstrat.cases.claim import Claim
from rankstrat.theory.errors import InputError


def topic_names() -> list[str]:
    """Names of the topic modules, sorted.

    Examples
    --------
    >>> "mf" in topic_names()
    True
    """
    return sorted(info.name for info in pkgutil.iter_modules(rankstrat.cases.topics.__path__))


def all_claims(full: bool = False) -> list[Claim]:
    """Every claim of every topic; large-size claims only when ``full``.

    Examples
    --------
    >>> ids = [claim.id for claim in all_claims()]
    >>> len(ids) == len(set(ids))
    True
    """
    claims = []
    for name in topic_names():
        module = importlib.import_module(f"rankstrat.cases.topics.{name}")
        claims.extend(c for c in module.CLAIMS if full or not c.full_only)
    return claims


def select_claims(claims: list[Claim], only: str | None = None, topic: str | None = None) -> list[Claim]:
    """Filter claims by comma-separated ids and/or topic names.

    Raises
    ------
    InputError
        For an id or topic that matches nothing.

    Examples
    --------
    >>> claims = all_claims()
    >>> [c.topic for c in select_claims(claims, topic="mf")][:1]
    ['mf']
    >>> select_claims(claims, only="nope.nothing")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --only: no claim with id 'nope.nothing'; see `rankstrat check --list`
    """
    chosen = claims
    if topic:
        wanted = [t.strip() for t in topic.split(",") if t.strip()]
        for name in wanted:
            if name not in topic_names():
                raise InputError(
                    f"--topic: unknown topic {name!r}; expected one of {', '.join(topic_names())}"
                )
        chosen = [c for c in chosen if c.topic in wanted]
    if only:
        ids = [i.strip() for i in only.split(",") if i.strip()]
        known = {c.id for c in claims}
        for claim_id in ids:
            if claim_id not in known:
                raise InputError(f"--only: no claim with id {claim_id!r}; see `rankstrat check --list`")
        chosen = [c for c in chosen if c.id in ids]
    return chosen
