"""User models from Python: a plain torch function or a sympy expression.

- :func:`torch_model`: ``f(params, x)`` in torch with a dict of parameter
  shapes. Float64 Jacobians only: no symbolic model, so high precision and
  ball/exact certificates are unavailable, and results say so.
- :func:`sympy_model`: a sympy expression in parameter and input symbols. The
  torch function is generated from it (``sympy.lambdify``), so it gets
  everything a built-in family gets.
Both constructors return a :class:`rankstrat.theory.model.user_model.UserModel`, accepted by
:func:`rankstrat.numerics.rank.engine.model_rank`, :func:`rankstrat.numerics.rank.engine.jacobian_rank` and
every command.
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np
import sympy
import torch

from rankstrat.theory.errors import InputError, SpecError
from rankstrat.theory.model.expression import expression_properties, substitute_batch, sympy_parameters
from rankstrat.theory.model.symbolic import SymbolicUnavailable
from rankstrat.theory.model.user_model import UserModel


def _is_symbolic_batch(X) -> bool:
    return isinstance(X, np.ndarray) and X.dtype == object


def _check_shapes(name: str, shapes: dict) -> tuple:
    out = []
    for key, shape in shapes.items():
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if any(not isinstance(n, (int, np.integer)) or n < 1 for n in shape):
            raise SpecError(f"torch model {name!r}: parameter {key!r} has shape {shape}; expected positive integers")
        out.append((str(key), tuple(int(n) for n in shape)))
    if not out:
        raise SpecError(f"torch model {name!r}: no parameters given")
    return tuple(out)


def _trial_outputs(model: UserModel) -> None:
    """Run the forward map once on a random point: clear errors for wrong shapes."""
    rng = np.random.default_rng(0)
    params = {k: torch.as_tensor(rng.standard_normal(s)) for k, s in model.shapes}
    X = torch.as_tensor(rng.standard_normal((2, model.input_size)))
    try:
        out = model.forward_fn(params, X, None)
    except SpecError:
        raise
    except Exception as exc:
        raise SpecError(
            f"user model {model.name!r}: calling it on parameters of shapes {dict(model.shapes)} and "
            f"inputs of length {model.input_size} failed: {type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (2,):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise SpecError(
            f"user model {model.name!r}: f(params, x) must return one scalar per input, got {shape} for 2 inputs"
        )


def torch_model(
    name: str,
    fn: Callable,
    shapes: dict,
    input_dim: int,
    analytic: bool = True,
    batched: bool = False,
    claim: Optional[str] = None,
) -> UserModel:
    """A user model from a torch function ``f(params, x)``.

    Parameters
    ----------
    name : str
    fn : callable
        ``fn(params, x) -> scalar tensor`` for one input ``x`` of shape
        ``(input_dim,)`` (vectorised with ``torch.func.vmap``), or, with
        ``batched=True``, ``fn(params, X) -> (n,)`` for a batch. ``params`` is
        a dict of float64 tensors with the given shapes. Use functional torch
        code (no ``.item()``, no in-place updates of ``params``).
    shapes : dict
        Parameter name -> shape.
    input_dim : int
    analytic : bool
        Declare False for ReLU-type code: results then carry the engine's
        non-analytic warning.
    batched : bool
    claim : str, optional
        ``QUANTITY OP FORMULA`` (see :mod:`rankstrat.theory.rank.size_claims`).

    Returns
    -------
    UserModel
        With ``symbolic=False``.

    Raises
    ------
    SpecError
        Bad shapes, or a function that fails or returns the wrong shape.

    Examples
    --------
    >>> def score(p, x):
    ...     return (x @ p["WQ"]) @ (x @ p["WK"])
    >>> model = torch_model("score", score, {"WQ": (3, 1), "WK": (3, 1)}, input_dim=3)
    >>> model.num_params, model.symbolic
    (6, False)
    >>> from rankstrat.numerics.rank.engine import model_rank
    >>> model_rank(model).rank  # sym(q k^T) in 3 dims: 2 d - 1
    5
    """
    if not isinstance(input_dim, (int, np.integer)) or input_dim < 1:
        raise SpecError(f"torch model {name!r}: input_dim must be a positive integer, got {input_dim!r}")
    checked = _check_shapes(name, shapes)

    def forward(params: dict, X, act=None):
        if _is_symbolic_batch(X):
            raise SymbolicUnavailable(f"user model {name!r} is a plain torch function: it has no symbolic model")
        if batched:
            return fn(params, X)
        return torch.func.vmap(fn, in_dims=(None, 0))(params, X)

    model = UserModel(
        name=str(name), kind="torch", shapes=checked, input_size=int(input_dim), forward_fn=forward,
        analytic=bool(analytic), polynomial=False, symbolic=False, claim=claim,
        identity=("torch", str(name), fn, checked, int(input_dim), bool(batched)),
    )
    _trial_outputs(model)
    return model


def sympy_model(name: str, expr, params: dict, inputs, claim: Optional[str] = None) -> UserModel:
    """A user model from a sympy expression.

    Parameters
    ----------
    name : str
    expr : sympy.Expr
        The output ``f(x; theta)``.
    params : dict
        Parameter name -> ``Symbol``, list of symbols or ``sympy.Matrix``
        (the flat order is row-major, as for built-in families).
    inputs : sequence of sympy.Symbol
        The input coordinates ``x_0 ... x_{D-1}``.
    claim : str, optional
        ``QUANTITY OP FORMULA``.

    Returns
    -------
    UserModel
        With the full symbolic side (``polynomial`` and ``analytic`` read off
        the expression).

    Raises
    ------
    SpecError
        When the expression uses symbols that are neither parameters nor
        inputs, or a symbol is listed twice.

    Examples
    --------
    >>> x = sympy.Matrix(sympy.symbols("x0:3"))
    >>> q, k = sympy.Matrix(sympy.symbols("q0:3")), sympy.Matrix(sympy.symbols("k0:3"))
    >>> model = sympy_model("score", (x.T * q * k.T * x)[0], {"q": q, "k": k}, list(x))
    >>> from rankstrat.numerics.rank.engine import model_rank
    >>> model.polynomial, model_rank(model).rank
    (True, 5)
    """
    shapes, flat = sympy_parameters(params)
    inputs = list(inputs)
    if isinstance(expr, str):  # text is data: read by the whitelist parser, never sympify
        from rankstrat.theory.formula import parse_formula

        known = {str(s): s for symbols in flat.values() for s in symbols}
        known.update({str(s): s for s in inputs})
        try:
            expr = parse_formula(expr, known, f"sympy model {name!r}")
        except InputError as exc:
            raise SpecError(str(exc)) from None
    expr = sympy.sympify(expr)
    inputs = list(inputs)
    all_params = [symbol for symbols in flat.values() for symbol in symbols]
    every = all_params + inputs
    if len(set(every)) != len(every):
        raise SpecError(f"sympy model {name!r}: a symbol is listed twice among parameters and inputs")
    unknown = sorted(str(s) for s in expr.free_symbols - set(every))
    if unknown:
        raise SpecError(
            f"sympy model {name!r}: the expression uses {', '.join(unknown)}, which are neither "
            "parameters nor inputs"
        )
    analytic, polynomial = expression_properties(expr, every)
    numeric = sympy.lambdify(all_params + inputs, _float_constants(expr), modules=[TORCH_FUNCTIONS, "torch"])
    names = list(shapes)

    def forward(theta: dict, X, act=None):
        if _is_symbolic_batch(X):
            return substitute_batch(expr, flat, inputs, theta, X)
        values = [theta[key].reshape(-1)[i] for key in names for i in range(len(flat[key]))]
        columns = [X[:, j] for j in range(len(inputs))]
        out = numeric(*values, *columns)
        return X[:, 0] * 0 + out if len(inputs) else out

    return UserModel(
        name=str(name), kind="sympy", shapes=tuple(shapes.items()), input_size=len(inputs), forward_fn=forward,
        analytic=analytic, polynomial=polynomial, symbolic=True, claim=claim,
        identity=("sympy", str(name), expr, tuple(all_params), tuple(inputs)),
    )


def _float_constants(expr):
    """Constant subexpressions (``sqrt(2)``, ``exp(3)``) as float64 numbers, for the
    torch path only: torch functions do not accept Python numbers. The exact
    expression stays the one used for high precision and ball arithmetic.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> _float_constants(sympy.sqrt(2) * x)
    1.4142135623731*x
    """
    return expr.replace(
        lambda e: e.is_number and not e.is_Number and not e.free_symbols,
        lambda e: sympy.Float(e.evalf(20), 17),
    )


def _elementwise(fn):
    def apply(*args):
        tensors = [a if isinstance(a, torch.Tensor) else torch.tensor(float(a), dtype=torch.float64) for a in args]
        out = tensors[0]
        for other in tensors[1:]:
            out = fn(out, other)
        return out

    return apply


TORCH_FUNCTIONS = {
    "max": _elementwise(torch.maximum),
    "min": _elementwise(torch.minimum),
    "heaviside": lambda x, at_zero: torch.heaviside(x, torch.as_tensor(float(at_zero), dtype=x.dtype)),
    "where": lambda cond, a, b: torch.where(cond, torch.as_tensor(a, dtype=torch.float64),
                                            torch.as_tensor(b, dtype=torch.float64)),
}
"""Elementwise torch versions of the functions sympy's torch printer writes as reductions."""
