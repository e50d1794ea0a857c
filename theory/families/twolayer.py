"""Two-layer network ``f(x) = sum_i a_i sigma(w_i . x + b_i)``.

Parameters: ``W`` (k x d), ``b`` (k,) when ``bias=1``, ``a`` (k,). No output bias.

The model rank at a point is the dimension of the span of the gradient
columns: ``sigma(u_i)`` (``d/da_i``) and, for ``a_i != 0``,
``sigma'(u_i) x`` and ``sigma'(u_i)`` (``d/dw_i``, ``d/db_i``), with
``u_i = w_i . x + b_i``. Its closed forms are derived per class of activation
(:func:`rankstrat.theory.activations.closed_form_kind`):

- every class: a neuron with ``w = 0`` is the constant ``sigma(b)``; its
  gradient adds the constant function (when ``sigma(b) != 0``, or
  ``a sigma'(b) != 0`` with a bias) and the linear functions ``x`` (when
  ``a sigma'(b) != 0``). The constants and linear functions are the *affine
  part*, of dimension ``e``;
- ``odd`` (tanh; sin without a bias): neurons ``v = (w, b)`` and ``-v`` span the
  same functions: ``R = m_w + m_a (d + bias) + e`` over classes up to sign;
- ``reflection`` (sigmoid, ``sigma = c/2 + g`` with ``g`` odd, ``c != 0``):
  ``sigma(v) + sigma(-v) = c``, so a class holding both signs also spans the
  constant: same ``R`` with the constant added to the affine part;
- ``linear-reflection`` (softplus, ``sigma = (s/2) z + h`` with ``h`` even):
  ``sigma(v) - sigma(-v) = s (w . x + b)``: a class with both signs adds its
  affine function ``w . x + b``, a class with output weights of both signs adds
  every ``x_j`` (and 1 with a bias), through ``sigma' = s/2 + h'``;
- ``exponential``: ``exp(w.x + b) = e^b exp(w.x)``: classes are the distinct
  weights ``w`` (no sign, the bias does not count): ``R = m + m_a d + e``;
- ``trigonometric`` (sin with a bias): ``sin(w.x + b)`` lies in
  ``span{sin w.x, cos w.x}``: classes are weights up to sign, and a class spans
  ``min(phases, 2)`` (2 once an output weight is nonzero) plus ``d min(p, 2)``,
  ``p`` the distinct phases ``+-b mod pi`` among its neurons with ``a != 0``.

Each rests on the genericity of the activation (shifted and scaled copies and
their derivatives times inputs are independent modulo the class identity),
checked numerically in the tests for every activation of every class.
"""

from __future__ import annotations

from math import comb

import sympy

from rankstrat.theory.activations import KINDS, closed_form_kind
from rankstrat.theory.closed_form import SIZE_SYMBOLS, ClosedForm
from rankstrat.theory.errors import SpecError
from rankstrat.theory.keys import Key

NAMES = ("twolayer",)
"""The family names this module serves."""

KEYS = (
    Key("d", "size", doc="input dimension"),
    Key("k", "size", doc="width (number of neurons)"),
    Key("act", "act", default="tanh", doc="activation"),
    Key("bias", "flag", default=0, doc="1 for a bias inside each neuron"),
)

d, k = SIZE_SYMBOLS["d"], SIZE_SYMBOLS["k"]
SOURCE = "Zhang et al., optimistic estimate (arXiv 2307.08921), two-layer networks"


def param_shapes(spec) -> dict:
    """Ordered ``{name: shape}``: ``W``, ``b`` (with bias), ``a``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> param_shapes(parse_spec("twolayer:d=3,k=2,bias=1"))
    {'W': (2, 3), 'b': (2,), 'a': (2,)}
    """
    shapes = {"W": (spec["k"], spec["d"])}
    if spec["bias"]:
        shapes["b"] = (spec["k"],)
    shapes["a"] = (spec["k"],)
    return shapes


def input_dim(spec) -> int:
    """The input dimension ``d``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> input_dim(parse_spec("twolayer:d=3,k=2"))
    3
    """
    return spec["d"]


def hidden_widths(spec) -> tuple:
    """The one hidden width ``(k,)``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> hidden_widths(parse_spec("twolayer:d=3,k=5"))
    (5,)
    """
    return (spec["k"],)


