"""Norms: ``linalg.vector_norm``, ``linalg.matrix_norm`` and ``norm``, as PyTorch's.

A p-norm's gradient is ``x |x|^(p-2) / norm^(p-1)``, taken as 0 where the norm is 0 (PyTorch's
subgradient, so the 2-norm of a zero vector has gradient 0, not NaN); the 1-norm takes abs's
gradient and the inf-norms amax's (shared evenly between ties). Matrix norms are the Frobenius
norm and the max/min absolute column (1) or row (inf) sums; the singular-value norms ('nuc', 2,
-2) are not here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad._checks import is_real, normalize_dim
from minigrad.autograd.function import Function
from minigrad.ops.elementwise import cast, sign, where
from minigrad.ops.reduce_args import numpy_aliases, reduced_dims
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


def _name(dtype: Any) -> str:
    return dtypes.torch_name(np.dtype(dtype)).removesuffix("Tensor")


def _floating_input(name: str, a: Tensor, dtype: Any) -> Tensor:
    if not dtypes.is_floating(a.dtype):
        raise RuntimeError(
            f"linalg.{name}: Expected a floating point or complex tensor as input. Got {_name(a.dtype)}"
        )
    if dtype is None:
        return a
    if not dtypes.is_floating(dtype):
        raise RuntimeError(
            f"linalg.{name}: dtype should be floating point or complex, but got {_name(dtype)}"
        )
    if np.dtype(dtype).itemsize < a.dtype.itemsize:
        raise RuntimeError(
            f"linalg.{name}: the dtype of the input ({_name(a.dtype)}) should be convertible without "
            f"narrowing to the specified dtype ({_name(dtype)})"
        )
    return cast(a, dtype)


class PNorm(Function):
    """``(sum |x|^p)^(1/p)`` over ``dims`` for a real ``p`` other than 0, 1 and +-inf."""

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        xp, a = x.xp, x.array
        with np.errstate(divide="ignore"):  # 0 ** p is inf for p < 0, as in PyTorch
            total = (a * a if p == 2 else xp.abs(a) ** p).sum(axis=dims, keepdims=True)
        kept = xp.sqrt(total) if p == 2 else total ** (1 / p)
        out = Tensor(kept if keepdim else kept.reshape([s for i, s in enumerate(x.shape) if i not in dims]))
        ctx.p, ctx.kept = p, kept.shape
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, norm = ctx.saved_tensors
        p, norm = ctx.p, norm.reshape(ctx.kept)
        zero = Tensor(norm.array == 0)
        scale = where(zero, 0.0, grad.reshape(ctx.kept) / where(zero, 1.0, norm) ** (p - 1))
        if p == 2:
            return x * scale, None, None, None
        at_zero = Tensor(x.array == 0)  # sign(x) |x|^(p-1), 0 at x = 0 for every p
        return sign(x) * where(at_zero, 1.0, x.abs()) ** (p - 1) * scale, None, None, None


def _inf_norm(a: Tensor, ord: float, dims: tuple[int, ...], keepdim: bool, whole: bool) -> Tensor:
    """max |x| (ord inf) or min |x| (-inf); over nothing there is no identity, as PyTorch says."""
    name = "inf" if ord > 0 else "-inf"
    for d in dims if not whole else ():
        if a.shape[d] == 0:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {name} norm on the dimension {d} because this "
                "dimension is empty and the operation does not have an identity"
            )
    if whole and a.numel() == 0:
        raise RuntimeError(
            f"linalg.vector_norm cannot compute the {name} norm on an empty tensor because the "
            "operation does not have an identity"
        )
    return (a.abs().amax if ord > 0 else a.abs().amin)(dims, keepdim=keepdim)


@op(linalg="vector_norm")
@numpy_aliases
def vector_norm(
    x: Tensor, ord: float = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """The ``ord``-norm of ``x`` over ``dim`` (all of it when None), in ``dtype`` if given."""
    if not is_real(ord):
        raise TypeError(
            f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not {type(ord).__name__}"
        )
    a = _floating_input("vector_norm", x, dtype)
    dims = reduced_dims(dim, a.ndim)
    if math.isinf(ord):
        return _inf_norm(a, ord, dims, keepdim, dim is None or dim in ((), []))
    if ord == 0:  # how many entries are not 0; the gradient is 0 (sign's)
        return where(Tensor(a.array != 0), sign(a) * 0 + 1, 0.0).sum(dims, keepdim)
    if ord == 1:
        return a.abs().sum(dims, keepdim)
    return PNorm.apply(a, float(ord), dims, keepdim)


def _matrix_dims(a: Tensor, dim: Any) -> tuple[int, int]:
    if a.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim!r}")
    rows, cols = (normalize_dim(d, a.ndim) for d in dim)
    if rows == cols:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    return rows, cols


@op(linalg="matrix_norm")
@numpy_aliases
def matrix_norm(
    A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """The Frobenius norm, or the largest (ord 1, inf) or smallest (-1, -inf) absolute column (1)
    or row (inf) sum, of the matrices in the dims ``dim``."""
    a = _floating_input("matrix_norm", A, dtype)
    rows, cols = _matrix_dims(a, dim)
    if ord == "fro":
        return vector_norm(a, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} needs singular values, not supported yet")
    if not is_real(ord) or abs(ord) not in (1, math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    summed, across = (rows, cols) if abs(ord) == 1 else (cols, rows)
    sums = a.abs().sum(summed, keepdim=True)
    if sums.shape[across] == 0 and ord > 0:  # the largest of no sums is 0 (the smallest raises)
        out = sums.sum(across, keepdim=True)
    else:
        out = (sums.amax if ord > 0 else sums.amin)(across, keepdim=True)
    return out if keepdim else out.squeeze((rows, cols))


@op(method=True, function=True)
@numpy_aliases
def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """``torch.norm``: a vector norm for a number ``p`` (or 'fro' over at most two dims), else
    ``matrix_norm``."""
    if isinstance(p, str):
        if p == "fro" and (dim is None or not isinstance(dim, (tuple, list)) or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        return matrix_norm(input, p, tuple(range(input.ndim)) if dim is None else dim, keepdim, dtype=dtype)
    return vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype)
