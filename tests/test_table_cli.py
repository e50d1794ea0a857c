"""`rankstrat table` and `rankstrat strata` from the command line."""

import json

import pytest


def test_width_table_keeps_the_optimistic_size_flat(run_cli):
    code, out, _ = run_cli("table", "twolayer:d=3,k=1", "--vary", "k=1..6", "--target", "neurons=1",
                           "--format", "json", "--no-progress")
    rows = json.loads(out)
    assert code == 0
    assert [row["params"] for row in rows] == [4 * k for k in range(1, 7)]
    assert {row["measured"] for row in rows} == {4} == {row["optimistic"] for row in rows}
    assert all(row["agreement"] == "agree" for row in rows)


def test_cnn_comparison_with_fully_connected_and_plot(run_cli, tmp_path):
    figure = tmp_path / "cnn.png"
    code, out, err = run_cli("table", "cnn1d:d=5,s=3,k=4,bias=1", "--vary", "share=1,0",
                             "--target", "channels=1", "--with-fully-connected", "--format", "json",
                             "--plot", str(figure), "--no-progress")
    rows = json.loads(out)
    assert code == 0
    assert [(r["architecture"], r["measured"]) for r in rows] == [
        ("convolution", 7), ("fully connected", 21), ("locally connected", 15)]
    assert figure.exists() and figure.with_suffix(".svg").exists()


def test_generic_table_over_two_keys(run_cli):
    code, out, _ = run_cli("table", "mf:n1=2,k=1,n2=2", "--vary", "k=1..2", "--vary", "n1=2,3",
                           "--format", "csv", "--no-progress")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 5
    assert lines[0].startswith("k,n1,architecture")


def test_polynomial_activation_disagreement_is_shown_not_hidden(run_cli):
    # the generic k(d+1) form does not hold for relu: the table keeps both numbers
    code, out, err = run_cli("table", "twolayer:d=2,k=2,act=relu", "--vary", "k=2..3",
                             "--format", "json", "--no-progress")
    rows = json.loads(out)
    assert code == 1
    assert all(row["agreement"] == "DISAGREE" and row["closed_form"] != row["measured"] for row in rows)
    assert "not apply" in err


@pytest.mark.parametrize("argv, message", [
    (["table", "twolayer:d=2,k=2", "--vary", "width=1..2"], "unknown key 'width'"),
    (["table", "twolayer:d=2,k=2", "--vary", "k=3..1"], "the range 3..1 is empty"),
    (["table", "twolayer:d=2,k=2", "--target", "rank=1"], "rank= applies to mf, not twolayer"),
    (["table", "mf:n1=2,k=2,n2=2", "--target", "rank=3"], "exceeds min(n1, k, n2)"),
    (["table", "twolayer:d=2,k=2", "--with-fully-connected"], "applies to cnn1d and cnn2d"),
])
def test_table_bad_input(run_cli, argv, message):
    code, _, err = run_cli(*argv, "--no-progress")
    assert code == 2 and message in err


def test_strata_listing_and_verify(run_cli):
    code, out, _ = run_cli("strata", "mf:n1=3,k=2,n2=3", "--verify", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 9
    assert all(row["agreement"] == "agree" for row in rows)
    code, out, _ = run_cli("strata", "mlp:d=2,widths=2-2")
    assert code == 0 and "no strata listed" in out
