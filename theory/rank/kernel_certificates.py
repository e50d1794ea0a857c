"""Upper bounds on the model rank at a point, proven by explicit kernel vectors.

A kernel vector ``v`` of the Jacobian at ``theta`` is a direction along which
``f(x; theta)`` does not move to first order, for every input ``x``:
``sum_j v_j df/dtheta_j (x; theta) == 0`` identically in ``x``. Each vector is
built from a symmetry of the model and then *verified* exactly in sympy at
the exact rational value of the point (a float is a rational number). If the
verified vectors span a space of dimension ``K``, the model rank at the point
is at most ``M - K``.

Symmetries used:

- ``scaling`` (matrix factorization): ``A -> A G``, ``B -> G^-1 B`` for each
  pair of adjacent factors gives ``(A E_pq, -E_pq B)``;
- ``homogeneity`` (``powP``): ``(a, w, b) -> (c^-P a, c w, c b)`` per neuron;
- ``proportional columns``: two derivative columns equal up to a constant
  factor, or a zero column. This is how neuron duplication (splitting of
  output weights), the sign symmetry of odd activations, zero-output neurons
  and zero-weight neurons show in the Jacobian;
- ``declared symmetry``: vectors a user model file declares
  (``SYMMETRIES``), verified exactly; a declared vector outside the kernel is
  refused with an error, never dropped silently.

For polynomial models :func:`exact_polynomial_rank` gives the rank at the
point exactly (coefficient matrix over the rationals): both bounds at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from rankstrat.theory.model.symbolic import param_names, param_shapes, symbolic_model
from rankstrat.theory.spec import Spec


@dataclass(frozen=True)
class KernelCertificate:
    """One kernel vector and the symmetry it comes from.

    Attributes
    ----------
    kind : str
        ``scaling``, ``homogeneity``, ``zero column`` or ``proportional columns``.
    detail : str
        Which parameters.
    vector : tuple of sympy numbers
        Length ``M``, in :func:`rankstrat.theory.model.symbolic.param_names` order. Rational
        for scaling and homogeneity; proportional columns may carry exact
        transcendental factors such as ``tanh(3/16)``.
    pivot : int or None
        For zero and proportional columns: the index of the column the vector
        removes. Its entry is nonzero and no other such vector touches it, so
        these vectors are independent by construction.

    Examples
    --------
    >>> KernelCertificate("zero column", "a[0]", (sympy.Integer(1),), pivot=0).kind
    'zero column'
    """

    kind: str
    detail: str
    vector: tuple
    pivot: int | None = None


def exact_values(theta) -> list:
    """The exact rationals of float parameter values.

    Examples
    --------
    >>> exact_values([0.5, 0.1])[0], exact_values([0.1])[0] == sympy.Rational(1, 10)
    (1/2, False)
    """
    return [sympy.Rational(float(t)) for t in np.asarray(theta, dtype=float).reshape(-1)]


def exact_gradient(spec: Spec, theta) -> list:
    """The gradient columns ``df/dtheta_j`` as sympy expressions in ``x`` at the
    exact point ``theta``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> exact_gradient(parse_spec("mf:n1=1,k=1,n2=1"), [2.0, 0.5])
    [x_0*x_1/2, 2*x_0*x_1]
    """
    model = symbolic_model(spec)
    values = dict(zip(model.params, exact_values(theta)))
    return [g.xreplace(values) for g in model.gradient()]


def verify_kernel_vector(spec: Spec, theta, vector, gradient: list | None = None) -> bool:
    """Exact check that ``sum_j v_j df/dtheta_j`` vanishes identically in ``x``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("mf:n1=1,k=1,n2=1")
    >>> verify_kernel_vector(spec, [2.0, 0.5], [2, -sympy.Rational(1, 2)])  # (A, -B): scaling
    True
    >>> verify_kernel_vector(spec, [2.0, 0.5], [1, 0])
    False
    """
    gradient = exact_gradient(spec, theta) if gradient is None else gradient
    total = sum(sympy.sympify(v) * g for v, g in zip(vector, gradient) if v != 0)
    return sympy.expand(total) == 0


def _unit(size: int, index: int, value=1) -> list:
    vector = [sympy.Integer(0)] * size
    vector[index] = sympy.sympify(value)
    return vector


def _offsets(spec: Spec) -> dict:
    out, start = {}, 0
    for name, shape in param_shapes(spec).items():
        out[name] = (start, shape)
        start += int(np.prod(shape, dtype=np.int64))
    return out


def scaling_vectors(spec: Spec, theta) -> list[KernelCertificate]:
    """``(A_i E_pq, -E_pq A_(i+1))`` for adjacent factors of a factorization.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> len(scaling_vectors(parse_spec("mf:n1=2,k=2,n2=2"), [1.0] * 8))
    4
    """
    if spec.family != "mf":
        return []
    values = exact_values(theta)
    offsets = _offsets(spec)
    names = list(offsets)
    size = len(values)
    mats = {}
    for name, (start, shape) in offsets.items():
        mats[name] = sympy.Matrix(shape[0], shape[1], values[start : start + shape[0] * shape[1]])
    out = []
    kk = spec["k"]
    for left, right in zip(names[:-1], names[1:]):
        A, B = mats[left], mats[right]
        for p in range(kk):
            for q in range(kk):
                E = sympy.zeros(kk, kk)
                E[p, q] = 1
                dA, dB = A * E, -E * B
                vector = [sympy.Integer(0)] * size
                for name, delta in ((left, dA), (right, dB)):
                    start, shape = offsets[name]
                    for i in range(shape[0]):
                        for j in range(shape[1]):
                            vector[start + i * shape[1] + j] = delta[i, j]
                out.append(KernelCertificate("scaling", f"{left}, {right}: G = I + t E[{p},{q}]", tuple(vector)))
    return out


def homogeneity_vectors(spec: Spec, theta) -> list[KernelCertificate]:
    """Per-neuron rescaling for two-layer networks with ``powP`` activations.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> len(homogeneity_vectors(parse_spec("twolayer:d=2,k=3,act=pow2"), [1.0] * 9))
    3
    """
    act = spec.activation
    if spec.family != "twolayer" or act is None or not act.polynomial:
        return []
    values = exact_values(theta)
    offsets = _offsets(spec)
    size, d, P = len(values), spec["d"], act.degree
    out = []
    for i in range(spec["k"]):
        vector = [sympy.Integer(0)] * size
        w_start = offsets["W"][0] + i * d
        for l in range(d):
            vector[w_start + l] = values[w_start + l]
        if "b" in offsets:
            vector[offsets["b"][0] + i] = values[offsets["b"][0] + i]
        a_index = offsets["a"][0] + i
        vector[a_index] = -P * values[a_index]
        out.append(KernelCertificate("homogeneity", f"neuron {i}", tuple(vector)))
    return out


def _split_constant(expr, inputs):
    """``expr = c * rest`` with ``c`` free of the inputs.

    ``expr`` is expanded into ``sum_m c_m phi_m(x)`` (``c_m`` input-free, exact
    numbers such as ``1 - tanh(7/8)**2``); ``c`` is the coefficient of the first
    ``phi_m`` in sympy's canonical order and ``rest`` the frozen set of
    ``(phi_m, c_m / c)``. Columns are proportional exactly when their ``rest``
    parts are equal."""
    terms: dict = {}
    for term in sympy.Add.make_args(sympy.expand(expr)):
        content, primitive = term.as_content_primitive()  # rationals buried in powers (sigmoid denominators)
        coeff, phi = primitive.as_independent(*inputs, as_Add=False)
        terms[phi] = terms.get(phi, 0) + coeff * content
    terms = {phi: c for phi, c in terms.items() if sympy.simplify(c) != 0}
    if not terms:
        return None, None
    first = sorted(terms, key=sympy.default_sort_key)[0]
    scale = terms[first]
    return scale, frozenset((phi, sympy.simplify(c / scale)) for phi, c in terms.items())


def proportional_column_vectors(spec: Spec, theta, gradient: list | None = None) -> list[KernelCertificate]:
    """Zero columns and pairs of columns equal up to a constant factor.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=1,k=2")
    >>> [c.kind for c in proportional_column_vectors(spec, [0.5, 0.5, 1.0, 2.0])]  # duplicate neurons
    ['proportional columns', 'proportional columns']
    """
    gradient = exact_gradient(spec, theta) if gradient is None else gradient
    inputs = symbolic_model(spec).inputs
    names = param_names(spec)
    size = len(gradient)
    out, classes = [], {}
    for j, g in enumerate(gradient):
        coeff, rest = (None, None) if g == 0 else _split_constant(g, inputs)
        if coeff is None:
            out.append(KernelCertificate("zero column", names[j], tuple(_unit(size, j)), pivot=j))
            continue
        if rest in classes:
            first, first_coeff = classes[rest]
            vector = _unit(size, j, first_coeff)
            vector[first] = -coeff
            out.append(KernelCertificate("proportional columns", f"{names[first]} ~ {names[j]}", tuple(vector), pivot=j))
        else:
            classes[rest] = (j, coeff)
    return out


def declared_vectors(spec, theta, gradient: list | None = None) -> list[KernelCertificate]:
    """The kernel vectors a user model declares (``SYMMETRIES(point)`` of its
    model file), each verified exactly at the exact rational point.

    ``SYMMETRIES`` receives the point as arrays of exact rationals (numpy
    object arrays of sympy numbers) and returns vectors as ``{NAME: array}``
    (missing names are zero) or flat sequences of length ``M``.

    Parameters
    ----------
    spec : UserModel
        A model with ``symmetries`` (none: an empty list).
    theta : array_like
        The flat point.
    gradient : list, optional
        :func:`exact_gradient` at ``theta``, when already computed.

    Returns
    -------
    list of KernelCertificate
        Of kind ``declared symmetry``, all verified.

    Raises
    ------
    SpecError
        A declared vector of the wrong shape, or one that is not in the kernel
        (``J v`` is not identically zero): the declaration is refused.

    Examples
    --------
    >>> import dataclasses
    >>> from rankstrat.theory.model.layer_file import layer_model
    >>> score = layer_model({"input": 2, "layers": [{"type": "attention_score", "width": 1}]})  # x.WQ WK.x
    >>> scaling = lambda p: [{"WQ": p["WQ"], "WK": -p["WK"]}]  # (c WQ, WK / c)
    >>> [c.kind for c in declared_vectors(dataclasses.replace(score, symmetries=scaling), [1.0, 2.0, 3.0, 4.0])]
    ['declared symmetry']
    >>> wrong = dataclasses.replace(score, symmetries=lambda p: [{"WQ": p["WQ"]}])
    >>> declared_vectors(wrong, [1.0, 2.0, 3.0, 4.0])
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.SpecError: SYMMETRIES of user:layers: vector 1 is not in the kernel of the Jacobian at the point (sum_j v_j df/dtheta_j = 3*x_0**2 + 10*x_0*x_1 + 8*x_1**2 != 0); refused
    """
    from rankstrat.theory.errors import SpecError

    declare = getattr(spec, "symmetries", None)
    if declare is None:
        return []
    exact = exact_values(theta)
    shapes = param_shapes(spec)
    point, offsets, start = {}, {}, 0
    for name, shape in shapes.items():
        size = int(np.prod(shape, dtype=np.int64))
        point[name] = np.array(exact[start : start + size], dtype=object).reshape(shape)
        offsets[name] = (start, size, tuple(shape))
        start += size
    where = f"SYMMETRIES of {spec}"
    try:
        vectors = list(declare(point))
    except Exception as exc:  # noqa: BLE001 -- any failure of the user's code is reported as bad input
        raise SpecError(f"{where} failed: {type(exc).__name__}: {exc}") from None
    gradient = exact_gradient(spec, theta) if gradient is None else gradient
    out = []
    for number, raw in enumerate(vectors, start=1):
        flat = [sympy.Integer(0)] * len(exact)
        if isinstance(raw, dict):
            for name, values in raw.items():
                if name not in offsets:
                    raise SpecError(f"{where}: vector {number} names {name!r}; parameters are {', '.join(offsets)}")
                begin, size, shape = offsets[name]
                array = np.asarray(values, dtype=object)
                if array.shape != shape:
                    raise SpecError(f"{where}: vector {number}: {name} has shape {array.shape}, expected {shape}")
                flat[begin : begin + size] = [sympy.nsimplify(v, rational=True) if isinstance(v, float)
                                              else sympy.sympify(v) for v in array.reshape(-1)]
        else:
            values = list(np.asarray(raw, dtype=object).reshape(-1))
            if len(values) != len(exact):
                raise SpecError(f"{where}: vector {number} has {len(values)} entries, expected M = {len(exact)}")
            flat = [sympy.sympify(v) for v in values]
        total = sympy.expand(sum(v * g for v, g in zip(flat, gradient) if v != 0))
        if total != 0:
            shown = str(total) if len(str(total)) < 200 else str(total)[:200] + "..."
            raise SpecError(f"{where}: vector {number} is not in the kernel of the Jacobian at the point "
                            f"(sum_j v_j df/dtheta_j = {shown} != 0); refused")
        if any(v != 0 for v in flat):
            out.append(KernelCertificate("declared symmetry", f"vector {number}", tuple(flat)))
    return out


def kernel_certificates(spec: Spec, theta) -> list[KernelCertificate]:
    """Every symmetry kernel vector at ``theta``, each verified exactly.

    Vectors that fail verification are dropped (never counted).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> certs = kernel_certificates(parse_spec("mf:n1=2,k=1,n2=2"), [1.0, 2.0, 3.0, 4.0])
    >>> [c.kind for c in certs]
    ['scaling']
    """
    gradient = exact_gradient(spec, theta)
    candidates = (
        scaling_vectors(spec, theta)
        + homogeneity_vectors(spec, theta)
        + proportional_column_vectors(spec, theta, gradient)
    )
    verified = [c for c in candidates if verify_kernel_vector(spec, theta, c.vector, gradient)]
    return verified + declared_vectors(spec, theta, gradient)


def span_dimension(vectors: list) -> int:
    """Exact dimension of the span of rational vectors (python-flint ``fmpq_mat``).

    Examples
    --------
    >>> span_dimension([(1, 2), (2, 4), (sympy.Rational(1, 3), 0)])
    2
    """
    import flint

    if not vectors:
        return 0
    rows = [[flint.fmpq(int(sympy.Rational(v).p), int(sympy.Rational(v).q)) for v in vec] for vec in vectors]
    return int(flint.fmpq_mat(rows).rank())


def certificates_span(certificates: list[KernelCertificate]) -> int:
    """Proven dimension of the span of verified kernel vectors.

    All-rational vectors: exact rank over Q. Otherwise (only pivoted zero and
    proportional-column vectors occur for non-polynomial models) the vectors are
    independent because each has a nonzero entry at its own pivot that no other
    vector touches; this structure is checked, not assumed.

    Examples
    --------
    >>> e = lambda *v: KernelCertificate("zero column", "", tuple(sympy.sympify(x) for x in v), pivot=v.index(1))
    >>> certificates_span([e(1, 0, 0), e(0, 1, 0)])
    2
    """
    vectors = [c.vector for c in certificates]
    if all(sympy.sympify(v).is_Rational for vec in vectors for v in vec):
        return span_dimension(vectors)
    declared = [c for c in certificates if c.kind == "declared symmetry"]
    if declared:  # the span of a union is at least that of each part
        rest = [c for c in certificates if c.kind != "declared symmetry"]
        rational = [c.vector for c in declared if all(sympy.sympify(v).is_Rational for v in c.vector)]
        return max(span_dimension(rational), certificates_span(rest) if rest else 0)
    pivots = [c.pivot for c in certificates]
    if None in pivots or len(set(pivots)) != len(pivots):
        raise ValueError("irrational kernel vectors without distinct pivots: span not provable here")
    for c in certificates:
        for other in pivots:
            if other != c.pivot and c.vector[other] != 0:
                raise ValueError("kernel vectors overlap at a pivot: span not provable here")
    return len(certificates)


def certified_upper_bound(spec: Spec, theta) -> tuple[int, list[KernelCertificate]]:
    """``M - dim span(verified kernel vectors)`` and the certificates used.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> certified_upper_bound(parse_spec("twolayer:d=1,k=2"), [0.5, 0.5, 1.0, 2.0])[0]  # 2 classes -> 1 class
    2
    """
    certificates = kernel_certificates(spec, theta)
    return len(exact_values(theta)) - certificates_span(certificates), certificates


def exact_polynomial_rank(spec: Spec, theta) -> int:
    """Model rank at ``theta`` of a polynomial model, exactly: the rank over the
    rationals of the coefficient matrix of the gradient columns (monomials in x).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> exact_polynomial_rank(parse_spec("mf:n1=2,k=1,n2=2"), [1.0, 2.0, 3.0, 4.0])
    3
    """
    import flint

    model = symbolic_model(spec)
    gradient = exact_gradient(spec, theta)
    columns = [sympy.Poly(g, *model.inputs).as_dict() if g != 0 else {} for g in gradient]
    monomials = sorted({m for col in columns for m in col})
    if not monomials:
        return 0
    rows = []
    for m in monomials:
        row = []
        for col in columns:
            value = sympy.Rational(col.get(m, 0))
            row.append(flint.fmpq(int(value.p), int(value.q)))
        rows.append(row)
    return int(flint.fmpq_mat(rows).rank())


def summarize(certificates: list[KernelCertificate]) -> str:
    """Counts of certificates by kind, for reports.

    Examples
    --------
    >>> summarize([KernelCertificate("scaling", "", ()), KernelCertificate("scaling", "", ())])
    '2 scaling'
    """
    counts: dict[str, int] = {}
    for c in certificates:
        counts[c.kind] = counts.get(c.kind, 0) + 1
    return ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "none"
