"""The batched training engine against plain per-run loops, stopping rules, bad input."""

import numpy as np
import pytest
import torch

from rankstrat.numerics.model.realize import realize
from rankstrat.numerics.training.device import resolve_device
from rankstrat.numerics.training.factorization import (
    _factor_gradients,
    train_factorization_runs,
    train_masked_factorization,
)
from rankstrat.numerics.training.network import (
    _vmapped_loss_functions,
    batched_loss_functions,
    batched_residual_functions,
    train_runs,
)
from rankstrat.numerics.training.polish import levenberg_marquardt_polish
from rankstrat.numerics.training.reference_loop import plain_factorization_run
from rankstrat.theory.errors import InputError
from rankstrat.theory.spec import parse_spec


def test_batched_factorization_equals_per_run_loop():
    rng = np.random.default_rng(0)
    targets = np.array([np.outer(rng.standard_normal(3), rng.standard_normal(4)) for _ in range(3)])
    masks = rng.random((3, 3, 4)) < 0.7
    seeds = [5, 6, 7]
    batched = train_factorization_runs(targets, masks, seeds, k=3, init_std=1e-3, lr=0.05,
                                       max_steps=3000, tol=1e-10)
    for r in range(3):
        product, steps, loss = plain_factorization_run(targets[r], masks[r], seeds[r], 3, 1e-3, 0.05, 3000, 1e-10)
        assert batched.steps[r] == steps
        np.testing.assert_allclose(batched.products[r], product, rtol=1e-9, atol=1e-12)
        assert batched.train_loss[r] == pytest.approx(loss, rel=1e-6, abs=1e-15)


def test_grid_form_matches_per_run_form():
    targets = np.stack([np.ones((2, 2)), np.diag([1.0, 2.0])])
    masks = np.ones((2, 2, 2), bool)
    grid = train_masked_factorization(targets, masks, k=2, seeds=[1, 2], init_std=1e-3, lr=0.1, max_steps=4000)
    runs = train_factorization_runs(np.repeat(targets, 2, 0), np.repeat(masks, 2, 0), [1, 2, 1, 2],
                                    k=2, init_std=1e-3, lr=0.1, max_steps=4000)
    np.testing.assert_array_equal(grid.products.reshape(4, 2, 2), runs.products)
    np.testing.assert_array_equal(grid.steps.reshape(-1), runs.steps)
    assert grid.converged.all()


def test_result_does_not_depend_on_batch_composition():
    rng = np.random.default_rng(3)
    targets = rng.standard_normal((4, 3, 3))
    masks = rng.random((4, 3, 3)) < 0.8
    together = train_factorization_runs(targets, masks, [0, 1, 2, 3], k=3, init_std=1e-4, lr=0.05, max_steps=500)
    alone = train_factorization_runs(targets[2:3], masks[2:3], [2], k=3, init_std=1e-4, lr=0.05, max_steps=500)
    np.testing.assert_array_equal(together.products[2], alone.products[0])
    assert together.steps[2] == alone.steps[0]


def test_deep_factor_gradients_match_autograd():
    torch.manual_seed(0)
    factors = [torch.randn(3, 2, 5, dtype=torch.float64), torch.randn(2, 2, 5, dtype=torch.float64),
               torch.randn(2, 4, 5, dtype=torch.float64)]
    Y = torch.randn(3, 4, 5, dtype=torch.float64)
    W = (torch.rand(3, 4, 5) < 0.6).double()
    leaves = [f.clone().requires_grad_() for f in factors]
    product = torch.einsum("ikr,klr,ljr->ijr", *leaves)
    (0.5 * ((W * (product - Y)) ** 2).sum()).backward()
    residual = W * (torch.einsum("ikr,klr,ljr->ijr", *factors) - Y)
    for mine, leaf in zip(_factor_gradients(factors, residual), leaves):
        torch.testing.assert_close(mine, leaf.grad)


def test_tiny_initialization_survives_in_float64():
    target = np.array([[[1.0, 2.0], [3.0, 6.0]]])
    mask = np.array([[[True, True], [True, False]]])
    result = train_masked_factorization(target, mask, k=2, seeds=[0], init_std=10**-41.5, lr=0.05, max_steps=20000)
    assert result.converged[0, 0]
    assert result.products[0, 0, 1, 1] == pytest.approx(6.0, abs=1e-2)  # the rank-1 completion


def test_diverged_runs_are_flagged_and_stopped():
    target = np.full((2, 3, 3), 10.0)
    masks = np.ones((2, 3, 3), bool)
    result = train_factorization_runs(target, masks, [0, 0], k=3, init_std=0.5, lr=5.0, max_steps=1000)
    assert result.diverged.all() and not result.converged.any()
    assert (result.steps < 1000).all()
    assert not result.unconverged.any()


def test_unconverged_runs_are_neither_converged_nor_diverged():
    target = np.ones((1, 2, 2))
    result = train_factorization_runs(target, np.ones((1, 2, 2), bool), [0], k=2, init_std=1e-6, lr=0.01,
                                      max_steps=5)
    assert result.unconverged.all() and result.steps[0] == 5


@pytest.mark.parametrize(
    "change, message",
    [
        ({"k": 0}, "k: expected"),
        ({"lr": -0.1}, "lr: expected"),
        ({"init_std": float("nan")}, "init_std: expected"),
        ({"seeds": []}, "seeds: expected at least one seed"),
        ({"depth": 1}, "depth: expected an integer >= 2"),
        ({"device": "tpu"}, "--device: unknown device 'tpu'"),
        ({"masks": np.ones((1, 2, 2))}, "masks: expected a boolean array"),
        ({"masks": np.ones((1, 3, 2), bool)}, "masks: expected shape"),
        ({"targets": np.full((1, 2, 2), np.nan)}, "targets: expected finite values"),
    ],
)
def test_masked_factorization_rejects_bad_input(change, message):
    arguments = dict(targets=np.ones((1, 2, 2)), masks=np.ones((1, 2, 2), bool), k=2, seeds=[0],
                     init_std=1e-3, lr=0.1, max_steps=10)
    arguments.update(change)
    with pytest.raises(InputError, match=message):
        train_masked_factorization(**arguments)


