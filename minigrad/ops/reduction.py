"""Reductions: sum, mean, prod, amax/amin, max/min with indices, var, std, logsumexp, argmax,
all/any, count_nonzero, nansum/nanmean, aminmax, var_mean and std_mean.

Each takes NumPy's ``axis=``/``keepdims=`` too, and an empty list of dims means all of them
(``sum(dim=())``), as in PyTorch. Over a size-0 dimension a sum is 0, a product 1, a mean or a
variance NaN, and amax/argmax raise PyTorch's errors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad._checks import is_real, normalize_dim, normalize_dims
from minigrad.autograd.function import Function
from minigrad.ops import elementwise
from minigrad.ops.elementwise import cast, where
from minigrad.ops.indexing import gather
from minigrad.ops.reduce_args import check_nonempty, numpy_aliases, quiet, reduced_dims, return_type
from minigrad.ops.registry import op
from minigrad.ops.scan import exclusive_cumprod
from minigrad.tensor import Tensor


def _kept_shape(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _count(a: Tensor, dims: tuple[int, ...]) -> int:
    count = 1
    for d in dims:
        count *= a.shape[d]
    return count


def _divide(total: Tensor, count: Any) -> Tensor:
    """``total / count``, where a count of 0 gives NaN or inf as in PyTorch, without NumPy's warning."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return total / count


def _integers_as_int64(a: Tensor, dtype: Any) -> Tensor:
    """``a`` in ``dtype``; without one, bools and integers sum (and multiply) in int64, as in PyTorch."""
    if dtype is not None:
        return cast(a, dtype)
    return a if dtypes.is_floating(a.dtype) else cast(a, dtypes.int64)


class Sum(Function):
    """The sum over ``dims``; float16 accumulates in float32, as PyTorch's does."""

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.shape, ctx.kept = a.shape, _kept_shape(a.shape, dims)
        accumulate = dtypes.float32 if a.dtype == dtypes.float16 else None
        with quiet():  # inf + -inf is NaN, without NumPy's warning, as in PyTorch
            out = a.array.sum(axis=dims, keepdims=keepdim, dtype=accumulate)
        return Tensor(a.xp.asarray(out).astype(a.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.kept).expand(ctx.shape), None, None


@op(method=True, function=True)
@numpy_aliases
def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum over ``dim`` (all dimensions when None or empty); bools and ints sum to int64."""
    a = _integers_as_int64(input, dtype)
    return Sum.apply(a, reduced_dims(dim, a.ndim), keepdim)


@op(method=True, function=True)
@numpy_aliases
def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The sum with NaNs counted as 0."""
    return sum(_nan_as_zero(input), dim, keepdim, dtype=dtype)


def _nan_as_zero(a: Tensor) -> Tensor:
    return where(Tensor(a.array != a.array), 0, a) if dtypes.is_floating(a.dtype) else a


def _require_floating(name: str, a: Tensor) -> None:
    if not dtypes.is_floating(a.dtype):
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {dtypes.torch_name(a.dtype)}"
        )


@op(method=True, function=True)
@numpy_aliases
def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean over ``dim`` (NaN over nothing); a float16 mean is computed in float32, as PyTorch's."""
    a = input if dtype is None else cast(input, dtype)
    _require_floating("mean", a)
    if a.dtype == dtypes.float16:
        return cast(mean(cast(a, dtypes.float32), dim, keepdim), dtypes.float16)
    dims = reduced_dims(dim, a.ndim)
    return _divide(sum(a, dims, keepdim), _count(a, dims))


@op(method=True, function=True)
@numpy_aliases
def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean of the values that are not NaN (NaN where all are)."""
    a = input if dtype is None else cast(input, dtype)
    if not dtypes.is_floating(a.dtype):
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{dtypes.torch_name(a.dtype).removesuffix('Tensor')}"
        )
    counted = sum(Tensor(a.array == a.array), dim, keepdim)
    return _divide(nansum(a, dim, keepdim), counted)


class Prod(Function):
    """The product along one dim: the gradient is the product of the others, with zeros too."""

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.dim, ctx.kept = dim, _kept_shape(a.shape, (dim,))
        with quiet():
            out = Tensor(a.xp.asarray(a.array.prod(axis=dim, keepdims=keepdim)))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        grad = grad.reshape(ctx.kept)
        if not bool((a.array == 0).any()):
            return grad * out.reshape(ctx.kept) / a, None, None
        d = ctx.dim  # the products before times the products after each entry: no division by 0
        others = exclusive_cumprod(a, d) * exclusive_cumprod(a.flip(d), d).flip(d)
        return grad * others, None, None


@op(method=True, function=True)
@numpy_aliases
def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The product over ``dim`` (one dim, or all); 1 over nothing; bools and ints multiply in int64."""
    a = _integers_as_int64(input, dtype)
    if dim is None:
        return Prod.apply(a.reshape(-1), 0, False)
    d = normalize_dim(dim, a.ndim)
    return Prod.apply(a, d, keepdim) if a.ndim else a * 1


