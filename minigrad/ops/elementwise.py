"""Elementwise ops: arithmetic, the basic unary math, ``where``, ``clamp`` and casts.

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
from minigrad.backend import backend, get_array_module
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
            xp = xp or _array_module(operands, like)
            x = _constant(x, dtype, xp)
        elif x._array.dtype != dtype:
            x = cast(x, dtype)
        out.append(x)
    return out


def _array_module(operands: tuple, like: Tensor | None) -> Any:
    """The array module of the first tensor operand, else of ``like``, else of the default device
    (``minigrad.add(2, 3)`` gives a tensor there, as ``torch.add(2, 3)`` does)."""
    tensor = next((t for t in operands if isinstance(t, Tensor)), like)
    return tensor.xp if tensor is not None else backend().xp


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

    node_name = "PowBackward1"  # PyTorch's name for this backward step

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

    node_name = "PowBackward0"  # PyTorch's name for this backward step

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


def _sign(x: Any) -> Any:
    """-1, 0 or 1 per element of an array, and 0 at NaN (PyTorch's sign; NumPy's gives NaN)."""
    xp = get_array_module(x)
    if x.dtype.kind == "b":
        return x.copy()
    return xp.where(x == x, xp.sign(x), 0).astype(x.dtype, copy=False)


class Abs(Function):
    """|a|; the gradient is sign(a), so 0 at 0 and at NaN, as in PyTorch."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return Tensor(a.xp.abs(a.array))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return Masked.apply(grad, Tensor(_sign(a.array)))


@op(method=("abs", "__abs__"), function=True, inplace="abs_")
def abs(input: Tensor) -> Tensor:
    if _is_bool(input):
        raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
    return Abs.apply(input)


class Stepwise(Function):
    """``fn`` of the tensors' arrays for a piecewise-constant ``fn`` (sign, floor, a rounded
    quotient): the gradient is 0 everywhere, as PyTorch defines it."""

    @staticmethod
    def forward(ctx, fn, *tensors):
        return Tensor(fn(*[t.array for t in tensors]))

    @staticmethod
    def backward(ctx, grad):
        zero = Tensor(grad.xp.zeros_like(grad.array))
        return (None, *[zero if need else None for need in ctx.needs_input_grad[1:]])


@op(method=True, function=True, inplace="sign_")
def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 (0 at NaN); its gradient is 0 everywhere."""
    return Stepwise.apply(_sign, input)


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
def clamp(input: Tensor, min: Scalar | Tensor | None = None, max: Scalar | Tensor | None = None) -> Tensor:
    """Limit values to ``[min, max]`` (NaN stays NaN); the bounds take part in promotion."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    bounds = [b for b in (min, max) if b is not None]
    a, *bounds = promote(input, *bounds)
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
def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """``input`` where ``condition`` holds, else ``other`` (tensors or numbers); the gradient goes
    to the chosen side. ``where(condition)`` alone is the tuple of indices where it holds."""
    if not isinstance(condition, Tensor):
        like = next((x for x in (input, other) if isinstance(x, Tensor)), None)
        condition = Tensor(like.xp.asarray(condition) if like is not None else np.asarray(condition))
    if input is None and other is None:
        return tuple(
            [
                Tensor(i.astype(dtypes.int64))
                for i in condition.xp.nonzero(condition.xp.atleast_1d(condition.array))
            ]
        )
    if condition.dtype.kind not in "bu" or condition.dtype.itemsize != 1:
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{dtypes.torch_name(condition.dtype)}"
        )
    if input is None or other is None:
        raise TypeError("where(): expected both input and other, or neither")
    return Where.apply(condition.bool(), *promote(input, other, like=condition))


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


