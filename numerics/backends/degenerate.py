"""Kernel vectors of the Jacobian at degenerate points: duplicate, sign-duplicate
and zero units, found by exact equality of the point's float64 coordinates.

The point is exactly its float values, so an equality tested in float64 is an
equality of real numbers, and each vector below is a kernel vector of the
Jacobian for every input (a proven upper bound ``M - dim span``). Notation:
a unit ``i`` (a neuron, or a convolution channel) has incoming parameters
``in_i`` (weights, then bias) applied to what it reads, ``z``, giving the
pre-activation ``p_i = w_i . z + b_i`` and the output ``h_i = act(p_i)``;
its ``m``-th outgoing parameter ``out_i[m]`` multiplies ``h_i`` (at position
``m`` for a channel) in the pre-activation of a downstream quantity ``D_m``
(the next layer's neuron ``m``, or the read-out), so
``df/d out_i[m] = g_m h_i`` with ``g_m = df/dD_m``. Which units read the same
``z`` (entry by entry of ``in``) and feed the same ``D_m`` is given by the
family (``unit_inputs``): all neurons of a two-layer network or of one mlp
layer, all channels of a convolution, but for a locally connected layer only
the neurons at the same position ``q`` (they read patch ``q``; neurons at
different positions read different patches, and equal weights there are no
degeneracy).

1. **Duplicates**: ``in_j = in_i`` exactly. Then ``h_j = h_i`` as functions of
   the input and of every other parameter, so
   ``df/d out_j[m] = g_m h_j = df/d out_i[m]``: ``e[out_i[m]] - e[out_j[m]]``.
   When both units feed the linear read-out through one weight,
   ``f = a_i h_i + a_j h_j + (terms free of in_i, in_j)``, so
   ``df/d in_i[m] = a_i act'(p_i) z_m`` and the same for ``j`` with
   ``act'(p_j) = act'(p_i)``: ``a_j e[in_i[m]] - a_i e[in_j[m]]``. A
   convolution channel has one read-out weight per position, and
   ``sum_q a[c, q] act'(.) patch_q`` is not proportional between two
   channels: it gets only the outgoing vectors (unless ``Q = 1``); so does a
   neuron of an inner mlp layer.
2. **Sign duplicates**: ``in_j = -in_i`` exactly, so ``p_j = -p_i``.
   Odd ``act``: ``h_j = -h_i``, so ``e[out_i[m]] + e[out_j[m]]``; even powers
   (``pow2``, ``pow4``, ...): ``h_j = h_i``, ``e[out_i[m]] - e[out_j[m]]``.
   With one read-out weight, ``act'`` even (odd ``act``, and every reflection
   ``act(-z) = c - act(z)``, sigmoid included) gives
   ``a_j e[in_i[m]] - a_i e[in_j[m]]``; ``act'`` odd (even powers) gives
   ``-a_j e[in_i[m]] - a_i e[in_j[m]]``. A reflection with ``c != 0`` gives no
   outgoing vector: ``h_j = c - h_i`` and the constant ``c g_m`` is in
   general not in the span of the other columns.
3. **Zero units**: all outgoing parameters of ``i`` exactly 0: every path
   from ``in_i`` to ``f`` passes through ``out_i``, so ``df/d in_i[m]`` is a
   sum of terms ``g_r out_i[r] act'(.) z_m`` (for a channel, one per
   position ``r`` with its own patch), all 0: ``e[in_i[m]]``.
   All incoming parameters exactly 0 and ``act(0) = 0``: ``h_i = 0`` for
   every input, so ``df/d out_i[m] = g_m h_i = 0``: ``e[out_i[m]]``.

Analytic activations only (relu gets none). Not claimed: relations through
the constant function (a zero-weight sigmoid neuron; ``sigma(p) +
sigma(-p) = 1``) and through the next layer's bias (a zero-incoming mlp
neuron: ``df/db_i = act'(0) sum_r W[r, i] df/db'_r``).

A vector is a list of ``(target, coefficient, source)``: entry ``target``
gains ``coefficient * theta[source]``, or ``coefficient`` when ``source`` is
None; coefficients are integers, so the entries are exact.
"""

from __future__ import annotations

import numpy as np

from rankstrat.numerics.families import numeric_family
from rankstrat.numerics.model.points import flat_indices
from rankstrat.theory.activations import Activation
from rankstrat.theory.spec import Spec


