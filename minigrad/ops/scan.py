"""Scans: ``cumsum``, ``cumprod``, ``cummax`` and ``cummin`` along one dimension, and the shifted
(exclusive) product.

The gradient of a cumulative sum is the reversed cumulative sum of the gradient. The gradient of
a cumulative product divides by the input where no input is 0; with a zero in the input it is
the exact product-of-the-others formula, written with ``cumprod`` itself (O(n^2) memory along
``dim``), so that gradients of every order stay right at zeros. The running max and min pick
entries (``gather``), so their gradients go to the entry picked: the latest of tied ones, and
the latest NaN once there is one, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

from minigrad import dtypes
from minigrad._checks import normalize_dim
from minigrad.autograd.function import Function
from minigrad.ops.elementwise import cast, where
from minigrad.ops.indexing import gather
from minigrad.ops.padding import pad
from minigrad.ops.reduce_args import numpy_aliases, quiet, return_type
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


def _scan_input(a: Tensor, dtype: Any) -> Tensor:
    """``a`` in ``dtype``, or bools and integers as int64, as PyTorch's scans promote them."""
    if dtype is not None:
        return cast(a, dtype)
    return a if dtypes.is_floating(a.dtype) else cast(a, dtypes.int64)


def _scan(function: type, a: Tensor, dim: int) -> Tensor:
    """``function`` along ``dim``; a 0-d tensor scans as a 1-element vector."""
    d = normalize_dim(dim, a.ndim)
    return function.apply(a, d) if a.ndim else function.apply(a.reshape(1), 0).reshape(())


def _reversed_cumsum(a: Tensor, dim: int) -> Tensor:
    return cumsum(a.flip(dim), dim).flip(dim)


class CumSum(Function):
    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        with quiet():
            return Tensor(a.xp.cumsum(a.array, axis=dim, dtype=a.dtype))

    @staticmethod
    def backward(ctx, grad):
        return _reversed_cumsum(grad, ctx.dim), None


@op(method=True, function=True, inplace="cumsum_")
@numpy_aliases
def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sums along ``dim``; bools and integers sum in int64, as in PyTorch."""
    return _scan(CumSum, _scan_input(input, dtype), dim)


def exclusive_cumprod(a: Tensor, dim: int) -> Tensor:
    """``out[k] = a[0] * ... * a[k-1]`` along ``dim`` (1 at ``k = 0``): the products before each entry."""
    shifts = [0, 0] * (a.ndim - 1 - dim) + [1, -1]  # one step along ``dim``, a 1 coming in first
    return cumprod(pad(a, shifts, value=1.0), dim)


class CumProd(Function):
    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        with quiet():
            out = Tensor(a.xp.cumprod(a.array, axis=dim, dtype=a.dtype))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        d = ctx.dim
        if not bool((a.array == 0).any()):
            return _reversed_cumsum(grad * out, d) / a, None
        # d out[k] / d a[i] = prod(a[j] for j <= k, j != i) for k >= i: row i of ``others`` is the
        # running product with a[i] replaced by 1, so no division is needed.
        n, xp, last = a.shape[d], a.xp, a.transpose(d, -1)
        rows = last.unsqueeze(-2).expand(*last.shape[:-1], n, n)
        others = cumprod(where(Tensor(xp.eye(n, dtype=bool)), 1.0, rows), -1)
        later = Tensor(xp.triu(xp.ones((n, n), dtype=a.dtype)))  # k >= i
        return (others * later * grad.transpose(d, -1).unsqueeze(-2)).sum(-1).transpose(d, -1), None


@op(method=True, function=True, inplace="cumprod_")
@numpy_aliases
def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running products along ``dim``; the gradient is right (to every order) where inputs are 0."""
    return _scan(CumProd, _scan_input(input, dtype), dim)


def _running_extreme(name: str, input: Tensor, dim: int) -> Any:
    """``(values, indices)`` of the running max (or min) along ``dim``, by doubling: log2(n) steps
    that each combine every entry with the one ``shift`` before it (CuPy has no
    ``maximum.accumulate``). The later entry wins ties, and a NaN wins until a later NaN."""
    a = input if input.ndim else input.reshape(1)
    d, xp = normalize_dim(dim, a.ndim), a.xp
    values = xp.moveaxis(a.array, d, -1)
    n = values.shape[-1]
    index = xp.broadcast_to(xp.arange(n), values.shape)
    shift = 1
    while shift < n:
        earlier, later = values[..., :-shift], values[..., shift:]
        wins = (later >= earlier if name == "cummax" else later <= earlier) | (later != later)
        values = xp.concatenate([values[..., :shift], xp.where(wins, later, earlier)], axis=-1)
        index = xp.concatenate(
            [index[..., :shift], xp.where(wins, index[..., shift:], index[..., :-shift])], axis=-1
        )
        shift *= 2
    indices = Tensor(xp.moveaxis(index, -1, d).astype(dtypes.int64))
    picked = gather(a, d, indices)
    if not input.ndim:
        picked, indices = picked.reshape(()), indices.reshape(())
    return return_type(name)(picked, indices)


@op(method=True, function=True)
@numpy_aliases
def cummax(input: Tensor, dim: int) -> Any:
    """``(values, indices)``: the largest entry so far along ``dim``, and where it is."""
    return _running_extreme("cummax", input, dim)


@op(method=True, function=True)
@numpy_aliases
def cummin(input: Tensor, dim: int) -> Any:
    """``(values, indices)``: the smallest entry so far along ``dim``, and where it is."""
    return _running_extreme("cummin", input, dim)
