"""Loss modules: ``MSELoss`` and ``CrossEntropyLoss``, thin wrappers of the functional losses."""

from __future__ import annotations

from minigrad.nn.module import Module
from minigrad.ops.loss import _check_reduction, cross_entropy, mse_loss
from minigrad.tensor import Tensor


class MSELoss(Module):
    """Mean squared error; ``reduction`` is ``'mean'``, ``'sum'`` or ``'none'``."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        _check_reduction(reduction)
        self.reduction = reduction

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return mse_loss(input, target, reduction=self.reduction)


class CrossEntropyLoss(Module):
    """Cross-entropy of logits against class indices; ``weight`` is a buffer, as in PyTorch.

    >>> import minigrad
    >>> loss = CrossEntropyLoss()(minigrad.zeros(2, 4), minigrad.tensor([0, 3]))
    >>> round(loss.item(), 4)  # log(4)
    1.3863
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__()
        _check_reduction(reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
        self.register_buffer("weight", weight)
        self.ignore_index = ignore_index
        self.reduction = reduction
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )
