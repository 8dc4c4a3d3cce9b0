"""Indexing: ``a[idx]``, its adjoint (scatter-add), differentiable ``a[idx] = v`` and ``gather``.

Reading ``a[idx]`` and adding into ``zeros[idx]`` are adjoint: each is the other's backward, so
gradients of any order follow. Repeated integer indices accumulate, as the chain rule requires.
Index tensors are saved with their versions: modifying one before backward raises, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import dtypes
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


def check_indices(name: str, index: Tensor, size: int, dim: int, negative: bool = False) -> None:
    """Refuse indices outside ``[0, size)`` (``[-size, size)`` with ``negative``) along ``dim``, naming one."""
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int64 for index, got {dtypes.torch_name(index.dtype)}")
    if not index.numel():
        return
    bad = (index.array >= size) | (index.array < (-size if negative else 0))
    if bool(bad.any()):
        raise IndexError(
            f"{name}(): index {int(index.array[bad].reshape(-1)[0])} is out of bounds for dimension {dim} "
            f"with size {size}"
        )


def grid_index(a: Tensor, dim: int, index: Tensor) -> tuple:
    """The integer-array index that pairs ``index[i][j]`` with position ``j`` of the other dimensions
    (gather's and scatter's addressing along ``dim``)."""
    if index.ndim != max(a.ndim, 1):
        raise RuntimeError(
            f"Index tensor must have the same number of dimensions as input tensor: index {index.shape}, "
            f"input {a.shape}"
        )
    for d, (i, s) in enumerate(zip(index.shape, a.shape)):
        if d != dim and i > s:
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {list(index.shape)} to be no larger "
                f"than self {list(a.shape)} apart from dimension {dim}"
            )
    xp = a.xp
    grids = xp.ix_(*[xp.arange(s) for s in index.shape])
    return normalize_index(tuple(index if i == dim else g for i, g in enumerate(grids)), a)


@op(method=True, function=True)
def gather(a: Tensor, dim: int, index: Tensor) -> Tensor:
    """``out[i][j] = a[index[i][j]][j]`` along ``dim`` (torch.gather), built on integer indexing."""
    d = normalize_dim(dim, a.ndim)
    check_indices("gather", index, a.shape[d] if a.ndim else 1, d)
    if a.ndim == 0:
        return getitem(a.reshape(1), index.reshape(1)).reshape(index.shape)
    return getitem(a, grid_index(a, d, index))


def vector_index(name: str, index: Tensor) -> Tensor:
    """A 0-d or 1-d integer index as 1-d (index_select's, index_add's ... index)."""
    if not isinstance(index, Tensor) or index.dtype not in (dtypes.int64, dtypes.int32):
        dtype = index.dtype if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"{name}(): Expected dtype int32 or int64 for index, got {dtype}")
    if index.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector, got shape {index.shape}")
    return index.reshape(-1)


@op(method=True, function=True)
def index_select(a: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries ``index`` along ``dim``, in that order (repeats allowed)."""
    d = normalize_dim(dim, a.ndim)
    index = vector_index("index_select", index)
    check_indices("index_select", index, a.shape[d] if a.ndim else 1, d)
    if a.ndim == 0:
        return getitem(a.reshape(1), index)
    return getitem(a, (slice(None),) * d + (index,))


@op(method=True, function=True)
def take(a: Tensor, index: Tensor) -> Tensor:
    """``a`` read as a flat vector at ``index`` (negative indices count from the end); ``index``'s shape."""
    check_indices("take", index, a.numel(), 0, negative=True)
    return getitem(a.reshape(-1), index)


@op(method=True, function=True)
def take_along_dim(a: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """``gather`` with ``a`` and ``indices`` broadcast against each other except along ``dim``
    (both flattened when ``dim`` is None)."""
    if dim is None:
        return gather(a.reshape(-1), 0, indices.reshape(-1))
    d = normalize_dim(dim, a.ndim)
    if indices.ndim != a.ndim:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of dimensions, but "
            f"got {a.ndim} dimensions for input, and {indices.ndim} dimensions for indices"
        )
    others = broadcast_shapes(*[s[:d] + (1,) + s[d + 1 :] for s in (a.shape, indices.shape)])
    a = a.expand(*others[:d], a.shape[d], *others[d + 1 :]) if a.ndim else a
    indices = indices.expand(*others[:d], indices.shape[d], *others[d + 1 :]) if a.ndim else indices
    return gather(a, d, indices)


def bool_mask(name: str, mask: Any) -> Tensor:
    if not isinstance(mask, Tensor) or mask.dtype != dtypes.bool_:
        dtype = dtypes.torch_name(mask.dtype) if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"{name} only supports boolean masks, but got mask with dtype {dtype}")
    return mask


@op(method=True, function=True)
def masked_select(a: Tensor, mask: Tensor) -> Tensor:
    """The entries of ``a`` where ``mask`` (broadcast with it) holds, as a 1-d tensor in order."""
    mask = bool_mask("masked_select", mask)
    shape = broadcast_shapes(a.shape, mask.shape)
    (positions,) = a.xp.nonzero(mask.expand(*shape).array.reshape(-1))
    return getitem(a.expand(*shape).reshape(-1), Tensor(positions))
