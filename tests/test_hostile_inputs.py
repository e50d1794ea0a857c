"""Bad input, faults and interruptions through the real command line: one line on stderr,
no traceback, the right exit status, nothing run that was not asked for, nothing lost."""

import json
import os
import sqlite3
import time

import pytest

from rankstrat.cases import cli
from rankstrat.numerics import resources
from rankstrat.numerics.training.store import SweepStore

EIGHT_GB = 8 * 10**9

RAISING_MODEL = '''
from rankstrat.numerics.model.user_model import torch_model

def model(d=3, k=2):
    raise RuntimeError("model builder broke")
'''

NAN_MODEL = '''
import torch
from rankstrat.numerics.model.user_model import torch_model

def model(d=3, k=2):
    return torch_model("nan", lambda p, x: (x @ p["w"]) * torch.tensor(float("nan")), {"w": (d,)}, input_dim=d)
'''

BAD_SYMPY_MODEL = '''
import sympy
from rankstrat.numerics.model.user_model import sympy_model

def model(d=2):
    x = list(sympy.symbols(f"x0:{d}"))
    w = sympy.Matrix(sympy.symbols(f"w0:{d}"))
    return sympy_model("bad", "w0 * x0 +* w1", {"w": w}, x)
'''


@pytest.fixture(autouse=True)
def fixed_memory_limit(monkeypatch):
    """The default --max-memory is a share of this machine's memory; fix it so results do not depend on it."""
    monkeypatch.setattr(resources, "default_max_memory", lambda: EIGHT_GB)


@pytest.fixture
def files(tmp_path):
    out = {}
    for name, text in [("raising.py", RAISING_MODEL), ("nan.py", NAN_MODEL), ("badsympy.py", BAD_SYMPY_MODEL)]:
        (tmp_path / name).write_text(text)
        out[name] = str(tmp_path / name)
    (tmp_path / "binary.json").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "object.json").write_text('{"x": [1, 2, 3]}')
    (tmp_path / "true.toml").write_text('family = "twolayer"\nd = true\nk = 2\n')
    (tmp_path / "nan.txt").write_text("1 2\nnan 4\n")
    (tmp_path / "folder").mkdir()
    (tmp_path / "fullwidth.txt").write_text("1 2 ?\n3 ? \uff14\n", encoding="utf-8")
    (tmp_path / "arabic.txt").write_text("1 2\n\u0663 ?\n", encoding="utf-8")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "errors.txt").write_text("0.1 0.2 0.3 0.25\n")
    out.update({name: str(tmp_path / name)
                for name in ("binary.json", "object.json", "true.toml", "nan.txt", "folder", "fullwidth.txt",
                             "arabic.txt", "empty.csv", "errors.txt")})
    return out


def assert_one_line(status, err, expected_status, fragment=None):
    assert status == expected_status, err
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    if fragment is not None:
        assert fragment in err, err


