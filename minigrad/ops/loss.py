"""Loss functions as PyTorch has them: regression (mse, l1, smooth_l1, huber), classification
(cross_entropy, nll, binary cross-entropy on probabilities or logits), kl_div; and one_hot.

Each takes ``reduction`` ('mean', 'sum' or 'none') and PyTorch's legacy ``size_average`` and
``reduce`` (with PyTorch's deprecation warning). A mean over nothing (an empty batch, every
target ignored) is NaN, as PyTorch's.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd.function import Function
from minigrad.autograd.grad_mode import is_grad_enabled
from minigrad.backend import backend_of
from minigrad.ops.activation import log_softmax_along, logsigmoid, softmax
from minigrad.ops.elementwise import where
from minigrad.ops.indexing import gather
from minigrad.ops.registry import op
from minigrad.tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str, allowed: tuple[str, ...] = _REDUCTIONS) -> None:
    if reduction not in allowed:
        names = ", ".join(repr(r) for r in allowed[:-1])
        raise ValueError(
            f"{reduction} is not a valid value for reduction: reduction must be {names} or {allowed[-1]!r}"
        )


def _legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """``reduction``, or what PyTorch's deprecated ``size_average``/``reduce`` pair means, with its warning."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
        UserWarning,
        stacklevel=3,
    )
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean() if loss.numel() else loss.sum() * math.nan  # the mean of nothing is NaN
    if reduction == "sum":
        return loss.sum()
    return loss


def _inverse(xp: Any, total: Any) -> Any:
    """``1 / total``, and NaN where ``total`` is 0 (PyTorch's 0 / 0 for a mean over nothing)."""
    safe = xp.where(total != 0, total, 1)
    return xp.where(total != 0, 1 / safe, xp.nan).astype(total.dtype, copy=False)


def _check_floating(name: str, value: object) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be a Tensor, got {type(value).__name__}")
    if np.dtype(value.dtype).kind != "f":
        raise TypeError(f"{name} must have a floating dtype, got {value.dtype}")


# --- pointwise losses: mse, l1, smooth_l1, huber ------------------------------------------------


def _pointwise_loss(
    name: str, input: Tensor, target: Tensor, reduction: str, weight: Tensor | None, formula, by_weight=True
):
    """``formula(input - target)`` reduced; ``weight`` (input's shape) scales each term, and a
    weighted mean divides by the summed weight (PyTorch's rule, except huber's: ``by_weight=False``)."""
    _check_floating(f"{name}: input", input)
    _check_floating(f"{name}: target", target)
    _check_reduction(reduction)
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(
            f"{name}: Using a target size ({tuple(target.shape)}) that is different to the input size "
            f"({tuple(input.shape)}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )
    loss = formula(input - target)
    if weight is None:
        return _reduce(loss, reduction)
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError(
            f"Weights and input must have the same size (weight {tuple(weight.shape)}, input {tuple(input.shape)})."
        )
    loss = loss * weight
    if reduction == "mean" and by_weight:
        return loss.sum() * Tensor(_inverse(weight.xp, weight.array.sum()))
    return _reduce(loss, reduction)


@op(functional=True)
def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean (or summed, or elementwise) squared error ``(input - target) ** 2``.

    >>> import minigrad
    >>> mse_loss(minigrad.tensor([1.0, 2.0]), minigrad.tensor([1.0, 4.0])).item()
    2.0
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _pointwise_loss("mse_loss", input, target, reduction, weight, lambda d: d * d)


@op(functional=True)
def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean (or summed, or elementwise) absolute error ``|input - target|``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _pointwise_loss("l1_loss", input, target, reduction, weight, lambda d: d.abs())


def _huber(d: Tensor, delta: float) -> Tensor:
    """``d^2 / 2`` where ``|d| < delta``, else ``delta (|d| - delta / 2)``: quadratic, then linear."""
    size = d.abs()
    return where(Tensor(size.array < delta), 0.5 * d * d, delta * (size - 0.5 * delta))


@op(functional=True)
def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """``huber_loss / beta``: ``d^2 / (2 beta)`` for ``|d| < beta``, else ``|d| - beta / 2``; l1 for beta 0."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta (got {beta}).")
    formula = (lambda d: d.abs()) if beta == 0 else (lambda d: _huber(d, beta) / beta)
    return _pointwise_loss("smooth_l1_loss", input, target, reduction, None, formula)


@op(functional=True)
def huber_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0, weight: Tensor | None = None
) -> Tensor:
    """``d^2 / 2`` for ``|d| < delta``, else ``delta (|d| - delta / 2)``, with ``d = input - target``."""
    if delta <= 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta (got {delta}).")
    return _pointwise_loss("huber_loss", input, target, reduction, weight, lambda d: _huber(d, delta), False)


@op(functional=True)
def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """``target * (log target - input)`` for log-probabilities ``input`` (0 where ``target`` is 0);
    ``log_target`` says ``target`` holds log-probabilities too. 'batchmean' divides the sum by the
    batch size, which is the KL divergence; 'mean' divides by every element, with PyTorch's warning."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_floating("kl_div: input", input)
    _check_floating("kl_div: target", target)
    _check_reduction(reduction, ("mean", "batchmean", "sum", "none"))
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = Tensor(target.array > 0)
        loss = where(positive, target * where(positive, target, 1.0).log(), 0.0) - target * input
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
            UserWarning,
            stacklevel=2,
        )
    if reduction != "batchmean":
        return _reduce(loss, reduction)
    if input.ndim == 0:
        return loss.sum()
    return loss.sum() / input.shape[0] if input.shape[0] else loss.sum() * math.nan


