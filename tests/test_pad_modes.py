"""F.pad's reflect, replicate and circular modes: PyTorch's values, gradients of any order, errors."""

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.testing import assert_close

MODES = ["reflect", "replicate", "circular"]


def test_small_examples():
    row = minigrad.tensor([[1.0, 2.0, 3.0]])
    assert F.pad(row, (2, 1), mode="reflect").tolist() == [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]
    assert F.pad(row, (2, 1), mode="replicate").tolist() == [[1.0, 1.0, 1.0, 2.0, 3.0, 3.0]]
    assert F.pad(row, (2, 1), mode="circular").tolist() == [[2.0, 3.0, 1.0, 2.0, 3.0, 1.0]]


@pytest.mark.parametrize("mode", MODES)
def test_gradients_of_first_and_second_order(mode):
    x = minigrad.tensor(np.random.default_rng(0).standard_normal((1, 2, 4, 5)), requires_grad=True)
    assert gradcheck(lambda t: F.pad(t, (2, 1, 1, 2), mode=mode), (x,))
    assert gradgradcheck(lambda t: F.pad(t, (2, 1, 1, 2), mode=mode), (x,))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "shape, amounts", [((2, 3, 5, 6), (2, 1, 1, 3)), ((1, 4, 7), (3, 2)), ((2, 2, 4, 4), (0, 2, 3, 0))]
)
@pytest.mark.torch
def test_matches_pytorch(mode, shape, amounts):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal(shape)
    ours = minigrad.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    weights = np.random.default_rng(2).standard_normal(F.pad(ours, amounts, mode=mode).shape)
    (F.pad(ours, amounts, mode=mode) * minigrad.tensor(weights)).sum().backward()
    (torch.nn.functional.pad(theirs, amounts, mode=mode) * torch.tensor(weights)).sum().backward()
    assert_close(
        F.pad(ours, amounts, mode=mode), torch.nn.functional.pad(theirs, amounts, mode=mode).detach().numpy()
    )
    assert_close(ours.grad, theirs.grad.numpy())


def test_bad_amounts_and_modes():
    x = minigrad.ones(1, 1, 3, 3)
    with pytest.raises(ValueError, match="reflect padding \\(3, 0\\) of dimension 3 .* less than its size 3"):
        F.pad(x, (3, 0, 0, 0), mode="reflect")
    with pytest.raises(ValueError, match="circular padding \\(0, 4\\)"):
        F.pad(x, (0, 4), mode="circular")
    assert F.pad(x, (-1, 0), mode="replicate").shape == (1, 1, 3, 2)  # a negative amount crops, as in PyTorch
    with pytest.raises(ValueError, match="mode must be"):
        F.pad(x, (1, 1), mode="wrap")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
@pytest.mark.torch
def test_conv2d_layer_padding_modes_match_pytorch(mode, padding):
    torch = pytest.importorskip("torch")
    minigrad.manual_seed(0)
    ours = nn.Conv2d(2, 3, (3, 4), padding=padding, padding_mode=mode).double()
    theirs = torch.nn.Conv2d(2, 3, (3, 4), padding=padding, padding_mode=mode).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(3).standard_normal((2, 2, 6, 7))
    assert_close(ours(minigrad.tensor(x)), theirs(torch.tensor(x)).detach().numpy())
    assert repr(ours) == repr(theirs)


def test_conv2d_layer_padding_mode_is_differentiable():
    layer = nn.Conv2d(1, 2, 3, padding=1, padding_mode="reflect").double()
    x = minigrad.tensor(np.random.default_rng(4).standard_normal((1, 1, 4, 4)), requires_grad=True)
    assert gradcheck(lambda t: layer(t), (x,))
