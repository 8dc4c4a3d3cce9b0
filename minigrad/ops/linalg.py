"""Matrix products: ``matmul`` with NumPy's rules for 1-D operands and batch broadcasting."""

from __future__ import annotations

from minigrad import dtypes
from minigrad.autograd.function import Function
from minigrad.ops.elementwise import promote
from minigrad.ops.registry import op
from minigrad.ops.shape import broadcast_shapes
from minigrad.tensor import Tensor

_C_NAMES = {
    "Half": "c10::Half",
    "Long": "long int",
    "Int": "int",
    "Short": "short int",
    "Char": "signed char",
}
_C_NAMES.update({"Byte": "unsigned char", "Float": "float", "Double": "double", "Bool": "bool"})


def c_name(t: Tensor) -> str:
    """The C++ name of a dtype, as some of PyTorch's messages spell it (``float``, ``double``)."""
    return _C_NAMES.get(dtypes.torch_name(t.dtype), str(t.dtype))


def check_dtypes(a: Tensor, b: Tensor) -> None:
    """PyTorch multiplies matrices of one dtype only; its message depends on the kernel the shapes pick."""
    if a.dtype == b.dtype:
        return
    name_a, name_b = dtypes.torch_name(a.dtype), dtypes.torch_name(b.dtype)
    if a.ndim == 1 and b.ndim == 1:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {name_a} and {name_b}")
    if b.ndim == 1:
        raise RuntimeError(
            f"addmv input tensors must have the same dtype, but got {name_b}, {name_a}, and {name_b}"
        )
    if b.ndim > 2:
        raise RuntimeError(f"expected scalar type {name_a} but found {name_b}")
    raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {c_name(a)} != {c_name(b)}")


class MatMul(Function):
    """``a @ b`` for operands with at least two dimensions: dA = G Bᵀ, dB = Aᵀ G."""

    node_name = "MmBackward0"  # PyTorch's name for this backward step

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


@op(method=("matmul", "__matmul__"), reflected="__rmatmul__", function=True)
def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product; a 1-D operand is a row (left) or column (right) vector that is dropped after.
    Both operands have one dtype, as in PyTorch (a NumPy array operand is promoted)."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        check_dtypes(a, b)
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
