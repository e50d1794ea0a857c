"""``rankstrat completion``: every example in text and JSON, files, plots and input errors."""

import json

import numpy as np
import pytest

from rankstrat.numerics.completion.example_matrices import EXAMPLES


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_example_in_text_and_json(run_cli, name):
    code, text, _ = run_cli("completion", "--example", name)
    assert code == 0 and "jacobian rank" in text and "graph" in text
    code, out, _ = run_cli("completion", "--example", name, "--json")
    data = json.loads(out)
    assert code == 0
    assert {"connected", "components", "jacobian_rank", "num_observed", "certainty", "determined"} <= set(data)
    assert data["jacobian_rank"] == data["rank_one_count"]  # rank 1: the graph count
    assert data["certainty"] == "certified"
    assert data["connected"] == (len(data["components"]) == 1)


def test_m1_json_components_and_undetermined_entries(run_cli):
    _, out, _ = run_cli("completion", "--example", "M1", "--json")
    data = json.loads(out)
    assert data["connected"] is False and data["num_observed"] == 4
    assert [c["nodes"] for c in data["components"]] == [["r1", "r2", "c1", "c2"], ["r3", "c3"]]
    assert [c["complete_bipartite"] for c in data["components"]] == [False, True]
    assert data["jacobian_rank"] == 4 and data["manifold_dim"] == 5 and data["locally_unique"] is False
    assert data["undetermined"] == [[0, 2], [1, 2], [2, 0], [2, 1]]


def test_rank_two_and_completions(run_cli):
    code, out, _ = run_cli("completion", "--example", "M1-blocks", "--rank", "2", "--completions", "--json")
    data = json.loads(out)
    assert code == 0 and data["jacobian_rank"] == 5 and data["graph_bound"] == 5
    assert data["completions"]["lowest_rank"]["rank"] == 2 and data["completions"]["lowest_rank"]["proven"]
    assert abs(data["completions"]["nuclear_norm"]["value"] - (np.sqrt(34) + 5)) < 1e-6  # ||[[1,2],[3,4]]||_* + 5
    code, out, _ = run_cli("completion", "--example", "M1-blocks", "--completions")
    assert "lowest rank     2 (proven lowest" in out and "nuclear norm" in out


def test_file_input_and_plot(run_cli, tmp_path):
    path = tmp_path / "m.txt"
    path.write_text("# a 3x3 example\n1, 2, *\n3, *, *\n*, 4, 5\n")
    plot = tmp_path / "graph.png"
    code, out, _ = run_cli("completion", str(path), "--plot", str(plot))
    assert code == 0 and "connected, 1 component" in out and "all determined" in out
    assert plot.stat().st_size > 1000
    code, out, _ = run_cli("completion", "--list-examples")
    assert code == 0 and all(name in out for name in EXAMPLES)


@pytest.mark.parametrize(
    "content, message",
    [
        ("1 2\n3 x\n", "line 2, column 2: 'x' is not a number"),
        ("1 2 3\n4 5\n", "line 2 has 2 entries but line 1 has 3"),
        ("? *\n* ?\n", "no entry is observed"),
        ("\n\n", "no matrix found"),
        ("1,,2\n", "line 1, column 2: empty entry"),
    ],
)
def test_bad_files_exit_2_with_line_and_column(run_cli, tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    code, _, err = run_cli("completion", str(path))
    assert code == 2
    assert message in err and str(path) in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["completion"], "give a matrix FILE or --example NAME"),
        (["completion", "--example", "M9"], "unknown example 'M9'"),
        (["completion", "--example", "M4", "--rank", "3"], "--rank 3: expected an integer from 1 to min(n1, n2) = 2"),
        (["completion", "--example", "M4", "--k", "0"], "argument --k: 0 is below 1"),
        (["completion", "nowhere.txt"], "file does not exist"),
    ],
)
def test_bad_options_exit_2(run_cli, argv, message):
    code, _, err = run_cli(*argv)
    assert code == 2 and message in err


def test_train_reports_verdicts_and_recovery(run_cli):
    code, out, _ = run_cli("completion", "--example", "M1", "--train", "--seeds", "2", "--json")
    training = json.loads(out)["training"]
    assert code == 0 and training["converged"] == 2 and training["verdicts"] == {"neither": 2}
    code, out, _ = run_cli("completion", "--example", "rank1-10x10-connected", "--train", "--seeds", "2",
                           "--init-variance", "1e-120", "--lr", "0.1")
    assert code == 0 and "recovered       2/2 converged runs" in out and "verdict         lowest rank 2" in out


def test_init_sweep_table_thresholds_and_figure(run_cli, tmp_path):
    figure = tmp_path / "sweep.png"
    code, out, _ = run_cli("completion", "--example", "M4", "--init-sweep", "--down-to", "14",
                           "--seeds", "2", "--lr", "0.05", "--figure", str(figure), "--json")
    sweep = json.loads(out)["init_sweep"]
    assert code == 0 and sweep["entry"] == [1, 1] and sweep["reference"] == pytest.approx(6.0)
    assert len(sweep["variances"]) == 14 and sweep["threshold_median_1pct"] is not None
    assert figure.stat().st_size > 1000


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--train", "--seeds", "0"], "--seeds: 0 is below 1"),
        (["--train", "--lr", "-1"], "--lr must be a positive number"),
        (["--init-sweep", "--entry", "1,1"], "--entry 1,1 is observed"),
        (["--init-sweep", "--entry", "3,1"], "outside the 2 x 2 matrix"),
        (["--init-sweep", "--entry", "two"], "--entry must be I,J"),
    ],
)
def test_bad_training_options_exit_2(run_cli, argv, message):
    code, _, err = run_cli("completion", "--example", "M4", *argv)
    assert code == 2 and message in err


def test_binary_file_is_not_a_matrix(run_cli, tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    code, _, err = run_cli("completion", str(path))
    assert code == 2 and "not a text file" in err
