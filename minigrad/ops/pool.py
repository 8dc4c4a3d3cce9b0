"""Pooling: ``max_pool2d`` and ``avg_pool2d`` with PyTorch's arguments, ties and divisors.

Max pooling finds which tap of each window wins and takes its value (no gradient flows through
the search); each output is then its winner's input value. Both poolings are linear in the values they
route, so each backward is a scatter through the same windows, and the scatter's backward is
the pooling again (for max pooling, the gather of the same winners): every gradient stays
differentiable. The array kernels are in ``window_kernels``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad._checks import IntOrPair, is_int
from minigrad.autograd.function import Function
from minigrad.backend import get_array_module
from minigrad.ops import window_kernels as kernels
from minigrad.ops.conv import ANY_INTEGER, INT64, batched, check_dtypes, functional_pair
from minigrad.ops.registry import op
from minigrad.ops.window_kernels import Geometry
from minigrad.tensor import Tensor


class MaxPool2d(Function):
    """Max pooling: each output is its window's maximum, one input value, so the backward sends
    the gradient to that input. ``taps``, a list, receives the winning tap of each window (for
    ``return_indices``); the search for it has no gradient."""

    node_name = "MaxPool2DWithIndicesBackward0"  # PyTorch's name for this backward step

    @staticmethod
    def forward(ctx, x, geom, taps):
        values, index = kernels.max_pool2d(x.array, geom)
        taps.append(index)
        ctx.index, ctx.geom = index, geom
        return Tensor(values)

    @staticmethod
    def backward(ctx, grad):
        return MaxPoolScatter.apply(grad, ctx.index, ctx.geom), None, None


class MaxPoolScatter(Function):
    """Each output's value added to the input position its window's winning tap names."""

    @staticmethod
    def forward(ctx, g, index, geom):
        ctx.index, ctx.geom = index, geom
        return Tensor(kernels.max_pool2d_scatter(g.array, index, geom))

    @staticmethod
    def backward(ctx, grad):
        return MaxPoolGather.apply(grad, ctx.index, ctx.geom), None, None


class MaxPoolGather(Function):
    """The input value at each window's winning tap (0 for a window wholly on the padding)."""

    @staticmethod
    def forward(ctx, x, index, geom):
        ctx.index, ctx.geom = index, geom
        return Tensor(kernels.max_pool2d_gather(x.array, index, geom))

    @staticmethod
    def backward(ctx, grad):
        return MaxPoolScatter.apply(grad, ctx.index, ctx.geom), None, None


class AvgPool2d(Function):
    """Window sums divided by ``divisor`` (an array broadcasting to the output)."""

    node_name = "AvgPool2DBackward0"  # PyTorch's name for this backward step

    @staticmethod
    def forward(ctx, x, geom, divisor):
        ctx.geom, ctx.divisor = geom, divisor
        return Tensor(kernels.avg_pool2d(x.array, geom, divisor))

    @staticmethod
    def backward(ctx, grad):
        return AvgPoolScatter.apply(grad, ctx.geom, ctx.divisor), None, None


class AvgPoolScatter(Function):
    """Each output's value, divided, added to every input of its window."""

    @staticmethod
    def forward(ctx, g, geom, divisor):
        ctx.geom, ctx.divisor = geom, divisor
        return Tensor(kernels.avg_pool2d_scatter(g.array, geom, divisor))

    @staticmethod
    def backward(ctx, grad):
        return AvgPool2d.apply(grad, ctx.geom, ctx.divisor), None, None


def _pool_geometry(
    op: str, x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool
) -> tuple[Geometry, tuple[int, int]]:
    """Checked pooling geometry and the symmetric ``padding`` it was built from."""
    if min(x.shape[1:]) == 0:
        raise RuntimeError(
            f"{op}: Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
            f"got input of shape {list(x.shape)} (batched)"
        )
    kernel = functional_pair(kernel_size, "kernel_size", op, 1)
    stride = (
        kernel if stride is None or stride == [] or stride == () else functional_pair(stride, "stride", op, 1)
    )
    pads = functional_pair(padding, "padding", op, 0)
    dilation = functional_pair(dilation, "dilation", op, 1)
    if 2 * pads[0] > kernel[0] or 2 * pads[1] > kernel[1]:
        raise ValueError(
            f"{op}: padding should be at most half of kernel size, but got padding={pads} and "
            f"kernel_size={kernel}"
        )
    geom = kernels.geometry(
        x.shape[2:], kernel, stride, (pads[0], pads[0], pads[1], pads[1]), dilation, ceil_mode, flat=False
    )
    if min(geom.out_hw) < 1:
        raise ValueError(
            f"{op}: given input of shape {x.shape}, the calculated output size {geom.out_hw} is "
            f"too small (kernel_size={kernel}, stride={stride}, padding={pads}, dilation={dilation})"
        )
    return geom, pads


@op(functional=True)
def max_pool2d(
    input: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """Maximum over each window, as ``torch.nn.functional.max_pool2d`` (padding counts as -inf).

    Ties send the gradient to the first maximum in row-major window order; ``return_indices``
    also returns each maximum's flat index ``h * W + w`` in its input plane.

    >>> import minigrad
    >>> max_pool2d(minigrad.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    op = "max_pool2d"
    check_dtypes(op, ANY_INTEGER, input=input)
    x, unbatched = batched(op, input)
    geom, _ = _pool_geometry(op, x, kernel_size, stride, padding, dilation, ceil_mode)
    taps: list[Any] = []
    y = MaxPool2d.apply(x, geom, taps)
    if not return_indices:
        return y.squeeze(0) if unbatched else y
    indices = Tensor(_flat_indices(taps[0], geom))
    return (y.squeeze(0), indices.squeeze(0)) if unbatched else (y, indices)


def _flat_indices(index: Any, geom: Geometry) -> Any:
    """Winning taps as PyTorch's indices: ``h * W + w`` in each (unpadded) input plane."""
    xp = get_array_module(index)
    index = index.astype(np.int64)
    k_w = geom.kernel[1]
    rows = (
        xp.arange(geom.out_hw[0])[:, None] * geom.stride[0]
        - geom.padding[0]
        + index // k_w * geom.dilation[0]
    )
    cols = (
        xp.arange(geom.out_hw[1])[None, :] * geom.stride[1] - geom.padding[2] + index % k_w * geom.dilation[1]
    )
    return rows * geom.in_hw[1] + cols


@op(functional=True)
def avg_pool2d(
    input: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over each window, as ``torch.nn.functional.avg_pool2d``.

    ``count_include_pad`` counts the zero padding in the divisor; ``divisor_override`` replaces it.

    >>> import minigrad
    >>> avg_pool2d(minigrad.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
    """
    op = "avg_pool2d"
    check_dtypes(op, INT64, input=input)
    x, unbatched = batched(op, input)
    geom, pads = _pool_geometry(op, x, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if not is_int(divisor_override) or divisor_override == 0:
            raise ValueError(f"{op}: divisor_override must be a non-zero int, got {divisor_override!r}")
        divisor = x.xp.asarray(divisor_override, dtype=x.dtype)
    else:
        divisor = kernels.pool_divisor(geom, pads, count_include_pad, x.xp, x.dtype)
    y = AvgPool2d.apply(x, geom, divisor)
    return y.squeeze(0) if unbatched else y
