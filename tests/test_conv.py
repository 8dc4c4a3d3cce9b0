"""conv2d, conv_transpose2d, pad and the convolution layers: properties, PyTorch parity, errors.

Property tests run on ``conv2d_configs()``; float64 throughout. Comparisons with PyTorch are
skipped when it is not installed; nothing else is.
"""

import contextlib
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import autograd, nn
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.ops import window_kernels
from minigrad.testing import assert_close
from minigrad.testing.conv_strategies import conv2d_configs

try:
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

FEWER = settings(max_examples=max(5, settings.default.max_examples // 2))


def random(shape, seed, requires_grad=True):
    values = np.random.default_rng(seed).uniform(-1, 1, size=shape)
    return minigrad.tensor(values, requires_grad=requires_grad)


def host(t):
    return t.detach().numpy()


def loop_conv2d(x, w, stride, padding, dilation, groups):
    """Direct reference: one dot product per output element, per group."""
    n, c, h, width = x.shape
    o, c_group, k_h, k_w = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    out_h = (h + 2 * padding[0] - dilation[0] * (k_h - 1) - 1) // stride[0] + 1
    out_w = (width + 2 * padding[1] - dilation[1] * (k_w - 1) - 1) // stride[1] + 1
    y = np.zeros((n, o, out_h, out_w))
    o_group = o // groups
    for out_channel in range(o):
        g = out_channel // o_group
        for i in range(out_h):
            for j in range(out_w):
                rows = i * stride[0] + dilation[0] * np.arange(k_h)
                cols = j * stride[1] + dilation[1] * np.arange(k_w)
                patch = xp[:, g * c_group : (g + 1) * c_group][:, :, rows][:, :, :, cols]
                y[:, out_channel, i, j] = (patch * w[out_channel]).sum(axis=(1, 2, 3))
    return y


def config_tensors(config, seed=0):
    x = random(config.input_shape, seed)
    w = random(config.weight_shape, seed + 1)
    b = random((config.out_channels,), seed + 2)
    return x, w, b


# Settings of window_kernels that send small convolutions down each plan the large ones take.
PLANS = {
    "im2col in one block": {},
    "shift": {"SHIFT_MIN_CHANNELS": 1},
    "full-correlation input gradient": {"FULL_CORRELATION_MIN_CHANNELS": 1},
    "one image and one channel per block": {"BLOCK_BYTES": 1, "MIN_BLOCK_BYTES": 1},
    "all of them": {"SHIFT_MIN_CHANNELS": 1, "FULL_CORRELATION_MIN_CHANNELS": 1, "BLOCK_BYTES": 1},
}


@contextlib.contextmanager
def plan(name):
    """A context in which ``window_kernels`` follows the plan ``name`` of ``PLANS``."""
    with pytest.MonkeyPatch.context() as patch:
        for setting, value in PLANS[name].items():
            patch.setattr(window_kernels, setting, value)
        yield


# ---- properties ------------------------------------------------------------------------------


@given(conv2d_configs())
def test_conv2d_matches_direct_loop(config):
    x, w, b = config_tensors(config)
    y = F.conv2d(x, w, b, **config.kwargs)
    expected = loop_conv2d(host(x), host(w), config.stride, config.padding, config.dilation, config.groups)
    assert y.shape == config.output_shape
    assert_close(y, expected + host(b)[None, :, None, None], rtol=1e-12, atol=1e-12)


@FEWER
@given(conv2d_configs(max_batch=1, max_extra_side=2))
def test_conv2d_gradcheck_and_gradgradcheck(config):
    x, w, b = config_tensors(config)
    conv = lambda x, w, b: F.conv2d(x, w, b, **config.kwargs)  # noqa: E731
    assert gradcheck(conv, (x, w, b))
    assert gradgradcheck(conv, (x, w, b))


@pytest.mark.parametrize("kernel, dilation", [((2, 2), (1, 1)), ((2, 3), (1, 2)), ((4, 1), (1, 1))])
def test_gradcheck_on_a_batch_with_asymmetric_same_padding(kernel, dilation):
    """Even kernels pad one more row and column at the end; batch > 1 sums the bias gradient."""
    x, w, b = random((2, 2, 3, 4), 0), random((2, 2, *kernel), 1), random((2,), 2)
    conv = lambda x, w, b: F.conv2d(x, w, b, padding="same", dilation=dilation)  # noqa: E731
    assert conv(x, w, b).shape == (2, 2, 3, 4)
    assert gradcheck(conv, (x, w, b))
    assert gradgradcheck(conv, (x, w, b))


@pytest.mark.parametrize("alone", ["x", "w", "b"])
def test_gradients_of_each_input_alone(alone):
    """Only one input requires grad: each backward computes just what is needed, to any order."""
    x, w, b = random((2, 2, 4, 4), 0), random((3, 2, 2, 2), 1), random((3,), 2)
    inputs = {name: t if name == alone else t.detach() for name, t in zip("xwb", (x, w, b))}
    conv = lambda t: F.conv2d(*(t if name == alone else inputs[name] for name in "xwb"), padding=1)  # noqa: E731
    assert gradcheck(conv, (inputs[alone],))
    assert gradgradcheck(conv, (inputs[alone],))


def test_a_gradient_penalty_differentiates_one_gradient_by_the_other_input():
    """d/dw of d(sum conv)/dx, and d/dx of d(sum conv)/dw (as in a gradient penalty)."""
    x, w = random((2, 2, 3, 3), 0), random((2, 2, 2, 2), 1)
    by_x = lambda t: autograd.grad(F.conv2d(x, t, padding=1).sum(), x, create_graph=True)[0]  # noqa: E731
    by_w = lambda t: autograd.grad(F.conv2d(t, w, padding=1).sum(), w, create_graph=True)[0]  # noqa: E731
    for penalty, wrt in ((by_x, w), (by_w, x)):
        assert gradcheck(penalty, (wrt,))
        assert gradgradcheck(penalty, (wrt,))


def test_a_group_of_128_channels_takes_the_shift_plan(conv_plans):
    x, w = random((1, 256, 3, 3), 0, requires_grad=False), random((4, 128, 2, 2), 1, requires_grad=False)
    with conv_plans() as taken:
        F.conv2d(x, w, groups=2)
        F.conv2d(x[:, :254], w[:, :127], groups=2)
    (_, _, shift), (_, _, im2col) = taken
    assert all(chunk.tap is not None for chunk in shift) and len(shift) == 4
    assert len(im2col) == 1 and im2col[0].tap is None


# ---- every kernel plan ---------------------------------------------------------------------------
# At the default thresholds every small convolution takes one plan: im2col in a single chunk over
# a single image block. Lowered thresholds send the same property tests down the other paths:
# per-tap products (shift), im2col in one-channel chunks, and one image per block.

ONE_IMAGE_BLOCKS = {"BLOCK_BYTES": 1, "MIN_BLOCK_BYTES": 1}
SPIED_PLANS = {
    "shift": ({"SHIFT_MIN_CHANNELS": 1}, True, False),
    "shift, image blocks": ({"SHIFT_MIN_CHANNELS": 1, **ONE_IMAGE_BLOCKS}, True, True),
    "im2col chunks, image blocks": (ONE_IMAGE_BLOCKS, False, True),
}
KERNEL_FUNCTIONS = {"conv2d", "conv2d_input_grad", "conv2d_weight_grad"}


def assert_plans_taken(taken, shift, blocks):
    """Forward and both gradients ran, every time with the named plan."""
    assert {caller for caller, _, _ in taken} == KERNEL_FUNCTIONS
    for _, image_blocks, chunks in taken:
        if shift:
            assert all(chunk.tap is not None for chunk in chunks), chunks
        else:
            assert len(chunks) > 1 and all(chunk.tap is None for chunk in chunks), chunks
        assert (len(image_blocks) > 1) == blocks, image_blocks


def batch_of_two_with_two_channels_per_group(max_stride):
    return conv2d_configs(max_kernel=2, max_stride=max_stride, max_extra_side=1).filter(
        lambda c: c.batch == 2 and c.in_channels // c.groups == 2
    )


@pytest.mark.parametrize("plan", SPIED_PLANS)
@settings(max_examples=max(4, settings.default.max_examples // 4))
@given(data=st.data())
def test_every_kernel_plan_matches_the_loop_and_gradchecks(plan, data, conv_plans):
    lowered, shift, blocks = SPIED_PLANS[plan]
    config = data.draw(batch_of_two_with_two_channels_per_group(1 if shift else 2), label="config")
    x, w, b = config_tensors(config)
    conv = lambda x, w, b: F.conv2d(x, w, b, **config.kwargs)  # noqa: E731
    expected = loop_conv2d(host(x), host(w), config.stride, config.padding, config.dilation, config.groups)
    with conv_plans(**lowered) as taken:
        assert_close(conv(x, w, b), expected + host(b)[None, :, None, None], rtol=1e-12, atol=1e-12)
        assert gradcheck(conv, (x, w, b))
        assert gradgradcheck(conv, (x, w, b))
    assert_plans_taken(taken, shift, blocks)


@pytest.mark.parametrize("name", list(PLANS))
@given(conv2d_configs())
def test_conv_transpose2d_is_the_adjoint_of_conv2d(name, config):
    x, w, _ = config_tensors(config)
    y = random(config.output_shape, 7)
    stride, padding, dilation, groups = config.stride, config.padding, config.dilation, config.groups
    out_h, out_w = config.output_shape[2:]
    natural = [
        (s - 1) * st_ - 2 * p + d * (k - 1) + 1
        for s, st_, p, d, k in zip((out_h, out_w), stride, padding, dilation, config.kernel_size)
    ]
    output_padding = (config.height - natural[0], config.width - natural[1])
    with plan(name):
        left = (F.conv2d(x, w, None, stride, padding, dilation, groups) * y).sum().item()
        xt = F.conv_transpose2d(y, w, None, stride, padding, output_padding, groups, dilation)
    assert xt.shape == x.shape
    assert math.isclose(left, (x * xt).sum().item(), rel_tol=1e-12, abs_tol=1e-12)


@given(conv2d_configs(max_groups=3))
def test_grouped_conv_is_the_concatenation_of_per_group_convs(config):
    x, w, _ = config_tensors(config)
    g = config.groups
    c, o = config.in_channels // g, config.out_channels // g
    kwargs = {"stride": config.stride, "padding": config.padding, "dilation": config.dilation}
    parts = [F.conv2d(x[:, k * c : (k + 1) * c], w[k * o : (k + 1) * o], **kwargs) for k in range(g)]
    assert_close(F.conv2d(x, w, groups=g, **kwargs), minigrad.cat(parts, dim=1), rtol=1e-12, atol=1e-12)


@given(conv2d_configs(max_kernel=1, max_dilation=1, max_padding=0, max_stride=1, max_groups=1))
def test_1x1_conv_is_a_matmul_over_channels(config):
    x, w, _ = config_tensors(config)
    expected = np.einsum("oc,nchw->nohw", host(w)[:, :, 0, 0], host(x))
    assert_close(F.conv2d(x, w), expected, rtol=1e-12, atol=1e-12)


@given(conv2d_configs(max_stride=1, max_padding=0), st.data())
def test_stride_1_conv_is_shift_equivariant(config, data):
    x, w, _ = config_tensors(config)
    kwargs = {"dilation": config.dilation, "groups": config.groups}
    reach = [d * (k - 1) + 1 for d, k in zip(config.dilation, config.kernel_size)]
    dy = data.draw(st.integers(0, config.height - reach[0]), label="dy")
    dx = data.draw(st.integers(0, config.width - reach[1]), label="dx")
    whole = F.conv2d(x, w, **kwargs)
    assert_close(F.conv2d(x[:, :, dy:, dx:], w, **kwargs), whole[:, :, dy:, dx:], rtol=1e-12, atol=1e-12)


@given(conv2d_configs(max_stride=1, max_padding=0), st.booleans())
def test_same_padding_keeps_the_size_and_pads_the_end(config, valid):
    x, w, _ = config_tensors(config)
    padding = "valid" if valid else "same"
    y = F.conv2d(x, w, padding=padding, dilation=config.dilation, groups=config.groups)
    if valid:
        assert_close(y, F.conv2d(x, w, dilation=config.dilation, groups=config.groups))
        return
    assert y.shape[2:] == x.shape[2:]
    total = [d * (k - 1) for d, k in zip(config.dilation, config.kernel_size)]
    explicit = F.pad(x, (total[1] // 2, total[1] - total[1] // 2, total[0] // 2, total[0] - total[0] // 2))
    assert_close(y, F.conv2d(explicit, w, dilation=config.dilation, groups=config.groups))


# ---- kernel plans ----------------------------------------------------------------------------


@FEWER
@pytest.mark.parametrize("name", [name for name, settings in PLANS.items() if settings])  # the default: above
@given(config=conv2d_configs(max_batch=1, max_group_channels=3, max_extra_side=2))
def test_every_plan_matches_the_direct_loop_and_gradchecks(name, config):
    """Forward against the loop; the three gradients and their gradients against finite differences."""
    x, w, b = config_tensors(config)
    conv = lambda x, w, b: F.conv2d(x, w, b, **config.kwargs)  # noqa: E731
    with plan(name):
        expected = loop_conv2d(
            host(x), host(w), config.stride, config.padding, config.dilation, config.groups
        )
        assert_close(conv(x, w, b), expected + host(b)[None, :, None, None], rtol=1e-12, atol=1e-12)
        assert gradcheck(conv, (x, w, b))
        assert gradgradcheck(conv, (x, w, b))


# (x shape, w shape, stride, padding, dilation, groups) that reach the plans' special paths
PLAN_CASES = [
    ((3, 4, 5, 6), (6, 2, 3, 2), (1, 1), (1, 0), (1, 2), 2),  # stride 1: the full correlation
    ((2, 3, 2, 3), (5, 3, 2, 2), (1, 1), (0, 0), (1, 1), 1),  # 2 output positions, 5 channels
    ((2, 2, 7, 7), (3, 2, 3, 3), (2, 2), (1, 1), (1, 1), 1),  # stride 2: always im2col, scatter
]


@pytest.mark.parametrize("name", list(PLANS))
@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation, groups", PLAN_CASES)
def test_every_plan_keeps_the_gradients_adjoint(name, x_shape, w_shape, stride, padding, dilation, groups):
    """With L = <conv(x, w), g>: L = <x, dL/dx> = <w, dL/dw> (both are bilinear), forward as the loop."""
    x, w = random(x_shape, 0), random(w_shape, 1)
    args = (stride, padding, dilation, groups)
    with plan(name):
        y = F.conv2d(x, w, None, *args)
        assert_close(y, loop_conv2d(host(x), host(w), *args), rtol=1e-12, atol=1e-12)
        g = random(y.shape, 2, requires_grad=False)
        (y * g).sum().backward()
        total = (y * g).sum().item()
        assert math.isclose(total, (x * x.grad).sum().item(), rel_tol=1e-12)
        assert math.isclose(total, (w * w.grad).sum().item(), rel_tol=1e-12)
        geom = window_kernels.geometry(
            x_shape[2:], w_shape[2:], stride, (padding[0],) * 2 + (padding[1],) * 2, dilation
        )
        uses_full_correlation = window_kernels._full_correlation(geom, w_shape, groups) is not None
        assert uses_full_correlation == (stride == (1, 1) and "FULL_CORRELATION_MIN_CHANNELS" in PLANS[name])
    side_by_side = geom.length < w_shape[0] // groups
    assert side_by_side == (x_shape == (2, 3, 2, 3))


# ---- PyTorch parity --------------------------------------------------------------------------


def torch_grads(fn, *arrays):
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*leaves)
    seed = np.random.default_rng(3).uniform(-1, 1, size=tuple(out.shape))
    out.backward(torch.tensor(seed))
    return out.detach().numpy(), [leaf.grad.numpy() for leaf in leaves], seed


def assert_matches_torch(ours, theirs, *tensors):
    """Forward and every gradient of ``ours`` on ``tensors`` equal PyTorch's to ~1e-10 relative."""
    expected, expected_grads, seed = torch_grads(theirs, *[host(t) for t in tensors])
    out = ours(*tensors)
    assert_close(out, expected, rtol=1e-10, atol=1e-12)
    out.backward(minigrad.tensor(seed))
    for t, g in zip(tensors, expected_grads):
        assert_close(t.grad, g, rtol=1e-10, atol=1e-12)


@pytest.mark.torch
@given(conv2d_configs(max_group_channels=3, max_kernel=4))
def test_conv2d_matches_torch(config):
    x, w, b = config_tensors(config)
    kw = config.kwargs
    assert_matches_torch(
        lambda x, w, b: F.conv2d(x, w, b, **kw),
        lambda x, w, b: torch.nn.functional.conv2d(x, w, b, **kw),
        x,
        w,
        b,
    )


@pytest.mark.torch
@given(conv2d_configs(max_group_channels=3), st.integers(0, 1), st.integers(0, 1))
def test_conv_transpose2d_matches_torch(config, extra_h, extra_w):
    stride, dilation = config.stride, config.dilation
    output_padding = tuple(min(e, max(s, d) - 1) for e, s, d in zip((extra_h, extra_w), stride, dilation))
    z = random((config.batch, config.in_channels, config.height, config.width), 0)
    w = random((config.in_channels, config.out_channels // config.groups, *config.kernel_size), 1)
    b = random((config.out_channels,), 2)
    args = (stride, config.padding, output_padding, config.groups, dilation)
    natural = [
        (s - 1) * st_ - 2 * p + d * (k - 1) + 1 + e
        for s, st_, p, d, k, e in zip(
            (config.height, config.width),
            stride,
            config.padding,
            dilation,
            config.kernel_size,
            output_padding,
        )
    ]
    if min(natural) < 1:
        return
    assert_matches_torch(
        lambda z, w, b: F.conv_transpose2d(z, w, b, *args),
        lambda z, w, b: torch.nn.functional.conv_transpose2d(z, w, b, *args),
        z,
        w,
        b,
    )


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("kernel, dilation", [((3, 4), (1, 1)), ((2, 2), (2, 3)), ((1, 5), (1, 1))])
def test_same_padding_matches_torch(kernel, dilation):
    x, w, b = random((2, 3, 7, 8), 0), random((4, 3, *kernel), 1), random((4,), 2)
    assert_matches_torch(
        lambda x, w, b: F.conv2d(x, w, b, padding="same", dilation=dilation),
        lambda x, w, b: torch.nn.functional.conv2d(x, w, b, padding="same", dilation=dilation),
        x,
        w,
        b,
    )


@pytest.mark.torch
def test_large_channel_shift_plan_in_image_blocks_matches_torch(conv_plans):
    """128 channels per group take the per-tap (shift) plan at its real threshold; a smaller block
    size splits the batch of three into image blocks."""
    x, w, b = random((3, 256, 9, 11), 0), random((36, 128, 3, 2), 1), random((36,), 2)
    with conv_plans(BLOCK_BYTES=200_000, MIN_BLOCK_BYTES=1) as taken:
        assert_matches_torch(
            lambda x, w, b: F.conv2d(x, w, b, padding=(1, 0), dilation=(2, 1), groups=2),
            lambda x, w, b: torch.nn.functional.conv2d(x, w, b, padding=(1, 0), dilation=(2, 1), groups=2),
            x,
            w,
            b,
        )
    assert_plans_taken(taken, shift=True, blocks=True)


@pytest.mark.torch
@pytest.mark.parametrize("pads, value", [((1, 2), 0.0), ((0, 1, 2, 0), 1.5), ((-1, 1, 1, -2, 1, 0), -2.0)])
def test_pad_matches_torch(pads, value):
    x = random((2, 3, 4, 5), 0)
    assert_matches_torch(
        lambda x: F.pad(x, pads, value=value), lambda x: torch.nn.functional.pad(x, pads, value=value), x
    )


# ---- behaviour -------------------------------------------------------------------------------


def test_pad_gradients_are_differentiable_twice():
    x = random((2, 3, 4), 0)
    assert gradgradcheck(lambda x: F.pad(x, (2, -1, 0, 1), value=3.0), (x,))


def test_unbatched_input_gives_unbatched_output():
    x, w = random((3, 6, 6), 0), random((4, 3, 3, 3), 1)
    y = F.conv2d(x, w, padding=1)
    assert y.shape == (4, 6, 6)
    assert_close(y, F.conv2d(x.unsqueeze(0), w, padding=1)[0])
    z = F.conv_transpose2d(y, random((4, 2, 3, 3), 2), stride=2)
    assert z.shape == (2, 13, 13)


def test_float32_stays_float32():
    x = minigrad.randn(2, 3, 5, 5, requires_grad=True)
    w = minigrad.randn(4, 3, 3, 3, requires_grad=True)
    y = F.conv2d(x, w, minigrad.zeros(4), padding=1)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == w.grad.dtype == np.float32
    assert F.conv_transpose2d(y, w).dtype == np.float32


def test_corr2d_is_the_one_channel_conv2d():
    X, K = random((5, 6), 0), random((2, 3), 1)
    assert_close(F.corr2d(X, K), F.conv2d(X.reshape(1, 1, 5, 6), K.reshape(1, 1, 2, 3))[0, 0])


# ---- errors ----------------------------------------------------------------------------------

BAD_CONV2D = [
    ({"x": (2, 5, 8, 8), "w": (4, 3, 3, 3)}, {}, ValueError, "expected input of shape"),
    ({"x": (2, 4, 8, 8), "w": (4, 3, 3, 3)}, {"groups": 2}, ValueError, "6 channels"),
    ({"x": (2, 6, 8, 8), "w": (3, 3, 3, 3)}, {"groups": 2}, ValueError, "divisible by groups"),
    ({"x": (2, 3, 2, 2), "w": (4, 3, 3, 3)}, {}, ValueError, "larger than the"),
    ({"x": (2, 3, 4, 4), "w": (4, 3, 3, 3)}, {"dilation": 2}, ValueError, "dilated kernel"),
    ({"x": (2, 3, 8, 8), "w": (4, 3, 3, 3)}, {"stride": 0}, ValueError, "stride must be positive"),
    ({"x": (2, 3, 8, 8), "w": (4, 3, 3, 3)}, {"dilation": (1, 0)}, ValueError, "dilation must be positive"),
    ({"x": (2, 3, 8, 8), "w": (4, 3, 3, 3)}, {"padding": -1}, ValueError, "padding must be non-negative"),
    ({"x": (2, 3, 8, 8), "w": (4, 3, 3, 3)}, {"padding": "same", "stride": 2}, ValueError, "strided"),
    ({"x": (2, 3, 8, 8), "w": (4, 3, 3, 3)}, {"padding": "full"}, ValueError, "'same', 'valid'"),
    ({"x": (2, 3, 8, 8), "w": (4, 3, 3, 3)}, {"groups": 0}, ValueError, "groups must be a positive"),
    ({"x": (2, 3, 8, 8), "w": (4, 3, 3, 3)}, {"stride": (1, 2, 3)}, TypeError, "pair of ints"),
    ({"x": (3, 8), "w": (4, 3, 3, 3)}, {}, ValueError, "3-D .* or 4-D"),
    ({"x": (2, 3, 8, 8), "w": (4, 3, 3)}, {}, ValueError, "weight must be 4-D"),
    ({"x": (2, 3, 8, 8), "w": (4, 3, 3, 3), "b": (3,)}, {}, ValueError, r"bias must have shape \(4,\)"),
]


@pytest.mark.parametrize("shapes, kwargs, error, message", BAD_CONV2D)
def test_conv2d_rejects_bad_input_clearly(shapes, kwargs, error, message):
    x, w = minigrad.zeros(*shapes["x"]), minigrad.zeros(*shapes["w"])
    b = minigrad.zeros(*shapes["b"]) if "b" in shapes else None
    with pytest.raises(error, match=message):
        F.conv2d(x, w, b, **kwargs)


def test_conv2d_rejects_mixed_or_integer_dtypes():
    with pytest.raises(TypeError, match="dtype"):
        F.conv2d(minigrad.zeros(1, 1, 3, 3), minigrad.zeros(1, 1, 2, 2, dtype=minigrad.float64))
    with pytest.raises(TypeError, match="floating-point"):
        F.conv2d(minigrad.zeros(1, 1, 3, 3, dtype=minigrad.int64), minigrad.zeros(1, 1, 2, 2))


def test_conv_transpose2d_rejects_bad_input_clearly():
    z, w = minigrad.zeros(1, 4, 3, 3), minigrad.zeros(4, 2, 3, 3)
    with pytest.raises(ValueError, match="output_padding"):
        F.conv_transpose2d(z, w, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="expected input of shape .* to have 4 channels"):
        F.conv_transpose2d(minigrad.zeros(1, 3, 3, 3), w)
    with pytest.raises(ValueError, match="output size"):
        F.conv_transpose2d(minigrad.zeros(1, 4, 1, 1), w, padding=2)
    with pytest.raises(ValueError, match="padding must be non-negative"):
        F.conv_transpose2d(z, w, padding=-1)


def test_pad_rejects_bad_input_clearly():
    x = minigrad.zeros(2, 3)
    with pytest.raises(ValueError, match="divisible by 2"):
        F.pad(x, (1, 2, 3))
    with pytest.raises(ValueError, match="too large"):
        F.pad(x, (1, 1, 1, 1, 1, 1))
    with pytest.raises(ValueError, match="negative size"):
        F.pad(x, (-2, -2))
    with pytest.raises(ValueError, match="mode must be"):
        F.pad(x, (1, 1), mode="symmetric")


# ---- layers ----------------------------------------------------------------------------------


def test_conv2d_layer_shapes_names_and_init_bounds():
    minigrad.manual_seed(0)
    layer = nn.Conv2d(6, 8, (3, 5), stride=2, padding=1, groups=2)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert layer.weight.shape == (8, 3, 3, 5) and layer.bias.shape == (8,)
    bound = 1 / math.sqrt(3 * 3 * 5)
    for p in (layer.weight, layer.bias):
        assert np.abs(host(p)).max() <= bound
    assert np.abs(host(layer.weight)).max() > 0.8 * bound
    assert nn.Conv2d(3, 4, 3, bias=False).bias is None


def test_layer_init_is_reproducible_with_manual_seed():
    minigrad.manual_seed(5)
    first = host(nn.Conv2d(3, 4, 3).weight).copy()
    minigrad.manual_seed(5)
    layer = nn.Conv2d(3, 4, 3)
    assert np.array_equal(first, host(layer.weight))
    layer.reset_parameters()
    assert not np.array_equal(first, host(layer.weight))


def test_conv_transpose2d_layer_shapes_and_output_size():
    layer = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2)
    assert layer.weight.shape == (4, 3, 3, 3) and layer.bias.shape == (6,)
    x = minigrad.zeros(1, 4, 5, 5)
    assert layer(x).shape == (1, 6, 9, 9)
    assert layer(x, output_size=(10, 10)).shape == (1, 6, 10, 10)
    with pytest.raises(ValueError, match="output_size"):
        layer(x, output_size=(12, 12))


def test_layer_arguments_are_checked():
    with pytest.raises(ValueError, match="in_channels=3 must be divisible by groups=2"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="strided"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(3, 4, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="padding_mode"):
        nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="kernel_size must be positive"):
        nn.ConvTranspose2d(3, 4, 0)


@pytest.mark.torch
def test_conv_layers_load_into_torch_and_agree():
    minigrad.manual_seed(1)
    for ours, theirs in [
        (
            nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2, dtype=minigrad.float64),
            torch.nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2, dtype=torch.float64),
        ),
        (
            nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, dtype=minigrad.float64),
            torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, dtype=torch.float64),
        ),
    ]:
        state = {k: torch.tensor(host(v)) for k, v in ours.state_dict().items()}
        theirs.load_state_dict(state)
        x = random((2, 4, 7, 7), 0, requires_grad=False)
        assert_close(ours(x), theirs(torch.tensor(host(x))).detach().numpy(), rtol=1e-12, atol=1e-12)
