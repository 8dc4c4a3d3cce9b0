"""Loss functions: ``mse_loss`` and ``cross_entropy`` (class-index targets), as in PyTorch."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from minigrad.autograd.function import Function
from minigrad.autograd.grad_mode import is_grad_enabled
from minigrad.backend import backend_of
from minigrad.ops.activation import softmax
from minigrad.ops.registry import op
from minigrad.tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_floating(name: str, value: object) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be a Tensor, got {type(value).__name__}")
    if np.dtype(value.dtype).kind != "f":
        raise TypeError(f"{name} must have a floating dtype, got {value.dtype}")


@op(functional=True)
def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean (or summed, or elementwise) squared error ``(input - target) ** 2``.

    >>> import minigrad
    >>> mse_loss(minigrad.tensor([1.0, 2.0]), minigrad.tensor([1.0, 4.0])).item()
    2.0
    """
    _check_floating("mse_loss: input", input)
    _check_floating("mse_loss: target", target)
    _check_reduction(reduction)
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(
            f"mse_loss: target shape {tuple(target.shape)} differs from input shape "
            f"{tuple(input.shape)}; they will be broadcast, which is rarely intended",
            UserWarning,
            stacklevel=2,
        )
    diff = input - target
    return _reduce(diff * diff, reduction)


class CrossEntropy(Function):
    """Cross-entropy of logits ``rows`` (M, C) against a constant target distribution ``target``.

    One op: the forward takes ``log_softmax`` of each row and ``-sum_c target_c log p_c`` (the
    class-index part as a gather of ``picked`` times the row's log-probability, so that a
    ``-inf`` logit of another class costs nothing, and the label-smoothing part as ``spread``),
    then sums the rows or reshapes them to ``shape``. The backward is ``_cross_entropy_grad``.
    """

    @staticmethod
    def forward(ctx, rows, labels, picked, spread, target, shape):
        xp = rows.xp
        shifted = rows.array - rows.array.max(axis=1, keepdims=True)
        exp = xp.exp(shifted)
        sums = exp.sum(axis=1, keepdims=True)
        log_probs = shifted - xp.log(sums)
        losses = -picked * log_probs[xp.arange(labels.shape[0]), labels]
        if spread is not None:
            rate, per_class = spread
            losses -= rate * (log_probs @ per_class)
        ctx.save_for_backward(rows)
        ctx.probs, ctx.target = exp / sums, target
        ctx.total = target.sum(axis=1, keepdims=True)
        return Tensor(losses.sum() if shape is None else losses.reshape(shape))

    @staticmethod
    def backward(ctx, grad):
        (rows,) = ctx.saved_tensors
        if is_grad_enabled():  # the gradient's own graph is being built: differentiable ops
            probs, total, target = softmax(rows, dim=1), Tensor(ctx.total), Tensor(ctx.target)
            grad_rows = _cross_entropy_grad(probs, total, target, grad.reshape(-1, 1))
        else:
            grad_rows = Tensor(
                _cross_entropy_grad(ctx.probs, ctx.total, ctx.target, grad.array.reshape(-1, 1))
            )
        return grad_rows, None, None, None, None, None


def _cross_entropy_grad(probs: Any, total: Any, target: Any, grad: Any) -> Any:
    """d loss / d logits, one rule for Tensors and raw arrays: ``(softmax * row total - target) * g``."""
    return (probs * total - target) * grad


