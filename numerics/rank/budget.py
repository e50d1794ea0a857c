"""A wall-clock budget for certificate work that may not end in reasonable time.

Symbolic certificates (expanding a deep polynomial model, compiling its
gradient) can grow without bound. :func:`time_budget` raises
:class:`BudgetExceeded` inside the block once its seconds are spent, so the
caller can degrade to a weaker stated certainty instead of hanging. It uses
``SIGALRM`` and therefore only limits work in the main thread of a Unix
process; elsewhere the block runs unlimited.
"""

from __future__ import annotations

import contextlib
import contextvars
import signal
import threading
import time


class BudgetExceeded(Exception):
    """The time budget of a certificate ran out.

    Examples
    --------
    >>> str(BudgetExceeded("30 s"))
    '30 s'
    """


@contextlib.contextmanager
def time_budget(seconds: float):
    """Run the block with at most ``seconds`` of wall-clock time.

    Parameters
    ----------
    seconds : float
        Positive; ``None`` or ``<= 0`` means no limit.

    Raises
    ------
    BudgetExceeded
        When the block is still running after ``seconds``.

    Examples
    --------
    >>> import time
    >>> with time_budget(5):
    ...     1 + 1
    2
    >>> try:
    ...     with time_budget(0.05):
    ...         time.sleep(1)
    ... except BudgetExceeded as exc:
    ...     print(exc)
    gave up after 0.05 s
    """
    usable = (
        seconds is not None and seconds > 0 and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    expired = []

    def expire(signum, frame):
        expired.append(True)
        raise BudgetExceeded(f"gave up after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if expired:  # the alarm's exception was swallowed (it landed in a finalizer): still over budget
        raise BudgetExceeded(f"gave up after {seconds:g} s")


_DEADLINE: contextvars.ContextVar = contextvars.ContextVar("rankstrat_deadline", default=None)


@contextlib.contextmanager
def deadline(seconds: float | None):
    """One budget shared by every certificate step inside the block (see
    :func:`step_seconds`); ``None`` leaves each step its own default.

    Examples
    --------
    >>> with deadline(30):
    ...     0 < step_seconds(60) <= 30
    True
    >>> step_seconds(60)
    60
    """
    token = _DEADLINE.set(None if seconds is None else time.perf_counter() + float(seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def step_seconds(default: float) -> float:
    """Seconds a certificate step may take: ``default``, cut to what is left of
    the enclosing :func:`deadline`.

    Raises
    ------
    BudgetExceeded
        When the deadline has passed (the step is not started).

    Examples
    --------
    >>> try:
    ...     with deadline(0):
    ...         step_seconds(60)
    ... except BudgetExceeded as exc:
    ...     print(exc)
    the time budget is spent
    """
    end = _DEADLINE.get()
    if end is None:
        return default
    left = end - time.perf_counter()
    if left <= 0:
        raise BudgetExceeded("the time budget is spent")
    return min(default, left)
