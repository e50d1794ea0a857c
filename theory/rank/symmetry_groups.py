"""Named symmetry groups for the ``SYMMETRIES`` of a model file: the tangent
vectors of a group acting on parameter arrays, given the point.

Each function returns a list of vectors ``{NAME: array}``, to be returned by
``SYMMETRIES(point)``; rankstrat verifies every vector exactly before it
bounds a rank (:func:`rankstrat.theory.rank.kernel_certificates.declared_vectors`),
so naming the wrong group is refused, never trusted.

- :func:`rescaling`: ``(t A, t B, ..., C / t, ...)``, one vector;
- :func:`shared_basis`: ``A -> A G``, ``B -> B G^-T`` for ``G`` in
  ``GL(k)`` on the last axis (products ``A B^T``), ``k^2`` vectors.
"""

from __future__ import annotations

import numpy as np


def rescaling(point: dict, up, down) -> list:
    """The tangent of ``(t * up, down / t)``: ``{up: +value, down: -value}``.

    Parameters
    ----------
    point : dict
        Parameter arrays.
    up, down : str or sequence of str
        Names scaled by ``t`` and by ``1/t``.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> v = rescaling({"a": np.array([2, 3]), "w": np.array([5])}, "a", "w")[0]
    >>> v["a"].tolist(), v["w"].tolist()
    ([2, 3], [-5])
    """
    up = [up] if isinstance(up, str) else list(up)
    down = [down] if isinstance(down, str) else list(down)
    vector = {name: np.asarray(point[name]) for name in up}
    vector.update({name: -np.asarray(point[name]) for name in down})
    return [vector]


def shared_basis(point: dict, left: str, right: str) -> list:
    """Tangents of ``left -> left G``, ``right -> right G^-T``, which keep
    ``left @ right.T``: ``(left E_pq, -right E_qp)`` for every ``p, q``.

    Parameters
    ----------
    point : dict
    left, right : str
        Names of two arrays with the same last axis length ``k``.

    Returns
    -------
    list of dict
        ``k^2`` vectors.

    Examples
    --------
    >>> p = {"Q": np.array([[1, 2], [3, 4]], dtype=object), "K": np.array([[5, 6], [7, 8]], dtype=object)}
    >>> vectors = shared_basis(p, "Q", "K")
    >>> len(vectors), vectors[1]["Q"].tolist(), vectors[1]["K"].tolist()
    (4, [[0, 1], [0, 3]], [[-6, 0], [-8, 0]])
    """
    A, B = np.asarray(point[left], dtype=object), np.asarray(point[right], dtype=object)
    k = A.shape[-1]
    out = []
    for p in range(k):
        for q in range(k):
            E = np.zeros((k, k), dtype=object)
            E[p, q] = 1
            out.append({left: A.dot(E), right: -B.dot(E.T)})
    return out
