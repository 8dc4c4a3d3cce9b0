"""Moving a tensor between devices (CPU and GPU) as a differentiable op."""

from __future__ import annotations

from typing import Any

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


def to_device(a: Tensor, target: Any) -> Tensor:
    """``a`` on ``target`` (itself when it is already there)."""
    target = Device(target)
    if a.device.type == target.type:
        return a
    return ToDevice.apply(a, target)