@op(functional=True)
def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between logits ``input`` and integer class indices ``target``.

    ``input`` is ``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)``; ``target`` is ``()``, ``(N,)`` or
    ``(N, d1, ...)`` with values in ``[0, C)`` (or ``ignore_index``). ``weight`` rescales each
    class; ``mean`` divides by the summed weight of the non-ignored targets, as PyTorch does.
    With ``label_smoothing`` ``e``, a target is ``1 - e`` on its class plus ``e / C`` on every
    class, each times the class's weight.

    >>> import minigrad
    >>> logits = minigrad.tensor([[0.0, 0.0], [0.0, 0.0]])
    >>> round(cross_entropy(logits, minigrad.tensor([0, 1])).item(), 4)  # log(2)
    0.6931
    """
    classes = _check_cross_entropy_args(input, target, weight, reduction, label_smoothing)
    xp, dtype = input.xp, input.dtype
    rows = input.reshape(1, classes) if input.ndim == 1 else input
    if input.ndim > 2:  # move the class dimension last: (N * d1 * ..., C)
        rows = input.permute(0, *range(2, input.ndim), 1).reshape(-1, classes)

    labels = target.array.reshape(-1)
    kept = labels != ignore_index
    bad = _bad_labels(labels, kept, classes)
    safe_labels = xp.where(kept if bad is None else kept & ~bad, labels, 0)
    per_class = xp.ones(classes, dtype=dtype) if weight is None else weight.array.astype(dtype)
    row_weight = kept.astype(dtype) * per_class[safe_labels]  # 0 where ignored
    scale = 1 / row_weight.sum() if reduction == "mean" else xp.ones((), dtype=dtype)
    if bad is not None:  # a label out of range (detected only on a GPU) makes its loss NaN
        row_weight = xp.where(bad, xp.nan, row_weight)
    picked = (1.0 - label_smoothing) * row_weight * scale
    target_rows = xp.zeros((labels.shape[0], classes), dtype=dtype)
    target_rows[xp.arange(labels.shape[0]), safe_labels] = picked
    spread = None
    if label_smoothing:
        rate = kept.astype(dtype) * (label_smoothing / classes) * scale
        target_rows += rate[:, None] * per_class
        spread = (rate, per_class)
    shape = tuple(target.shape) if reduction == "none" else None
    return CrossEntropy.apply(rows, safe_labels, picked, spread, target_rows, shape)


def _check_cross_entropy_args(input, target, weight, reduction, label_smoothing) -> int:
    """Validate the arguments and return the number of classes."""
    _check_floating("cross_entropy: input", input)
    if not isinstance(target, Tensor):
        raise TypeError(f"cross_entropy: target must be a Tensor, got {type(target).__name__}")
    if np.dtype(target.dtype).kind not in "iu":
        raise TypeError(
            f"cross_entropy: target must hold integer class indices (e.g. int64), got dtype "
            f"{target.dtype}; class-probability targets are not supported"
        )
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    if input.ndim == 0:
        raise ValueError("cross_entropy: input must have a class dimension, got a 0-d tensor")
    in_shape, t_shape = tuple(input.shape), tuple(target.shape)
    expected = () if input.ndim == 1 else (in_shape[0],) + in_shape[2:]
    if t_shape != expected:
        if input.ndim > 1 and t_shape[:1] != in_shape[:1]:
            raise ValueError(
                f"cross_entropy: expected input batch size ({in_shape[0]}) to match target "
                f"batch size ({t_shape[0] if t_shape else 'none'}); input {in_shape}, target {t_shape}"
            )
        raise ValueError(
            f"cross_entropy: target shape {t_shape} does not fit input shape {in_shape} "
            f"(expected target shape {expected})"
        )
    if target.device != input.device:
        raise RuntimeError(f"cross_entropy: input is on {input.device} but target is on {target.device}")
    classes = in_shape[0] if input.ndim == 1 else in_shape[1]
    if weight is not None:
        _check_floating("cross_entropy: weight", weight)
        if tuple(weight.shape) != (classes,):
            raise ValueError(
                f"cross_entropy: weight must have shape ({classes},), one per class, "
                f"got {tuple(weight.shape)}"
            )
    return classes


def _bad_labels(labels, kept, classes: int):
    """Raise for a kept label outside ``[0, classes)`` on the CPU.

    On a GPU that check would cost a device-to-host sync every step, so there the mask of bad
    labels is returned instead and their losses become NaN (``detect_anomaly`` names the op).
    """
    bad = ((labels < 0) | (labels >= classes)) & kept
    if backend_of(labels).type != "cpu":
        return bad
    if bool(bad.any()):
        value = int(labels[bad][0])
        raise IndexError(
            f"cross_entropy: target {value} is out of bounds for {classes} classes "
            f"(valid class indices are 0..{classes - 1})"
        )
    return None
