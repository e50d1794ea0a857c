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
import signal
import threading


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
