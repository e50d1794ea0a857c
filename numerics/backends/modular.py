"""Exact ranks modulo a prime: proven lower bounds for polynomial models.

The Jacobian of a polynomial model at a float point and float inputs has
rational (dyadic) entries. Reducing them modulo the prime ``p = 2^31 - 1``
is a ring map, so every minor that vanishes over the rationals vanishes mod
``p``: ``rank_p(J mod p) <= rank_Q(J)``. The residues come straight from the
forward map (:func:`rankstrat.numerics.backends.forward.dual_jacobian` with
``ring="mod"``) and the rank from flint's ``nmod_mat`` (C, Gaussian
elimination): thousands of parameters in seconds.
"""

from __future__ import annotations

import numpy as np

from rankstrat.numerics.backends.forward import dual_jacobian
from rankstrat.numerics.backends.rings import PRIME
from rankstrat.theory.spec import Spec


def rank_mod_p(residues) -> int:
    """Rank over ``Z/pZ`` (``p = 2^31 - 1``) of an integer matrix of residues.

    Examples
    --------
    >>> rank_mod_p(np.array([[1, 2], [2, 4], [0, 0]]))
    1
    >>> rank_mod_p(np.array([[PRIME, 0], [0, 1]]))  # p = 0 mod p
    1
    """
    import flint

    residues = np.mod(np.asarray(residues, dtype=np.int64), PRIME)
    if residues.size == 0:
        return 0
    n, m = residues.shape
    return int(flint.nmod_mat(n, m, residues.ravel().tolist(), PRIME).rank())


def modular_lower_bound(spec: Spec, theta, X) -> int:
    """A proven lower bound of the Jacobian rank of a polynomial model at exactly
    this float point and these float inputs.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import flat_point, random_point, generic_inputs
    >>> spec = parse_spec("mf:n1=4,k=2,n2=4")
    >>> modular_lower_bound(spec, flat_point(spec, random_point(spec)), generic_inputs(spec, 32))
    12
    """
    return rank_mod_p(dual_jacobian(spec, theta, X, "mod"))
