"""The grammar of command-line values: integers, ranges, lists, seeds, sizes to vary.

One grammar serves every command::

    INTEGER  = ASCII digits with an optional sign (``12``, ``-3``), or ``1e6``
    ITEM     = INTEGER | A..B | A..B:STEP | A..B:logK
    VALUES   = ITEM[,ITEM...]           e.g. ``1..6:2``, ``1..3,5``, ``1..1e6:log30``
    VARY     = NAME=VALUES              e.g. ``k=1..6:2``

``A..B`` is inclusive; ``:STEP`` takes every STEP-th value; ``:logK`` takes K
values spaced evenly on a log scale (rounded, repeats dropped). Values keep
the order written, repeats dropped. Digits outside ASCII (``１２``) and numbers
beyond :data:`MAX_INTEGER` are refused, so a typo cannot turn into a huge or
surprising size.
"""

from __future__ import annotations

import argparse
import math
import re
from typing import Callable, Iterable

from rankstrat.theory.errors import InputError

MAX_INTEGER = 10**15
"""Largest magnitude of an integer value (beyond it no computation is feasible anyway)."""
MAX_VALUES = 100_000
"""Most values one VALUES text may produce."""
MAX_SEED = 2**32 - 1
"""Largest seed (seeds are non-negative and fit the generators of numpy and torch)."""
FORM = "A..B, A..B:STEP, A..B:logK or a list A,B,C (e.g. 1..6:2 or 1..3,5)"
"""The accepted forms of VALUES, for messages."""

_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_SCIENTIFIC = re.compile(r"\+?[0-9]+(?:\.[0-9]+)?[eE]\+?[0-9]+", re.ASCII)
_REAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
REAL_FORM = "a decimal number in ASCII digits such as 0.5, -2 or 1e-3"
"""The accepted form of a real number, for messages."""
_RANGE = re.compile(r"(?P<start>[^.:]+)\.\.(?P<stop>[^:]+?)(?::(?P<log>log)?(?P<step>[^:]+))?", re.ASCII)


def parse_integer(text, option: str, minimum: int | None = None, maximum: int = MAX_INTEGER) -> int:
    """An integer written in ASCII digits (or ``1e6``), within ``minimum..maximum``.

    Parameters
    ----------
    text : str or int
    option : str
        Option named in error messages (``--seed``, ``--vary k``).
    minimum, maximum : int, optional
        Accepted bounds (inclusive).

    Returns
    -------
    int

    Raises
    ------
    InputError
        One line naming the option, the value and what is accepted.

    Examples
    --------
    >>> parse_integer("12", "--inputs"), parse_integer("1e6", "--n"), parse_integer(" -3 ", "x")
    (12, 1000000, -3)
    >>> parse_integer("１２", "--seed")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --seed: cannot read '１２'; expected an integer written in ASCII digits
    >>> parse_integer("-1", "--seed", minimum=0)
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --seed: -1 is below 0; expected an integer >= 0
    """
    if isinstance(text, bool):
        raise InputError(f"{option}: {text!r} is a boolean; expected an integer")
    if isinstance(text, int):
        value = text
    else:
        raw = str(text).strip()
        if len(raw) > 40:
            raise InputError(f"{option}: {raw[:20]!r}... is too long to be a usable integer (at most {MAX_INTEGER:.0e})")
        if _INTEGER.fullmatch(raw):
            value = int(raw)
        elif _SCIENTIFIC.fullmatch(raw):
            number = float(raw)
            if not math.isfinite(number) or number > MAX_INTEGER:
                raise InputError(f"{option}: {raw!r} is too large; at most {maximum:.0e}")
            if number != int(number):
                raise InputError(f"{option}: {raw!r} is not a whole number; expected an integer")
            value = int(number)
        else:
            raise InputError(f"{option}: cannot read {raw!r}; expected an integer written in ASCII digits")
    bounds = f">= {minimum}" if minimum is not None else ""
    if minimum is not None and value < minimum:
        raise InputError(f"{option}: {value} is below {minimum}; expected an integer {bounds}")
    if value > maximum or value < -MAX_INTEGER:
        raise InputError(f"{option}: {value} is too large; expected an integer {bounds}{' and ' if bounds else ''}"
                         f"<= {maximum}")
    return value


