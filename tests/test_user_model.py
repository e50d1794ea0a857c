"""User models: torch functions, sympy expressions and architecture files behave like
specs in the engine; the worked examples (attention score, residual block) match their
closed forms; honest about missing symbolic sides; clear errors."""

import json

import numpy as np
import pytest
import sympy
import torch

from rankstrat.numerics.model.jacobian import jacobian, jacobian_mpmath
from rankstrat.numerics.model.points import flat_point, generic_inputs, random_point
from rankstrat.numerics.model.realize import realize
from rankstrat.numerics.model.user_model import sympy_model, torch_model
from rankstrat.numerics.rank.engine import jacobian_rank, model_rank
from rankstrat.theory.errors import SpecError
from rankstrat.theory.model.layer_file import layer_model
from rankstrat.theory.model.symbolic import SymbolicUnavailable, symbolic_model
from rankstrat.theory.spec import parse_spec

ATTENTION_SYMPY = '''
import sympy
from rankstrat.numerics.model.user_model import sympy_model

CLAIM = "model_rank == min(2*k, d)*d - min(2*k, d)*(min(2*k, d) - 1)/2"

def model(d=4, k=2):
    x = sympy.Matrix(sympy.symbols(f"x0:{d}"))
    WQ = sympy.Matrix(d, k, lambda i, j: sympy.Symbol(f"q{i}_{j}"))
    WK = sympy.Matrix(d, k, lambda i, j: sympy.Symbol(f"k{i}_{j}"))
    return sympy_model("attention", (x.T * WQ * WK.T * x)[0], {"WQ": WQ, "WK": WK}, list(x))
'''

ATTENTION_TORCH = '''
from rankstrat.numerics.model.user_model import torch_model

def model(d=4, k=2):
    score = lambda p, x: (x @ p["WQ"]) @ (x @ p["WK"])
    return torch_model("attention", score, {"WQ": (d, k), "WK": (d, k)}, input_dim=d)
'''

ATTENTION_TOML = '''
name = "attention"
input = "d"
sizes = { d = 4, k = 2 }
layers = [ { type = "attention_score", width = "k" } ]
'''

RESIDUAL_TOML = '''
name = "residual-block"
input = "d"
act = "tanh"
sizes = { d = 3, k = 2 }
claim = "model_rank == k*d + k + d"
layers = [
  { type = "residual", layers = [ { type = "dense", width = "k" }, { type = "act" }, { type = "dense", width = "d" } ] },
  { type = "readout" },
]
'''


def attention_rank(d, k):
    """Symmetric d x d matrices of rank <= 2k: rho d - rho (rho - 1) / 2 with rho = min(2k, d)."""
    rho = min(2 * k, d)
    return rho * d - rho * (rho - 1) // 2


@pytest.fixture
def files(tmp_path):
    out = {}
    for name, text in [("attention.py", ATTENTION_SYMPY), ("attention_torch.py", ATTENTION_TORCH),
                       ("attention.toml", ATTENTION_TOML), ("residual.toml", RESIDUAL_TOML)]:
        path = tmp_path / name
        path.write_text(text)
        out[name] = str(path)
    return out


@pytest.mark.parametrize("d, k", [(3, 1), (4, 2), (5, 2), (3, 3)])
def test_three_forms_of_the_attention_score_agree(files, d, k):
    models = [parse_spec(f"{files[name]}:d={d},k={k}") for name in ("attention.py", "attention_torch.py", "attention.toml")]
    X = generic_inputs(models[0], 6)
    point = random_point(models[0], 1)
    outputs = [realize(m)(torch.tensor(flat_point(m, point)), torch.tensor(X)) for m in models]
    for out in outputs[1:]:
        torch.testing.assert_close(out, outputs[0])
    ranks = [model_rank(m).rank for m in models]
    assert ranks == [attention_rank(d, k)] * 3


