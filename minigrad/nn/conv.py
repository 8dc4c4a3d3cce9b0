"""Convolution layers: ``Conv1d``, ``Conv2d``, ``ConvTranspose2d`` (PyTorch's) and ``Corr2d`` (the chapter's).

Parameter names, shapes and default initialisation are PyTorch's, so a ``state_dict`` moves
between the two frameworks unchanged: weight and bias are drawn from ``U(-sqrt(k), sqrt(k))``
with ``k = 1 / fan_in`` (``kaiming_uniform_`` with ``a = sqrt(5)``).
"""

from __future__ import annotations

import math
from typing import Any

from minigrad._checks import IntOrPair, is_int, pair
from minigrad.nn import init
from minigrad.nn.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.ops.conv import conv2d, conv_padding, conv_transpose2d, corr2d
from minigrad.ops.padding import pad
from minigrad.ops.sequence import conv1d, single
from minigrad.tensor import Tensor, zeros


def _check_channels(layer: str, in_channels: Any, out_channels: Any, groups: Any) -> tuple[int, int, int]:
    """The three counts as Python ints, or a clear error."""
    if not is_int(groups) or groups < 1:
        raise ValueError(f"{layer}: groups must be a positive int, got {groups!r}")
    for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
        if not is_int(value) or value < 0:  # 0 as PyTorch allows (a lazy layer starts so)
            raise ValueError(f"{layer}: {name} must be a non-negative int, got {value!r}")
    for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
        if value % groups:
            raise ValueError(f"{layer}: {name}={value} must be divisible by groups={groups}")
    return int(in_channels), int(out_channels), int(groups)


def _check_padding_mode(layer: str, padding_mode: str, modes: tuple[str, ...]) -> None:
    if padding_mode not in modes:
        raise ValueError(f"{layer}: padding_mode must be one of {modes}, got {padding_mode!r}")


def _check_padding_string(layer: str, padding: str, stride: tuple[int, ...]) -> str:
    """``"same"`` or ``"valid"``; ``"same"`` only for a stride of 1, as PyTorch."""
    if padding not in ("same", "valid"):
        raise ValueError(f"{layer}: padding must be 'same', 'valid', an int or a pair, got {padding!r}")
    if padding == "same" and any(s != 1 for s in stride):
        raise ValueError(
            f"{layer}: padding='same' is not supported for strided convolutions (stride={stride})"
        )
    return padding


