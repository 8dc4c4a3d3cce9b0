"""Adam and AdamW: adaptive moment estimation, with PyTorch's update equations."""

from __future__ import annotations

import math
from typing import Any

from minigrad.optim.optimizer import Optimizer, ParamsT, check_hyperparameter, count_step, subtract_
from minigrad.tensor import Tensor, zeros_like


class Adam(Optimizer):
    """PyTorch's Adam. For each parameter with a gradient, at step ``t``::

    g = -grad if maximize else grad
    g = g + weight_decay * p                  # L2 (or p *= 1 - lr * weight_decay, decoupled)
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g             # amsgrad: v_max = max(v_max, v), used below
    p = p - lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_moment_group(group)

    def _update(self, param: Tensor, group: dict[str, Any]) -> None:
        lr, (beta1, beta2) = group["lr"], group["betas"]
        grad = decayed_gradient(param, group)
        state = self._state_for(param)
        step = count_step(state)
        exp_avg, exp_avg_sq = update_moments(param, state, grad, beta1, beta2)
        if group["amsgrad"]:
            if "max_exp_avg_sq" not in state:
                state["max_exp_avg_sq"] = zeros_like(param)
            largest = state["max_exp_avg_sq"].array
            exp_avg_sq = param.xp.maximum(largest, exp_avg_sq, out=largest)
        denom = param.xp.sqrt(exp_avg_sq) / math.sqrt(1 - beta2**step) + group["eps"]
        subtract_(param, (lr / (1 - beta1**step)) * (exp_avg / denom))


class AdamW(Adam):
    """Adam with decoupled weight decay (``p *= 1 - lr * weight_decay`` before the Adam step)."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize, decoupled_weight_decay=True
        )


def check_moment_group(group: dict[str, Any]) -> None:
    """Check the hyperparameters of the Adam family (lr, eps, betas, weight_decay); store
    ``betas`` as a tuple."""
    check_hyperparameter(group["lr"], "lr", "Invalid learning rate")
    check_hyperparameter(group["eps"], "eps", "Invalid epsilon value")
    betas = group["betas"]
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        error = ValueError if isinstance(betas, (tuple, list)) else TypeError
        raise error(f"betas must be a pair (beta1, beta2), got {betas!r}")
    for index, beta in enumerate(betas):
        check_hyperparameter(beta, f"betas[{index}]", f"Invalid beta parameter at index {index}", below=1)
    group["betas"] = tuple(betas)
    check_hyperparameter(group["weight_decay"], "weight_decay", "Invalid weight_decay value")


def decayed_gradient(param: Tensor, group: dict[str, Any]) -> Any:
    """The gradient array, negated to maximize; with weight decay added to it (L2), or applied to
    the parameter first (``decoupled_weight_decay``: ``p *= 1 - lr * weight_decay``)."""
    grad, weight_decay = param.grad.array, group["weight_decay"]
    if group["maximize"]:
        grad = -grad
    if weight_decay != 0:
        if group.get("decoupled_weight_decay", False):
            param.mul_(1 - group["lr"] * weight_decay)
        else:
            grad = grad + weight_decay * param.array
    return grad


def update_moments(
    param: Tensor, state: dict[str, Any], grad: Any, beta1: float, beta2: float
) -> tuple[Any, Any]:
    """``exp_avg = b1 m + (1 - b1) g`` and ``exp_avg_sq = b2 v + (1 - b2) g²``, updated in place
    (created at zero on the first step) and returned as arrays."""
    if "exp_avg" not in state:
        state["exp_avg"], state["exp_avg_sq"] = zeros_like(param), zeros_like(param)
    exp_avg, exp_avg_sq = state["exp_avg"].array, state["exp_avg_sq"].array
    exp_avg *= beta1
    exp_avg += (1 - beta1) * grad
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * (grad * grad)
    return exp_avg, exp_avg_sq
