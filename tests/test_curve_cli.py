"""``rankstrat curve``: the three modes, JSON output, figures and bad input."""

import json

import numpy as np
import pytest

from rankstrat.cases import cli
from rankstrat.cases.commands.curve import parse_sizes
from rankstrat.theory.errors import InputError


def test_density_json_matches_the_closed_form(run_cli):
    code, out, _ = run_cli("curve", "--density", "beta:a=2,b=5", "--n", "1..50", "--eps0", "0.1", "--json", "--quiet")
    assert code == 0
    data = json.loads(out)
    assert data["mode"] == "density" and data["bound_holds"] is True
    assert [row["n"] for row in data["rows"]] == list(range(1, 51))
    for row in data["rows"]:
        assert row["E_n"] == pytest.approx(2 / (7 + row["n"]), rel=1e-12)
        assert row["log10_B_n"] <= row["log10_bound"]
    assert data["decay_rate"] == pytest.approx(np.log(0.9))


def test_density_text_table_and_figure(run_cli, tmp_path):
    figure = tmp_path / "curve.png"
    code, out, err = run_cli("curve", "--density", "powerlaw:k=1,offset=0.02", "--n", "1..1e6:log7", "--eps0", "0.1",
                             "--plot", str(figure))
    assert code == 0
    assert "closed form: rho_n = Beta(2, 1 + n) on [0.02, 1]" in out
    assert "bound >= B_n at all 7 sizes: yes" in out
    assert "1000000" in out
    assert figure.stat().st_size > 1000 and "figure written" in err


def test_density_progress_summary_goes_to_stderr(run_cli):
    code, out, err = run_cli("curve", "--density", "uniform", "--n", "0..3", "--format", "csv")
    assert code == 0
    table = [line for line in out.splitlines() if not line.startswith("# ")]
    assert table[0] == "n,E_n,q0.1,q0.5,q0.9,log10_Z_n"
    assert "# spec: beta:a=1,b=1" in out
    # captured stderr is no terminal: no bar, one summary line
    assert err.startswith("sizes: 4 sizes in ") and "\r" not in err and "sizes" not in "".join(table)


def test_density_quadrature_method_and_markdown(run_cli):
    code, out, _ = run_cli("curve", "--density", "mix:0.7*beta:a=2,b=30+0.3*beta:a=5,b=5", "--n", "0,10",
                           "--method", "quad", "--format", "md", "--quiet")
    assert code == 0 and out.startswith("<!--\nrankstrat_version: ")
    assert out.split("-->\n", 1)[1].startswith("| n | E_n |")


def test_empirical_density_from_a_file(run_cli, tmp_path):
    errors = tmp_path / "errors.txt"
    errors.write_text("\n".join(str(e) for e in np.linspace(0.01, 0.5, 50)))
    code, out, _ = run_cli("curve", "--density", f"empirical:file={errors}", "--n", "0..20:10", "--eps0", "0.2",
                           "--json", "--quiet")
    data = json.loads(out)
    assert code == 0 and data["bound_holds"] is True
    assert data["rows"][0]["E_n"] == pytest.approx(np.mean(np.linspace(0.01, 0.5, 50)))


def test_sample_mode_json_passes(run_cli):
    code, out, err = run_cli("curve", "--sample", "synthetic:d=2", "--classifiers", "2000", "--trials", "300",
                             "--n", "0..30:10", "--eps0", "0.05", "--heldout", "2000", "--json")
    data = json.loads(out)
    assert code == 0 and data["passed"] is True and data["mode"] == "sample"
    assert data["draws"] == "fresh" and data["classifiers"] == 2000
    assert [row["n"] for row in data["rows"]] == [0, 10, 20, 30]
    assert all(row["E_lo"] <= row["E_meas"] <= row["E_hi"] for row in data["rows"])
    assert "training sequences" in err


def test_sample_mode_text_on_digits(run_cli, tmp_path):
    figure = tmp_path / "sampled.svg"
    code, out, _ = run_cli("curve", "--sample", "digits:classes=0-1", "--classifiers", "2000", "--trials", "200",
                           "--n", "0..20:10", "--quiet", "--plot", str(figure))
    assert code == 0
    assert "drawn with replacement from the data set itself" in out
    assert "bad minima: error >" in out and "PASS" in out
    assert figure.stat().st_size > 1000


