"""Writing at indices: scatter, scatter_add, scatter_reduce, index_add/copy/fill/put, masked_fill
and masked_scatter, each with its in-place form (``scatter_`` ...).

They are indexed assignment (``SetItem``) or indexed accumulation (``IndexAdd``, an ``add.at``)
on a copy of the input, so their gradients are indexing's: the gradient of a written position
goes to the value written there. Where indices repeat, assignment keeps one value (PyTorch
leaves which one unspecified) and accumulation adds them all.
"""

from __future__ import annotations

from typing import Any

from minigrad import dtypes
from minigrad._checks import is_real, normalize_dim
from minigrad.autograd.function import Function
from minigrad.backend import get_array_module
from minigrad.ops.elementwise import cast, where
from minigrad.ops.indexing import (
    IndexAdd,
    as_arrays,
    bool_mask,
    check_indices,
    getitem,
    grid_index,
    normalize_index,
    setitem,
    vector_index,
)
from minigrad.ops.registry import op
from minigrad.ops.shape import broadcast_shapes
from minigrad.tensor import Tensor


def _same_dtype(name: str, a: Tensor, src: Tensor) -> None:
    if src.dtype != a.dtype:
        raise RuntimeError(
            f"{name}(): Expected self.dtype to be equal to src.dtype, got {dtypes.torch_name(a.dtype)} "
            f"and {dtypes.torch_name(src.dtype)}"
        )


def _added(a: Tensor, values: Tensor, index: Any) -> Tensor:
    """``a`` plus ``values`` accumulated at ``index`` (repeats add up)."""
    return a + IndexAdd.apply(values, a.shape, normalize_index(index, a))


# ---- scatter: addressed like gather -----------------------------------------------------------


def _scatter_index(name: str, a: Tensor, dim: int, index: Tensor, src: Tensor | None) -> tuple:
    """The integer-array index that ``scatter`` writes ``src`` through, once the arguments are checked."""
    if a.ndim == 0:
        raise RuntimeError(f"{name}(): expected a tensor with at least one dimension, got shape ()")
    d = normalize_dim(dim, a.ndim)
    if index.dtype not in (dtypes.int64, dtypes.int32):
        raise RuntimeError(f"{name}(): Expected dtype int64 for index, got {dtypes.torch_name(index.dtype)}")
    if src is not None:
        _same_dtype(name, a, src)
        if src.ndim != index.ndim:
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
        if any(i > s for i, s in zip(index.shape, src.shape)):
            raise RuntimeError(
                f"Expected index {list(index.shape)} to be no larger size than src {list(src.shape)}"
            )
    check_indices(name, index, a.shape[d], d)
    return grid_index(a, d, index)


def _src_part(src: Tensor, index: Tensor) -> Tensor:
    """The corner of ``src`` that ``index`` addresses (``src`` may be larger)."""
    if src.shape == index.shape:
        return src
    return getitem(src, tuple(slice(0, s) for s in index.shape))


@op(method=True, function=True, inplace="scatter_")
def scatter(
    a: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None, reduce: Any = None
) -> Tensor:
    """``a`` with ``out[index[i][j]][j] = src[i][j]`` along ``dim`` (``src`` a tensor or a number)."""
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
        if not isinstance(src, Tensor):
            src = Tensor(a.xp.full(index.shape, value if src is None else src, dtype=a.dtype))
        return scatter_reduce(a, dim, index, src, "sum" if reduce == "add" else "prod")
    src = value if src is None else src
    if isinstance(src, Tensor):
        full = _scatter_index("scatter", a, dim, index, src)
        return setitem(a, full, _src_part(src, index))
    if not is_real(src) and not isinstance(src, bool):
        raise TypeError(f"scatter(): expected src to be a Tensor or a number, got {type(src).__name__}")
    full = _scatter_index("scatter", a, dim, index, None)
    return setitem(a, full, src)


