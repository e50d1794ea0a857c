"""Model files with sizes, units, declared symmetries and targets; the lowest
rank over representations of a function. References are computed here
independently: exact ranks over Q of the linearised map in sympy."""

import textwrap

import numpy as np
import pytest
import sympy

from rankstrat.numerics.model.targets import resolve_target
from rankstrat.numerics.rank.engine import model_rank
from rankstrat.theory.errors import SpecError
from rankstrat.theory.spec import parse_spec

EXAMPLE = "examples/attention.py"


def exact_bilinear_rank(WQ, WK):
    """Rank over Q of (dQ, dK) -> dQ WK^T + WQ dK^T at the rationals of the floats."""
    d, k = WQ.shape
    Q = sympy.Matrix(d, k, [sympy.Rational(float(v)) for v in WQ.reshape(-1)])
    K = sympy.Matrix(d, k, [sympy.Rational(float(v)) for v in WK.reshape(-1)])
    columns = []
    for name in ("Q", "K"):
        for i in range(d):
            for j in range(k):
                E = sympy.zeros(d, k)
                E[i, j] = 1
                columns.append(list(E * K.T if name == "Q" else Q * E.T))
    return sympy.Matrix(columns).T.rank()


@pytest.mark.parametrize("d,k,units", [(3, 2, 1), (2, 3, 2), (3, 3, 3), (1, 2, 1)])
def test_units_target_rank_matches_exact_reference(d, k, units):
    model = parse_spec(f"{EXAMPLE}:d={d},k={k}")
    point = resolve_target(model, f"units={units}").point
    assert int(np.linalg.matrix_rank(point["WQ"] @ point["WK"].T)) == min(units, d)
    result = model_rank(model, at=point)
    assert result.certainty == "certified"
    assert result.rank == exact_bilinear_rank(point["WQ"], point["WK"])
    assert "declared symmetry" in result.upper_method


def test_table_varies_a_size_at_a_units_target(run_cli):
    code, out, err = run_cli("table", f"{EXAMPLE}:d=3", "--vary", "k=2..4", "--target", "units=2",
                             "--format", "csv", "--no-progress")
    assert code == 0, err
    lines = [line for line in out.strip().splitlines() if not line.startswith("#")]
    rows = [dict(zip(lines[0].split(","), line.split(","))) for line in lines[1:]]
    assert [(r["k"], r["measured"], r["certainty"]) for r in rows] == [(str(k), "8", "certified") for k in (2, 3, 4)]


