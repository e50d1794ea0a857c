"""Partially observed matrices: the :class:`PartialMatrix` type and its readers.

A partially observed matrix holds float values with NaN where an entry is
missing. It is read from text (rows of numbers separated by whitespace or
commas, ``?`` or ``*`` for a missing entry) by :func:`parse_partial_matrix`
and :func:`read_partial_matrix`, or from a numeric array with NaN (a ``.npy``
file) by :func:`partial_matrix_from_array`. Errors name the line and column
(or row and column) of the offending entry. Built-in examples are in
:mod:`rankstrat.numerics.completion.example_matrices`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Optional

import networkx as nx
import numpy as np

from rankstrat.theory.completion.observation_graph import observation_graph
from rankstrat.theory.errors import InputError
from rankstrat.theory.values import is_real

MISSING_TOKENS = ("?", "*")
"""Text tokens read as a missing entry (case-insensitive)."""


@dataclass(frozen=True, eq=False)
class PartialMatrix:
    """A partially observed matrix: float values, NaN where an entry is missing.

    Build one with :func:`parse_partial_matrix`, :func:`read_partial_matrix`,
    :func:`partial_matrix_from_array` or :func:`rankstrat.numerics.completion.example_matrices.example_matrix`.

    Attributes
    ----------
    values : ndarray (n1, n2)
    source : str
        Where it came from, for messages.
    full : ndarray (n1, n2) or None
        The whole matrix when it is known (generated examples), for
        measuring recovery.

    Examples
    --------
    >>> M = parse_partial_matrix("1 2\\n3 ?")
    >>> M.shape, M.num_observed, M.mask.tolist()
    ((2, 2), 3, [[True, True], [True, False]])
    """

    values: np.ndarray
    source: str = "<matrix>"
    full: Optional[np.ndarray] = None

    @property
    def mask(self) -> np.ndarray:
        """True where observed.

        Examples
        --------
        >>> parse_partial_matrix("? 1").mask.tolist()
        [[False, True]]
        """
        return ~np.isnan(self.values)

    @property
    def shape(self) -> tuple:
        """``(n1, n2)``.

        Examples
        --------
        >>> parse_partial_matrix("1 2 3").shape
        (1, 3)
        """
        return tuple(self.values.shape)

    @property
    def num_observed(self) -> int:
        """Number of observed entries.

        Examples
        --------
        >>> parse_partial_matrix("1 ?\\n? 2").num_observed
        2
        """
        return int(self.mask.sum())

    def observed(self) -> list:
        """Observed entries as ``(i, j, value)``, row by row (0-based).

        Examples
        --------
        >>> parse_partial_matrix("1 ?\\n? 2").observed()
        [(0, 0, 1.0), (1, 1, 2.0)]
        """
        return [(int(i), int(j), float(self.values[i, j])) for i, j in zip(*np.nonzero(self.mask))]

    def misfit(self, matrix) -> float:
        """Largest ``|X_ij - M_ij|`` of a full matrix ``X`` over the observed entries.

        Examples
        --------
        >>> parse_partial_matrix("1 ?\\n? 2").misfit([[1.5, 9.0], [9.0, 2.0]])
        0.5
        """
        return float(np.abs(np.asarray(matrix, dtype=np.float64) - np.nan_to_num(self.values))[self.mask].max())

    def fit_tolerance(self, rtol: float) -> float:
        """The largest misfit a fit may leave: ``rtol`` times the largest observed magnitude (at least 1).

        Examples
        --------
        >>> parse_partial_matrix("1 ?\\n? -20").fit_tolerance(1e-9), parse_partial_matrix("0.5").fit_tolerance(0.1)
        (2e-08, 0.1)
        """
        return rtol * max(1.0, float(np.abs(self.values[self.mask]).max()))

    def graph(self) -> nx.Graph:
        """The observation graph (:func:`rankstrat.theory.completion.observation_graph.observation_graph`).

        Examples
        --------
        >>> parse_partial_matrix("1 ?\\n? 2").graph().number_of_edges()
        2
        """
        return observation_graph(self.mask)

    def block(self, rows, columns) -> "PartialMatrix":
        """The sub-matrix on the given rows and columns.

        Examples
        --------
        >>> parse_partial_matrix("1 ? ?\\n? 2 3").block([1], [1, 2]).to_text()
        '2 3'
        """
        index = np.ix_(list(rows), list(columns))
        full = None if self.full is None else self.full[index].copy()
        return PartialMatrix(self.values[index].copy(), self.source, full)

    def to_text(self) -> str:
        """The matrix in the text format read by :func:`parse_partial_matrix`.

        Examples
        --------
        >>> print(parse_partial_matrix("1, 2.5\\n*, 3").to_text())
        1 2.5
        ? 3
        """
        return "\n".join(" ".join("?" if math.isnan(v) else f"{v:g}" for v in row) for row in self.values)


def _strip_comment(line: str) -> str:
    return line.split("#", 1)[0].strip()


def _tokens(line: str, number: int, source: str) -> list:
    if "," in line:
        tokens = [t.strip() for t in line.split(",")]
        for column, token in enumerate(tokens, start=1):
            if not token:
                raise InputError(
                    f"{source}: line {number}, column {column}: empty entry; "
                    "write a number, or ? or * for a missing entry"
                )
        return tokens
    return line.split()


def _entry(token: str, number: int, column: int, source: str) -> float:
    """One entry: a decimal number in ASCII digits, or a missing-entry token.

    Examples
    --------
    >>> _entry("-1.5e2", 1, 1, "m.txt"), _entry("?", 1, 2, "m.txt")
    (-150.0, nan)
    >>> _entry("１２", 3, 2, "m.txt")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: m.txt: line 3, column 2: '１２' is not written in ASCII digits; expected a number such as 1.5 or -2e3, or ? or * for a missing entry
    """
    if token.lower() in MISSING_TOKENS:
        return math.nan
    if token.lower() in ("nan", "+nan", "-nan"):
        raise InputError(f"{source}: line {number}, column {column}: {token!r} is not a number; "
                         "write ? or * for a missing entry")
    if token.lower().lstrip("+-") in ("inf", "infinity"):
        raise InputError(f"{source}: line {number}, column {column}: {token!r} is not a finite number")
    if not is_real(token):
        what = "is not written in ASCII digits" if not token.isascii() else "is not a number"
        raise InputError(
            f"{source}: line {number}, column {column}: {token!r} {what}; "
            "expected a number such as 1.5 or -2e3, or ? or * for a missing entry"
        )
    value = float(token)
    if math.isnan(value):
        raise InputError(f"{source}: line {number}, column {column}: {token!r} is not a number; "
                         "write ? or * for a missing entry")
    if not math.isfinite(value):
        raise InputError(f"{source}: line {number}, column {column}: {token!r} is not a finite number")
    return value


def parse_partial_matrix(text: str, source: str = "<text>") -> PartialMatrix:
    """Read a partially observed matrix from text.

    One row per line; entries separated by whitespace or by commas; ``?`` or
    ``*`` for a missing entry (``nan`` is refused: a missing entry is written
    on purpose, not produced by a failed computation). Blank lines and everything after
    ``#`` are ignored.

    Parameters
    ----------
    text : str
    source : str
        Name used in error messages (a file name).

    Returns
    -------
    PartialMatrix

    Raises
    ------
    InputError
        Naming the line and column of a non-numeric or empty entry, the line of
        a row whose length differs from the first row, or saying that the text
        holds no matrix or no observed entry.

    Examples
    --------
    >>> parse_partial_matrix("1 2 ?\\n3 ? ?\\n? ? 5").num_observed
    4
    >>> parse_partial_matrix("1 2\\n3 x", source="m.txt")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: m.txt: line 2, column 2: 'x' is not a number; expected a number such as 1.5 or -2e3, or ? or * for a missing entry
    >>> parse_partial_matrix("1 2\\n3", source="m.txt")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: m.txt: line 2 has 1 entries but line 1 has 2; every row needs the same number of entries
    """
    rows, first = [], None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw)
        if not line:
            continue
        tokens = _tokens(line, number, source)
        row = [_entry(token, number, column, source) for column, token in enumerate(tokens, start=1)]
        if first is None:
            first = (number, len(row))
        elif len(row) != first[1]:
            raise InputError(
                f"{source}: line {number} has {len(row)} entries but line {first[0]} has {first[1]}; "
                "every row needs the same number of entries"
            )
        rows.append(row)
    if not rows:
        raise InputError(
            f"{source}: no matrix found; expected rows of numbers separated by spaces or commas, "
            "with ? or * for a missing entry"
        )
    return _checked(np.array(rows, dtype=np.float64), source)


def _checked(values: np.ndarray, source: str) -> PartialMatrix:
    if not np.any(~np.isnan(values)):
        raise InputError(f"{source}: no entry is observed; a completion needs at least one number")
    return PartialMatrix(values, source)


def partial_matrix_from_array(array, source: str = "<array>") -> PartialMatrix:
    """A partially observed matrix from a 2-D numeric array with NaN for missing.

    Parameters
    ----------
    array : array_like (n1, n2)
    source : str

    Returns
    -------
    PartialMatrix

    Raises
    ------
    InputError
        Not 2-D, not numeric, an infinite entry (named by row and column), or
        no observed entry.

    Examples
    --------
    >>> partial_matrix_from_array([[1.0, np.nan], [3.0, 4.0]]).num_observed
    3
    >>> partial_matrix_from_array([[1.0, np.inf]])
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: <array>: row 1, column 2: inf is not a finite number
    """
    try:
        values = np.array(array, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{source}: not a numeric array; expected numbers with NaN for missing entries") from None
    if values.ndim != 2 or 0 in values.shape:
        raise InputError(f"{source}: expected a non-empty 2-D array, got shape {values.shape}")
    bad = np.argwhere(np.isinf(values))
    if len(bad):
        i, j = (int(v) for v in bad[0])
        raise InputError(f"{source}: row {i + 1}, column {j + 1}: {values[i, j]} is not a finite number")
    return _checked(values, source)


def read_partial_matrix(path: str | os.PathLike) -> PartialMatrix:
    """Read a partially observed matrix from a text file or a ``.npy`` file.

    Parameters
    ----------
    path : path-like
        Text (see :func:`parse_partial_matrix`) or ``.npy`` (NaN for missing).

    Returns
    -------
    PartialMatrix

    Raises
    ------
    InputError
        Missing or unreadable file, binary content, or any error of
        :func:`parse_partial_matrix`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.txt"
    >>> _ = path.write_text("1, 2\\n3, ?\\n")
    >>> read_partial_matrix(path).to_text()
    '1 2\\n3 ?'
    >>> read_partial_matrix(path.parent / "none.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: ...none.txt: file does not exist
    """
    name = str(path)
    if not os.path.exists(name):
        raise InputError(f"{name}: file does not exist")
    if name.endswith(".npy"):
        try:
            array = np.load(name, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise InputError(f"{name}: not a readable .npy array ({exc})") from None
        return partial_matrix_from_array(array, source=name)
    try:
        with open(name, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise InputError(f"{name}: not a text file; expected rows of numbers (or a .npy array)") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    if "\x00" in text:
        raise InputError(f"{name}: not a text file; expected rows of numbers (or a .npy array)")
    return parse_partial_matrix(text, source=name)

