"""What `rankstrat rank` says about certainty: input-limited ranks, badly scaled and
non-finite points, certificates that fail."""

import json
import subprocess
import sys

import mpmath
import numpy as np
import pytest

from rankstrat.numerics.model.points import generic_inputs
from rankstrat.numerics.rank import certify
from rankstrat.numerics.rank.engine import jacobian_rank
from rankstrat.theory.spec import parse_spec


def _point_file(tmp_path, W, a):
    path = tmp_path / "point.json"
    path.write_text(json.dumps({"W": W, "a": a}))
    return path


def test_too_few_inputs_cap_the_rank_and_say_so(run_cli):
    code, out, _ = run_cli("rank", "twolayer:d=3,k=5", "--inputs", "10")
    assert code == 0
    assert "limited by 10 inputs" in out
    assert not any(line.startswith("model rank") for line in out.splitlines())
    code, out, _ = run_cli("rank", "twolayer:d=3,k=5", "--inputs", "10", "--json")
    payload = json.loads(out)
    assert payload["model_rank"] is None and payload["input_limited"] is True
    assert payload["rank_at_inputs"] == payload["upper"] == 10 and payload["upper_method"] == "input count n = 10"
    code, out, _ = run_cli("rank", "twolayer:d=3,k=5", "--json")
    payload = json.loads(out)
    assert payload["model_rank"] == 20 and payload["input_limited"] is False


def _exp_reference_rank(W, a, X, dps=600):
    """Rank of the exp two-layer Jacobian with unit-norm columns, at 600 digits (its
    smallest singular values are near 1e-139 of the largest: no float decides it)."""
    with mpmath.workdps(dps):
        columns = []
        for j in range(len(W)):
            e = [mpmath.exp(sum(mpmath.mpf(float(w)) * mpmath.mpf(float(v)) for w, v in zip(W[j], x))) for x in X]
            columns += [[mpmath.mpf(float(a[j])) * ei * mpmath.mpf(float(x[k])) for ei, x in zip(e, X)] for k in range(len(W[j]))]
            columns.append(e)
        columns = [[v / mpmath.norm(col) for v in col] for col in columns]
        J = mpmath.matrix([list(row) for row in zip(*columns)])
        values = sorted((abs(s) for s in mpmath.svd_r(J, compute_uv=False)), reverse=True)
        return sum(1 for s in values if s > mpmath.mpf(10) ** -(dps // 2) * values[0])


def test_a_badly_scaled_exp_point_is_not_reported_below_its_rank(tmp_path, run_cli):
    W, a = [[300.0, -0.3, 0.8], [0.5, 0.2, -0.4]], [1.2, -0.7]
    X = generic_inputs(parse_spec("twolayer:d=3,k=2,act=exp"), 16)
    truth = _exp_reference_rank(W, a, X)
    assert truth == 8
    code, out, _ = run_cli("rank", "twolayer:d=3,k=2,act=exp", "--at", _point_file(tmp_path, W, a), "--json")
    payload = json.loads(out)
    assert code == 0 and payload["lower"] <= truth <= payload["upper"]
    assert payload["model_rank"] in (None, truth)
    code, out, _ = run_cli("stability", "twolayer:d=3,k=2,act=exp", "--target", _point_file(tmp_path, W, a), "--json")
    verdict = json.loads(out)
    assert verdict["model_rank"] in (None, truth)


@pytest.mark.parametrize("command", ["rank", "stability"])
def test_a_non_finite_jacobian_is_refused_in_one_line(tmp_path, command):
    """Run as a process: LAPACK's own warnings would go to the real stdout."""
    path = _point_file(tmp_path, [[1e308, -0.3, 0.8], [0.5, 0.2, -0.4]], [1.2, -0.7])
    option = "--at" if command == "rank" else "--target"
    code = "import sys; from rankstrat.cases.cli import main; sys.exit(main(sys.argv[1:]))"
    argv = [sys.executable, "-c", code, command, "twolayer:d=3,k=2,act=exp", option, str(path), "--json"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert "not finite" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_certificate_that_runs_out_of_time_degrades_with_its_reason(monkeypatch):
    monkeypatch.setattr(certify, "CERTIFY_SECONDS", 0.5)
    spec = parse_spec("mlp:d=3,widths=2-2-2,act=pow2,bias=0")
    from rankstrat.numerics.model.points import random_point

    result = jacobian_rank(spec, random_point(spec, 0), generic_inputs(spec, 32), generic=True)
    assert any("BudgetExceeded" in w for w in result.warnings)
    # the symbolic certificate gave up; the exact rank mod p still proves the lower bound, nothing closes the interval
    assert result.certainty != "certified" and result.lower_bound == result.estimate < result.upper_bound
    assert result.lower_method.startswith("exact rank mod")


def test_a_certificate_that_crashes_degrades_with_its_reason(monkeypatch):
    def deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(certify, "ball_minor_bound", deep)
    spec = parse_spec("twolayer:d=2,k=2")
    point = {"W": np.array([[0.5, 0.1], [0.5 + 1e-6, 0.1]]), "a": np.array([1.0, -2.0])}
    result = jacobian_rank(spec, point, generic_inputs(spec, 12))
    assert any("RecursionError" in w for w in result.warnings)
    assert result.rank is None and result.certainty == "undecided"
    # the crashed ball minor proves nothing; the verified float64 bound proves the 5 well-separated directions
    assert result.lower_bound == 5 and result.lower_method.startswith("verified float64") and result.upper_bound == 6
