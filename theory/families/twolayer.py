"""Two-layer network ``f(x) = sum_i a_i sigma(w_i . x + b_i)``.

Parameters: ``W`` (k x d), ``b`` (k,) when ``bias=1``, ``a`` (k,). No output bias.
"""

from __future__ import annotations

from math import comb

import sympy

from rankstrat.theory.closed_form import SIZE_SYMBOLS, ClosedForm
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

    - Activation analytic with infinitely many nonzero Taylor coefficients at 0
      (tanh, sigmoid, sin, softplus, exp): ``k (d + 1)`` without bias and
      ``k (d + 2)`` with bias; for ``exp`` with bias ``k (d + 1)``, because
      ``exp(w.x + b) = e^b exp(w.x)`` lets the output weight absorb the bias.
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
    if bias and act.name == "exp":
        return ClosedForm(
            k * (d + 1), sizes, source="derived: exp(w.x+b) = e^b exp(w.x)",
            note="exp with bias: the bias is absorbed by the output weight",
        )
    holds = act.generic
    return ClosedForm(
        k * (d + 1 + bias),
        sizes,
        source=SOURCE + ", generic rank",
        holds=holds,
        note="" if holds else f"{act.name} is not analytic: the theory does not cover it",
    )


def target_rank(spec, num_neurons: int) -> ClosedForm:
    """Model rank of a target with ``k*`` distinct neurons (width-independent).

    ``k* (d + 1)`` without bias, ``k* (d + 2)`` with bias, for a generic
    analytic activation; requires ``k* <= k``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> target_rank(parse_spec("twolayer:d=3,k=50,bias=1"), 1).value
    5
    """
    from rankstrat.theory.errors import SpecError

    if not 0 <= num_neurons <= spec["k"]:
        raise SpecError(f"twolayer: target neurons must be between 0 and k={spec['k']}")
    if not num_neurons:
        return ClosedForm(sympy.Integer(0))
    form = generic_rank(spec.replace(k=num_neurons))
    kstar = sympy.Symbol("kstar", positive=True, integer=True)
    return ClosedForm(
        form.expr.subs(k, kstar), {**form.sizes, "kstar": num_neurons},
        source=form.source + "; target with kstar distinct neurons, independent of the width",
        holds=form.holds, note=form.note,
    )


def rank_at_point(spec, W, a, b=None, tol: float = 0.0) -> ClosedForm:
    """Model rank at a point from its neuron structure (odd activation).

    Without bias (docs/theory.md section 2): ``R = m_w + m_a d``, where ``m_w``
    counts classes of neurons with ``w != 0`` under ``w ~ -w``, and ``m_a`` the
    classes that contain a neuron with ``a != 0``, plus one if some neuron has
    ``w = 0`` and ``a != 0``.

    With bias (derived here): a neuron is the pair ``(w, b)``; classes of
    neurons with ``w != 0`` are taken under ``(w, b) ~ -(w, b)``. Each class
    spans ``sigma(w.x + b)`` and, if some ``a != 0`` in it,
    ``sigma'(w.x + b) (x, 1)``: ``d + 1`` more. Neurons with ``w = 0`` are
    constants ``sigma(b)``: their derivatives span the constant function
    (``d/da`` if ``b != 0``; ``d/db`` if ``a != 0``) and, if ``a != 0``, the
    linear functions ``x`` (``d/dw``). So
    ``R = m_w + m_a (d + 1) + c``, with ``c = d + 1`` if some ``w = 0`` neuron
    has ``a != 0``, else ``c = 1`` if some ``w = 0`` neuron has ``b != 0``,
    else ``c = 0``.

    Parameters
    ----------
    spec : Spec
        A ``twolayer`` spec with an odd analytic activation (tanh, sin).
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
        With ``holds=False`` when the activation is not odd and analytic.

    Examples
    --------
    >>> import numpy as np
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=2,k=3")
    >>> W = np.array([[1.0, 2.0], [-1.0, -2.0], [0.0, 0.0]])
    >>> rank_at_point(spec, W, np.array([1.0, 1.0, 1.0])).value  # 1 + 1*2 + 2
    5
    """
    import numpy as np

    W = np.asarray(W, dtype=float)
    a = np.asarray(a, dtype=float)
    bias = spec["bias"]
    if bias:
        if b is None:
            from rankstrat.theory.errors import SpecError

            raise SpecError("twolayer: the spec has a bias; pass b")
        neurons = np.column_stack([W, np.asarray(b, dtype=float)])
    else:
        neurons = W
    zero_w = np.all(np.abs(W) <= tol, axis=1)
    classes: list[tuple[np.ndarray, bool]] = []
    for vec, out, is_zero in zip(neurons, a, zero_w):
        if is_zero:
            continue
        for index, (rep, has_a) in enumerate(classes):
            if np.all(np.abs(vec - rep) <= tol) or np.all(np.abs(vec + rep) <= tol):
                classes[index] = (rep, has_a or abs(out) > tol)
                break
        else:
            classes.append((vec, abs(out) > tol))
    m_w = len(classes)
    m_a = sum(has_a for _, has_a in classes)
    zero_with_a = bool(np.any(zero_w & (np.abs(a) > tol)))
    dd = spec["d"]
    if not bias:
        value = m_w + (m_a + zero_with_a) * dd
        expr = sympy.Symbol("m_w") + sympy.Symbol("m_a") * d
        sizes = {"m_w": m_w, "m_a": m_a + zero_with_a, "d": dd}
    else:
        zero_with_b = bool(np.any(zero_w & (np.abs(np.asarray(b, dtype=float)) > tol)))
        c = dd + 1 if zero_with_a else (1 if zero_with_b else 0)
        value = m_w + m_a * (dd + 1) + c
        expr = sympy.Symbol("m_w") + sympy.Symbol("m_a") * (d + 1) + sympy.Symbol("c")
        sizes = {"m_w": m_w, "m_a": m_a, "c": c, "d": dd}
    act = spec.activation
    holds = act.odd and act.generic
    form = ClosedForm(
        expr,
        sizes,
        source=SOURCE + (", rank at a point" if not bias else "; with-bias form derived here"),
        holds=holds,
        note="" if holds else "stated for odd analytic activations (tanh, sin)",
    )
    assert form.value == value
    return form


STRATA_NOTE = (
    "strata by neuron classes (odd activations): m_w classes with w != 0 (up to sign), "
    "m_a of them with an output weight, and the zero-weight neurons; the dimension is "
    "that of the largest piece with these counts"
)


def strata(spec) -> list:
    """Strata of the two-layer network with an odd activation.

    Without bias the labels are ``(m_w, m_a, z)``, ``z = 1`` when a zero-weight
    neuron has ``a != 0``: rank ``m_w + (m_a + z) d``. With bias they are
    ``(m_w, m_a, c)`` with ``c`` in {``none``, ``const``, ``affine``}: rank
    ``m_w + m_a (d + 1) + {0, 1, d + 1}`` (see :func:`rank_at_point`).
    Dimension of the largest piece: ``m_w`` free directions (``d``, or ``d + 1``
    with bias), plus every output weight and zero-neuron bias that can be
    nonzero without changing the labels.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> s = strata(parse_spec("twolayer:d=2,k=2"))
    >>> sorted((x.labels["m_w"], x.labels["m_a"], x.labels["z"], x.rank.value) for x in s)[:4]
    [(0, 0, 0, 0), (0, 0, 1, 2), (1, 0, 0, 1), (1, 0, 1, 3)]
    """
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
