"""The chapter's corr2d, convolve2d and Corr2d layer: textbook loop, linearity, the examples."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.testing import assert_close
from minigrad.testing import strategies as mst
from minigrad.testing.reference import corr2d_loop


@st.composite
def image_and_kernel(draw):
    kernel = draw(mst.shapes(min_dims=2, max_dims=2, max_side=3))
    extra = draw(mst.shapes(min_dims=2, max_dims=2, min_side=0, max_side=3))
    image = (kernel[0] + extra[0], kernel[1] + extra[1])
    return draw(mst.tensors(image)), draw(mst.tensors(kernel))


@given(image_and_kernel())
def test_corr2d_equals_the_textbook_loop(pair):
    X, K = pair
    assert_close(F.corr2d(X, K), corr2d_loop(X.detach().numpy(), K.detach().numpy()), rtol=1e-12, atol=1e-12)


@given(image_and_kernel(), st.floats(-3, 3), st.floats(-3, 3))
def test_corr2d_is_linear_in_the_input_and_in_the_kernel(pair, a, b):
    X, K = pair
    X2, K2 = X.flip(0), K.flip(1)
    tol = {"rtol": 1e-9, "atol": 1e-9}
    assert_close(F.corr2d(a * X + b * X2, K), a * F.corr2d(X, K) + b * F.corr2d(X2, K), **tol)
    assert_close(F.corr2d(X, a * K + b * K2), a * F.corr2d(X, K) + b * F.corr2d(X, K2), **tol)


@given(image_and_kernel())
def test_convolve2d_is_corr2d_with_the_kernel_flipped(pair):
    X, K = pair
    assert_close(F.convolve2d(X, K), F.corr2d(X, K.flip(0, 1)))
    assert_close(F.convolve2d(X, K), corr2d_loop(X.detach().numpy(), K.detach().numpy()[::-1, ::-1]))


@given(image_and_kernel())
def test_corr2d_gradcheck_and_gradgradcheck(pair):
    X, K = pair
    assert gradcheck(F.corr2d, (X, K))
    assert gradgradcheck(F.corr2d, (X, K))


def test_the_chapter_example():
    X = minigrad.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    K = minigrad.tensor([[0.0, 1.0], [2.0, 3.0]])
    assert F.corr2d(X, K).tolist() == [[19.0, 25.0], [37.0, 43.0]]


def test_edge_detection():
    X = minigrad.ones(6, 8)
    X[:, 2:6] = 0
    K = minigrad.tensor([[1.0, -1.0]])
    Y = F.corr2d(X, K)
    assert Y.shape == (6, 7)
    assert Y.tolist() == [[0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0]] * 6
    assert not F.corr2d(X.T, K).abs().sum().item()


def test_corr2d_layer_learns_the_edge_kernel():
    X = minigrad.ones(6, 8)
    X[:, 2:6] = 0
    Y = F.corr2d(X, minigrad.tensor([[1.0, -1.0]]))
    minigrad.manual_seed(0)
    layer = nn.Corr2d((1, 2))
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert layer.weight.shape == (1, 2) and layer.bias.shape == (1,)
    losses = []
    for _ in range(20):
        loss = ((layer(X) - Y) ** 2).sum()
        layer.zero_grad()
        loss.backward()
        with minigrad.no_grad():
            for p in layer.parameters():
                p -= 0.01 * p.grad
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]
    assert_close(layer.weight, [[1.0, -1.0]], rtol=0, atol=0.2)


def test_corr2d_rejects_bad_input_clearly():
    with pytest.raises(ValueError, match="2-D"):
        F.corr2d(minigrad.zeros(1, 3, 3), minigrad.zeros(2, 2))
    with pytest.raises(ValueError, match=r"larger than input X of shape \(3, 3\)"):
        F.corr2d(minigrad.zeros(3, 3), minigrad.zeros(4, 1))
    with pytest.raises(ValueError, match="2-D"):
        F.convolve2d(minigrad.zeros(3, 3), minigrad.zeros(2))
    with pytest.raises(TypeError, match="Tensor"):
        F.corr2d([[1.0]], minigrad.zeros(1, 1))
