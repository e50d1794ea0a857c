"""What every training engine shares: run outcomes, stopping limits and option checks.

A run that neither converged nor diverged is *unconverged*: callers report it
separately and never count it as a success or a failure of recovery.
"""

from __future__ import annotations

import numpy as np

from rankstrat.theory.errors import InputError

DIVERGENCE_LOSS = 1e30
"""A training loss above this (or not finite) marks a run as diverged."""


COMPACT_EVERY = 64
"""Steps between two removals of finished runs from the batch."""


def check_positive(name: str, value, integer: bool = False, allow_zero: bool = False) -> None:
    """Refuse a training option that is not a finite positive number.

    Parameters
    ----------
    name : str
        The option, for the message.
    value : object
    integer : bool
        Require an integer value.
    allow_zero : bool
        Accept 0.

    Raises
    ------
    InputError
        Naming the option, what is accepted and the value given.

    Examples
    --------
    >>> check_positive("lr", 0.1)
    >>> check_positive("max_steps", 2.5, integer=True)
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: max_steps: expected a finite integer > 0, got 2.5
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok and integer:
        ok = float(value) == int(value)
    if ok:
        ok = np.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        kind = "integer" if integer else "number"
        bound = ">= 0" if allow_zero else "> 0"
        raise InputError(f"{name}: expected a finite {kind} {bound}, got {value!r}")


def seed_list(seeds) -> list[int]:
    """The seeds of a batch of runs as a non-empty list of integers.

    Examples
    --------
    >>> seed_list(range(3))
    [0, 1, 2]
    >>> seed_list([])
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: seeds: expected at least one seed, got an empty sequence
    """
    try:
        values = [int(s) for s in seeds]
    except (TypeError, ValueError):
        raise InputError(f"seeds: expected a sequence of integers, got {seeds!r}") from None
    if not values:
        raise InputError("seeds: expected at least one seed, got an empty sequence")
    if any(float(a) != float(b) for a, b in zip(values, seeds)):
        raise InputError(f"seeds: expected integers, got {list(seeds)!r}")
    return values


class RunOutcomes:
    """The ``unconverged`` runs of a result with ``converged`` and ``diverged`` flags.

    Examples
    --------
    >>> class Outcome(RunOutcomes):
    ...     converged = np.array([True, False, False])
    ...     diverged = np.array([False, True, False])
    >>> Outcome().unconverged.tolist()
    [False, False, True]
    """

    @property
    def unconverged(self) -> np.ndarray:
        """Runs stopped at ``max_steps`` without converging or diverging."""
        return ~(self.converged | self.diverged)