def test_symbolic_user_models_get_certificates_and_torch_ones_say_they_cannot(files):
    symbolic = model_rank(parse_spec(files["attention.py"]))
    assert symbolic.certainty == "certified" and symbolic.lower_bound == symbolic.upper_bound == 10
    plain = model_rank(parse_spec(files["attention_torch.py"]))
    assert plain.rank == 10 and plain.certainty == "float64-gap"
    # only the trivial interval [0, M]: nothing was proven, the label says float64-gap (a random point)
    assert (plain.lower_bound, plain.upper_bound) == (0, plain.num_params)
    assert plain.lower_method == "trivial" and plain.upper_method.startswith("parameter count")
    assert any("high precision unavailable" in w for w in plain.warnings)
    assert any("certificates unavailable" in w for w in plain.warnings)
    with pytest.raises(SymbolicUnavailable, match="no symbolic model"):
        symbolic_model(parse_spec(files["attention_torch.py"]))


@pytest.mark.parametrize("d, k", [(2, 1), (3, 2), (4, 3)])
def test_residual_block_rank_matches_its_closed_form(files, d, k):
    model = parse_spec(f"{files['residual.toml']}:d={d},k={k}")
    assert model.num_params == 2 * k * d + d
    result = model_rank(model)
    assert result.rank == k * d + k + d == model.module.generic_rank(model).value


def test_sympy_and_torch_sides_of_a_sympy_model_agree():
    x, w, b = sympy.symbols("x y"), sympy.Matrix(sympy.symbols("w0 w1")), sympy.Symbol("b")
    model = sympy_model("neuron", sympy.sin(w[0] * x[0] + w[1] * x[1] + b) * b, {"w": w, "b": b}, list(x))
    assert model.analytic and not model.polynomial
    theta = flat_point(model, random_point(model, 3))
    X = generic_inputs(model, 4, 3)
    J_mp = np.array(jacobian_mpmath(model, theta, X, 30).tolist(), dtype=float)
    np.testing.assert_allclose(jacobian(model, theta, X), J_mp, rtol=1e-12, atol=1e-12)


def test_piecewise_sympy_model_is_not_analytic_and_warned():
    x, w = sympy.Symbol("x"), sympy.Symbol("w")
    model = sympy_model("relu", sympy.Max(0, w * x), {"w": w}, [x])
    assert not model.analytic
    result = model_rank(model)
    assert any("not apply" in warning for warning in result.warnings)


def test_a_user_model_is_a_hashable_value_with_sizes(files):
    a, b = parse_spec(f"{files['attention.py']}:k=1"), parse_spec(files["attention.py"]).replace(k=1)
    assert a == b and hash(a) == hash(b) and a != parse_spec(files["attention.py"])
    assert a["k"] == 1 and a.as_dict()["kind"] == "sympy"
    assert str(a).endswith("attention.py:d=4,k=1") and parse_spec(str(a)) == a
    assert a.size_claim().predicted(a.sizes) == attention_rank(4, 1)


def test_torch_model_without_sizes_cannot_vary():
    model = torch_model("lin", lambda p, x: p["w"] @ x, {"w": (3,)}, input_dim=3)
    with pytest.raises(SpecError, match="unknown size 'k'"):
        model.replace(k=2)


def test_engine_works_unchanged_on_a_layer_model_at_a_structured_point():
    model = layer_model({"input": 3, "layers": [{"type": "dense", "width": 2}, {"type": "act"}, {"type": "readout"}]})
    spec = parse_spec("twolayer:d=3,k=2")
    point = random_point(spec, 5)
    point["W"][1] = point["W"][0]
    user_point = {"W1": point["W"], "a": point["a"]}
    X = generic_inputs(spec, 16)
    assert jacobian_rank(model, user_point, X).rank == jacobian_rank(spec, point, X).rank == 4