def layer_names(spec) -> list:
    """``[(weight, bias or None)]`` of the hidden layer, then the read-out name.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> layer_names(parse_spec("twolayer:d=3,k=2,bias=1"))
    [('W', 'b'), 'a']
    """
    return [("W", "b" if spec["bias"] else None), "a"]


def forward(params: dict, X, act):
    """``act(X W^T + b) a`` for a batch ``X`` of shape (n, d).

    Examples
    --------
    >>> import numpy as np
    >>> p = {"W": np.array([[1.0], [2.0]]), "a": np.array([1.0, -1.0])}
    >>> forward(p, np.array([[1.0]]), lambda z: z**2)
    array([-3.])
    """
    pre = X @ params["W"].T
    if "b" in params:
        pre = pre + params["b"]
    return act(pre) @ params["a"]


def num_params_formula(spec) -> ClosedForm:
    """``k (d + 1)`` without bias, ``k (d + 2)`` with bias.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> str(num_params_formula(parse_spec("twolayer:d=3,k=5,bias=1")))
    'k*(d + 2) = 25'
    """
    return ClosedForm(k * (d + 1 + spec["bias"]), {"d": spec["d"], "k": spec["k"]})


def polynomial_span_dim(num_vars: int, degree: int, num_forms: int) -> int:
    """Dimension of the span of ``{l_i^(P-1) * y_j}`` for generic linear forms.

    This is the tangent space of the ``k``-th secant variety of the degree-``P``
    Veronese variety in ``n`` variables (Terracini's lemma), whose dimension is
    given by the Alexander-Hirschowitz theorem: ``min(k n, C(n+P-1, P))``,
    except for ``P = 2`` (``k n - k(k-1)/2`` for ``k <= n``) and the four
    exceptional cases (P, n, k) = (4, 3, 5), (4, 4, 9), (4, 5, 14), (3, 5, 7),
    where it is one less. ``P = 1`` gives ``n``.

    Parameters
    ----------
    num_vars : int
        Number of variables ``n`` (``d``, or ``d + 1`` with a bias).
    degree : int
        The power ``P``.
    num_forms : int
        Number of linear forms ``k`` (neurons).

    Returns
    -------
    int

    References
    ----------
    J. Alexander and A. Hirschowitz, "Polynomial interpolation in several
    variables", J. Algebraic Geom. 4 (1995).

    Examples
    --------
    >>> polynomial_span_dim(3, 2, 2), polynomial_span_dim(3, 2, 5)
    (5, 6)
    >>> polynomial_span_dim(3, 3, 2), polynomial_span_dim(5, 3, 7)
    (6, 34)
    """
    n, p, m = num_vars, degree, num_forms
    full = comb(n + p - 1, p)
    if p == 1:
        return n
    if p == 2:
        return m * n - m * (m - 1) // 2 if m <= n else full
    expected = min(m * n, full)
    if (p, n, m) in {(4, 3, 5), (4, 4, 9), (4, 5, 14), (3, 5, 7)}:
        return expected - 1
    return expected


def generic_rank(spec) -> ClosedForm:
    """Generic model rank of the two-layer network.

    - Analytic non-polynomial activations (tanh, sigmoid, sin, softplus, exp):
      ``k (d + 1)`` without bias and ``k (d + 2)`` with bias; for ``exp`` with
      bias ``k (d + 1)``, because ``exp(w.x + b) = e^b exp(w.x)`` lets the
      output weight absorb the bias. At a generic point no two neurons share a
      class and no weight is zero, so every class formula gives this value.
    - ``powP``: the span lies in polynomials of degree ``P``; its dimension is
      :func:`polynomial_span_dim` in ``d`` variables (``d + 1`` with bias,
      homogenising with ``x_0 = 1``).
    - ``relu``: not analytic; the closed form is shown with ``holds=False``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> generic_rank(parse_spec("twolayer:d=3,k=5")).value
    20
    >>> generic_rank(parse_spec("twolayer:d=3,k=5,bias=1")).value
    25
    >>> generic_rank(parse_spec("twolayer:d=3,k=2,act=pow2")).value
    5
    """
    act = spec.activation
    sizes = {"d": spec["d"], "k": spec["k"]}
    bias = spec["bias"]
    if act.polynomial:
        n = spec["d"] + bias
        p = act.degree
        if p == 2:
            nn = d + bias
            expr = sympy.Piecewise(
                (k * nn - k * (k - 1) / 2, k <= nn), (nn * (nn + 1) / 2, True)
            )
        else:
            expr = sympy.Integer(polynomial_span_dim(n, p, spec["k"]))
        return ClosedForm(
            expr,
            sizes,
            source="derived: span of l_i^(P-1) x_j (Terracini), Alexander-Hirschowitz 1995",
            note="polynomial activation: the span is a finite-dimensional polynomial space",
        )
    if bias and act.exponential:
        return ClosedForm(
            k * (d + 1), sizes, source="derived: exp(w.x+b) = e^b exp(w.x)",
            note="exp with bias: the bias is absorbed by the output weight",
        )
    holds = closed_form_kind(act, bias) is not None
    return ClosedForm(
        k * (d + 1 + bias),
        sizes,
        source=SOURCE + ", generic rank",
        holds=holds,
        note="" if holds else f"not applicable: {act.name} is not analytic, the theory does not cover it",
    )


