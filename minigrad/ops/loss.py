"""Loss functions: ``mse_loss`` and ``cross_entropy`` (class-index targets), as in PyTorch."""

from __future__ import annotations

import warnings

import numpy as np

from minigrad.backend import backend_of
from minigrad.ops.activation import log_softmax
from minigrad.ops.elementwise import where
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

    >>> import minigrad
    >>> logits = minigrad.tensor([[0.0, 0.0], [0.0, 0.0]])
    >>> round(cross_entropy(logits, minigrad.tensor([0, 1])).item(), 4)  # log(2)
    0.6931
    """
    classes = _check_cross_entropy_args(input, target, weight, reduction, label_smoothing)
    xp = input.xp
    class_dim = 0 if input.ndim == 1 else 1
    log_probs = log_softmax(input, dim=class_dim)
    if input.ndim > 2:  # move the class dimension last: (N, d1, ..., C)
        log_probs = log_probs.permute(0, *range(2, input.ndim), 1)
    rows = log_probs.reshape(-1, classes)

    labels = target.array.reshape(-1)
    kept = labels != ignore_index
    bad = _bad_labels(labels, kept, classes)
    safe_labels = xp.where(kept if bad is None else kept & ~bad, labels, 0)
    picked = rows[xp.arange(labels.shape[0]), safe_labels]
    if bad is not None:
        picked = where(Tensor(bad), float("nan"), picked)

    dtype = input.dtype
    target_weight = kept.astype(dtype)
    if weight is not None:
        target_weight = target_weight * weight.array.astype(dtype)[safe_labels]
    nll = _weighted_reduce(-picked * Tensor(target_weight), target_weight, reduction, target.shape)
    if label_smoothing == 0.0:
        return nll

    per_class = rows if weight is None else rows * Tensor(weight.array.astype(dtype))
    smooth_sum = -per_class.sum(dim=1) * Tensor(kept.astype(dtype))
    smooth = _weighted_reduce(smooth_sum, target_weight, reduction, target.shape)
    return nll * (1.0 - label_smoothing) + smooth * (label_smoothing / classes)


def _weighted_reduce(loss: Tensor, target_weight, reduction: str, shape: tuple) -> Tensor:
    """Reduce per-target losses; ``mean`` divides by the total target weight."""
    if reduction == "none":
        return loss.reshape(tuple(shape))
    total = loss.sum()
    if reduction == "sum":
        return total
    return total / Tensor(target_weight.sum())


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
