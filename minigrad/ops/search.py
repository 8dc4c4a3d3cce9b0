"""Ops that answer where: nonzero, argwhere, searchsorted and bucketize (integer results, no gradient)."""

from __future__ import annotations

from typing import Any

from minigrad import dtypes
from minigrad._checks import is_real
from minigrad.backend import get_array_module
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


@op(method=True, function=True)
def nonzero(a: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of the nonzero entries: one row per entry (``(count, ndim)``, int64), or with
    ``as_tuple`` one index tensor per dimension (a 0-d tensor counts as 1-d)."""
    xp = a.xp
    if as_tuple:
        return tuple(Tensor(i.astype(dtypes.int64)) for i in xp.nonzero(a.array.reshape(a.shape or (1,))))
    return Tensor(xp.argwhere(a.array).astype(dtypes.int64))


@op(method=True, function=True)
def argwhere(a: Tensor) -> Tensor:
    """``nonzero(a)``: the indices of the nonzero entries, one row per entry."""
    return nonzero(a)


@op(method=True, function=True)
def searchsorted(
    sorted_sequence: Tensor,
    input: Any,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Tensor | None = None,
) -> Tensor:
    """Where each value of ``input`` would be inserted into ``sorted_sequence`` (whose last dimension
    is sorted) to keep it sorted: before equal values, or after them with ``right``/``side="right"``.
    The search is PyTorch's binary search, so NaNs land where its comparisons put them."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError(
                "torch.searchsorted(): side and right can't be set to opposites, got side of left while "
                "right was True"
            )
        right = side == "right"
    xp = sorted_sequence.xp
    scalar = not isinstance(input, Tensor)
    if scalar and not is_real(input):
        raise TypeError(
            f"torch.searchsorted(): input must be a Tensor or a number, got {type(input).__name__}"
        )
    values = xp.asarray([input]) if scalar else input.array
    sequence = sorted_sequence.array
    if sorter is not None:
        if sorter.shape != sorted_sequence.shape:
            raise RuntimeError(
                f"torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor "
                f"{list(sorted_sequence.shape)} and sorter tensor {list(sorter.shape)}"
            )
        sequence = xp.take_along_axis(sequence, sorter.array, axis=-1)
    if sequence.ndim == 1:
        out = _binary_search(sequence, values, right)
    elif sequence.ndim == 0 or scalar or sequence.shape[:-1] != values.shape[:-1]:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
            "boundaries tensor and input value tensor must match, but we got boundaries tensor "
            f"{list(sorted_sequence.shape)} and input value tensor {list(values.shape)}"
        )
    else:
        out = _binary_search(sequence, values, right)
    out = out.astype(dtypes.int32 if out_int32 else dtypes.int64)
    return Tensor(out.reshape(()) if scalar else out)


def _binary_search(sequence: Any, values: Any, right: bool) -> Any:
    """PyTorch's lower (upper, with ``right``) bound of each row of ``values`` in the same row of
    ``sequence`` (or of all ``values`` in a 1-d ``sequence``), all searches halving their ranges together; its comparisons give its answers
    where NaNs are involved."""
    xp = get_array_module(sequence)
    n = sequence.shape[-1]
    start = xp.zeros(values.shape, dtype=dtypes.int64)
    end = xp.full(values.shape, n, dtype=dtypes.int64)
    for _ in range(n.bit_length()):
        mid = (start + end) // 2
        at = xp.minimum(mid, max(n - 1, 0))
        probe = sequence[at] if sequence.ndim == 1 else xp.take_along_axis(sequence, at, axis=-1)
        after = ~(probe > values) if right else ~(probe >= values)
        active = start < end
        start = xp.where(active & after, mid + 1, start)
        end = xp.where(active & ~after, mid, end)
    return start


@op(method=True, function=True)
def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """The bucket of each value: ``i`` with ``boundaries[i-1] < x <= boundaries[i]`` (``<= x <`` with
    ``right``), ``searchsorted`` with its arguments the other way round."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