# (argv, exit status, fragment of the one stderr line); {name} is replaced by a path from `files`.
BAD_INPUTS = [
    (["rank", "mf:n1=2,k=1,n2=2", "--nope"], 2, "rankstrat rank: error: unrecognized arguments: --nope"),
    (["table", "mf:n1=2,k=1,n2=2", "--vary", "n1=2..3", "--nope"], 2, "see rankstrat table --help"),
    # resources: refused from the sizes, with the estimate
    (["rank", "twolayer:d=3,k=1000000000"], 2, "needs about"),
    (["rank", "twolayer:d=1000,k=1000"], 2, "Jacobian 2002000 x 1001000"),
    (["rank", "mlp:d=100,widths=500-500"], 2, "needs about"),
    (["rank", "cnn2d:d=28,s=3,k=100"], 2, "needs about"),
    (["strata", "mf:n1=100000,k=1000,n2=100000"], 2, "1002001 strata"),
    (["stability", "twolayer:d=3,k=2", "--inputs", "random:100000000"], 2, "needs about"),
    (["rank", "twolayer:d=3,k=5,act=pow100"], 2, "degree 100"),
    (["rank", "twolayer:d=1,k=1,act=pow99999999999999999999"], 2, "degree 99999999999999999999"),
    (["rank", "twolayer:d=99999999999999999999999,k=1"], 2, "(too large)"),
    (["rank", "twolayer:d=3,k=2", "--max-memory", "lots"], 2, "--max-memory"),
    # seeds
    (["rank", "mf:n1=2,k=1,n2=2", "--seed", "-1"], 2, "--seed: -1 is below 0"),
    (["stability", "mf:n1=2,k=1,n2=2", "--seed", "-1"], 2, "--seed: -1 is below 0"),
    (["table", "mf:n1=2,k=1,n2=2", "--seed", "-1"], 2, "--seed: -1 is below 0"),
    (["strata", "mf:n1=2,k=1,n2=2", "--seed", "-1"], 2, "--seed: -1 is below 0"),
    (["completion", "--example", "M1", "--seed", "-1"], 2, "--seed: -1 is below 0"),
    (["verify", "twolayer:d=2,k=1", "--claim", "model_rank == k*(d+1)", "--seed", "-1"], 2, "--seed"),
    (["rank", "mf:n1=2,k=1,n2=2", "--seed", "１"], 2, "ASCII digits"),
    # files
    (["rank", "mf:n1=2,k=1,n2=2", "--at", "{binary.json}"], 2, "--at"),
    (["rank", "mf:n1=2,k=1,n2=2", "--at", "{folder}"], 2, "--at"),
    (["stability", "twolayer:d=3,k=2", "--inputs", "{object.json}"], 2, "--inputs"),
    (["rank", "{raising.py}"], 2, "model builder broke"),
    (["rank", "{badsympy.py}"], 2, "not a formula"),
    (["rank", "{nan.py}", "--no-certify"], 2, "not finite"),
    (["rank", "{true.toml}"], 2, "true (a boolean)"),
    (["rank", "twolayer:d=３,k=2"], 2, "not ASCII digits"),
    (["completion", "{nan.txt}"], 2, "write ? or * for a missing entry"),
    # values
    (["curve", "--density", "beta:a=2,b=5", "--n", "1..1e20:log5", "--quiet"], 2, "--n"),
    (["curve", "--density", "beta:a=2,b=5", "--n", "1e300", "--quiet"], 2, "too large"),
    (["table", "mf:n1=2,k=1,n2=2", "--vary", "k=1..x"], 2, "--vary k"),
    (["verify", "twolayer:d=2,k=1", "--claim", "model_rank == k*(d+1)", "--vary", "k=1..6:0"], 2, "step"),
    (["check", "--only", ""], 2, "--only: empty"),
    (["check", "--only", " , "], 2, "--only: empty"),
    # output paths
    (["table", "mf:n1=2,k=1,n2=2", "--plot", "/dev/null/figs/t.png"], 2, "cannot create the folder"),
    (["stability", "mf:n1=2,k=1,n2=2", "--curve", "--plot", "/dev/null/s.png"], 2, "is not a folder"),
    (["curve", "--density", "beta:a=2,b=5", "--n", "1..5", "--plot", "/dev/null/c.png", "--quiet"], 2,
     "is not a folder"),
    (["completion", "--example", "M1", "--plot", "/dev/null/g.png"], 2, "is not a folder"),
    (["check", "--only", "mf.target-rank-1", "--out", "/dev/null/r/report.csv"], 2, "cannot create the folder"),
    (["check", "--only", "mf.target-rank-1", "--out", "{folder}"], 2, "is a folder"),
    (["sweep", "imbalance", "--fast", "--out", "/dev/null/sweeps"], 2, "cannot create the folder"),
    (["plot", "{folder}"], 2, "no sweep store"),
    # output paths that exist but take no file, even as root: refused before any work
    (["table", "mf:n1=2,k=1,n2=2", "--plot", "/proc/x.png"], 2, "--plot '/proc/x.png': cannot write a file in '/proc'"),
    (["table", "mf:n1=2,k=1,n2=2", "--out", "/proc/x.csv"], 2, "--out '/proc/x.csv': cannot write a file in '/proc'"),
    (["check", "--only", "mf.target-rank-1", "--out", "/proc/report.csv"], 2, "cannot write a file in '/proc'"),
    (["stability", "mf:n1=2,k=1,n2=2", "--curve", "--plot", "/proc/s.png"], 2, "cannot write a file in '/proc'"),
    (["curve", "--density", "beta:a=2,b=5", "--plot", "/proc/c.png"], 2, "cannot write a file in '/proc'"),
    (["completion", "--example", "M1", "--plot", "/proc/g.png"], 2, "cannot write a file in '/proc'"),
    (["completion", "--example", "M4", "--init-sweep", "--figure", "/proc/i.png"], 2, "--figure '/proc/i.png'"),
    (["completion", "--figures", "/proc"], 2, "--figures: cannot write a file in the folder '/proc'"),
    (["discover", "mf:n1=2,k=1,n2=2", "--json", "/proc/p.json"], 2, "--json '/proc/p.json': cannot write"),
    (["discover", "mf:n1=2,k=1,n2=2", "--figure", "/proc/h.png"], 2, "--figure '/proc/h.png': cannot write"),
    (["sweep", "imbalance", "--fast", "--out", "/proc/sweeps"], 2, "--out: cannot create the folder '/proc/sweeps'"),
    (["table", "mf:n1=2,k=1,n2=2", "--out", "/dev/null"], 2, "is not a regular file"),
    (["table", "mf:n1=2,k=1,n2=2", "--out", "{folder}/new/"], 2, "ends with a folder separator; expected a file name"),
    (["table", "mf:n1=2,k=1,n2=2", "--out", "{folder}/" + "a" * 300 + ".csv"], 2, "File name too long"),
    (["table", "mf:n1=2,k=1,n2=2", "--out", "/sys/t.csv"], 2, "cannot write a file in '/sys'"),
    # empty paths
    (["table", "mf:n1=2,k=1,n2=2", "--plot", ""], 2, "--plot: empty; expected a file name"),
    (["table", "mf:n1=2,k=1,n2=2", "--out", ""], 2, "--out: empty; expected a file name"),
    (["check", "--only", "mf.target-rank-1", "--out", ""], 2, "--out: empty; expected a file name"),
    (["stability", "mf:n1=2,k=1,n2=2", "--curve", "--plot", ""], 2, "--plot: empty"),
    (["curve", "--density", "beta:a=2,b=5", "--plot", " "], 2, "--plot: empty"),
    (["completion", "--example", "M1", "--plot", ""], 2, "--plot: empty"),
    (["completion", "--figures", ""], 2, "--figures: empty; expected a folder name"),
    (["discover", "mf:n1=2,k=1,n2=2", "--json", ""], 2, "--json: empty"),
    (["sweep", "imbalance", "--fast", "--out", ""], 2, "--out: empty; expected a folder name"),
    (["plot", ""], 2, "the sweep directory is empty"),
    # options that contradict each other
    (["rank", "mf:n1=2,k=1,n2=2", "--at", "random", "--target", "zero"], 2, "--at random and --target zero"),
    (["rank", "mf:n1=2,k=1,n2=2", "--at", "zero", "--target", "rank=1"], 2, "give one of them"),
    (["rank", "mf:n1=2,k=1,n2=2", "--no-certify", "--budget", "5"], 2, "--budget limits the certification"),
    (["rank", "mf:n1=2,k=1,n2=2", "--budget", "nan"], 2, "--budget must be a positive number"),
    (["check", "--list", "--falsify"], 2, "--list only lists the selected claims and runs none; --falsify"),
    (["check", "--list", "--out", "{folder}/list.csv"], 2, "--list only lists the selected claims and runs none; --out"),
    # numbers out of range, empty lists, absurd sizes
    (["curve", "--sample", "digits", "--confidence", "1.5"], 2, "--confidence: '1.5' is out of range; expected a number in (0, 1)"),
    (["curve", "--sample", "digits", "--confidence", "nan"], 2, "--confidence: cannot read 'nan'"),
    (["curve", "--density", "beta:a=2,b=5", "--quantiles", ""], 2, "--quantiles: empty; expected comma-separated"),
    (["curve", "--density", "beta:a=2,b=5", "--quantiles", "0.5,"], 2, "--quantiles: '0.5,' has an empty item"),
    (["curve", "--density", "beta:a=2,b=5", "--eps0", "inf"], 2, "--eps0: cannot read 'inf'"),
    (["curve", "--density", "histogram:file={errors.txt},bins=1e15"], 2,
     "bins: 1000000000000000 is too large; expected an integer >= 1 and <= 100000"),
    (["curve", "--density", "beta:a=2,b=5,a=3"], 2, "beta: a given twice"),
    (["curve", "--density", "beta:a=\uff12,b=5"], 2, "is not a number; expected a decimal number in ASCII digits"),
    (["curve", "--sample", "digits", "--classifiers", "1e15"], 2, "--classifiers: 1000000000000000 is too large"),
    (["curve", "--sample", "synthetic", "--classifiers", "1e6", "--heldout", "1e6"], 2, "table entries is too large"),
    (["curve", "--sample", "digits", "--bootstrap", "1e7", "--trials", "1e7"], 2, "table entries is too large"),
    (["curve", "--fit", "synthetic:n=1e12"], 2, "n: 1000000000000 is too large"),
    # bad classes: refused from the data-set string, before any progress line
    (["curve", "--sample", "digits:classes=3-3"], 2, "need at least two different classes"),
    (["curve", "--sample", "digits:classes=3-99"], 2, "classes: 99 is too large"),
    (["curve", "--sample", "digits:classes=3--8"], 2, "expected labels 0 to 9 joined by -"),
    (["curve", "--sample", "digits:classes="], 2, "expected labels 0 to 9 joined by -"),
    (["curve", "--sample", "digits:classes=3-8,classes=1-2"], 2, "classes given twice"),
    (["curve", "--sample", "digits:classes=3-8", "--features", "pca:100"], 2, "at most 64 components"),
    # completion files: digits outside ASCII named by file, line and column; --rank says what is accepted
    (["completion", "{fullwidth.txt}"], 2, "fullwidth.txt: line 2, column 3: '\uff14' is not written in ASCII digits"),
    (["completion", "{arabic.txt}"], 2, "arabic.txt: line 2, column 1: '\u0663' is not written in ASCII digits"),
    (["completion", "--example", "M1", "--rank", "4"], 2,
     "--rank 4: expected an integer from 1 to min(n1, n2) = 3 for this 3 x 3 matrix"),
    (["completion", "--example", "M1", "--k", "1", "--rank", "2"], 2, "from 1 to min(n1, n2, k) = 1"),
    (["completion", "--example", "M1", "--seeds", "1e20"], 2, "--seeds"),
    (["completion", "--example", "M4", "--init-sweep", "--down-to", "100000"], 2, "--down-to"),
    (["completion", "--example", "M4", "--train", "--width", "100000000"], 2, "--width"),
    # input files
    (["stability", "twolayer:d=3,k=2", "--inputs", "{empty.csv}"], 2, "holds no inputs"),
    (["stability", "twolayer:d=3,k=2", "--inputs", " "], 2, "--inputs: empty"),
    # options the chosen work would silently ignore
    (["rank", "mf:n1=2,k=1,n2=2", "--at", " "], 2, "--at: empty; expected random, zero or a JSON file"),
    (["stability", "twolayer:d=3,k=2", "--format", "csv"], 2, "--format csv formats the --curve table"),
    (["stability", "twolayer:d=3,k=2", "--curve", "--directions", "3"], 2, "--directions chooses the lost directions"),
    (["completion", "{fullwidth.txt}", "--example", "M1"], 2, "FILE and --example both name the matrix"),
    (["completion", "--example", "M1", "--entry", "1,3"], 2, "--entry is used by --init-sweep only"),
    (["completion", "--example", "M1", "--figure", "{folder}/s.png"], 2, "--figure is used by --init-sweep only"),
    (["completion", "--example", "M1", "--width", "3"], 2, "--width is the inner dimension of the trained A B"),
    (["completion", "--example", "M1", "--figures", "{folder}"], 2, "--figures reproduces the built-in experiments"),
    (["curve", "--density", "uniform", "--classifiers", "5"], 2,
     "--classifiers is an option of --sample; it does nothing with --density"),
    (["curve", "--sample", "digits", "--method", "quad"], 2, "--method is an option of --density"),
    (["curve", "--density", "uniform", "--repeats", "3"], 2, "--repeats is an option of --fit"),
    (["curve", "--fit", "digits", "--eps0", "0.1"], 2, "--eps0 is an option of --density and --sample"),
    (["curve", "--density", "uniform", "--seed", "-1"], 2, "--seed: -1 is below 0"),
    (["curve", "--fit", "synthetic:n=30"], 2, "the data set has 30 points; a learning curve needs more than 50"),
    (["curve", "--sample", "synthetic", "--features", "random:1e9"], 2, "1000000000 is too large"),
    # found by trying more
    ([], 2, "rankstrat: error: give a command: check, completion"),
    (["stability", "twolayer:d=3,k=2", "--inputs", "hyperplane:5,axis=1,axis=2"], 2, "axis given twice"),
    (["sweep", "imbalance", "--seeds", "99999999999999999999999"], 2, "too large"),
    (["verify", "twolayer:d=2,k=1", "--claim", "model_rank == k/0"], 2, "no finite value"),
    (["strata", "twolayer:d=2,k=100000"], 2, "strata"),
    (["rank", "twolayer:d=3,k=2", "--inputs", "1e20"], 2, "too large"),
]