# --- binary cross-entropy -----------------------------------------------------------------------


def _check_same_shape(message: str, input: Tensor, target: Tensor) -> None:
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(message.format(target=tuple(target.shape), input=tuple(input.shape)))


def _clamped_log(xp: Any, x: Any) -> Any:
    """``max(log x, -100)`` of an array, as PyTorch's binary cross-entropy takes it (no warning at 0)."""
    tiny = np.finfo(x.dtype).smallest_subnormal
    return xp.maximum(xp.log(xp.maximum(x, tiny)), -100)


_EPSILON = float(np.float32(1e-12))  # PyTorch's floor of x (1 - x): 1e-12 as a float32 constant


class BinaryCrossEntropy(Function):
    """``-(t log x + (1 - t) log(1 - x))``, each log clamped at -100 as PyTorch's; the gradient is
    PyTorch's ``(x - t) / max(x (1 - x), 1e-12)`` for ``x`` and ``log(1 - x) - log x`` for ``t``."""

    @staticmethod
    def forward(ctx, x, t):
        ctx.save_for_backward(x, t)
        a, b = x.array, t.array
        xp = x.xp
        return Tensor(-(b * _clamped_log(xp, a) + (1 - b) * _clamped_log(xp, 1 - a)))

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        need_x, need_t = ctx.needs_input_grad
        grad_x = grad * (x - t) / (x * (1 - x)).clamp(min=_EPSILON) if need_x else None
        grad_t = None
        if need_t:
            tiny = float(np.finfo(x.dtype).smallest_subnormal)
            logs = [v.clamp(min=tiny).log().clamp(min=-100.0) for v in (1 - x, x)]
            grad_t = grad * (logs[0] - logs[1])
        return grad_x, grad_t


@op(functional=True)
def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of probabilities ``input`` in [0, 1] against ``target``; ``weight``
    (broadcast to the input) scales each term. Logs are clamped at -100, so a confident miss costs 100."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_floating("binary_cross_entropy: input", input)
    _check_reduction(reduction)
    _check_same_shape(
        "Using a target size ({target}) that is different to the input size ({input}) is deprecated. "
        "Please ensure they have the same size.",
        input,
        target,
    )
    if target.dtype != input.dtype:
        raise RuntimeError(
            f"binary_cross_entropy: Found dtype {dtypes.torch_name(target.dtype)} but expected "
            f"{dtypes.torch_name(input.dtype)} (target must have the input's dtype)"
        )
    a = input.array
    if backend_of(a).type == "cpu" and bool((~((a >= 0) & (a <= 1))).any()):  # a GPU would have to sync
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = BinaryCrossEntropy.apply(input, target)
    return _reduce(loss if weight is None else loss * weight, reduction)