def target_rank(spec, num_neurons: int) -> ClosedForm:
    """Model rank of a target with ``k*`` distinct neurons, the other ``k - k*``
    neurons zero (``w = 0, b = 0, a = 0``).

    The ``k*`` neurons give the generic rank of width ``k*``
    (:func:`generic_rank`). A zero neuron adds the constant function through
    ``d/da = act(0)``: one more when ``k* < k`` and ``act(0) != 0`` (sigmoid,
    softplus, exp), nothing for ``act(0) = 0`` (tanh, sin, ``powP``). So the
    rank depends on the width only through ``[k* < k]``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> target_rank(parse_spec("twolayer:d=3,k=50,bias=1"), 1).value
    5
    >>> target_rank(parse_spec("twolayer:d=3,k=3,act=sigmoid"), 1).value  # plus the constant
    5
    >>> target_rank(parse_spec("twolayer:d=3,k=1,act=sigmoid"), 1).value  # no zero neuron
    4
    """
    if not 0 <= num_neurons <= spec["k"]:
        raise SpecError(f"twolayer: target neurons must be between 0 and k={spec['k']}")
    act = spec.activation
    kstar = sympy.Symbol("kstar", nonnegative=True, integer=True)
    zero = sympy.Symbol("zero_neurons", nonnegative=True, integer=True)
    if num_neurons:
        form = generic_rank(spec.replace(k=num_neurons))
        expr, sizes, holds, note = form.expr.subs(k, kstar), {**form.sizes}, form.holds, form.note
        source = form.source + "; target with kstar distinct neurons"
    else:
        expr, sizes, holds, note, source = sympy.Integer(0), {"d": spec["d"]}, True, "", "derived"
    sizes.pop("k", None)
    sizes["kstar"] = num_neurons
    if act.value_at_zero != 0 and not act.polynomial:
        expr = expr + sympy.Min(zero, 1)
        sizes["zero_neurons"] = spec["k"] - num_neurons
        source += "; a zero neuron adds the constant act(0) != 0"
    return ClosedForm(expr, sizes, source=source, holds=holds, note=note)


def _activation_value(act, z: float, derivative: bool = False) -> float:
    """``act(z)`` or ``act'(z)`` as a float (sympy evaluation)."""
    t = sympy.Symbol("t")
    expr = act.sympy_fn(t)
    if derivative:
        expr = sympy.diff(expr, t)
    return float(expr.subs(t, sympy.Float(float(z), 30)).evalf(30))


def _sign_classes(vectors, tol: float) -> list:
    """Group nonzero vectors up to sign: ``[(representative, [(index, sign), ...])]``."""
    import numpy as np

    classes: list = []
    for index, vec in vectors:
        for rep, members in classes:
            if np.all(np.abs(vec - rep) <= tol):
                members.append((index, 1))
                break
            if np.all(np.abs(vec + rep) <= tol):
                members.append((index, -1))
                break
        else:
            classes.append((vec, [(index, 1)]))
    return classes


def _equal_classes(vectors, tol: float) -> list:
    """Group vectors by equality: ``[(representative, [index, ...])]``."""
    import numpy as np

    classes: list = []
    for index, vec in vectors:
        for rep, members in classes:
            if np.all(np.abs(vec - rep) <= tol):
                members.append(index)
                break
        else:
            classes.append((vec, [index]))
    return classes


