"""Elementwise math beyond the arithmetic: rounding, exponentials and logarithms, trigonometry, the
error function, and the small formulas users reach for (``lerp``, ``addcmul``, ``xlogy``...).

A smooth unary op is a ``Function`` made by ``_unary`` from its NumPy/CuPy forward and its
derivative, a formula in minigrad ops of the input or of the output, so gradients of gradients
work. Integer inputs move to the default float dtype, except for the rounding ops, which keep
integers as they are (PyTorch's rules); rounding has gradient 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from minigrad import dtypes
from minigrad.autograd.function import Function
from minigrad.backend import get_array_module
from minigrad.ops import special
from minigrad.ops.elementwise import (
    Masked,
    Stepwise,
    add,
    clamp,
    expect_tensor,
    floating,
    mul,
    promote,
    two_tensors,
    where,
)
from minigrad.ops.registry import op
from minigrad.tensor import Tensor

Scalar = int | float | bool


def _unary(name: str, forward: Callable, derivative: Callable, of_output: bool = False) -> type:
    """A Function computing ``forward(xp, x)`` whose gradient is ``grad * derivative(t)``, ``t`` the
    input (or, with ``of_output``, the output) as a tensor."""

    def forward_(ctx, a):
        out = Tensor(forward(a.xp, a.array))
        ctx.save_for_backward(out if of_output else a)
        return out

    def backward(ctx, grad):
        (saved,) = ctx.saved_tensors
        return grad * derivative(saved)

    doc = f"``{name.lower()}``, differentiated with minigrad ops (so to any order)."
    return type(
        name,
        (Function,),
        {"forward": staticmethod(forward_), "backward": staticmethod(backward), "__doc__": doc},
    )


LN2, LN10, SQRT_PI = math.log(2.0), math.log(10.0), math.sqrt(math.pi)

Log1p = _unary("Log1p", lambda xp, x: xp.log1p(x), lambda x: 1 / (1 + x))
Expm1 = _unary("Expm1", lambda xp, x: xp.expm1(x), lambda out: out + 1, of_output=True)
Log2 = _unary("Log2", lambda xp, x: xp.log2(x), lambda x: 1 / (x * LN2))
Log10 = _unary("Log10", lambda xp, x: xp.log10(x), lambda x: 1 / (x * LN10))
Exp2 = _unary("Exp2", lambda xp, x: xp.exp2(x), lambda out: out * LN2, of_output=True)
Reciprocal = _unary("Reciprocal", lambda xp, x: 1 / x, lambda out: -out * out, of_output=True)
Rsqrt = _unary("Rsqrt", lambda xp, x: 1 / xp.sqrt(x), lambda out: -0.5 * out**3, of_output=True)
Tan = _unary("Tan", lambda xp, x: xp.tan(x), lambda out: 1 + out * out, of_output=True)
Sinh = _unary("Sinh", lambda xp, x: xp.sinh(x), lambda x: cosh(x))
Cosh = _unary("Cosh", lambda xp, x: xp.cosh(x), lambda x: sinh(x))
Asin = _unary("Asin", lambda xp, x: xp.arcsin(x), lambda x: rsqrt(1 - x * x))
Acos = _unary("Acos", lambda xp, x: xp.arccos(x), lambda x: -rsqrt(1 - x * x))
Atan = _unary("Atan", lambda xp, x: xp.arctan(x), lambda x: 1 / (1 + x * x))
Erf = _unary("Erf", lambda xp, x: special.erf(x), lambda x: (2 / SQRT_PI) * (-x * x).exp())
Erfc = _unary("Erfc", lambda xp, x: special.erfc(x), lambda x: (-2 / SQRT_PI) * (-x * x).exp())
Erfinv = _unary(
    "Erfinv", lambda xp, x: special.erfinv(x), lambda out: (SQRT_PI / 2) * (out * out).exp(), True
)


def _smooth(fn: Function, name: str, domain: dict | None = None) -> Callable:
    """The op ``name`` (function, method and in-place method) applying ``fn`` to a float tensor."""

    def unary(input: Tensor) -> Tensor:
        return fn.apply(floating(name, input))

    unary.__name__ = unary.__qualname__ = name
    unary.__doc__ = f"Elementwise ``{name}``; integers are computed in the default float dtype."
    return op(method=name, function=name, inplace=f"{name}_", inputs=1, domain=domain)(unary)


log1p = _smooth(Log1p, "log1p", {"min_value": -0.9})
expm1 = _smooth(Expm1, "expm1", {"min_value": -5.0, "max_value": 5.0})
log2 = _smooth(Log2, "log2", {"positive": True, "away_from_zero": 0.1})
log10 = _smooth(Log10, "log10", {"positive": True, "away_from_zero": 0.1})
exp2 = _smooth(Exp2, "exp2", {"min_value": -5.0, "max_value": 5.0})
reciprocal = _smooth(Reciprocal, "reciprocal", {"away_from_zero": 0.5})
rsqrt = _smooth(Rsqrt, "rsqrt", {"positive": True, "away_from_zero": 0.2})
tan = _smooth(Tan, "tan", {"min_value": -1.2, "max_value": 1.2})
sinh = _smooth(Sinh, "sinh", {"min_value": -4.0, "max_value": 4.0})
cosh = _smooth(Cosh, "cosh", {"min_value": -4.0, "max_value": 4.0})
asin = _smooth(Asin, "asin", {"min_value": -0.9, "max_value": 0.9})
acos = _smooth(Acos, "acos", {"min_value": -0.9, "max_value": 0.9})
atan = _smooth(Atan, "atan")
erf = _smooth(Erf, "erf", {"min_value": -3.0, "max_value": 3.0})
erfc = _smooth(Erfc, "erfc", {"min_value": -3.0, "max_value": 3.0})
erfinv = _smooth(Erfinv, "erfinv", {"min_value": -0.9, "max_value": 0.9})


# --- rounding: piecewise constant, integers unchanged --------------------------------------


def _rounding(name: str, input: Any, fn: Callable) -> Tensor:
    expect_tensor(name, "input", 1, input)
    if input.dtype.kind == "b":
        raise NotImplementedError(f"\"{name}_vml_cpu\" not implemented for 'Bool'")
    if not dtypes.is_floating(input.dtype):
        return Tensor(input.array.copy())
    return Stepwise.apply(fn, input)


@op(method=True, function=True, inplace="floor_", inputs=1)
def floor(input: Tensor) -> Tensor:
    return _rounding("floor", input, lambda x: get_array_module(x).floor(x))


@op(method=True, function=True, inplace="ceil_", inputs=1)
def ceil(input: Tensor) -> Tensor:
    return _rounding("ceil", input, lambda x: get_array_module(x).ceil(x))


@op(method=("trunc", "fix"), function=("trunc", "fix"), inplace=("trunc_", "fix_"), inputs=1)
def trunc(input: Tensor) -> Tensor:
    """Rounded toward zero (``fix`` is its other name)."""
    return _rounding("trunc", input, lambda x: get_array_module(x).trunc(x))


@op(method=True, function=True, inplace="round_", inputs=1)
def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Rounded half to even, to ``decimals`` decimal places (negative: to tens, hundreds...),
    computed in the input's dtype as PyTorch does."""
    if decimals == 0:
        return _rounding("round", input, lambda x: get_array_module(x).rint(x))
    expect_tensor("round", "input", 1, input)
    if not dtypes.is_floating(input.dtype):
        raise NotImplementedError(f"\"round_cpu\" not implemented for '{dtypes.torch_name(input.dtype)}'")

    def rounded(x: Any) -> Any:
        scale = x.dtype.type(10) ** abs(decimals)
        xp = get_array_module(x)
        return xp.rint(x / scale) * scale if decimals < 0 else xp.rint(x * scale) / scale

    return Stepwise.apply(rounded, input)


