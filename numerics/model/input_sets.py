"""Input sets named on the command line (``--inputs``), generic or deliberately structured.

``KIND:N[,key=value...]`` or a file:

- ``random:N``: ``N`` standard normal inputs (generic);
- ``digits:N``: ``N`` of scikit-learn's bundled 8x8 digit images (64
  features in [0, 1]), drawn without replacement by the seed;
- ``repeated:N,distinct=P``: ``N`` inputs that are only ``P`` distinct
  random points, each repeated;
- ``hyperplane:N[,axis=J]``: ``N`` random inputs with coordinate ``J``
  (default the last) set to zero: a hyperplane through the origin;
- ``entries:N|all[,skip-row=I][,skip-col=J]`` (``mf``): observed entries of
  the product as inputs ``(e_i, e_j)``, ``N`` random distinct ones or all,
  leaving row ``I`` / column ``J`` unobserved;
- ``FILE``: ``.npy``, ``.csv`` (comma separated), ``.txt`` (whitespace) or
  ``.json`` (list of rows), shape ``(n, D)``.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass

import numpy as np

from rankstrat.theory.errors import InputError

KINDS = ("random", "digits", "repeated", "hyperplane", "entries")
ACCEPTED = (
    "random:N, digits:N, repeated:N,distinct=P, hyperplane:N[,axis=J], "
    "entries:N|all[,skip-row=I][,skip-col=J] (mf), or a .npy/.csv/.txt/.json file"
)
DIGITS_FEATURES = 64


@dataclass(frozen=True)
class InputSet:
    """Inputs and how they were named.

    Attributes
    ----------
    X : ndarray (n, D)
    text : str
    note : str
        What is structured about them (e.g. constant pixels), or empty.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> resolve_inputs(parse_spec("twolayer:d=3,k=2"), "repeated:6,distinct=2").note
    '6 inputs, only 2 distinct points'
    """

    X: np.ndarray
    text: str
    note: str = ""


def _positive(value: str, what: str) -> int:
    """A positive integer in ASCII digits (``1e3`` too), else one line naming ``what``.

    Examples
    --------
    >>> _positive("1e3", "distinct")
    1000
    >>> _positive("\uff13", "distinct")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --inputs: distinct must be a positive integer in ASCII digits, got '３'
    """
    from rankstrat.theory.values import parse_integer

    try:
        return parse_integer(value, what, minimum=1)
    except InputError:
        raise InputError(f"--inputs: {what} must be a positive integer in ASCII digits, got {value!r}") from None


def _options(parts: list, allowed: tuple, text: str) -> dict:
    out = {}
    for part in parts:
        key, eq, value = part.partition("=")
        if not eq or key.strip() not in allowed:
            raise InputError(
                f"--inputs: cannot read {part!r} in {text!r}; options here: {', '.join(allowed) or 'none'}"
            )
        if key.strip() in out:
            raise InputError(f"--inputs: {key.strip()} given twice in {text!r}")
        out[key.strip()] = value.strip()
    return out


def digits_images(count: int, seed: int = 0) -> np.ndarray:
    """``count`` digit images (64 features in [0, 1]), a seeded draw without replacement.

    Uses :func:`rankstrat.numerics.datasets.load_digits` (scikit-learn's bundled data, offline).

    Examples
    --------
    >>> X = digits_images(5)
    >>> X.shape, float(X.min()) >= 0.0, float(X.max()) <= 1.0
    ((5, 64), True, True)
    """
    from rankstrat.numerics.datasets import load_digits

    X, _ = load_digits()
    if not 1 <= count <= len(X):
        raise InputError(f"--inputs: digits:{count}: between 1 and {len(X)} images are available")
    order = np.random.default_rng(30_000 + seed).permutation(len(X))
    return X[order[:count]]


def constant_zero_features(X: np.ndarray) -> list:
    """Indices of the features that are zero in every input.

    Examples
    --------
    >>> constant_zero_features(np.array([[0.0, 1.0, 0.0], [0.0, 2.0, 3.0]]))
    [0]
    """
    return [int(j) for j in np.flatnonzero(np.all(np.asarray(X) == 0.0, axis=0))]


def _entries(spec, count_text: str, options: dict, seed: int, text: str) -> InputSet:
    if spec.family != "mf":
        raise InputError(f"--inputs: entries: applies to mf specs, not {spec.family}")
    n1, n2 = spec["n1"], spec["n2"]
    skip_row = skip_col = None
    if "skip-row" in options:
        skip_row = int(options["skip-row"]) if options["skip-row"].isdigit() else -1
        if not 0 <= skip_row < n1:
            raise InputError(f"--inputs: skip-row must be a row index 0..{n1 - 1}, got {options['skip-row']!r}")
    if "skip-col" in options:
        skip_col = int(options["skip-col"]) if options["skip-col"].isdigit() else -1
        if not 0 <= skip_col < n2:
            raise InputError(f"--inputs: skip-col must be a column index 0..{n2 - 1}, got {options['skip-col']!r}")
    cells = [(i, j) for i in range(n1) for j in range(n2) if i != skip_row and j != skip_col]
    if count_text != "all":
        count = _positive(count_text, "the number of entries")
        if count > len(cells):
            raise InputError(f"--inputs: {count} entries requested, only {len(cells)} are available")
        order = np.random.default_rng(40_000 + seed).permutation(len(cells))[:count]
        cells = [cells[i] for i in sorted(order)]
    X = np.zeros((len(cells), n1 + n2))
    for row, (i, j) in enumerate(cells):
        X[row, i] = 1.0
        X[row, n1 + j] = 1.0
    skipped = []
    if skip_row is not None:
        skipped.append(f"row {skip_row}")
    if skip_col is not None:
        skipped.append(f"column {skip_col}")
    note = f"{len(cells)} observed entries" + (f", {' and '.join(skipped)} unobserved" if skipped else "")
    return InputSet(X, text, note)


def _from_file(spec, path: str) -> InputSet:
    if not os.path.exists(path):
        raise InputError(f"--inputs: file {path!r} does not exist; accepted: {ACCEPTED}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy warns of an empty file; the check below refuses it in one line
            if path.endswith(".npy"):
                X = np.load(path)
            elif path.endswith(".json"):
                with open(path) as handle:
                    X = np.asarray(json.load(handle), dtype=np.float64)
            elif path.endswith(".csv"):
                X = np.loadtxt(path, delimiter=",", ndmin=2)
            else:
                X = np.loadtxt(path, ndmin=2)
            X = np.asarray(X, dtype=np.float64)
    except (ValueError, TypeError, OSError, json.JSONDecodeError) as exc:
        reason = " ".join(str(exc).split())[:120]
        raise InputError(f"--inputs: cannot read {path!r} as a numeric array (n rows of numbers): {reason}") from None
    dim = spec.module.input_dim(spec)
    if X.size == 0:
        raise InputError(f"--inputs: {path!r} holds no inputs; expected n rows of {dim} numbers")
    if X.ndim == 1 and dim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[1] != dim or len(X) == 0:
        raise InputError(f"--inputs: {path!r} holds shape {X.shape}; expected (n, {dim}) for {spec}")
    if not np.all(np.isfinite(X)):
        raise InputError(f"--inputs: {path!r} holds non-finite values")
    return InputSet(X, path)


def resolve_inputs(spec, text: str, seed: int = 0) -> InputSet:
    """The input set named by ``--inputs`` (see the module docstring).

    Parameters
    ----------
    spec : Spec or UserModel
    text : str
    seed : int

    Returns
    -------
    InputSet

    Raises
    ------
    InputError
        Naming the option, the value and what is accepted.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> resolve_inputs(parse_spec("mf:n1=3,k=1,n2=3"), "entries:all,skip-row=1").X.shape
    (6, 6)
    >>> resolve_inputs(parse_spec("twolayer:d=3,k=2"), "hyperplane:4").X[:, 2].tolist()
    [0.0, 0.0, 0.0, 0.0]
    >>> resolve_inputs(parse_spec("twolayer:d=3,k=2"), "digits:10")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --inputs: digits images have 64 features; twolayer:d=3,k=2,act=tanh,bias=0 takes inputs of length 3 (use d=64 for mlp/twolayer, or cnn2d with d=8)
    """
    from rankstrat.numerics.model.points import generic_inputs

    text = str(text).strip()
    kind, sep, rest = text.partition(":")
    if not sep or kind not in KINDS:
        if os.path.splitext(text)[1] in (".npy", ".csv", ".txt", ".json"):
            return _from_file(spec, text)
        raise InputError(f"--inputs: cannot read {text!r}; accepted: {ACCEPTED}")
    parts = [p.strip() for p in rest.split(",") if p.strip()]
    if not parts:
        raise InputError(f"--inputs: {kind}: needs a count, e.g. {kind}:20")
    count_text, extra = parts[0], parts[1:]
    dim = spec.module.input_dim(spec)
    if kind == "entries":
        return _entries(spec, count_text, _options(extra, ("skip-row", "skip-col"), text), seed, text)
    count = _positive(count_text, f"the count in {text!r}")
    if kind == "random":
        _options(extra, (), text)
        return InputSet(generic_inputs(spec, count, seed), text)
    if kind == "digits":
        _options(extra, (), text)
        if dim != DIGITS_FEATURES:
            raise InputError(
                f"--inputs: digits images have 64 features; {spec} takes inputs of length {dim} "
                "(use d=64 for mlp/twolayer, or cnn2d with d=8)"
            )
        X = digits_images(count, seed)
        zero = constant_zero_features(X)
        note = f"{len(zero)} pixels are zero in every image: {', '.join(map(str, zero))}" if zero else ""
        return InputSet(X, text, note)
    if kind == "repeated":
        options = _options(extra, ("distinct",), text)
        if "distinct" not in options:
            raise InputError(f"--inputs: repeated:{count} needs distinct=P, e.g. repeated:{count},distinct=3")
        distinct = _positive(options["distinct"], "distinct")
        if distinct > count:
            raise InputError(f"--inputs: distinct={distinct} exceeds the {count} inputs")
        points = generic_inputs(spec, distinct, seed)
        return InputSet(points[np.arange(count) % distinct], text, f"{count} inputs, only {distinct} distinct points")
    options = _options(extra, ("axis",), text)
    axis = dim - 1
    if "axis" in options:
        axis = int(options["axis"]) if options["axis"].isdigit() else -1
        if not 0 <= axis < dim:
            raise InputError(f"--inputs: axis must be a coordinate 0..{dim - 1}, got {options['axis']!r}")
    X = generic_inputs(spec, count, seed)
    X[:, axis] = 0.0
    return InputSet(X, text, f"every input has x_{axis} = 0 (a hyperplane through the origin)")