@op(method=True, function=True, inplace="scatter_add_")
def scatter_add(a: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """``a`` with ``out[index[i][j]][j] += src[i][j]`` along ``dim``; repeated indices add up."""
    full = _scatter_index("scatter_add", a, dim, index, src)
    return _added(a, _src_part(src, index), full)


REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


@op(method=True, function=True, inplace="scatter_reduce_")
def scatter_reduce(
    a: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    """Each position of ``a`` reduced (``reduce``: sum, prod, mean, amax or amin) with the ``src``
    values scattered to it, itself included unless ``include_self=False``; positions nothing is
    scattered to keep their value."""
    if reduce not in REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    full = _scatter_index("scatter_reduce", a, dim, index, src)
    src = _src_part(src, index)
    xp = a.xp
    count = xp.zeros(a.shape, dtype=dtypes.int64)
    xp.add.at(count, as_arrays(full), 1)
    if reduce in ("amax", "amin", "prod"):
        function = ScatterExtreme if reduce != "prod" else ScatterProd
        return function.apply(a, src, full, reduce, include_self, Tensor(count > 0))
    base = a if include_self else where(Tensor(count > 0), Tensor(xp.zeros((), dtype=a.dtype)), a)
    total = _added(base, src, full)
    if reduce == "sum":
        return total
    divisor = xp.maximum(count + include_self, 1)
    if not dtypes.is_floating(a.dtype):  # an integer mean rounds down, as PyTorch's
        return Tensor(xp.floor_divide(total.array, divisor).astype(a.dtype))
    return total / Tensor(divisor.astype(a.dtype))


def _reduction_start(a: Tensor, reduce: str, include_self: bool, touched: Tensor) -> Any:
    """What the scattered values are reduced into: ``a``, or the reduction's identity where
    something is scattered and ``a`` does not take part."""
    if include_self:
        return a.array.copy()
    xp = a.xp
    if reduce == "prod":
        identity = 1
    elif dtypes.is_floating(a.dtype):
        identity = -xp.inf if reduce == "amax" else xp.inf
    else:
        info = xp.iinfo(a.dtype)
        identity = info.min if reduce == "amax" else info.max
    return xp.where(touched.array, xp.asarray(identity, dtype=a.dtype), a.array)


class ScatterExtreme(Function):
    """scatter_reduce with amax/amin: the gradient is shared evenly between the values that tie for
    the extreme of a position, as PyTorch's."""

    @staticmethod
    def forward(ctx, a, src, full, reduce, include_self, touched):
        xp = a.xp
        out = _reduction_start(a, reduce, include_self, touched)
        index = as_arrays(full)
        (xp.maximum if reduce == "amax" else xp.minimum).at(out, index, src.array)
        if any(ctx.needs_input_grad[:2]):
            self_wins = (a.array == out) & (include_self | ~touched.array)
            src_wins = src.array == out[index]
            count = self_wins.astype(dtypes.int64)
            xp.add.at(count, index, src_wins)
            count = xp.maximum(count, 1)
            ctx.weights = (
                Tensor((self_wins / count).astype(a.dtype)),
                Tensor((src_wins / count[index]).astype(a.dtype)),
            )
            ctx.full = full
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        to_self, to_src = ctx.weights
        need_a, need_src = ctx.needs_input_grad[:2]
        grad_src = getitem(grad, ctx.full) * to_src if need_src else None
        return grad * to_self if need_a else None, grad_src, None, None, None, None


def _products(start: Any, values: Any, index: tuple) -> Any:
    """``start`` times the ``values`` sent to each position by ``index``: sorted by target, then a
    segmented doubling scan, ``log2(len)`` vectorized steps in place of the ``multiply.at`` that
    CuPy lacks."""
    xp = get_array_module(values)
    targets = xp.ravel_multi_index(tuple(xp.broadcast_to(i, values.shape) for i in index), start.shape)
    order = xp.argsort(targets.reshape(-1), kind="stable")
    targets, running = targets.reshape(-1)[order], values.reshape(-1)[order]
    shift = 1
    while shift < targets.size:
        same = targets[shift:] == targets[:-shift]
        running = xp.concatenate(
            [running[:shift], xp.where(same, running[shift:] * running[:-shift], running[shift:])]
        )
        shift *= 2
    last = xp.concatenate([targets[1:] != targets[:-1], xp.ones(min(targets.size, 1), dtype=bool)])
    out = start.reshape(-1).copy()
    out[targets[last]] *= running[last]
    return out.reshape(start.shape)


class ScatterProd(Function):
    """scatter_reduce with prod; the gradient of a factor is the product of the others (PyTorch's
    formula, which stays exact where factors are zero)."""

    @staticmethod
    def forward(ctx, a, src, full, reduce, include_self, touched):
        out = Tensor(
            _products(_reduction_start(a, reduce, include_self, touched), src.array, as_arrays(full))
        )
        ctx.save_for_backward(a, src, out)
        ctx.full, ctx.include_self, ctx.touched = full, include_self, touched
        return out

    @staticmethod
    def backward(ctx, grad):
        a, src, out = ctx.saved_tensors
        full, include_self, touched = ctx.full, ctx.include_self, ctx.touched
        xp = a.xp
        grad_a = grad_src = None
        one = Tensor(xp.ones((), dtype=a.dtype))
        if ctx.needs_input_grad[0]:
            if include_self:
                nonzero_a = where(Tensor(a.array == 0), one, a)
                grad_a = grad * ScatterProd.apply(nonzero_a, src, full, "prod", True, touched) / nonzero_a
            else:
                grad_a = where(touched, Tensor(xp.zeros((), dtype=a.dtype)), grad)
        if ctx.needs_input_grad[1]:
            zero_src = src.array == 0
            zeros_there = xp.zeros(a.shape, dtype=dtypes.int64)
            xp.add.at(zeros_there, as_arrays(full), zero_src)
            zeros_there = zeros_there[as_arrays(full)]
            lone_zero = Tensor(zero_src & (zeros_there == 1))
            others = ScatterProd.apply(a, where(lone_zero, one, src), full, "prod", include_self, touched)
            grad_src = where(
                lone_zero,
                getitem(grad * others, full),
                getitem(grad * out, full) / where(Tensor(zero_src), one, src),
            )
            grad_src = where(Tensor(zeros_there > 1), Tensor(xp.zeros((), dtype=a.dtype)), grad_src)
        return grad_a, grad_src, None, None, None, None


# ---- index_*: whole slices along one dimension ------------------------------------------------


def _slices(name: str, a: Tensor, dim: int, index: Tensor, source: Tensor | None, negative: bool = False):
    """The normalized ``dim`` and the index of the slices ``index`` names along it, checked against
    ``source`` (which must be shaped like those slices)."""
    d = normalize_dim(dim, a.ndim)
    index = vector_index(name, index)
    size = a.shape[d] if a.ndim else 1
    check_indices(name, index, size, d, negative)
    if source is not None:
        if source.dtype != a.dtype:
            raise RuntimeError(
                f"{name}(): self ({dtypes.torch_name(a.dtype)}) and source ({dtypes.torch_name(source.dtype)}) "
                "must have the same scalar type"
            )
        expected = a.shape[:d] + (index.numel(),) + a.shape[d + 1 :]
        if source.shape != expected and not (a.ndim == 0 and source.numel() == index.numel()):
            raise RuntimeError(
                f"{name}(): source {source.shape} must have the shape of self {a.shape} with dimension {dim} "
                f"of size {index.numel()} (the number of indices)"
            )
    return d, (slice(None),) * d + (index,)


def _flat(a: Tensor, source: Any, compute: Any) -> Tensor:
    """``compute`` on a 0-d ``a`` (and ``source``) seen as 1-element vectors."""
    if a.ndim:
        return compute(a, source)
    return compute(a.reshape(1), None if source is None else source.reshape(-1)).reshape(())


@op(method=True, function=True, inplace="index_add_")
def index_add(a: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """``a`` with ``alpha * source[..., i, ...]`` added to slice ``index[i]`` along ``dim``; repeats add up."""
    _, where_ = _slices("index_add", a, dim, index, source)
    source = source if alpha == 1 else source * alpha
    return _flat(a, source, lambda x, s: _added(x, s, where_))


@op(method=True, function=True, inplace="index_copy_")
def index_copy(a: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """``a`` with slice ``index[i]`` along ``dim`` replaced by ``source[..., i, ...]``."""
    _, where_ = _slices("index_copy", a, dim, index, source)
    return _flat(a, source, lambda x, s: setitem(x, where_, s))


def _value(name: str, a: Tensor, value: Any) -> Tensor:
    """A fill value (a number or a 0-d tensor) as a 0-d tensor of ``a``'s dtype."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                f"{name} only supports a 0-dimensional value tensor, but got tensor with {value.ndim} dimension(s)."
            )
        return cast(value, a.dtype)
    if not is_real(value) and not isinstance(value, bool):
        raise TypeError(f"{name}(): value must be a number or a 0-d tensor, got {type(value).__name__}")
    return Tensor(a.xp.asarray(value).astype(a.dtype))


@op(method=True, function=True, inplace="index_fill_")
def index_fill(a: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """``a`` with the slices ``index`` along ``dim`` set to ``value``; each slice counts once for the
    gradient of a tensor ``value``, however often it is named."""
    d, _ = _slices("index_fill", a, dim, index, None, negative=True)
    size = a.shape[d] if a.ndim else 1
    unique = Tensor(a.xp.unique(vector_index("index_fill", index).array % size))
    value = _value("index_fill_", a, value)
    return _flat(a, None, lambda x, _: setitem(x, (slice(None),) * d + (unique,), value))


@op(method=True, function=True, inplace="index_put_")
def index_put(a: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
    """``a[indices] = values`` (``+=`` with ``accumulate``, where repeated indices add up)."""
    if not isinstance(indices, (tuple, list)) or not all(isinstance(i, Tensor) for i in indices):
        raise TypeError("index_put(): indices must be a tuple of tensors")
    if values.dtype != a.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{dtypes.torch_name(a.dtype)} for the destination and {dtypes.torch_name(values.dtype)} for the source."
        )
    index = normalize_index(tuple(indices), a)
    if not accumulate:
        return setitem(a, index, values)
    target = a.array[as_arrays(index)].shape
    try:
        values = values.expand(*target)
    except RuntimeError:
        raise RuntimeError(
            f"index_put(): shape mismatch: value tensor of shape {values.shape} cannot be broadcast to "
            f"indexing result of shape {target}"
        ) from None
    return _added(a, values, index)


# ---- masks ----------------------------------------------------------------------------------


@op(method=True, function=True, inplace="masked_fill_")
def masked_fill(a: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``a`` with ``value`` (a number or a 0-d tensor) where ``mask`` holds; they broadcast."""
    mask = bool_mask("masked_fill_", mask)
    return where(mask, _value("masked_fill_", a, value), a)


@op(method=True, function=True, inplace="masked_scatter_")
def masked_scatter(a: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """``a`` with the positions where ``mask`` holds filled, in order, by the first entries of ``source``."""
    mask = bool_mask("masked_scatter_", mask)
    if source.dtype != a.dtype:
        raise RuntimeError(
            f"masked_scatter: expected self and source to have same dtypes but got {dtypes.torch_name(a.dtype)} "
            f"and {dtypes.torch_name(source.dtype)}"
        )
    shape = broadcast_shapes(a.shape, mask.shape)
    (positions,) = a.xp.nonzero(mask.expand(*shape).array.reshape(-1))
    if positions.size > source.numel():
        raise RuntimeError("Number of elements of source < number of ones in mask")
    flat = a.expand(*shape).reshape(-1)
    return setitem(flat, Tensor(positions), source.reshape(-1)[: positions.size]).reshape(shape)
