"""Parameter directions a data set cannot see, named by parameter.

At a target ``theta*`` the model's own kernel ``K_model`` (directions along
which ``f(.; theta)`` does not move to first order, measured at generic
inputs) is contained in the kernel ``K_data`` of the Jacobian at the data.
The *lost* directions are those in ``K_data`` but not in ``K_model``: they
change the function, yet not at any of the inputs; there are
``R(theta*) - rank J_data`` of them modulo ``K_model``. They are shown by
sparse representatives: ``K_data`` is given a sparse basis by a pivoted
elimination, and the vectors whose effects on the function (``J_model v``)
are independent are kept, so a direction reads ``"A[2,0] +1.00"`` rather
than a mixture with the model's own symmetries. Written as
``"W[0,2] +0.71, W[1,2] -0.71"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

DISPLAY_THRESHOLD = 0.01
"""Entries of a unit direction below this magnitude are not named."""
MAX_TERMS = 6
"""Most parameters named per direction."""


def kernel_basis(J: np.ndarray, rank: int) -> np.ndarray:
    """Orthonormal basis (columns) of the kernel of ``J``, given its rank.

    Parameters
    ----------
    J : array (n, M)
    rank : int
        The decided rank (from the rank engine).

    Returns
    -------
    ndarray (M, M - rank)

    Examples
    --------
    >>> kernel_basis(np.array([[1.0, 1.0]]), 1).round(3).ravel().tolist()
    [-0.707, 0.707]
    """
    J = np.atleast_2d(np.asarray(J, dtype=float))
    _, _, Vh = np.linalg.svd(J, full_matrices=True)
    return Vh[rank:].T


def sparsify(basis: np.ndarray) -> np.ndarray:
    """A basis of the same span whose vectors are sparse: each vector is 1 at
    its own pivot coordinate and 0 at the others' pivots (pivots chosen by
    column-pivoted QR), then scaled to unit norm with a positive pivot.

    Examples
    --------
    >>> B = np.array([[1.0, 1.0], [1.0, -1.0], [0.0, 0.0]]) / np.sqrt(2)  # span{e0, e1}
    >>> np.abs(sparsify(B)).round(6).T.tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    basis = np.asarray(basis, dtype=float)
    if basis.size == 0 or basis.shape[1] == 0:
        return basis.reshape(basis.shape[0], 0)
    q = basis.shape[1]
    _, _, pivots = scipy.linalg.qr(basis.T, mode="economic", pivoting=True)
    pivots = pivots[:q]
    vectors = basis @ np.linalg.inv(basis[pivots, :])
    vectors /= np.linalg.norm(vectors, axis=0, keepdims=True)
    signs = np.sign(vectors[pivots, np.arange(q)])
    return vectors * np.where(signs == 0, 1.0, signs)


def lost_subspace(J_data: np.ndarray, rank_data: int, J_model: np.ndarray, rank_model: int) -> np.ndarray:
    """Orthonormal basis of the directions the data loses: ``K_data`` minus ``K_model``.

    Parameters
    ----------
    J_data : array (n, M)
        Jacobian at the data.
    rank_data : int
    J_model : array (N, M)
        Jacobian at generic inputs (the model rank).
    rank_model : int

    Returns
    -------
    ndarray (M, rank_model - rank_data)

    Examples
    --------
    >>> J_model = np.eye(3)[:2]               # the model sees theta_0 and theta_1
    >>> J_data = np.array([[1.0, 0.0, 0.0]])  # the data sees theta_0 only
    >>> lost_subspace(J_data, 1, J_model, 2).round(6).ravel().tolist()
    [0.0, 1.0, 0.0]
    """
    count = max(rank_model - rank_data, 0)
    size = np.shape(J_model)[1]
    if count == 0:
        return np.zeros((size, 0))
    K_data = kernel_basis(J_data, rank_data)
    K_model = kernel_basis(J_model, rank_model)
    projected = K_data - K_model @ (K_model.T @ K_data)
    U, _, _ = np.linalg.svd(projected, full_matrices=False)
    basis = U[:, :count]
    return basis * np.sign(basis[np.argmax(np.abs(basis), axis=0), np.arange(count)])


