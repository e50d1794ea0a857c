"""Progress bars that draw only on a terminal and end with one summary line.

On a terminal a :mod:`tqdm` bar redraws in place; written to a file or a pipe
(a log) nothing is drawn, and either way one line such as ``claims: 24 claims
in 12.3 s`` is printed when the work is done. Work that ends in an error
prints no summary: the error's one line is the only output.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Iterable, Optional, TextIO


def is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is an interactive terminal.

    Examples
    --------
    >>> import io
    >>> is_terminal(io.StringIO())
    False
    """
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Progress:
    """A progress bar over an iterable or a count, drawn only on a terminal.

    Parameters
    ----------
    iterable : iterable, optional
        Items to yield; else call :meth:`update`.
    total : int, optional
        Number of items (taken from ``len(iterable)`` when possible).
    desc : str
        Name of the work, starting the bar and the summary line.
    unit : str
        Name of one item (``claim``, ``run``).
    enabled : bool
        False: neither bar nor summary (``--no-progress``, ``--quiet``).
    stream : file, optional
        Where both go; standard error by default.
    initial : int
        Items already done (resumed work); not counted in the summary.

    Examples
    --------
    >>> import io
    >>> log = io.StringIO()
    >>> [x for x in Progress(range(3), desc="sizes", unit="size", stream=log)]
    [0, 1, 2]
    >>> "\\r" in log.getvalue(), log.getvalue().startswith("sizes: 3 sizes in ")
    (False, True)
    >>> class Terminal(io.StringIO):
    ...     def isatty(self): return True
    >>> tty = Terminal()
    >>> with Progress(total=2, desc="runs", unit="run", stream=tty) as bar:
    ...     bar.update(2)
    >>> "\\r" in tty.getvalue(), tty.getvalue().splitlines()[-1].startswith("runs: 2 runs in ")
    (True, True)
    """

    def __init__(self, iterable: Optional[Iterable] = None, total: Optional[int] = None, desc: str = "",
                 unit: str = "item", enabled: bool = True, stream: Optional[TextIO] = None, initial: int = 0):
        from tqdm import tqdm

        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled
        self.desc = desc
        self.unit = unit
        self.count = 0
        self.details = ""
        self.closed = False
        self.start = time.perf_counter()
        self.bar = tqdm(iterable, total=total, desc=desc, unit=unit, initial=initial, file=self.stream,
                        disable=not (enabled and is_terminal(self.stream)), leave=False, dynamic_ncols=True)

    def __iter__(self):
        try:
            for item in self.bar:
                yield item
                self.count += 1
        except BaseException:
            self.close(summary=False)
            raise
        self.close()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.close(summary=kind is None)

    def update(self, n: int = 1) -> None:
        """Count ``n`` more items done."""
        self.count += n
        self.bar.update(n)

    def set_postfix_str(self, text: str) -> None:
        """Show ``text`` after the bar (the item in progress)."""
        self.bar.set_postfix_str(text)

    def set_postfix(self, **values: Any) -> None:
        """Show ``key=value`` after the bar; they also end the summary line."""
        self.bar.set_postfix(**values)
        self.details = ", ".join(f"{key} {value}" for key, value in values.items())

    def summary(self) -> str:
        """``desc: N units in S s[, details]``.

        Examples
        --------
        >>> import io
        >>> bar = Progress(total=1, desc="grid", unit="point", enabled=False)
        >>> bar.update(); bar.summary().split(" in ")[0]
        'grid: 1 point'
        """
        units = self.unit if self.count == 1 else f"{self.unit}s"
        text = f"{self.desc}: {self.count} {units} in {time.perf_counter() - self.start:.1f} s"
        return f"{text}, {self.details}" if self.details else text

    def close(self, summary: bool = True) -> None:
        """Remove the bar and print the summary line (once; none when ``summary`` is False).

        Examples
        --------
        >>> import io
        >>> log = io.StringIO()
        >>> with Progress(total=2, desc="runs", unit="run", stream=log) as bar:
        ...     bar.update()
        ...     raise ValueError("bad input found late")
        Traceback (most recent call last):
        ...
        ValueError: bad input found late
        >>> log.getvalue()
        ''
        """
        if self.closed:
            return
        self.closed = True
        self.bar.close()
        if self.enabled and summary:
            print(self.summary(), file=self.stream, flush=True)
