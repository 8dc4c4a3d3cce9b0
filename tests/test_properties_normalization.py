"""Property tests of the normalization, embedding, adaptive and 1-d pooling, conv1d, resize and
channel-dropout ops: gradcheck and gradgradcheck on hypothesis-drawn inputs, with a few
identities each op must satisfy (a normalized channel has mean 0, a pooled window holds its
maximum, an upsampled image averages back to the original)."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_properties_ops import call_functional, check, distinct_tensors

import minigrad
import minigrad.nn.functional as F
from minigrad.testing import assert_close

FEW = settings(max_examples=10)
SIDE = st.integers(1, 3)


def leaves(draw, *shapes, **kwargs):
    return draw(distinct_tensors(shapes, **kwargs))


@st.composite
def batch_norm_args(draw):
    """Training on a batch of (N, C, *) with more than one value per channel, or evaluation."""
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 2)), *draw(st.lists(SIDE, max_size=1)))
    training = draw(st.booleans()) and np.prod(shape) // shape[1] > 1
    x, w, b = leaves(draw, shape, shape[1:2], shape[1:2], max_value=2.0)
    kwargs = {"training": training, "eps": draw(st.sampled_from([1e-5, 0.1]))}
    if training:
        return (x, w, b), kwargs
    mean = minigrad.tensor(draw(hnp.arrays(np.float64, shape[1:2], elements=st.floats(-1, 1))))
    var = minigrad.tensor(draw(hnp.arrays(np.float64, shape[1:2], elements=st.floats(0.5, 2))))
    return (x, w, b), {**kwargs, "running_mean": mean, "running_var": var}


def batch_norm(x, weight, bias, running_mean=None, running_var=None, **kwargs):
    return F.batch_norm(x, running_mean, running_var, weight, bias, **kwargs)


@st.composite
def layer_norm_args(draw):
    shape = tuple(draw(st.lists(SIDE, min_size=1, max_size=2)))
    normalized = shape[len(shape) - draw(st.integers(1, len(shape))) :]
    x, w, b = leaves(draw, shape, normalized, normalized, max_value=2.0)
    return (x, w, b), {"normalized_shape": normalized}


def layer_norm(x, weight, bias, normalized_shape):
    return F.layer_norm(x, normalized_shape, weight, bias)


@st.composite
def group_norm_args(draw):
    groups = draw(st.integers(1, 2))
    shape = (draw(st.integers(1, 2)), groups * draw(st.integers(1, 2)), *draw(st.lists(SIDE, max_size=1)))
    assume(np.prod(shape) <= 8)
    x, w, b = leaves(draw, shape, shape[1:2], shape[1:2], max_value=2.0)
    return (x, w, b), {"num_groups": groups}


def group_norm(x, weight, bias, num_groups):
    return F.group_norm(x, num_groups, weight, bias)


@st.composite
def embedding_args(draw):
    rows, dim = draw(st.integers(1, 4)), draw(SIDE)
    index = draw(hnp.arrays(np.int64, draw(st.lists(SIDE, max_size=2)), elements=st.integers(0, rows - 1)))
    # padding_idx and scale_grad_by_freq change the gradient on purpose: test_nn_layers checks them
    return leaves(draw, (rows, dim)), {"input": minigrad.tensor(index)}


def embedding(weight, input, **kwargs):
    return F.embedding(input, weight, **kwargs)


@st.composite
def adaptive_args(draw, dims):
    """(N, C, *sides) with output sizes that divide the sides or not, ``None`` included."""
    sides = [draw(st.integers(1, 4)) for _ in range(dims)]
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *sides)
    size = [draw(st.one_of(st.none(), st.integers(1, 4))) for _ in range(dims)] if dims == 2 else draw(SIDE)
    return leaves(draw, shape), {"output_size": size}


@st.composite
def pool1d_args(draw, average):
    kernel, stride = draw(SIDE), draw(st.integers(1, 2))
    padding = draw(st.integers(0, kernel // 2))
    shape = (*draw(st.sampled_from([(), (2,)])), draw(st.integers(1, 2)), kernel + draw(st.integers(0, 2)))
    kwargs = {"kernel_size": kernel, "stride": stride, "padding": padding, "ceil_mode": draw(st.booleans())}
    if average:
        kwargs["count_include_pad"] = draw(st.booleans())
    return leaves(draw, shape), kwargs


@st.composite
def conv1d_args(draw):
    groups = draw(st.integers(1, 2))
    c_in, c_out, k = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2)), draw(SIDE)
    stride, dilation, padding = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(0, 1))
    length = dilation * (k - 1) + 1 - 2 * padding + draw(st.integers(0, 2))
    shape = (draw(st.integers(1, 2)), c_in, max(length, 1))
    x, w, b = leaves(draw, shape, (c_out, c_in // groups, k), (c_out,), max_value=2.0)
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    return (x, w, b), kwargs


@st.composite
def interpolate_args(draw):
    mode = draw(st.sampled_from(["nearest", "nearest-exact", "bilinear", "linear", "area"]))
    dims = 1 if mode == "linear" else 2 if mode == "bilinear" else draw(st.integers(1, 2))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *(draw(SIDE) for _ in range(dims)))
    kwargs = {"mode": mode}
    if draw(st.booleans()):
        kwargs["size"] = tuple(draw(st.integers(1, 4)) for _ in range(dims))
    else:
        kwargs["scale_factor"] = draw(st.sampled_from([1.5, 2, 2.5]))
    if mode in ("linear", "bilinear"):
        kwargs["align_corners"] = draw(st.booleans())
    return leaves(draw, shape), kwargs


@st.composite
def channel_dropout_args(draw, spatial):
    shape = (
        draw(st.integers(1, 2)),
        draw(st.integers(1, 2)),
        *(draw(st.integers(1, 2)) for _ in range(spatial)),
    )
    return leaves(draw, shape), {"p": draw(st.sampled_from([0.25, 0.5])), "seed": draw(st.integers(0, 9))}


# spelling: (strategy of (args, kwargs), the call); the call is the op itself unless the op's
# differentiable inputs are not its first arguments
FUNCTIONAL = {
    "F.batch_norm": (batch_norm_args(), batch_norm),
    "F.layer_norm": (layer_norm_args(), layer_norm),
    "F.group_norm": (group_norm_args(), group_norm),
    "F.embedding": (embedding_args(), embedding),
    "F.adaptive_avg_pool2d": (adaptive_args(2), None),
    "F.adaptive_max_pool2d": (adaptive_args(2), None),
    "F.adaptive_avg_pool1d": (adaptive_args(1), None),
    "F.adaptive_max_pool1d": (adaptive_args(1), None),
    "F.max_pool1d": (pool1d_args(average=False), None),
    "F.avg_pool1d": (pool1d_args(average=True), None),
    "F.conv1d": (conv1d_args(), None),
    "F.interpolate": (interpolate_args(), None),
    "F.dropout1d": (channel_dropout_args(1), None),
    "F.dropout2d": (channel_dropout_args(2), None),
    "F.dropout3d": (channel_dropout_args(3), None),
}


@FEW
@pytest.mark.parametrize("name", FUNCTIONAL)
@given(data=st.data())
def test_functional_ops(name, data):
    strategy, call = FUNCTIONAL[name]
    args, kwargs = data.draw(strategy)
    if call is None:
        check(call_functional(name, kwargs), *args)
    else:
        check(lambda *xs: call(*xs, **kwargs), *args)


@FEW
@given(data=st.data())
def test_batch_normalized_channels_have_mean_zero_and_variance_one(data):
    shape = (data.draw(st.integers(2, 3)), data.draw(SIDE), *data.draw(st.lists(SIDE, max_size=2)))
    (x,) = leaves(data.draw, shape)
    y = F.batch_norm(x, None, None, training=True, eps=0.0).detach().numpy()
    dims = (0, *range(2, x.ndim))
    assert_close(y.mean(axis=dims), np.zeros(x.shape[1]), atol=1e-12, rtol=0)
    assert_close(y.var(axis=dims), np.ones(x.shape[1]), atol=1e-9, rtol=0)


@FEW
@given(data=st.data())
def test_adaptive_max_holds_each_window_maximum_and_its_index(data):
    (x,), kwargs = data.draw(adaptive_args(2))
    values, indices = F.adaptive_max_pool2d(x, kwargs["output_size"], return_indices=True)
    planes = x.detach().numpy().reshape(*x.shape[:2], -1)
    taken = np.take_along_axis(planes, indices.numpy().reshape(*x.shape[:2], -1), axis=-1)
    assert_close(values.detach().numpy().reshape(taken.shape), taken, rtol=0, atol=0)


@FEW
@given(data=st.data(), factor=st.integers(1, 3))
def test_nearest_upsampling_by_an_integer_averages_back(data, factor):
    (x,) = data.draw(distinct_tensors([(1, 2, data.draw(SIDE), data.draw(SIDE))]))
    up = F.interpolate(x, scale_factor=factor)
    assert up.shape == (1, 2, x.shape[2] * factor, x.shape[3] * factor)
    assert_close(F.avg_pool2d(up, factor), x.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert_close(F.adaptive_avg_pool2d(up, x.shape[2:]), x.detach().numpy(), rtol=1e-12, atol=1e-12)


TABLES = [FUNCTIONAL]