class _ConvNd(Module):
    """Shared parameters and initialisation of ``Conv2d`` and ``ConvTranspose2d``."""

    def _create_parameters(self, weight_shape: tuple[int, ...], bias: bool, device: Any, dtype: Any) -> None:
        factory = {"device": device, "dtype": dtype}
        self.weight = Parameter(zeros(*weight_shape, **factory))
        if bias:
            self.bias = Parameter(zeros(self.out_channels, **factory))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` for weight and bias."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = math.prod(self.weight.shape[1:])
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        )
        dims = len(self.kernel_size)
        defaults = {
            "padding": (0,) * dims,
            "dilation": (1,) * dims,
            "output_padding": (0,) * dims,
            "groups": 1,
        }
        for name, default in defaults.items():
            value = getattr(self, name, default)
            if value != default:
                text += f", {name}={value}"
        text += "" if self.bias is not None else ", bias=False"
        mode = getattr(self, "padding_mode", "zeros")
        return text + ("" if mode == "zeros" else f", padding_mode={mode}")


class Conv1d(_ConvNd):
    """1-D convolution over a batch (N, C_in, L): ``weight`` (C_out, C_in/groups, k), ``bias`` (C_out,).

    >>> Conv1d(2, 4, 3)
    Conv1d(2, 4, kernel_size=(3,), stride=(1,))
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        layer = "Conv1d"
        in_channels, out_channels, groups = _check_channels(layer, in_channels, out_channels, groups)
        _check_padding_mode(layer, padding_mode, ("zeros", "reflect", "replicate", "circular"))
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = (single(kernel_size, "kernel_size", layer),)
        self.stride = (single(stride, "stride", layer),)
        self.dilation = (single(dilation, "dilation", layer),)
        if isinstance(padding, str):
            self.padding = _check_padding_string(layer, padding, self.stride)
        else:
            self.padding = (single(padding, "padding", layer),)
        self.padding_mode = padding_mode
        self._create_parameters((out_channels, in_channels // groups, *self.kernel_size), bias, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode == "zeros":
            return conv1d(
                input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
            )
        padding = self.padding if isinstance(self.padding, str) else (0, *self.padding)
        _, _, left, right = conv_padding(
            "Conv1d", padding, (1, *self.kernel_size), (1, *self.stride), (1, *self.dilation)
        )
        padded = pad(input, (left, right), mode=self.padding_mode)
        return conv1d(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


class Conv2d(_ConvNd):
    """2-D convolution over a batch (N, C_in, H, W): ``weight`` (C_out, C_in/groups, kH, kW), ``bias`` (C_out,).

    >>> layer = Conv2d(3, 8, 3, padding=1)
    >>> layer.weight.shape, layer.bias.shape
    (minigrad.Size([8, 3, 3, 3]), minigrad.Size([8]))
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrPair,
        stride: IntOrPair = 1,
        padding: IntOrPair | str = 0,
        dilation: IntOrPair = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        layer = "Conv2d"
        in_channels, out_channels, groups = _check_channels(layer, in_channels, out_channels, groups)
        _check_padding_mode(layer, padding_mode, ("zeros", "reflect", "replicate", "circular"))
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = pair(kernel_size, "kernel_size", layer, 1)
        self.stride = pair(stride, "stride", layer, 1)
        self.dilation = pair(dilation, "dilation", layer, 1)
        if isinstance(padding, str):
            self.padding = _check_padding_string(layer, padding, self.stride)
        else:
            self.padding = pair(padding, "padding", layer, 0)
        self.padding_mode = padding_mode
        self._create_parameters((out_channels, in_channels // groups, *self.kernel_size), bias, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode == "zeros":
            return conv2d(
                input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
            )
        top, bottom, left, right = conv_padding(
            "Conv2d", self.padding, self.kernel_size, self.stride, self.dilation
        )
        padded = pad(input, (left, right, top, bottom), mode=self.padding_mode)
        return conv2d(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution: ``weight`` (C_in, C_out/groups, kH, kW), ``bias`` (C_out,).

    ``forward(input, output_size=None)``: an ``output_size`` picks the ``output_padding`` that
    reaches it, as in PyTorch.

    >>> import minigrad
    >>> ConvTranspose2d(4, 2, 3, stride=2)(minigrad.zeros(1, 4, 5, 5)).shape
    minigrad.Size([1, 2, 11, 11])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrPair,
        stride: IntOrPair = 1,
        padding: IntOrPair = 0,
        output_padding: IntOrPair = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: IntOrPair = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        layer = "ConvTranspose2d"
        in_channels, out_channels, groups = _check_channels(layer, in_channels, out_channels, groups)
        _check_padding_mode(layer, padding_mode, ("zeros",))
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = pair(kernel_size, "kernel_size", layer, 1)
        self.stride = pair(stride, "stride", layer, 1)
        self.padding = pair(padding, "padding", layer, 0)
        self.output_padding = pair(output_padding, "output_padding", layer, 0)
        self.dilation = pair(dilation, "dilation", layer, 1)
        self.padding_mode = padding_mode
        self._create_parameters((in_channels, out_channels // groups, *self.kernel_size), bias, device, dtype)

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple[int, int]:
        if output_size is None:
            return self.output_padding
        size = tuple(output_size)[-2:]
        extra = []
        for axis in range(2):
            smallest = (
                (input.shape[axis - 2] - 1) * self.stride[axis]
                - 2 * self.padding[axis]
                + self.dilation[axis] * (self.kernel_size[axis] - 1)
                + 1
            )
            if len(size) != 2 or not smallest <= size[axis] < smallest + self.stride[axis]:
                raise ValueError(
                    f"ConvTranspose2d: requested output_size {tuple(output_size)} is not reachable from "
                    f"input of shape {input.shape}: each side must be in [{smallest}, "
                    f"{smallest + self.stride[axis] - 1}] for axis {axis}"
                )
            extra.append(size[axis] - smallest)
        return tuple(extra)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        output_padding = self._output_padding(input, output_size)
        return conv_transpose2d(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            output_padding,
            self.groups,
            self.dilation,
        )


class Corr2d(Module):
    """The chapter's layer: ``corr2d(x, weight) + bias``, one 2-D kernel and one scalar bias.

    Both are drawn from a standard normal, as in the textbook.

    >>> layer = Corr2d((1, 2))
    >>> layer.weight.shape, layer.bias.shape
    (minigrad.Size([1, 2]), minigrad.Size([1]))
    """

    def __init__(self, kernel_size: IntOrPair, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.kernel_size = pair(kernel_size, "kernel_size", "Corr2d", 1)
        self.weight = Parameter(zeros(*self.kernel_size, device=device, dtype=dtype))
        self.bias = Parameter(zeros(1, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Standard normal draws from minigrad's seeded generator."""
        init.normal_(self.weight)
        init.normal_(self.bias)

    def forward(self, x: Tensor) -> Tensor:
        return corr2d(x, self.weight) + self.bias

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}"
