"""The symbolic model and the torch realisation describe the same function."""

import numpy as np
import pytest
import sympy
import torch

from rankstrat.numerics.model.jacobian import jacobian, jacobian_loop, jacobian_mpmath
from rankstrat.numerics.model.points import flat_point, generic_inputs, random_point
from rankstrat.numerics.model.realize import realize
from rankstrat.theory.model.symbolic import symbolic_model
from rankstrat.theory.spec import parse_spec

SMALL = [
    "mf:n1=2,k=2,n2=3",
    "mf:n1=2,k=2,n2=2,depth=3",
    "twolayer:d=2,k=3,act=tanh,bias=1",
    "twolayer:d=2,k=2,act=sigmoid",
    "twolayer:d=2,k=2,act=sin,bias=1",
    "twolayer:d=2,k=2,act=exp",
    "twolayer:d=2,k=2,act=softplus,bias=1",
    "twolayer:d=2,k=2,act=pow3",
    "twolayer:d=2,k=2,act=relu,bias=1",
    "mlp:d=2,widths=3-2,act=tanh,bias=1",
    "cnn1d:d=5,s=3,k=2,share=1,bias=1",
    "cnn1d:d=5,s=3,k=2,share=0,bias=1",
    "cnn2d:d=3,s=2,k=2,share=1,bias=0",
    "cnn2d:d=3,s=2,k=1,share=0,bias=1",
]


@pytest.mark.parametrize("text", SMALL)
def test_sympy_and_torch_agree_at_random_points(text):
    spec = parse_spec(text)
    model = symbolic_model(spec)
    fn = sympy.lambdify([model.params, model.inputs], model.expr, modules="mpmath")
    torch_model = realize(spec)
    for seed in range(3):
        theta = flat_point(spec, random_point(spec, seed))
        X = generic_inputs(spec, 4, seed)
        values = torch_model(torch.tensor(theta), torch.tensor(X)).numpy()
        expected = [float(fn(list(theta), list(x))) for x in X]
        np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("text", [t for t in SMALL if "relu" not in t])
def test_jacobians_agree_float64_loop_and_mpmath(text):
    spec = parse_spec(text)
    theta = flat_point(spec, random_point(spec, 1))
    X = generic_inputs(spec, 5, 1)
    J = jacobian(spec, theta, X)
    np.testing.assert_allclose(J, jacobian_loop(spec, theta, X), rtol=1e-12, atol=1e-12)
    J_mp = np.array(jacobian_mpmath(spec, theta, X, 30).tolist(), dtype=float)
    np.testing.assert_allclose(J, J_mp, rtol=1e-10, atol=1e-12)


def test_cnn_matches_torch_conv1d():
    spec = parse_spec("cnn1d:d=6,s=3,k=2,share=1,bias=1")
    point = random_point(spec, 2)
    X = torch.tensor(generic_inputs(spec, 3))
    conv = torch.nn.functional.conv1d(
        X[:, None, :], torch.tensor(point["W"])[:, None, :], torch.tensor(point["b"])
    )  # (n, k, positions)
    expected = (torch.tanh(conv) * torch.tensor(point["a"])).sum((1, 2))
    got = realize(spec)(torch.tensor(flat_point(spec, point)), X)
    torch.testing.assert_close(got, expected)


def test_cnn2d_matches_torch_conv2d():
    spec = parse_spec("cnn2d:d=5,s=2,k=3,share=1,bias=0")
    point = random_point(spec, 4)
    X = torch.tensor(generic_inputs(spec, 2))
    kernels = torch.tensor(point["W"]).reshape(3, 1, 2, 2)
    conv = torch.nn.functional.conv2d(X.reshape(2, 1, 5, 5), kernels)  # (n, k, 4, 4)
    expected = (torch.tanh(conv).reshape(2, 3, 16) * torch.tensor(point["a"])).sum((1, 2))
    got = realize(spec)(torch.tensor(flat_point(spec, point)), X)
    torch.testing.assert_close(got, expected)
