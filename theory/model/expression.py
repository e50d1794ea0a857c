"""Sympy expressions of user models: their parameters, their properties (analytic,
polynomial) and their values on a batch of inputs."""

from __future__ import annotations

import numpy as np
import sympy

from rankstrat.theory.errors import SpecError


def sympy_parameters(params: dict) -> tuple[dict, dict]:
    """Shapes and flat symbol lists of sympy parameters given by name.

    Parameters
    ----------
    params : dict
        Name -> ``Symbol``, list of symbols, ``sympy.Matrix`` or numpy object array.

    Returns
    -------
    (dict, dict)
        ``{name: shape}`` and ``{name: [symbols in row-major order]}``.

    Raises
    ------
    SpecError
        For an entry that is not a symbol.

    Examples
    --------
    >>> q = sympy.Matrix(2, 1, sympy.symbols("q0 q1"))
    >>> sympy_parameters({"Q": q, "c": sympy.Symbol("c")})[0]
    {'Q': (2, 1), 'c': ()}
    """
    shapes, flat = {}, {}
    for name, value in params.items():
        if isinstance(value, sympy.Symbol):
            shape, symbols = (), [value]
        elif isinstance(value, sympy.MatrixBase):
            shape, symbols = tuple(value.shape), list(value)
        else:
            array = np.asarray(value, dtype=object)
            shape, symbols = tuple(array.shape), list(array.reshape(-1))
        for symbol in symbols:
            if not isinstance(symbol, sympy.Symbol):
                raise SpecError(f"sympy model: parameter {name!r} holds {symbol!r}, which is not a sympy Symbol")
        shapes[str(name)], flat[str(name)] = shape, symbols
    return shapes, flat


NON_ANALYTIC = (sympy.Max, sympy.Min, sympy.Abs, sympy.Heaviside, sympy.Piecewise, sympy.sign, sympy.floor, sympy.ceiling)


"""sympy functions that make an expression only piecewise analytic."""


def expression_properties(expr: sympy.Expr, symbols: list) -> tuple[bool, bool]:
    """``(analytic, polynomial)`` of an expression in the given symbols.

    Examples
    --------
    >>> x, w = sympy.symbols("x w")
    >>> expression_properties(w * x**2, [x, w]), expression_properties(sympy.Max(0, w * x), [x, w])
    ((True, True), (False, False))
    """
    analytic = not expr.has(*NON_ANALYTIC)
    polynomial = analytic and bool(expr.is_polynomial(*symbols))
    return analytic, polynomial


def substitute_batch(expr: sympy.Expr, flat: dict, inputs: list, params: dict, X) -> np.ndarray:
    """Evaluate ``expr`` with the engine's symbols: parameter arrays by name and rows of ``X``.

    Parameters
    ----------
    expr : sympy.Expr
    flat : dict
        Name -> the user's symbols, row-major (:func:`sympy_parameters`).
    inputs : list of sympy.Symbol
        The user's input symbols.
    params : dict
        Name -> numpy object array of replacement symbols.
    X : numpy object array (n, D)

    Returns
    -------
    numpy object array (n,)

    Examples
    --------
    >>> x, w = sympy.symbols("x w")
    >>> theta = {"w": np.array([sympy.Symbol("W_0")], dtype=object)}
    >>> substitute_batch(w * x, {"w": [w]}, [x], theta, np.array([[2]], dtype=object))
    array([2*W_0], dtype=object)
    """
    mapping = {}
    for name, symbols in flat.items():
        for symbol, value in zip(symbols, np.asarray(params[name], dtype=object).reshape(-1)):
            mapping[symbol] = value
    rows = []
    for row in np.asarray(X, dtype=object):
        mapping.update({symbol: value for symbol, value in zip(inputs, row)})
        rows.append(expr.xreplace(mapping))
    return np.array(rows, dtype=object)
