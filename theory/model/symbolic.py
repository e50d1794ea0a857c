"""The sympy model of a spec: ``f(x; theta)`` with named symbols, and its gradient.

The expression comes from the family's own ``forward`` applied to numpy object
arrays of sympy symbols, so it is the same map the torch realisation computes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import sympy

from rankstrat.theory.errors import SpecError
from rankstrat.theory.spec import Spec

MAX_SYMBOLIC_PARAMS = 600
"""Largest parameter count for which a symbolic model is built."""


class SymbolicUnavailable(SpecError):
    """The model has no symbolic form (a plain torch function): high precision,
    ball and exact arithmetic cannot be applied to it.

    Examples
    --------
    >>> isinstance(SymbolicUnavailable("x"), SpecError)
    True
    """


def has_symbolic_model(spec) -> bool:
    """True unless the model declares it has no symbolic form (``spec.symbolic`` False).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> has_symbolic_model(parse_spec("twolayer:d=1,k=1"))
    True
    """
    return bool(getattr(spec, "symbolic", True))


def _unavailable(spec) -> SymbolicUnavailable:
    return SymbolicUnavailable(
        f"{spec}: a plain torch function has no symbolic model, so high precision and ball/exact "
        "certificates are unavailable; switch certificates off (e.g. rankstrat rank --no-certify)"
    )


def param_shapes(spec: Spec) -> dict:
    """Ordered ``{name: shape}`` of the parameters of ``spec``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> param_shapes(parse_spec("twolayer:d=2,k=3"))
    {'W': (3, 2), 'a': (3,)}
    """
    return spec.module.param_shapes(spec)


def num_params(spec: Spec) -> int:
    """Parameter count ``M`` from the shapes.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> num_params(parse_spec("twolayer:d=3,k=5,bias=1"))
    25
    """
    return int(sum(np.prod(shape, dtype=np.int64) for shape in param_shapes(spec).values()))


def param_names(spec: Spec) -> list[str]:
    """Flat parameter names in the order of the flat vector ``theta``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> param_names(parse_spec("twolayer:d=2,k=1,bias=1"))
    ['W[0,0]', 'W[0,1]', 'b[0]', 'a[0]']
    """
    names = []
    for name, shape in param_shapes(spec).items():
        for index in np.ndindex(*shape):
            names.append(f"{name}[{','.join(str(i) for i in index)}]")
    return names


def family_forward(spec: Spec) -> Callable:
    """The family's forward map with spec-dependent constants bound.

    Returns a callable ``forward(params, X, act)``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> f = family_forward(parse_spec("cnn1d:d=3,s=2,k=1"))
    >>> p = {"W": np.array([[1.0, 0.0]]), "a": np.array([[1.0, 1.0]])}
    >>> f(p, np.array([[1.0, 2.0, 3.0]]), lambda z: z)
    array([3.])
    """
    module = spec.module
    if hasattr(module, "patch_index"):
        index = module.patch_index(spec)
        return lambda params, X, act: module.forward(params, X, act, index=index)
    return module.forward


@dataclass(frozen=True)
class SymbolicModel:
    """``f(x; theta)`` as a sympy expression.

    Attributes
    ----------
    spec : Spec
    expr : sympy.Expr
    params : list of sympy.Symbol
        Flat, in the order of :func:`param_names`.
    inputs : list of sympy.Symbol
        ``x_0, ..., x_{D-1}``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> model = symbolic_model(parse_spec("twolayer:d=1,k=1,bias=1"))
    >>> model.expr
    a_0*tanh(W_0_0*x_0 + b_0)
    """

    spec: Spec
    expr: sympy.Expr
    params: list
    inputs: list

    def gradient(self) -> list:
        """``[df/dtheta_j]`` for every parameter.

        Examples
        --------
        >>> from rankstrat.theory.spec import parse_spec
        >>> symbolic_model(parse_spec("mf:n1=1,k=1,n2=1")).gradient()
        [B_0_0*x_0*x_1, A_0_0*x_0*x_1]
        """
        return [sympy.diff(self.expr, p) for p in self.params]


def _symbol_array(name: str, shape: tuple) -> np.ndarray:
    flat = [
        sympy.Symbol(f"{name}_{'_'.join(str(i) for i in index)}", real=True)
        for index in np.ndindex(*shape)
    ]
    return np.array(flat, dtype=object).reshape(shape)


@lru_cache(maxsize=64)
def symbolic_model(spec: Spec) -> SymbolicModel:
    """Build the sympy model of ``spec`` from the family's forward map.

    Parameters
    ----------
    spec : Spec
        With at most :data:`MAX_SYMBOLIC_PARAMS` parameters.

    Returns
    -------
    SymbolicModel

    Raises
    ------
    SpecError
        When the model is too large to build symbolically.
    SymbolicUnavailable
        For a model without a symbolic form (a plain torch function).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> symbolic_model(parse_spec("mf:n1=1,k=1,n2=1")).expr
    A_0_0*B_0_0*x_0*x_1
    """
    if not has_symbolic_model(spec):
        raise _unavailable(spec)
    size = num_params(spec)
    if size > MAX_SYMBOLIC_PARAMS:
        raise SpecError(
            f"{spec}: {size} parameters; symbolic models are built up to {MAX_SYMBOLIC_PARAMS}"
        )
    arrays = {name: _symbol_array(name, shape) for name, shape in param_shapes(spec).items()}
    dim = spec.module.input_dim(spec)
    x = np.array([sympy.Symbol(f"x_{i}", real=True) for i in range(dim)], dtype=object)
    act = spec.activation
    elementwise = np.vectorize(act.sympy_fn, otypes=[object]) if act else None
    out = family_forward(spec)(arrays, x[None, :], elementwise)
    expr = sympy.expand(out[0]) if spec.polynomial else out[0]
    flat = [symbol for array in arrays.values() for symbol in array.reshape(-1)]
    return SymbolicModel(spec, expr, flat, list(x))


@lru_cache(maxsize=64)
def gradient_function(spec: Spec, backend: str) -> Callable:
    """Compiled gradient ``g(theta, x) -> list of M values``.

    Parameters
    ----------
    spec : Spec
    backend : {'mpmath', 'exact'}
        ``mpmath``: mpf arithmetic at the current ``mpmath.mp.dps``;
        ``exact``: Python integers and fractions (polynomial models only).
        Ball arithmetic is compiled by ``rankstrat.numerics.model.arb_code``.

    Returns
    -------
    callable
        ``g(theta, x)`` with ``theta`` and ``x`` sequences of numbers of the
        backend's type.

    Raises
    ------
    SymbolicUnavailable
        For a model without a symbolic form (a plain torch function).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> g = gradient_function(parse_spec("mf:n1=1,k=1,n2=1"), "exact")
    >>> g([2, 3], [1, 1])
    [3, 2]
    """
    model = symbolic_model(spec)
    grad = model.gradient()
    args = [model.params, model.inputs]
    if backend == "mpmath":
        fn = sympy.lambdify(args, grad, modules="mpmath")
    elif backend == "exact":
        if not spec.polynomial:
            raise SpecError(f"{spec}: exact arithmetic needs a polynomial model")
        fn = sympy.lambdify(args, grad, modules=[{}])
    else:
        raise ValueError(f"unknown backend {backend!r}; expected mpmath or exact")
    return lambda theta, x: list(fn(list(theta), list(x)))
