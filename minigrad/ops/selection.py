"""Shape ops that pick parts of a tensor: split, chunk, unbind, narrow, select, roll,
repeat_interleave, the diagonals, trace, tril and triu.

Each is indexing with computed indices (a view for slices, a copy for index arrays), or for the
diagonal a strided view, so its gradient is indexing's adjoint and gradients of any order follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from minigrad import dtypes
from minigrad._checks import is_int, normalize_dim
from minigrad.autograd.function import Function
from minigrad.ops.elementwise import where
from minigrad.ops.indexing import getitem, setitem
from minigrad.ops.reduction import sum as sum_
from minigrad.ops.registry import op
from minigrad.ops.shape import flatten, movedim, reshape
from minigrad.tensor import Tensor


def along(dim: int, index: Any) -> tuple:
    """The index that applies ``index`` to dimension ``dim`` and keeps the others whole."""
    return (slice(None),) * dim + (index,)


def _parts(a: Tensor, dim: int, sizes: Sequence[int]) -> tuple[Tensor, ...]:
    starts = [0]
    for size in sizes:
        starts.append(starts[-1] + size)
    return tuple(getitem(a, along(dim, slice(lo, hi))) for lo, hi in zip(starts, starts[1:]))


@op(method=True, function=True)
def split(a: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of ``a`` along ``dim``: pieces of ``split_size`` (the last one shorter), or of the
    listed sizes."""
    d = normalize_dim(dim, a.ndim)
    n = a.shape[d]
    if isinstance(split_size_or_sections, (tuple, list)):
        sizes = list(split_size_or_sections)
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                f"dimension {dim}), but got split_sizes={sizes}"
            )
        return _parts(a, d, sizes)
    size = split_size_or_sections
    if not is_int(size) or size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    count = max(-(-n // size), 1) if size else 1
    return _parts(a, d, [min(size, n - i * size) for i in range(count)])


@op(method=True, function=True)
def chunk(a: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most ``chunks`` views of equal size along ``dim`` (the last one may be smaller)."""
    if not is_int(chunks) or chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = normalize_dim(dim, a.ndim)
    n = a.shape[d]
    if n == 0:
        return _parts(a, d, [0] * chunks)
    return split(a, -(-n // chunks), d)


@op(method=True, function=True)
def unbind(a: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices of ``a`` along ``dim``, that dimension removed."""
    d = normalize_dim(dim, a.ndim)
    return tuple(getitem(a, along(d, i)) for i in range(a.shape[d]))


@op(method=True, function=True)
def select(a: Tensor, dim: int, index: int) -> Tensor:
    """The slice at ``index`` along ``dim`` (a view without that dimension)."""
    if a.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = normalize_dim(dim, a.ndim)
    if not -a.shape[d] <= index < a.shape[d]:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(a.shape)} at dimension {dim}"
        )
    return getitem(a, along(d, int(index)))


@op(method=True, function=True)
def narrow(a: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """``length`` entries from ``start`` along ``dim`` (a view); ``start`` may be a 0-d tensor."""
    if a.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = normalize_dim(dim, a.ndim)
    n = a.shape[d]
    start = int(start.item()) if isinstance(start, Tensor) else start
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    start %= max(n, 1)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return getitem(a, along(d, slice(start, start + length)))


@op(method=True, function=True)
def roll(a: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """``a`` shifted cyclically by ``shifts`` along ``dims`` (the flattened tensor when None)."""
    shifts = list(shifts) if isinstance(shifts, (tuple, list)) else [shifts]
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: with dims=None, shifts must be a single int, got {shifts}")
        return reshape(roll(flatten(a), shifts, 0), a.shape)
    dims = list(dims) if isinstance(dims, (tuple, list)) else [dims]
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    out = a
    for shift, dim in zip(shifts, dims):
        d = normalize_dim(dim, a.ndim)
        n = a.shape[d]
        if n:
            out = getitem(out, along(d, Tensor((a.xp.arange(n) - shift) % n)))
    return out if out is not a else a.clone()


@op(method=True, function=True)
def repeat_interleave(
    a: Tensor, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
) -> Tensor:
    """Each entry of ``a`` along ``dim`` repeated ``repeats`` times (an int, or one count per entry);
    with ``a`` alone, the indices ``0, 1, ...`` each repeated ``a[i]`` times."""
    if repeats is None:
        return _repeated_indices(a, output_size)
    if dim is None:
        a, dim = flatten(a), 0
    d = normalize_dim(dim, a.ndim)
    n = a.shape[d] if a.ndim else 1
    if not isinstance(repeats, Tensor):
        repeats = Tensor(a.xp.asarray(repeats, dtype=dtypes.int64))
    if repeats.ndim > 1:
        raise RuntimeError("repeat_interleave: repeats must be 0-dim or 1-dim tensor")
    if repeats.numel() == 1:
        repeats = Tensor(a.xp.broadcast_to(repeats.array.reshape(1), (n,)))
    if repeats.shape[0] != n:
        raise RuntimeError(
            f"repeats must have the same size as input along dim, but got repeats.size(0) = "
            f"{repeats.shape[0]} and input.size({dim}) = {n}"
        )
    return getitem(a, along(d, _repeated_indices(repeats, output_size)))


def _repeated_indices(repeats: Tensor, output_size: int | None) -> Tensor:
    """``0, 1, ...`` with ``i`` repeated ``repeats[i]`` times: the position of each output among the
    running totals of ``repeats``, found by a binary search (no loop, any array module)."""
    xp = repeats.xp
    if repeats.ndim != 1 or repeats.dtype.kind not in "iu":
        raise RuntimeError(
            f"repeat_interleave: repeats must be a 1-d integer tensor, got shape {repeats.shape} "
            f"and dtype {dtypes.torch_name(repeats.dtype)}"
        )
    if repeats.numel() and bool((repeats.array < 0).any()):
        raise RuntimeError("repeats can not be negative")
    ends = xp.cumsum(repeats.array)
    if output_size is None:
        output_size = int(ends[-1]) if repeats.numel() else 0
    return Tensor(xp.searchsorted(ends, xp.arange(output_size), side="right").astype(dtypes.int64))


class Diagonal(Function):
    """The ``offset`` diagonal of dimensions ``d1``, ``d2`` as a last dimension: a strided view."""

    is_view = True

    @staticmethod
    def forward(ctx, a, offset, d1, d2):
        ctx.shape, ctx.offset, ctx.d1, ctx.d2 = a.shape, offset, d1, d2
        start = [slice(None)] * a.ndim
        start[d2 if offset >= 0 else d1] = slice(abs(offset), None)
        corner = a.array[tuple(start)]
        others = [d for d in range(a.ndim) if d not in (d1, d2)]
        shape = tuple(corner.shape[d] for d in others) + (min(corner.shape[d1], corner.shape[d2]),)
        strides = tuple(corner.strides[d] for d in others) + (corner.strides[d1] + corner.strides[d2],)
        return Tensor(a.xp.lib.stride_tricks.as_strided(corner, shape, strides))

    @staticmethod
    def backward(ctx, grad):
        rows, cols = ctx.shape[ctx.d1], ctx.shape[ctx.d2]
        return _on_diagonal(grad, rows, cols, ctx.offset, ctx.d1, ctx.d2), None, None, None


def _on_diagonal(values: Tensor, rows: int, cols: int, offset: int, d1: int, d2: int) -> Tensor:
    """Zeros of ``rows`` by ``cols`` matrices in dimensions ``d1``, ``d2`` with the last dimension of
    ``values`` on their ``offset`` diagonal."""
    xp = values.xp
    steps = xp.arange(values.shape[-1] if values.ndim else 1)
    index = (Ellipsis, Tensor(steps + max(-offset, 0)), Tensor(steps + max(offset, 0)))
    zeros = Tensor(xp.zeros((*values.shape[:-1], rows, cols), dtype=values.dtype))
    return movedim(setitem(zeros, index, values), (-2, -1), (d1, d2))


def _dims_pair(dim1: int, dim2: int, ndim: int) -> tuple[int, int]:
    d1, d2 = normalize_dim(dim1, ndim), normalize_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


@op(method=True, function=True)
def diagonal(a: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The ``offset`` diagonal of the matrices in dimensions ``dim1``, ``dim2``, as a new last
    dimension (a view: writing into it writes into ``a``)."""
    d1, d2 = _dims_pair(dim1, dim2, a.ndim)
    return Diagonal.apply(a, offset, d1, d2)


@op(method=True, function=True)
def diag_embed(a: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices in dimensions ``dim1``, ``dim2`` holding the last dimension of ``a`` on their ``offset``
    diagonal, zeros elsewhere."""
    d1, d2 = _dims_pair(dim1, dim2, a.ndim + 1)
    side = (a.shape[-1] if a.ndim else 1) + abs(offset)
    return _on_diagonal(a, side, side, offset, d1, d2)


@op(method=True, function=True)
def diag(a: Tensor, diagonal: int = 0) -> Tensor:
    """A vector as the ``diagonal`` of a square matrix, or a matrix's ``diagonal`` as a vector."""
    if a.ndim == 1:
        return diag_embed(a, diagonal)
    if a.ndim == 2:
        return Diagonal.apply(a, diagonal, 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {a.ndim}D")


@op(method=True, function=True)
def trace(a: Tensor) -> Tensor:
    """The sum of a matrix's main diagonal."""
    if a.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {a.ndim}")
    return sum_(Diagonal.apply(a, 0, 0, 1))


def _triangle(name: str, a: Tensor, diagonal: int, lower: bool) -> Tensor:
    if a.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    rows, cols = a.shape[-2:]
    keep = a.xp.tri(rows, cols, diagonal if lower else diagonal - 1, dtype=bool)
    zero = Tensor(a.xp.zeros((), dtype=a.dtype))
    return where(Tensor(keep), a, zero) if lower else where(Tensor(keep), zero, a)


@op(method=True, function=True, inplace="tril_")
def tril(a: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the matrices (on and below the ``diagonal``), zeros above."""
    return _triangle("tril", a, diagonal, lower=True)


@op(method=True, function=True, inplace="triu_")
def triu(a: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the matrices (on and above the ``diagonal``), zeros below."""
    return _triangle("triu", a, diagonal, lower=False)
