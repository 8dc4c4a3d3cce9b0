"""Padding: ``pad`` as ``torch.nn.functional.pad``, in its four modes.

Constant padding is one Function whose backward is the opposite padding (a negative amount
crops); reflect, replicate and circular padding are one gather (negative amounts crop there too),
so their gradients come from indexing.
"""

from __future__ import annotations

from collections.abc import Sequence

from minigrad._checks import is_int
from minigrad.autograd.function import Function
from minigrad.ops import window_kernels as kernels
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


class Pad(Function):
    """Constant padding; a negative amount crops, so the backward is the opposite ``Pad``."""

    @staticmethod
    def forward(ctx, x, pads, value):
        ctx.pads = pads
        return Tensor(kernels.pad_constant(x.array, pads, value))

    @staticmethod
    def backward(ctx, grad):
        return Pad.apply(grad, [(-before, -after) for before, after in ctx.pads], 0), None, None


@op(functional=True)
def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad ``input`` as ``torch.nn.functional.pad``: ``pad`` lists (before, after) from the last dim back.

    ``mode`` is ``"constant"``, ``"reflect"``, ``"replicate"`` or ``"circular"``; in every mode a
    negative amount crops.

    >>> import minigrad
    >>> pad(minigrad.ones(1, 2), (1, 0), value=5.0)
    tensor([[5., 1., 1.]])
    >>> pad(minigrad.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect")
    tensor([[3., 2., 1., 2., 3., 2.]])
    """
    if mode not in _INDEX_PADDING and mode != "constant":
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got {mode!r}")
    if not isinstance(input, Tensor):
        raise TypeError(f"pad: input must be a Tensor, got {type(input).__name__}")
    amounts = tuple(pad)
    if not all(is_int(p) for p in amounts):
        raise TypeError(f"pad: pad must be a sequence of ints, got {pad!r}")
    amounts = tuple(int(p) for p in amounts)
    if len(amounts) % 2:
        raise ValueError(f"pad: padding length must be divisible by 2, got {len(amounts)} ({pad!r})")
    if len(amounts) // 2 > input.ndim:
        raise ValueError(
            f"pad: padding length {len(amounts)} is too large for a {input.ndim}-D input of shape {input.shape}"
        )
    pairs = [(0, 0)] * input.ndim
    for k in range(len(amounts) // 2):
        pairs[input.ndim - 1 - k] = (amounts[2 * k], amounts[2 * k + 1])
    for dim, (size, (before, after)) in enumerate(zip(input.shape, pairs)):
        if size + before + after < 0:
            raise ValueError(
                f"pad: dimension {dim} of size {size} padded by ({before}, {after}) would have a "
                f"negative size (input shape {input.shape})"
            )
    if mode == "constant":
        return Pad.apply(input, pairs, value)
    batch = 1 if input.ndim > len(amounts) // 2 + 1 else 0
    if mode != "circular" and input.numel() == 0 and min(input.shape[batch:], default=1) == 0:
        raise RuntimeError(
            f"pad: {mode} padding expects a tensor with possibly 0 batch size and other non-zero "
            f"dimensions, but got input of shape {list(input.shape)}"
        )
    return _index_pad(input, pairs, mode)


# Where each position of the padded ``size`` reads from, for positions ``-before .. size + after - 1``:
# a negative amount crops. Circular padding wraps around what is left after the crop, as PyTorch's.
_INDEX_PADDING = {
    "reflect": lambda xp, size, before, after: (
        size - 1 - xp.abs(size - 1 - xp.abs(xp.arange(-before, size + after)))
    ),
    "replicate": lambda xp, size, before, after: xp.clip(xp.arange(-before, size + after), 0, size - 1),
    "circular": lambda xp, size, before, after: _circular(xp, size, before, after),
}


def _circular(xp, size: int, before: int, after: int):
    low, kept = max(0, -before), size + min(0, before) + min(0, after)
    return low + xp.arange(-max(0, before), kept + max(0, after)) % kept


def _check_index_padding(mode: str, dim: int, size: int, before: int, after: int, shape: tuple) -> None:
    """PyTorch's bounds: a reflection stays inside the dimension, replication needs a value to
    replicate, and a wrap wraps around (what is left after cropping) at most once."""
    grow = max(before, after, 0)
    kept = size + min(0, before) + min(0, after)
    if mode == "reflect" and grow and grow >= size:
        problem = f"must be less than its size {size}"
    elif mode == "replicate" and grow and size == 0:
        problem = "needs a non-empty dimension"
    elif mode == "circular" and grow > kept:
        problem = f"must be at most its size after cropping, {kept} (it wraps around once)"
    else:
        return
    raise ValueError(
        f"pad: {mode} padding ({before}, {after}) of dimension {dim} of size {size} {problem} (input shape {shape})"
    )


def _index_pad(input: Tensor, pairs: list[tuple[int, int]], mode: str) -> Tensor:
    """Reflect, replicate or circular padding as one gather (``input[index]``), so it is differentiable."""
    index = []
    for dim, (size, (before, after)) in enumerate(zip(input.shape, pairs)):
        _check_index_padding(mode, dim, size, before, after, input.shape)
        positions = _INDEX_PADDING[mode](input.xp, size, before, after)
        index.append(positions.reshape([-1 if d == dim else 1 for d in range(input.ndim)]))
    return input[tuple(index)]
