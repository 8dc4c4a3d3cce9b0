"""max_pool2d, avg_pool2d and their layers: PyTorch parity (ties included), gradients, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad._checks import out_size
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.testing import assert_close

try:
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None


def touches_input(config):
    """Whether every window has a tap on the input (a dilated one can lie wholly on padding)."""
    shape, kernel, stride, padding, dilation, ceil_mode = config
    for axis in range(2):
        size = out_size(
            shape[2 + axis], kernel[axis], stride[axis], (padding[axis],) * 2, dilation[axis], ceil_mode
        )
        for out in range(size):
            taps = out * stride[axis] - padding[axis] + dilation[axis] * np.arange(kernel[axis])
            if not ((taps >= 0) & (taps < shape[2 + axis])).any():
                return False
    return True


def pool_configs(dilation=True):
    """Valid (shape, kernel, stride, padding, dilation, ceil_mode) whose windows all touch the input."""
    return _pool_configs(dilation).filter(touches_input)


@st.composite
def _pool_configs(draw, dilation):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dil = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    reach = [d * (k - 1) + 1 for d, k in zip(dil, kernel)]
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    sides = [max(1, r - 2 * p) + draw(st.integers(0, 3)) for r, p in zip(reach, padding)]
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *sides)
    return shape, kernel, stride, padding, dil, draw(st.booleans())


def distinct(shape, seed):
    """Values at least 0.01 apart: no finite-difference step crosses a max tie."""
    values = np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape)
    return minigrad.tensor(values * 0.01 - 1.0, requires_grad=True)


def ties(shape, seed):
    """Few distinct values: many ties for the max to break."""
    return minigrad.tensor(
        np.random.default_rng(seed).integers(-2, 2, size=shape).astype(float), requires_grad=True
    )


def host(t):
    return t.detach().numpy()


def check_against_torch(ours, theirs, x):
    xt = torch.tensor(host(x), requires_grad=True)
    expected = theirs(xt)
    y = ours(x)
    assert_close(y, expected.detach().numpy(), rtol=1e-12, atol=1e-12, equal_nan=True)
    seed = np.random.default_rng(1).uniform(-1, 1, size=y.shape)
    expected.backward(torch.tensor(seed))
    y.backward(minigrad.tensor(seed))
    assert_close(x.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.torch
@given(pool_configs(), st.booleans())
def test_max_pool2d_matches_torch_including_ties(config, with_ties):
    shape, kernel, stride, padding, dilation, ceil_mode = config
    x = (ties if with_ties else distinct)(shape, 0)
    args = (kernel, stride, padding, dilation, ceil_mode)
    check_against_torch(
        lambda x: F.max_pool2d(x, *args), lambda x: torch.nn.functional.max_pool2d(x, *args), x
    )


@pytest.mark.torch
@given(pool_configs(dilation=False), st.booleans())
def test_avg_pool2d_matches_torch(config, count_include_pad):
    shape, kernel, stride, padding, _, ceil_mode = config
    args = (kernel, stride, padding, ceil_mode, count_include_pad)
    check_against_torch(
        lambda x: F.avg_pool2d(x, *args),
        lambda x: torch.nn.functional.avg_pool2d(x, *args),
        distinct(shape, 0),
    )


@pytest.mark.torch
def test_max_pool2d_indices_nan_and_minus_infinity_match_torch():
    x = np.array([[1.0, 3.0, 3.0, 2.0], [0.0, 3.0, 1.0, 1.0], [np.nan, 0.0, np.nan, 1.0], [-np.inf] * 4])
    x = np.stack([x, np.full((4, 4), -np.inf)])[None]
    for args in [(2, 1), (3, 2, 1), (3, 2, 1, 1, True), (2, 2, 1, 2)]:
        y, index = F.max_pool2d(minigrad.tensor(x), *args, return_indices=True)
        yt, index_t = torch.nn.functional.max_pool2d(torch.tensor(x), *args, return_indices=True)
        assert_close(y, yt.numpy(), equal_nan=True)
        assert np.array_equal(index.numpy(), index_t.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("kernel, dilation", [((2, 2), (1, 1)), ((12, 11), (1, 1)), ((13, 12), (20, 23))])
def test_max_pool2d_winners_fit_their_small_integers(kernel, dilation):
    """The winning tap is kept in the smallest unsigned type that ranks all taps (uint8 up to 127,
    then uint16); indices are computed in int64, however far a dilated tap reaches."""
    reach = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    x = ties((2, 2, reach[0] + 3, reach[1] + 2), 1)
    args = (kernel, 2, 0, dilation)
    check_against_torch(
        lambda x: F.max_pool2d(x, *args), lambda x: torch.nn.functional.max_pool2d(x, *args), x
    )
    _, index = F.max_pool2d(x, *args, return_indices=True)
    _, index_t = torch.nn.functional.max_pool2d(torch.tensor(host(x)), *args, return_indices=True)
    assert index.dtype == minigrad.int64 and np.array_equal(index.numpy(), index_t.numpy())


@given(pool_configs())
def test_max_pool2d_gradcheck_and_gradgradcheck(config):
    shape, kernel, stride, padding, dilation, ceil_mode = config
    pool = lambda x: F.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode)  # noqa: E731
    x = distinct(shape, 0)
    assert gradcheck(pool, (x,))
    assert gradgradcheck(pool, (x,))


@given(pool_configs(dilation=False), st.booleans())
def test_avg_pool2d_gradcheck_and_gradgradcheck(config, count_include_pad):
    shape, kernel, stride, padding, _, ceil_mode = config
    pool = lambda x: F.avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad)  # noqa: E731
    x = distinct(shape, 0)
    assert gradcheck(pool, (x,))
    assert gradgradcheck(pool, (x,))


# ---- hand-written cases against a window-by-window loop -------------------------------------------


def loop_out_size(size, k, s, p, d, ceil_mode):
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    return out - 1 if ceil_mode and (out - 1) * s >= size + p else out


def loop_pool2d(x, kernel, stride, padding, dilation=(1, 1), ceil_mode=False, count_include_pad=True):
    """PyTorch's CPU pooling loops: max values, their flat indices, averages and their divisors.

    A max window keeps its first maximum (a strictly larger value or a NaN replaces it) and
    starts from its first tap on the input, which it keeps when all its values are -inf; an average window is clipped to the input plus padding, and to
    the input itself without ``count_include_pad``.
    """
    n, c, h, w = x.shape
    sides = [
        loop_out_size(size, k, s, p, d, ceil_mode)
        for size, k, s, p, d in zip((h, w), kernel, stride, padding, dilation)
    ]
    best, where, mean, divisor = (np.zeros((n, c, *sides)) for _ in range(4))
    for i in range(sides[0]):
        for j in range(sides[1]):
            top, left = i * stride[0] - padding[0], j * stride[1] - padding[1]
            rows = [r for r in top + dilation[0] * np.arange(kernel[0]) if 0 <= r < h]
            cols = [q for q in left + dilation[1] * np.arange(kernel[1]) if 0 <= q < w]
            best[:, :, i, j], where[:, :, i, j] = -np.inf, rows[0] * w + cols[0]
            for r in rows:
                for q in cols:  # a larger value, or a NaN (so the last NaN), takes the window
                    larger = (x[:, :, r, q] > best[:, :, i, j]) | np.isnan(x[:, :, r, q])
                    best[:, :, i, j] = np.where(larger, x[:, :, r, q], best[:, :, i, j])
                    where[:, :, i, j] = np.where(larger, r * w + q, where[:, :, i, j])
            bottom = min(top + kernel[0], h + padding[0])
            right = min(left + kernel[1], w + padding[1])
            size = (bottom - top) * (right - left)
            top, left, bottom, right = max(top, 0), max(left, 0), min(bottom, h), min(right, w)
            divisor[:, :, i, j] = size if count_include_pad else (bottom - top) * (right - left)
            mean[:, :, i, j] = x[:, :, top:bottom, left:right].sum(axis=(2, 3)) / divisor[:, :, i, j]
    return best, where.astype(np.int64), mean, divisor


def loop_max_pool2d_grad(gy, where, shape):
    gx = np.zeros(shape)
    n, c = shape[:2]
    for b in range(n):
        for ch in range(c):
            np.add.at(gx[b, ch].reshape(-1), where[b, ch].reshape(-1), gy[b, ch].reshape(-1))
    return gx


AVG_CEIL_CASES = [
    ((1, 2, 5, 5), (3, 3), (2, 2), (1, 1)),
    ((2, 1, 6, 7), (3, 2), (2, 3), (1, 1)),
    ((1, 1, 4, 4), (2, 2), (3, 3), (0, 0)),
    ((1, 1, 7, 5), (3, 3), (2, 2), (1, 0)),
    ((1, 1, 5, 6), (2, 3), (2, 2), (1, 1)),
]


@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("shape, kernel, stride, padding", AVG_CEIL_CASES)
def test_avg_pool2d_divisors_with_ceil_mode_match_a_loop(shape, kernel, stride, padding, count_include_pad):
    x = distinct(shape, 0)
    _, _, mean, divisor = loop_pool2d(host(x), kernel, stride, padding, (1, 1), True, count_include_pad)
    real = loop_pool2d(host(x), kernel, stride, padding, (1, 1), True, count_include_pad=False)[3]
    ones = minigrad.ones(*shape, dtype=minigrad.float64)
    assert_close(F.avg_pool2d(ones, kernel, stride, padding, True, count_include_pad), real / divisor)
    y = F.avg_pool2d(x, kernel, stride, padding, True, count_include_pad)
    assert_close(y, mean, rtol=1e-12, atol=1e-12)
    gy = np.random.default_rng(1).uniform(-1, 1, size=y.shape)
    y.backward(minigrad.tensor(gy))
    expected = np.zeros(shape)
    for i in range(y.shape[2]):
        for j in range(y.shape[3]):
            top, left = i * stride[0] - padding[0], j * stride[1] - padding[1]
            rows = slice(max(top, 0), min(top + kernel[0], shape[2]))
            cols = slice(max(left, 0), min(left + kernel[1], shape[3]))
            expected[:, :, rows, cols] += (gy[:, :, i, j] / divisor[:, :, i, j])[:, :, None, None]
    assert_close(x.grad, expected, rtol=1e-12, atol=1e-12)


def test_the_ceil_mode_overhang_never_counts_in_the_divisor():
    x = minigrad.arange(16.0).reshape(1, 1, 4, 4)
    assert F.avg_pool2d(x, 2, 3, ceil_mode=True).tolist() == [[[[2.5, 5.0], [12.5, 15.0]]]]
    # 6 wide, kernel 3, stride 2, padding 1: the last window covers one input column, one padding
    # column and one column past the padding, which does not count: 3 ones over 3 * 2
    y = F.avg_pool2d(minigrad.ones(1, 1, 6, 6, dtype=minigrad.float64), 3, 2, 1, ceil_mode=True)
    assert y[0, 0, 1].tolist() == [6 / 9, 1.0, 1.0, 0.5] and y[0, 0, 3, 3].item() == 0.25


MAX_PADDED_CASES = [
    # (shape, kernel, stride, padding, dilation, ceil_mode): windows that start in the padding
    ((1, 2, 5, 5), (3, 3), (2, 2), (1, 1), (1, 1), False),
    ((2, 1, 6, 5), (3, 2), (2, 1), (1, 0), (1, 1), False),  # unequal padding
    ((1, 2, 5, 6), (2, 3), (1, 2), (0, 1), (1, 1), True),  # unequal padding, ceil_mode
    ((1, 1, 7, 7), (3, 3), (2, 3), (1, 1), (2, 2), True),  # dilated: the first real tap is not tap 0
    ((1, 1, 4, 6), (2, 3), (2, 2), (1, 1), (1, 2), False),
    ((1, 1, 5, 8), (2, 3), (2, 2), (1, 1), (1, 2), True),  # dilated, and the last window hangs over
    ((2, 2, 5, 8), (2, 3), (2, 2), (1, 0), (1, 2), True),  # ... where there is no padding to the right
    ((1, 1, 8, 8), (5, 5), (2, 2), (2, 2), (1, 1), True),  # windows start up to two taps in the padding
]


@pytest.mark.parametrize("values", ["distinct", "negative", "ties", "minus infinity", "nan"])
@pytest.mark.parametrize("shape, kernel, stride, padding, dilation, ceil_mode", MAX_PADDED_CASES)
def test_max_pool2d_windows_in_the_padding_match_a_loop(
    shape, kernel, stride, padding, dilation, ceil_mode, values
):
    """Values, return_indices and the gradient; padding never wins, not even over negative values."""
    x = (ties if values == "ties" else distinct)(shape, 0)
    if values not in ("distinct", "ties"):
        array = host(x) - 20.0  # all negative: the padding must still never win
        if values == "minus infinity":  # the top rows: some windows hold nothing else
            array[..., : shape[2] // 2, :] = -np.inf
        elif values == "nan":  # every other row but its first column
            array[..., ::2, 1:] = np.nan
        x = minigrad.tensor(array, requires_grad=True)
    best, where, _, _ = loop_pool2d(host(x), kernel, stride, padding, dilation, ceil_mode)
    y, index = F.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode, return_indices=True)
    assert_close(y, best, rtol=0, atol=0, equal_nan=True)
    assert index.dtype == np.int64 and np.array_equal(index.numpy(), where)
    gy = np.random.default_rng(1).uniform(-1, 1, size=y.shape)
    y.backward(minigrad.tensor(gy))
    assert_close(x.grad, loop_max_pool2d_grad(gy, where, shape), rtol=1e-12, atol=1e-12)


def test_a_window_wholly_on_padding_gives_minus_infinity_and_no_gradient():
    x = minigrad.tensor([[[[2.0]]]], requires_grad=True)
    y = F.max_pool2d(x, (1, 2), stride=1, padding=(0, 1), dilation=(1, 2))
    assert y.tolist() == [[[[-np.inf]]]]
    y.sum().backward()
    assert x.grad.tolist() == [[[[0.0]]]]


def test_tied_gradient_goes_to_the_first_maximum_in_row_major_order():
    x = minigrad.tensor([[[[1.0, 3.0], [3.0, 3.0]]]], requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.tolist() == [[[[0.0, 1.0], [0.0, 0.0]]]]


def test_overlapping_windows_accumulate_gradients():
    x = minigrad.tensor(np.arange(9.0).reshape(1, 1, 3, 3), requires_grad=True)
    F.max_pool2d(x, 2, stride=1).sum().backward()
    assert x.grad.numpy()[0, 0].tolist() == [[0, 0, 0], [0, 1, 1], [0, 1, 1]]
    x.grad = None
    F.avg_pool2d(x, 2, stride=1).sum().backward()
    assert x.grad.numpy()[0, 0].tolist() == [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]]


def test_unbatched_input_and_dtype():
    x = minigrad.randn(3, 6, 6)
    assert F.max_pool2d(x, 2).shape == (3, 3, 3)
    assert F.avg_pool2d(x, 3, padding=1).shape == (3, 2, 2)
    assert F.max_pool2d(x, 2).dtype == F.avg_pool2d(x, 2).dtype == np.float32


def test_divisor_override():
    x = minigrad.ones(1, 1, 4, 4)
    assert_close(F.avg_pool2d(x, 2, divisor_override=2), minigrad.full((1, 1, 2, 2), 2.0))


BAD_POOL = [
    ((1, 1, 4, 4), {"kernel_size": 2, "padding": 2}, ValueError, "at most half"),
    ((1, 1, 4, 4), {"kernel_size": 5}, ValueError, "too small"),
    ((1, 1, 4, 4), {"kernel_size": 0}, ValueError, "kernel_size must be positive"),
    ((1, 1, 4, 4), {"kernel_size": 2, "stride": 0}, ValueError, "stride must be positive"),
    ((1, 1, 4, 4), {"kernel_size": 2, "padding": -1}, ValueError, "padding must be non-negative"),
    ((4, 4), {"kernel_size": 2}, ValueError, "3-D .* or 4-D"),
]


@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
@pytest.mark.parametrize("shape, kwargs, error, message", BAD_POOL)
def test_pools_reject_bad_input_clearly(pool, shape, kwargs, error, message):
    with pytest.raises(error, match=message):
        pool(minigrad.zeros(*shape), **kwargs)


def test_max_pool2d_rejects_zero_dilation():
    with pytest.raises(ValueError, match="dilation must be positive"):
        F.max_pool2d(minigrad.zeros(1, 1, 4, 4), 2, dilation=0)


def test_pooling_layers():
    x = minigrad.randn(2, 3, 7, 7)
    assert_close(nn.MaxPool2d(3, 2, 1, ceil_mode=True)(x), F.max_pool2d(x, 3, 2, 1, ceil_mode=True))
    assert_close(
        nn.AvgPool2d(2, count_include_pad=False, padding=1)(x),
        F.avg_pool2d(x, 2, padding=1, count_include_pad=False),
    )
    assert nn.MaxPool2d(2).stride == 2 and list(nn.MaxPool2d(2).parameters()) == []
    y, index = nn.MaxPool2d(2, return_indices=True)(x)
    assert index.dtype == np.int64 and index.shape == y.shape
