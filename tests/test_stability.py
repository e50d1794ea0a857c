"""Linear stability: never stable below R, stable from R at random inputs, unstable at
structured inputs with the right lost directions; input sets, targets, the command."""

import json

import numpy as np
import pytest

from rankstrat.cases.claim import run_claim
from rankstrat.cases.topics.stability import CLAIMS, ONSET_CASES, pixel_deficit
from rankstrat.numerics.model.input_sets import resolve_inputs
from rankstrat.numerics.model.jacobian import jacobian
from rankstrat.numerics.model.points import flat_point, generic_inputs
from rankstrat.numerics.model.targets import resolve_target
from rankstrat.numerics.rank.kernel_directions import kernel_basis, lost_representatives, sparsify
from rankstrat.numerics.rank.stability import exact_data_rank, linear_stability, stability_curve, stability_onset
from rankstrat.theory.errors import InputError
from rankstrat.theory.families import mf
from rankstrat.theory.spec import parse_spec


@pytest.mark.parametrize("label, spec, target", ONSET_CASES, ids=[c[0] for c in ONSET_CASES])
def test_random_inputs_stable_exactly_from_the_closed_form_rank(label, spec, target):
    spec = parse_spec(spec)
    chosen = resolve_target(spec, target, seed=2)
    R = chosen.closed_form.value
    X = generic_inputs(spec, R + 3, seed=5)
    curve = stability_curve(spec, chosen.point, X, sizes=range(1, R + 4))
    assert stability_onset(curve) == R
    assert all(r.stable is False for r in curve if r.num_inputs < R)
    assert curve[0].model_rank.rank == R


def test_fewer_inputs_than_a_proven_rank_is_certified_unstable():
    spec = parse_spec("cnn1d:d=5,s=3,k=2,bias=1")
    chosen = resolve_target(spec, "channels=1")
    result = linear_stability(spec, chosen.point, generic_inputs(spec, 6))
    assert result.stable is False and result.certainty == "certified"
    assert result.model_rank.lower_bound > result.num_inputs


@pytest.mark.parametrize("bias", [0, 1])
@pytest.mark.parametrize("neurons", [1, 2, 3])
def test_hyperplane_inputs_lose_the_normal_weight_of_each_active_neuron(bias, neurons):
    spec = parse_spec(f"twolayer:d=3,k=3,bias={bias}")
    chosen = resolve_target(spec, f"neurons={neurons}")
    result = linear_stability(spec, chosen.point, resolve_inputs(spec, "hyperplane:40").X)
    assert result.stable is False and result.num_inputs >= result.model_rank.rank
    assert sorted(d.names()[0] for d in result.lost) == [f"W[{i},2]" for i in range(neurons)]
    assert all(len(d.terms) == 1 for d in result.lost)


@pytest.mark.parametrize("axis", [0, 1])
def test_hyperplane_axis_option(axis):
    spec = parse_spec("twolayer:d=3,k=1")
    result = linear_stability(spec, resolve_target(spec, "neurons=1").point,
                              resolve_inputs(spec, f"hyperplane:20,axis={axis}").X)
    assert [d.names() for d in result.lost] == [[f"W[0,{axis}]"]]


@pytest.mark.parametrize("distinct", [3, 5, 7])
def test_repeated_points_lose_R_minus_the_distinct_count(distinct):
    spec = parse_spec("twolayer:d=3,k=2")
    chosen = resolve_target(spec, "neurons=2")
    result = linear_stability(spec, chosen.point, resolve_inputs(spec, f"repeated:20,distinct={distinct}").X)
    assert result.stable is False
    assert result.deficiency == chosen.closed_form.value - distinct == len(result.lost)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_an_unobserved_row_loses_r_directions_inside_that_row(rank):
    spec = parse_spec("mf:n1=4,k=4,n2=4")
    chosen = resolve_target(spec, f"rank={rank}")
    result = linear_stability(spec, chosen.point, resolve_inputs(spec, "entries:all,skip-row=1").X)
    predicted = mf.target_rank_formula(spec, rank).value - mf.target_rank_formula(spec.replace(n1=3), rank).value
    assert result.deficiency == predicted == rank
    assert all(name.startswith("A[1,") for d in result.lost for name in d.names())


