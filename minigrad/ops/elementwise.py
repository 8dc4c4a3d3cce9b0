"""Elementwise ops: arithmetic, unary math, comparisons, ``where`` and casts.

Binary ops broadcast like NumPy and promote dtypes like PyTorch. Their backward rules return
gradients in the broadcast shape; the engine sums them back to each input's shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd.function import Function
from minigrad.tensor import Tensor

Scalar = int | float | bool


def _meta(x: Any) -> tuple[Any, int]:
    if isinstance(x, Tensor):
        return x.dtype, x.ndim
    if isinstance(x, (np.ndarray, np.generic)):
        return x.dtype, x.ndim
    if isinstance(x, (bool, int, float)):
        return type(x), 0
    raise TypeError(f"unsupported operand type {type(x).__name__}; expected a Tensor or a number")


def promote(*operands: Any, floating: bool = False) -> list[Tensor]:
    """Operands as tensors of one dtype (PyTorch's promotion) on the device of the first tensor.

    ``floating=True`` moves integer results to the default float dtype (true division).
    """
    first = operands[0]
    if isinstance(first, Tensor) and all(isinstance(x, Tensor) and x.dtype == first.dtype for x in operands):
        if not floating or dtypes.is_floating(first.dtype):
            return list(operands)
    dtype = dtypes.result_type(*(_meta(x) for x in operands))
    if floating and not dtypes.is_floating(dtype):
        dtype = dtypes.get_default_dtype()
    like = next(x for x in operands if isinstance(x, Tensor))
    out = []
    for x in operands:
        if isinstance(x, Tensor):
            out.append(x if x.dtype == dtype else x.to(dtype))
        elif isinstance(x, np.ndarray):
            out.append(Tensor(like.xp.asarray(x, dtype=dtype)))
        else:
            out.append(Tensor(like.xp.full((), x, dtype=dtype)))
    return out


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
        ctx.save_for_backward(a, b)
        return Tensor(a.array * b.array)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return Tensor(a.array / b.array)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad / b, -grad * a / (b * b)


class Pow(Function):
    """``a ** b`` for two tensors: d/da = b a^(b-1), d/db = a^b log a (0 where a == 0)."""

    @staticmethod
    def forward(ctx, a, b):
        out = Tensor(a.array**b.array)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        grad_a = grad * b * a ** (b - 1) if ctx.needs_input_grad[0] else None
        grad_b = None
        if ctx.needs_input_grad[1]:
            safe_a = where(a == 0, 1.0, a)
            grad_b = grad * out * safe_a.log()
        return grad_a, grad_b


class PowScalar(Function):
    """``a ** p`` for a constant exponent ``p``: the gradient is p a^(p-1)."""

    @staticmethod
    def forward(ctx, a, p):
        ctx.save_for_backward(a)
        ctx.p = p
        return Tensor(a.array**p)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        if ctx.p == 0:
            return grad * 0, None
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


class Tanh(Function):
    @staticmethod
    def forward(ctx, a):
        out = Tensor(a.xp.tanh(a.array))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


class Sigmoid(Function):
    """1 / (1 + e^-a), computed without overflow for large negative ``a``."""

    @staticmethod
    def forward(ctx, a):
        xp = a.xp
        e = xp.exp(-xp.abs(a.array))
        out = Tensor(xp.where(a.array >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class Masked(Function):
    """``a * mask`` for a constant 0/1 ``mask``: the rule behind relu, abs, clamp and max ties."""

    @staticmethod
    def forward(ctx, a, mask):
        ctx.mask = mask
        return Tensor(a.array * mask.array)

    @staticmethod
    def backward(ctx, grad):
        return Masked.apply(grad, ctx.mask), None


def _mask(condition: Any, like: Tensor) -> Tensor:
    return Tensor(condition.astype(like.dtype))


class Relu(Function):
    """max(a, 0); the gradient passes where the output is positive (0 at 0, as in PyTorch)."""

    @staticmethod
    def forward(ctx, a):
        out = Tensor(a.xp.maximum(a.array, 0))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return Masked.apply(grad, _mask(out.array > 0, out))


def relu(a: Tensor) -> Tensor:
    return Relu.apply(a)


def abs(a: Tensor) -> Tensor:
    """|a|; the gradient is sign(a) (0 at 0), as in PyTorch."""
    return Masked.apply(a, Tensor(a.xp.sign(a.array)))


def clamp(a: Tensor, min: Scalar | Tensor | None = None, max: Scalar | Tensor | None = None) -> Tensor:
    """Limit values to ``[min, max]``; the gradient passes where ``min <= a <= max`` (bounds
    included, as in PyTorch), and goes to a tensor bound where ``a`` exceeds it. NaN stays NaN."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    out = a
    if min is not None:
        out = where(out.detach() < min, min, out)
    if max is not None:
        out = where(out.detach() > max, max, out)
    return out


class Where(Function):
    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.condition = condition
        return Tensor(a.xp.where(condition.array, a.array, b.array))

    @staticmethod
    def backward(ctx, grad):
        zero = grad.xp.zeros((), dtype=grad.dtype)
        c = ctx.condition
        return None, where(c, grad, Tensor(zero)), where(c, Tensor(zero), grad)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` holds, else ``b``; the gradient goes to the chosen side."""
    if not isinstance(condition, Tensor):
        like = a if isinstance(a, Tensor) else b
        condition = Tensor(like.xp.asarray(condition))
    a, b = promote(a, b) if isinstance(a, Tensor) or isinstance(b, Tensor) else (a, b)
    return Where.apply(condition.detach(), a, b)


class Extremum(Function):
    """``maximum``/``minimum`` of two tensors; ties split the gradient in half, as in PyTorch."""

    @staticmethod
    def forward(ctx, a, b, take_max):
        xp = a.xp
        a_wins = a.array > b.array if take_max else a.array < b.array
        b_wins = b.array > a.array if take_max else b.array < a.array
        tie = (a.array == b.array) * 0.5
        ctx.weight_a = Tensor((a_wins + tie).astype(a.dtype))
        ctx.weight_b = Tensor((b_wins + tie).astype(a.dtype))
        return Tensor((xp.maximum if take_max else xp.minimum)(a.array, b.array))

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.weight_a, grad * ctx.weight_b, None


def maximum(a: Any, b: Any) -> Tensor:
    return Extremum.apply(*promote(a, b), True)


def minimum(a: Any, b: Any) -> Tensor:
    return Extremum.apply(*promote(a, b), False)


class Cast(Function):
    @staticmethod
    def forward(ctx, a, dtype):
        ctx.source = a.dtype
        return Tensor(a.array.astype(dtype))

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.source), None


def cast(a: Tensor, dtype: Any) -> Tensor:
    dtype = np.dtype(dtype)
    if dtype == a.dtype:
        return a
    if a.requires_grad and not dtypes.is_floating(dtype):
        return Tensor(a.array.astype(dtype))
    return Cast.apply(a, dtype)


def add(a: Any, b: Any, alpha: Scalar = 1) -> Tensor:
    return Add.apply(*promote(a, b if alpha == 1 else b * alpha))


def sub(a: Any, b: Any, alpha: Scalar = 1) -> Tensor:
    return Sub.apply(*promote(a, b if alpha == 1 else b * alpha))


def mul(a: Any, b: Any) -> Tensor:
    return Mul.apply(*promote(a, b))


def div(a: Any, b: Any) -> Tensor:
    return Div.apply(*promote(a, b, floating=True))


def pow(a: Any, b: Any) -> Tensor:
    """``a ** b``; a constant Python exponent uses the simpler rule p a^(p-1)."""
    if isinstance(a, Tensor) and isinstance(b, (int, float)) and not isinstance(b, bool):
        if not dtypes.is_floating(a.dtype) and isinstance(b, float):
            a = a.to(dtypes.get_default_dtype())
        if not dtypes.is_floating(a.dtype) and b < 0:
            raise RuntimeError("pow: integers to negative integer powers are not allowed")
        return PowScalar.apply(a, b)
    return Pow.apply(*promote(a, b))


def exp(a: Tensor) -> Tensor:
    return Exp.apply(_floating(a))


def log(a: Tensor) -> Tensor:
    return Log.apply(_floating(a))


def sqrt(a: Tensor) -> Tensor:
    return Sqrt.apply(_floating(a))


def sin(a: Tensor) -> Tensor:
    return Sin.apply(_floating(a))


def cos(a: Tensor) -> Tensor:
    return Cos.apply(_floating(a))


def tanh(a: Tensor) -> Tensor:
    return Tanh.apply(_floating(a))


def sigmoid(a: Tensor) -> Tensor:
    return Sigmoid.apply(_floating(a))


def neg(a: Tensor) -> Tensor:
    return Neg.apply(a)


def _floating(a: Tensor) -> Tensor:
    return a if dtypes.is_floating(a.dtype) else a.to(dtypes.get_default_dtype())


def sign(a: Tensor) -> Tensor:
    """-1, 0 or 1 (not differentiable: its derivative is 0 almost everywhere)."""
    return Tensor(a.xp.sign(a.array))


def compare(op: str, a: Any, b: Any) -> Tensor:
    """Elementwise comparison giving a bool tensor (no gradient)."""
    x, y = promote(a, b)
    return Tensor(getattr(x.xp, op)(x.array, y.array))