@op(method=True, function=True, inplace="frac_", inputs=1)
def frac(input: Tensor) -> Tensor:
    """``input - trunc(input)``, with the sign of ``input``; the gradient passes unchanged."""
    expect_tensor("frac", "input", 1, input)
    if not dtypes.is_floating(input.dtype):
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{dtypes.torch_name(input.dtype)}'")
    return input - trunc(input)


@op(method=True, function=True, inplace="square_", inputs=1)
def square(input: Tensor) -> Tensor:
    """``input ** 2``: integers stay integers, bools become int64."""
    expect_tensor("square", "input", 1, input)
    return input**2


# --- two and three operands ------------------------------------------------------------------


class Atan2(Function):
    """The angle of the point (other, input): d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return Tensor(a.xp.arctan2(a.array, b.array))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        scale = grad / (a * a + b * b)
        need_a, need_b = ctx.needs_input_grad
        return scale * b if need_a else None, -scale * a if need_b else None


@op(
    method=("atan2", "arctan2"),
    function=("atan2", "arctan2"),
    inplace=("atan2_", "arctan2_"),
    inputs=2,
    domain={"away_from_zero": 0.5},
)
def atan2(input: Tensor, other: Tensor) -> Tensor:
    a, b = two_tensors("atan2", input, other)
    return Atan2.apply(*promote(a, b, floating=True))


class Hypot(Function):
    """sqrt(a^2 + b^2) without overflow; the gradients are a / out and b / out."""

    @staticmethod
    def forward(ctx, a, b):
        out = Tensor(a.xp.hypot(a.array, b.array))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        scale = grad / out
        need_a, need_b = ctx.needs_input_grad
        return scale * a if need_a else None, scale * b if need_b else None


@op(method=True, function=True, inplace="hypot_", inputs=2)
def hypot(input: Tensor, other: Tensor) -> Tensor:
    a, b = two_tensors("hypot", input, other)
    if not dtypes.is_floating(a.dtype):
        raise NotImplementedError(f"\"hypot_cpu\" not implemented for '{dtypes.torch_name(a.dtype)}'")
    return Hypot.apply(a, b)


class Copysign(Function):
    """|a| with the sign of b: the gradient is grad * out / a for a (0 where a == 0), 0 for b."""

    @staticmethod
    def forward(ctx, a, b):
        out = a.xp.copysign(a.array, b.array)
        ctx.ratio = a.xp.where(a.array == 0, 0, out / a.xp.where(a.array == 0, 1, a.array)).astype(out.dtype)
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        zero = Tensor(grad.xp.zeros_like(grad.array)) if ctx.needs_input_grad[1] else None
        return Masked.apply(grad, Tensor(ctx.ratio)) if ctx.needs_input_grad[0] else None, zero


@op(method=True, function=True, inplace="copysign_", inputs=2)
def copysign(input: Tensor, other: Any) -> Tensor:
    """The magnitude of ``input`` with the sign of ``other`` (a tensor or a number; -0.0 counts)."""
    expect_tensor("copysign", "input", 1, input)
    return Copysign.apply(*promote(input, other, floating=True))


class Xlogy(Function):
    """``x * log(y)``, 0 where x == 0 (unless y is NaN), so 0 log 0 is 0; the gradients are
    ``xlogy(x != 0, y)`` for x and x / y for y, as in PyTorch."""

    @staticmethod
    def forward(ctx, x, y):
        xp = x.xp
        ctx.save_for_backward(x, y)
        zero = (x.array == 0) & ~xp.isnan(y.array)
        with_log = x.array * xp.log(xp.where(zero, 1, y.array))
        return Tensor(xp.where(zero, 0, with_log).astype(with_log.dtype))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        nonzero = Tensor((x.array != 0).astype(x.dtype))
        return grad * Xlogy.apply(nonzero, y) if need_x else None, grad * x / y if need_y else None


@op(method=True, function=True, inplace="xlogy_", inputs=2, domain={"positive": True})
def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, 0 where ``input`` is 0; either may be a number."""
    return Xlogy.apply(*promote(input, other, floating=True))