@op(functional=True)
def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """``binary_cross_entropy(sigmoid(input), target)`` in the stable form
    ``(1 - t) x - w_t log sigmoid(x)``, with ``w_t = 1 + (pos_weight - 1) t`` (``pos_weight``
    rescales the positive terms, broadcast along the last dimension)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_floating("binary_cross_entropy_with_logits: input", input)
    _check_floating("binary_cross_entropy_with_logits: target", target)
    _check_reduction(reduction)
    _check_same_shape("Target size ({target}) must be the same as input size ({input})", input, target)
    log_weight = 1 if pos_weight is None else (pos_weight - 1) * target + 1
    loss = (1 - target) * input - log_weight * logsigmoid(input)
    return _reduce(loss if weight is None else loss * weight, reduction)


# --- class-index targets: cross_entropy, nll_loss, one_hot ---------------------------------------


class CrossEntropy(Function):
    """Cross-entropy of logits ``rows`` (M, C) against a constant target distribution ``target``.

    One op: the forward takes ``log_softmax`` of each row and ``-sum_c target_c log p_c`` (the
    class-index part as a gather of ``picked`` times the row's log-probability, so that a
    ``-inf`` logit of another class costs nothing, and the label-smoothing part as ``spread``),
    then sums the rows or reshapes them to ``shape``. The backward is ``_cross_entropy_grad``.
    """

    node_name = "NllLossBackward0"  # PyTorch's name for this backward step

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


def _class_rows(input: Tensor, classes: int) -> Tensor:
    """``input`` as (M, C) rows, the class dimension last: (C,) -> (1, C), (N, C, d1, ...) -> (N d1 ..., C)."""
    if input.ndim == 1:
        return input.reshape(1, classes)
    if input.ndim > 2:
        return input.permute(0, *range(2, input.ndim), 1).reshape(-1, classes)
    return input


def _row_weights(name: str, input: Tensor, target: Tensor, weight, ignore_index: int, reduction: str):
    """Per target: its (safe) label and its weight, 0 where ignored and NaN where out of range on a
    GPU; with the factor that turns the weighted sum into the reduction (1 / the summed weight for
    'mean', NaN when that is 0)."""
    xp, dtype = input.xp, input.dtype
    classes = input.shape[0] if input.ndim == 1 else input.shape[1]
    labels = target.array.reshape(-1)
    kept = labels != ignore_index
    bad = _bad_labels(name, labels, kept, classes)
    safe_labels = xp.where(kept if bad is None else kept & ~bad, labels, 0)
    per_class = xp.ones(classes, dtype=dtype) if weight is None else weight.array.astype(dtype)
    row_weight = kept.astype(dtype) * per_class[safe_labels]  # 0 where ignored
    scale = _inverse(xp, row_weight.sum()) if reduction == "mean" else xp.ones((), dtype=dtype)
    if bad is not None:  # a label out of range (detected only on a GPU) makes its loss NaN
        row_weight = xp.where(bad, xp.nan, row_weight)
    return safe_labels, kept, per_class, row_weight, scale


@op(functional=True)
def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood ``-weight[t] * input[t]`` of log-probabilities ``input`` at the
    class indices ``target``; shapes, ``weight``, ``ignore_index`` and the weighted mean are
    ``cross_entropy``'s (which is ``nll_loss(log_softmax(input, 1), target)``)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    classes = _check_class_targets("nll_loss", input, target, weight, reduction)
    labels, _, _, row_weight, scale = _row_weights("nll_loss", input, target, weight, ignore_index, reduction)
    if reduction == "mean" and not labels.shape[0]:
        return input.sum() * math.nan  # the mean over an empty batch
    picked = gather(_class_rows(input, classes), 1, Tensor(labels.reshape(-1, 1))).reshape(-1)
    losses = picked * Tensor(-row_weight * scale)
    return losses.reshape(tuple(target.shape)) if reduction == "none" else losses.sum()


@op(functional=True)
def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between logits ``input`` and class indices, or class probabilities, ``target``.

    ``input`` is ``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)``; ``target`` is either integer class
    indices of shape ``()``, ``(N,)`` or ``(N, d1, ...)`` with values in ``[0, C)`` (or
    ``ignore_index``), or floating probabilities of the input's shape. ``weight`` rescales each
    class; for indices, ``mean`` divides by the summed weight of the non-ignored targets, for
    probabilities by the number of rows, as PyTorch does. With ``label_smoothing`` ``e``, a
    target is ``1 - e`` times itself plus ``e / C`` on every class.

    >>> import minigrad
    >>> logits = minigrad.tensor([[0.0, 0.0], [0.0, 0.0]])
    >>> round(cross_entropy(logits, minigrad.tensor([0, 1])).item(), 4)  # log(2)
    0.6931
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if (
        isinstance(target, Tensor)
        and isinstance(input, Tensor)
        and input.ndim
        and target.shape == input.shape
    ):
        return _cross_entropy_probabilities(input, target, weight, ignore_index, reduction, label_smoothing)
    classes = _check_class_targets("cross_entropy", input, target, weight, reduction, label_smoothing)
    xp, dtype = input.xp, input.dtype
    safe_labels, kept, per_class, row_weight, scale = _row_weights(
        "cross_entropy", input, target, weight, ignore_index, reduction
    )
    if reduction == "mean" and not safe_labels.shape[0]:
        return input.sum() * math.nan  # the mean over an empty batch
    picked = (1.0 - label_smoothing) * row_weight * scale
    target_rows = xp.zeros((safe_labels.shape[0], classes), dtype=dtype)
    target_rows[xp.arange(safe_labels.shape[0]), safe_labels] = picked
    spread = None
    if label_smoothing:
        rate = kept.astype(dtype) * (label_smoothing / classes) * scale
        target_rows += rate[:, None] * per_class
        spread = (rate, per_class)
    shape = tuple(target.shape) if reduction == "none" else None
    return CrossEntropy.apply(_class_rows(input, classes), safe_labels, picked, spread, target_rows, shape)


def _cross_entropy_probabilities(input, target, weight, ignore_index, reduction, label_smoothing) -> Tensor:
    """``-sum_c weight_c target_c log_softmax(input)_c`` per row: composed, so ``target`` gets a gradient too."""
    _check_floating("cross_entropy: input", input)
    if not dtypes.is_floating(target.dtype):
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{dtypes.torch_name(target.dtype)}"
        )
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    _check_reduction(reduction)
    _check_label_smoothing(label_smoothing)
    dim = 0 if input.ndim == 1 else 1
    classes = input.shape[dim]
    _check_weight("cross_entropy", weight, classes)
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    if weight is not None:
        target = target * weight.reshape(classes, *[1] * (input.ndim - dim - 1))
    losses = -(log_softmax_along(input, dim) * target).sum(dim)
    if reduction != "mean":
        return _reduce(losses, reduction)
    return losses.sum() / losses.numel() if losses.numel() else losses.sum() * math.nan


def _check_label_smoothing(label_smoothing: float) -> None:
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")


def _check_weight(name: str, weight: Tensor | None, classes: int) -> None:
    if weight is not None:
        _check_floating(f"{name}: weight", weight)
        if tuple(weight.shape) != (classes,):
            raise ValueError(
                f"{name}: weight must have shape ({classes},), one per class, got {tuple(weight.shape)}"
            )


def _check_class_targets(name, input, target, weight, reduction, label_smoothing=0.0) -> int:
    """Validate logits (or log-probabilities) against class-index targets; return the number of classes."""
    _check_floating(f"{name}: input", input)
    if not isinstance(target, Tensor):
        raise TypeError(f"{name}: target must be a Tensor, got {type(target).__name__}")
    in_shape, t_shape = tuple(input.shape), tuple(target.shape)
    if np.dtype(target.dtype).kind not in "iu":
        raise TypeError(
            f"{name}: target must hold integer class indices (e.g. int64), or class probabilities of "
            f"the input's shape {in_shape}; got dtype {target.dtype} and shape {t_shape}"
        )
    _check_reduction(reduction)
    _check_label_smoothing(label_smoothing)
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have a class dimension, got a 0-d tensor")
    expected = () if input.ndim == 1 else (in_shape[0],) + in_shape[2:]
    if t_shape != expected:
        if input.ndim > 1 and t_shape[:1] != in_shape[:1]:
            raise ValueError(
                f"{name}: expected input batch size ({in_shape[0]}) to match target "
                f"batch size ({t_shape[0] if t_shape else 'none'}); input {in_shape}, target {t_shape}"
            )
        raise ValueError(
            f"{name}: target shape {t_shape} does not fit input shape {in_shape} "
            f"(expected target shape {expected})"
        )
    if target.device != input.device:
        raise RuntimeError(f"{name}: input is on {input.device} but target is on {target.device}")
    classes = in_shape[0] if input.ndim == 1 else in_shape[1]
    _check_weight(name, weight, classes)
    return classes


def _bad_labels(name: str, labels, kept, classes: int):
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
            f"{name}: target {value} is out of bounds for {classes} classes "
            f"(valid class indices are 0..{classes - 1})"
        )
    return None


@op(functional=True)
def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """``(..., num_classes)`` int64 rows with a 1 at each index of ``tensor``; ``-1`` means max + 1.

    >>> import minigrad
    >>> one_hot(minigrad.tensor([0, 2])).tolist()
    [[1, 0, 0], [0, 0, 1]]
    """
    if not isinstance(tensor, Tensor) or tensor.dtype != dtypes.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    indices, xp = tensor.array, tensor.xp
    if num_classes == -1:
        if indices.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(indices.max()) + 1
    if indices.size and int(indices.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if indices.size and int(indices.max()) >= num_classes:
        raise RuntimeError(f"Class values must be smaller than num_classes (num_classes={num_classes}).")
    return Tensor((indices[..., None] == xp.arange(num_classes)).astype(dtypes.int64))
