"""``rankstrat verify``: a user's closed form over a grid of sizes, the first counterexample,
and clear errors for unreadable claims and grids."""

import json

import pytest

from rankstrat.cases.claim import run_claim
from rankstrat.cases.grid_claims import first_counterexample, grid_points, model_sizes
from rankstrat.theory.errors import InputError
from rankstrat.theory.rank.size_claims import parse_size_claim, parse_size_grid
from rankstrat.theory.spec import parse_spec

ATTENTION_TOML = '''
name = "attention"
input = "d"
sizes = { d = 4, k = 1 }
claim = "model_rank == 2*d*k - k**2"
layers = [ { type = "attention_score", width = "k" } ]
'''


@pytest.fixture
def attention(tmp_path):
    path = tmp_path / "attention.toml"
    path.write_text(ATTENTION_TOML)
    return str(path)


def test_a_true_claim_holds_over_the_grid(run_cli):
    code, out, _ = run_cli("verify", "twolayer:d=2,k=1,bias=1", "--claim", "model_rank == k*(d+2)",
                           "--vary", "k=1..3", "--vary", "d=1,3", "--no-progress")
    assert code == 0
    assert "claim holds at all 6 grid points" in out


def test_a_wrong_claim_reports_the_first_counterexample(run_cli, attention):
    code, out, _ = run_cli("verify", attention, "--vary", "k=1..3", "--no-progress")
    assert code == 1
    assert "first counterexample: k=2: the claim gives 12, measured 10" in out


def test_the_corrected_claim_holds(run_cli, attention):
    claim = "model_rank == min(2*k, d)*d - min(2*k, d)*(min(2*k, d) - 1)/2"
    code, out, _ = run_cli("verify", attention, "--claim", claim, "--vary", "k=1..3",
                           "--vary", "d=3,5", "--no-progress", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["counterexample"] is None and len(data["rows"]) == 6
    assert all(row["measured"] == row["predicted"] for row in data["rows"])


def test_stop_at_first(run_cli, attention):
    code, out, _ = run_cli("verify", attention, "--vary", "k=1..4", "--stop-at-first",
                           "--no-progress", "--format", "csv")
    rows = [line for line in out.splitlines() if line[:1].isdigit()]
    assert code == 1 and [row.split(",")[0] for row in rows] == ["1", "2"]


def test_inequalities_and_parameter_counts(run_cli):
    code, out, _ = run_cli("verify", "mlp:d=2,widths=3", "--claim", "model_rank <= d*3 + 3",
                           "--vary", "d=1..3", "--no-progress")
    assert code == 0
    code, out, _ = run_cli("verify", "twolayer:d=2,k=2,bias=1", "--claim", "num_params == k*(d+2)",
                           "--vary", "k=1,4", "--no-progress")
    assert code == 0 and "exact" in out


def test_grid_points_carry_the_model_at_each_size():
    points = grid_points(parse_spec("twolayer:d=3,k=1"), "model_rank == k*(d+1)", ["k=2..3"])
    assert [p.spec["k"] for p in points] == [2, 3]
    results = [run_claim(p.claim) for p in points]
    assert [r.measured for r in results] == [8, 12] and first_counterexample(results) is None


def test_model_sizes_include_flags_not_lists():
    assert model_sizes(parse_spec("mlp:d=3,widths=4-4,bias=1")) == {"d": 3, "bias": 1}


@pytest.mark.parametrize(
    "text, message",
    [
        ("model_rank = k", "cannot read 'model_rank = k'"),
        ("rank == k", "QUANTITY one of model_rank, num_params"),
        ("model_rank == k*(", "not a formula"),
        ("model_rank == k*q", "unknown name 'q'"),
    ],
)
def test_unreadable_claims(text, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace("*", r"\*")):
        parse_size_claim(text, ["d", "k"])


@pytest.mark.parametrize(
    "items, message",
    [
        (["k"], "cannot read 'k'"),
        (["k=3..1"], "A <= B"),
        (["k=a..b"], "cannot read .a."),
        (["q=1..2"], "'q' is not a size"),
        (["k=1", "k=2"], "given twice"),
    ],
)
def test_unreadable_grids(items, message):
    with pytest.raises(InputError, match=message):
        parse_size_grid(items, ["d", "k"])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["twolayer:d=2,k=1", "--vary", "k=1..2"], "--claim: no claim given"),
        (["twolayer:d=2,k=1", "--claim", "model_rank == w", "--vary", "k=1"], "unknown name 'w'"),
        (["twolayer:d=2,k=1", "--claim", "model_rank == k", "--vary", "width=1..2"], "'width' is not a size"),
        (["twolayer:d=2,k=1", "--claim", "model_rank == k", "--vary", "k=0..1"], "key 'k' must be an integer >= 1"),
    ],
)
def test_bad_verify_input_exits_2_with_one_line(run_cli, argv, message):
    code, _, err = run_cli("verify", *argv, "--no-progress")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