def is_real(text) -> bool:
    """Whether ``text`` is a decimal number in ASCII digits (no ``nan``, ``inf``, ``1_0`` or ``１``).

    Examples
    --------
    >>> [is_real(t) for t in ("0.5", "-2", "1e-3", ".5", "nan", "inf", "1_0", "１", "0x1")]
    [True, True, True, True, False, False, False, False, False]
    """
    return isinstance(text, str) and _REAL.fullmatch(text.strip()) is not None


def parse_real(text, option: str, low: float | None = None, high: float | None = None,
               closed: bool = False) -> float:
    """A finite real number written in ASCII digits, strictly between ``low`` and ``high``.

    Parameters
    ----------
    text : str
    option : str
        Named in error messages.
    low, high : float, optional
        Bounds; exclusive unless ``closed``.
    closed : bool
        Accept the bounds themselves.

    Returns
    -------
    float

    Raises
    ------
    InputError
        One line naming the option, the value and the accepted range.

    Examples
    --------
    >>> parse_real("0.99", "--confidence", 0, 1)
    0.99
    >>> parse_real("1.5", "--confidence", 0, 1)
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --confidence: '1.5' is out of range; expected a number in (0, 1)
    >>> parse_real("nan", "--eps0", 0, 1)
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --eps0: cannot read 'nan'; expected a number in (0, 1)
    >>> parse_real("1e999", "--spread", 0)
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --spread: '1e999' is not finite; expected a number > 0
    """
    raw = str(text).strip()
    if low is not None and high is not None:
        expected = f"a number in {'[' if closed else '('}{low:g}, {high:g}{']' if closed else ')'}"
    elif low is not None:
        expected = f"a number {'>=' if closed else '>'} {low:g}"
    elif high is not None:
        expected = f"a number {'<=' if closed else '<'} {high:g}"
    else:
        expected = REAL_FORM
    if not is_real(raw):
        raise InputError(f"{option}: cannot read {raw!r}; expected {expected}")
    value = float(raw)
    if not math.isfinite(value):
        raise InputError(f"{option}: {raw!r} is not finite; expected {expected}")
    below = low is not None and (value < low if closed else not value > low)
    above = high is not None and (value > high if closed else not value < high)
    if below or above:
        raise InputError(f"{option}: {raw!r} is out of range; expected {expected}")
    return value


def parse_values(text, option: str, minimum: int | None = None, maximum: int = MAX_INTEGER,
                 limit: int = MAX_VALUES) -> list:
    """The integers named by VALUES (see the module docstring), in the order written.

    Parameters
    ----------
    text : str
    option : str
        Named in error messages.
    minimum, maximum : int, optional
        Bounds every value must meet.
    limit : int
        Most values accepted.

    Returns
    -------
    list of int

    Raises
    ------
    InputError

    Examples
    --------
    >>> parse_values("1..6:2", "--vary k"), parse_values("1..3,5", "--vary k")
    ([1, 3, 5], [1, 2, 3, 5])
    >>> parse_values("1..1e6:log4", "--n"), parse_values("3,1,3", "--n")
    ([1, 100, 10000, 1000000], [3, 1])
    >>> parse_values("5..1", "--vary k")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --vary k: the range 5..1 is empty; expected A..B with A <= B
    """
    raw = str(text).strip()
    items = [item.strip() for item in raw.split(",")]
    if not raw or not all(items):
        raise InputError(f"{option}: cannot read {raw!r}; expected {FORM}")
    out: dict = {}
    for item in items:
        for value in _item_values(item, option, minimum, maximum, limit):
            out[value] = None
        if len(out) > limit:
            raise InputError(f"{option}: {raw!r} gives more than {limit} values; use A..B:STEP or A..B:logK")
    return list(out)


