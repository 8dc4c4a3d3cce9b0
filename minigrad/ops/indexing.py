"""Indexing: ``a[idx]``, its adjoint (scatter-add), differentiable ``a[idx] = v`` and ``gather``.

Reading ``a[idx]`` and adding into ``zeros[idx]`` are adjoint: each is the other's backward, so
gradients of any order follow. Repeated integer indices accumulate, as the chain rule requires.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd.function import Function
from minigrad.ops.shape import broadcast_shapes, normalize_dim
from minigrad.tensor import Tensor


def normalize_index(index: Any, a: Tensor) -> Any:
    """Turn tensors and lists inside an index into arrays of ``a``'s array module."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for item in items:
        if isinstance(item, Tensor):
            item = item.array
        elif isinstance(item, (list, np.ndarray)):
            item = a.xp.asarray(item)
        if hasattr(item, "dtype") and item.dtype.kind == "f":
            raise IndexError(f"index: tensors used as indices must be long, int or bool, got {item.dtype}")
        out.append(item)
    return tuple(out) if isinstance(index, tuple) or len(out) != 1 else out[0]


def is_basic(index: Any) -> bool:
    """True when ``index`` only holds ints, slices, None and Ellipsis (the result is a view)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, slice)) for i in items)


class _Index(Function):
    @staticmethod
    def forward(ctx, a, index):
        ctx.shape, ctx.index = a.shape, index
        return Tensor(a.array[index])

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, ctx.shape, ctx.index), None


class BasicIndex(_Index):
    """``a[ints, slices, None, ...]``: a view sharing ``a``'s storage."""

    is_view = True


class AdvancedIndex(_Index):
    """``a[integer or bool arrays]``: a copy."""


class IndexAdd(Function):
    """Scatter ``values`` into zeros of ``shape`` at ``index``, adding where indices repeat."""

    @staticmethod
    def forward(ctx, values, shape, index):
        ctx.index = index
        out = values.xp.zeros(shape, dtype=values.dtype)
        if is_basic(index):
            out[index] = values.array
        else:
            values.xp.add.at(out, index, values.array)
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        return getitem(grad, ctx.index), None, None


def getitem(a: Tensor, index: Any) -> Tensor:
    index = normalize_index(index, a)
    return (BasicIndex if is_basic(index) else AdvancedIndex).apply(a, index)


class SetItem(Function):
    """``a`` with ``a[index] = value``, as a new tensor (``__setitem__`` writes it back in place)."""

    @staticmethod
    def forward(ctx, a, value, index):
        ctx.index = index
        out = a.array.copy()
        out[index] = value.array
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        zero = Tensor(grad.xp.zeros((), dtype=grad.dtype))
        grad_a = SetItem.apply(grad, zero, ctx.index) if ctx.needs_input_grad[0] else None
        grad_value = getitem(grad, ctx.index) if ctx.needs_input_grad[1] else None
        return grad_a, grad_value, None


def setitem(a: Tensor, index: Any, value: Any) -> Tensor:
    """The value of ``a`` after ``a[index] = value`` (out of place)."""
    index = normalize_index(index, a)
    if not isinstance(value, Tensor):
        value = Tensor(a.xp.asarray(value, dtype=a.dtype))
    elif value.dtype != a.dtype:
        value = value.to(a.dtype)
    target = a.array[index].shape
    try:
        if broadcast_shapes(value.shape, target) != target:
            raise ValueError
    except ValueError:
        raise RuntimeError(
            f"setitem: shape mismatch: value of shape {value.shape} cannot be broadcast to indexing "
            f"result of shape {target}"
        ) from None
    return SetItem.apply(a, value, index)


def gather(a: Tensor, dim: int, index: Tensor) -> Tensor:
    """``out[i][j] = a[index[i][j]][j]`` along ``dim`` (torch.gather), built on integer indexing."""
    d = normalize_dim(dim, a.ndim)
    if index.ndim != a.ndim:
        raise RuntimeError(
            f"gather: index {index.shape} and input {a.shape} must have the same number of dimensions"
        )
    xp = a.xp
    grids = xp.ix_(*[xp.arange(s) for s in index.shape]) if index.ndim else ()
    full = tuple(index.array if i == d else g for i, g in enumerate(grids))
    return getitem(a, full)
