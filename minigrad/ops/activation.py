"""Activations as PyTorch has them: relu, sigmoid, tanh, the softmax family, gelu, elu, softplus ...

Each op is its formula written with minigrad ops, or, where that would be inexact (``log1p``,
``expm1``) or wrong at a kink, a ``Function`` whose backward is again written with minigrad ops,
so gradients of any order flow. At a kink the gradient is PyTorch's (``relu'(0) = 0``,
``hardtanh'`` is 0 at its bounds ...). ``softmax`` and ``log_softmax`` subtract the row maximum
before ``exp``, so logits in the thousands do not overflow.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad._checks import is_int
from minigrad.autograd.function import Function
from minigrad.ops import special
from minigrad.ops.elementwise import Masked, _floating, cast, where
from minigrad.ops.inplace import apply_inplace
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


def _float_only(name: str, input: Tensor) -> Tensor:
    """``input``, or PyTorch's NotImplementedError for an integer or bool tensor."""
    if not dtypes.is_floating(input.dtype):
        raise NotImplementedError(f"\"{name}\" not implemented for '{dtypes.torch_name(input.dtype)}'")
    return input


def _maybe_inplace(input: Tensor, inplace: bool, name: str, fn: Callable[[Tensor], Tensor]) -> Tensor:
    """``fn(input)``; with ``inplace`` written into ``input`` (recorded like every in-place op)."""
    return apply_inplace(input, name, fn) if inplace else fn(input)


# --- relu, sigmoid, tanh ----------------------------------------------------------------------


class Relu(Function):
    """max(a, 0); the gradient passes where the output is not <= 0 (so not at 0, but at NaN), as in PyTorch."""

    @staticmethod
    def forward(ctx, a):
        out = Tensor(a.xp.maximum(a.array, 0))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return Masked.apply(grad, Tensor((~(out.array <= 0)).astype(out.dtype)))


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


@op(method=True, function=True, inplace="relu_")
def relu(input: Tensor) -> Tensor:
    """``max(input, 0)`` elementwise."""
    return Relu.apply(input)


@op(functional="relu")
def functional_relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``F.relu``: ``Tensor.relu``, or ``Tensor.relu_`` when ``inplace``."""
    return input.relu_() if inplace else relu(input)


@op(method=True, function=True, functional=True, inplace="sigmoid_")
def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-input))`` elementwise."""
    return Sigmoid.apply(_floating(input))


@op(method=True, function=True, functional=True, inplace="tanh_")
def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent elementwise."""
    return Tanh.apply(_floating(input))


# --- piecewise-linear activations: leaky_relu, hardtanh, relu6, threshold, hardsigmoid ---------


class Piecewise(Function):
    """A function linear in pieces, given its values and its slope at each element (a constant),
    so the gradient at a kink is the slope PyTorch gives there."""

    @staticmethod
    def forward(ctx, a, value, slope):
        ctx.slope = slope
        return Tensor(value)

    @staticmethod
    def backward(ctx, grad):
        return Masked.apply(grad, ctx.slope), None, None


def _piecewise(x: Tensor, value: Any, slope: Any) -> Tensor:
    dtype = x.dtype
    return Piecewise.apply(x, value.astype(dtype, copy=False), Tensor(x.xp.asarray(slope).astype(dtype)))


@op(functional=True)
def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` where ``x > 0``, else ``negative_slope * x`` (the slope at 0 and at NaN too)."""

    def fn(x: Tensor) -> Tensor:
        a, xp = _float_only("leaky_relu", x).array, x.xp
        positive = a > 0
        return _piecewise(
            x, xp.where(positive, a, a * negative_slope), xp.where(positive, 1.0, negative_slope)
        )

    return _maybe_inplace(input, inplace, "leaky_relu_", fn)