def expect_tensor(name: str, arg: str, position: int, x: Any) -> None:
    """PyTorch's TypeError for an argument that must be a tensor."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{name}(): argument '{arg}' (position {position}) must be Tensor, not {type(x).__name__}"
        )


def two_tensors(name: str, a: Any, b: Any) -> list[Tensor]:
    """``a`` and ``b``, both required to be tensors, promoted to one dtype."""
    expect_tensor(name, "input", 1, a)
    expect_tensor(name, "other", 2, b)
    return promote(a, b)


@op(method=True, function=True)
def maximum(input: Tensor, other: Tensor) -> Tensor:
    return MaximumMinimum.apply(*two_tensors("maximum", input, other), True)


@op(method=True, function=True)
def minimum(input: Tensor, other: Tensor) -> Tensor:
    return MaximumMinimum.apply(*two_tensors("minimum", input, other), False)


class Cast(Function):
    node_name = "ToCopyBackward0"  # PyTorch's name for this backward step

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


def _alpha(operand: Tensor, alpha: Scalar) -> Tensor:
    """``alpha * operand`` with PyTorch's checks: no float ``alpha`` for integer results, no bool
    ``alpha`` for non-bool ones (for bool ones, only whether ``alpha`` is nonzero counts)."""
    if operand.dtype.kind == "b":
        return operand if alpha else operand * False
    if alpha is True or alpha is False:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, float) and not dtypes.is_floating(operand.dtype):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    return operand if alpha == 1 else operand * alpha


@op(
    method=("add", "__add__"),
    function=True,
    reflected="__radd__",
    inplace=("add_", "__iadd__"),
    inputs=2,
)
def add(input: Any, other: Any, *, alpha: Scalar = 1) -> Tensor:
    """``input + alpha * other``."""
    a, b = promote(input, other)
    return Add.apply(a, _alpha(b, alpha))


@op(
    method=("sub", "subtract", "__sub__"),
    function=("sub", "subtract"),
    reflected="__rsub__",
    inplace=("sub_", "subtract_", "__isub__"),
    inputs=2,
)
def sub(input: Any, other: Any, *, alpha: Scalar = 1) -> Tensor:
    """``input - alpha * other``; bool tensors refuse, as in PyTorch."""
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
            if _is_bool(input) and _is_bool(other)
            else "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    a, b = promote(input, other)
    return Sub.apply(a, _alpha(b, alpha))


@op(
    method=("mul", "multiply", "__mul__"),
    function=("mul", "multiply"),
    reflected="__rmul__",
    inplace=("mul_", "multiply_", "__imul__"),
    inputs=2,
)
def mul(input: Any, other: Any) -> Tensor:
    return Mul.apply(*promote(input, other))


@op(method=("pow", "__pow__"), function=True, reflected="__rpow__", inplace=("pow_", "__ipow__"))
def pow(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent``; a constant Python exponent uses the simpler rule p a^(p-1)."""
    a, b = input, exponent
    if isinstance(a, Tensor) and isinstance(b, (bool, int, float)):
        a = cast(a, dtypes.result_type(_meta(a), _meta(b)))
        if not dtypes.is_floating(a.dtype) and b < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return PowScalar.apply(a, b)
    a, b = promote(a, b)
    if a.dtype.kind == "b":
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    return Pow.apply(a, b)


def _floating(a: Tensor) -> Tensor:
    return a if dtypes.is_floating(a.dtype) else cast(a, dtypes.get_default_dtype())


def floating(name: str, input: Any) -> Tensor:
    """The input of a floating-point op: a tensor, integers moved to the default float dtype."""
    expect_tensor(name, "input", 1, input)
    return _floating(input)


@op(method=True, function=True, inplace="exp_", inputs=1)
def exp(input: Tensor) -> Tensor:
    return Exp.apply(floating("exp", input))


@op(method=True, function=True, inplace="log_", inputs=1, domain={"positive": True})
def log(input: Tensor) -> Tensor:
    return Log.apply(floating("log", input))


@op(method=True, function=True, inplace="sqrt_", inputs=1, domain={"positive": True})
def sqrt(input: Tensor) -> Tensor:
    return Sqrt.apply(floating("sqrt", input))


@op(method=True, function=True, inplace="sin_", inputs=1)
def sin(input: Tensor) -> Tensor:
    return Sin.apply(floating("sin", input))


@op(method=True, function=True, inplace="cos_", inputs=1)
def cos(input: Tensor) -> Tensor:
    return Cos.apply(floating("cos", input))


@op(
    method=("neg", "negative", "__neg__"),
    function=("neg", "negative"),
    inplace=("neg_", "negative_"),
    inputs=1,
)
def neg(input: Tensor) -> Tensor:
    if _is_bool(input):
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert "
            "a mask, use the `~` or `logical_not()` operator instead."
        )
    return Neg.apply(input)


# --- casts ---------------------------------------------------------------------------------

_CASTS = {
    "float": dtypes.float32,
    "double": dtypes.float64,
    "half": dtypes.float16,
    "long": dtypes.int64,
    "int": dtypes.int32,
    "short": dtypes.int16,
    "char": dtypes.int8,
    "byte": dtypes.uint8,
    "bool": dtypes.bool_,
}


def _caster(dtype: np.dtype) -> Any:
    def method(self: Tensor) -> Tensor:
        return cast(self, dtype)

    method.__doc__ = f"A copy as {dtype} (the tensor itself when it is {dtype} already)."
    return method


for _name, _dtype in _CASTS.items():
    op(method=_name)(_caster(_dtype))

# PyTorch's legacy type names: 'torch.FloatTensor' and the rest
_TYPE_NAMES = {f"torch.{dtypes.torch_name(d)}Tensor": d for d in _CASTS.values()}


@op(method="type")
def type_(self: Tensor, dtype: Any = None, non_blocking: bool = False) -> Any:
    """Without ``dtype``, PyTorch's type name ('torch.FloatTensor'); else a cast to ``dtype`` or
    to a type name ('torch.cuda.DoubleTensor' moves to the GPU as well)."""
    prefix = "torch.cuda." if self.device.type == "cuda" else "torch."
    if dtype is None:
        return f"{prefix}{dtypes.torch_name(self.dtype)}Tensor"
    if isinstance(dtype, str):
        name = dtype.replace("torch.cuda.", "torch.")
        if name not in _TYPE_NAMES:
            raise ValueError(f"invalid type: '{dtype}'")
        return self.to("cuda" if dtype.startswith("torch.cuda.") else "cpu", _TYPE_NAMES[name])
    return cast(self, dtype)


op(method="__pos__")(lambda a: a)
op(method="type_as")(lambda a, other: cast(a, other.dtype))