def _distinct_phases(phases, tol: float) -> int:
    """Number of distinct angles modulo pi."""
    import math

    reps: list = []
    for phase in phases:
        phase = math.fmod(phase, math.pi) % math.pi
        if not any(min(abs(phase - r), math.pi - abs(phase - r)) <= max(tol, 1e-12) for r in reps):
            reps.append(phase)
    return len(reps)


def _affine_part(rows: list, d_in: int, tol: float) -> int:
    """Dimension of the span of affine functions given by coefficient rows ``(w, c)``."""
    import numpy as np

    if not rows:
        return 0
    matrix = np.array(rows, dtype=float).reshape(-1, d_in + 1)
    scale = max(float(np.abs(matrix).max()), 1.0)
    return int(np.linalg.matrix_rank(matrix, tol=max(tol, 1e-10) * scale))


def rank_at_point(spec, W, a, b=None, tol: float = 0.0) -> ClosedForm:
    """Model rank at a point from its neuron structure, per class of activation
    (see the module docstring for the derivations).

    ``R = n + e``: ``n`` counts the non-affine functions of the classes of
    neurons with ``w != 0`` and ``e`` is the dimension of the affine part
    (constants and linear functions) from zero-weight neurons and from the
    class identities:

    - ``odd``, ``reflection``, ``linear-reflection``: classes of ``(w, b)`` up
      to sign, ``n = m_w + m_a (d + bias)``, ``m_a`` the classes with some
      ``a != 0``;
    - ``exponential``: classes of equal ``w``, ``n = m + m_a d``;
    - ``trigonometric``: classes of ``w`` up to sign, ``n = sum over classes of
      (2 if p >= 1 else min(phases, 2)) + d min(p, 2)``.

    Parameters
    ----------
    spec : Spec
        A ``twolayer`` spec.
    W : array (k, d)
    a : array (k,)
    b : array (k,), optional
        Required when the spec has a bias.
    tol : float
        Entries with absolute value ``<= tol`` count as zero, vectors within
        ``tol`` as equal.

    Returns
    -------
    ClosedForm
        With ``holds=False`` (and the ``odd`` value for comparison) when no
        class covers the activation (``powP``, ``relu``).

    Examples
    --------
    >>> import numpy as np
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=2,k=3")
    >>> W = np.array([[1.0, 2.0], [-1.0, -2.0], [0.0, 0.0]])
    >>> rank_at_point(spec, W, np.array([1.0, 1.0, 1.0])).value  # 1 + 1*2 + 2
    5
    >>> rank_at_point(spec.replace(act="sigmoid"), W, np.array([1.0, 1.0, 1.0])).value  # + constant
    6
    >>> rank_at_point(parse_spec("twolayer:d=1,k=3,act=sin,bias=1"), [[1.0]] * 3, [1.0] * 3, [0.0, 0.5, 1.0]).value
    4
    """
    import numpy as np

    W = np.asarray(W, dtype=float)
    a = np.asarray(a, dtype=float)
    bias = spec["bias"]
    dd = spec["d"]
    if bias and b is None:
        raise SpecError("twolayer: the spec has a bias; pass b")
    b = np.zeros(len(a)) if b is None else np.asarray(b, dtype=float)
    act = spec.activation
    kind = closed_form_kind(act, bias)
    model_kind = kind if kind not in (None, "polynomial") else "odd"
    neurons = np.column_stack([W, b]) if bias else W
    zero_w = np.all(np.abs(W) <= tol, axis=1)
    active = np.abs(a) > tol
    affine = []  # coefficient rows (w, constant) of affine functions in the span
    for i in np.nonzero(zero_w)[0]:
        slope = a[i] * _activation_value(act, b[i], derivative=True)
        if abs(_activation_value(act, b[i])) > tol or (bias and abs(slope) > tol):
            affine.append([0.0] * dd + [1.0])
        if abs(slope) > tol:
            affine += [list(np.eye(dd + 1)[j]) for j in range(dd)]
    nonzero = [(i, neurons[i]) for i in np.nonzero(~zero_w)[0]]
    sizes = {"d": dd}
    if model_kind == "exponential":
        classes = _equal_classes([(i, W[i]) for i, _ in nonzero], tol)
        m = len(classes)
        m_a = sum(any(active[i] for i in members) for _, members in classes)
        n_expr = sympy.Symbol("m") + sympy.Symbol("m_a") * d
        sizes.update(m=m, m_a=m_a)
    elif model_kind == "trigonometric":
        classes = _sign_classes([(i, W[i]) for i, _ in nonzero], tol)
        n_sc = n_x = 0
        for _, members in classes:
            phases = [sign * b[i] for i, sign in members]
            p = _distinct_phases([sign * b[i] for i, sign in members if active[i]], tol)
            n_sc += 2 if p else min(_distinct_phases(phases, tol), 2)
            n_x += min(p, 2)
        n_expr = sympy.Symbol("n_sc") + sympy.Symbol("n_x") * d
        sizes.update(n_sc=n_sc, n_x=n_x)
    else:
        classes = _sign_classes(nonzero, tol)
        m_w = len(classes)
        m_a = sum(any(active[i] for i, _ in members) for _, members in classes)
        for rep, members in classes:
            signs = {sign for _, sign in members}
            active_signs = {sign for i, sign in members if active[i]}
            if model_kind == "reflection" and len(signs) == 2:
                affine.append([0.0] * dd + [1.0])
            if model_kind == "linear-reflection":
                if len(signs) == 2:
                    affine.append(list(rep[:dd]) + [rep[dd] if bias else 0.0])
                if len(active_signs) == 2:
                    affine += [list(np.eye(dd + 1)[j]) for j in range(dd + bias)]
        n_expr = sympy.Symbol("m_w") + sympy.Symbol("m_a") * (d + bias)
        sizes.update(m_w=m_w, m_a=m_a)
    sizes["e"] = _affine_part(affine, dd, tol)
    holds = kind not in (None, "polynomial")
    return ClosedForm(
        n_expr + sympy.Symbol("e"),
        sizes,
        source=f"derived here, {model_kind} class ({KINDS[model_kind]}); " + SOURCE,
        holds=holds,
        note="" if holds else f"not applicable: no rank-at-a-point formula is derived for {act.name}",
    )


