"""1-d convolution and pooling over sequences (N, C, L) or (C, L): the 2-D ops on a height of 1.

``conv1d``, ``max_pool1d`` and ``avg_pool1d`` insert a unit height, call ``conv2d``,
``max_pool2d`` or ``avg_pool2d`` with a kernel one row tall, and drop the height again, so they
share those ops' kernels, gradients and edge rules (a pooling index ``h * W + w`` is ``w`` here).
"""

from __future__ import annotations

from typing import Any

from minigrad._checks import is_int
from minigrad.ops.conv import conv2d
from minigrad.ops.pool import avg_pool2d, max_pool2d
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


def single(value: Any, name: str, op: str) -> int:
    """An int or a one-element tuple or list as an int, or a TypeError."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if not is_int(value):
        raise TypeError(f"{op}: {name} must be an int or a 1-tuple of ints, got {value!r}")
    return int(value)


def as_2d(op: str, input: Tensor) -> Tensor:
    """``input`` (N, C, L) or (C, L) with a unit height inserted before L."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (2, 3):
        raise ValueError(f"{op}: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape {input.shape}")
    return input.unsqueeze(-2)


def _row(value: Any, name: str, op: str, height: int) -> tuple[int, int]:
    """A 1-d ``value`` as the 2-D pair ``(height, value)``."""
    return height, single(value, name, op)


def _window(op: str, kernel_size: Any, stride: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    """A pooling's kernel and stride as one-row 2-D pairs; no stride means the kernel's."""
    kernel = _row(kernel_size, "kernel_size", op, 1)
    return kernel, kernel if stride is None or stride == [] or stride == () else _row(stride, "stride", op, 1)


@op(functional=True)
def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-D cross-correlation of ``input`` (N, C, L) with ``weight`` (O, C/groups, k), as ``F.conv1d``.

    >>> import minigrad
    >>> conv1d(minigrad.ones(1, 2, 4), minigrad.ones(3, 2, 3), padding=1)[0, 0]
    tensor([4., 6., 6., 4.])
    """
    op = "conv1d"
    if not isinstance(weight, Tensor) or weight.ndim != 3:
        shape = weight.shape if isinstance(weight, Tensor) else type(weight).__name__
        raise ValueError(
            f"{op}: weight must be a 3-D tensor (out_channels, in_channels/groups, k), got {shape}"
        )
    pad = padding if isinstance(padding, str) else _row(padding, "padding", op, 0)
    y = conv2d(
        as_2d(op, input),
        weight.unsqueeze(-2),
        bias,
        _row(stride, "stride", op, 1),
        pad,
        _row(dilation, "dilation", op, 1),
        groups,
    )
    return y.squeeze(-2)


@op(functional=True)
def max_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Maximum over each window of the last dim, as ``F.max_pool1d`` (ties: the first maximum).

    >>> import minigrad
    >>> max_pool1d(minigrad.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)
    tensor([[3., 2.]])
    """
    op = "max_pool1d"
    kernel, strides = _window(op, kernel_size, stride)
    out = max_pool2d(
        as_2d(op, input),
        kernel,
        strides,
        _row(padding, "padding", op, 0),
        _row(dilation, "dilation", op, 1),
        ceil_mode,
        return_indices,
    )
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


@op(functional=True)
def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """Mean over each window of the last dim, as ``F.avg_pool1d``.

    >>> import minigrad
    >>> avg_pool1d(minigrad.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)
    tensor([[2., 1.]])
    """
    op = "avg_pool1d"
    kernel, strides = _window(op, kernel_size, stride)
    y = avg_pool2d(
        as_2d(op, input), kernel, strides, _row(padding, "padding", op, 0), ceil_mode, count_include_pad
    )
    return y.squeeze(-2)
