"""Normalization: ``batch_norm``, ``layer_norm`` and ``group_norm``, as PyTorch's functional forms.

Each is the same formula over different dimensions, ``(x - mean) / sqrt(var + eps)`` with the
biased variance, then a per-channel (or per-element) scale and shift. They are composed of
differentiable ops, so their gradients of every order follow from those ops' rules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from minigrad._checks import is_int
from minigrad.autograd.grad_mode import no_grad
from minigrad.ops.conv import check_dtypes
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


def _normalized(x: Tensor, dims: tuple[int, ...], eps: float) -> Tensor:
    """``x`` standardised over ``dims``: zero mean, unit (biased) variance."""
    mean = x.mean(dims, keepdim=True)
    var = x.var(dims, keepdim=True, correction=0)
    return (x - mean) / (var + eps).sqrt()


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None, shape: tuple[int, ...]) -> Tensor:
    """``y * weight + bias``, each reshaped to ``shape`` to broadcast over ``y`` (``None`` skips it)."""
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def _check_length(op: str, channels: int, **tensors: Tensor | None) -> None:
    for name, t in tensors.items():
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{op}: {name} should contain {channels} elements not {t.numel()}")


@op(functional=True)
def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize each channel (dim 1) over the batch and every other dim, as ``F.batch_norm``.

    Training uses the batch's statistics and, when given, moves the running ones toward them
    in place (``running = (1 - momentum) running + momentum batch``, the variance unbiased);
    evaluation uses the running statistics.

    >>> import minigrad
    >>> batch_norm(minigrad.tensor([[1.0], [3.0]]), None, None, training=True)
    tensor([[-1.0000],
            [ 1.0000]])
    """
    op = "batch_norm"
    check_dtypes(op, (), input=input)
    if input.ndim < 2:
        raise ValueError(f"{op}: expected an input with at least 2 dims (N, C, ...), got shape {input.shape}")
    channels = input.shape[1]
    _check_length(op, channels, running_mean=running_mean, running_var=running_var, weight=weight, bias=bias)
    dims = (0, *range(2, input.ndim))
    shape = (1, channels) + (1,) * (input.ndim - 2)
    if not training:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean must be defined in evaluation mode")
        y = (input - running_mean.reshape(shape)) / (running_var.reshape(shape) + eps).sqrt()
        return _affine(y, weight, bias, shape)
    count = input.numel() // max(channels, 1)
    if count == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {list(input.shape)}"
        )
    if count == 0:  # an empty batch: nothing to normalize, no statistics to take
        return _affine(input, weight, bias, shape)
    if running_mean is not None and running_var is not None:
        with no_grad():
            batch = input.detach()
            running_mean.copy_(momentum * batch.mean(dims) + (1 - momentum) * running_mean)
            unbiased = batch.var(dims, correction=1)
            running_var.copy_(momentum * unbiased + (1 - momentum) * running_var)
    return _affine(_normalized(input, dims, eps), weight, bias, shape)


@op(functional=True)
def layer_norm(
    input: Tensor,
    normalized_shape: Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize over the last ``len(normalized_shape)`` dims, as ``F.layer_norm``.

    >>> import minigrad
    >>> layer_norm(minigrad.tensor([[1.0, 3.0]]), (2,))
    tensor([[-1.0000,  1.0000]])
    """
    op = "layer_norm"
    check_dtypes(op, (), input=input)
    shape = (normalized_shape,) if is_int(normalized_shape) else tuple(normalized_shape)
    if not shape or tuple(input.shape[input.ndim - len(shape) :]) != shape or len(shape) > input.ndim:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"{op}: expected {name} of shape {list(shape)}, got {list(t.shape)}")
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    return _affine(_normalized(input, dims, eps), weight, bias, shape)


@op(functional=True)
def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize each of ``num_groups`` groups of channels over the group and the other dims.

    >>> import minigrad
    >>> group_norm(minigrad.tensor([[1.0, 3.0, 5.0, 5.0]]), 2)
    tensor([[-1.0000,  1.0000,  0.0000,  0.0000]])
    """
    op = "group_norm"
    check_dtypes(op, (), input=input)
    if input.ndim < 2:
        raise RuntimeError(
            f"{op}: expected an input with at least 2 dims (N, C, ...), got shape {input.shape}"
        )
    n, channels = input.shape[:2]
    if not is_int(num_groups) or num_groups < 1 or channels % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input of shape "
            f"{list(input.shape)} and num_groups={num_groups}"
        )
    _check_length(op, channels, weight=weight, bias=bias)
    grouped = input.reshape(n, num_groups, channels // num_groups * math.prod(input.shape[2:]))
    y = _normalized(grouped, (2,), eps).reshape(input.shape)
    return _affine(y, weight, bias, (1, channels) + (1,) * (input.ndim - 2))