@pytest.mark.parametrize("argv, status, fragment", BAD_INPUTS, ids=[" ".join(a)[:60] for a, _, _ in BAD_INPUTS])
def test_every_bad_input_gives_one_line_and_its_status(run_cli, files, argv, status, fragment):
    for name, path in files.items():
        argv = [arg.replace("{" + name + "}", path) for arg in argv]
    code, _, err = run_cli(*argv)
    assert_one_line(code, err, status, fragment)


@pytest.mark.parametrize("argv", [
    ["rank", "twolayer:d=3,k=1000000000"],
    ["rank", "twolayer:d=1000,k=1000"],
    ["rank", "cnn2d:d=28,s=3,k=100"],
    ["strata", "mf:n1=100000,k=1000,n2=100000"],
])
def test_oversized_requests_are_refused_before_any_work(run_cli, argv):
    """Refused from the sizes alone (about 0.1 s once imports are warm); the work
    itself would take hours, so a loose 5 s bound tells the two apart even on a
    loaded machine."""
    run_cli("rank", "mf:n1=1,k=1,n2=1", "--no-certify")  # imports warm
    start = time.perf_counter()
    code, _, err = run_cli(*argv)
    assert code == 2 and time.perf_counter() - start < 5.0, err


def test_the_memory_estimate_matches_a_direct_count():
    from rankstrat.theory.model.symbolic import num_params, param_shapes
    from rankstrat.theory.spec import parse_spec

    for text, inputs in [("twolayer:d=3,k=5,bias=1", None), ("mlp:d=4,widths=3-2", 17), ("cnn1d:d=6,s=3,k=2", None)]:
        spec = parse_spec(text)
        params = 0
        for shape in param_shapes(spec).values():
            count = 1
            for n in shape:
                count *= n
            params += count
        assert params == num_params(spec) == resources.parameter_count(spec)
        n = 2 * params if inputs is None else inputs
        estimate = resources.rank_estimate(spec, inputs)
        assert estimate.bytes == 3 * 8 * n * params
        assert f"Jacobian {n} x {params}" in estimate.detail
    big = parse_spec("twolayer:d=3,k=1000000000")
    assert resources.rank_estimate(big).bytes == 3 * 8 * (2 * 4 * 10**9) * (4 * 10**9)