def lost_representatives(J_data: np.ndarray, rank_data: int, J_model: np.ndarray, rank_model: int) -> np.ndarray:
    """Sparse vectors of ``K_data`` whose images ``J_model v`` are independent:
    representatives of the lost directions modulo ``K_model``.

    The sparse basis of ``K_data`` (:func:`sparsify`) is searched by
    column-pivoted QR of its images; when the chosen images are not clearly
    independent the orthogonal complement (:func:`lost_subspace`) is returned.

    Parameters
    ----------
    J_data : array (n, M)
    rank_data : int
    J_model : array (N, M)
    rank_model : int

    Returns
    -------
    ndarray (M, rank_model - rank_data)

    Examples
    --------
    >>> J_model = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # theta_0 - theta_1 is a symmetry
    >>> J_data = np.array([[0.0, 0.0, 1.0]])                    # the data misses theta_0 + theta_1
    >>> lost_representatives(J_data, 1, J_model, 2).round(6).ravel().tolist()
    [1.0, 0.0, 0.0]
    """
    count = max(rank_model - rank_data, 0)
    size = np.shape(J_model)[1]
    if count == 0:
        return np.zeros((size, 0))
    sparse = sparsify(kernel_basis(J_data, rank_data))
    images = np.asarray(J_model, dtype=float) @ sparse
    _, R, pivots = scipy.linalg.qr(images, mode="economic", pivoting=True)
    diagonal = np.abs(np.diag(R))[:count]
    if len(diagonal) < count or diagonal[-1] <= 1e-8 * max(diagonal[0], 1e-300):
        return lost_subspace(J_data, rank_data, J_model, rank_model)
    chosen = sparse[:, pivots[:count]]
    return chosen[:, np.argsort(np.argmax(np.abs(chosen), axis=0), kind="stable")]


@dataclass(frozen=True)
class Direction:
    """One lost direction: a unit vector and its largest entries by parameter name.

    Attributes
    ----------
    vector : ndarray (M,)
    terms : tuple of (str, float)
        Named entries with ``|value| >= DISPLAY_THRESHOLD``, largest first.

    Examples
    --------
    >>> d = name_direction(np.array([0.6, -0.8, 0.0]), ["W[0,0]", "W[0,1]", "a[0]"])
    >>> d.text()
    'W[0,1] -0.80, W[0,0] +0.60'
    >>> d.names()
    ['W[0,1]', 'W[0,0]']
    """

    vector: np.ndarray
    terms: tuple

    def text(self, max_terms: int = MAX_TERMS) -> str:
        """``"name +0.71, name -0.71"``, with ``(+N smaller)`` when cut.

        Examples
        --------
        >>> name_direction(np.ones(3), ["a", "b", "c"]).text(max_terms=2)
        'a +0.58, b +0.58 (+1 smaller)'
        """
        shown = ", ".join(f"{name} {value:+.2f}" for name, value in self.terms[:max_terms])
        hidden = len(self.terms) - max_terms
        return shown + (f" (+{hidden} smaller)" if hidden > 0 else "")

    def names(self) -> list:
        """The named parameters, largest entry first.

        Examples
        --------
        >>> name_direction(np.array([0.1, -0.9]), ["a", "b"]).names()
        ['b', 'a']
        """
        return [name for name, _ in self.terms]

    def as_dict(self) -> dict:
        """Plain types, for JSON.

        Examples
        --------
        >>> name_direction(np.array([0.0, 2.0]), ["a", "b"]).as_dict()
        {'text': 'b +1.00', 'terms': [['b', 1.0]]}
        """
        return {"text": self.text(), "terms": [[n, float(v)] for n, v in self.terms]}


def name_direction(vector: np.ndarray, names: list, threshold: float = DISPLAY_THRESHOLD) -> Direction:
    """Name the entries of a direction (normalised to unit length) by parameter.

    Parameters
    ----------
    vector : array (M,)
    names : list of str
        Flat parameter names (:func:`rankstrat.theory.model.symbolic.param_names`).
    threshold : float

    Returns
    -------
    Direction

    Examples
    --------
    >>> name_direction(np.array([0.0, 3.0]), ["a", "b"]).text()
    'b +1.00'
    """
    vector = np.asarray(vector, dtype=float)
    norm = np.linalg.norm(vector)
    unit = vector / norm if norm > 0 else vector
    order = np.argsort(-np.abs(unit), kind="stable")
    terms = tuple((names[i], float(unit[i])) for i in order if abs(unit[i]) >= threshold)
    return Direction(unit, terms)


def named_lost_directions(names: list, J_data, rank_data: int, J_model, rank_model: int) -> list:
    """The lost directions, sparse and named.

    Parameters
    ----------
    names : list of str
    J_data, J_model : arrays
    rank_data, rank_model : int

    Returns
    -------
    list of Direction

    Examples
    --------
    >>> J_model = np.eye(3)
    >>> J_data = np.array([[1.0, 0.0, 0.0], [2.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    >>> [d.text() for d in named_lost_directions(["a", "b", "c"], J_data, 2, J_model, 3)]
    ['b +1.00']
    """
    basis = lost_representatives(J_data, rank_data, J_model, rank_model)
    return [name_direction(basis[:, i], names) for i in range(basis.shape[1])]
