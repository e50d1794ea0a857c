"""Ball-arithmetic (python-flint ``arb``) code for sympy expressions, rigorous or refused.

:func:`arb_lambdify` prints an expression so that every number is an exact
``arb`` (integers, rationals as a quotient of exact balls, binary floats
exactly, ``pi``/``E``/Euler's and Catalan's constants as arb constants) and
every function is arb's own enclosure. Anything without a rigorous arb
counterpart (``Max``, ``Piecewise``, an unknown function) raises
:class:`NotRigorous` naming it, instead of silently falling back to floats.
"""

from __future__ import annotations

from functools import lru_cache

import sympy
from sympy.printing.pycode import PythonCodePrinter

from rankstrat.theory.errors import SpecError

ARB_METHODS = {
    "exp": "exp", "log": "log", "sqrt": "sqrt",
    "sin": "sin", "cos": "cos", "tan": "tan", "cot": "cot", "sec": "sec", "csc": "csc",
    "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "coth": "coth", "sech": "sech", "csch": "csch",
    "asin": "asin", "acos": "acos", "atan": "atan", "asinh": "asinh", "acosh": "acosh", "atanh": "atanh",
    "erf": "erf", "erfc": "erfc", "erfi": "erfi", "gamma": "gamma", "loggamma": "lgamma",
    "Abs": "__abs__", "sinc": "sinc",
}
"""sympy function name -> method of ``flint.arb`` computing a rigorous enclosure."""
ARB_CONSTANTS = {"Pi": "_A.pi()", "Exp1": "_A(1).exp()", "EulerGamma": "_A.const_euler()", "Catalan": "_A.const_catalan()"}
"""sympy number symbols with arb constants."""


class NotRigorous(SpecError):
    """An expression uses something that has no rigorous ball-arithmetic form.

    Examples
    --------
    >>> str(NotRigorous("Max"))
    'Max'
    """


class ArbPrinter(PythonCodePrinter):
    """Python code printer emitting exact ``arb`` numbers and arb functions.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> ArbPrinter().doprint(sympy.Rational(1, 3) * sympy.pi * sympy.erf(x))
    '((_A(1)/_A(3)))*_A.pi()*_f_erf(x)'
    >>> ArbPrinter().doprint(sympy.sign(x))
    Traceback (most recent call last):
    ...
    rankstrat.numerics.model.arb_code.NotRigorous: the function sign has no ball-arithmetic form in python-flint
    """

    printmethod = "_arbcode"

    def _print(self, expr, **kwargs):
        """Dispatch on a whitelist: numbers, symbols, +, *, ** and arb functions."""
        if not isinstance(expr, sympy.Basic):
            return super()._print(expr, **kwargs)
        if isinstance(expr, sympy.Integer):
            return self._print_Integer(expr)
        if isinstance(expr, sympy.Rational):
            return self._print_Rational(expr)
        if isinstance(expr, sympy.Float):
            return self._print_Float(expr)
        if isinstance(expr, sympy.NumberSymbol):
            return self._print_NumberSymbol(expr)
        if isinstance(expr, sympy.Pow):
            return self._print_Pow(expr)
        if isinstance(expr, (sympy.Symbol, sympy.Add, sympy.Mul)):
            return super()._print(expr, **kwargs)
        if isinstance(expr, sympy.Function):
            return self._print_Function(expr)
        raise NotRigorous(f"{type(expr).__name__} has no ball-arithmetic form")

    def _print_Integer(self, expr):
        return f"_A({int(expr)})"


    def _print_Rational(self, expr):
        return f"(_A({int(expr.p)})/_A({int(expr.q)}))"

    def _print_Float(self, expr):
        mantissa, exponent = sympy.Float(expr)._mpf_[1], sympy.Float(expr)._mpf_[2]
        sign = -1 if sympy.Float(expr)._mpf_[0] else 1
        return f"_ldexp({sign * int(mantissa)}, {int(exponent)})"

    def _print_NumberSymbol(self, expr):
        name = type(expr).__name__
        if name in ARB_CONSTANTS:
            return ARB_CONSTANTS[name]
        raise NotRigorous(f"the constant {expr} has no ball-arithmetic form")

    def _print_Pow(self, expr, rational=False):
        base, exp = expr.base, expr.exp
        if exp == sympy.Rational(1, 2):
            return f"_f_sqrt({self._print(base)})"
        if exp == sympy.Rational(-1, 2):
            return f"_f_rsqrt({self._print(base)})"
        if exp.is_Integer:
            return f"_A({self._print(base)})**{int(exp)}"
        return f"_A({self._print(base)})**_A({self._print(exp)})"

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name not in ARB_METHODS:
            raise NotRigorous(f"the function {name} has no ball-arithmetic form in python-flint")
        return f"_f_{name}({', '.join(self._print(a) for a in expr.args)})"


def _namespace() -> dict:
    import flint

    A = flint.arb
    space = {"_A": A, "_ldexp": lambda m, e: A(m) * A(2) ** e, "_f_rsqrt": lambda z: A(z).rsqrt()}
    for name, method in ARB_METHODS.items():
        space[f"_f_{name}"] = _method_caller(A, method)
    return space


def _method_caller(arb, method: str):
    return lambda z: getattr(arb(z), method)()


def arb_lambdify(args, exprs):
    """Compile ``exprs`` to a function of arb balls (rigorous enclosures).

    Parameters
    ----------
    args : list
        As for ``sympy.lambdify``.
    exprs : sympy expression or list of them

    Returns
    -------
    callable

    Raises
    ------
    NotRigorous
        When a function or constant has no arb form (the message names it).

    Examples
    --------
    >>> import flint
    >>> x = sympy.Symbol("x")
    >>> f = arb_lambdify([x], sympy.sqrt(2) * sympy.erf(x) / 3 + sympy.pi)
    >>> value = f(flint.arb(0.5))
    >>> isinstance(value, flint.arb), value.rad() > 0, value.contains(flint.arb(3.3878596))
    (True, True, False)
    >>> arb_lambdify([x], sympy.Max(x, 0))
    Traceback (most recent call last):
    ...
    rankstrat.numerics.model.arb_code.NotRigorous: Max has no ball-arithmetic form
    """
    printer = ArbPrinter({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": False})
    return sympy.lambdify(args, exprs, modules=[_namespace()], printer=printer)


@lru_cache(maxsize=64)
def arb_gradient_function(spec):
    """Compiled rigorous gradient ``g(theta, x) -> list of M arb balls``.

    Parameters
    ----------
    spec : Spec or UserModel
        A model with a symbolic form.

    Returns
    -------
    callable

    Raises
    ------
    NotRigorous
        When the model uses a function without an arb form.

    Examples
    --------
    >>> import flint
    >>> from rankstrat.theory.spec import parse_spec
    >>> g = arb_gradient_function(parse_spec("twolayer:d=1,k=1"))
    >>> [v.contains(flint.arb("0.46211715726000975850")) for v in g([flint.arb(0.5), flint.arb(2)], [flint.arb(1)])]
    [False, True]
    """
    from rankstrat.theory.model.symbolic import symbolic_model

    model = symbolic_model(spec)
    fn = arb_lambdify([model.params, model.inputs], model.gradient())
    return lambda theta, x: list(fn(list(theta), list(x)))