def _any_all(name: str, a: Tensor, dim: Any, keepdim: bool) -> Tensor:
    """Bool results (uint8 for uint8 input, as PyTorch's); an empty list of dims reduces none."""
    dims = normalize_dims(dim, a.ndim)
    out = getattr(a.xp, name)(a.array != 0, axis=dims, keepdims=keepdim)
    return Tensor(a.xp.asarray(out).astype(a.dtype if a.dtype == np.uint8 else np.bool_))


@op(method=True, function=True)
@numpy_aliases
def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _any_all("all", input, dim, keepdim)


@op(method=True, function=True)
@numpy_aliases
def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _any_all("any", input, dim, keepdim)


@op(method=True, function=True)
@numpy_aliases
def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """The number of entries that are not 0, as int64."""
    dims = reduced_dims(dim, input.ndim)
    return Tensor(input.xp.asarray((input.array != 0).sum(axis=dims)).astype(dtypes.int64))


class AmaxAmin(Function):
    """amax/amin: the gradient is shared evenly between tied extremes, as in PyTorch.

    Where the extreme is NaN, ``max()``/``min()`` share it between the NaNs (``evenly``) while
    ``amax``/``amin`` give NaN, as PyTorch's do.
    """

    @staticmethod
    def forward(ctx, a, dims, keepdim, take_max, evenly):
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


def _extreme(name: str, a: Tensor, dim: Any, keepdim: bool, evenly: bool = False) -> Tensor:
    dims = reduced_dims(dim, a.ndim)
    check_nonempty(name, a, dims if dim is not None else (), whole=dim is None or dim == () or dim == [])
    return AmaxAmin.apply(a, dims, keepdim, name.endswith("max"), evenly)


@op(method=True, function=True)
@numpy_aliases
def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return _extreme("amax", input, dim, keepdim)


@op(method=True, function=True)
@numpy_aliases
def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return _extreme("amin", input, dim, keepdim)


@op(method=True, function=True)
@numpy_aliases
def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """``(min, max)`` as a named tuple, each with amin/amax's gradient."""
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
    if input.numel() == 0 and dim is None:
        raise RuntimeError(
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity."
        )
    d = None if dim is None else normalize_dim(dim, input.ndim)
    if d is not None and input.ndim and input.shape[d] == 0:
        raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
    return return_type("aminmax", ("min", "max"))(amin(input, d, keepdim), amax(input, d, keepdim))


def _arg(name: str, a: Tensor, dim: int | None, keepdim: bool, caller: str = "") -> Tensor:
    """argmax/argmin as int64; ``caller`` names the op in errors (max and min with a dim)."""
    if dim is None:
        check_nonempty(name, a, (), whole=True)
        out = a.xp.asarray(getattr(a.xp, name)(a.array))
        return Tensor((out.reshape((1,) * a.ndim) if keepdim else out).astype(dtypes.int64))
    d = normalize_dim(dim, a.ndim)
    check_nonempty(caller or name, a, (d,) if a.ndim else (), whole=False)
    out = getattr(a.xp, name)(a.array, axis=d if a.ndim else None, keepdims=keepdim)
    return Tensor(a.xp.asarray(out).astype(dtypes.int64))


@op(method=True, function=True)
@numpy_aliases
def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _arg("argmax", input, dim, keepdim)


@op(method=True, function=True)
@numpy_aliases
def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _arg("argmin", input, dim, keepdim)


def _max_min(name: str, a: Tensor, dim: Any, keepdim: bool) -> Any:
    """``max()`` over everything, ``max(dim)`` with indices, or ``max(other)`` elementwise."""
    if isinstance(dim, Tensor):
        return (elementwise.maximum if name == "max" else elementwise.minimum)(a, dim)
    if dim is None:
        return _extreme(name, a, None, False, evenly=True)
    indices = _arg("argmax" if name == "max" else "argmin", a, dim, True, name)
    d = normalize_dim(dim, a.ndim)
    values = gather(a, d, indices) if a.ndim else a * 1
    if not keepdim and a.ndim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return return_type(name)(values, indices)