STRATA_NOTES = {
    "odd": (
        "strata by neuron classes (odd activation): m_w classes with w != 0 (up to sign), "
        "m_a of them with an output weight, and the zero-weight neurons; the dimension is "
        "that of the largest piece with these counts"
    ),
    "reflection": (
        "strata by neuron classes (sigmoid-type, act(-z) = c - act(z)): m_w classes up to sign, "
        "m_a with an output weight, e = dimension of the affine part (a class holding both signs "
        "or a zero-weight neuron adds the constant, a zero-weight neuron with an output weight "
        "adds x); the dimension is that of the largest piece"
    ),
    "linear-reflection": (
        "strata by neuron classes (softplus-type, act(z) - act(-z) = s z): m_w classes up to sign, "
        "m_a with an output weight, e = dimension of the affine part spanned by the classes holding "
        "both signs (their w.x + b), classes with output weights of both signs (all of x) and the "
        "zero-weight neurons; the dimension is that of the largest piece"
    ),
    "exponential": (
        "strata by distinct weights (exp(w.x + b) = e^b exp(w.x)): m distinct weight vectors, "
        "m_a of them with an output weight; every bias is free"
    ),
    "trigonometric": (
        "strata by neuron classes, as for odd activations; sin with a bias also has points where "
        "classes share a weight with different biases (they span only sin(w.x), cos(w.x)): "
        "those strata are not listed (rank_at_point covers them)"
    ),
}
"""What the strata list states, per class of activation."""

STRATA_NOTE = STRATA_NOTES["odd"]


def strata_note(spec) -> str:
    """What :func:`strata` states for this spec's activation.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> strata_note(parse_spec("twolayer:d=2,k=2,act=sigmoid"))[:40]
    'strata by neuron classes (sigmoid-type, '
    >>> strata_note(parse_spec("twolayer:d=2,k=2,act=pow2"))
    'not applicable: no strata are derived for pow2'
    """
    kind = closed_form_kind(spec.activation, spec["bias"])
    if kind in STRATA_NOTES:
        return STRATA_NOTES[kind]
    return f"not applicable: no strata are derived for {spec.activation.name}"


def _affine_dimension(kind: str, dd: int, bias: int, pairs: int, active_pair: bool, zero: str) -> int:
    """``e`` of a configuration (see :func:`strata`)."""
    some_zero = zero != "none"
    if kind == "reflection":
        return int(pairs > 0 or some_zero) + dd * (zero == "active")
    full = active_pair or zero == "active"
    if bias:
        return dd + 1 if full else min(pairs + some_zero, dd + 1)
    return (dd if full else min(pairs, dd)) + some_zero


