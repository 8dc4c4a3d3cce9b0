"""Public functions refuse bad arguments with errors that name the argument and the value.

NumPy integer scalars count as ints wherever Python ints do. Where PyTorch raises for the same
call, the exception type is PyTorch's (checked against PyTorch when it is installed).
"""

from types import SimpleNamespace

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import nn, viz
from minigrad.utils.data import DataLoader

X = np.arange(2 * 4 * 5 * 5, dtype=np.float64).reshape(2, 4, 5, 5) / 100
W = np.linspace(-1, 1, 2 * 4 * 3 * 3).reshape(2, 4, 3, 3)


def x():
    return minigrad.tensor(X)


def w():
    return minigrad.tensor(W)


# each case: a call with Python ints, the same call with NumPy integer scalars
INT_CALLS = {
    "conv2d": lambda i: F.conv2d(x(), w(), stride=i(2), padding=(i(1), 1), dilation=i(1), groups=i(2) // 2),
    "conv2d groups": lambda i: F.conv2d(x(), minigrad.tensor(W[:, :2]), groups=i(2)),
    "conv_transpose2d": lambda i: F.conv_transpose2d(
        x(), minigrad.tensor(W.transpose(1, 0, 2, 3)), stride=i(2), output_padding=i(1)
    ),
    "max_pool2d": lambda i: F.max_pool2d(x(), i(2), stride=(i(1), i(2))),
    "avg_pool2d": lambda i: F.avg_pool2d(x(), i(2), divisor_override=i(3)),
    "pad": lambda i: F.pad(x(), (i(1), i(2))),
    "softmax": lambda i: F.softmax(x(), dim=i(1)),
    "sum": lambda i: x().sum(dim=i(1)),
    "sum dims": lambda i: x().sum(dim=(i(0), i(-1))),
    "transpose": lambda i: x().transpose(i(0), i(3)),
    "full": lambda i: minigrad.full(i(3), 2.0),
    "zeros": lambda i: minigrad.zeros(i(2), 3),
    "Conv2d": lambda i: nn.Conv2d(i(4), i(2), i(3), stride=i(2), groups=i(2)).weight.shape,
    "ConvTranspose2d": lambda i: nn.ConvTranspose2d(i(4), i(2), (i(3), 2)).weight.shape,
    "Linear": lambda i: (nn.Linear(i(3), i(2)).weight.shape, repr(nn.Linear(i(3), i(2)))),
    "DataLoader": lambda i: [b.shape for b in DataLoader(np.zeros((5, 2)), batch_size=i(2))],
    "to_dot": lambda i: viz.to_dot(x().sum(), max_elements=i(4)),
}


def plain(value):
    return value.numpy() if isinstance(value, minigrad.Tensor) else value


@pytest.mark.parametrize("name", sorted(INT_CALLS))
def test_numpy_integer_scalars_count_as_ints(name):
    minigrad.manual_seed(0)
    expected = plain(INT_CALLS[name](int))
    minigrad.manual_seed(0)
    got = plain(INT_CALLS[name](np.int64))
    if isinstance(expected, np.ndarray):
        np.testing.assert_array_equal(got, expected)
    else:
        assert got == expected


def test_bools_and_floats_are_not_ints():
    with pytest.raises(TypeError, match=r"stride must be an int or a pair of ints, got 1.0"):
        F.conv2d(x(), w(), stride=1.0)
    with pytest.raises(TypeError, match=r"stride must be an int or a pair of ints, got \(1, True\)"):
        F.conv2d(x(), w(), stride=(1, True))
    with pytest.raises(TypeError, match="dim: expected an int, got 1.5"):
        x().sum(dim=1.5)
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        DataLoader(np.zeros(3), batch_size=np.float64(2))


# --- the same bad call to minigrad and PyTorch ----------------------------------------------------


def minigrad_library():
    return SimpleNamespace(F=F, full=minigrad.full, zeros=lambda *size: minigrad.zeros(*size, dtype=np.float64),
                           x=x, w=w, DataLoader=DataLoader)  # fmt: skip


def torch_library(torch):
    def zeros(*size):
        return torch.zeros(*size, dtype=torch.float64)

    return SimpleNamespace(F=torch.nn.functional, full=torch.full, zeros=zeros,
                           x=lambda: torch.tensor(X), w=lambda: torch.tensor(W),
                           DataLoader=torch.utils.data.DataLoader)  # fmt: skip


BAD_CALLS = [
    ("zero-size kernel", lambda lib: lib.F.conv2d(lib.x(), lib.zeros(2, 4, 0, 3)), RuntimeError,
     r"kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 3"),
    ("zero-width kernel", lambda lib: lib.F.conv_transpose2d(lib.x(), lib.zeros(4, 2, 3, 0)),
     RuntimeError, "kernel_height: 3 kernel_width: 0"),
    ("no output channels", lambda lib: lib.F.conv2d(lib.x(), lib.zeros(0, 4, 3, 3)), RuntimeError,
     r"expected weight to be at least 1 at dimension 0, but got weight of size \[0, 4, 3, 3\]"),
    ("None input", lambda lib: lib.F.conv2d(None, lib.w()), TypeError,
     "conv2d: input must be a Tensor, got NoneType"),
    ("None weight", lambda lib: lib.F.conv2d(lib.x(), None), TypeError,
     "conv2d: weight must be a Tensor, got NoneType"),
    ("None input, transposed", lambda lib: lib.F.conv_transpose2d(None, lib.w()), TypeError,
     "conv_transpose2d: input must be a Tensor"),
    ("full with a string", lambda lib: lib.full((2,), "x"), TypeError,
     r"full\(\): argument 'fill_value' must be a number, not str \('x'\)"),
    ("full with None", lambda lib: lib.full((2,), None), TypeError, "'fill_value' must be a number, not NoneType"),
    ("batch_size=0", lambda lib: lib.DataLoader(list(range(4)), batch_size=0), ValueError,
     "batch_size should be a positive integer value, but got batch_size=0"),
    ("drop_last=None", lambda lib: lib.DataLoader(list(range(4)), drop_last=None), ValueError,
     "drop_last should be a boolean value, but got drop_last=None"),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_arguments_are_named(case):
    _, call, error, message = case
    with pytest.raises(error, match=message):
        call(minigrad_library())


@pytest.mark.torch
@pytest.mark.parametrize("case", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_arguments_raise_what_pytorch_raises(case):
    torch = pytest.importorskip("torch")
    _, call, error, _ = case
    with pytest.raises(error):
        call(torch_library(torch))
