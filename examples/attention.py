"""The attention score ``f(x, y) = x^T W_Q W_K^T y`` of one head of width k on
d-dimensional queries x and keys y, as a rankstrat model file.

    rankstrat table examples/attention.py:d=3 --vary k=2..4 --target units=2
    rankstrat discover examples/attention.py:d=3,k=2 --figure strata.png
    rankstrat conjecture examples/attention.py --vary d=1..5 --vary k=1..3
"""

import sympy

from rankstrat.numerics.model.user_model import sympy_model
from rankstrat.theory.rank.symmetry_groups import shared_basis

SIZES = {"d": 3, "k": 2}

UNITS = [{"count": "k", "in": [("WQ", 1)], "out": [("WK", 1)], "name": "head coordinates"}]
"""Head coordinate i owns column i of W_Q and column i of W_K."""


def model(d, k):
    x = sympy.Matrix(sympy.symbols(f"x0:{d}"))
    y = sympy.Matrix(sympy.symbols(f"y0:{d}"))
    WQ = sympy.Matrix(d, k, sympy.symbols(f"q0:{d * k}"))
    WK = sympy.Matrix(d, k, sympy.symbols(f"k0:{d * k}"))
    score = (x.T * WQ * WK.T * y)[0]
    return sympy_model("attention-score", score, {"WQ": WQ, "WK": WK}, list(x) + list(y))


def SYMMETRIES(point):
    """W_Q -> W_Q G, W_K -> W_K G^-T for G in GL(k): k^2 tangent vectors, each
    verified exactly by rankstrat before it bounds the rank."""
    return shared_basis(point, "WQ", "WK")
