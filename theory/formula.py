"""Safe reading of formulas in the sizes: a whitelist walk over Python's syntax tree.

A formula such as ``k*(d+1)`` or ``min(2*k, d)*d - binomial(k, 2)`` comes from a
command line, a claim file or a model file, so it is data, never code: the text
is parsed with :func:`ast.parse` (which runs nothing) and every node is checked
against a short whitelist before a sympy expression is built from it node by
node. Nothing is ever passed to ``eval``, ``sympify`` or ``parse_expr``.

Accepted: size names, integer and decimal numbers, ``+ - * / **``, unary ``-``
and ``+``, parentheses, the functions ``min``, ``max`` (also ``Min``, ``Max``),
``binomial``, ``floor`` and ``ceiling``, comparisons ``== != < <= > >=`` (chained ones too) and
``and`` / ``or`` between comparisons. Everything else (attribute access,
subscripts, lambdas, comprehensions, strings, f-strings, keyword arguments,
other names) is refused with one line saying what was found.
"""

from __future__ import annotations

import ast
import math
from typing import Sequence

import sympy

from rankstrat.theory.errors import InputError

MAX_LENGTH = 1000
"""Longest formula text accepted, in characters."""
MAX_NODES = 2000
"""Most syntax-tree nodes accepted."""
MAX_DEPTH = 100
"""Deepest nesting accepted."""
MAX_EXPONENT = 1000
MAX_BINOMIAL = 10**6
"""Largest numeric first argument of ``binomial``."""
"""Largest constant exponent accepted in ``a ** b``."""
MAX_DIGITS = 30
"""Longest integer literal accepted, in digits."""

FUNCTIONS = {
    "min": (sympy.Min, 1, None),
    "max": (sympy.Max, 1, None),
    "binomial": (sympy.binomial, 2, 2),
    "floor": (sympy.floor, 1, 1),
    "ceiling": (sympy.ceiling, 1, 1),
    "Min": (sympy.Min, 1, None),
    "Max": (sympy.Max, 1, None),
}
"""Functions a formula may call: name -> (sympy function, fewest and most arguments)."""

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
_COMPARE = {
    ast.Eq: sympy.Eq,
    ast.NotEq: sympy.Ne,
    ast.Lt: sympy.Lt,
    ast.LtE: sympy.Le,
    ast.Gt: sympy.Gt,
    ast.GtE: sympy.Ge,
}
ACCEPTED = ("size names, numbers, + - * / **, parentheses, min, max, binomial, floor, ceiling, "
            "comparisons and and/or")


