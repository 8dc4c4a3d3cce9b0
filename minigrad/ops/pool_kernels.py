"""Array kernels for 2-D max and average pooling on NumPy or CuPy arrays (no autograd here).

A pooling reads its input through the same *tap windows* as a convolution (``conv_kernels``):
for kernel tap ``(i, j)``, the strided view of the padded input holding that tap of every
window. The kernels copy those views once into contiguous *planes*, one per tap, and then work
plane against plane, which NumPy does much faster than on the strided views themselves.

Max pooling remembers which tap won each window as a small integer (``uint8`` for up to 127
taps): one byte per output rather than an ``int64`` index.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad.backend import get_array_module
from minigrad.ops.conv_kernels import Geometry, Pair, crop_image, pad_image, tap_windows


def _pool_windows(xpad: Any, geom: Geometry) -> Any:
    """Tap windows ``(N, C, kH, kW, Ho, Wo)`` of a pooling (geometry built with ``flat=False``)."""
    return tap_windows(xpad, geom)[:, 0]


def _first_real_tap(geom: Geometry, xp: Any) -> Any:
    """Per output position, the first tap that lies on the input rather than on the padding."""
    starts = []
    for axis in range(2):
        position = xp.arange(geom.out_hw[axis]) * geom.stride[axis] - geom.padding[2 * axis]
        step = geom.dilation[axis]
        starts.append(xp.maximum(0, (-position + step - 1) // step))
    return starts[0][:, None] * geom.kernel[1] + starts[1][None, :]


def _pool_planes(xpad: Any, geom: Geometry) -> Any:
    """Each tap's window values as one plane: a C-contiguous ``(kH * kW, N, C, Ho, Wo)`` copy."""
    xp = get_array_module(xpad)
    windows = _pool_windows(xpad, geom)
    return xp.ascontiguousarray(windows.transpose(2, 3, 0, 1, 4, 5)).reshape(
        -1, *xpad.shape[:2], *geom.out_hw
    )


def max_pool2d(x: Any, geom: Geometry) -> tuple[Any, Any]:
    """Window maxima of ``x`` and the tap holding each (a small unsigned integer), as PyTorch picks it.

    A tie goes to the first maximum in row-major window order, a window with a NaN to its last
    NaN, and a window of only -inf to its first tap on the input.
    """
    xp = get_array_module(x)
    planes = _pool_planes(pad_image(x, geom.padding, -math.inf), geom)
    taps = len(planes)
    best = planes.max(axis=0)
    # a NaN at tap t ranks taps + 1 + t, a maximum taps - t: the last NaN, else the first maximum
    rank = xp.arange(taps, dtype=np.min_scalar_type(2 * taps)).reshape(-1, 1, 1, 1, 1)
    top = (xp.isnan(planes) * (taps + 1 + rank) + (planes == best) * (taps - rank)).max(axis=0)
    index = xp.where(top > taps, top - (taps + 1), taps - top)  # small integers, as ``rank``
    if geom.padding[0] or geom.padding[2]:  # otherwise every window's first tap is on the input
        xp.copyto(index, _first_real_tap(geom, xp).astype(index.dtype), where=xp.isneginf(best))
    return best, index


def _scatter_planes(planes: Any, geom: Geometry) -> Any:
    """Adjoint of ``_pool_planes``: each tap's plane added back where its window lies, unpadded."""
    xp = get_array_module(planes)
    gxpad = xp.zeros(planes.shape[1:3] + geom.padded_hw, dtype=planes.dtype)
    windows = _pool_windows(gxpad, geom)
    for t, (i, j) in enumerate(geom.taps):
        view = windows[:, :, i, j]
        xp.add(view, planes[t], out=view)
    return crop_image(gxpad, geom)


def max_pool2d_scatter(gy: Any, index: Any, geom: Geometry) -> Any:
    """Each output's value added to the input position that its tap ``index`` names."""
    xp = get_array_module(gy)
    taps = xp.arange(len(geom.taps), dtype=index.dtype).reshape(-1, 1, 1, 1, 1)
    return _scatter_planes((index == taps) * gy, geom)


def max_pool2d_gather(gx: Any, index: Any, geom: Geometry) -> Any:
    """The value at each window's tap ``index`` (0 where that is padding): the adjoint of the scatter."""
    xp = get_array_module(gx)
    planes = _pool_planes(pad_image(gx, geom.padding), geom)
    return xp.take_along_axis(planes, index[None].astype(np.intp), axis=0)[0]


def pool_divisor(geom: Geometry, padding: Pair, count_include_pad: bool, xp: Any, dtype: Any) -> Any:
    """How many values each average-pooling window divides by, ``(Ho, Wo)``, PyTorch's rule.

    Windows are clipped to the input plus ``padding`` (the ``ceil_mode`` overhang never counts);
    without ``count_include_pad`` they are clipped to the input itself.
    """
    sizes = []
    for axis in range(2):
        start = xp.arange(geom.out_hw[axis]) * geom.stride[axis] - padding[axis]
        end = xp.minimum(start + geom.kernel[axis], geom.in_hw[axis] + padding[axis])
        if not count_include_pad:
            start, end = xp.maximum(start, 0), xp.minimum(end, geom.in_hw[axis])
        sizes.append(end - start)
    return (sizes[0][:, None] * sizes[1][None, :]).astype(dtype)


def avg_pool2d(x: Any, geom: Geometry, divisor: Any) -> Any:
    """Window sums of ``x`` (zero padded) divided by ``divisor``."""
    return _pool_planes(pad_image(x, geom.padding), geom).sum(axis=0) / divisor


def avg_pool2d_scatter(gy: Any, geom: Geometry, divisor: Any) -> Any:
    """Gradient of ``avg_pool2d``: each output's gradient, divided, goes to its whole window."""
    xp = get_array_module(gy)
    share = gy / divisor
    return _scatter_planes(xp.broadcast_to(share, (len(geom.taps), *share.shape)), geom)
