"""Pooling layers with PyTorch's arguments: ``MaxPool2d`` and ``AvgPool2d``."""

from __future__ import annotations

from typing import Any

from minigrad._checks import IntOrPair
from minigrad.nn.module import Module
from minigrad.ops.pool import avg_pool2d, max_pool2d
from minigrad.tensor import Tensor


class MaxPool2d(Module):
    """Maximum over each window (see ``minigrad.nn.functional.max_pool2d``).

    >>> import minigrad
    >>> MaxPool2d(2)(minigrad.zeros(1, 3, 8, 8)).shape
    minigrad.Size([1, 3, 4, 4])
    """

    def __init__(
        self,
        kernel_size: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor) -> Any:
        return max_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """Mean over each window (see ``minigrad.nn.functional.avg_pool2d``).

    >>> import minigrad
    >>> AvgPool2d(2)(minigrad.ones(1, 3, 8, 8)).shape
    minigrad.Size([1, 3, 4, 4])
    """

    def __init__(
        self,
        kernel_size: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
