"""Edge cases of convolution, pooling, padding, linear and dropout that PyTorch's OpInfo samples
found: one-element geometry arguments, negative reflect/replicate/circular pads, integer inputs,
empty batches and zero-size dimensions. The expected values are PyTorch 2.13's."""

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.apps import chapter
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.testing import assert_close


def _randn(*shape, requires_grad=False):
    data = np.random.default_rng(sum(shape)).standard_normal(shape)
    return minigrad.tensor(data, requires_grad=requires_grad)


# ---- one-element geometry arguments ------------------------------------------------------------


def test_one_element_geometry_arguments_mean_both_sides():
    x = _randn(1, 2, 5, 5)
    w = _randn(3, 2, 3, 3)
    assert_close(F.avg_pool2d(x, (2,), (2,), (1,)), F.avg_pool2d(x, 2, 2, 1))
    assert_close(F.max_pool2d(x, (3,), (2,), (1,), (1,)), F.max_pool2d(x, 3, 2, 1, 1))
    assert_close(
        F.conv2d(x, w, stride=(2,), padding=(1,), dilation=(1,)), F.conv2d(x, w, stride=2, padding=1)
    )
    z, wt = _randn(1, 3, 3, 3), _randn(3, 2, 3, 3)
    assert_close(
        F.conv_transpose2d(z, wt, stride=(2,), padding=(1,), output_padding=(1,)),
        F.conv_transpose2d(z, wt, stride=2, padding=1, output_padding=1),
    )
    with pytest.raises(TypeError, match="padding must be an int or a pair of ints"):
        F.avg_pool2d(x, 2, padding=(1, 1, 1))


def test_avg_pool2d_takes_a_negative_divisor_override_but_not_zero():
    x = minigrad.ones(1, 1, 2, 2)
    assert F.avg_pool2d(x, 2, divisor_override=-2).tolist() == [[[[-2.0]]]]
    with pytest.raises(ValueError, match="divisor_override must be a non-zero int, got 0"):
        F.avg_pool2d(x, 2, divisor_override=0)


# ---- negative pads in every mode ------------------------------------------------------------------

# F.pad(arange(5.).reshape(1, 1, 5), amounts, mode), as PyTorch gives it
NEGATIVE_PADS = {
    "reflect": {
        (-2, 1): [2, 3, 4, 3],
        (1, -2): [1, 0, 1, 2],
        (-1, -1): [1, 2, 3],
        (3, -1): [3, 2, 1, 0, 1, 2, 3],
        (2, -4): [2, 1, 0],
    },
    "replicate": {
        (-2, 1): [2, 3, 4, 4],
        (1, -2): [0, 0, 1, 2],
        (-4, 3): [4, 4, 4, 4],
        (4, 6): [0, 0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4],
    },
    "circular": {
        (-2, 1): [2, 3, 4, 2],
        (1, -2): [2, 0, 1, 2],
        (-2, 3): [2, 3, 4, 2, 3, 4],
        (3, -1): [1, 2, 3, 0, 1, 2, 3],
    },
}


@pytest.mark.parametrize(
    "mode, amounts, expected", [(m, a, e) for m, cases in NEGATIVE_PADS.items() for a, e in cases.items()]
)
def test_negative_pads_crop_in_every_mode(mode, amounts, expected):
    x = minigrad.arange(5.0).reshape(1, 1, 5)
    assert F.pad(x, amounts, mode=mode).reshape(-1).tolist() == [float(v) for v in expected]


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_negative_pads_have_gradients_of_both_orders(mode):
    x = _randn(1, 2, 4, 5, requires_grad=True)
    assert gradcheck(lambda t: F.pad(t, (-1, 2, 1, -2), mode=mode), (x,))
    assert gradgradcheck(lambda t: F.pad(t, (-1, 2, 1, -2), mode=mode), (x,))