def test_a_hostile_claim_runs_nothing(run_cli, tmp_path):
    marker = tmp_path / "PWNED"
    claim = f"model_rank == __import__('os').system('touch {marker}')"
    code, out, err = run_cli("verify", "twolayer:d=2,k=1", "--claim", claim)
    assert_one_line(code, err, 2, "attribute access is not allowed")
    assert not marker.exists() and out == ""


def test_ctrl_c_during_rank_exits_130_with_one_line(run_cli, monkeypatch):
    import rankstrat.cases.commands.rank as rank_command

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(rank_command, "model_rank", interrupted)
    code, _, err = run_cli("rank", "mf:n1=2,k=1,n2=2")
    assert_one_line(code, err, 130, "interrupted")


def test_ctrl_c_during_check_keeps_the_finished_rows(run_cli, monkeypatch, tmp_path):
    import rankstrat.cases.commands.check as check_command

    real, calls = check_command.run_claim, []

    def run_claim(claim):
        calls.append(claim.id)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(claim)

    monkeypatch.setattr(check_command, "run_claim", run_claim)
    out = tmp_path / "report.json"
    code, _, err = run_cli("check", "--topic", "mf", "--out", out, "--no-progress")
    assert_one_line(code, err, 130, "1 finished claims kept")
    rows = json.loads(out.read_text())["rows"]
    assert [row["id"] for row in rows] == calls[:1]


