"""Adaptive pooling: the windows are chosen to give an output size, as PyTorch's.

Output ``i`` of an axis of ``n`` inputs and ``m`` outputs pools inputs
``floor(i n / m) <= j < ceil((i + 1) n / m)``. When ``m`` divides ``n`` these are the windows of
``avg_pool2d`` / ``max_pool2d`` with kernel and stride ``n / m``, which do the work. Otherwise
every window is gathered at once, padded to the longest one (taps past a window's end are
masked out), and reduced: a mean over the valid taps, or the value at the first maximum (whose
flat index ``h * W + w`` is what ``return_indices`` returns). Both are built of differentiable
ops, so every derivative follows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad._checks import is_int
from minigrad.ops.conv import batched, check_dtypes
from minigrad.ops.elementwise import where
from minigrad.ops.pool import avg_pool2d, max_pool2d
from minigrad.ops.registry import op
from minigrad.ops.sequence import as_2d
from minigrad.tensor import Tensor


def _output_size(op: str, output_size: Any, in_hw: tuple[int, int]) -> tuple[int, int]:
    """``output_size`` (an int, or a pair whose ``None`` keeps the input size) as a pair of ints."""
    sizes = (output_size, output_size) if is_int(output_size) else tuple(output_size)
    if len(sizes) != 2 or not all(s is None or (is_int(s) and s >= 1) for s in sizes):
        raise ValueError(
            f"{op}: output_size must be a positive int or a pair of positive ints or None, got {output_size!r}"
        )
    return tuple(int(n if s is None else s) for s, n in zip(sizes, in_hw))


def _checked_input(op: str, input: Tensor, output_size: Any) -> tuple[Tensor, bool, tuple[int, int]]:
    check_dtypes(op, (), input=input)
    x, unbatched = batched(op, input)
    if 0 in x.shape[1:]:
        raise RuntimeError(
            f"{op}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes "
            f"{list(input.shape)} with an empty dimension"
        )
    return x, unbatched, _output_size(op, output_size, x.shape[2:])


def _windows(xp: Any, n: int, m: int) -> tuple[Any, Any]:
    """Per output ``i`` of an axis: the taps of its window padded to the longest, (m, k), and
    which of them lie inside it."""
    i = np.arange(m)
    start, end = i * n // m, -(-(i + 1) * n // m)
    taps = start[:, None] + np.arange(int((end - start).max()))[None, :]
    valid = taps < end[:, None]
    return xp.asarray(np.minimum(taps, n - 1)), xp.asarray(valid)


def _gathered(x: Tensor, out_hw: tuple[int, int]) -> tuple[Tensor, Any, Any, Any]:
    """Every window of ``x`` (N, C, H, W) as (N, C, Oh, Ow, kh, kw), with the mask of valid taps
    and the tap rows and columns."""
    rows, row_valid = _windows(x.xp, x.shape[2], out_hw[0])
    cols, col_valid = _windows(x.xp, x.shape[3], out_hw[1])
    taps = x[:, :, Tensor(rows[:, None, :, None]), Tensor(cols[None, :, None, :])]
    valid = row_valid[:, None, :, None] & col_valid[None, :, None, :]
    return taps, valid, rows, cols


def _pooled(x: Tensor, out_hw: tuple[int, int]) -> bool:
    """Whether the windows are a plain pooling's: the output size divides the input size (and
    the batch is not empty, which the general path handles)."""
    return x.shape[0] > 0 and all(m > 0 and n % m == 0 for n, m in zip(x.shape[2:], out_hw))


def _restored(y: Any, unbatched: bool) -> Any:
    if isinstance(y, tuple):
        return tuple(_restored(t, unbatched) for t in y)
    return y.squeeze(0) if unbatched else y


@op(functional=True)
def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over the windows that give ``output_size``, as ``F.adaptive_avg_pool2d``.

    >>> import minigrad
    >>> adaptive_avg_pool2d(minigrad.arange(9.0).reshape(1, 3, 3), 2)
    tensor([[[2., 3.],
             [5., 6.]]])
    """
    x, unbatched, out_hw = _checked_input("adaptive_avg_pool2d", input, output_size)
    if _pooled(x, out_hw):
        kernel = tuple(n // m for n, m in zip(x.shape[2:], out_hw))
        return _restored(avg_pool2d(x, kernel), unbatched)
    taps, valid, _, _ = _gathered(x, out_hw)
    mask = Tensor(valid)
    total = where(mask, taps, 0.0).sum((-2, -1))
    count = Tensor(valid.sum(axis=(-2, -1)).astype(x.dtype))
    return _restored(total / count, unbatched)


@op(functional=True)
def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Maximum over the windows that give ``output_size``, as ``F.adaptive_max_pool2d``; ties go
    to the first maximum in row-major order.

    >>> import minigrad
    >>> adaptive_max_pool2d(minigrad.arange(9.0).reshape(1, 3, 3), 2)
    tensor([[[4., 5.],
             [7., 8.]]])
    """
    x, unbatched, out_hw = _checked_input("adaptive_max_pool2d", input, output_size)
    if _pooled(x, out_hw):
        kernel = tuple(n // m for n, m in zip(x.shape[2:], out_hw))
        return _restored(max_pool2d(x, kernel, return_indices=return_indices), unbatched)
    taps, valid, rows, cols = _gathered(x.detach(), out_hw)
    xp = x.xp
    scores = xp.where(valid, taps.array, -xp.inf)
    n, c, oh, ow, kh, kw = scores.shape
    best = xp.argmax(scores.reshape(n, c, oh, ow, kh * kw), axis=-1)
    # the winning tap's row and column in the input plane
    row = rows[xp.arange(oh)[:, None], best // kw]
    col = cols[xp.arange(ow), best % kw]
    flat = (row * x.shape[3] + col).astype(np.int64)
    plane = x.reshape(n, c, x.shape[2] * x.shape[3])
    y = plane.gather(2, Tensor(flat.reshape(n, c, oh * ow))).reshape(n, c, oh, ow)
    return _restored((y, Tensor(flat)) if return_indices else y, unbatched)


@op(functional=True)
def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """``adaptive_avg_pool2d`` over the last dim of (N, C, L) or (C, L), as ``F.adaptive_avg_pool1d``."""
    return adaptive_avg_pool2d(as_2d("adaptive_avg_pool1d", input), (1, _one(output_size))).squeeze(-2)


@op(functional=True)
def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """``adaptive_max_pool2d`` over the last dim of (N, C, L) or (C, L), as ``F.adaptive_max_pool1d``."""
    out = adaptive_max_pool2d(as_2d("adaptive_max_pool1d", input), (1, _one(output_size)), return_indices)
    return tuple(t.squeeze(-2) for t in out) if return_indices else out.squeeze(-2)


def _one(output_size: Any) -> Any:
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,)
    if len(sizes) != 1:
        raise ValueError(f"adaptive_pool1d: output_size must be an int or a 1-tuple, got {output_size!r}")
    return sizes[0]