def configuration_neurons(k_: int, m_w: int, m_a: int, pairs: int, active_pair: bool, zero: str):
    """Neurons ``(class, sign, output, bias)`` of the largest piece with these
    structural counts, or None when no point has them.

    Classes ``1 .. m_w`` (the first ``m_a`` with an output weight); ``pairs``
    classes get an opposite-sign neuron (with an output weight when
    ``active_pair``); ``zero`` is ``none``, ``inactive`` (``a = 0``, free
    bias) or ``active`` (zero-weight neuron with ``a != 0``); the other
    neurons are chosen to keep these counts with the most free parameters.

    Examples
    --------
    >>> configuration_neurons(3, 1, 1, 1, True, "none")
    [(1, 1, True, True), (1, -1, True, True), (1, 1, True, True)]
    >>> configuration_neurons(2, 0, 0, 0, False, "none") is None
    True
    """
    extra = k_ - m_w
    some_zero = zero != "none"
    if m_a > m_w or pairs > m_w or pairs + some_zero > extra:
        return None
    if (m_w == 0 and k_ and not some_zero) or (active_pair and not (m_a and pairs)):
        return None
    neurons = [(c, 1, c <= m_a, True) for c in range(1, m_w + 1)]
    neurons += [(c, -1, bool(active_pair) and c <= m_a, True) for c in range(1, pairs + 1)]
    if some_zero:
        neurons.append((0, 1, zero == "active", True))
    for _ in range(extra - pairs - some_zero):
        if zero == "active":
            neurons.append((0, 1, True, True))
        elif m_a:
            neurons.append((1, 1, True, True))
        elif zero == "inactive":
            neurons.append((0, 1, False, True))
        else:
            neurons.append((1, 1, False, True))
    return neurons


def _free_values(neurons, bias: int) -> int:
    """Output weights and zero-neuron biases that are free on the piece."""
    return sum(out for _, _, out, _ in neurons) + bias * sum(1 for c, _, _, own in neurons if c == 0 and own)


def _odd_strata(spec) -> list:
    from rankstrat.theory.rank.stratum import Stratum

    kk, dd, bias = spec["k"], spec["d"], spec["bias"]
    m_w, m_a = sympy.Symbol("m_w"), sympy.Symbol("m_a")
    out = []
    kinds = (0, 1) if not bias else ("none", "const", "affine")
    for mw in range(kk + 1):
        for ma in range(mw + 1):
            for kind in kinds:
                zero_neurons_needed = 0 if kind in (0, "none") else 1
                if mw + zero_neurons_needed > kk:
                    continue
                extra = kk - mw
                if not bias:
                    z = kind
                    rank = ClosedForm(m_w + (m_a + sympy.Symbol("z")) * d, {"m_w": mw, "m_a": ma, "z": z, "d": dd},
                                      source=SOURCE + ", rank at a point")
                    free = extra + ma if ma + z else 0
                    dim = ClosedForm(m_w * d + sympy.Symbol("free"), {"m_w": mw, "d": dd, "free": free})
                    labels = {"m_w": mw, "m_a": ma, "z": z}
                    name = f"m_w={mw}, m_a={ma}, zero neuron with a: {'yes' if z else 'no'}"
                else:
                    c = {"none": 0, "const": 1, "affine": dd + 1}[kind]
                    rank = ClosedForm(m_w + m_a * (d + 1) + sympy.Symbol("c"), {"m_w": mw, "m_a": ma, "c": c, "d": dd},
                                      source="derived here (see rank_at_point)")
                    if kind == "affine":
                        free = ma + 2 * extra
                    elif kind == "const":
                        free = ma + extra
                    else:
                        free = ma + (extra if ma else 0)
                    dim = ClosedForm(m_w * (d + 1) + sympy.Symbol("free"), {"m_w": mw, "d": dd, "free": free})
                    labels = {"m_w": mw, "m_a": ma, "c": kind}
                    name = f"m_w={mw}, m_a={ma}, zero-weight neurons: {kind}"
                out.append(Stratum(name, labels, dim, rank))
    return out


