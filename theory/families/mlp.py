"""Deep fully connected network with scalar output.

``h_0 = x``, ``h_l = sigma(W_l h_{l-1} + b_l)`` for the hidden widths
``m_1, ..., m_L``, and ``f = a . h_L``. Parameters ``W1, b1, ..., WL, bL, a``;
biases on hidden layers only (``bias=1``), no output bias.
"""

from __future__ import annotations

import sympy

from rankstrat.theory.closed_form import SIZE_SYMBOLS, ClosedForm
from rankstrat.theory.keys import Key

NAMES = ("mlp",)
"""The family names this module serves."""

KEYS = (
    Key("d", "size", doc="input dimension"),
    Key("widths", "sizes", doc="hidden widths, '-'-separated, e.g. 4-4"),
    Key("act", "act", default="tanh", doc="activation"),
    Key("bias", "flag", default=0, doc="1 for biases on the hidden layers"),
)


def param_shapes(spec) -> dict:
    """Ordered ``{name: shape}``: ``W1, b1, ..., WL, bL, a``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> param_shapes(parse_spec("mlp:d=3,widths=4-2,bias=1"))
    {'W1': (4, 3), 'b1': (4,), 'W2': (2, 4), 'b2': (2,), 'a': (2,)}
    """
    shapes = {}
    previous = spec["d"]
    for index, width in enumerate(spec["widths"], start=1):
        shapes[f"W{index}"] = (width, previous)
        if spec["bias"]:
            shapes[f"b{index}"] = (width,)
        previous = width
    shapes["a"] = (previous,)
    return shapes


def input_dim(spec) -> int:
    """The input dimension ``d``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> input_dim(parse_spec("mlp:d=3,widths=4"))
    3
    """
    return spec["d"]


def hidden_widths(spec) -> tuple:
    """The hidden widths.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> hidden_widths(parse_spec("mlp:d=3,widths=4-2"))
    (4, 2)
    """
    return tuple(spec["widths"])


def layer_names(spec) -> list:
    """``[(weight, bias or None), ...]`` per hidden layer, then the read-out name.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> layer_names(parse_spec("mlp:d=3,widths=4-2,bias=1"))
    [('W1', 'b1'), ('W2', 'b2'), 'a']
    """
    bias = bool(spec["bias"])
    return [(f"W{l}", f"b{l}" if bias else None) for l in range(1, len(spec["widths"]) + 1)] + ["a"]


def forward(params: dict, X, act):
    """Hidden layers ``act(h W^T + b)`` then the linear read-out ``h a``.

    Examples
    --------
    >>> import numpy as np
    >>> p = {"W1": np.array([[1.0, 1.0]]), "a": np.array([2.0])}
    >>> forward(p, np.array([[1.0, 2.0]]), lambda z: z)
    array([6.])
    """
    h = X
    layer = 1
    while f"W{layer}" in params:
        h = h @ params[f"W{layer}"].T
        if f"b{layer}" in params:
            h = h + params[f"b{layer}"]
        h = act(h)
        layer += 1
    return h @ params["a"]


def num_params_formula(spec) -> ClosedForm:
    """``d m1 + m1 m2 + ... + m_L`` (plus ``m1 + ... + mL`` with bias).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> str(num_params_formula(parse_spec("mlp:d=3,widths=4-2")))
    'd*m1 + m1*m2 + m2 = 22'
    """
    widths = spec["widths"]
    m = [sympy.Symbol(f"m{i}", positive=True, integer=True) for i in range(1, len(widths) + 1)]
    dims = [SIZE_SYMBOLS["d"]] + m
    expr = sum(dims[i] * dims[i + 1] for i in range(len(m))) + m[-1]
    if spec["bias"]:
        expr += sum(m)
    sizes = {"d": spec["d"], **{f"m{i}": w for i, w in enumerate(widths, start=1)}}
    return ClosedForm(expr, sizes)


def narrow_bound(spec) -> ClosedForm:
    """``M_narrow``: parameter count of this (narrow) network, the LLR upper
    bound on the optimistic sample size of any target it expresses.

    Local linear recovery (arXiv 2406.18035): ``O_wide(f*) <= O_narrow(f*) <= M_narrow``.
    ``L - 1`` hidden layers of width 1 without bias give ``d + L - 1``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> narrow_bound(parse_spec("mlp:d=3,widths=1-1-1")).value  # d + L - 1 with L = 4
    6
    """
    form = num_params_formula(spec)
    return ClosedForm(
        form.expr, form.sizes,
        source="Zhang et al., local linear recovery (arXiv 2406.18035), O_narrow <= M_narrow",
    )


def generic_rank(spec) -> ClosedForm:
    """No clean closed form is stated for the generic rank of a deep network.

    The returned form is the parameter count, an upper bound, marked
    ``holds=False`` so reports show it as a bound rather than a prediction.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> form = generic_rank(parse_spec("mlp:d=2,widths=2-2"))
    >>> form.holds, form.value
    (False, 10)
    """
    form = num_params_formula(spec)
    return ClosedForm(
        form.expr, form.sizes, source="upper bound: parameter count", holds=False,
        note="no closed form for the generic rank of a deep network; the count M is only an upper bound",
    )


STRATA_NOTE = (
    "no clean stratification is stated for deep networks; what is proven is the "
    "local-linear-recovery bound O_wide(f*) <= O_narrow(f*) <= M_narrow (narrow_bound)"
)
