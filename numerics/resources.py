"""Memory and work a request needs, estimated from the sizes before anything is allocated.

A rank decision builds the float64 Jacobian of ``n`` inputs by ``M`` parameters
(``2 M`` inputs by default) and takes its singular values; a certificate works
on exact or high-precision copies of a few of its minors. :func:`rank_estimate`
gives the bytes from the sizes alone, and :func:`check_estimate` refuses, with
the estimate in the message, what would not fit in ``--max-memory`` (by
default :data:`DEFAULT_FRACTION` of the machine's memory), in well under a
second, instead of failing minutes later in the allocator.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

from rankstrat.theory.errors import InputError, ResourceError

BYTES_PER_ENTRY = 8
"""float64."""
WORKING_COPIES = 3
"""The Jacobian, the copy the SVD factors, and the SVD's workspace."""
DEFAULT_FRACTION = 0.5
"""Share of the machine's memory a request may use by default."""
MAX_STRATA = 20_000
"""Most strata listed (or checked) in one call."""
MAX_DEGREE = 64
"""Highest polynomial activation degree ``powP`` the symbolic side expands."""

_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
          "t": 10**12, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


@dataclass(frozen=True)
class Estimate:
    """Bytes a request needs, and what they are for.

    Examples
    --------
    >>> str(Estimate(3 * 10**9, "Jacobian 1000 x 1000"))
    '3.0 GB (Jacobian 1000 x 1000)'
    """

    bytes: int
    detail: str

    def __str__(self) -> str:
        return f"{format_bytes(self.bytes)} ({self.detail})"


def format_bytes(count: float) -> str:
    """Bytes in decimal units, one decimal.

    Examples
    --------
    >>> format_bytes(999), format_bytes(23_400_000_000), format_bytes(8 * 10**20)
    ('999 B', '23.4 GB', '800000000.0 TB')
    >>> format_bytes(48_096_048_000_000)
    '48.1 TB'
    """
    for unit, size in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= size:
            return f"{count / size:.1f} {unit}" if count < 1000 * size or unit == "TB" else f"{count / size:.0f} {unit}"
    return f"{int(count)} B"


def machine_memory() -> int | None:
    """Physical memory of this machine in bytes, None when unknown.

    Examples
    --------
    >>> machine_memory() is None or machine_memory() > 0
    True
    """
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def default_max_memory() -> int:
    """:data:`DEFAULT_FRACTION` of the machine's memory (4 GB when unknown).

    Examples
    --------
    >>> default_max_memory() > 0
    True
    """
    total = machine_memory()
    return int(DEFAULT_FRACTION * total) if total else 4 * 10**9


def parse_memory(text, option: str = "--max-memory") -> int:
    """``8G``, ``512MB``, ``1.5GiB`` or a number of bytes.

    Raises
    ------
    InputError

    Examples
    --------
    >>> parse_memory("8G"), parse_memory("1.5GiB"), parse_memory("1000")
    (8000000000, 1610612736, 1000)
    >>> parse_memory("lots")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --max-memory: cannot read 'lots'; expected a size such as 8G, 512MB or 2GiB
    """
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([A-Za-z]*)\s*", str(text), re.ASCII)
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _UNITS:
        raise InputError(f"{option}: cannot read {str(text)!r}; expected a size such as 8G, 512MB or 2GiB")
    value = float(match.group(1)) * _UNITS[unit]
    if not math.isfinite(value) or value < 1:
        raise InputError(f"{option}: {str(text)!r} must be a positive size")
    return int(value)


def parameter_count(spec) -> int:
    """``M`` from the shapes, in exact integers (no overflow for huge sizes).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> parameter_count(parse_spec("twolayer:d=3,k=1000000000"))
    4000000000
    """
    from rankstrat.theory.model.symbolic import param_shapes

    return sum(math.prod(int(n) for n in shape) for shape in param_shapes(spec).values())


def jacobian_bytes(n_inputs: int, n_params: int) -> int:
    """Bytes of the float64 rank decision on an ``n x M`` Jacobian (:data:`WORKING_COPIES` copies).

    Examples
    --------
    >>> jacobian_bytes(10, 5)
    1200
    """
    return WORKING_COPIES * BYTES_PER_ENTRY * int(n_inputs) * int(n_params)


