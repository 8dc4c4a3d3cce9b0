"""``Multinomial(total_count, probs)``: counts of ``total_count`` independent draws from categories.

>>> import minigrad
>>> _ = minigrad.manual_seed(0)
>>> counts = Multinomial(100, minigrad.tensor([0.5, 0.5])).sample()
>>> counts.shape, counts.sum().item()
(minigrad.Size([2]), 100.0)
"""

from __future__ import annotations

import numpy as np

from minigrad import random
from minigrad.backend import backend_of
from minigrad.tensor import Tensor


class Multinomial:
    """Counts over the last dimension of ``probs`` (weights, normalised to sum to 1) or of
    ``logits``; the dimensions before it are a batch of independent distributions."""

    def __init__(
        self, total_count: int = 1, probs: Tensor | None = None, logits: Tensor | None = None
    ) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if not isinstance(total_count, int) or isinstance(total_count, bool) or total_count < 0:
            raise ValueError(f"total_count must be a non-negative int, got {total_count!r}")
        weights = probs if probs is not None else logits.softmax(-1)
        if weights.ndim == 0:
            raise ValueError("probs parameter must be at least one-dimensional.")
        if probs is not None and not bool(((probs >= 0) & (probs == probs)).all()):
            raise ValueError(
                f"Expected parameter probs of distribution Multinomial to be non-negative, got {probs}"
            )
        self.total_count = total_count
        self.probs = weights / weights.sum(-1, keepdim=True)
        self.batch_shape, self.event_shape = tuple(self.probs.shape[:-1]), tuple(self.probs.shape[-1:])

    @property
    def logits(self) -> Tensor:
        return self.probs.log()

    @property
    def mean(self) -> Tensor:
        return self.probs * self.total_count

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: tuple[int, ...] = ()) -> Tensor:
        """Counts of shape ``sample_shape + batch_shape + event_shape``, in ``probs``' dtype and device."""
        probs = self.probs.detach()
        host = backend_of(probs.array).to_host(probs.array).astype(np.float64)
        shape = tuple(sample_shape) + self.batch_shape
        counts = random.default_generator().multinomial(self.total_count, host, size=shape or None)
        return random.placed(np.asarray(counts), probs.dtype, probs.device)

    def __repr__(self) -> str:
        return f"Multinomial(probs: {self.probs.shape})"
