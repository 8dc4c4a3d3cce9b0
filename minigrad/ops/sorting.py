"""Sorting and order statistics: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, unique.

Orders are stable, so tied values keep ascending index order, and NaN counts as the largest value
(last ascending, first descending), as in PyTorch's CPU sort. Values are ``gather(input, dim,
indices)``: their gradients, of every order, go to the entries picked, as PyTorch's do.
"""

from __future__ import annotations

from typing import Any

from minigrad import dtypes
from minigrad._checks import is_int, normalize_dim
from minigrad.autograd.function import Function
from minigrad.ops.indexing import gather
from minigrad.ops.reduce_args import check_nonempty, numpy_aliases, return_type
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


def _order(a: Tensor, dim: int, descending: bool) -> Any:
    """The indices that sort ``a`` along ``dim`` stably (an array of the array module)."""
    xp, x = a.xp, a.array
    if not descending:
        return xp.argsort(x, axis=dim, kind="stable")
    # sorting the reversed slice and reversing back keeps ties in ascending index order
    reversed_order = xp.argsort(xp.flip(x, axis=dim), axis=dim, kind="stable")
    return a.shape[dim] - 1 - xp.flip(reversed_order, axis=dim)


def _along(a: Tensor, dim: int) -> tuple[Tensor, int]:
    """``a`` with at least one dimension (a 0-d tensor as a 1-element vector) and ``dim`` checked."""
    d = normalize_dim(dim, a.ndim)
    return (a, d) if a.ndim else (a.reshape(1), 0)


def _picked(name: str, a: Tensor, d: int, index: Any, keepdim: bool, ndim: int) -> Any:
    """``(values, indices)`` for the entries ``index`` (kept along ``d``) picks from ``a``."""
    indices = Tensor(a.xp.asarray(index).astype(dtypes.int64))
    values = gather(a, d, indices)
    if not keepdim or ndim == 0:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return return_type(name)(values, indices)


@op(method=True, function=True)
@numpy_aliases
def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
    """``(values, indices)`` sorted along ``dim``; always stable, as PyTorch's CPU sort."""
    a, d = _along(input, dim)
    return _picked("sort", a, d, _order(a, d, descending), True, input.ndim)


@op(method=True, function=True)
@numpy_aliases
def argsort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (stably)."""
    return sort(input, dim, descending).indices


@op(method=True, function=True)
def msort(input: Tensor) -> Tensor:
    """``input`` sorted along its first dimension."""
    return sort(input, 0).values


@op(method=True, function=True)
@numpy_aliases
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
    """The ``k`` largest (or smallest) entries along ``dim``, in order, with their indices.

    Among tied values the lowest indices are taken; PyTorch's choice there depends on its
    selection algorithm and is not specified.
    """
    a, d = _along(input, dim)
    if not is_int(k) or not 0 <= k <= a.shape[d]:
        raise RuntimeError(f"selected index k out of range (k={k!r}, size {a.shape[d]} along dim {d})")
    index = _order(a, d, largest)[(slice(None),) * d + (slice(0, k),)]
    return _picked("topk", a, d, index, True, input.ndim)


def _lower_middle(a: Tensor, d: int, skip_nan: bool) -> Any:
    """The sorted position of the lower median along ``d``: the first NaN where there is one
    (median), or the lower median of the values that are not NaN (nanmedian)."""
    xp, n = a.xp, a.shape[d]
    nans = (a.array != a.array).sum(axis=d, keepdims=True)
    if skip_nan:
        return xp.maximum((n - nans - 1) // 2, 0)
    return xp.where(nans > 0, n - nans, (n - 1) // 2)


class SharedEvenly(Function):
    """One of ``a``'s values, its gradient shared evenly between the entries equal to it (NaN
    counting as equal to NaN): PyTorch's rule for ``median()`` and ``nanmedian()``."""

    @staticmethod
    def forward(ctx, a, value):
        x, v = a.array, value.array
        equal = (x == v) | ((x != x) & (v != v))
        ctx.weight = Tensor((equal / equal.sum()).astype(a.dtype))
        return Tensor(v.copy())

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.weight, None