def test_check_out_is_refused_before_any_claim_runs(run_cli, monkeypatch):
    import rankstrat.cases.commands.check as check_command

    def never(claim):
        raise AssertionError("a claim ran before the output path was checked")

    monkeypatch.setattr(check_command, "run_claim", never)
    code, _, err = run_cli("check", "--topic", "mf", "--out", "/dev/null/x/report.txt")
    assert_one_line(code, err, 2, "--out")


@pytest.mark.parametrize("argv", [
    ["table", "mf:n1=2,k=1,n2=2", "--vary", "k=1..2", "--plot", "/proc/t.png"],
    ["table", "mf:n1=2,k=1,n2=2", "--vary", "k=1..2", "--out", "/proc/t.csv"],
    ["table", "mf:n1=2,k=1,n2=2", "--vary", "k=1..2", "--out", "/proc/self/status"],
])
def test_an_unwritable_table_output_is_refused_before_the_table_is_computed(run_cli, monkeypatch, argv):
    import rankstrat.cases.commands.table as table_command

    def never(*args, **kwargs):
        raise AssertionError("the table was computed before its output path was checked")

    monkeypatch.setattr(table_command, "compare_table", never)
    code, out, err = run_cli(*argv)
    assert_one_line(code, err, 2, argv[-2])
    assert out == ""


