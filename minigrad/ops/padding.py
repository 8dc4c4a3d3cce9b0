"""Padding: ``pad`` as ``torch.nn.functional.pad``, in its four modes.

Constant padding is one Function whose backward is the opposite padding (a negative amount
crops); reflect, replicate and circular padding are one gather, so their gradients come from
indexing.
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

    ``mode`` is ``"constant"`` (negative amounts crop), ``"reflect"``, ``"replicate"`` or
    ``"circular"``.

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
    return _index_pad(input, pairs, mode)


# Where each padded position reads from, given positions -before .. size + after - 1.
_INDEX_PADDING = {
    "reflect": lambda xp, i, size: size - 1 - xp.abs(size - 1 - xp.abs(i)),
    "replicate": lambda xp, i, size: xp.clip(i, 0, size - 1),
    "circular": lambda xp, i, size: i % size,
}


def _index_pad(input: Tensor, pairs: list[tuple[int, int]], mode: str) -> Tensor:
    """Reflect, replicate or circular padding as one gather (``input[index]``), so it is differentiable."""
    xp = input.xp
    index = []
    for dim, (size, (before, after)) in enumerate(zip(input.shape, pairs)):
        limit = size - 1 if mode == "reflect" else size
        if min(before, after) < 0 or (before, after) != (0, 0) and max(before, after) > limit:
            raise ValueError(
                f"pad: {mode} padding ({before}, {after}) of dimension {dim} must be non-negative and "
                f"{'less than' if mode == 'reflect' else 'at most'} its size {size} (input shape {input.shape})"
            )
        positions = _INDEX_PADDING[mode](xp, xp.arange(-before, size + after), size)
        index.append(positions.reshape([-1 if d == dim else 1 for d in range(input.ndim)]))
    return input[tuple(index)]