def parse_formula(text: str, names: Sequence[str] | dict, option: str = "formula") -> sympy.Basic:
    """Parse a formula in the sizes without running any of it.

    Parameters
    ----------
    text : str
        The formula, in Python syntax restricted to :data:`ACCEPTED`.
    names : sequence of str, or dict of str to sympy.Symbol
        The size names the formula may use (a dict gives their symbols;
        otherwise positive integer symbols are made).
    option : str
        Option or file key named in error messages.

    Returns
    -------
    sympy.Basic
        An expression, or a relation / boolean combination of relations.

    Raises
    ------
    InputError
        One line naming the option, the text and what was refused.

    Examples
    --------
    >>> parse_formula("k*(d+1)", ["d", "k"])
    k*(d + 1)
    >>> parse_formula("min(2*k, d) ** 2 / 2", ["d", "k"])
    Min(d, 2*k)**2/2
    >>> parse_formula("k <= d and d < 5", ["d", "k"])
    (k <= d) & (d < 5)
    >>> parse_formula("__import__('os').system('true')", ["k"], "--claim")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --claim: refused "__import__('os').system('true')": attribute access is not allowed; a formula may use size names, numbers, + - * / **, parentheses, min, max, binomial, floor, ceiling, comparisons and and/or
    """
    text = str(text)
    symbols = dict(names) if isinstance(names, dict) else {
        name: sympy.Symbol(name, positive=True, integer=True) for name in names
    }
    shown = text if len(text) <= 60 else text[:57] + "..."

    def refuse(why: str) -> InputError:
        return InputError(f"{option}: refused {_quote(shown)}: {why}; a formula may use {ACCEPTED}")

    if len(text) > MAX_LENGTH:
        raise refuse(f"longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise refuse("empty")
    if not text.isprintable():
        raise refuse("control characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise refuse(f"not a formula ({exc.msg})") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise refuse(f"not a formula ({type(exc).__name__})") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise refuse(f"more than {MAX_NODES} terms")
    return _build(tree.body, symbols, refuse, 0)


def _quote(text: str) -> str:
    return repr(text)  # escapes newlines and control characters: the message stays one line


def _build(node: ast.AST, symbols: dict, refuse, depth: int):
    if depth > MAX_DEPTH:
        raise refuse(f"nested deeper than {MAX_DEPTH}")
    down = depth + 1
    if isinstance(node, ast.Constant):
        return _number(node.value, refuse)
    if isinstance(node, ast.Name):
        if node.id in symbols:
            return symbols[node.id]
        known = ", ".join(symbols) or "(none)"
        raise refuse(f"unknown name {node.id!r} (the sizes are {known})")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _build(node.operand, symbols, refuse, down)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left = _build(node.left, symbols, refuse, down)
        right = _build(node.right, symbols, refuse, down)
        if isinstance(node.op, ast.Pow) and right.is_number and abs(right) > MAX_EXPONENT:
            raise refuse(f"exponent larger than {MAX_EXPONENT}")
        if isinstance(node.op, ast.Pow) and left.is_number and right.is_number and left != 0:
            if _digits(left) * abs(right) > MAX_DIGITS:  # checked before the power is computed
                raise refuse(f"a number longer than {MAX_DIGITS} digits")
        return _bounded(_BINARY[type(node.op)](left, right), refuse)
    if isinstance(node, ast.Call):
        return _call(node, symbols, refuse, down)
    if isinstance(node, ast.Compare):
        operands = [_build(node.left, symbols, refuse, down)]
        operands += [_build(item, symbols, refuse, down) for item in node.comparators]
        relations = []
        for op, left, right in zip(node.ops, operands, operands[1:]):
            if type(op) not in _COMPARE:
                raise refuse(f"the comparison {type(op).__name__} is not allowed")
            relations.append(_COMPARE[type(op)](left, right))
        return relations[0] if len(relations) == 1 else sympy.And(*relations)
    if isinstance(node, ast.BoolOp):
        parts = [_build(item, symbols, refuse, down) for item in node.values]
        if any(isinstance(part, sympy.Expr) for part in parts):
            raise refuse("and/or join comparisons only")
        return sympy.And(*parts) if isinstance(node.op, ast.And) else sympy.Or(*parts)
    raise refuse(f"{_describe(node)} is not allowed")


def _number(value, refuse):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise refuse(f"the constant {value!r} is not a number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise refuse("numbers must be finite")
        return sympy.Rational(repr(value))
    if len(str(abs(value))) > MAX_DIGITS:
        raise refuse(f"a number longer than {MAX_DIGITS} digits")
    return sympy.Integer(value)


def _call(node: ast.Call, symbols: dict, refuse, depth: int):
    if not isinstance(node.func, ast.Name):
        raise refuse(f"{_describe(node.func)} is not allowed")
    if node.func.id not in FUNCTIONS:
        raise refuse(f"calling {node.func.id!r} is not allowed (functions: {', '.join(FUNCTIONS)})")
    name = node.func.id
    if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
        raise refuse(f"{name}() takes plain arguments only")
    function, fewest, most = FUNCTIONS[name]
    if len(node.args) < fewest or (most is not None and len(node.args) > most):
        wanted = str(fewest) if fewest == most else f"at least {fewest}"
        raise refuse(f"{name}() takes {wanted} argument{'s' if fewest != 1 or most is None else ''}")
    args = [_build(arg, symbols, refuse, depth) for arg in node.args]
    if any(not isinstance(arg, sympy.Expr) for arg in args):
        raise refuse(f"{name}() takes formulas, not comparisons")
    if name == "binomial" and args[0].is_number and abs(args[0]) > MAX_BINOMIAL:
        raise refuse(f"binomial() of a number above {MAX_BINOMIAL}")
    return _bounded(function(*args), refuse)


def _digits(value) -> int:
    """Decimal digits of the numerator or denominator of a rational number, the larger."""
    numerator, denominator = sympy.fraction(sympy.nsimplify(value))
    return max(len(str(abs(int(numerator)))), len(str(abs(int(denominator)))))


def _bounded(value, refuse):
    """``value``, refused when it is a number with too many digits or a power above the exponent limit.

    Examples
    --------
    >>> _bounded(sympy.Integer(10) ** 3, ValueError)
    1000
    """
    if isinstance(value, sympy.Rational) and _digits(value) > MAX_DIGITS:
        raise refuse(f"a number longer than {MAX_DIGITS} digits")
    for power in value.atoms(sympy.Pow) if isinstance(value, sympy.Basic) else ():
        if power.exp.is_number and abs(power.exp) > MAX_EXPONENT:
            raise refuse(f"exponent larger than {MAX_EXPONENT}")
    return value


_DESCRIPTIONS = {
    ast.Attribute: "attribute access",
    ast.Subscript: "a subscript",
    ast.Lambda: "lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.JoinedStr: "an f-string",
    ast.NamedExpr: "an assignment",
    ast.IfExp: "a conditional expression",
    ast.Starred: "unpacking",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.BinOp):
        return f"the operator {type(node.op).__name__}"
    if isinstance(node, ast.UnaryOp):
        return f"the operator {type(node.op).__name__}"
    return _DESCRIPTIONS.get(type(node), type(node).__name__)
