"""``rankstrat sweep`` and ``rankstrat plot`` from the command line."""

from rankstrat.cases.cli import main


def test_list_names_every_experiment(capsys):
    assert main(["sweep", "--list"]) == 0
    out = capsys.readouterr().out
    for name in ("mf4x4", "cnn", "single-neuron", "imbalance", "init-scale", "width"):
        assert name in out


def test_sweep_resume_and_plot(tmp_path, capsys):
    out_dir = str(tmp_path / "sweeps")
    status = main(["sweep", "imbalance", "--fast", "--seeds", "3", "--out", out_dir, "--no-progress"])
    first = capsys.readouterr().out
    assert status in (0, 1)
    assert "imbalance: 3 runs, 0 already in" in first and "share of Q1-ending runs" in first
    assert (tmp_path / "sweeps" / "imbalance.png").exists()

    assert main(["sweep", "imbalance", "--fast", "--seeds", "3", "--out", out_dir, "--no-progress"]) == status
    again = capsys.readouterr().out
    assert "3 already in" in again and "0 trained" in again

    (tmp_path / "sweeps" / "imbalance.png").unlink()
    assert main(["plot", out_dir, "--format", "csv"]) == 0
    replot = capsys.readouterr().out
    assert "group,n,runs" in replot and "figure:" in replot
    assert "# experiment: imbalance" in replot and "# rankstrat_version: " in replot
    assert (tmp_path / "sweeps" / "imbalance.png").exists()


def test_bad_input_exits_with_status_2(tmp_path, capsys):
    assert main(["sweep", "mnist", "--out", str(tmp_path)]) == 2
    assert "unknown experiment 'mnist'" in capsys.readouterr().err
    assert main(["sweep", "mf4x4", "--seeds", "zero", "--out", str(tmp_path)]) == 2
    assert "argument --seeds: cannot read 'zero'" in capsys.readouterr().err
    assert main(["sweep", "mf4x4", "--scheduler", "tcp://x:1", "--out", str(tmp_path)]) == 2
    assert "--scheduler: only used with --backend dask" in capsys.readouterr().err
    assert main(["sweep", "--out", str(tmp_path)]) == 2
    assert main(["plot", str(tmp_path / "empty")]) == 2
    assert "no sweep store" in capsys.readouterr().err


def test_settings_mismatch_is_refused(tmp_path, capsys):
    out_dir = str(tmp_path)
    assert main(["sweep", "imbalance", "--fast", "--seeds", "1", "--out", out_dir, "--no-progress"]) in (0, 1)
    capsys.readouterr()
    assert main(["sweep", "imbalance", "--seeds", "1", "--out", out_dir, "--no-progress"]) == 2
    assert "made with other settings" in capsys.readouterr().err
