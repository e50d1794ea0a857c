"""Proven bounds on a Jacobian rank at the exact point.

- Ball arithmetic (any analytic model): an ``r x r`` minor of the Jacobian,
  evaluated in python-flint ``arb`` balls at the exact float values of the
  point and the inputs, whose determinant ball excludes 0, proves
  ``rank >= r`` there.
- Exact kernel certificates (any analytic model with a symbolic form): ``M``
  minus the span of verified kernel vectors bounds the rank above; for
  polynomial models the exact coefficient rank over the rationals does.
- Zero columns: a column of the float64 Jacobian that is exactly 0 and whose
  ball-arithmetic entries at every input are the exact ball ``0 +/- 0`` is
  zero at these inputs, so ``rank <= M - (number of such columns)`` (for
  instance the weights of an input coordinate that is 0 in every input).
- Modular arithmetic (polynomial models): the exact rank modulo a large prime
  of the Jacobian at a random integer point and integer inputs is at most its
  rank over the rationals, hence at most the generic rank: a proven lower bound
  of the generic model rank (a statement about the model, not about the
  Jacobian at a given float point, so it is not part of a result's interval).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from rankstrat.numerics.model.jacobian import jacobian_arb, jacobian_exact
from rankstrat.numerics.rank.budget import BudgetExceeded, step_seconds, time_budget
from rankstrat.theory.errors import InputError, SpecError
from rankstrat.theory.model.symbolic import num_params
from rankstrat.theory.spec import Spec

MAX_KERNEL_PARAMS = 200
"""Largest parameter count for exact kernel certificates (each also runs under :data:`CERTIFY_SECONDS`)."""
MAX_CERTIFY_PARAMS = 200
"""Largest parameter count for ball-arithmetic minors."""
PRIME = 2**61 - 1
"""Modulus of the exact rank computation (a Mersenne prime)."""
BALL_PRECISIONS = (256, 1024, 4096)
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
    for bits in BALL_PRECISIONS:
        with flint.ctx.workprec(bits):
            det = jacobian_arb(spec, theta, X, rows, cols).det()
        if not det.contains(0):
            return True
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


CERTIFY_SECONDS = 60.0
"""Wall-clock budget of one certificate (symbolic expansion can grow without bound)."""
FATAL = (BudgetExceeded, RecursionError, MemoryError)
"""Certificate failures after which no further symbolic work is tried for the same result."""


def _failed(result, what: str, exc: Exception) -> bool:
    text = str(exc).splitlines()[0][:160] if str(exc) else ""
    result.warnings.append(f"{what} failed ({type(exc).__name__}{': ' + text if text else ''}); the bound stays weaker")
    return not isinstance(exc, FATAL)


def prove_lower_bound(result, spec: Spec, theta, X, J: np.ndarray, candidates) -> bool:
    """Raise ``result.lower_bound`` to the largest candidate ``r`` proven by a ball minor.

    Candidates above the proven upper bound or at most the current lower bound
    are skipped; the largest is tried first. A failure of the certificate
    itself (for instance an expression too deep to compile) leaves the bound
    as it was and is recorded as a warning, never raised.

    Parameters
    ----------
    result : RankResult
    spec : Spec
    theta : array (M,)
    X : array (n, D)
    J : array (n, M)
        Float64 Jacobian (possibly row/column scaled), used to choose the minor.
    candidates : iterable of int

    Returns
    -------
    bool
        False when the certificate failed in a way that makes further symbolic
        work pointless (time budget, recursion depth, memory).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.rank.engine import jacobian_rank
    >>> from rankstrat.numerics.model.jacobian import jacobian
    >>> from rankstrat.numerics.model.points import flat_point, generic_inputs, random_point
    >>> spec = parse_spec("twolayer:d=2,k=2")
    >>> point, X = random_point(spec), generic_inputs(spec, 12)
    >>> theta = flat_point(spec, point)
    >>> result = jacobian_rank(spec, point, X, certify=False, escalate=False)
    >>> ok = prove_lower_bound(result, spec, theta, X, jacobian(spec, theta, X), [6])
    >>> result.lower_method
    'arb ball determinant of a 6x6 minor'
    """
    if len(theta) > MAX_CERTIFY_PARAMS:
        return True
    low, up = result.lower_bound or 0, result.upper_bound
    tried = sorted({int(r) for r in candidates if r is not None and low < r <= (up if up is not None else r)}, reverse=True)
    for r in tried:
        result.methods.append(f"ball-arithmetic {r}x{r} minor")
        try:
            with time_budget(step_seconds(CERTIFY_SECONDS)):
                proven = ball_minor_bound(spec, theta, X, J, r)
        except Exception as exc:  # noqa: BLE001 -- a certificate that cannot be built proves nothing
            return _failed(result, "ball-arithmetic certificate", exc)
        if proven:
            result.lower_bound, result.lower_method = r, f"arb ball determinant of a {r}x{r} minor"
            return True
    return True


def prove_upper_bound(result, spec: Spec, theta) -> bool:
    """Lower ``result.upper_bound`` by exact kernel certificates at the point.

    Polynomial models: the exact rank of the gradient's coefficient matrix over
    the rationals. Other analytic models: ``M`` minus the span of the verified
    symmetry kernel vectors (:mod:`rankstrat.theory.rank.kernel_certificates`),
    listing which certificates were used. Kernel vectors are identities in the
    input, so the bound holds at any inputs. A failing certificate is recorded
    as a warning and proves nothing.

    Returns
    -------
    bool
        False when the certificate failed in a way that makes further symbolic
        work pointless (time budget, recursion depth, memory).

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
    if len(theta) > MAX_KERNEL_PARAMS:
        return True
    result.methods.append("exact kernel certificates")
    try:
        with time_budget(step_seconds(CERTIFY_SECONDS)):
            bound, method = _kernel_bound(spec, theta)
    except (InputError, SpecError):  # a declared symmetry that is not one: the user's file is wrong
        raise
    except Exception as exc:  # noqa: BLE001 -- a certificate that cannot be built proves nothing
        return _failed(result, "exact kernel certificate", exc)
    if result.upper_bound is None or bound < result.upper_bound:
        result.upper_bound, result.upper_method = bound, method
    return True


