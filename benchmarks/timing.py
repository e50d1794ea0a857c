"""Best-of-N wall-clock timing shared by the benchmarks."""

from __future__ import annotations

import time
from typing import Callable


def best_time(fn: Callable[[], object], repeat: int = 3) -> float:
    """Smallest wall-clock time of ``repeat`` calls of ``fn``, in seconds.

    Examples
    --------
    >>> best_time(lambda: sum(range(10)), repeat=2) >= 0
    True
    """
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