@op(functional=True)
def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """``input`` clamped to ``[min_val, max_val]``; the gradient is 0 at the bounds, as PyTorch's."""
    if min_val > max_val:
        raise ValueError(f"min_val cannot be greater than max_val (got min_val={min_val}, max_val={max_val})")

    def fn(x: Tensor) -> Tensor:
        a, xp = x.array, x.xp
        inside = ~((a <= min_val) | (a >= max_val))
        return _piecewise(x, xp.minimum(xp.maximum(a, min_val), max_val), inside)

    return _maybe_inplace(input, inplace, "hardtanh_", fn)


@op(functional=True)
def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(input, 0), 6)``: ``hardtanh(input, 0, 6)``, as in PyTorch."""
    return hardtanh(input, 0.0, 6.0, inplace)


@op(function=True, functional=True)
def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``value`` where ``input <= threshold``, else ``input``."""

    def fn(x: Tensor) -> Tensor:
        below = x.array <= threshold
        return _piecewise(x, x.xp.where(below, value, x.array), ~below)

    return _maybe_inplace(input, inplace, "threshold_", fn)


_SIXTH = float(np.float32(1 / 6))  # PyTorch's slope: 1/6 as a float32 constant, in every dtype


@op(functional=True)
def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``; the gradient is 1/6 strictly between -3 and 3, else 0 (NaN too)."""

    def fn(x: Tensor) -> Tensor:
        a, xp = _float_only("hardsigmoid", x).array, x.xp
        return _piecewise(x, xp.minimum(xp.maximum(a + 3, 0), 6) / 6, ((a > -3) & (a < 3)) * _SIXTH)

    return _maybe_inplace(input, inplace, "hardsigmoid_", fn)


class Hardswish(Function):
    """``x * relu6(x + 3) / 6``; the gradient is 0 up to -3, ``x / 3 + 1/2`` below 3, and 1 from 3
    on (and at NaN), as PyTorch's."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        xp = a.xp
        return Tensor(a.array * xp.minimum(xp.maximum(a.array + 3, 0), 6) / 6)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        middle = where(Tensor(a.array < 3), grad * (a / 3 + 0.5), grad)
        return where(Tensor(a.array <= -3), 0.0, middle)


@op(functional=True)
def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6``, the cheap swish of MobileNetV3."""
    return _maybe_inplace(
        input, inplace, "hardswish_", lambda x: Hardswish.apply(_float_only("hardswish", x))
    )


# --- exponential activations: elu, celu, selu, softplus, logsigmoid ----------------------------


class Elu(Function):
    """``scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))``: elu, celu and selu in
    PyTorch's form; ``expm1`` keeps small negative values exact. The gradient takes the
    exponential side at 0 and the linear side at NaN, as PyTorch's."""

    @staticmethod
    def forward(ctx, a, alpha, scale, input_scale):
        ctx.save_for_backward(a)
        ctx.constants = alpha, scale, input_scale
        arr, xp = a.array, a.xp
        negative = alpha * xp.expm1(xp.minimum(arr, 0) * input_scale)  # min: no overflow where unused
        return Tensor((xp.where(arr > 0, arr, negative) * scale).astype(a.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.constants
        below = where(Tensor(a.array < 0), a, 0.0)  # 0 from 0 on: PyTorch's second derivative is 0 at 0
        negative = grad * (alpha * scale * input_scale) * (below * input_scale).exp()
        return where(Tensor(a.array <= 0), negative, grad * scale), None, None, None


@op(functional=True)
def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    return _maybe_inplace(input, inplace, "elu_", lambda x: Elu.apply(_float_only("elu", x), alpha, 1.0, 1.0))


@op(function=True, functional=True)
def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``: elu, continuously differentiable."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _maybe_inplace(
        input, inplace, "celu_", lambda x: Elu.apply(_float_only("celu", x), alpha, 1.0, 1.0 / alpha)
    )


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


@op(function=True, functional=True)
def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalizing constants of Klambauer et al. (2017)."""
    return _maybe_inplace(
        input, inplace, "selu_", lambda x: Elu.apply(_float_only("selu", x), SELU_ALPHA, SELU_SCALE, 1.0)
    )


class Softplus(Function):
    """``log(1 + exp(beta x)) / beta``, and ``x`` itself where ``beta x > threshold`` (PyTorch's
    switch to the linear function); the gradient is ``sigmoid(beta x)``, or 1 past the switch."""

    @staticmethod
    def forward(ctx, a, beta, threshold):
        ctx.save_for_backward(a)
        ctx.beta, ctx.threshold = beta, threshold
        arr, xp = a.array, a.xp
        scaled = arr * beta
        smooth = xp.log1p(xp.exp(xp.minimum(scaled, threshold))) / beta
        return Tensor(xp.where(scaled > threshold, arr, smooth).astype(a.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        linear = Tensor(a.array * ctx.beta > ctx.threshold)
        return where(linear, grad, grad * sigmoid(a * ctx.beta)), None, None


@op(functional=True)
def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """A smooth relu: ``log(1 + exp(beta * x)) / beta``, linear where ``beta * x > threshold``."""
    return Softplus.apply(_float_only("softplus", input), beta, threshold)


class LogSigmoid(Function):
    """``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))``, finite for any ``x``; the gradient is
    ``sigmoid(-x)``."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        arr, xp = a.array, a.xp
        return Tensor(xp.minimum(arr, 0) - xp.log1p(xp.exp(-xp.abs(arr))))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * sigmoid(-a)