def test_pads_beyond_what_the_mode_can_reach_are_refused():
    x = minigrad.arange(5.0).reshape(1, 1, 5)
    with pytest.raises(
        ValueError, match=r"reflect padding \(4, 6\) of dimension 2 of size 5 must be less than"
    ):
        F.pad(x, (4, 6), mode="reflect")
    with pytest.raises(ValueError, match=r"circular padding \(2, -4\) .* at most its size after cropping, 1"):
        F.pad(x, (2, -4), mode="circular")
    with pytest.raises(RuntimeError, match="other non-zero dimensions"):
        F.pad(minigrad.zeros(2, 0, 4), (1, 1), mode="replicate")
    assert F.pad(minigrad.zeros(0, 2, 4), (1, 1), mode="reflect").shape == (0, 2, 6)


# ---- integer inputs --------------------------------------------------------------------------------


def test_integer_convolutions_are_exact_and_keep_the_dtype():
    x = minigrad.arange(-8, 8).reshape(1, 1, 4, 4)
    w = minigrad.ones(1, 1, 2, 2, dtype=minigrad.int64)
    y = F.conv2d(x, w, minigrad.tensor([1]))
    assert y.dtype == minigrad.int64
    assert y.tolist() == [[[[-21, -17, -13], [-5, -1, 3], [11, 15, 19]]]]
    up = F.conv_transpose2d(
        minigrad.tensor([[[[1, 2], [3, 4]]]]), minigrad.tensor([[[[1, 10], [100, 1000]]]])
    )
    assert up.dtype == minigrad.int64
    assert up.tolist() == [[[[1, 12, 20], [103, 1234, 2040], [300, 3400, 4000]]]]
    small = F.conv2d(x.to(minigrad.int16), w.to(minigrad.int16))
    assert small.dtype == minigrad.int16


def test_integer_pooling_truncates_averages_toward_zero():
    x = minigrad.arange(-8, 8).reshape(1, 1, 4, 4)
    mean = F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
    assert mean.dtype == minigrad.int64
    assert mean.tolist() == [[[[-5, -5, -4, -3], [-3, -3, -2, -1], [0, 1, 2, 2], [2, 3, 4, 4]]]]
    # the padding is the dtype's lowest value, and a window of only that value picks its first real tap
    low = minigrad.full((1, 1, 2, 2), -128, dtype=minigrad.int8)
    best, where = F.max_pool2d(low, 2, 1, 1, return_indices=True)
    assert best.dtype == minigrad.int8 and best.tolist() == [[[[-128] * 3] * 3]]
    assert where.tolist() == [[[[0, 0, 1], [0, 0, 1], [2, 2, 3]]]]
    assert F.max_pool2d(x.to(minigrad.uint8), 2).tolist() == [[[[253, 255], [5, 7]]]]


def test_integer_dtypes_without_a_pytorch_kernel_are_refused():
    x = minigrad.zeros(1, 1, 4, 4, dtype=minigrad.int32)
    with pytest.raises(
        TypeError, match="avg_pool2d: input must be a floating-point or int64 tensor, got dtype int32"
    ):
        F.avg_pool2d(x, 2)
    with pytest.raises(TypeError, match="conv_transpose2d: input must be a floating-point or int64 tensor"):
        F.conv_transpose2d(x, x)
    with pytest.raises(
        TypeError, match="max_pool2d: input must be a floating-point or integer tensor, got dtype bool"
    ):
        F.max_pool2d(x.bool(), 2)
    with pytest.raises(TypeError, match="input and weight must have the same dtype"):
        F.conv2d(x, x.long())


def test_the_chapters_corr2d_takes_the_textbooks_integer_tensors():
    X = minigrad.tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
    K = minigrad.tensor([[0, 1], [2, 3]])
    loop = chapter.corr2d(X, K)  # the book's loop writes into a float tensor of zeros
    assert loop.dtype == minigrad.float32 and loop.tolist() == [[19.0, 25.0], [37.0, 43.0]]
    layer = F.corr2d(X, K)  # the batched op keeps the inputs' dtype, as conv2d does
    assert layer.dtype == minigrad.int64 and layer.tolist() == [[19, 25], [37, 43]]
    assert F.convolve2d(X, K).tolist() == [[5, 11], [23, 29]]


# ---- empty batches and zero-size dimensions ------------------------------------------------------


def _shapes_of_forward_and_gradients(fn, *inputs):
    out = fn(*inputs)
    grads = minigrad.autograd.grad(out, inputs, minigrad.ones(*out.shape, dtype=out.dtype), allow_unused=True)
    return out.shape, [None if g is None else g.shape for g in grads]