def test_minimize_without_units_is_refused_before_the_rank_is_computed(run_cli, monkeypatch):
    import rankstrat.cases.commands.rank as rank_command

    def never(*args, **kwargs):
        raise AssertionError("the rank was computed before --minimize was checked")

    monkeypatch.setattr(rank_command, "model_rank", never)
    code, out, err = run_cli("rank", "mf:n1=2,k=1,n2=2", "--minimize")
    assert_one_line(code, err, 2, "--minimize: mf:n1=2,k=1,n2=2,depth=2 has no units to re-use")
    assert out == ""


def test_the_output_check_leaves_no_file_behind(run_cli, tmp_path):
    from rankstrat.numerics.output_paths import prepare_folder, prepare_output_path

    prepare_output_path(tmp_path / "new" / "t.csv", "--out")
    prepare_folder(tmp_path / "figs", "--figures")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["figs", "new"]
    existing = tmp_path / "kept.csv"
    existing.write_text("unchanged")
    prepare_output_path(existing, "--out")
    assert existing.read_text() == "unchanged" and sorted(p.name for p in tmp_path.iterdir()) == [
        "figs", "kept.csv", "new"]


def test_a_late_error_prints_no_progress_line_before_it(run_cli, monkeypatch):
    import rankstrat.cases.commands.table as table_command
    from rankstrat.theory.errors import InputError

    def fails_after_a_row(specs, vary, target, progress, **kwargs):
        for _ in progress([1]):
            pass
        raise InputError("--target: found wrong late")

    monkeypatch.setattr(table_command, "compare_table", fails_after_a_row)
    code, _, err = run_cli("table", "mf:n1=2,k=1,n2=2", "--vary", "k=1..2")
    assert_one_line(code, err, 2, "found wrong late")
    code, _, err = run_cli("curve", "--sample", "digits:classes=3-8", "--features", "pca:100")
    assert_one_line(code, err, 2, "at most 64 components")  # raised after the progress bar started