def test_exact_rank_and_zero_columns_certify_instability():
    spec = parse_spec("mf:n1=4,k=4,n2=4")
    chosen = resolve_target(spec, "rank=2")
    X = resolve_inputs(spec, "entries:all,skip-row=1").X
    result = linear_stability(spec, chosen.point, X)
    assert result.stable is False and result.certainty == "certified"
    assert exact_data_rank(spec, chosen.point, X) == result.data_rank.rank < result.model_rank.lower_bound
    tanh = parse_spec("twolayer:d=3,k=2")
    unstable = linear_stability(tanh, resolve_target(tanh, "neurons=2").point, resolve_inputs(tanh, "hyperplane:30").X)
    # tanh: no exact rank, but the inputs on x_2 = 0 make two columns exactly zero (a proof)
    assert unstable.stable is False and unstable.certainty == "certified"
    assert "exactly zero" in unstable.data_rank.upper_method
    assert linear_stability(spec, chosen.point, X, certify=False).certainty == "high-precision"  # numerics only


def test_observing_every_entry_is_stable():
    spec = parse_spec("mf:n1=3,k=3,n2=4")
    chosen = resolve_target(spec, "rank=2")
    assert linear_stability(spec, chosen.point, resolve_inputs(spec, "entries:all").X).stable is True


def test_lost_representatives_are_invisible_to_the_data_but_not_to_the_model():
    spec = parse_spec("mf:n1=4,k=4,n2=4")
    point = resolve_target(spec, "rank=2").point
    theta = flat_point(spec, point)
    J_data = jacobian(spec, theta, resolve_inputs(spec, "entries:all,skip-row=2").X)
    J_model = jacobian(spec, theta, generic_inputs(spec, 64))
    V = lost_representatives(J_data, 10, J_model, 12)
    assert V.shape == (32, 2)
    assert np.abs(J_data @ V).max() < 1e-10
    assert np.linalg.matrix_rank(J_model @ V, tol=1e-8) == 2


def test_sparsify_keeps_the_span():
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.standard_normal((6, 3)))[0]
    sparse = sparsify(basis)
    both = np.column_stack([basis, sparse])
    assert np.linalg.matrix_rank(both, tol=1e-10) == 3
    assert np.allclose(np.linalg.norm(sparse, axis=0), 1.0)


def test_kernel_basis_is_orthonormal_and_annihilated():
    J = np.random.default_rng(1).standard_normal((3, 5))
    K = kernel_basis(J, 3)
    assert K.shape == (5, 2) and np.allclose(K.T @ K, np.eye(2)) and np.abs(J @ K).max() < 1e-12


def test_pixel_deficit_counts_missing_views_per_pixel():
    X = np.array([[0.0, 1.0, 0.0, 2.0], [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 3.0]])
    assert pixel_deficit(X, 1) == {0: 1, 2: 1}
    assert pixel_deficit(X, 2) == {0: 2, 1: 1, 2: 2}


@pytest.mark.parametrize("count", [60, 80])
def test_digits_mlp_loses_the_weights_of_blank_pixels(count):
    spec = parse_spec("mlp:d=64,widths=2")
    data = resolve_inputs(spec, f"digits:{count}")
    point = resolve_target(spec, "narrow=1").point
    result = linear_stability(spec, point, data.X)
    blank = np.flatnonzero(np.all(data.X == 0, axis=0))
    assert result.stable is False and result.deficiency >= len(blank) > 0
    theta = flat_point(spec, point)
    J_model = jacobian(spec, theta, generic_inputs(spec, 260))
    K_model = kernel_basis(J_model, result.model_rank.rank)
    span = np.column_stack([K_model] + [d.vector for d in result.lost])
    names = [f"W1[0,{j}]" for j in range(64)]
    from rankstrat.theory.model.symbolic import param_names

    index = {name: i for i, name in enumerate(param_names(spec))}
    for j in blank:
        unit = np.zeros(len(theta))
        unit[index[names[j]]] = 1.0
        residual = unit - span @ np.linalg.lstsq(span, unit, rcond=None)[0]
        assert np.linalg.norm(residual) < 1e-8


# about 80 s; `rankstrat check --falsify` in CI runs these claims too
@pytest.mark.slow
def test_every_default_claim_of_the_topic_passes():
    failed = [r for r in (run_claim(c) for c in CLAIMS if not c.full_only) if not r.passed]
    assert not failed, [(r.id, r.predicted, r.measured, r.detail, r.error) for r in failed]


