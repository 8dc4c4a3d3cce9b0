"""Matrix products: ``matmul`` with NumPy's rules for 1-D operands and batch broadcasting."""

from __future__ import annotations

from minigrad.autograd.function import Function
from minigrad.ops.elementwise import promote
from minigrad.ops.registry import op
from minigrad.ops.shape import broadcast_shapes
from minigrad.tensor import Tensor


class MatMul(Function):
    """``a @ b`` for operands with at least two dimensions: dA = G Bᵀ, dB = Aᵀ G."""

    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return Tensor(a.xp.matmul(a.array, b.array))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad @ b.mT if ctx.needs_input_grad[0] else None
        grad_b = a.mT @ grad if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


@op(method=("matmul", "mm", "__matmul__"), reflected="__rmatmul__", function=True)
def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product; a 1-D operand is a row (left) or column (right) vector that is dropped after."""
    a, b = promote(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"matmul: both arguments need at least 1 dimension, got shapes {a.shape} and {b.shape}"
        )
    k_a, k_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        raise RuntimeError(
            f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied ({k_a} != {k_b})"
        )
    batch_a, batch_b = a.shape[:-2], b.shape[:-2]
    try:
        broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise RuntimeError(
            f"matmul: batch dimensions of {a.shape} and {b.shape} are not broadcastable"
        ) from None
    out = MatMul.apply(a.unsqueeze(0) if a.ndim == 1 else a, b.unsqueeze(-1) if b.ndim == 1 else b)
    if a.ndim == 1:
        out = out.squeeze(-2)
    if b.ndim == 1:
        out = out.squeeze(-1)
    return out