def negation_factors(act: Activation) -> tuple:
    """``(u, t)`` with ``act(-z) = u act(z)`` and ``act'(-z) = t act'(z)`` (None where
    no such identity holds).

    Examples
    --------
    >>> from rankstrat.theory.activations import get_activation
    >>> [negation_factors(get_activation(n)) for n in ("tanh", "sigmoid", "pow2", "exp")]
    [(-1, 1), (None, 1), (1, -1), (None, None)]
    """
    if act.odd:
        return -1, 1
    if act.polynomial and act.degree % 2 == 0:
        return 1, -1
    if act.reflection is not None:
        return None, 1
    return None, None


def _signed_key(values: np.ndarray, normalise: bool) -> tuple:
    """The incoming values up to sign (first nonzero entry positive), and the sign."""
    if normalise:
        nonzero = np.flatnonzero(values)
        if len(nonzero) and values[nonzero[0]] < 0:
            return tuple((-values).tolist()), -1
    return tuple(values.tolist()), 1


def _constant(index: int, coefficient: int = 1) -> tuple:
    return (int(index), coefficient, None)


def degenerate_vectors(spec: Spec, theta) -> tuple[list, dict]:
    """The kernel vectors of duplicate, sign-duplicate and zero units at ``theta``.

    Parameters
    ----------
    spec : Spec
    theta : array (M,)
        The flat point; equalities are tested exactly.

    Returns
    -------
    (list, dict)
        The vectors (module docstring) and their count per rule
        (``duplicate``, ``sign-duplicate``, ``zero``; rules without vectors
        left out).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=2,k=3")
    >>> theta = np.array([1.0, 2.0, 1.0, 2.0, 0.5, 0.25, 3.0, 4.0, 0.0])
    >>> vectors, counts = degenerate_vectors(spec, theta)
    >>> counts
    {'duplicate': 3, 'zero': 2}
    >>> vectors[0]  # neurons 0 and 1 are equal: e[a_0] - e[a_1]
    [(6, 1, None), (7, -1, None)]
    >>> vectors[1]  # a_1 e[W_00] - a_0 e[W_10]
    [(0, 1, 7), (2, -1, 6)]
    """
    family = numeric_family(spec)
    act = spec.activation
    if act is None or not act.analytic or not hasattr(family, "unit_inputs"):
        return [], {}
    theta = np.asarray(theta, dtype=np.float64).reshape(-1)
    index = flat_indices(spec)
    units = family.neuron_units(spec, index)
    roles = family.unit_inputs(spec, index)
    u, t = negation_factors(act)
    counts = {"duplicate": 0, "sign-duplicate": 0, "zero": 0}
    vectors = []

    groups = {}
    for i, ((incoming, outgoing), (reads, readout)) in enumerate(zip(units, roles)):
        key, sign = _signed_key(theta[incoming], u is not None or t is not None)
        groups.setdefault((reads, readout, len(incoming), len(outgoing), key), []).append((i, sign))
    for (_, readout, *_), members in groups.items():
        if len(members) < 2:
            continue
        # prefer a representative with a nonzero read-out weight: its incoming vectors then span all relations
        first = next((m for m in members if not readout or theta[units[m[0]][1][0]] != 0), members[0])
        for j, sign in members:
            if j == first[0]:
                continue
            same = sign == first[1]
            rule = "duplicate" if same else "sign-duplicate"
            in_j, out_j = units[j]
            rep, factor, out_rule = first[0], 1 if same else u, rule
            if factor is None:  # a reflection: compare the outputs with the first member of the same sign
                rep, factor, out_rule = next(m for m, s in members if s == sign), 1, "duplicate"
            if rep != j:
                out_r = units[rep][1]
                vectors += [[_constant(r, factor), _constant(o, -1)] for r, o in zip(out_r, out_j)]
                counts[out_rule] += len(out_j)
            tau = 1 if same else t
            in_r, out_r = units[first[0]]
            if readout and tau is not None and (theta[out_r[0]] or theta[out_j[0]]):  # else: the zero vector
                vectors += [[(int(r), tau, int(out_j[0])), (int(o), -1, int(out_r[0]))] for r, o in zip(in_r, in_j)]
                counts[rule] += len(in_j)

    for incoming, outgoing in units:
        if not np.any(theta[outgoing]):
            vectors += [[_constant(m)] for m in incoming]
            counts["zero"] += len(incoming)
        if act.value_at_zero == 0 and not np.any(theta[incoming]):
            vectors += [[_constant(m)] for m in outgoing]
            counts["zero"] += len(outgoing)
    return vectors, {rule: count for rule, count in counts.items() if count}