def rank_estimate(spec, n_inputs: int | None = None) -> Estimate:
    """Memory of a rank decision of ``spec`` at ``n_inputs`` inputs (default ``2 M``).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> str(rank_estimate(parse_spec("twolayer:d=1000,k=1000")))
    '48.1 TB (Jacobian 2002000 x 1001000 float64, 3 working copies)'
    """
    params = parameter_count(spec)
    n = 2 * params if n_inputs is None else int(n_inputs)
    return Estimate(jacobian_bytes(n, params), f"Jacobian {n} x {params} float64, {WORKING_COPIES} working copies")


def inputs_estimate(spec, n_inputs: int) -> Estimate:
    """Memory of an ``n x D`` float64 input set.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> str(inputs_estimate(parse_spec("twolayer:d=3,k=1"), 100_000_000))
    '2.4 GB (inputs 100000000 x 3 float64)'
    """
    dim = int(spec.module.input_dim(spec))
    return Estimate(BYTES_PER_ENTRY * int(n_inputs) * dim, f"inputs {n_inputs} x {dim} float64")


def check_estimate(estimate: Estimate, limit: int | None = None, option: str = "--max-memory") -> Estimate:
    """Refuse an estimate over ``limit`` bytes (default :func:`default_max_memory`).

    Raises
    ------
    ResourceError
        With the estimate, the limit and what to change.

    Examples
    --------
    >>> check_estimate(Estimate(10, "tiny"), 100).bytes
    10
    >>> check_estimate(Estimate(3 * 10**12, "Jacobian"), 8 * 10**9)
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.ResourceError: needs about 3.0 TB (Jacobian), over the 8.0 GB allowed by --max-memory; use smaller sizes or fewer inputs, or raise --max-memory
    """
    limit = default_max_memory() if limit is None else int(limit)
    if estimate.bytes > limit:
        raise ResourceError(f"needs about {estimate}, over the {format_bytes(limit)} allowed by {option}; "
                            "use smaller sizes or fewer inputs, or raise --max-memory")
    return estimate


def check_degree(spec) -> None:
    """Refuse a polynomial activation of degree above :data:`MAX_DEGREE` (its expansions explode).

    Raises
    ------
    ResourceError

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> check_degree(parse_spec("twolayer:d=2,k=2,act=pow3"))
    >>> check_degree(parse_spec("twolayer:d=2,k=2,act=pow100"))
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.ResourceError: act=pow100: degree 100 is above the 64 the symbolic side expands; use a degree <= 64
    """
    act = getattr(spec, "activation", None)
    degree = getattr(act, "degree", None)
    if degree is not None and degree > MAX_DEGREE:
        raise ResourceError(f"act=pow{degree}: degree {degree} is above the {MAX_DEGREE} the symbolic side "
                            f"expands; use a degree <= {MAX_DEGREE}")


def check_request(spec, n_inputs: int | None = None, limit: int | None = None) -> Estimate:
    """Refuse a rank request on ``spec`` that is too large (:func:`check_degree`, :func:`check_estimate`).

    Returns
    -------
    Estimate
        The memory estimate when it fits.

    Raises
    ------
    ResourceError

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> check_request(parse_spec("mf:n1=2,k=1,n2=2")).bytes
    768
    """
    check_degree(spec)
    return check_estimate(rank_estimate(spec, n_inputs), limit)


def strata_count(spec) -> int:
    """How many strata :func:`rankstrat.theory.rank.stratum.list_strata` would list, from the sizes alone.

    An upper bound for the families that state strata (mf, twolayer, cnn);
    0 for the others.

    Examples
    --------
    >>> from rankstrat.theory.rank.stratum import list_strata
    >>> from rankstrat.theory.spec import parse_spec
    >>> [strata_count(parse_spec(t)) >= len(list_strata(parse_spec(t)))
    ...  for t in ("mf:n1=3,k=2,n2=4", "twolayer:d=2,k=3,bias=1", "cnn1d:d=5,s=3,k=2,share=0")]
    [True, True, True]
    >>> strata_count(parse_spec("mf:n1=100000,k=1000,n2=100000"))
    1002001
    """
    family = getattr(spec, "family", None)
    if family == "mf":
        if spec["depth"] != 2:
            return 0
        return (min(spec["n1"], spec["k"]) + 1) * (min(spec["k"], spec["n2"]) + 1)
    if family == "twolayer":
        k = spec["k"]
        return (k + 1) * (k + 2) // 2 * (3 if spec["bias"] else 2)
    if family in ("cnn1d", "cnn2d"):
        from rankstrat.theory.families.cnn import positions

        return spec["k"] + 1 if spec["share"] else spec["k"] * positions(spec) + 1
    return 0
