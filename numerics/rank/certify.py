"""Proven lower bounds on a Jacobian rank.

- Ball arithmetic (any analytic model): an ``r x r`` minor of the Jacobian,
  evaluated in python-flint ``arb`` balls at the exact float values of the
  point and the inputs, whose determinant ball excludes 0, proves
  ``rank >= r`` there.
- Modular arithmetic (polynomial models): the exact rank modulo a large prime
  of the Jacobian at a random integer point and integer inputs is at most its
  rank over the rationals, hence at most the generic rank: a proven lower bound
  of the generic model rank.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from rankstrat.numerics.model.jacobian import jacobian_arb, jacobian_exact
from rankstrat.theory.model.symbolic import num_params
from rankstrat.theory.spec import Spec

MAX_KERNEL_PARAMS = 80
"""Largest parameter count for exact kernel certificates (symbolic work grows fast)."""
PRIME = 2**61 - 1
"""Modulus of the exact rank computation (a Mersenne prime)."""
BALL_PRECISIONS = (256, 1024)
"""Working precisions (bits) tried for the determinant ball."""


def pivot_minor(J: np.ndarray, r: int) -> tuple[list, list]:
    """Rows and columns of a well-conditioned ``r x r`` minor, by pivoted QR.

    Examples
    --------
    >>> rows, cols = pivot_minor(np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 1.0]]), 2)
    >>> sorted(cols), len(rows)
    ([0, 1], 2)
    """
    _, col_piv = scipy.linalg.qr(J, mode="r", pivoting=True)
    cols = sorted(int(c) for c in col_piv[:r])
    _, row_piv = scipy.linalg.qr(J[:, cols].T, mode="r", pivoting=True)
    rows = sorted(int(i) for i in row_piv[:r])
    return rows, cols


def ball_minor_bound(spec: Spec, theta, X, J: np.ndarray, r: int) -> bool:
    """Prove ``rank J >= r`` with an ``r x r`` minor in ball arithmetic.

    Parameters
    ----------
    spec : Spec
        An analytic model (not relu).
    theta : array (M,)
    X : array (n, D)
    J : array (n, M)
        The float64 Jacobian, used only to choose the minor.
    r : int

    Returns
    -------
    bool
        True when the determinant ball excludes zero (a proof).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.jacobian import jacobian
    >>> spec, theta, X = parse_spec("twolayer:d=1,k=1"), np.array([0.7, 1.3]), np.array([[0.5], [-1.0]])
    >>> ball_minor_bound(spec, theta, X, jacobian(spec, theta, X), 2)
    True
    """
    import flint

    if r == 0:
        return True
    rows, cols = pivot_minor(J, r)
    saved = flint.ctx.prec
    try:
        for bits in BALL_PRECISIONS:
            flint.ctx.prec = bits
            det = jacobian_arb(spec, theta, X, rows, cols).det()
            if not det.contains(0):
                return True
    finally:
        flint.ctx.prec = saved
    return False


def modular_rank(spec: Spec, seed: int = 0, n_inputs: int | None = None, prime: int = PRIME) -> int:
    """Exact rank modulo ``prime`` of the Jacobian at a random integer point.

    A proven lower bound of the generic model rank of a polynomial model.

    Parameters
    ----------
    spec : Spec
        Polynomial model (``mf`` or a ``powP`` activation).
    seed : int
    n_inputs : int, optional
        Integer inputs used; default ``2 M``.
    prime : int

    Returns
    -------
    int

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> modular_rank(parse_spec("mf:n1=4,k=4,n2=4"))
    16
    >>> modular_rank(parse_spec("twolayer:d=3,k=5,act=pow2"))
    6
    """
    import flint

    rng = np.random.default_rng(20_000 + seed)
    size = num_params(spec)
    n = 2 * size if n_inputs is None else n_inputs
    theta = rng.integers(-30, 31, size=size)
    X = rng.integers(-30, 31, size=(n, spec.module.input_dim(spec)))
    J = jacobian_exact(spec, theta, X)
    flat = [int(v) % prime for row in J for v in row]
    return int(flint.nmod_mat(n, size, flat, prime).rank())


def _upgrade(result, bound: int, method: str) -> None:
    if result.lower_bound is None or bound > result.lower_bound:
        result.lower_bound, result.lower_method = bound, method
    if result.rank is not None and result.lower_bound > result.rank:
        result.warnings.append(
            f"proven lower bound {result.lower_bound} ({result.lower_method}) exceeds the measured rank "
            f"{result.rank}: the measurement is wrong, rank undecided"
        )
        result.rank, result.certainty = None, "undecided"
        return
    if result.lower_bound == result.num_params and result.upper_bound is None:
        result.upper_bound, result.upper_method = result.num_params, "parameter count M"
    if result.rank is not None and result.lower_bound == result.rank:
        if result.upper_bound == result.rank:
            result.certainty = "certified"
        elif result.certainty != "certified":
            result.certainty = "certified-lower-bound"


def attach_lower_bound(result, spec: Spec, theta, X, J: np.ndarray) -> None:
    """Prove ``rank >= result.rank`` at the point by a ball minor, and record it.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.rank.engine import jacobian_rank
    >>> from rankstrat.numerics.model.jacobian import jacobian
    >>> spec, theta, X = parse_spec("twolayer:d=2,k=2"), np.array([0.3, -0.7, 1.1, 0.4, 0.9, -1.2]), np.eye(2).repeat(6, 0) + np.arange(24.0).reshape(12, 2) / 7
    >>> result = jacobian_rank(spec, {"W": theta[:4].reshape(2, 2), "a": theta[4:]}, X, certify=False)
    >>> attach_lower_bound(result, spec, theta, X, jacobian(spec, theta, X)); result.lower_method
    'arb ball determinant of a 6x6 minor'
    """
    r = result.rank
    result.methods.append("ball-arithmetic minor")
    if ball_minor_bound(spec, theta, X, J, r):
        _upgrade(result, r, f"arb ball determinant of a {r}x{r} minor")


def attach_modular_bound(result, spec: Spec, seed: int = 0) -> None:
    """Record the modular lower bound of the generic rank (polynomial models).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.rank.engine import model_rank
    >>> model_rank(parse_spec("mf:n1=2,k=2,n2=2"), certify=False).lower_bound is None
    True
    """
    result.methods.append("exact rank mod p")
    _upgrade(result, modular_rank(spec, seed), f"exact rank mod 2^61-1 at a random integer point")


def attach_upper_bound(result, spec: Spec, theta) -> None:
    """Prove an upper bound of the rank at the point and record it.

    Polynomial models: the exact rank of the gradient's coefficient matrix over
    the rationals (the model rank at the point, exactly). Other analytic models:
    ``M`` minus the span of the verified symmetry kernel vectors
    (:mod:`rankstrat.theory.rank.kernel_certificates`), listing which certificates were used.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.rank.engine import jacobian_rank
    >>> from rankstrat.numerics.model.points import generic_inputs
    >>> from rankstrat.numerics.families.twolayer import Neuron, twolayer_point
    >>> spec = parse_spec("twolayer:d=2,k=3")
    >>> point = twolayer_point(spec, [Neuron(1), Neuron(1, -1), Neuron(2, output=False)])
    >>> result = jacobian_rank(spec, point, generic_inputs(spec, 18))
    >>> result.rank, result.certainty, result.upper_method
    (4, 'certified', 'kernel certificates: 3 proportional columns, 2 zero column (5 vectors, span 5)')
    """
    from rankstrat.theory.rank.kernel_certificates import certified_upper_bound, exact_polynomial_rank, summarize

    if spec.polynomial:
        bound, method = exact_polynomial_rank(spec, theta), "exact coefficient rank over Q at the point"
    else:
        bound, certificates = certified_upper_bound(spec, theta)
        span = len(theta) - bound
        method = f"kernel certificates: {summarize(certificates)} ({len(certificates)} vectors, span {span})"
    result.methods.append("exact kernel certificates")
    if result.upper_bound is None or bound < result.upper_bound:
        result.upper_bound, result.upper_method = bound, method
    if result.rank is not None and result.upper_bound < result.rank:
        result.warnings.append(
            f"proven upper bound {result.upper_bound} is below the measured rank {result.rank}: rank undecided"
        )
        result.rank, result.certainty = None, "undecided"
        return
    if result.rank is not None and result.upper_bound == result.rank == result.lower_bound:
        result.certainty = "certified"
