"""Elementwise ops: arithmetic, unary math, comparisons, ``where``, ``clamp`` and casts.

Binary ops broadcast like NumPy and promote dtypes like PyTorch. Their backward rules return
gradients in the broadcast shape; the engine sums them back to each input's shape. Each op
saves only the operands that the gradients of the inputs needing one use. NaN, ties and 0 ** 0
get PyTorch's values and gradients.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd.function import Function
from minigrad.ops.registry import op
from minigrad.tensor import Tensor

Scalar = int | float | bool


def _meta(x: Any) -> tuple[Any, bool]:
    """What promotion looks at: the dtype (or Python type) and whether there are dimensions."""
    if isinstance(x, Tensor):
        x = x._array
    elif not isinstance(x, (np.ndarray, np.generic)):
        if isinstance(x, (bool, int, float)):
            return type(x), False
        raise TypeError(f"unsupported operand type {type(x).__name__}; expected a Tensor or a number")
    return x.dtype, x.ndim > 0


def _constant(x: Any, dtype: np.dtype, xp: Any) -> Tensor:
    """A number (or NumPy array) as a tensor of ``dtype``; integers wrap around as in PyTorch."""
    try:
        return Tensor(xp.asarray(x, dtype=dtype))
    except OverflowError:  # NumPy refuses uint8(300); PyTorch computes with 300 % 256
        return Tensor(xp.asarray(x).astype(dtype))


_promoted: dict[tuple, np.dtype] = {}  # promotion decided once per combination of operand kinds


def promote(*operands: Any, floating: bool = False, like: Tensor | None = None) -> list[Tensor]:
    """Operands as tensors of one dtype (PyTorch's promotion) on the device of the first tensor.

    ``floating=True`` moves integer results to the default float dtype (true division);
    ``like`` gives the device when no operand is a tensor.
    """
    key = (floating, dtypes.get_default_dtype(), *[_meta(x) for x in operands])
    dtype = _promoted.get(key)
    if dtype is None:
        dtype = dtypes.result_type(*key[2:])
        if floating and not dtypes.is_floating(dtype):
            dtype = dtypes.get_default_dtype()
        _promoted[key] = dtype
    xp = None
    out = []
    for x in operands:
        if not isinstance(x, Tensor):
            xp = xp or next((t for t in operands if isinstance(t, Tensor)), like).xp
            x = _constant(x, dtype, xp)
        elif x._array.dtype != dtype:
            x = cast(x, dtype)
        out.append(x)
    return out


def _is_bool(x: Any) -> bool:
    return x is True or x is False or (isinstance(x, Tensor) and x.dtype.kind == "b")


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        return Tensor(a.array + b.array)

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        return Tensor(a.array - b.array)

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return Tensor(a.array * b.array)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return grad * b if need_a else None, grad * a if need_b else None


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        return Tensor(a.array / b.array)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return grad / b if need_a else None, -grad * a / (b * b) if need_b else None


class Pow(Function):
    """``a ** b`` for two tensors: d/da = b a^(b-1) (0 where b == 0), d/db = a^b log a (0 where
    a == 0 and b >= 0), as PyTorch's."""

    @staticmethod
    def forward(ctx, a, b):
        x, y = a.array, b.array
        if dtypes.is_floating(a.dtype):
            out = Tensor(x**y)
        else:  # an integer to a negative power is 0 unless it is 1 or -1, as PyTorch's (NumPy raises)
            out = Tensor(a.xp.where((y < 0) & (a.xp.abs(x) != 1), 0, x ** a.xp.abs(y)).astype(a.dtype))
        ctx.save_for_backward(a, b, out if ctx.needs_input_grad[1] else None)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            constant = Tensor(b.array == 0)
            grad_a = where(constant, 0.0, grad * b * a ** where(constant, 1.0, b - 1))
        if ctx.needs_input_grad[1]:
            flat = Tensor((a.array == 0) & (b.array >= 0))
            grad_b = grad * out * where(flat, 1.0, a).log()
        return grad_a, grad_b


class PowScalar(Function):
    """``a ** p`` for a constant exponent ``p``: the gradient is p a^(p-1), and 0 for p == 0."""

    @staticmethod
    def forward(ctx, a, p):
        ctx.save_for_backward(a if p != 0 else None)
        ctx.p = p
        return Tensor((a.array**p).astype(a.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        if ctx.p == 0:
            return Tensor(grad.xp.zeros_like(grad.array)), None
        return grad * ctx.p * a ** (ctx.p - 1), None


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return Tensor(-a.array)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Exp(Function):
    @staticmethod
    def forward(ctx, a):
        out = Tensor(a.xp.exp(a.array))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return Tensor(a.xp.log(a.array))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a


class Sqrt(Function):
    @staticmethod
    def forward(ctx, a):
        out = Tensor(a.xp.sqrt(a.array))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class Sin(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return Tensor(a.xp.sin(a.array))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.cos()


class Cos(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return Tensor(a.xp.cos(a.array))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return -grad * a.sin()


class Masked(Function):
    """``a * mask`` for a constant ``mask``: the rule behind relu, abs and maximum's ties."""

    @staticmethod
    def forward(ctx, a, mask):
        ctx.mask = mask
        return Tensor(a.array * mask.array)

    @staticmethod
    def backward(ctx, grad):
        return Masked.apply(grad, ctx.mask), None


def _sign(a: Tensor) -> Any:
    """-1, 0 or 1 per element, and 0 at NaN (PyTorch's sign; NumPy's gives NaN)."""
    return a.xp.where(a.array == a.array, a.xp.sign(a.array), 0).astype(a.dtype, copy=False)


class Abs(Function):
    """|a|; the gradient is sign(a), so 0 at 0 and at NaN, as in PyTorch."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return Tensor(a.xp.abs(a.array))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return Masked.apply(grad, Tensor(_sign(a)))


@op(method=("abs", "__abs__"), function=True)
def abs(a: Tensor) -> Tensor:
    return Abs.apply(a)


class Sign(Function):
    """-1, 0 or 1 (0 at NaN); its gradient is 0 everywhere."""

    @staticmethod
    def forward(ctx, a):
        return Tensor(_sign(a))

    @staticmethod
    def backward(ctx, grad):
        return Tensor(grad.xp.zeros_like(grad.array))


@op(method=True, function=True)
def sign(a: Tensor) -> Tensor:
    return Sign.apply(a)


class Clamp(Function):
    """min(max(a, low), high), NaN kept: the gradient goes to ``a`` where low <= a <= high, else
    to the bound that was taken (PyTorch's rule, ties and all)."""

    @staticmethod
    def forward(ctx, a, low, high):
        ctx.save_for_backward(a, low, high)
        out = a.array
        if low is not None:
            out = a.xp.maximum(out, low.array)
        if high is not None:
            out = a.xp.minimum(out, high.array)
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        a, low, high = ctx.saved_tensors
        x, lo, hi = a.array, None if low is None else low.array, None if high is None else high.array
        above = True if lo is None else x >= lo
        below = True if hi is None else x <= hi
        grads = [where(Tensor(above & below), grad, 0.0) if ctx.needs_input_grad[0] else None, None, None]
        if ctx.needs_input_grad[1]:
            grads[1] = where(Tensor((x < lo) & (True if hi is None else lo < hi)), grad, 0.0)
        if ctx.needs_input_grad[2]:
            grads[2] = where(Tensor((x > hi) | (False if lo is None else hi < lo)), grad, 0.0)
        return tuple(grads)


@op(method=("clamp", "clip"), function=True, inplace="clamp_")
def clamp(a: Tensor, min: Scalar | Tensor | None = None, max: Scalar | Tensor | None = None) -> Tensor:
    """Limit values to ``[min, max]`` (NaN stays NaN); the bounds take part in promotion."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    bounds = [b for b in (min, max) if b is not None]
    a, *bounds = promote(a, *bounds)
    low = bounds.pop(0) if min is not None else None
    return Clamp.apply(a, low, bounds[0] if max is not None else None)


class Where(Function):
    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        return Tensor(a.xp.where(condition.array, a.array, b.array))

    @staticmethod
    def backward(ctx, grad):
        (c,) = ctx.saved_tensors
        zero = Tensor(grad.xp.zeros((), dtype=grad.dtype))
        need_a, need_b = ctx.needs_input_grad[1:]
        return None, where(c, grad, zero) if need_a else None, where(c, zero, grad) if need_b else None


@op(function=True)
def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` holds, else ``b``; the gradient goes to the chosen side."""
    if not isinstance(condition, Tensor):
        like = a if isinstance(a, Tensor) else b
        condition = Tensor(like.xp.asarray(condition))
    return Where.apply(condition, *promote(a, b, like=condition))


class MaximumMinimum(Function):
    """``maximum``/``minimum``: the gradient goes to the winner, half to each at a tie and all to
    both where one is NaN, as in PyTorch."""

    @staticmethod
    def forward(ctx, a, b, take_max):
        ctx.save_for_backward(a, b)
        ctx.take_max = take_max
        return Tensor((a.xp.maximum if take_max else a.xp.minimum)(a.array, b.array))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        x, y = (a.array, b.array) if ctx.take_max else (b.array, a.array)
        share = 1 - 0.5 * (x == y)
        need_a, need_b = ctx.needs_input_grad[:2]
        grad_a = Masked.apply(grad, Tensor((share * ~(x < y)).astype(grad.dtype))) if need_a else None
        grad_b = Masked.apply(grad, Tensor((share * ~(y < x)).astype(grad.dtype))) if need_b else None
        return grad_a, grad_b, None


def _tensors(name: str, a: Any, b: Any) -> list[Tensor]:
    for position, (arg, x) in enumerate((("input", a), ("other", b)), 1):
        if not isinstance(x, Tensor):
            raise TypeError(
                f"{name}(): argument '{arg}' (position {position}) must be Tensor, not {type(x).__name__}"
            )
    return promote(a, b)


@op(method=True, function=True)
def maximum(a: Tensor, b: Tensor) -> Tensor:
    return MaximumMinimum.apply(*_tensors("maximum", a, b), True)


@op(method=True, function=True)
def minimum(a: Tensor, b: Tensor) -> Tensor:
    return MaximumMinimum.apply(*_tensors("minimum", a, b), False)


class Cast(Function):
    @staticmethod
    def forward(ctx, a, dtype):
        ctx.source = a.dtype
        return Tensor(a.array.astype(dtype))

    @staticmethod
    def backward(ctx, grad):
        return cast(grad, ctx.source), None


def cast(a: Tensor, dtype: Any) -> Tensor:
    dtype = np.dtype(dtype)
    if dtype == a.dtype:
        return a
    if a.requires_grad and not dtypes.is_floating(dtype):
        return Tensor(a.array.astype(dtype))
    return Cast.apply(a, dtype)


@op(method=("add", "__add__"), reflected="__radd__", inplace=("add_", "__iadd__"), inputs=2)
def add(a: Any, b: Any, alpha: Scalar = 1) -> Tensor:
    return Add.apply(*promote(a, b if alpha == 1 else b * alpha))


@op(method=("sub", "__sub__"), reflected="__rsub__", inplace=("sub_", "__isub__"), inputs=2)
def sub(a: Any, b: Any, alpha: Scalar = 1) -> Tensor:
    if _is_bool(a) or _is_bool(b):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
            if _is_bool(a) and _is_bool(b)
            else "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return Sub.apply(*promote(a, b if alpha == 1 else b * alpha))


@op(method=("mul", "__mul__"), reflected="__rmul__", inplace=("mul_", "__imul__"), inputs=2)
def mul(a: Any, b: Any) -> Tensor:
    return Mul.apply(*promote(a, b))


@op(method=("div", "__truediv__"), reflected="__rtruediv__", inplace=("div_", "__itruediv__"))
def div(a: Any, b: Any) -> Tensor:
    """True division: integers divide to the default float dtype."""
    return Div.apply(*promote(a, b, floating=True))


@op(method=("pow", "__pow__"), reflected="__rpow__")
def pow(a: Any, b: Any) -> Tensor:
    """``a ** b``; a constant Python exponent uses the simpler rule p a^(p-1)."""
    if isinstance(a, Tensor) and isinstance(b, (bool, int, float)):
        a = cast(a, dtypes.result_type(_meta(a), _meta(b)))
        if not dtypes.is_floating(a.dtype) and b < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return PowScalar.apply(a, b)
    a, b = promote(a, b)
    if a.dtype.kind == "b":
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    return Pow.apply(a, b)


@op(method=True, function=True, inputs=1)
def exp(a: Tensor) -> Tensor:
    return Exp.apply(_floating(a))


@op(method=True, function=True, inputs=1, domain={"positive": True})
def log(a: Tensor) -> Tensor:
    return Log.apply(_floating(a))


@op(method=True, function=True, inputs=1, domain={"positive": True})
def sqrt(a: Tensor) -> Tensor:
    return Sqrt.apply(_floating(a))


@op(method=True, function=True, inputs=1)
def sin(a: Tensor) -> Tensor:
    return Sin.apply(_floating(a))


@op(method=True, function=True, inputs=1)
def cos(a: Tensor) -> Tensor:
    return Cos.apply(_floating(a))


@op(method=("neg", "__neg__"), inputs=1)
def neg(a: Tensor) -> Tensor:
    if _is_bool(a):
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert "
            "a mask, use the `~` or `logical_not()` operator instead."
        )
    return Neg.apply(a)


def _floating(a: Tensor) -> Tensor:
    return a if dtypes.is_floating(a.dtype) else cast(a, dtypes.get_default_dtype())


def compare(name: str, a: Any, b: Any) -> Tensor:
    """Elementwise comparison giving a bool tensor (no gradient), in the promoted dtype."""
    x, y = promote(a, b)
    return Tensor(getattr(x.xp, name)(x.array, y.array))


def _comparison(name: str) -> Any:
    def comparison(a: Any, b: Any) -> Tensor:
        return compare(name, a, b)

    comparison.__name__ = name
    return comparison


for _name, _methods in {
    "equal": ("__eq__", "eq"),
    "not_equal": "__ne__",
    "less": "__lt__",
    "less_equal": "__le__",
    "greater": "__gt__",
    "greater_equal": "__ge__",
}.items():
    op(method=_methods)(_comparison(_name))

op(method="__pos__")(lambda a: a)
op(method="float")(lambda a: cast(a, np.float32))
op(method="double")(lambda a: cast(a, np.float64))
op(method="long")(lambda a: cast(a, np.int64))
op(method="bool")(lambda a: cast(a, np.bool_))
op(method="type_as")(lambda a, other: cast(a, other.dtype))
