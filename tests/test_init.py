"""The initialisers beyond uniform/normal/Xavier/Kaiming: truncated normal, orthogonal, sparse,
eye and Dirac; by their defining properties, and against torch.nn.init where it is deterministic."""

import numpy as np
import pytest

import minigrad
from minigrad.nn import init


def host(t):
    return t.detach().numpy()


def test_trunc_normal_stays_within_its_bounds_and_keeps_the_shape_of_the_distribution():
    w = init.trunc_normal_(minigrad.empty(20000, dtype=minigrad.float64), mean=1.0, std=2.0, a=0.0, b=3.0)
    values = host(w)
    assert values.min() >= 0.0 and values.max() <= 3.0
    assert values.mean() == pytest.approx(1.4132, abs=0.03)  # the mean of N(1, 4) truncated to [0, 3]


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3), (1, 1)])
def test_orthogonal_gives_orthonormal_rows_or_columns_scaled_by_the_gain(shape):
    w = init.orthogonal_(minigrad.empty(*shape, dtype=minigrad.float64), gain=2.0)
    flat = host(w).reshape(shape[0], -1)
    small = min(flat.shape)
    gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-12)


def test_sparse_zeroes_the_same_number_of_entries_in_every_column():
    w = init.sparse_(minigrad.empty(10, 6), sparsity=0.25, std=1.0)
    assert ((host(w) == 0).sum(axis=0) == 3).all()


def test_eye_and_dirac():
    assert host(init.eye_(minigrad.empty(2, 3))).tolist() == [[1, 0, 0], [0, 1, 0]]
    w = init.dirac_(minigrad.empty(2, 3, 3))
    assert host(w)[:, :, 1].tolist() == [[1, 0, 0], [0, 1, 0]] and host(w).sum() == 2
    x = minigrad.randn(1, 3, 5, 5)
    conv = minigrad.nn.functional.conv2d(x, init.dirac_(minigrad.empty(3, 3, 3, 3)), padding=1)
    np.testing.assert_allclose(host(conv), host(x), rtol=1e-6)  # the identity convolution


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: init.orthogonal_(minigrad.empty(3)), "Only tensors with 2 or more dimensions are supported"),
        (lambda: init.sparse_(minigrad.empty(3, 2, 2), 0.5), "Only tensors with 2 dimensions are supported"),
        (lambda: init.eye_(minigrad.empty(3)), "Only tensors with 2 dimensions are supported"),
        (lambda: init.dirac_(minigrad.empty(3, 3)), "Only tensors with 3, 4, or 5 dimensions are supported"),
        (lambda: init.dirac_(minigrad.empty(3, 3, 3), groups=2), "dim 0 must be divisible by groups"),
    ],
)
def test_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.torch
@pytest.mark.parametrize("shape, groups", [((6, 4, 3, 3), 2), ((4, 6, 3), 1), ((2, 2, 3, 3, 3), 1)])
def test_dirac_and_eye_match_torch(torch, shape, groups):
    ours = host(init.dirac_(minigrad.empty(*shape), groups))
    theirs = torch.nn.init.dirac_(torch.empty(*shape), groups).numpy()
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(
        host(init.eye_(minigrad.empty(3, 5))), torch.nn.init.eye_(torch.empty(3, 5))
    )
