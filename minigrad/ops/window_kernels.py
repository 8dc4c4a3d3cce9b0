"""The window kernels: 2-D convolution, pooling and padding on NumPy or CuPy arrays (no autograd here).

Every kernel sees its input through *tap windows*: for kernel tap ``(i, j)`` the strided view
of the padded input that this tap multiplies, one element per output position. A convolution
is a sum over taps of matrix products with the weight; its two gradients are the same products
with the operands exchanged, the input gradient scattered back through the windows.

Stride 1 uses the *flat* layout: a padded image is one long row of ``Hp * Wp`` values, so a
tap's window is a contiguous slice and needs no copy. Output rows are then computed ``Wp`` wide
and the ``Wp - Wo`` columns that wrap around the image edge are dropped at the end.

Two plans share this code (see ``_plan``):

* *shift*: one matrix product per tap, straight on the slices (stride 1, many channels). Nine
  products with ``K = C`` keep BLAS busy and copy nothing, so memory stays near the input size.
* *im2col*: the windows of all taps are copied into one column matrix, in chunks of input
  channels, so that few channels (or stride > 1) still make one product with ``K = C kH kW``.

Both run over *image blocks*: each block is padded, multiplied and written out in turn, so that
every temporary (a padded copy, a column matrix, a partial sum) is a block's, not the batch's.
A block holds about twice the convolution's own input and output in operands, but at least
``MIN_BLOCK_BYTES`` (fewer, smaller products cost time) and at most ``BLOCK_BYTES``: the peak
memory of a convolution stays near its inputs and outputs. The loops run over blocks and taps,
never over pixels.

The input gradient at stride 1 with many channels is itself a convolution, the *full
correlation* of the output gradient with the flipped weight (``_full_correlation``): that
replaces the scatter through the windows, one pass per tap, with the forward's products. The
weight gradient sums per-image products; for images with fewer output positions than output
channels it makes one product over the block's images side by side instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from minigrad._checks import Pair, out_size
from minigrad.backend import get_array_module

Padding = tuple[int, int, int, int]  # top, bottom, left, right

SHIFT_MIN_CHANNELS = 128  # per group: from here per-tap products match im2col and copy nothing (measured)
FULL_CORRELATION_MIN_CHANNELS = 32  # per group, in and out: from here the input gradient is a conv2d
BLOCK_BYTES = 4 << 20  # operands of one image block, and so the size of its temporaries, at most
MIN_BLOCK_BYTES = 512 << 10  # ... and at least; in between, twice the convolution's input and output


@dataclass(frozen=True)
class Geometry:
    """Where a ``kernel`` sits on a padded ``in_hw`` input for each position of ``out_hw``."""

    in_hw: Pair
    kernel: Pair
    stride: Pair
    padding: Padding
    dilation: Pair
    out_hw: Pair
    flat: bool

    @property
    def padded_hw(self) -> Pair:
        top, bottom, left, right = self.padding
        return self.in_hw[0] + top + bottom, self.in_hw[1] + left + right

    @property
    def taps(self) -> list[Pair]:
        """Kernel positions in row-major order."""
        return [(i, j) for i in range(self.kernel[0]) for j in range(self.kernel[1])]

    @property
    def row_len(self) -> int:
        """Columns per output row as computed: the padded width in the flat layout."""
        return self.padded_hw[1] if self.flat else self.out_hw[1]

    @property
    def length(self) -> int:
        """Output positions as computed: up to the last real one in the flat layout."""
        return (self.out_hw[0] - 1) * self.row_len + self.out_hw[1]


def geometry(
    in_hw: Pair,
    kernel: Pair,
    stride: Pair,
    padding: Padding,
    dilation: Pair,
    ceil_mode: bool = False,
    flat: bool | None = None,
) -> Geometry:
    """The geometry of a convolution or pooling; ``ceil_mode`` pads the bottom and right as needed.

    ``flat`` (the default for stride 1) chooses the flat layout described in the module docstring.
    """
    top, bottom, left, right = padding
    out_h = out_size(in_hw[0], kernel[0], stride[0], (top, bottom), dilation[0], ceil_mode)
    out_w = out_size(in_hw[1], kernel[1], stride[1], (left, right), dilation[1], ceil_mode)
    reach_h = (out_h - 1) * stride[0] + dilation[0] * (kernel[0] - 1) + 1
    reach_w = (out_w - 1) * stride[1] + dilation[1] * (kernel[1] - 1) + 1
    bottom = max(bottom, reach_h - in_hw[0] - top)
    right = max(right, reach_w - in_hw[1] - left)
    flat = stride == (1, 1) if flat is None else flat
    return Geometry(in_hw, kernel, stride, (top, bottom, left, right), dilation, (out_h, out_w), flat)


# ---- windows ---------------------------------------------------------------------------------


def pad_image(x: Any, padding: Padding, value: float = 0.0) -> Any:
    """A C-contiguous copy of ``x`` (N, C, H, W) with ``padding`` rows and columns of ``value``."""
    xp = get_array_module(x)
    top, bottom, left, right = padding
    if padding == (0, 0, 0, 0):
        return xp.ascontiguousarray(x)
    n, c, h, w = x.shape
    out = xp.full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
    out[:, :, top : top + h, left : left + w] = x
    return out


def crop_image(xpad: Any, geom: Geometry, out: Any = None) -> Any:
    """The unpadded ``in_hw`` part of a padded image, as a C-contiguous array (or written to ``out``)."""
    xp = get_array_module(xpad)
    top, _, left, _ = geom.padding
    h, w = geom.in_hw
    part = xpad[:, :, top : top + h, left : left + w]
    if out is None:
        return xp.ascontiguousarray(part)
    out[...] = part
    return out


def tap_windows(xpad: Any, geom: Geometry, groups: int = 1) -> Any:
    """The view ``(N, groups, C/groups, kH, kW, *grid)`` of what each kernel tap multiplies.

    ``grid`` is ``(length,)`` in the flat layout and ``out_hw`` otherwise. The view overlaps
    itself; one tap's slice ``[:, :, :, i, j]`` does not, so it may be written (scatter).
    """
    xp = get_array_module(xpad)
    n, c, _, _ = xpad.shape
    s_n, s_c, s_h, s_w = xpad.strides
    shape = (n, groups, c // groups, *geom.kernel)
    strides = (s_n, s_c * (c // groups), s_c, geom.dilation[0] * s_h, geom.dilation[1] * s_w)
    if geom.flat:
        shape, strides = shape + (geom.length,), strides + (s_w,)
    else:
        shape = shape + geom.out_hw
        strides = strides + (geom.stride[0] * s_h, geom.stride[1] * s_w)
    return xp.lib.stride_tricks.as_strided(xpad, shape, strides)


def output_grid(y: Any, geom: Geometry, groups: int, side_by_side: bool = False) -> Any:
    """An output-shaped array (n, O, Ho, Wo) laid out as the products' columns: ``(n, groups,
    O/groups, length)``, or ``side_by_side``, ``(groups, O/groups, n * length)``.

    In the flat layout the wrapped-around columns are zeros, so that scattering the grid back
    through the windows adds nothing where no output exists.
    """
    xp = get_array_module(y)
    n, o, h, w = y.shape
    shape = (groups, o // groups, n) if side_by_side else (n, groups, o // groups)
    grid = (xp.zeros if geom.length != h * w else xp.empty)((*shape, geom.length), dtype=y.dtype)
    values = y.reshape(n, groups, o // groups, h, w)
    # output (i, j) of an image is column i * row_len + j of its grid row
    step = grid.strides[3]
    view = xp.lib.stride_tricks.as_strided(
        grid, (*shape, h, w), (*grid.strides[:3], geom.row_len * step, step)
    )
    view[...] = xp.moveaxis(values, 0, 2) if side_by_side else values
    return grid.reshape(groups, o // groups, -1) if side_by_side else grid


def grid_into(out: Any, grid: Any, geom: Geometry, bias: Any = None) -> None:
    """Write a computed ``(n, g, O/g, Ho * row_len)`` grid into ``out`` (n, O, Ho, Wo), plus ``bias``."""
    n, g, o, _ = grid.shape
    out[...] = grid.reshape(n, g * o, geom.out_hw[0], geom.row_len)[..., : geom.out_hw[1]]
    if bias is not None:
        out += bias.reshape(1, -1, 1, 1)  # on the contiguous copy: much faster than with it


# ---- the plan: which matrix products, in which blocks ---------------------------------------


@dataclass(frozen=True)
class Chunk:
    """One matrix product: input ``channels`` of every group, at one ``tap`` or all taps (None)."""

    channels: slice
    tap: Pair | None


def _plan(
    geom: Geometry, n: int, c_group: int, o_group: int, groups: int, itemsize: int, products: bool = False
) -> tuple[list[slice], list[Chunk]]:
    """Image blocks and product chunks for a convolution of ``n`` images (see module docstring).

    With ``products``, each image's ``(K, O/g)`` product (the weight gradient's, summed over the
    block afterwards) counts towards the block's size too.
    """
    taps = len(geom.taps)
    grid = geom.length
    operands = n * groups * (c_group * math.prod(geom.in_hw) + o_group * math.prod(geom.out_hw)) * itemsize
    budget = min(BLOCK_BYTES, max(MIN_BLOCK_BYTES, 2 * operands))
    if geom.flat and c_group >= SHIFT_MIN_CHANNELS:
        chunks = [Chunk(slice(None), tap) for tap in geom.taps]
        rows = c_group
    else:
        step = max(1, min(c_group, budget // (groups * taps * grid * itemsize)))
        chunks = [Chunk(slice(c, min(c + step, c_group)), None) for c in range(0, c_group, step)]
        rows = step * taps
    per_image = groups * ((rows + o_group) * grid + (rows * o_group if products else 0)) * itemsize
    size = max(1, min(n, budget // per_image))
    return [slice(i, min(i + size, n)) for i in range(0, n, size)], chunks


def _columns(windows: Any, chunk: Chunk, side_by_side: bool = False) -> Any:
    """The ``(n, g, K, length)`` operand of one chunk: a view for one tap, else a copy (im2col).

    ``side_by_side`` gives instead a ``(g, K, n * length)`` copy, the images' columns next to
    each other, for one product over all of them.
    """
    xp = get_array_module(windows)
    if chunk.tap is not None:
        part = windows[:, :, :, chunk.tap[0], chunk.tap[1]]
        if not side_by_side:
            return part
    else:
        part = windows[:, :, chunk.channels]
    grid_dims = windows.ndim - 5
    if side_by_side:
        cols = xp.ascontiguousarray(xp.moveaxis(part, 0, part.ndim - 1 - grid_dims))
        return cols.reshape(cols.shape[0], -1, math.prod(cols.shape[-1 - grid_dims :]))
    cols = xp.ascontiguousarray(part)
    return cols.reshape(*cols.shape[:2], -1, math.prod(cols.shape[-grid_dims:]))


def _weights(w: Any, chunk: Chunk, groups: int) -> Any:
    """The ``(g, O/g, K)`` weight matrix of one chunk, matching ``_columns``."""
    xp = get_array_module(w)
    o, c_group, k_h, k_w = w.shape
    w = w.reshape(groups, o // groups, c_group, k_h, k_w)
    if chunk.tap is not None:
        return xp.ascontiguousarray(w[:, :, :, chunk.tap[0], chunk.tap[1]])
    return w[:, :, chunk.channels].reshape(groups, o // groups, -1)


def _scatter(windows: Any, chunk: Chunk, values: Any) -> None:
    """Add a chunk's ``(n, g, K, length)`` values back through the windows they came from."""
    xp = get_array_module(windows)
    if chunk.tap is not None:
        view = windows[:, :, :, chunk.tap[0], chunk.tap[1]]
        xp.add(view, values, out=view)
        return
    parts = values.reshape(windows[:, :, chunk.channels].shape)
    for i in range(parts.shape[3]):
        for j in range(parts.shape[4]):
            view = windows[:, :, chunk.channels, i, j]
            xp.add(view, parts[:, :, :, i, j], out=view)