def _pair_strata(spec, kind: str) -> list:
    """Strata for the ``reflection`` and ``linear-reflection`` classes: every
    configuration of :func:`configuration_neurons`, grouped by
    ``(m_w, m_a, e)``, keeping the largest piece."""
    from rankstrat.theory.rank.stratum import Stratum

    kk, dd, bias = spec["k"], spec["d"], spec["bias"]
    best: dict = {}
    for mw in range(kk + 1):
        for ma in range(mw + 1):
            for pairs in range(mw + 1):
                for active_pair in (False, True):
                    for zero in ("none", "inactive", "active"):
                        neurons = configuration_neurons(kk, mw, ma, pairs, active_pair, zero)
                        if neurons is None:
                            continue
                        e = _affine_dimension(kind, dd, bias, pairs, active_pair, zero)
                        free = _free_values(neurons, bias)
                        key = (mw, ma, e)
                        if key not in best or free > best[key][0]:
                            best[key] = (free, {"m_w": mw, "m_a": ma, "e": e, "pairs": pairs,
                                                "active_pair": active_pair, "zero": zero})
    m_w, m_a, e_sym, free_sym = (sympy.Symbol(n) for n in ("m_w", "m_a", "e", "free"))
    out = []
    for (mw, ma, e), (free, labels) in best.items():
        rank = ClosedForm(m_w + m_a * (d + bias) + e_sym, {"m_w": mw, "m_a": ma, "e": e, "d": dd},
                          source=f"derived here, {kind} class (see rank_at_point)")
        dim = ClosedForm(m_w * (d + bias) + free_sym, {"m_w": mw, "d": dd, "free": free})
        name = f"m_w={mw}, m_a={ma}, affine part {e}"
        out.append(Stratum(name, labels, dim, rank))
    return out


def _exponential_strata(spec) -> list:
    from rankstrat.theory.rank.stratum import Stratum

    kk, dd, bias = spec["k"], spec["d"], spec["bias"]
    m, m_a, free_sym = sympy.Symbol("m"), sympy.Symbol("m_a"), sympy.Symbol("free")
    out = []
    for mm in range(1 if kk else 0, kk + 1):
        for ma in range(mm + 1):
            free = kk * bias + (ma + kk - mm if ma else 0)
            rank = ClosedForm(m + m_a * d, {"m": mm, "m_a": ma, "d": dd},
                              source="derived here, exponential class (see rank_at_point)")
            dim = ClosedForm(m * d + free_sym, {"m": mm, "d": dd, "free": free})
            out.append(Stratum(f"m={mm} distinct weights, m_a={ma}", {"m": mm, "m_a": ma}, dim, rank))
    return out


def strata(spec) -> list:
    """Strata of the two-layer network, per class of activation (see
    :func:`strata_note` and :func:`rank_at_point`); empty when no class covers
    the activation (``powP``, ``relu``).

    ``odd`` (and ``trigonometric``, whose further strata are not listed):
    without bias the labels are ``(m_w, m_a, z)``, ``z = 1`` when a
    zero-weight neuron has ``a != 0``: rank ``m_w + (m_a + z) d``. With bias
    they are ``(m_w, m_a, c)`` with ``c`` in {``none``, ``const``, ``affine``}:
    rank ``m_w + m_a (d + 1) + {0, 1, d + 1}``. ``reflection`` and
    ``linear-reflection``: ``(m_w, m_a, e)``, rank ``m_w + m_a (d + bias) + e``.
    ``exponential``: ``(m, m_a)``, rank ``m + m_a d``. Dimension of the largest
    piece: the free class directions plus every output weight and bias that
    can be nonzero without changing the labels.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> s = strata(parse_spec("twolayer:d=2,k=2"))
    >>> sorted((x.labels["m_w"], x.labels["m_a"], x.labels["z"], x.rank.value) for x in s)[:4]
    [(0, 0, 0, 0), (0, 0, 1, 2), (1, 0, 0, 1), (1, 0, 1, 3)]
    >>> sorted(x.rank.value for x in strata(parse_spec("twolayer:d=2,k=2,act=sigmoid")))
    [1, 1, 2, 2, 3, 3, 4, 4, 4, 6, 6]
    >>> strata(parse_spec("twolayer:d=2,k=2,act=pow2"))
    []
    """
    kind = closed_form_kind(spec.activation, spec["bias"])
    if kind in ("odd", "trigonometric"):
        return _odd_strata(spec)
    if kind in ("reflection", "linear-reflection"):
        return _pair_strata(spec, kind)
    if kind == "exponential":
        return _exponential_strata(spec)
    return []
