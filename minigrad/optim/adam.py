"""Adam and AdamW: adaptive moment estimation, with PyTorch's update equations."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad.optim.optimizer import Optimizer, ParamsT, check_hyperparameter, subtract_
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
        """Check the hyperparameters, and store ``betas`` as a tuple."""
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

    def _update(self, param: Tensor, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
        grad = param.grad.array
        if group["maximize"]:
            grad = -grad
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad + weight_decay * param.array
        state = self._state_for(param)
        if not state:
            state["step"] = Tensor(np.array(0.0, dtype=np.float32))
            moments = ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if group["amsgrad"] else ())
            state.update((name, zeros_like(param)) for name in moments)
        step_count = state["step"].array
        step_count += 1
        step = step_count.item()
        exp_avg, exp_avg_sq = state["exp_avg"].array, state["exp_avg_sq"].array
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * (grad * grad)
        if group["amsgrad"]:
            exp_avg_sq = state["max_exp_avg_sq"].array
            param.xp.maximum(exp_avg_sq, state["exp_avg_sq"].array, out=exp_avg_sq)
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