def test_fit_mode_json(run_cli):
    code, out, _ = run_cli("curve", "--fit", "digits:classes=3-8", "--n", "10,40,160,300", "--repeats", "3",
                           "--families", "beta,powerlaw", "--json", "--quiet")
    data = json.loads(out)
    assert code == 0 and data["mode"] == "fit"
    assert {f["family"] for f in data["fits"]} == {"beta", "powerlaw"}
    assert data["chosen"] == data["fits"][0]["family"]
    assert data["fits"][0]["aic"] <= data["fits"][1]["aic"]
    assert [row["n"] for row in data["curve"]] == [10, 40, 160, 300]


@pytest.mark.parametrize("argv, fragments", [
    (["--density", "beta:a=2,c=5"], ["--density", "unknown key 'c'", "a, b, offset"]),
    (["--density", "gauss:m=1"], ["--density", "unknown family 'gauss'", "beta:a=A,b=B"]),
    (["--density", "beta:a=2,b=5", "--n", "1..x"], ["--n", "cannot read 'x'", "ASCII digits"]),
    (["--density", "beta:a=2,b=5", "--n", "5..1"], ["--n", "5..1 is empty"]),
    (["--density", "beta:a=2,b=5", "--n", "1..1e9"], ["more than 20000 values", "A..B:logK"]),
    (["--density", "beta:a=2,b=5", "--eps0", "1.5"], ["--eps0: '1.5' is out of range", "a number in (0, 1)"]),
    (["--density", "beta:a=2,b=5", "--method", "simpson"], ["--method 'simpson'", "auto, exact, quad"]),
    (["--density", "beta:a=2,b=5", "--quantiles", "0.5,2"], ["--quantiles: '2' is out of range", "a number in (0, 1)"]),
    (["--density", "beta:a=2,b=5", "--format", "xml"], ["--format 'xml'", "text, md, latex, csv, json"]),
    (["--density", "beta:a=2,b=5", "--plot", "out.docx"], ["--plot 'out.docx'", ".png"]),
    (["--sample", "svhn"], ["--sample", "unknown data set 'svhn'", "digits[:classes=3-8]"]),
    (["--sample", "digits", "--classifiers", "lots"], ["--classifiers: cannot read 'lots'", "integer written in ASCII digits"]),
    (["--sample", "digits", "--features", "pca"], ["--features", "identity, pca:D or random:D"]),
    (["--sample", "digits", "--prior", "flat"], ["--prior 'flat'", "zero, fitted"]),
    (["--fit", "digits", "--model", "svm"], ["--model 'svm'", "logistic, minnorm"]),
    (["--fit", "digits", "--families", "beta,gauss"], ["--families 'beta,gauss'", "beta, powerlaw, beta-offset, mix"]),
    (["--fit", "mnist:dir=/nonexistent/mnist"], ["--fit", "train-images-idx3-ubyte.gz", "/nonexistent/mnist"]),
    (["--fit", "digits", "--n", "10,5000"], ["--n", "from 1 to 1747"]),
])
def test_bad_input_exits_2_with_a_clear_message(run_cli, argv, fragments):
    code, out, err = run_cli("curve", *argv, "--quiet")
    assert code == 2 and out == ""
    assert err.startswith("rankstrat curve: error: ")
    for fragment in fragments:
        assert fragment in err


def test_a_mode_is_required(capsys):
    assert cli.main(["curve", "--n", "1..10"]) == 2
    err = capsys.readouterr().err
    assert "one of the arguments --density --sample --fit is required" in err and err.count("\n") == 1


def test_parse_sizes_forms():
    assert parse_sizes("1..5") == [1, 2, 3, 4, 5]
    assert parse_sizes("0..10:log3") == [0, 1, 3, 10]
    assert parse_sizes("1e3,10") == [10, 1000]
    with pytest.raises(InputError, match="cannot read '2.5'"):
        parse_sizes("2.5")
