"""Indexing: ``a[idx]``, its adjoint (scatter-add), differentiable ``a[idx] = v`` and ``gather``.

Reading ``a[idx]`` and adding into ``zeros[idx]`` are adjoint: each is the other's backward, so
gradients of any order follow. Repeated integer indices accumulate, as the chain rule requires.
Index tensors are saved with their versions: modifying one before backward raises, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad._checks import normalize_dim
from minigrad.autograd.function import Function
from minigrad.backend import is_backend_array
from minigrad.ops.elementwise import cast
from minigrad.ops.registry import op
from minigrad.ops.shape import broadcast_shapes
from minigrad.tensor import Tensor


def normalize_index(index: Any, a: Tensor) -> Any:
    """``index`` with every integer or bool array in it (list, NumPy or CuPy array) as a Tensor on ``a``'s device."""
    out = []
    for item in _items(index):
        if isinstance(item, (int, slice, Tensor)) or item is None or item is Ellipsis:
            pass
        elif isinstance(item, (list, np.ndarray)):
            item = Tensor(a.xp.asarray(item))
        elif is_backend_array(item):
            item = Tensor(item)
        if isinstance(item, Tensor) and item.dtype.kind == "f":
            raise IndexError(f"index: tensors used as indices must be long, int or bool, got {item.dtype}")
        out.append(item)
    return tuple(out) if isinstance(index, tuple) or len(out) != 1 else out[0]


def as_arrays(index: Any) -> Any:
    """A normalized index as the array module takes it: each Tensor replaced by its array."""
    if isinstance(index, tuple):
        return tuple(i.array if isinstance(i, Tensor) else i for i in index)
    return index.array if isinstance(index, Tensor) else index


def _items(index: Any) -> tuple:
    return index if isinstance(index, tuple) else (index,)


def _save_index(ctx: Any, index: Any) -> None:
    """Keep ``index`` for backward, its tensors saved with their versions."""
    ctx.index = index
    tensors = [i for i in (index if isinstance(index, tuple) else (index,)) if isinstance(i, Tensor)]
    if tensors:
        ctx.save_for_backward(*tensors)


def _saved_index(ctx: Any) -> Any:
    """The index ``_save_index`` kept, its tensors unpacked again (which raises if one was modified
    in place since forward, as in PyTorch)."""
    items = _items(ctx.index)
    if not any(isinstance(i, Tensor) for i in items):
        return ctx.index
    tensors = iter(ctx.saved_tensors)
    items = tuple(next(tensors) if isinstance(i, Tensor) else i for i in items)
    return items if isinstance(ctx.index, tuple) else items[0]


def is_basic(index: Any) -> bool:
    """True when ``index`` only holds ints, slices, None and Ellipsis (the result is a view)."""
    return all(i is None or i is Ellipsis or isinstance(i, (int, slice)) for i in _items(index))


class BasicIndex(Function):
    """``a[ints, slices, None, ...]``: a view sharing ``a``'s storage."""

    is_view = True

    @staticmethod
    def forward(ctx, a, index):
        ctx.shape, ctx.index = a.shape, index
        return Tensor(a.array[index])

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, ctx.shape, ctx.index), None


class AdvancedIndex(Function):
    """``a[integer or bool arrays]``: a copy."""

    @staticmethod
    def forward(ctx, a, index):
        ctx.shape = a.shape
        _save_index(ctx, index)
        return Tensor(a.array[as_arrays(index)])

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, ctx.shape, _saved_index(ctx)), None


class IndexAdd(Function):
    """Scatter ``values`` into zeros of ``shape`` at ``index``, adding where indices repeat."""

    @staticmethod
    def forward(ctx, values, shape, index):
        _save_index(ctx, index)
        out = values.xp.zeros(shape, dtype=values.dtype)
        if is_basic(index):
            out[index] = values.array
        else:
            values.xp.add.at(out, as_arrays(index), values.array)
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        return getitem(grad, _saved_index(ctx)), None, None


@op(method="__getitem__")
def getitem(a: Tensor, index: Any) -> Tensor:
    index = normalize_index(index, a)
    return (BasicIndex if is_basic(index) else AdvancedIndex).apply(a, index)


class SetItem(Function):
    """``a`` with ``a[index] = value``, as a new tensor (``__setitem__`` writes it back in place)."""

    @staticmethod
    def forward(ctx, a, value, index):
        _save_index(ctx, index)
        out = a.array.copy()
        out[as_arrays(index)] = value.array
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        index = _saved_index(ctx)
        zero = Tensor(grad.xp.zeros((), dtype=grad.dtype))
        grad_a = SetItem.apply(grad, zero, index) if ctx.needs_input_grad[0] else None
        grad_value = getitem(grad, index) if ctx.needs_input_grad[1] else None
        return grad_a, grad_value, None


def setitem(a: Tensor, index: Any, value: Any) -> Tensor:
    """The value of ``a`` after ``a[index] = value`` (out of place)."""
    index = normalize_index(index, a)
    if not isinstance(value, Tensor):
        value = Tensor(a.xp.asarray(value, dtype=a.dtype))
    value = cast(value, a.dtype)
    target = a.array[as_arrays(index)].shape
    try:
        if broadcast_shapes(value.shape, target) != target:
            raise ValueError
    except ValueError:
        raise RuntimeError(
            f"setitem: shape mismatch: value of shape {value.shape} cannot be broadcast to indexing "
            f"result of shape {target}"
        ) from None
    return SetItem.apply(a, value, index)


@op(method=True, function=True)
def gather(a: Tensor, dim: int, index: Tensor) -> Tensor:
    """``out[i][j] = a[index[i][j]][j]`` along ``dim`` (torch.gather), built on integer indexing."""
    d = normalize_dim(dim, a.ndim)
    if index.ndim != a.ndim:
        raise RuntimeError(
            f"gather: index {index.shape} and input {a.shape} must have the same number of dimensions"
        )
    xp = a.xp
    grids = xp.ix_(*[xp.arange(s) for s in index.shape]) if index.ndim else ()
    full = tuple(index if i == d else g for i, g in enumerate(grids))
    return getitem(a, full)