def _write(tmp_path, text, name="m.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


TANH_SCALE = textwrap.dedent("""
    import sympy
    from rankstrat.numerics.model.user_model import sympy_model
    SIZES = {"d": 2}
    def model(d):
        x = sympy.symbols(f"x0:{d}"); w = sympy.symbols(f"w0:{d}"); a, c = sympy.symbols("a c")
        return sympy_model("scaled", a * sympy.tanh(c * sum(wi * xi for wi, xi in zip(w, x))),
                           {"a": a, "c": c, "w": list(w)}, list(x))
""")


def test_declared_symmetry_certifies_a_non_polynomial_rank(tmp_path):
    # a tanh(c w.x): (c, w) -> (c t, w / t) is a symmetry the built-in certificates do not see
    plain = parse_spec(_write(tmp_path, TANH_SCALE, "plain.py"))
    declared = parse_spec(_write(tmp_path, TANH_SCALE + textwrap.dedent("""
        def SYMMETRIES(p):
            return [{"c": p["c"], "w": -p["w"]}]
    """), "declared.py"))
    point = {"a": 0.75, "c": 1.5, "w": [0.5, -1.25]}
    without, with_ = model_rank(plain, at=point), model_rank(declared, at=point)
    assert without.rank == with_.rank == 3  # a, and the direction c w: d + 1 = 3 of M = 4
    assert without.certainty != "certified" and with_.certainty == "certified"
    assert with_.upper_bound == 3 and "declared symmetry" in with_.upper_method


def test_wrong_symmetry_is_refused_with_one_line(tmp_path, run_cli):
    path = _write(tmp_path, TANH_SCALE + textwrap.dedent("""
        def SYMMETRIES(p):
            return [{"c": p["c"], "w": p["w"]}]
    """))
    code, _, err = run_cli("rank", path)
    assert code == 2 and "not in the kernel" in err and "refused" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("text,message", [
    ("import sympy\ndef model(d):\n    pass\n", "needs an integer default"),
    (TANH_SCALE + "UNITS = [{'count': 'd', 'in': [('w', 1)]}]\n", "axis 1 of w is out of range"),
    (TANH_SCALE + "UNITS = [{'count': 'q', 'in': [('w', 0)]}]\n", "'q' is not a size"),
    (TANH_SCALE + "SYMMETRIES = 3\n", "SYMMETRIES must be a function"),
])
def test_bad_declarations_are_one_line_errors(tmp_path, run_cli, text, message):
    code, _, err = run_cli("rank", _write(tmp_path, textwrap.dedent(text)))
    assert code == 2 and message in err, err


def test_units_target_needs_declared_units(tmp_path, run_cli):
    code, _, err = run_cli("rank", _write(tmp_path, TANH_SCALE), "--target", "units=1")
    assert code == 2 and "declares no units" in err
    code, _, err = run_cli("rank", f"{EXAMPLE}:d=2,k=2", "--target", "units=3")
    assert code == 2 and "exceeds the 2 units" in err


def test_target_constructor_of_the_file_is_used(tmp_path):
    with open(EXAMPLE) as handle:
        text = handle.read()
    text += textwrap.dedent("""
        import numpy as np
        def TARGET(units, seed, d, k):
            WQ = np.zeros((d, k)); WK = np.zeros((d, k))
            for i in range(units):
                WQ[i, i] = 1.0; WK[i, i] = 2.0
            return {"WQ": WQ, "WK": WK}
    """)
    model = parse_spec(_write(tmp_path, text) + ":d=3,k=3")
    point = resolve_target(model, "units=2").point
    assert point["WK"][1, 1] == 2.0 and point["WK"][2, 2] == 0.0


def test_minimize_finds_a_lower_rank_for_sigmoid_than_the_zeroed_target(run_cli):
    # sigmoid(0) = 1/2: a zeroed neuron with a bias adds a constant direction; a copy of the
    # active neuron computes the same function with one neuron's rank d + 2
    code, out, err = run_cli("rank", "twolayer:d=2,k=2,act=sigmoid,bias=1", "--target", "neurons=1", "--minimize")
    assert code == 0, err
    assert "model rank     5" in out and "optimistic     4 at 'copy of 1'" in out
    assert "(certified; lowest of" in out and "closed form 4 agrees" in out


def test_minimize_representations_compute_the_same_function():
    import torch

    from rankstrat.numerics.model.points import flat_point, generic_inputs
    from rankstrat.numerics.model.realize import realize
    from rankstrat.numerics.model.representations import representations

    spec = parse_spec("mlp:d=2,widths=3-2,act=tanh,bias=1")
    target = resolve_target(spec, "narrow=1-1").point
    found = representations(spec, target)
    assert len(found) > 3
    X = torch.as_tensor(generic_inputs(spec, 7, seed=11))
    f = lambda p: realize(spec)(torch.as_tensor(flat_point(spec, p)), X).numpy()
    for r in found:
        assert np.allclose(f(r.point), f(target), atol=1e-12), r.description


@pytest.mark.parametrize("group,certified", [('rescaling(p, "c", "w")', True), ('rescaling(p, "a", "w")', False)])
def test_named_groups_are_verified_like_any_vector(tmp_path, group, certified):
    text = TANH_SCALE + textwrap.dedent(f"""
        from rankstrat.theory.rank.symmetry_groups import rescaling
        def SYMMETRIES(p):
            return {group}
    """)
    model = parse_spec(_write(tmp_path, text))
    point = {"a": 0.75, "c": 1.5, "w": [0.5, -1.25]}
    if certified:
        assert model_rank(model, at=point).certainty == "certified"
    else:
        with pytest.raises(SpecError, match="vector 1 is not in the kernel"):
            model_rank(model, at=point)


def test_minimize_json_point_reproduces_the_optimistic_rank(run_cli, tmp_path):
    import json

    code, out, err = run_cli("rank", "twolayer:d=1,k=2,act=sigmoid,bias=1", "--target", "neurons=1",
                             "--minimize", "--json")
    assert code == 0, err
    data = json.loads(out)
    best = data["representations"][0]
    path = tmp_path / "best.json"
    path.write_text(json.dumps(data["optimistic_point"]))
    code, out, err = run_cli("rank", "twolayer:d=1,k=2,act=sigmoid,bias=1", "--at", str(path), "--json")
    assert json.loads(out)["model_rank"] == best["rank"] == 3 < data["model_rank"]


def test_verify_finds_the_counterexample_of_a_wrong_claim_on_the_example(run_cli):
    code, out, _ = run_cli("verify", EXAMPLE, "--claim", "model_rank == 2*d*k - k**2", "--vary", "d=1..2",
                           "--vary", "k=1..2", "--no-progress")
    assert code == 1 and "first counterexample: d=1,k=2" in out  # rank-<=2 1x1 matrices: 1, not 0


def test_minimize_needs_units(run_cli):
    code, _, err = run_cli("rank", "mf:n1=2,k=2,n2=2", "--minimize")
    assert code == 2 and "--minimize" in err and "no units" in err


@pytest.mark.parametrize("d,k,units", [(4, 3, 1), (3, 2, 2), (5, 3, 2)])
def test_architecture_file_attention_heads_are_units(tmp_path, d, k, units):
    # x^T WQ WK^T x sees sym(WQ WK^T): reference rank of (dQ, dK) -> sym(dQ K^T + Q dK^T) over Q
    path = tmp_path / "score.toml"
    path.write_text('input = "d"\nsizes = { d = 2, k = 1 }\nlayers = [ { type = "attention_score", width = "k" } ]\n')
    model = parse_spec(f"{path}:d={d},k={k}")
    point = resolve_target(model, f"units={units}").point
    Q = sympy.Matrix(d, k, [sympy.Rational(float(v)) for v in point["WQ"].reshape(-1)])
    K = sympy.Matrix(d, k, [sympy.Rational(float(v)) for v in point["WK"].reshape(-1)])
    columns = []
    for i in range(d):
        for j in range(k):
            E = sympy.zeros(d, k)
            E[i, j] = 1
            for M in (E * K.T, Q * E.T):
                S = M + M.T
                columns.append([S[r, c] for r in range(d) for c in range(r, d)])
    result = model_rank(model, at=point)
    assert result.certainty == "certified"
    assert result.rank == sympy.Matrix(columns).T.rank() == 2 * units * d - units * (2 * units - 1)
