"""Reductions: sum, mean, amax/amin, max/min with indices, var, std, logsumexp, argmax."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from minigrad import dtypes
from minigrad._checks import normalize_dim, normalize_dims
from minigrad.autograd.function import Function
from minigrad.ops import elementwise
from minigrad.ops.elementwise import cast
from minigrad.ops.indexing import gather
from minigrad.ops.registry import op
from minigrad.tensor import Tensor

values_indices = namedtuple("values_indices", ["values", "indices"])


def _kept_shape(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


class Sum(Function):
    """The sum over ``dims``; float16 accumulates in float32, as PyTorch's does."""

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.shape, ctx.kept = a.shape, _kept_shape(a.shape, dims)
        accumulate = dtypes.float32 if a.dtype == dtypes.float16 else None
        out = a.array.sum(axis=dims, keepdims=keepdim, dtype=accumulate)
        return Tensor(a.xp.asarray(out).astype(a.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.kept).expand(ctx.shape), None, None


@op(method=True, function=True)
def sum(a: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """Sum over ``dim`` (all dimensions when None); bools and ints sum to int64 as in PyTorch."""
    if dtype is not None:
        a = cast(a, dtype)
    elif not dtypes.is_floating(a.dtype):
        a = cast(a, dtypes.int64)
    return Sum.apply(a, normalize_dims(dim, a.ndim), keepdim)


def _count(a: Tensor, dims: tuple[int, ...]) -> int:
    count = 1
    for d in dims:
        count *= a.shape[d]
    return count


@op(method=True, function=True)
def mean(a: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """The mean over ``dim``; a float16 mean is computed in float32 (no overflow), as PyTorch's."""
    if dtype is not None:
        a = cast(a, dtype)
    if not dtypes.is_floating(a.dtype):
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {dtypes.torch_name(a.dtype)}"
        )
    if a.dtype == dtypes.float16:
        return cast(mean(cast(a, dtypes.float32), dim, keepdim), dtypes.float16)
    dims = normalize_dims(dim, a.ndim)
    return sum(a, dims, keepdim) / _count(a, dims)


class AmaxAmin(Function):
    """amax/amin: the gradient is shared evenly between tied extremes, as in PyTorch.

    Where the extreme is NaN, ``max()``/``min()`` share it between the NaNs (``evenly``) while
    ``amax``/``amin`` give NaN, as PyTorch's do.
    """

    @staticmethod
    def forward(ctx, a, dims, keepdim, take_max, evenly):
        if a.numel() == 0:
            raise RuntimeError(f"amax/amin: cannot reduce an empty tensor of shape {a.shape}")
        xp = a.xp
        kept = (xp.amax if take_max else xp.amin)(a.array, axis=dims, keepdims=True)
        if ctx.needs_input_grad[0]:
            mask = (a.array == kept) | (evenly & (a.array != a.array) & (kept != kept))
            count = mask.sum(axis=dims, keepdims=True)
            ctx.weight = Tensor(xp.where(count > 0, mask / xp.maximum(count, 1), xp.nan).astype(a.dtype))
        ctx.kept = kept.shape
        return Tensor(kept if keepdim else kept.reshape([s for i, s in enumerate(a.shape) if i not in dims]))

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.kept) * ctx.weight, None, None, None, None


@op(method=True, function=True)
def amax(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return AmaxAmin.apply(a, normalize_dims(dim, a.ndim), keepdim, True, False)


@op(method=True, function=True)
def amin(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return AmaxAmin.apply(a, normalize_dims(dim, a.ndim), keepdim, False, False)


@op(method=True, function=True)
def argmax(a: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _arg("argmax", a, dim, keepdim)


@op(method=True, function=True)
def argmin(a: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _arg("argmin", a, dim, keepdim)


def _arg(name: str, a: Tensor, dim: int | None, keepdim: bool) -> Tensor:
    if dim is None:
        return Tensor(a.xp.asarray(getattr(a.xp, name)(a.array)).astype(dtypes.int64))
    d = normalize_dim(dim, a.ndim)
    out = getattr(a.xp, name)(a.array, axis=d, keepdims=keepdim)
    return Tensor(out.astype(dtypes.int64))


def _max_min(name: str, a: Tensor, dim: Any, keepdim: bool) -> Any:
    """``max()`` over everything, ``max(dim)`` with indices, or ``max(other)`` elementwise."""
    if isinstance(dim, Tensor):
        return (elementwise.maximum if name == "max" else elementwise.minimum)(a, dim)
    if dim is None:
        return AmaxAmin.apply(a, normalize_dims(None, a.ndim), False, name == "max", True)
    d = normalize_dim(dim, a.ndim)
    indices = _arg("argmax" if name == "max" else "argmin", a, d, True)
    values = gather(a, d, indices)
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return values_indices(values, indices)


@op(method=True, function=True)
def max(a: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return _max_min("max", a, dim, keepdim)


@op(method=True, function=True)
def min(a: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return _max_min("min", a, dim, keepdim)


@op(method=True, function=True)
def var(
    a: Tensor, dim: Any = None, keepdim: bool = False, correction: int = 1, unbiased: bool | None = None
) -> Tensor:
    """Variance with Bessel's correction by default, as ``torch.var``."""
    if unbiased is not None:
        correction = int(unbiased)
    if a.dtype == dtypes.float16:  # computed in float32, as PyTorch's
        return cast(var(cast(a, dtypes.float32), dim, keepdim, correction), dtypes.float16)
    dims = normalize_dims(dim, a.ndim)
    centered = a - mean(a, dims, keepdim=True)
    return sum(centered * centered, dims, keepdim) / (_count(a, dims) - correction)


@op(method=True, function=True)
def std(
    a: Tensor, dim: Any = None, keepdim: bool = False, correction: int = 1, unbiased: bool | None = None
) -> Tensor:
    return var(a, dim, keepdim, correction, unbiased).sqrt()


@op(method=True, function=True)
def logsumexp(a: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """log(sum(exp(a))) computed stably by subtracting the (constant) maximum first.

    Integer inputs give the default float dtype, as in PyTorch.
    """
    a = cast(a, a.dtype if dtypes.is_floating(a.dtype) else dtypes.get_default_dtype())
    dims = normalize_dims(dim, a.ndim)
    shift = a.detach().amax(dims, keepdim=True)
    shift = Tensor(a.xp.where(a.xp.isfinite(shift.array), shift.array, 0))
    out = ((a - shift).exp().sum(dims, keepdim=True)).log() + shift
    return out if keepdim else out.squeeze(dims)
