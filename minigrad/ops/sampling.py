"""Random draws from tensors: ``normal``, ``bernoulli``, ``multinomial`` and the in-place fills
``uniform_``, ``normal_``, ``random_``, ``exponential_``, ``bernoulli_``, with PyTorch's
signatures, dtypes and errors (the factories ``rand``, ``randn``, ... are in ``minigrad.random``).

The numbers come from a ``minigrad.Generator`` (the default one unless ``generator=`` names
another), drawn on the host and moved to the result's device, so a seed gives the same numbers
on every device; arithmetic on tensor parameters runs on their array module. A draw from tensors
that require grad is recorded with a zero gradient for them, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad._checks import is_int, is_real
from minigrad.autograd.function import Function
from minigrad.ops.elementwise import promote
from minigrad.ops.registry import op
from minigrad.random import floating, generator_or_default, integers, placed
from minigrad.tensor import Tensor, shape_arg, zeros


class Sample(Function):
    """A draw made from parameter tensors: its gradient for each of them is zero (PyTorch's rule)."""

    @staticmethod
    def forward(ctx, draw, *params):
        ctx.metas = [(p.shape, p.dtype) if isinstance(p, Tensor) else None for p in params]
        return draw

    @staticmethod
    def backward(ctx, grad):
        zero = [None if m is None else zeros(m[0], dtype=m[1], device=grad.device) for m in ctx.metas]
        return (None, *zero)


class Normal(Sample):
    """The node of ``normal`` (``NormalBackward``)."""


class Bernoulli(Sample):
    """The node of ``bernoulli`` (``BernoulliBackward``)."""


# ---- draws from parameters ------------------------------------------------------------------


def _check_std(std: Any) -> None:
    if isinstance(std, Tensor):
        if not bool((std.array >= 0).all()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif not std >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")


@op(function=True)
def normal(
    mean: Any,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Normal samples with the given ``mean`` and ``std``: tensors (broadcast together) or numbers,
    and with two numbers, a ``size``: ``normal(0.0, 0.01, size=(2, 3))``."""
    for name, value in (("mean", mean), ("std", std)):
        if not (isinstance(value, Tensor) or is_real(value)):
            raise TypeError(
                f"normal(): argument '{name}' must be a Tensor or a float, not {type(value).__name__}"
            )
    _check_std(std)
    draws = generator_or_default(generator)
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        if size is None:
            raise TypeError("normal(): with a float mean and std, give the size of the result")
        shape, dtype = shape_arg("normal", (size,)), floating("normal_kernel_cpu", dtype)
        return placed(mean + std * draws.standard_normal(shape), dtype, device, requires_grad)
    if size is not None:
        raise TypeError("normal(): size is taken only with a float mean and std; the tensors give the shape")
    for param in (mean, std):
        if isinstance(param, Tensor):
            floating("normal_kernel_cpu", param.dtype)
    m, s = promote(mean, std)
    try:
        shape = np.broadcast_shapes(m.shape, s.shape)
    except ValueError:
        raise RuntimeError(
            f"normal: mean of shape {list(m.shape)} and std of shape {list(s.shape)} do not broadcast"
        ) from None
    z = placed(draws.standard_normal(shape), m.dtype, m.device)
    out = Tensor(m.array + s.array * z.array)
    return Normal.apply(out, mean, std)


@op(function=True, method=True)
def bernoulli(input: Tensor, p: float | None = None, *, generator: Any = None) -> Tensor:
    """0 or 1 in each place, 1 with probability ``input`` there (or with probability ``p`` in
    ``input``'s shape and dtype, when ``p`` is given)."""
    if p is not None:
        return Bernoulli.apply(_bernoulli_fill(input.detach(), p, generator=generator), input)
    floating("bernoulli_tensor_cpu_p_", input.dtype)
    if not bool(((input.array >= 0) & (input.array <= 1)).all()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    u = placed(generator_or_default(generator).random(input.shape), input.dtype, input.device)
    return Bernoulli.apply(Tensor((u.array < input.array).astype(input.dtype)), input)


@op(inplace="bernoulli_")
def _bernoulli_fill(old: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """``old``'s shape and dtype, 1 with probability ``p`` (a number or a tensor that broadcasts)."""
    if isinstance(p, Tensor):
        if p.ndim > old.ndim:
            raise RuntimeError(
                f"bernoulli_: p of shape {list(p.shape)} can't be expanded to {list(old.shape)}"
            )
        if not bool(((p.array >= 0) & (p.array <= 1)).all()):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        p = p.array
    elif not (is_real(p) and 0 <= p <= 1):
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    u = placed(generator_or_default(generator).random(old.shape), np.float64, old.device)
    return Sample.apply(Tensor((u.array < p).astype(old.dtype)), old)


@op(function=True, method=True)
def multinomial(
    input: Tensor, num_samples: int, replacement: bool = False, *, generator: Any = None
) -> Tensor:
    """Indices drawn from the categories of each row of ``input`` (non-negative weights), int64."""
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not dtypes.is_floating(input.dtype):
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: {dtypes.torch_name(input.dtype)}"
        )
    if not is_int(num_samples):
        raise TypeError(
            f"multinomial(): argument 'num_samples' must be int, not {type(num_samples).__name__}"
        )
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    categories = input.shape[-1]
    if not replacement and num_samples > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    xp, weights = input.xp, input.array.reshape(-1, categories).astype(np.float64)
    if not bool((xp.isfinite(weights) & (weights >= 0)).all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if not bool((weights.sum(axis=1) > 0).all()):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rows, draws = weights.shape[0], generator_or_default(generator)
    if replacement:  # invert each row's cumulative distribution at uniform draws
        u = placed(draws.random((rows, num_samples)), np.float64, input.device).array
        cdf = xp.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
        offset = xp.arange(rows, dtype=np.float64)[:, None]  # row r searches [r, r + 1]
        found = xp.searchsorted((cdf + offset).ravel(), (u + offset).ravel(), side="right")
        last = categories - 1 - xp.argmax(weights[:, ::-1] > 0, axis=1)  # rounding never picks past it
        picked = xp.minimum(
            found.reshape(rows, num_samples) - categories * offset.astype(np.int64), last[:, None]
        )
    else:  # the largest weight / Exp(1) keys: PyTorch's draw without replacement
        keys = weights / placed(draws.exponential(size=weights.shape), np.float64, input.device).array
        picked = xp.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    return Tensor(picked.astype(np.int64).reshape(*input.shape[:-1], num_samples))


# ---- in-place fills -------------------------------------------------------------------------


@op(inplace="uniform_")
def _uniform_fill(old: Tensor, from_: float = 0.0, to: float = 1.0, *, generator: Any = None) -> Tensor:
    floating("check_uniform_bounds", old.dtype)
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={from_:g} > to={to:g}"
        )
    host = generator_or_default(generator).uniform(from_, to, size=old.shape)
    return Sample.apply(placed(host, old.dtype, old.device), old)


@op(inplace="normal_")
def _normal_fill(old: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    floating("normal_kernel_cpu", old.dtype)
    _check_std(std)
    host = mean + std * generator_or_default(generator).standard_normal(old.shape)
    return Sample.apply(placed(host, old.dtype, old.device), old)


@op(inplace="exponential_")
def _exponential_fill(old: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    if not dtypes.is_floating(old.dtype):
        raise RuntimeError(
            "Exponential distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {dtypes.torch_name(old.dtype)}"
        )
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    host = generator_or_default(generator).exponential(1.0 / lambd, size=old.shape)
    return Sample.apply(placed(host, old.dtype, old.device), old)


def _default_top(dtype: np.dtype) -> int:
    """Where ``random_()`` stops: every integer the dtype holds exactly (floats: up to 2**mantissa)."""
    if dtype.kind == "f":
        return 2 ** (np.finfo(dtype).nmant + 1) + 1
    return 2 if dtype.kind == "b" else int(np.iinfo(dtype).max) + 1


@op(inplace="random_")
def _random_fill(
    old: Tensor, from_: int | None = None, to: int | None = None, *, generator: Any = None
) -> Tensor:
    """Integers from [from, to): ``random_(to)``, ``random_(from, to)``, or every exactly held one."""
    if from_ is None:
        from_, to = 0, _default_top(old.dtype)
    elif to is None:
        from_, to = 0, from_
    host = integers("random_", from_, to, old.shape, old.dtype, generator)
    return Sample.apply(placed(host, old.dtype, old.device), old)
