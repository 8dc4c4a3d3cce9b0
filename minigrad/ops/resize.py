"""``interpolate``: resize the spatial dims of (N, C, ...) by a size or a scale, as ``F.interpolate``.

Resizing is separable, so each spatial axis is resized in turn, last first. ``nearest`` picks
one source index per output (PyTorch's float32 index arithmetic, so the same pixels are picked);
``linear``/``bilinear``/``trilinear`` mixes the two neighbouring sources, ``(1 - t) x[i] + t x[i + 1]``.
Both are integer indexing and arithmetic, so every derivative follows; ``area`` is adaptive
average pooling.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad._checks import is_int, is_real
from minigrad.ops.adaptive import adaptive_avg_pool1d, adaptive_avg_pool2d
from minigrad.ops.conv import check_dtypes
from minigrad.ops.registry import op
from minigrad.tensor import Tensor

_LINEAR = {"linear": 3, "bilinear": 4, "trilinear": 5}  # mode -> the input dims it takes
_NEAREST = ("nearest", "nearest-exact")


def _per_axis(value: Any, name: str, spatial: int, input: Tensor, check: Any) -> list[Any]:
    """``size`` or ``scale_factor`` as one entry per spatial dim, with PyTorch's errors."""
    values = list(value) if isinstance(value, (tuple, list)) else [value] * spatial
    if len(values) != spatial:
        given, letter = ("output size of", "o") if name == "size" else ("scale_factor of shape", "s")
        subject = "output" if name == "size" else "scale_factor"
        raise ValueError(
            f"Input and {subject} must have the same number of spatial dimensions, but got input with "
            f"spatial dimensions of {list(input.shape[2:])} and {given} {value}. Please provide input tensor "
            f"in (N, C, d1, d2, ...,dK) format and {given.split(' of')[0]} in ({letter}1, {letter}2, "
            f"...,{letter}K) format."
        )
    if not all(check(v) for v in values):
        raise TypeError(f"interpolate: {name} must hold {check.__name__[3:]} numbers, got {value!r}")
    return values


def _nearest_index(n: int, m: int, scale: float | None, exact: bool) -> np.ndarray:
    """PyTorch's ``nearest_idx``: ``floor((i [+ 0.5]) * s)`` with ``s`` in float32."""
    step = np.float32(1.0 / scale) if scale else np.float32(n) / np.float32(m)
    position = np.arange(m, dtype=np.float32) + np.float32(0.5 if exact else 0.0)
    return np.minimum(np.floor(position * step).astype(np.int64), n - 1)


def _linear_taps(n: int, m: int, scale: float | None, align_corners: bool) -> tuple[np.ndarray, ...]:
    """PyTorch's source positions: the left neighbour, the right one and the weight of the right."""
    if align_corners:
        source = np.arange(m) * ((n - 1) / (m - 1) if m > 1 else 0.0)
    else:
        step = 1.0 / scale if scale else n / m
        source = np.maximum(step * (np.arange(m) + 0.5) - 0.5, 0.0)
    left = source.astype(np.int64)
    right = left + (left < n - 1)
    return left, right, source - left


def _along(x: Tensor, axis: int, index: np.ndarray) -> Tensor:
    return x[(slice(None),) * axis + (Tensor(x.xp.asarray(index)),)]


@op(functional=True)
def interpolate(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize ``input`` (N, C, d1, ..., dK) to ``size`` or by ``scale_factor``, as ``F.interpolate``.

    >>> import minigrad
    >>> interpolate(minigrad.tensor([[[1.0, 2.0]]]), scale_factor=2)
    tensor([[[1., 1., 2., 2.]]])
    >>> interpolate(minigrad.tensor([[[1.0, 2.0]]]), size=3, mode="linear", align_corners=True)
    tensor([[[1.0000, 1.5000, 2.0000]]])
    """
    check_dtypes("interpolate", (), input=input)
    modes = (*_NEAREST, *_LINEAR, "area")
    if mode not in modes:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported; use one of {modes}")
    if input.ndim < 3:
        raise ValueError(
            f"interpolate: expected an input of at least 3 dims (N, C, d1, ...), got {input.shape}"
        )
    spatial = input.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode in (*_NEAREST, "area"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif _LINEAR[mode] != input.ndim:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_LINEAR[mode]}D input")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if size is not None:
        out = [int(s) for s in _per_axis(size, "size", spatial, input, is_int)]
        scales: list[float | None] = [None] * spatial
    else:
        scales = [float(s) for s in _per_axis(scale_factor, "scale_factor", spatial, input, is_real)]
        out = [math.floor(n * s) for n, s in zip(input.shape[2:], scales)]
        if recompute_scale_factor:
            scales = [None] * spatial
    if min(out) < 1:
        raise ValueError(
            f"interpolate: the output size {tuple(out)} must be positive (input shape {input.shape})"
        )
    if mode == "area":
        if spatial > 2:
            raise NotImplementedError("interpolate: mode 'area' supports 3-D and 4-D inputs")
        return adaptive_avg_pool1d(input, out) if spatial == 1 else adaptive_avg_pool2d(input, out)
    x = input
    for axis in reversed(range(2, input.ndim)):
        n, m, scale = x.shape[axis], out[axis - 2], scales[axis - 2]
        if n == m and mode != "nearest-exact":  # PyTorch copies an axis whose size is kept
            continue
        if mode in _NEAREST:
            x = _along(x, axis, _nearest_index(n, m, scale, mode == "nearest-exact"))
            continue
        left, right, weight = _linear_taps(n, m, scale, bool(align_corners))
        t = Tensor(x.xp.asarray(weight.astype(np.dtype(x.dtype)).reshape((m,) + (1,) * (x.ndim - axis - 1))))
        x = _along(x, axis, left) * (1 - t) + _along(x, axis, right) * t
    return x
