"""The torch function of a spec: ``f(theta, X)`` batched over inputs, float64."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from rankstrat.theory.model.symbolic import family_forward, num_params, param_names, param_shapes
from rankstrat.theory.spec import Spec

TORCH_ACTIVATIONS: dict[str, Callable] = {
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "sin": torch.sin,
    "exp": torch.exp,
    "softplus": F.softplus,
    "relu": torch.relu,
}
"""Torch counterparts of :data:`rankstrat.theory.activations.ACTIVATIONS` (``powP`` is built on demand)."""


def torch_activation(spec: Spec) -> Callable | None:
    """The torch elementwise activation of ``spec`` (None for ``mf``).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> torch_activation(parse_spec("twolayer:d=1,k=1,act=pow3"))(torch.tensor([2.0])).item()
    8.0
    """
    act = spec.activation
    if act is None:
        return None
    if act.polynomial:
        degree = act.degree
        return lambda z: z**degree
    return TORCH_ACTIVATIONS[act.name]


@dataclass(frozen=True)
class Realization:
    """``f(theta, X)`` of a spec, with flat parameter vectors.

    Attributes
    ----------
    spec : Spec
    shapes : dict
        Ordered ``{name: shape}``.
    names : list of str
        Flat parameter names (``W[0,1]``...).
    num_params : int

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> model = realize(parse_spec("twolayer:d=2,k=3"))
    >>> theta = torch.ones(model.num_params, dtype=torch.float64)
    >>> model(theta, torch.zeros(4, 2, dtype=torch.float64)).shape
    torch.Size([4])
    """

    spec: Spec
    shapes: dict
    names: list
    num_params: int
    _forward: Callable
    _act: Callable | None

    def unflatten(self, theta: torch.Tensor) -> dict:
        """Split a flat vector (or a batch ``(..., M)``) into named tensors.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> model = realize(parse_spec("twolayer:d=2,k=3"))
        >>> {k: tuple(v.shape) for k, v in model.unflatten(torch.zeros(9)).items()}
        {'W': (3, 2), 'a': (3,)}

        Scalar parameters (shape ``()``, user models) come out as 0-d tensors.
        """
        out, start = {}, 0
        lead = theta.shape[:-1]
        for name, shape in self.shapes.items():
            size = int(np.prod(shape, dtype=np.int64))
            out[name] = theta[..., start : start + size].reshape(tuple(lead) + tuple(shape))
            start += size
        return out

    def flatten(self, params: dict) -> torch.Tensor:
        """Concatenate named tensors (or arrays) into the flat float64 vector.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> model = realize(parse_spec("mf:n1=1,k=1,n2=1"))
        >>> model.flatten({"A": [[2.0]], "B": [[3.0]]}).tolist()
        [2.0, 3.0]
        """
        return torch.cat(
            [torch.as_tensor(np.asarray(params[name], dtype=np.float64)).reshape(-1) for name in self.shapes]
        )

    def apply(self, params: dict, X: torch.Tensor) -> torch.Tensor:
        """Outputs at the rows of ``X`` for named parameters.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> model = realize(parse_spec("mf:n1=1,k=1,n2=1"))
        >>> params = {"A": torch.tensor([[2.0]]), "B": torch.tensor([[3.0]])}
        >>> model.apply(params, torch.tensor([[1.0, 1.0]])).tolist()
        [6.0]
        """
        return self._forward(params, X, self._act)

    def __call__(self, theta: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        return self.apply(self.unflatten(theta), X)


@lru_cache(maxsize=64)
def realize(spec: Spec) -> Realization:
    """Build the torch realisation of ``spec`` (cached per spec).

    The forward map is the family's own ``forward``, the same one the sympy
    model is built from.

    Parameters
    ----------
    spec : Spec

    Returns
    -------
    Realization

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> model = realize(parse_spec("mf:n1=2,k=1,n2=2"))
    >>> theta = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)  # A=[1,2]^T, B=[3,4]
    >>> X = torch.tensor([[0.0, 1.0, 0.0, 1.0]], dtype=torch.float64)    # entry (1, 1)
    >>> model(theta, X).item()
    8.0
    """
    return Realization(
        spec,
        param_shapes(spec),
        param_names(spec),
        num_params(spec),
        family_forward(spec),
        torch_activation(spec),
    )