def _item_values(item: str, option: str, minimum, maximum, limit) -> Iterable[int]:
    match = _RANGE.fullmatch(item)
    if match is None:
        if ".." in item or ":" in item:
            raise InputError(f"{option}: cannot read {item!r}; expected {FORM}")
        return [parse_integer(item, option, minimum, maximum)]
    start = parse_integer(match["start"], option, minimum, maximum)
    stop = parse_integer(match["stop"], option, minimum, maximum)
    if stop < start:
        raise InputError(f"{option}: the range {start}..{stop} is empty; expected A..B with A <= B")
    if match["log"]:
        count = parse_integer(match["step"], f"{option} (log count)", 2, limit)
        low = max(start, 1)
        points = {round(math.exp(math.log(low) + i * (math.log(max(stop, low)) - math.log(low)) / (count - 1)))
                  for i in range(count)}
        values = sorted(points | ({0} if start == 0 else set()))
        return [min(max(v, start), stop) for v in values]
    step = 1 if match["step"] is None else parse_integer(match["step"], f"{option} (step)", 1)
    if (stop - start) // step + 1 > limit:
        raise InputError(f"{option}: {item!r} gives more than {limit} values; use A..B:STEP or A..B:logK")
    return range(start, stop + 1, step)


def parse_assignments(items: Iterable[str], option: str = "--vary", names: Iterable[str] | None = None,
                      minimum: int | None = None) -> dict:
    """``["k=1..3", "d=2,3"]`` -> ``{"k": [1, 2, 3], "d": [2, 3]}`` (NAME=VALUES items).

    Parameters
    ----------
    items : iterable of str
    option : str
        Named in error messages.
    names : iterable of str, optional
        The names accepted (any when None).
    minimum : int, optional
        Smallest value accepted.

    Returns
    -------
    dict of str to list of int

    Raises
    ------
    InputError
        Unreadable item, unknown or repeated name, bad values.

    Examples
    --------
    >>> parse_assignments(["k=1..6:2", "d=1..3,5"])
    {'k': [1, 3, 5], 'd': [1, 2, 3, 5]}
    >>> parse_assignments(["q=1"], names=["d", "k"])
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --vary: 'q' is not a size of this model; its sizes are d, k
    """
    known = None if names is None else list(names)
    out: dict = {}
    for item in items or []:
        name, eq, body = str(item).partition("=")
        name = name.strip()
        if not eq or not name or not body.strip():
            raise InputError(f"{option}: cannot read {item!r}; expected NAME=VALUES such as k=1..6 ({FORM})")
        if known is not None and name not in known:
            raise InputError(f"{option}: {name!r} is not a size of this model; its sizes are "
                             f"{', '.join(known) if known else '(none)'}")
        if name in out:
            raise InputError(f"{option}: size {name!r} given twice")
        out[name] = parse_values(body, f"{option} {name}", minimum=minimum)
    return out


def argument_type(option: str, minimum: int | None = None, maximum: int = MAX_INTEGER) -> Callable[[str], int]:
    """An argparse ``type=`` reading an integer with :func:`parse_integer`.

    Errors come back as one argparse error line naming the option.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); _ = p.add_argument("--inputs", type=argument_type("--inputs", 1))
    >>> p.parse_args(["--inputs", "7"]).inputs
    7
    """
    def read(text: str) -> int:
        try:
            return parse_integer(text, option, minimum, maximum)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc).split(": ", 1)[1]) from None

    read.__name__ = "integer"
    return read


def seed_type(option: str = "--seed") -> Callable[[str], int]:
    """An argparse ``type=`` for seeds: an integer in ``0..2**32 - 1``.

    Examples
    --------
    >>> seed_type()("42")
    42
    >>> seed_type()("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: -1 is below 0; expected an integer >= 0
    """
    return argument_type(option, 0, MAX_SEED)


def positive_type(option: str, maximum: int = MAX_INTEGER) -> Callable[[str], int]:
    """An argparse ``type=`` for counts: an integer >= 1.

    Examples
    --------
    >>> positive_type("--inputs")("3")
    3
    """
    return argument_type(option, 1, maximum)
