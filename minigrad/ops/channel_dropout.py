"""Channel dropout: ``dropout1d``/``dropout2d``/``dropout3d`` zero whole channels, as PyTorch's.

Each (sample, channel) pair is kept or dropped at once: the mask is ``dropout`` of ones of
shape (N, C, 1, ...), broadcast over the channel's positions, so it comes from the same seeded
generator and scaling as ``dropout``.
"""

from __future__ import annotations

import warnings

from minigrad.ops.dropout import _check_p, dropout
from minigrad.ops.registry import op
from minigrad.tensor import Tensor, ones


def _channel_dropout(
    name: str, input: Tensor, p: float, training: bool, inplace: bool, spatial: int
) -> Tensor:
    """Drop channels of a batched (N, C, *spatial) or unbatched (C, *spatial) input."""
    _check_p(p)
    if input.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(
            f"{name}: Expected {spatial + 1}D or {spatial + 2}D input, but received a {input.ndim}D "
            f"input of shape {input.shape}"
        )
    if not training or p == 0.0:
        return input
    kept = input.ndim - spatial  # the leading (N, C) or (C,) dims
    mask = dropout(ones(*input.shape[:kept], *(1,) * spatial, dtype=input.dtype, device=input.device), p)
    return input.mul_(mask) if inplace else input * mask


@op(functional=True)
def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) with probability ``p``, as ``F.dropout1d``."""
    return _channel_dropout("dropout1d", input, p, training, inplace, 1)


@op(functional=True)
def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) or (C, H, W) with probability ``p``, as ``F.dropout2d``.

    A 3-D input is read as (N, C, L), with a warning, as PyTorch does.
    """
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
            "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior "
            "will change in a future release to interpret the input as one without a batch dimension, i.e. "
            "shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using "
            "dropout1d instead.",
            stacklevel=2,
        )
        return _channel_dropout("dropout2d", input, p, training, inplace, 1)
    return _channel_dropout("dropout2d", input, p, training, inplace, 2)


@op(functional=True)
def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability ``p``, as ``F.dropout3d``."""
    return _channel_dropout("dropout3d", input, p, training, inplace, 3)