@op(functional=True)
def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(input))`` without underflow for very negative inputs."""
    return LogSigmoid.apply(_float_only("log_sigmoid", input))


# --- smooth gates: gelu, silu, mish, softsign, tanhshrink, glu, prelu ---------------------------


class NormalCdf(Function):
    """``Phi(x) = (1 + erf(x / sqrt 2)) / 2``, the standard normal CDF; its gradient is the density."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return Tensor(0.5 * (1 + special.erf(a.array * (1 / math.sqrt(2)))))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (a * a * -0.5).exp() * (1 / math.sqrt(2 * math.pi))


@op(functional=True)
def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` (Phi the normal CDF), or its tanh approximation with ``approximate='tanh'``."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh (got {approximate!r}).")
    x = _float_only("gelu", input)
    if approximate == "tanh":
        return 0.5 * x * (1 + tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    return x * NormalCdf.apply(x)


@op(functional=True)
def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (swish)."""
    return _maybe_inplace(input, inplace, "silu_", lambda x: x * sigmoid(_float_only("silu", x)))


@op(functional=True)
def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``."""
    return _maybe_inplace(input, inplace, "mish_", lambda x: x * tanh(softplus(_float_only("mish", x))))


@op(functional=True)
def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``."""
    return input / (1 + input.abs())


@op(functional=True)
def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``."""
    return input - tanh(input)


@op(functional=True)
def glu(input: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit: ``a * sigmoid(b)`` for the two halves ``a, b`` of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _check_dim(input, dim)
    size = input.shape[d]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {size}")
    x = _float_only("glu", input)
    before = (slice(None),) * d
    return x[(*before, slice(0, size // 2))] * sigmoid(x[(*before, slice(size // 2, None))])


@op(method=True, function=True, functional=True)
def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``x`` where ``x > 0``, else ``weight * x``, one learnt slope per channel (dimension 1) or one for all."""
    x = _float_only("prelu", input)
    channels = x.shape[1] if x.ndim >= 2 else 1
    count = weight.numel()
    if count not in (1, channels):
        raise RuntimeError(
            "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
            f"{count} and channel size = {channels}."
        )
    slope = weight.reshape(()) if count == 1 else weight.reshape(-1, *[1] * (x.ndim - 2))
    return where(Tensor(x.array > 0), x, slope * x)


# --- softmax, log_softmax, softmin, normalize ---------------------------------------------------


class Softmax(Function):
    """exp(x) / sum(exp(x)); backward: y * (g - sum(g * y)), from the saved output y."""

    @staticmethod
    def forward(ctx, x, dim):
        if x.array.size == 0:  # e.g. a size-0 dim: nothing to normalize
            out = Tensor(x.array.copy())
        else:
            e = x.xp.exp(x.array - x.array.max(axis=dim, keepdims=True))
            out = Tensor(e / e.sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return out * (grad - (grad * out).sum(dim=ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    """x - log(sum(exp(x))); backward: g - exp(y) sum(g), from the saved output y."""

    @staticmethod
    def forward(ctx, x, dim):
        xp = x.xp
        if x.array.size == 0:
            out = Tensor(x.array.copy())
        else:
            shifted = x.array - x.array.max(axis=dim, keepdims=True)
            out = Tensor(shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True)))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - out.exp() * grad.sum(dim=ctx.dim, keepdim=True), None


def _implicit_dim(name: str, dim: int | None, ndim: int, stacklevel: int) -> int:
    """``dim``, or for ``None`` PyTorch's legacy choice (0 for 0-, 1- and 3-d inputs, else 1), with its warning."""
    if dim is not None:
        return dim
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
        "as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_input(name: str, input: Tensor, dtype: Any) -> Tensor:
    """``input`` cast to ``dtype`` first (PyTorch's way to softmax in higher precision); floating only."""
    return _float_only(name, input if dtype is None else cast(input, dtype))


@op(method="softmax", function="softmax")
def softmax_along(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """``torch.softmax`` and ``Tensor.softmax``: ``dim`` is required."""
    x = _softmax_input("softmax", input, dtype)
    return Softmax.apply(x, _check_dim(x, dim))


@op(method="log_softmax", function="log_softmax")
def log_softmax_along(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """``torch.log_softmax`` and ``Tensor.log_softmax``: ``dim`` is required."""
    x = _softmax_input("log_softmax", input, dtype)
    return LogSoftmax.apply(x, _check_dim(x, dim))


@op(functional=True)
def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``exp(x) / exp(x).sum(dim)``, computed without overflow.

    >>> import minigrad
    >>> softmax(minigrad.tensor([1000.0, 1000.0]), dim=0).tolist()
    [0.5, 0.5]
    """
    return softmax_along(input, _implicit_dim("softmax", dim, input.ndim, _stacklevel), dtype)


@op(functional=True)
def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``x - log(exp(x).sum(dim))``, computed without overflow.

    >>> import minigrad
    >>> log_softmax(minigrad.tensor([0.0, 1e4]), dim=0).tolist()
    [-10000.0, 0.0]
    """
    return log_softmax_along(input, _implicit_dim("log_softmax", dim, input.ndim, _stacklevel), dtype)


@op(functional=True)
def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``softmax(-input, dim)``."""
    return softmax_along(-input, _implicit_dim("softmin", dim, input.ndim, _stacklevel), dtype)


def _check_dim(input: Tensor, dim: int) -> int | None:
    """``dim`` as a non-negative axis (``None`` for a 0-d input), or a clear error."""
    if not is_int(dim):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    ndim = max(input.ndim, 1)
    if not -ndim <= dim < ndim:
        raise IndexError(
            f"dim {dim} is out of range for a tensor of shape {tuple(input.shape)} "
            f"(expected a value in [{-ndim}, {ndim - 1}])"
        )
    return int(dim) % input.ndim if input.ndim else None


def _vector_norm(x: Tensor, p: float, dim: int) -> Tensor:
    """``||x||_p`` along ``dim`` (kept); an all-zero slice has norm 0 and gradient 0, as PyTorch's norm."""
    if p == math.inf:
        return x.abs().amax(dim, keepdim=True)
    total = (x.abs() ** p).sum(dim, keepdim=True)
    nonzero = Tensor(total.array > 0)
    return where(nonzero, where(nonzero, total, 1.0) ** (1 / p), 0.0)


@op(functional=True)
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``: each slice scaled to unit ``p``-norm."""
    if out is not None:
        raise TypeError("normalize: out= is not supported; use the returned tensor")
    if not p > 0:
        raise ValueError(f"normalize: p must be positive, got {p}")
    d = _check_dim(input, dim)
    x = _float_only("normalize", input)
    return x / _vector_norm(x, p, d).clamp(min=eps)
