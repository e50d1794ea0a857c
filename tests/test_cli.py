"""The command line: rank, check, exit codes and error messages."""

import json
import re
import subprocess
import sys

import pytest

from rankstrat.cases import cli
from rankstrat.cases.claim import Claim, Measurement


def test_rank_prints_rank_certainty_gap_and_closed_form(run_cli):
    code, out, _ = run_cli("rank", "twolayer:d=3,k=5,act=tanh,bias=1")
    assert code == 0
    assert "model rank     25" in out
    assert "certainty      certified" in out
    assert "k*(d + 2) = 25" in out and "agrees" in out


def test_rank_json_has_the_documented_keys(run_cli):
    code, out, _ = run_cli("rank", "mf:n1=4,k=2,n2=4", "--json")
    data = json.loads(out)
    assert code == 0
    assert {"spec", "num_params", "model_rank", "certainty", "gap"} <= set(data)
    assert data["model_rank"] == 12 and data["num_params"] == 16
    assert data["agreement"] is True


def test_rank_shows_disagreement_for_polynomial_activation_hypotheses(run_cli):
    code, out, _ = run_cli("rank", "twolayer:d=3,k=5,act=relu")
    assert code == 0
    assert "DISAGREE" in out and "warning" in out


def test_rank_at_zero_and_at_file(run_cli, tmp_path):
    code, out, _ = run_cli("rank", "mf:n1=2,k=2,n2=2", "--at", "zero", "--json")
    assert json.loads(out)["model_rank"] == 0
    path = tmp_path / "point.json"
    path.write_text(json.dumps({"A": [[1, 0], [0, 0]], "B": [[1, 0], [0, 0]]}))
    code, out, _ = run_cli("rank", "mf:n1=2,k=2,n2=2", "--at", str(path), "--json")
    assert code == 0 and json.loads(out)["model_rank"] == 3  # 4 - (2-1)(2-1)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["rank", "twolayer:d=3,k=5,act=gelu"], "unknown activation 'gelu'"),
        (["rank", "twolayer:d=3,k=0"], "key 'k' must be an integer >= 1"),
        (["rank", "conv:d=3"], "unknown family 'conv'"),
        (["rank", "mf:n1=2,k=2,n2=2", "--at", "missing.json"], "does not exist"),
        (["rank", "mf:n1=2,k=2,n2=2", "--inputs", "0"], "argument --inputs: 0 is below 1"),
        (["rank", "mf:n1=2,k=2,n2=2", "--device", "tpu"], "invalid choice: 'tpu'"),
        (["check", "--only", "no.such"], "no claim with id 'no.such'"),
        (["check", "--topic", "nothing"], "unknown topic 'nothing'"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(run_cli, argv, message):
    code, out, err = run_cli(*argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_point_file_names_the_parameter(run_cli, tmp_path):
    path = tmp_path / "point.json"
    path.write_text(json.dumps({"A": [[1, 0]], "B": [[1, 0], [0, 0]]}))
    code, _, err = run_cli("rank", "mf:n1=2,k=2,n2=2", "--at", str(path))
    assert code == 2 and "parameter 'A' has shape (1, 2), expected (2, 2)" in err


def test_check_selected_claims_pass_and_json_parses(run_cli):
    code, out, _ = run_cli("check", "--topic", "mf", "--format", "json", "--no-progress")
    rows = json.loads(out)["rows"]
    assert code == 0 and rows and all(row["result"] == "pass" for row in rows)


def test_check_exits_1_when_a_claim_fails(run_cli, monkeypatch):
    wrong = Claim("mf.wrong", "a wrong claim", "test", lambda: 8, lambda: Measurement(7, "certified"))
    monkeypatch.setattr(cli.importlib.import_module("rankstrat.cases.commands.check"), "all_claims", lambda full=False: [wrong])
    code, out, _ = run_cli("check", "--no-progress")
    assert code == 1
    assert "FAIL" in out and "0 passed, 1 failed" in out


def test_check_writes_the_report_file(run_cli, tmp_path):
    target = tmp_path / "report.json"
    code, _, _ = run_cli("check", "--only", "mf.target-rank-2", "--out", str(target), "--no-progress")
    assert code == 0
    data = json.loads(target.read_text())
    assert data["rows"][0]["measured"] == 12 and data["rows"][0]["certainty"] == "certified"
    assert data["provenance"]["only"] == "mf.target-rank-2" and data["provenance"]["git_commit"] != ""


def test_progress_on_a_log_file_is_one_summary_line(tmp_path):
    # stderr is a file, not a terminal: no bar redraws (carriage returns), one summary line at the end
    log = tmp_path / "check.log"
    with open(log, "w") as handle:
        done = subprocess.run([sys.executable, "-m", "rankstrat", "check", "--topic", "mf"],
                              stdout=subprocess.DEVNULL, stderr=handle, check=False)
    text = log.read_text()
    assert done.returncode == 0
    assert "\r" not in text
    lines = text.strip().splitlines()
    assert len(lines) == 1 and re.fullmatch(r"claims: \d+ claims in \d+\.\d s", lines[0])


def test_console_script_runs():
    done = subprocess.run(
        [sys.executable, "-m", "rankstrat.cases.cli", "rank", "mf:n1=2,k=1,n2=2", "--json"],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["model_rank"] == 3


def test_rank_at_a_target_stratum(run_cli):
    code, out, _ = run_cli("rank", "twolayer:d=3,k=12", "--target", "neurons=2", "--json")
    data = json.loads(out)
    assert code == 0 and data["model_rank"] == 8 == data["closed_form_value"] and data["num_params"] == 48
    code, _, err = run_cli("rank", "mf:n1=3,k=3,n2=3", "--target", "rank=1", "--at", "zero")
    assert code == 2 and "give one of them" in err
