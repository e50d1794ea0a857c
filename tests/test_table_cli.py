"""`rankstrat table` and `rankstrat strata` from the command line."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from rankstrat.cases.provenance import source_commit

def test_width_table_keeps_the_optimistic_size_flat(run_cli):
    code, out, _ = run_cli("table", "twolayer:d=3,k=1", "--vary", "k=1..6", "--target", "neurons=1",
                           "--format", "json", "--no-progress")
    rows = json.loads(out)["rows"]
    assert code == 0
    assert [row["params"] for row in rows] == [4 * k for k in range(1, 7)]
    assert {row["measured"] for row in rows} == {4} == {row["optimistic"] for row in rows}
    assert all(row["agreement"] == "agree" for row in rows)


def test_cnn_comparison_with_fully_connected_and_plot(run_cli, tmp_path):
    figure = tmp_path / "cnn.png"
    code, out, err = run_cli("table", "cnn1d:d=5,s=3,k=4,bias=1", "--vary", "share=1,0",
                             "--target", "channels=1", "--with-fully-connected", "--format", "json",
                             "--plot", str(figure), "--no-progress")
    rows = json.loads(out)["rows"]
    assert code == 0
    assert [(r["architecture"], r["measured"]) for r in rows] == [
        ("convolution", 7), ("fully connected", 21), ("locally connected", 15)]
    assert [p.name for p in tmp_path.iterdir()] == ["cnn.png"]
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_generic_table_over_two_keys(run_cli):
    code, out, _ = run_cli("table", "mf:n1=2,k=1,n2=2", "--vary", "k=1..2", "--vary", "n1=2,3",
                           "--format", "csv", "--no-progress")
    lines = [line for line in out.strip().splitlines() if not line.startswith("#")]
    assert code == 0 and len(lines) == 5
    assert lines[0].startswith("k,n1,architecture")


def test_polynomial_activation_disagreement_is_shown_not_hidden(run_cli):
    # the generic k(d+1) form does not hold for relu: the table keeps both numbers
    code, out, err = run_cli("table", "twolayer:d=2,k=2,act=relu", "--vary", "k=2..3",
                             "--format", "json", "--no-progress")
    rows = json.loads(out)["rows"]
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
    rows = json.loads(out)["rows"]
    assert code == 0 and len(rows) == 9
    assert all(row["agreement"] == "agree" for row in rows)
    code, out, _ = run_cli("strata", "mlp:d=2,widths=2-2")
    assert code == 0 and "no strata listed" in out


def _git_head():
    import rankstrat

    folder = os.path.dirname(rankstrat.__file__)
    done = subprocess.run(["git", "-C", folder, "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


@pytest.mark.parametrize("suffix", [".json", ".csv", ".tex", ".md", ".txt"])
def test_table_out_carries_provenance(run_cli, tmp_path, suffix):
    import rankstrat

    out_file = tmp_path / f"t{suffix}"
    code, _, err = run_cli("table", "twolayer:d=2,k=1", "--vary", "k=1..2", "--target", "neurons=1",
                           "--seed", "7", "--out", str(out_file), "--format", "csv", "--no-progress")
    assert code == 0 and str(out_file) in err
    text = out_file.read_text()
    head = _git_head()
    if suffix == ".json":
        data = json.loads(text)
        record = data["provenance"]
        assert record["rankstrat_version"] == rankstrat.__version__
        assert (record["git_commit"] or "").split("+")[0] == (head or "")
        assert record["spec"] == "twolayer:d=2,k=1,act=tanh,bias=0" and record["seed"] == 7
        assert record["target"] == "neurons=1"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", record["date"])
        assert [row["certainty"] for row in data["rows"]] == ["certified", "certified"]
        return
    comment = {".tex": "% ", ".md": ""}.get(suffix, "# ")
    for field in ("rankstrat_version: " + rankstrat.__version__, "spec: twolayer:d=2,k=1,act=tanh,bias=0",
                  "seed: 7", "target: neurons=1", "date: 20"):
        assert comment + field in text
    assert "certainty" in text and text.count("certified") >= 2


def test_source_commit_outside_a_checkout_is_none(tmp_path):
    # an installed copy of the package that no git checkout tracks reports no commit
    import rankstrat

    copy = tmp_path / "site" / "rankstrat"
    copy.parent.mkdir()
    shutil.copytree(os.path.dirname(rankstrat.__file__), copy)
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import sys, os, rankstrat, rankstrat.cases.provenance as p\n"
        "rankstrat.__file__ = os.path.join(sys.argv[1], '__init__.py')\n"
        "print(p.source_commit())\n")
    done = subprocess.run([sys.executable, str(probe), str(copy)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "None"
    assert source_commit() is None or source_commit().split("+")[0] == _git_head()


def test_latex_table_uses_booktabs_and_typeset_formulas(run_cli):
    code, out, _ = run_cli("table", "twolayer:d=2,k=1", "--vary", "k=1..2", "--target", "neurons=1",
                           "--format", "latex", "--no-progress")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("% rankstrat_version")
    body = [line for line in lines if not line.startswith("%")]
    assert body[0].startswith(r"\begin{tabular}{") and body[1:2] == [r"\toprule"]
    assert r"\midrule" in body and body[-2:] == [r"\bottomrule", r"\end{tabular}"]
    assert r"\hline" not in out and "k*(d + 1)" not in out
    assert r"$k \left(d + 1\right)$" in out and r"$k^{*} \left(d + 1\right)$" in out
    # numbers right-aligned, text left, and the source columns line up
    spec = body[0][len(r"\begin{tabular}{"):-1]
    assert spec == "rllrlrrlrrl"
    rows = [line for line in body if line.endswith(r"\\")]
    assert len({tuple(m.start() for m in re.finditer("&", line)) for line in rows}) == 1


def test_several_architectures_share_one_table_and_plot(run_cli, tmp_path):
    figure = tmp_path / "compare.pdf"
    code, out, _ = run_cli("table", "twolayer:d=2,k=1", "mf:n1=2,k=1,n2=2", "--vary", "k=1..3",
                             "--format", "json", "--plot", str(figure), "--no-progress")
    data = json.loads(out)
    assert code == 0
    assert data["provenance"]["spec"] == ["twolayer:d=2,k=1,act=tanh,bias=0", "mf:n1=2,k=1,n2=2,depth=2"]
    got = [(row["architecture"], row["k"], row["measured"]) for row in data["rows"]]
    # generic ranks: k(d+1) for twolayer; r(n1+n2) - r^2 with r = min(k, n1, n2) for mf
    mf = [("mf", k, 4 * min(k, 2) - min(k, 2) ** 2) for k in (1, 2, 3)]
    assert got == [("twolayer", k, 3 * k) for k in (1, 2, 3)] + mf
    assert [p.name for p in tmp_path.iterdir()] == ["compare.pdf"]
    assert figure.read_bytes()[:5] == b"%PDF-"


def test_one_family_twice_gets_labels_that_tell_them_apart(run_cli):
    _, out, _ = run_cli("table", "twolayer:d=2,k=1,act=tanh", "twolayer:d=2,k=1,act=relu", "--vary", "k=1..2",
                        "--format", "json", "--no-certify", "--no-progress")
    labels = [row["architecture"] for row in json.loads(out)["rows"]]
    assert labels == ["twolayer:d=2,act=tanh,bias=0"] * 2 + ["twolayer:d=2,act=relu,bias=0"] * 2


def test_sizes_too_small_for_the_target_are_skipped_with_a_note(run_cli):
    code, out, err = run_cli("table", "twolayer:d=2,k=1", "--vary", "k=1..3", "--target", "neurons=2",
                             "--format", "json", "--no-progress")
    data = json.loads(out)
    assert code == 0
    assert [(row["k"], row["measured"]) for row in data["rows"]] == [(2, 6), (3, 6)]
    assert "note: k=1 skipped: --target: neurons=2 exceeds the width k=1" in err
    assert data["provenance"]["skipped"] == ["k=1"]
    # when no size fits, the table is refused, not printed empty
    code, _, err = run_cli("table", "twolayer:d=2,k=1", "--vary", "k=1..2", "--target", "neurons=3",
                           "--no-progress")
    assert code == 2 and "neurons=3 exceeds the width" in err


@pytest.mark.parametrize("name, magic", [("t.pdf", b"%PDF-"), ("t.svg", b"<?xml"), ("t.png", b"\x89PNG")])
def test_plot_format_follows_the_extension(run_cli, tmp_path, name, magic):
    code, _, _ = run_cli("table", "twolayer:d=2,k=1", "--vary", "k=1..2", "--plot", str(tmp_path / name),
                         "--no-certify", "--no-progress")
    assert code == 0
    assert [p.name for p in tmp_path.iterdir()] == [name]
    assert (tmp_path / name).read_bytes().startswith(magic)


def test_plot_with_unknown_extension_is_refused_before_work(run_cli, tmp_path):
    code, _, err = run_cli("table", "twolayer:d=2,k=1", "--plot", str(tmp_path / "t.docx"), "--no-progress")
    assert code == 2 and "unknown file type 'docx'" in err and ".pdf" in err
    assert list(tmp_path.iterdir()) == []


def test_rank_table_figure_shows_certainty_title_and_keeps_the_legend_off_the_data(tmp_path):
    from matplotlib.colors import to_rgba

    from rankstrat.numerics.rank.table_plots import draw_rank_table

    rows = [{"k": k, "architecture": name, "params": 4 * k, "measured": 3, "closed_form": 3,
             "certainty": "certified" if k == 1 else "float64-gap"} for name in ("mf", "twolayer") for k in (1, 2)]
    fig = draw_rank_table(rows, "k", "mf:n1=2 | target random")
    ax = fig.axes[0]
    assert ax.get_title() == "mf:n1=2 | target random"
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert {"certified rank", "rank not certified", "closed form", "mf: model rank", "twolayer: parameters"} <= set(labels)
    # one filled marker (k=1, certified) and one hollow (k=2) per architecture
    markers = [line for line in ax.get_lines() if line.get_marker() == "o" and len(line.get_xdata())]
    filled = {(tuple(line.get_xdata()), to_rgba(line.get_markerfacecolor()) != to_rgba("white")) for line in markers}
    assert filled == {((1,), True), ((2,), False)}
    fig.canvas.draw()
    legend, axes = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert legend.x0 >= axes.x1  # beside the axes, over no data
    # nothing clipped: the written image is as wide as the axes and the legend beside them together
    import struct

    from rankstrat.numerics.figures import save_figure

    path = save_figure(fig, tmp_path / "t.png", dpi=100)
    width, height = struct.unpack(">II", open(path, "rb").read()[16:24])
    assert width >= legend.x1 - axes.x0 and height >= ax.title.get_window_extent().y1 - axes.y0