def _median(name: str, input: Tensor, dim: Any, keepdim: bool, skip_nan: bool) -> Any:
    if dim is None:
        if input.numel() == 0:
            return Tensor(input.xp.full((), input.xp.nan, dtype=input.dtype))
        return SharedEvenly.apply(input, _median(name, input.reshape(-1), 0, False, skip_nan).values.detach())
    a, d = _along(input, dim)
    check_nonempty("median", a, (d,), whole=False)
    position = _lower_middle(a, d, skip_nan)
    index = a.xp.take_along_axis(_order(a, d, False), position, axis=d)
    return _picked(name, a, d, index, keepdim, input.ndim)


@op(method=True, function=True)
@numpy_aliases
def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower median (NaN if any value is NaN): of everything (its gradient shared between the
    entries equal to it), or ``(values, indices)`` along ``dim``."""
    return _median("median", input, dim, keepdim, skip_nan=False)


@op(method=True, function=True)
@numpy_aliases
def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """``median`` of the values that are not NaN (NaN where all are)."""
    return _median("nanmedian", input, dim, keepdim, skip_nan=True)


@op(method=True, function=True)
@numpy_aliases
def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """The ``k``-th smallest entry along ``dim`` (from 1) and its index."""
    a, d = _along(input, dim)
    check_nonempty("kthvalue", a, (d,), whole=False)
    if not is_int(k) or not 1 <= k <= a.shape[d]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    index = _order(a, d, False)[(slice(None),) * d + (slice(k - 1, k),)]
    return _picked("kthvalue", a, d, index, keepdim, input.ndim)


@op(method=True, function=True)
@numpy_aliases
def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:
    """The most frequent value along ``dim`` (the smallest of the most frequent) and the index of
    its last occurrence, as PyTorch's."""
    a, d = _along(input, dim)
    check_nonempty("mode", a, (d,), whole=False)
    xp, n = a.xp, a.shape[d]
    order = xp.moveaxis(_order(a, d, False), d, -1).reshape(-1, n)
    rows = xp.take_along_axis(xp.moveaxis(a.array, d, -1).reshape(-1, n), order, axis=1)
    starts = xp.ones(rows.shape, dtype=bool)  # where a run of equal sorted values begins
    starts[:, 1:] = (rows[:, 1:] != rows[:, :-1]) & (
        (rows[:, 1:] == rows[:, 1:]) | (rows[:, :-1] == rows[:, :-1])
    )
    run = xp.cumsum(starts.reshape(-1)) - 1
    counts = xp.bincount(run)[run].reshape(rows.shape)  # the length of the run each entry is in
    first = xp.argmax(counts, axis=1)  # the start of the longest run of the smallest value
    line = xp.arange(rows.shape[0])
    last = order[line, first + counts[line, first] - 1]  # stable: the run ends at the last occurrence
    batch = tuple(s for i, s in enumerate(a.shape) if i != d)
    return _picked("mode", a, d, xp.expand_dims(last.reshape(batch), d), keepdim, input.ndim)


@op(method=True, function=True)
def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: Any = None,
) -> Any:
    """The distinct values (or slices along ``dim``), sorted; NaNs stay distinct, as PyTorch's.

    With ``return_inverse``/``return_counts``, a tuple adds where each entry went and how often
    each value occurs (int64). Not differentiable."""
    xp = input.xp
    d = None if dim is None else normalize_dim(dim, input.ndim)
    values, inverse, counts = xp.unique(
        input.array, return_inverse=True, return_counts=True, axis=d, equal_nan=False
    )
    inverse = inverse.reshape(input.shape if d is None else (input.shape[d],))
    extra = [
        Tensor(x.astype(dtypes.int64))
        for x, wanted in ((inverse, return_inverse), (counts, return_counts))
        if wanted
    ]
    return (Tensor(values), *extra) if extra else Tensor(values)
