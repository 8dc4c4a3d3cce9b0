"""nn.utils: gradient clipping by norm and by value, parameters to and from one vector."""

import math

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import utils
from minigrad.testing import assert_close

GRADS = [np.array([[3.0, -4.0], [0.0, 1.0]]), np.array([-2.0, 0.5, 0.0])]


def params_with_grads(dtype=np.float64):
    params = [nn.Parameter(minigrad.zeros(*g.shape, dtype=dtype)) for g in GRADS]
    for param, grad in zip(params, GRADS):
        param.grad = minigrad.tensor(grad.astype(dtype))
    return params


def reference_norm(p):
    values = np.concatenate([g.ravel() for g in GRADS])
    if p == math.inf:
        return np.abs(values).max()
    return (np.abs(values) ** p).sum() ** (1 / p)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_scales_all_gradients_together(norm_type, max_norm):
    params = params_with_grads()
    total = utils.clip_grad_norm_(params, max_norm, norm_type)
    expected = reference_norm(norm_type)
    assert total.item() == pytest.approx(expected, rel=1e-12)
    scale = min(1.0, max_norm / (expected + 1e-6))
    for param, grad in zip(params, GRADS):
        assert_close(param.grad, grad * scale, rtol=1e-12, atol=0)


def test_clip_grad_norm_skips_parameters_without_gradients_and_accepts_one_tensor():
    lone = nn.Parameter(minigrad.zeros(2))
    assert utils.clip_grad_norm_([lone], 1.0).item() == 0.0
    lone.grad = minigrad.tensor([6.0, 8.0])
    assert utils.clip_grad_norm_(lone, 5.0).item() == pytest.approx(10.0)
    assert lone.grad.tolist() == pytest.approx([3.0, 4.0], rel=1e-6)


def test_clip_grad_norm_refuses_a_non_finite_norm_when_asked_and_changes_nothing():
    params = params_with_grads()
    params[1].grad[0] = math.inf
    before = [p.grad.numpy().copy() for p in params]
    with pytest.raises(
        RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is non-finite"
    ):
        utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    for param, grad in zip(params, before):
        np.testing.assert_array_equal(param.grad.numpy(), grad)


def test_clip_grad_norm_keeps_the_dtype_of_the_gradients():
    params = params_with_grads(np.float32)
    total = utils.clip_grad_norm_(params, 1.0)
    assert total.dtype == minigrad.float32 and params[0].grad.dtype == minigrad.float32


def test_clip_grad_value_clamps_in_place():
    params = params_with_grads()
    grad = params[0].grad
    assert utils.clip_grad_value_(params, 1.5) is None
    assert params[0].grad is grad
    for param, expected in zip(params, GRADS):
        assert_close(param.grad, np.clip(expected, -1.5, 1.5))


def test_parameters_to_vector_and_back():
    model = nn.Linear(3, 2)
    vector = utils.parameters_to_vector(model.parameters())
    assert vector.shape == (8,)
    assert_close(vector[:6], model.weight.detach().reshape(-1))
    vector.sum().backward()  # differentiable: each parameter gets ones
    assert model.weight.grad.tolist() == [[1.0] * 3] * 2
    utils.vector_to_parameters(minigrad.arange(8.0), model.parameters())
    assert model.weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and model.bias.tolist() == [6.0, 7.0]
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        utils.vector_to_parameters([1.0], model.parameters())


@pytest.mark.torch
@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_clip_grad_norm_matches_torch(torch, norm_type):
    params = params_with_grads(np.float32)
    theirs = [torch.nn.Parameter(torch.zeros(g.shape)) for g in GRADS]
    for param, grad in zip(theirs, GRADS):
        param.grad = torch.tensor(grad, dtype=torch.float32)
    total = utils.clip_grad_norm_(params, 0.7, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 0.7, norm_type)
    assert total.item() == pytest.approx(expected.item(), rel=1e-6)
    for mine, its in zip(params, theirs):
        assert_close(mine.grad, its.grad.numpy(), rtol=1e-6, atol=1e-7)