def test_auto_device_falls_back_to_cpu():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected


@pytest.mark.parametrize("spec_text", ["twolayer:d=3,k=4,bias=1", "twolayer:d=2,k=3", "cnn1d:d=5,s=3,k=2,share=1,bias=1"])
def test_batched_gradients_match_vmap_and_jacobians_match_autograd(spec_text):
    spec = parse_spec(spec_text)
    model = realize(spec)
    gen = torch.Generator().manual_seed(1)
    theta = torch.randn(4, model.num_params, dtype=torch.float64, generator=gen)
    X = torch.randn(4, 6, spec.module.input_dim(spec), dtype=torch.float64, generator=gen)
    y = torch.randn(4, 6, dtype=torch.float64, generator=gen)
    w = torch.ones(4, 6, dtype=torch.float64)
    w[1, 4:] = 0
    value, gradient = batched_loss_functions(spec)[0](theta, X, y, w)
    value_ref, gradient_ref = _vmapped_loss_functions(spec)[0](theta, X, y, w)
    torch.testing.assert_close(value, value_ref)
    torch.testing.assert_close(gradient, gradient_ref)
    residual, jacobian = batched_residual_functions(spec)
    for r in range(4):
        th = theta[r].clone().requires_grad_()
        out = torch.sqrt(w[r] / w[r].sum()) * (model(th, X[r]) - y[r])
        rows = [torch.autograd.grad(out[i], th, retain_graph=True)[0] for i in range(6)]
        torch.testing.assert_close(jacobian(theta, X, y, w)[r], torch.stack(rows))
        torch.testing.assert_close(residual(theta, X, y, w)[r], out.detach())


def per_run_network_loop(spec, theta, X, y, lr, steps):
    model = realize(spec)
    th = torch.as_tensor(theta).clone().requires_grad_()
    for _ in range(steps):
        loss = 0.5 * ((model(th, torch.as_tensor(X)) - torch.as_tensor(y)) ** 2).mean()
        (g,) = torch.autograd.grad(loss, th)
        with torch.no_grad():
            th -= lr * g
    return th.detach().numpy()


@pytest.mark.parametrize("spec_text", ["twolayer:d=1,k=2,bias=1", "cnn1d:d=4,s=2,k=1,share=1,bias=1"])
def test_train_runs_equals_per_run_loop(spec_text):
    spec = parse_spec(spec_text)
    model = realize(spec)
    rng = np.random.default_rng(2)
    dim = spec.module.input_dim(spec)
    theta0 = 0.3 * rng.standard_normal((3, model.num_params))
    X = rng.standard_normal((3, 5, dim))
    y = np.tanh(X.sum(2))
    weights = np.ones((3, 5))
    weights[2, 3:] = 0  # run 2 has 3 samples
    batched = train_runs(spec, theta0, X, y, weights, lr=0.3, max_steps=40, tol=1e-30)
    for r in range(3):
        n = int(weights[r].sum())
        expected = per_run_network_loop(spec, theta0[r], X[r, :n], y[r, :n], 0.3, 40)
        np.testing.assert_allclose(batched.theta[r], expected, rtol=1e-10, atol=1e-12)
    assert (batched.steps == 40).all() and batched.unconverged.all()


def test_train_runs_flags_divergence_without_touching_other_runs():
    spec = parse_spec("twolayer:d=1,k=1")
    X = np.linspace(-1, 1, 5)[None, :, None].repeat(2, 0)
    y = np.tanh(2 * X[..., 0])
    result = train_runs(spec, [[1.5, 0.8], [1.5, 0.8]], X, y, lr=[2.0, 1e6], max_steps=300, tol=1e-6)
    assert result.converged.tolist() == [True, False]
    assert result.diverged.tolist() == [False, True]


def test_train_runs_rejects_bad_shapes():
    spec = parse_spec("twolayer:d=1,k=1")
    with pytest.raises(InputError, match="theta0: expected shape"):
        train_runs(spec, np.zeros((1, 3)), np.zeros((1, 2, 1)), np.zeros((1, 2)))
    with pytest.raises(InputError, match="X: expected shape"):
        train_runs(spec, np.zeros((1, 2)), np.zeros((1, 2, 2)), np.zeros((1, 2)))
    with pytest.raises(InputError, match="lr: expected a positive number"):
        train_runs(spec, np.zeros((1, 2)), np.zeros((1, 2, 1)), np.zeros((1, 2)), lr=0)


def test_polish_reaches_the_nearby_minimum_and_keeps_an_idle_neuron_idle():
    from rankstrat.numerics.training.experiments.single_neuron import nearest_branch, student_spec

    spec = student_spec(1)
    X = np.random.default_rng(0).standard_normal((1, 5, 1))
    y = np.tanh(X[..., 0] + 1)
    start = np.array([[1.02, 0.3, 0.97, -0.4, 1.01, 1e-3]])  # neuron 2 nearly idle: heading to Q2
    result = levenberg_marquardt_polish(spec, start, X, y, tol=1e-26)
    assert result.converged[0]
    assert nearest_branch(spec, start[0]) == nearest_branch(spec, result.theta[0]) == "Q2"
    np.testing.assert_allclose(result.theta[0, [0, 2, 4]], [1.0, 1.0, 1.0], atol=1e-8)
    assert start[0, 0] == 1.02  # the caller's array is not modified