@pytest.mark.parametrize(
    "spec, text, message",
    [
        ("twolayer:d=3,k=2", "gaussian:10", "cannot read 'gaussian:10'"),
        ("twolayer:d=3,k=2", "random:0", "must be a positive integer"),
        ("twolayer:d=3,k=2", "digits:10", "digits images have 64 features"),
        ("twolayer:d=3,k=2", "repeated:10", "needs distinct=P"),
        ("twolayer:d=3,k=2", "repeated:3,distinct=5", "distinct=5 exceeds the 3 inputs"),
        ("twolayer:d=3,k=2", "hyperplane:5,axis=7", "axis must be a coordinate 0..2"),
        ("twolayer:d=3,k=2", "random:5,axis=1", "options here: none"),
        ("twolayer:d=3,k=2", "entries:all", "entries: applies to mf"),
        ("mf:n1=3,k=1,n2=3", "entries:all,skip-row=5", "skip-row must be a row index 0..2"),
        ("mf:n1=3,k=1,n2=3", "entries:20", "only 9 are available"),
        ("twolayer:d=3,k=2", "nothere.npy", "does not exist"),
        ("twolayer:d=3,k=2", "hyperplane:5,axis=1,axis=2", "axis given twice"),
        ("twolayer:d=3,k=2", "repeated:6,distinct=\uff13", "distinct must be a positive integer in ASCII digits"),
    ],
)
def test_bad_input_sets_name_the_option_and_what_is_accepted(spec, text, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        resolve_inputs(parse_spec(spec), text)


def test_input_files(tmp_path):
    spec = parse_spec("twolayer:d=3,k=2")
    X = generic_inputs(spec, 4)
    for name, write in [("x.npy", lambda p: np.save(p, X)), ("x.csv", lambda p: np.savetxt(p, X, delimiter=",")),
                        ("x.txt", lambda p: np.savetxt(p, X)), ("x.json", lambda p: p.write_text(json.dumps(X.tolist())))]:
        path = tmp_path / name
        write(path)
        np.testing.assert_allclose(resolve_inputs(spec, str(path)).X, X)
    bad = tmp_path / "bad.npy"
    np.save(bad, X[:, :2])
    with pytest.raises(InputError, match=r"holds shape \(4, 2\); expected \(n, 3\)"):
        resolve_inputs(spec, str(bad))


@pytest.mark.parametrize(
    "spec, target, message",
    [
        ("twolayer:d=3,k=2", "rank=1", "rank= applies to mf, not twolayer"),
        ("twolayer:d=3,k=2", "neurons=3", "neurons=3 exceeds the width k=2"),
        ("twolayer:d=3,k=2", "neurons=x", "needs a positive integer"),
        ("mf:n1=3,k=2,n2=3", "rank=3", "exceeds min\\(n1, k, n2\\) = 2"),
        ("mlp:d=3,widths=2", "narrow=4", "at least as wide"),
        ("cnn1d:d=5,s=3,k=1", "channels=2", "exceeds the k=1 channels"),
        ("twolayer:d=3,k=2", "best", "unknown target 'best'"),
        ("twolayer:d=3,k=2", "nothere.json", "--target: file 'nothere.json' does not exist"),
    ],
)
def test_bad_targets(spec, target, message):
    with pytest.raises(InputError, match=message):
        resolve_target(parse_spec(spec), target)


def test_command_names_the_lost_directions(run_cli):
    code, out, _ = run_cli("stability", "mf:n1=4,k=1,n2=4", "--target", "rank=1",
                           "--inputs", "entries:all,skip-row=2")
    assert code == 0
    assert "NOT linearly stable at 12 inputs: rank 6 < model rank 7" in out
    assert "lost 1         A[2,0] +1.00" in out


def test_command_json(run_cli):
    code, out, _ = run_cli("stability", "twolayer:d=2,k=2", "--target", "neurons=1",
                           "--inputs", "random:4", "--json")
    data = json.loads(out)
    assert code == 0 and data["stable"] is True and data["model_rank"] == data["data_rank"] == 3
    assert data["closed_form_value"] == 3


def test_command_curve_and_plot(run_cli, tmp_path):
    plot = tmp_path / "curve.pdf"
    code, out, _ = run_cli("stability", "cnn1d:d=5,s=3,k=2,bias=1", "--target", "channels=1",
                           "--inputs", "random:10", "--curve", "4..10", "--plot", str(plot), "--format", "csv")
    assert code == 0 and plot.read_bytes()[:5] == b"%PDF-"
    assert [p.name for p in tmp_path.iterdir()] == ["curve.pdf"]
    assert "stable from n = 7" in out
    assert "# target: channels=1" in out and "# spec: cnn1d:d=5,s=3,k=2" in out
    table = [line for line in out.splitlines() if not line.startswith("# ")]
    assert table[0] == "n,rank,model_rank,stable,certainty"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--plot", "x.png"], "--plot needs --curve"),
        (["--curve", "3..99"], "--curve: 99 is too large; expected an integer >= 1 and <= 5"),
        (["--curve", "3-4"], "cannot read '3-4'"),
        (["--target", "rank=1"], "rank= applies to mf"),
        (["--inputs", "digits:5"], "digits images have 64 features"),
        (["--directions", "-1"], "argument --directions: -1 is below 0"),
    ],
)
def test_command_bad_input_exits_2_with_one_line(run_cli, argv, message):
    code, _, err = run_cli("stability", "twolayer:d=2,k=2", "--inputs", "random:5", *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
