"""Activations, each with its Function: ``relu``, ``sigmoid``, ``tanh``, ``softmax`` and ``log_softmax``.

``softmax`` and ``log_softmax`` are single ops that subtract the row maximum before ``exp``
(the result is the same, and logits in the thousands no longer overflow); their backward rules
use differentiable Tensor ops, so gradients of any order flow through them.
"""

from __future__ import annotations

from minigrad._checks import is_int
from minigrad.autograd.function import Function
from minigrad.ops.elementwise import Masked, _floating
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


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


@op(method=True, function=True, functional=True)
def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-input))`` elementwise."""
    return Sigmoid.apply(_floating(input))


@op(method=True, function=True, functional=True)
def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent elementwise."""
    return Tanh.apply(_floating(input))


class Softmax(Function):
    """exp(x) / sum(exp(x)); backward: y * (g - sum(g * y)), from the saved output y."""

    @staticmethod
    def forward(ctx, x, dim):
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
        shifted = x.array - x.array.max(axis=dim, keepdims=True)
        out = Tensor(shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True)))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - out.exp() * grad.sum(dim=ctx.dim, keepdim=True), None


@op(functional=True)
def softmax(input: Tensor, dim: int) -> Tensor:
    """``exp(x) / exp(x).sum(dim)``, computed without overflow.

    >>> import minigrad
    >>> softmax(minigrad.tensor([1000.0, 1000.0]), dim=0).tolist()
    [0.5, 0.5]
    """
    return Softmax.apply(input, _check_dim(input, dim))


@op(functional=True)
def log_softmax(input: Tensor, dim: int) -> Tensor:
    """``x - log(exp(x).sum(dim))``, computed without overflow.

    >>> import minigrad
    >>> log_softmax(minigrad.tensor([0.0, 1e4]), dim=0).tolist()
    [-10000.0, 0.0]
    """
    return LogSoftmax.apply(input, _check_dim(input, dim))


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
