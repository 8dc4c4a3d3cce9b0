"""Dropout: zero each element with probability ``p`` and scale the survivors by ``1 / (1 - p)``.

The mask is drawn on the host from minigrad's seeded generator (``minigrad.manual_seed``) and
moved to the input's device, so a seed gives the same mask on every backend.
"""

from __future__ import annotations

import numpy as np

from minigrad import random
from minigrad.backend import backend
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got p={p}")


@op(functional=True)
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Randomly zero elements of ``input`` while training; the identity in eval mode.

    >>> import minigrad
    >>> x = minigrad.ones(4)
    >>> dropout(x, p=0.5, training=False) is x
    True
    """
    _check_p(p)
    if not training or p == 0.0:
        return input
    keep = random.default_generator().random(tuple(input.shape)) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = Tensor(backend(input.device).from_host((keep * scale).astype(np.dtype(input.dtype))))
    return input.mul_(mask) if inplace else input * mask