def test_ctrl_c_during_sweep_exits_130(run_cli, monkeypatch, tmp_path):
    import rankstrat.cases.commands.sweep as sweep_command

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_command, "run_sweep", interrupted)
    code, _, err = run_cli("sweep", "imbalance", "--fast", "--out", tmp_path, "--no-progress")
    assert_one_line(code, err, 130, "interrupted")


def test_a_failed_sweep_does_not_claim_the_folder(run_cli, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    code, _, err = run_cli("sweep", "imbalance", "--fast", "--device", "cuda", "--out", tmp_path, "--no-progress")
    assert_one_line(code, err, 2, "cuda")
    assert SweepStore(tmp_path).experiments() == []


def test_a_second_sweep_into_a_held_store_is_refused(run_cli, tmp_path):
    with SweepStore(tmp_path).lock():
        code, _, err = run_cli("sweep", "imbalance", "--fast", "--seeds", "1", "--out", tmp_path, "--no-progress")
    assert_one_line(code, err, 2, "another sweep is writing")


def test_settings_mismatch_names_only_the_differing_keys(tmp_path):
    store = SweepStore(tmp_path)
    settings = {f"key{i}": list(range(50)) for i in range(20)}
    store.bind("demo", settings)
    with pytest.raises(Exception) as info:
        store.bind("demo", {**settings, "key3": 7})
    message = str(info.value)
    assert "key3" in message and "key4" not in message and len(message) < 300


def test_sweep_store_corrupt_pages_and_read_only_stores(run_cli, tmp_path, monkeypatch):
    out = tmp_path / "sweeps"
    code, text, _ = run_cli("sweep", "imbalance", "--fast", "--seeds", "2", "--out", out, "--no-progress",
                            "--format", "json")
    payload = json.loads(text)  # JSON only on stdout
    assert code in (0, 1) and payload["trained"] == 2 and payload["figures"]

    # read-only: plot reads it (figures elsewhere), sweep says read-only
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if str(out) in str(path) and mode & os.W_OK
                        else real_access(path, mode, **kw))
    code, _, err = run_cli("sweep", "imbalance", "--fast", "--seeds", "2", "--out", out, "--no-progress")
    assert_one_line(code, err, 2, "read-only")
    code, _, err = run_cli("plot", out)
    assert_one_line(code, err, 2, "read-only")
    code, text, err = run_cli("plot", out, "--figures", tmp_path / "figs", "--format", "json")
    assert code == 0 and json.loads(text)[0]["runs"] == 2, err
    monkeypatch.undo()

    # damaged: a store whose later pages are overwritten
    store = SweepStore(tmp_path / "big")
    from rankstrat.numerics.training.experiments.definition import RunKey, RunRecord

    store.bind("imbalance", {"x": 1})
    store.write("imbalance", [RunRecord(RunKey("g", n, 0), True, False, None, 0.0, 0.0, 1, {"pad": "x" * 200})
                              for n in range(2000)])
    with sqlite3.connect(store.path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(store.path.read_bytes())
    for start in range(len(data) // 2, len(data), 4096):
        data[start + 8:start + 200] = b"\xff" * 192
    store.path.write_bytes(bytes(data))
    code, _, err = run_cli("plot", tmp_path / "big")
    assert_one_line(code, err, 2, "damaged")


def test_json_means_json_only(run_cli):
    code, out, _ = run_cli("stability", "mf:n1=2,k=1,n2=2", "--inputs", "random:6", "--curve", "--json")
    assert code == 0 and json.loads(out)["curve"]
    code, out, _ = run_cli("check", "--list", "--topic", "mf", "--format", "json")
    assert code == 0 and all("id" in row for row in json.loads(out))
    code, out, _ = run_cli("verify", "twolayer:d=2,k=1", "--claim", "model_rank == k*(d+1)", "--format", "json",
                           "--no-progress")
    assert code == 0 and json.loads(out)["counterexample"] is None
    code, out, _ = run_cli("conjecture", "mf:n1=5,k=1,n2=5", "--vary", "k=1..4", "--format", "json", "--table")
    assert code == 0 and json.loads(out)["verified"] is True
    code, out, _ = run_cli("discover", "mf:n1=2,k=1,n2=2", "--format", "json")
    assert code == 0 and json.loads(out)


def test_plots_into_a_missing_folder_are_created(run_cli, tmp_path):
    code, _, err = run_cli("stability", "mf:n1=2,k=1,n2=2", "--inputs", "random:6", "--curve",
                           "--plot", tmp_path / "new" / "s.png")
    assert code == 0 and (tmp_path / "new" / "s.png").exists(), err
    code, _, err = run_cli("curve", "--density", "beta:a=2,b=5", "--n", "1..5", "--plot", tmp_path / "new2" / "c.png",
                           "--quiet")
    assert code == 0 and (tmp_path / "new2" / "c.png").exists(), err
    code, _, err = run_cli("completion", "--example", "M1", "--plot", tmp_path / "new3" / "g.png")
    assert code == 0 and (tmp_path / "new3" / "g.png").exists(), err
    code, _, err = run_cli("table", "mf:n1=2,k=1,n2=2", "--vary", "k=1..2", "--no-progress",
                           "--plot", tmp_path / "new4" / "t.png")
    assert code == 0 and list((tmp_path / "new4").glob("t.*")), err


def test_every_subcommand_help_has_an_example_exit_1_and_described_options(run_cli):
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():
        code, out, _ = run_cli(name, "--help")
        assert code == 0
        assert out.count("example: rankstrat ") == 1 and "exit 1:" in out, name
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no description"
    for name in ("rank", "table"):
        assert ".py" in run_cli(name, "--help")[1]


@pytest.mark.slow
def test_a_real_sigint_during_check_exits_130_and_keeps_the_finished_rows(tmp_path):
    import signal
    import subprocess
    import sys

    out = tmp_path / "report.json"
    process = subprocess.Popen([sys.executable, "-m", "rankstrat", "check", "--full", "--no-progress", "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if out.exists() and out.stat().st_size > 2:
            break
        time.sleep(0.2)
    assert process.poll() is None, "the report finished before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err and err.count("\n") == 1 and "interrupted" in err
    rows = json.loads(out.read_text())
    assert rows and all("id" in row for row in rows)


@pytest.mark.parametrize("text", ["raise SystemExit(7)\n",
                                  "import sys\nSIZES = {'d': 2}\ndef model(d):\n    sys.exit(9)\n"])
def test_a_model_file_cannot_choose_the_exit_status(run_cli, tmp_path, text):
    path = tmp_path / "exits.py"
    path.write_text(text)
    code, _, err = run_cli("rank", str(path))
    assert_one_line(code, err, 2, "SystemExit")


@pytest.mark.parametrize("curve", [[], ["--curve", "2..4"]])
def test_stability_format_json_prints_json_only(run_cli, curve):
    code, out, err = run_cli("stability", "twolayer:d=2,k=2", "--target", "neurons=1", "--inputs", "random:5",
                             "--format", "json", *curve)
    assert code == 0, err
    assert json.loads(out)["spec"].startswith("twolayer")
