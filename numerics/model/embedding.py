"""Embed a narrow network's point into a wider network computing the same function.

The embedding principle (arXiv 2309.00508) and local linear recovery (arXiv
2406.18035): a target expressed by a narrow fully connected network is
expressed by every wider one, at points obtained from the narrow one by

- ``zero`` embedding: every extra neuron has zero incoming weights, zero bias
  and zero outgoing weights;
- ``split`` embedding: every extra neuron copies a neuron of the same layer
  (incoming weights and bias), and the copies of a neuron share its outgoing
  weights in positive fractions that sum to one.

For activations with ``sigma(0) = 0`` (tanh, sin) both keep the model rank
of the narrow point, which gives ``O_wide(f*) <= O_narrow(f*) <= M_narrow``.

Works for ``mlp`` (any depth) and ``twolayer`` specs of the same input size,
activation, bias and depth.
"""

from __future__ import annotations

import numpy as np

from rankstrat.theory.errors import InputError

MODES = ("zero", "split")
"""Embedding modes."""


def _layered(spec, what: str):
    function = getattr(spec.module, what, None)
    if function is None:
        raise InputError(f"embedding: needs a family with hidden layers (mlp or twolayer), got {spec}")
    return function(spec)


def hidden_widths(spec) -> tuple:
    """Hidden widths of a layered spec (:func:`rankstrat.theory.families.mlp.hidden_widths`).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> hidden_widths(parse_spec("mlp:d=3,widths=4-2")), hidden_widths(parse_spec("twolayer:d=3,k=5"))
    ((4, 2), (5,))
    """
    return _layered(spec, "hidden_widths")


def layer_names(spec) -> list:
    """``[(weight, bias or None), ...]`` per hidden layer, and the read-out name last.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> layer_names(parse_spec("mlp:d=3,widths=4-2,bias=1"))
    [('W1', 'b1'), ('W2', 'b2'), 'a']
    >>> layer_names(parse_spec("twolayer:d=3,k=2"))
    [('W', None), 'a']
    """
    return _layered(spec, "layer_names")


def _check_pair(narrow, wide) -> None:
    if narrow.family != wide.family:
        raise InputError(f"embedding: families differ ({narrow.family} into {wide.family})")
    for key in ("d", "act", "bias"):
        if narrow[key] != wide[key]:
            raise InputError(f"embedding: {key} differs ({narrow[key]} into {wide[key]}); only widths may grow")
    small, large = hidden_widths(narrow), hidden_widths(wide)
    if len(small) != len(large) or any(s > w for s, w in zip(small, large)):
        raise InputError(
            f"embedding: the wide network's widths {large} must have the depth of {small} and be at least as wide"
        )


def _sources(narrow_width: int, wide_width: int, mode: str) -> list:
    extra = range(narrow_width, wide_width)
    if mode == "zero":
        return list(range(narrow_width)) + [None for _ in extra]
    return list(range(narrow_width)) + [(i - narrow_width) % narrow_width for i in extra]


def _fractions(sources: list, rng: np.random.Generator) -> np.ndarray:
    """Split fractions of the copies of each unit: powers of two summing to 1
    (1/2, 1/4, ..., the last two equal), in a random order.

    Products with powers of two are exact in float64, so the embedded point
    computes exactly the narrow point's function and its copies are exactly
    proportional (random fractions would round, and the rank at the rounded
    point is higher).

    Examples
    --------
    >>> f = _fractions([0, 0, 0, 1, None], np.random.default_rng(0))
    >>> sorted(f[:3].tolist()), f[3:].tolist()
    ([0.25, 0.25, 0.5], [1.0, 0.0])
    """
    frac = np.zeros(len(sources))
    for p in {s for s in sources if s is not None}:
        copies = [i for i, s in enumerate(sources) if s == p]
        share = [2.0 ** -(i + 1) for i in range(len(copies) - 1)] + [2.0 ** -(len(copies) - 1)]
        frac[copies] = rng.permutation(share)
    return frac


def embed_point(narrow, point: dict, wide, mode: str = "zero", seed: int = 0) -> dict:
    """The point of the wide network that computes the narrow point's function.

    Parameters
    ----------
    narrow, wide : Spec
        ``mlp`` (or ``twolayer``) specs; ``wide`` has the same depth, input
        size, activation and bias, and widths at least those of ``narrow``.
    point : dict
        Parameters of the narrow network.
    mode : {'zero', 'split'}
        See the module docstring.
    seed : int
        Seed of the split fractions.

    Returns
    -------
    dict
        Parameters of the wide network.

    Raises
    ------
    InputError
        Incompatible specs or an unknown mode.

    Examples
    --------
    >>> import torch
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import random_point, flat_point, generic_inputs
    >>> from rankstrat.numerics.model.realize import realize
    >>> narrow, wide = parse_spec("mlp:d=2,widths=2-1,bias=1"), parse_spec("mlp:d=2,widths=4-3,bias=1")
    >>> p = random_point(narrow, 1)
    >>> q = embed_point(narrow, p, wide, mode="split")
    >>> X = torch.tensor(generic_inputs(narrow, 5))
    >>> f = lambda spec, pt: realize(spec)(torch.tensor(flat_point(spec, pt)), X)
    >>> bool(torch.allclose(f(narrow, p), f(wide, q)))
    True
    """
    if mode not in MODES:
        raise InputError(f"embedding: unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    _check_pair(narrow, wide)
    rng = np.random.default_rng(seed)
    names_narrow, names_wide = layer_names(narrow), layer_names(wide)
    out: dict = {}
    previous_sources, previous_frac = None, None
    for (w_name, b_name), small, large in zip(names_wide[:-1], hidden_widths(narrow), hidden_widths(wide)):
        sources = _sources(small, large, mode)
        W_small = np.asarray(point[w_name], dtype=float)
        cols = W_small.shape[1] if previous_sources is None else len(previous_sources)
        W = np.zeros((large, cols))
        for i, s in enumerate(sources):
            if s is None:
                continue
            if previous_sources is None:
                W[i] = W_small[s]
            else:
                for j, t in enumerate(previous_sources):
                    if t is not None:
                        W[i, j] = W_small[s, t] * previous_frac[j]
        out[w_name] = W
        if b_name is not None:
            b_small = np.asarray(point[b_name], dtype=float)
            out[b_name] = np.array([0.0 if s is None else b_small[s] for s in sources])
        previous_sources, previous_frac = sources, _fractions(sources, rng)
    a_small = np.asarray(point[names_narrow[-1]], dtype=float)
    out[names_wide[-1]] = np.array(
        [0.0 if s is None else a_small[s] * f for s, f in zip(previous_sources, previous_frac)]
    )
    return out