def zero_columns(spec: Spec, theta, X, J: np.ndarray) -> list:
    """Columns proven identically zero at these inputs (exact zero balls).

    Parameters
    ----------
    spec : Spec
    theta : array (M,)
    X : array (n, D)
    J : array (n, M)
        The float64 Jacobian: only its all-zero columns are checked.

    Returns
    -------
    list of int

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.jacobian import jacobian
    >>> spec, theta = parse_spec("twolayer:d=2,k=1"), np.array([0.7, 1.3, 2.0])
    >>> X = np.array([[0.5, 0.0], [-1.0, 0.0], [2.0, 0.0]])   # x_1 = 0 in every input
    >>> zero_columns(spec, theta, X, jacobian(spec, theta, X))
    [1]
    """
    candidates = [j for j in range(J.shape[1]) if not np.any(J[:, j])]
    if not candidates:
        return []
    balls = jacobian_arb(spec, theta, X, cols=candidates)
    return [j for c, j in enumerate(candidates) if all(balls[i, c].is_zero() for i in range(balls.nrows()))]


def prove_zero_columns(result, spec: Spec, theta, X, J: np.ndarray) -> bool:
    """Lower ``result.upper_bound`` to ``M`` minus the proven zero columns.

    Returns False when the certificate failed in a way that makes further
    symbolic work pointless.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.rank.engine import jacobian_rank
    >>> spec = parse_spec("twolayer:d=2,k=1")
    >>> X = np.array([[0.5, 0.0], [-1.0, 0.0], [2.0, 0.0]])
    >>> result = jacobian_rank(spec, {"W": [[0.7, 1.3]], "a": [2.0]}, X)
    >>> result.rank, result.certainty, result.upper_method
    (2, 'certified', '1 column(s) exactly zero in ball arithmetic at these inputs')
    """
    if len(theta) > MAX_CERTIFY_PARAMS or np.all(np.any(J, axis=0)):
        return True
    result.methods.append("zero columns in ball arithmetic")
    try:
        with time_budget(step_seconds(CERTIFY_SECONDS)):
            zero = zero_columns(spec, theta, X, J)
    except Exception as exc:  # noqa: BLE001 -- a certificate that cannot be built proves nothing
        return _failed(result, "zero-column certificate", exc)
    bound = len(theta) - len(zero)
    if zero and (result.upper_bound is None or bound < result.upper_bound):
        result.upper_bound = bound
        result.upper_method = f"{len(zero)} column(s) exactly zero in ball arithmetic at these inputs"
    return True


def _kernel_bound(spec: Spec, theta) -> tuple[int, str]:
    from rankstrat.theory.rank.kernel_certificates import certified_upper_bound, exact_polynomial_rank, summarize

    bound, method = None, ""
    if spec.polynomial:
        bound, method = exact_polynomial_rank(spec, theta), "exact coefficient rank over Q at the point"
    if not spec.polynomial or getattr(spec, "symmetries", None) is not None:  # declared vectors: always verified
        kernel_bound, certificates = certified_upper_bound(spec, theta)
        span = len(theta) - kernel_bound
        kernel_method = f"kernel certificates: {summarize(certificates)} ({len(certificates)} vectors, span {span})"
        if bound is None or kernel_bound <= bound:
            bound, method = kernel_bound, kernel_method + (f"; also {method}" if method else "")
    return bound, method