@pytest.mark.parametrize(
    "data, message",
    [
        ({"layers": [{"type": "readout"}]}, "missing key 'input'"),
        ({"input": 2, "layers": [{"type": "conv"}]}, "unknown layer type 'conv'"),
        ({"input": 2, "layers": [{"type": "dense", "width": 0}, {"type": "readout"}]}, "expected a positive integer"),
        ({"input": 2, "layers": [{"type": "dense", "width": "q"}, {"type": "readout"}]}, "or a size name"),
        ({"input": 2, "layers": [{"type": "readout"}, {"type": "act"}]}, "nothing may follow"),
        ({"input": 2, "layers": [{"type": "residual", "layers": [{"type": "dense", "width": 3}]},
                                 {"type": "readout"}]}, "must map width 2 to width 2"),
        ({"input": 2, "layers": [{"type": "dense", "width": 2, "stride": 1}]}, "unknown key 'stride'"),
        ({"input": 2, "act": "gelu", "layers": [{"type": "readout"}]}, "unknown activation 'gelu'"),
        ({"input": 2, "width": 3, "layers": [{"type": "readout"}]}, "unknown key 'width'"),
    ],
)
def test_bad_architecture_files(data, message):
    with pytest.raises(SpecError, match=message):
        layer_model(data)


def test_bad_python_and_sympy_models(tmp_path):
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    with pytest.raises(SpecError, match="defines no 'model'"):
        parse_spec(str(empty))
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('boom')\n")
    with pytest.raises(SpecError, match="failed to run: RuntimeError: boom"):
        parse_spec(str(broken))
    nodefault = tmp_path / "nodefault.py"
    nodefault.write_text(ATTENTION_TORCH.replace("def model(d=4, k=2)", "def model(d, k=2)"))
    with pytest.raises(SpecError, match="size 'd' has none"):
        parse_spec(str(nodefault))
    x, w, y = sympy.symbols("x w y")
    with pytest.raises(SpecError, match="uses y, which are neither parameters nor inputs"):
        sympy_model("bad", w * x + y, {"w": w}, [x])
    with pytest.raises(SpecError, match="must return one scalar per input"):
        torch_model("bad", lambda p, x: p["w"] * x, {"w": (2,)}, input_dim=2)
    sized = tmp_path / "sized.py"
    sized.write_text(ATTENTION_TORCH)
    with pytest.raises(SpecError, match="unknown size 'q'; its sizes are d, k"):
        parse_spec(f"{sized}:q=1")
    with pytest.raises(SpecError, match="size 'k' must be an integer >= 1"):
        parse_spec(f"{sized}:k=0")


def test_jacobian_rank_reports_an_undecided_torch_model_honestly():
    model = torch_model("near", lambda p, x: p["a"] * torch.tanh(p["w"] @ x) + p["c"] * torch.tanh(p["v"] @ x),
                        {"w": (2,), "v": (2,), "a": (), "c": ()}, input_dim=2)
    point = {"w": np.array([0.7, -0.3]), "v": np.array([0.7, -0.3]) + 1e-9, "a": np.array(1.0), "c": np.array(0.5)}
    result = jacobian_rank(model, point, generic_inputs(model, 12))
    assert result.rank is None and result.certainty == "undecided"
    assert any("a plain torch model has no high-precision form" in w for w in result.warnings)


def test_rank_command_takes_a_model_file_and_its_claim(run_cli, files):
    code, out, _ = run_cli("rank", f"{files['residual.toml']}:k=3", "--json")
    data = json.loads(out)
    assert code == 0 and data["model_rank"] == 15 and data["agreement"] is True
    code, out, _ = run_cli("rank", files["attention_torch.py"], "--no-certify", "--json")
    assert code == 0 and json.loads(out)["model_rank"] == attention_rank(4, 2)


def test_stability_command_takes_a_model_file(run_cli, files):
    code, out, _ = run_cli("stability", files["attention.toml"], "--inputs", "random:9")
    assert code == 0 and "linearly stable at 9 inputs" in out


def test_missing_model_file_exits_2(run_cli):
    code, _, err = run_cli("rank", "nowhere.py:k=2")
    assert code == 2 and "model file 'nowhere.py' does not exist" in err
