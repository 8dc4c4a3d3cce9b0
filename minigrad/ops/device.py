"""Moving a tensor between devices (CPU and GPU) as a differentiable op."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd.function import Function
from minigrad.backend import backend, backend_of
from minigrad.backend import device as Device
from minigrad.tensor import Tensor


class ToDevice(Function):
    """Copy to another device; the gradient is copied back."""

    @staticmethod
    def forward(ctx, a, target):
        ctx.source = a.device
        source = backend_of(a.array)
        return Tensor(backend(target).from_host(source.to_host(a.array)))

    @staticmethod
    def backward(ctx, grad):
        return to_device(grad, ctx.source), None


def parse_to_args(args: tuple, kwargs: dict) -> tuple[Any, Any]:
    """``(device, dtype)`` from the arguments of ``to()``: a device, a dtype, both, or a tensor."""
    kwargs = dict(kwargs)
    target_device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            target_device, dtype = arg.device, arg.dtype
        elif isinstance(arg, (str, Device)):
            target_device = arg
        else:
            try:
                dtype = np.dtype(arg)
            except TypeError as err:
                raise TypeError(f"to() expects a device or a dtype, got {arg!r}") from err
    return target_device, dtype


def to_device(a: Tensor, target: Any) -> Tensor:
    """``a`` on ``target`` (itself when it is already there)."""
    target = Device(target)
    if a.device.type == target.type:
        return a
    return ToDevice.apply(a, target)
