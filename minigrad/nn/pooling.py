"""Pooling layers with PyTorch's arguments: ``MaxPool1d/2d``, ``AvgPool1d/2d`` and the adaptive ones."""

from __future__ import annotations

from typing import Any

from minigrad._checks import IntOrPair
from minigrad.nn.module import Module
from minigrad.ops.adaptive import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
)
from minigrad.ops.pool import avg_pool2d, max_pool2d
from minigrad.ops.sequence import avg_pool1d, max_pool1d, single
from minigrad.tensor import Tensor


class _MaxPool(Module):
    """What MaxPool1d and MaxPool2d share: PyTorch's arguments, kept as given."""

    _pool: Any = None

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
        return self._pool(
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


class MaxPool1d(_MaxPool):
    """Maximum over each window of the last dim (see ``minigrad.nn.functional.max_pool1d``).

    >>> import minigrad
    >>> MaxPool1d(2)(minigrad.zeros(1, 3, 8)).shape
    minigrad.Size([1, 3, 4])
    """

    _pool = staticmethod(max_pool1d)


class MaxPool2d(_MaxPool):
    """Maximum over each window (see ``minigrad.nn.functional.max_pool2d``).

    >>> import minigrad
    >>> MaxPool2d(2)(minigrad.zeros(1, 3, 8, 8)).shape
    minigrad.Size([1, 3, 4, 4])
    """

    _pool = staticmethod(max_pool2d)


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


class AvgPool1d(Module):
    """Mean over each window of the last dim (see ``minigrad.nn.functional.avg_pool1d``); the sizes
    are kept as 1-tuples, as PyTorch's.

    >>> AvgPool1d(3)
    AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))
    """

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        self.kernel_size = (single(kernel_size, "kernel_size", "AvgPool1d"),)
        self.stride = self.kernel_size if stride is None else (single(stride, "stride", "AvgPool1d"),)
        self.padding = (single(padding, "padding", "AvgPool1d"),)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return avg_pool1d(
            input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptivePool(Module):
    """An adaptive pooling layer: ``output_size`` (an int, or a tuple with ``None`` for "as the input")."""

    _pool: Any = None

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Any:
        if self.return_indices:
            return self._pool(input, self.output_size, True)
        return self._pool(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePool):
    """Mean over the windows that give ``output_size`` positions (``F.adaptive_avg_pool1d``)."""

    _pool = staticmethod(adaptive_avg_pool1d)

    def __init__(self, output_size: Any) -> None:
        super().__init__(output_size)


class AdaptiveAvgPool2d(_AdaptivePool):
    """Mean over the windows that give an ``output_size`` image (``F.adaptive_avg_pool2d``).

    >>> import minigrad
    >>> AdaptiveAvgPool2d((1, 1))(minigrad.ones(2, 3, 5, 5)).shape
    minigrad.Size([2, 3, 1, 1])
    """

    _pool = staticmethod(adaptive_avg_pool2d)

    def __init__(self, output_size: Any) -> None:
        super().__init__(output_size)


class AdaptiveMaxPool1d(_AdaptivePool):
    """Maximum over the windows that give ``output_size`` positions (``F.adaptive_max_pool1d``)."""

    _pool = staticmethod(adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptivePool):
    """Maximum over the windows that give an ``output_size`` image (``F.adaptive_max_pool2d``)."""

    _pool = staticmethod(adaptive_max_pool2d)