@pytest.mark.parametrize(
    "fn, shapes, out",
    [
        (lambda x, w, b: F.conv2d(x, w, b, padding=1), [(0, 2, 4, 4), (3, 2, 3, 3), (3,)], (0, 3, 4, 4)),
        (lambda x, w, b: F.conv2d(x, w, b, stride=2), [(0, 2, 5, 5), (3, 2, 3, 3), (3,)], (0, 3, 2, 2)),
        (
            lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2),
            [(0, 2, 4, 4), (2, 3, 3, 3), (3,)],
            (0, 3, 9, 9),
        ),
        (lambda x: F.max_pool2d(x, 2), [(0, 2, 4, 4)], (0, 2, 2, 2)),
        (lambda x: F.avg_pool2d(x, 2, padding=1), [(0, 2, 4, 4)], (0, 2, 3, 3)),
        (lambda x, w, b: F.linear(x, w, b), [(0, 3), (4, 3), (4,)], (0, 4)),
        (lambda x, w: F.linear(x, w), [(0, 5, 3), (4, 3)], (0, 5, 4)),
        (lambda x, w, b: F.linear(x, w, b), [(2, 0), (4, 0), (4,)], (2, 4)),
        (lambda x, w, b: F.linear(x, w, b), [(2, 3), (0, 3), (0,)], (2, 0)),
        (lambda x: F.dropout(x, 0.5), [(0, 3)], (0, 3)),
        (lambda x: F.pad(x, (1, 1, 1, 1), mode="circular"), [(0, 2, 3, 4)], (0, 2, 5, 6)),
    ],
)
def test_a_batch_of_zero_goes_through_forward_and_backward(fn, shapes, out):
    inputs = [_randn(*s, requires_grad=True) for s in shapes]
    shape, grads = _shapes_of_forward_and_gradients(fn, *inputs)
    assert shape == out
    assert grads == [t.shape for t in inputs]


@pytest.mark.parametrize("groups", [1, 3])
def test_conv2d_with_no_input_channels_is_its_bias(groups):
    """A sum over no channels is zero: every output is the bias (never uninitialised memory)."""
    x = minigrad.zeros(2, 0, 4, 4, requires_grad=True)
    w = minigrad.zeros(3, 0, 3, 3, requires_grad=True)
    b = minigrad.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = F.conv2d(x, w, b, groups=groups)
    assert y.shape == (2, 3, 2, 2)
    assert_close(y, np.broadcast_to(np.array([1.0, -2.0, 3.0])[:, None, None], (2, 3, 2, 2)))
    gx, gw, gb = minigrad.autograd.grad(y.sum(), (x, w, b))
    assert gx.shape == x.shape and gw.shape == w.shape and gb.tolist() == [8.0, 8.0, 8.0]
    assert F.conv2d(x, w).abs().sum().item() == 0.0


def test_zero_size_dimensions_other_than_the_batch_are_refused_as_pytorch_does():
    with pytest.raises(RuntimeError, match="Only zero batch or zero channel inputs are supported"):
        F.conv2d(minigrad.zeros(1, 2, 0, 4), minigrad.zeros(3, 2, 1, 1), padding=1)
    with pytest.raises(RuntimeError, match="non-empty 4D weight tensor expected"):
        F.conv_transpose2d(minigrad.zeros(1, 2, 3, 3), minigrad.zeros(2, 0, 2, 2))
    with pytest.raises(RuntimeError, match="expected weight to be at least 1 at dimension 0"):
        F.conv_transpose2d(minigrad.zeros(1, 0, 3, 3), minigrad.zeros(0, 3, 2, 2))
    for pool in (F.max_pool2d, F.avg_pool2d):
        with pytest.raises(RuntimeError, match="optional 0 dim batch size"):
            pool(minigrad.zeros(2, 0, 4, 4), 2)


def test_in_place_ops_write_into_empty_tensors():
    """An empty array has no element to overlap, whatever its strides (NumPy gives it zeros)."""
    t = minigrad.Tensor(np.zeros((1, 0, 3)))
    assert t.fill_(1.0) is t and t.add_(1.0).shape == (1, 0, 3)