# ---- convolution -----------------------------------------------------------------------------


def conv2d(x: Any, w: Any, geom: Geometry, groups: int, bias: Any = None) -> Any:
    """Cross-correlate ``x`` (N, C, H, W) with ``w`` (O, C/groups, kH, kW), plus ``bias``: (N, O, Ho, Wo)."""
    xp = get_array_module(x)
    n, o = x.shape[0], w.shape[0]
    blocks, chunks = _plan(geom, n, w.shape[1], o // groups, groups, x.dtype.itemsize)
    weights = [_weights(w, chunk, groups) for chunk in chunks]
    y = xp.empty((n, o, *geom.out_hw), dtype=x.dtype)
    for block in blocks:
        windows = tap_windows(pad_image(x[block], geom.padding), geom, groups)
        # with no input channels there are no products: the output is the bias alone
        new = xp.empty if chunks else xp.zeros
        grid = new((len(windows), groups, o // groups, geom.out_hw[0] * geom.row_len), dtype=x.dtype)
        out = grid[..., : geom.length]
        for k, chunk in enumerate(chunks):
            product = xp.matmul(weights[k], _columns(windows, chunk), out=None if k else out)
            if k:
                out += product
        grid_into(y[block], grid, geom, bias)
    return y


def conv2d_input_grad(gy: Any, w: Any, geom: Geometry, groups: int) -> Any:
    """Gradient of ``conv2d`` with respect to its input; also the transposed convolution of ``gy``.

    At stride 1 with many channels it is the *full correlation* of ``gy`` with the flipped,
    transposed weight, a ``conv2d`` (see ``_full_correlation``); otherwise the products of the
    weight with ``gy`` are scattered back through the windows.
    """
    full = _full_correlation(geom, w.shape, groups)
    if full is not None:
        return conv2d(gy, _flipped(w, groups), full, groups)
    xp = get_array_module(gy)
    n = gy.shape[0]
    c = w.shape[1] * groups
    blocks, chunks = _plan(geom, n, w.shape[1], w.shape[0] // groups, groups, gy.dtype.itemsize)
    weights = [_weights(w, chunk, groups).swapaxes(-1, -2) for chunk in chunks]
    gx = xp.empty((n, c, *geom.in_hw), dtype=gy.dtype)
    for block in blocks:
        gxpad = xp.zeros((len(gx[block]), c, *geom.padded_hw), dtype=gy.dtype)
        windows = tap_windows(gxpad, geom, groups)
        grid = output_grid(gy[block], geom, groups)
        for chunk, weight in zip(chunks, weights):
            _scatter(windows, chunk, xp.matmul(weight, grid))
        crop_image(gxpad, geom, out=gx[block])
    return gx


def _full_correlation(geom: Geometry, w_shape: tuple, groups: int) -> Geometry | None:
    """The geometry of the input gradient as a full correlation, where that is the faster plan.

    With stride 1, ``gx[r] = sum_i gy[r + top - i d] w[i]``: a stride-1 correlation of ``gy``,
    padded by ``(k - 1) d - top`` before and ``H + top - Ho`` after, with the flipped kernel.
    It pays from ``FULL_CORRELATION_MIN_CHANNELS`` input and output channels per group (fewer
    make it a product with a short inner dimension); a padding wider than the kernel's reach
    (a negative padding here) keeps the scatter.
    """
    o, c_group = w_shape[:2]
    if geom.stride != (1, 1) or min(c_group, o // groups) < FULL_CORRELATION_MIN_CHANNELS:
        return None
    top, _, left, _ = geom.padding
    reach = [d * (k - 1) for d, k in zip(geom.dilation, geom.kernel)]
    pads = (
        reach[0] - top,
        geom.in_hw[0] + top - geom.out_hw[0],
        reach[1] - left,
        geom.in_hw[1] + left - geom.out_hw[1],
    )
    if min(pads) < 0:
        return None
    return geometry(geom.out_hw, geom.kernel, (1, 1), pads, geom.dilation)


def _flipped(w: Any, groups: int) -> Any:
    """The weight of the full correlation: each group's (O/g, C/g) transposed, kernels flipped."""
    o, c_group, k_h, k_w = w.shape
    per_group = w.reshape(groups, o // groups, c_group, k_h, k_w)[..., ::-1, ::-1]
    return per_group.transpose(0, 2, 1, 3, 4).reshape(groups * c_group, o // groups, k_h, k_w)


def conv2d_weight_grad(x: Any, gy: Any, geom: Geometry, groups: int) -> Any:
    """Gradient of ``conv2d`` with respect to its weight: (O, C/groups, kH, kW).

    Per image, the product of its columns with its output gradient, summed over the images of a
    block; when an image has fewer output positions than there are output channels, those
    products would outweigh the columns, and one product runs over the block's images side by
    side instead.
    """
    xp = get_array_module(x)
    n, c = x.shape[:2]
    o = gy.shape[1]
    c_group = c // groups
    gw = xp.zeros((groups, o // groups, c_group, *geom.kernel), dtype=x.dtype)
    side_by_side = geom.length < o // groups
    blocks, chunks = _plan(geom, n, c_group, o // groups, groups, x.dtype.itemsize, products=not side_by_side)
    for block in blocks:
        windows = tap_windows(pad_image(x[block], geom.padding), geom, groups)
        grid = output_grid(gy[block], geom, groups, side_by_side)
        for chunk in chunks:
            if side_by_side:
                part = xp.matmul(grid, _columns(windows, chunk, True).swapaxes(-1, -2))
            else:  # (columns @ grid^T)^T: the same product, but BLAS runs this order faster on few channels
                part = xp.matmul(_columns(windows, chunk), grid.swapaxes(-1, -2)).sum(axis=0).swapaxes(-1, -2)
            if chunk.tap is None:
                gw[:, :, chunk.channels] += part.reshape(gw[:, :, chunk.channels].shape)
            else:
                gw[:, :, :, chunk.tap[0], chunk.tap[1]] += part
    return gw.reshape(o, c_group, *geom.kernel)


# ---- pooling -------------------------------------------------------------------------------
# Array kernels for 2-D max and average pooling on NumPy or CuPy arrays (no autograd here).
#
# A pooling reads its input through the same *tap windows* as a convolution (above):
# for kernel tap ``(i, j)``, the strided view of the padded input holding that tap of every
# window. The kernels copy those views once into contiguous *planes*, one per tap, and then work
# plane against plane, which NumPy does much faster than on the strided views themselves.
#
# Max pooling remembers which tap won each window as a small integer (``uint8`` for up to 127
# taps): one byte per output rather than an ``int64`` index.


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
        len(geom.taps), *xpad.shape[:2], *geom.out_hw
    )


def max_pool2d(x: Any, geom: Geometry) -> tuple[Any, Any]:
    """Window maxima of ``x`` and the tap holding each (a small unsigned integer), as PyTorch picks it.

    A tie goes to the first maximum in row-major window order, a window with a NaN to its last
    NaN, and a window of only the lowest value (-inf, or an integer dtype's minimum, what the
    padding holds) to its first tap on the input.
    """
    xp = get_array_module(x)
    lowest = -math.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    planes = _pool_planes(pad_image(x, geom.padding, lowest), geom)
    taps = len(planes)
    best = planes.max(axis=0)
    # a NaN at tap t ranks taps + 1 + t, a maximum taps - t: the last NaN, else the first maximum
    rank = xp.arange(taps, dtype=np.min_scalar_type(2 * taps)).reshape(-1, 1, 1, 1, 1)
    top = (xp.isnan(planes) * (taps + 1 + rank) + (planes == best) * (taps - rank)).max(axis=0)
    index = xp.where(top > taps, top - (taps + 1), taps - top)  # small integers, as ``rank``
    if geom.padding[0] or geom.padding[2]:  # otherwise every window's first tap is on the input
        xp.copyto(index, _first_real_tap(geom, xp).astype(index.dtype), where=best == lowest)
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
    """Window sums of ``x`` (zero padded) divided by ``divisor``; integer sums are divided exactly,
    rounding toward zero, as PyTorch's integer kernel."""
    xp = get_array_module(x)
    sums = _pool_planes(pad_image(x, geom.padding), geom).sum(axis=0, dtype=x.dtype)
    if x.dtype.kind == "f":
        return sums / divisor
    return xp.sign(sums) * xp.sign(divisor) * (xp.abs(sums) // xp.abs(divisor))


def avg_pool2d_scatter(gy: Any, geom: Geometry, divisor: Any) -> Any:
    """Gradient of ``avg_pool2d``: each output's gradient, divided, goes to its whole window."""
    xp = get_array_module(gy)
    share = gy / divisor
    return _scatter_planes(xp.broadcast_to(share, (len(geom.taps), *share.shape)), geom)


# ---- constant padding of any dimensions ------------------------------------------------------


def pad_constant(a: Any, pads: list[Pair], value: float) -> Any:
    """``a`` with ``pads[d] = (before, after)`` values added to dimension ``d``; negative crops."""
    xp = get_array_module(a)
    shape = tuple(n + before + after for n, (before, after) in zip(a.shape, pads))
    out = xp.full(shape, value, dtype=a.dtype)
    source = tuple(slice(max(0, -before), n - max(0, -after)) for n, (before, after) in zip(a.shape, pads))
    target = tuple(slice(max(0, before), m - max(0, after)) for m, (before, after) in zip(shape, pads))
    out[target] = a[source]
    return out