class Logit(Function):
    """log(p / (1 - p)) of p clamped to [eps, 1 - eps]; the gradient is 1 / (p (1 - p)), 0 outside
    [eps, 1 - eps] when ``eps`` is given and NaN outside [0, 1] when not (PyTorch's rule)."""

    @staticmethod
    def forward(ctx, a, eps):
        ctx.save_for_backward(a)
        ctx.eps = eps
        p = a.array if eps is None else a.xp.clip(a.array, eps, 1 - eps)
        return Tensor(a.xp.log(p / (1 - p)))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        lo, hi = (0.0, 1.0) if ctx.eps is None else (ctx.eps, 1 - ctx.eps)
        outside = Tensor((a.array < lo) | (a.array > hi))
        return where(outside, float("nan") if ctx.eps is None else 0.0, grad / (a * (1 - a))), None


@op(method=True, function=True, inplace="logit_", inputs=1, domain={"min_value": 0.05, "max_value": 0.95})
def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """The inverse of sigmoid; ``eps`` clamps the input to [eps, 1 - eps] first."""
    return Logit.apply(floating("logit", input), eps)


class Lerp(Function):
    """``a + w (b - a)``, computed as ``b - (b - a)(1 - w)`` for w >= 0.5 (exact at w = 1, as in
    PyTorch); the gradients are grad (1 - w), grad w and grad (b - a)."""

    @staticmethod
    def forward(ctx, a, b, w):
        xp = a.xp
        weight = w.array if isinstance(w, Tensor) else w
        ctx.save_for_backward(a, b, w if isinstance(w, Tensor) else None)
        ctx.weight = w
        diff = b.array - a.array
        return Tensor(xp.where(weight < 0.5, a.array + weight * diff, b.array - diff * (1 - weight)))

    @staticmethod
    def backward(ctx, grad):
        a, b, w = ctx.saved_tensors
        w = ctx.weight if w is None else w
        need_a, need_b, need_w = ctx.needs_input_grad
        return (
            grad * (1 - w) if need_a else None,
            grad * w if need_b else None,
            grad * (b - a) if need_w else None,
        )