@op(method=True, function=True)
@numpy_aliases
def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The largest value, the largest along ``dim`` with its index, or the elementwise maximum."""
    return _max_min("max", input, dim, keepdim)


@op(method=True, function=True)
@numpy_aliases
def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The smallest value, the smallest along ``dim`` with its index, or the elementwise minimum."""
    return _max_min("min", input, dim, keepdim)


def _correction(name: str, dim: Any, unbiased: Any, correction: Any) -> tuple[Any, float]:
    """PyTorch's var/std arguments: ``var(True)`` and ``var(dim, unbiased)`` or ``correction=``
    (None meaning 1): the dims and the correction."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}(): give either unbiased or correction, not both")
    if unbiased is not None:
        return dim, float(unbiased)
    if correction is not None and not is_real(correction):
        raise TypeError(f"{name}(): correction must be a number, got {correction!r}")
    return dim, 1.0 if correction is None else correction


def _variance(
    name: str, a: Tensor, dim: Any, unbiased: Any, keepdim: bool, correction: Any
) -> tuple[Tensor, Tensor]:
    """(variance, mean): the sum of squared deviations over max(0, N - correction), as PyTorch's."""
    dim, correction = _correction(name, dim, unbiased, correction)
    if not dtypes.is_floating(a.dtype):
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if a.dtype == dtypes.float16:  # computed in float32, as PyTorch's
        v, m = _variance(name, cast(a, dtypes.float32), dim, None, keepdim, correction)
        return cast(v, dtypes.float16), cast(m, dtypes.float16)
    dims = reduced_dims(dim, a.ndim)
    centre = mean(a, dims, keepdim=True)
    with quiet():  # inf - inf
        centered = a - centre
    squares = sum(centered * centered, dims, keepdim)
    freedom = _count(a, dims) - correction
    v = _divide(squares, freedom if freedom > 0 else 0)
    return v, centre if keepdim else centre.reshape(v.shape)


@op(method=True, function=True)
@numpy_aliases
def var(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """Variance with Bessel's correction by default; ``var(True)``, ``var(dim, unbiased)`` or
    ``correction=``, as ``torch.var``. NaN over too few values (inf where they differ)."""
    return _variance("var", input, dim, unbiased, keepdim, correction)[0]


class Std(Function):
    """The standard deviation from the variance: sqrt, with gradient 0 where it is 0, as PyTorch's."""

    @staticmethod
    def forward(ctx, variance):
        out = Tensor(variance.xp.sqrt(variance.array))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        zero = Tensor(out.array == 0)
        return where(zero, 0.0, grad / (2 * where(zero, 1.0, out)))


@op(method=True, function=True)
@numpy_aliases
def std(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    """The square root of ``var``, with its arguments."""
    return Std.apply(_variance("std", input, dim, unbiased, keepdim, correction)[0])


@op(function=True)
@numpy_aliases
def var_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    """``(var, mean)`` in one pass, as ``torch.var_mean`` (a plain tuple)."""
    return _variance("var_mean", input, dim, unbiased, keepdim, correction)


@op(function=True)
@numpy_aliases
def std_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    """``(std, mean)`` in one pass, as ``torch.std_mean`` (a plain tuple)."""
    v, m = _variance("std_mean", input, dim, unbiased, keepdim, correction)
    return Std.apply(v), m


@op(method=True, function=True)
@numpy_aliases
def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """log(sum(exp(a))) computed stably by subtracting the (constant) maximum first; -inf over
    nothing. Integer inputs give the default float dtype, as in PyTorch."""
    a = cast(input, input.dtype if dtypes.is_floating(input.dtype) else dtypes.get_default_dtype())
    dims = reduced_dims(dim, a.ndim)
    if a.numel() == 0:  # the log of an empty sum
        return sum(a, dims, keepdim) - np.inf
    shift = a.detach().amax(dims, keepdim=True)
    shift = Tensor(a.xp.where(a.xp.isfinite(shift.array), shift.array, 0))
    out = ((a - shift).exp().sum(dims, keepdim=True)).log() + shift
    return out if keepdim else out.squeeze(dims)
