"""Division: true division, PyTorch's rounding modes, floor division and the two remainders.

``div`` is true division (integers give the default float dtype) unless ``rounding_mode`` is
"trunc" (toward zero) or "floor"; rounded quotients keep integer dtypes and have gradient 0.
``remainder`` (``%``) takes the sign of the divisor, as Python's does, and ``fmod`` the sign of the
dividend, as C's does; both have gradient ``grad`` for the dividend and ``-grad * q`` for the
divisor, ``q`` the quotient rounded the same way. Integer division by zero raises, as in PyTorch;
float division by zero gives IEEE's inf and NaN.
"""

from __future__ import annotations

from typing import Any

from minigrad import dtypes
from minigrad.autograd.function import Function
from minigrad.backend import get_array_module
from minigrad.ops.elementwise import Div, Stepwise, expect_tensor, promote
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


def _integer_operands(kernel: str, a: Tensor, b: Tensor) -> None:
    """PyTorch's refusals: no rounded division of bools, no integer division by zero."""
    if a.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for 'Bool'")
    if not dtypes.is_floating(b.dtype) and bool((b.array == 0).any()):
        raise RuntimeError("ZeroDivisionError")


def _floor_divide(x: Any, y: Any) -> Any:
    """The quotient rounded down; for floats PyTorch's (and Python's) exact rule, not floor(x / y)."""
    xp = get_array_module(x)
    if not dtypes.is_floating(x.dtype):
        return xp.floor_divide(x, y)
    mod = xp.fmod(x, y)
    div = (x - mod) / y
    div = xp.where((mod != 0) & ((y < 0) != (mod < 0)), div - 1, div)
    floor = xp.floor(div)
    floor = xp.where(div - floor > 0.5, floor + 1, floor)
    quotient = x / y
    return xp.where(y == 0, quotient, xp.where(div == 0, xp.copysign(0 * div, quotient), floor))


def _trunc_divide(x: Any, y: Any) -> Any:
    """The quotient rounded toward zero."""
    xp = get_array_module(x)
    if dtypes.is_floating(x.dtype):
        return xp.trunc(x / y)
    return xp.floor_divide(x - xp.fmod(x, y), y)  # exact: x - fmod(x, y) is a multiple of y


_ROUNDED = {"floor": _floor_divide, "trunc": _trunc_divide}


@op(
    method=("div", "divide", "__truediv__"),
    function=("div", "divide"),
    reflected="__rtruediv__",
    inplace=("div_", "divide_", "__itruediv__"),
)
def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """``input / other``: true division, or the quotient rounded by ``rounding_mode``."""
    if rounding_mode is None:
        return Div.apply(*promote(input, other, floating=True))
    if rounding_mode not in _ROUNDED:
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'"
        )
    a, b = promote(input, other)
    _integer_operands(f"div_{rounding_mode}", a, b)
    return Stepwise.apply(_ROUNDED[rounding_mode], a, b)


@op(method=True, function=True, inplace="true_divide_", inputs=2, domain={"away_from_zero": 0.5})
def true_divide(input: Any, other: Any) -> Tensor:
    return Div.apply(*promote(input, other, floating=True))


@op(
    method=("floor_divide", "__floordiv__"),
    function=True,
    reflected="__rfloordiv__",
    inplace=("floor_divide_", "__ifloordiv__"),
)
def floor_divide(input: Any, other: Any) -> Tensor:
    """``input // other``: ``div(input, other, rounding_mode="floor")``."""
    return div(input, other, rounding_mode="floor")


class Remainder(Function):
    """``a - q b`` for ``q`` the quotient rounded down (``remainder``) or toward zero (``fmod``)."""

    @staticmethod
    def forward(ctx, a, b, rounding_mode):
        xp = a.xp
        ctx.rounding_mode = rounding_mode
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(a, b)
        mod = xp.fmod(a.array, b.array)
        if rounding_mode == "floor":  # move a remainder of the dividend's sign to the divisor's
            mod = xp.where((mod != 0) & ((b.array < 0) != (mod < 0)), mod + b.array, mod)
        return Tensor(mod)

    @staticmethod
    def backward(ctx, grad):
        grad_b = None
        if ctx.needs_input_grad[1]:
            a, b = ctx.saved_tensors
            grad_b = -grad * div(a, b, rounding_mode=ctx.rounding_mode)
        return grad if ctx.needs_input_grad[0] else None, grad_b, None


@op(method=("remainder", "__mod__"), function=True, reflected="__rmod__", inplace=("remainder_", "__imod__"))
def remainder(input: Any, other: Any) -> Tensor:
    """``input % other``, with the sign of ``other`` (Python's rule)."""
    a, b = promote(input, other)
    _integer_operands("remainder", a, b)
    return Remainder.apply(a, b, "floor")


@op(method=True, function=True, inplace="fmod_")
def fmod(input: Tensor, other: Any) -> Tensor:
    """The remainder of ``input / other`` with the sign of ``input`` (C's rule)."""
    expect_tensor("fmod", "input", 1, input)
    a, b = promote(input, other)
    _integer_operands("fmod", a, b)
    return Remainder.apply(a, b, "trunc")