@op(method=True, function=True, inplace="lerp_", inputs=3)
def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """Linear interpolation from ``input`` to ``end`` by ``weight`` (a number or a tensor); all
    tensors must share one floating dtype, as in PyTorch."""
    expect_tensor("lerp", "input", 1, input)
    expect_tensor("lerp", "end", 2, end)
    for name, other in (("end", end), ("weight", weight)):
        if isinstance(other, Tensor) and other.dtype != input.dtype:
            raise RuntimeError(
                f"expected dtype {dtypes.torch_name(input.dtype).lower()} for `{name}` but got dtype "
                f"{dtypes.torch_name(other.dtype).lower()}"
            )
    if not dtypes.is_floating(input.dtype):
        raise NotImplementedError(
            f"\"lerp_kernel_scalar\" not implemented for '{dtypes.torch_name(input.dtype)}'"
        )
    return Lerp.apply(input, end, weight)


@op(method=True, function=True, inplace="addcmul_", inputs=3)
def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Scalar = 1) -> Tensor:
    """``input + value * tensor1 * tensor2``."""
    product = mul(tensor1, tensor2)
    if product.dtype.kind == "b" or getattr(input, "dtype", None) == dtypes.bool_:
        raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")
    integral = not dtypes.is_floating(promote(input, product)[0].dtype)
    return add(input, product, alpha=int(value) if integral or isinstance(value, bool) else value)


@op(method=True, function=True, inplace="addcdiv_", inputs=3, domain={"away_from_zero": 0.5})
def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Scalar = 1) -> Tensor:
    """``input + value * tensor1 / tensor2`` (true division); integer ``tensor1`` and ``tensor2``
    are refused, as in PyTorch."""
    if not (dtypes.is_floating(tensor1.dtype) or dtypes.is_floating(tensor2.dtype)):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
            "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
            "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
            "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
            "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
            "for all dtypes."
        )
    return add(input, tensor1 / tensor2, alpha=value)


@op(method=True, function=True, inplace="clamp_min_", inputs=2)
def clamp_min(input: Tensor, min: Any) -> Tensor:
    """``clamp(input, min=min)``."""
    expect_tensor("clamp_min", "input", 1, input)
    return clamp(input, min=min)


@op(method=True, function=True, inplace="clamp_max_", inputs=2)
def clamp_max(input: Tensor, max: Any) -> Tensor:
    """``clamp(input, max=max)``."""
    expect_tensor("clamp_max", "input", 1, input)
    return clamp(input, max=max)


@op(method=True, function=True, inplace="nan_to_num_", inputs=1)
def nan_to_num(
    input: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    """NaN, +inf and -inf replaced (by 0 and the dtype's largest and smallest finite values unless
    given); the gradient passes where the input is finite."""
    expect_tensor("nan_to_num", "input", 1, input)
    if not dtypes.is_floating(input.dtype):
        return Tensor(input.array.copy())
    x = input.array
    replaced = Tensor(input.xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf))
    return where(Tensor(input.xp.isfinite(x)), input, replaced)
