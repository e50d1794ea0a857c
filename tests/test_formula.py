"""The formula reader runs nothing: a corpus of hostile strings is refused with one line and
leaves no trace; accepted formulas agree with exact arithmetic done here."""

import random
from fractions import Fraction

import pytest
import sympy

from rankstrat.theory.errors import InputError
from rankstrat.theory.formula import MAX_DEPTH, MAX_LENGTH, parse_formula
from rankstrat.theory.rank.size_claims import parse_size_claim

SIZES = ["d", "k"]


def hostile(marker):
    """Strings that would run code, read files or exhaust the machine if evaluated."""
    touch = f"__import__('os').system('touch {marker}')"
    return [
        touch,
        f"k + {touch}",
        f"min(k, {touch})",
        f"open('{marker}', 'w').write('x')",
        f"exec(\"open('{marker}', 'w')\")",
        f"eval(\"open('{marker}', 'w')\")",
        "().__class__.__bases__[0].__subclasses__()",
        "k.__class__",
        "d.real",
        "(lambda: 1)()",
        "lambda x: x",
        "[x for x in range(10**9)]",
        "{x for x in ()}",
        "{1: 2}",
        "(x for x in ())",
        "[k, d]",
        "(k, d)",
        "k[0]",
        "f'{k}'",
        "'abc'",
        "b'abc'",
        "(y := 3)",
        "k if d else 1",
        "min(*[k])",
        "max(k, key=abs)",
        "binomial(k)",
        "floor(k, d)",
        "Symbol('x')",
        "sympify('k')",
        "S('k')",
        "globals()",
        "k ** 10**100",
        "9" * 200,
        "1e999",
        "k ** (10 ** 6)",
        "((10**1000)**1000)**1000",   # each power alone is under the exponent limit
        "binomial(10**1000, 10**999)",
        "(k**1000)**1000",
        "binomial(10**7, 10**6)",
        "k // d",
        "k % d",
        "k @ d",
        "k & d",
        "~k",
        "not k",
        "k is d",
        "k in d",
        "await k",
        "k; import os",
        "import os",
        "k\n__import__('os')",
        "k\x00",
        "",
        "   ",
        "(" * 5000 + "k" + ")" * 5000,
        "k" + "+k" * 5000,
        "-" * 300 + "k",
        "min(" * 150 + "k" + ")" * 150,
    ]


def test_hostile_formulas_are_refused_with_one_line_and_run_nothing(tmp_path):
    marker = tmp_path / "PWNED"
    for text in hostile(marker):
        with pytest.raises(InputError) as info:
            parse_formula(text, SIZES, "--claim")
        message = str(info.value)
        assert "\n" not in message and message.startswith("--claim: refused"), message
        assert len(message) < 400
    assert not marker.exists()


def test_hostile_claims_through_the_command_line(run_cli, tmp_path):
    marker = tmp_path / "PWNED"
    for text in hostile(marker)[:8]:
        code, out, err = run_cli("verify", "twolayer:d=2,k=1", "--claim", f"model_rank == {text}")
        assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert not marker.exists()


def test_limits_are_what_they_say():
    assert parse_formula("k" + "+k" * 90, SIZES) == 91 * sympy.Symbol("k", positive=True, integer=True)
    with pytest.raises(InputError, match=f"longer than {MAX_LENGTH}"):
        parse_formula("k" + " " * MAX_LENGTH, SIZES)
    nested = "(" * MAX_DEPTH + "k" + ")" * MAX_DEPTH  # parentheses do not nest the tree
    assert str(parse_formula(nested, SIZES)) == "k"
    with pytest.raises(InputError, match="nested deeper"):
        parse_formula("-" * (MAX_DEPTH + 2) + "k", SIZES)


def _random_formula(rng, depth):
    """A random formula as text and its exact value at d=3, k=5, computed here with Fractions."""
    values = {"d": Fraction(3), "k": Fraction(5)}
    if depth == 0 or rng.random() < 0.25:
        if rng.random() < 0.5:
            name = rng.choice(SIZES)
            return name, values[name]
        n = rng.randint(1, 9)
        return str(n), Fraction(n)
    kind = rng.choice(["+", "-", "*", "/", "**", "neg", "min", "max", "binomial"])
    left, a = _random_formula(rng, depth - 1)
    right, b = _random_formula(rng, depth - 1)
    if kind == "/" and b == 0:
        kind = "+"
    if kind == "**":
        n = rng.randint(0, 3)
        return f"({left})**{n}", a**n
    if kind == "neg":
        return f"-({left})", -a
    if kind in ("min", "max"):
        return f"{kind}({left}, {right})", (min if kind == "min" else max)(a, b)
    if kind == "binomial":
        n = rng.randint(0, 6)
        from math import comb
        return f"binomial(d + k, {n})", Fraction(comb(8, n))
    ops = {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else a + b}
    return f"({left}) {kind} ({right})", ops[kind]


def test_accepted_formulas_agree_with_exact_arithmetic():
    rng = random.Random(7)
    d, k = sympy.Symbol("d", positive=True, integer=True), sympy.Symbol("k", positive=True, integer=True)
    for _ in range(300):
        text, expected = _random_formula(rng, 4)
        got = parse_formula(text, {"d": d, "k": k}).subs({d: 3, k: 5})
        assert sympy.Rational(got) == sympy.Rational(expected.numerator, expected.denominator), text


def test_comparisons_and_boolean_joins():
    expr = parse_formula("k <= 2*d and (d < 5 or k == 1)", SIZES)
    d, k = sorted(expr.free_symbols, key=str)
    assert bool(expr.subs({d: 3, k: 6})) is True
    assert bool(expr.subs({d: 3, k: 7})) is False
    assert bool(parse_formula("1 < k < 4", SIZES).subs({k: 5})) is False


def test_a_claim_whose_formula_divides_by_zero_says_so():
    claim = parse_size_claim("model_rank == k/(d-3)", SIZES)
    with pytest.raises(InputError, match="no finite value"):
        claim.predicted({"d": 3, "k": 2})
