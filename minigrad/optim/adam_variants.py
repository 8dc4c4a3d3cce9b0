"""Adamax, NAdam and RAdam: Adam's moments with an infinity norm, Nesterov momentum or a
rectified variance, as PyTorch's update equations, defaults and state names give them."""

from __future__ import annotations

import math
from typing import Any

from minigrad.optim.adam import check_moment_group, decayed_gradient, update_moments
from minigrad.optim.optimizer import (
    Optimizer,
    ParamsT,
    check_hyperparameter,
    count_step,
    host_scalar,
    subtract_,
)
from minigrad.tensor import Tensor, zeros_like


def _moment_defaults(lr: float, betas: Any, eps: float, weight_decay: float, **more: Any) -> dict[str, Any]:
    return {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, **more}


class Adamax(Optimizer):
    """PyTorch's Adamax::

    m = b1 * m + (1 - b1) * g
    u = max(b2 * u, |g| + eps)
    p = p - lr / (1 - b1**t) * m / u
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, _moment_defaults(lr, betas, eps, weight_decay, maximize=maximize))

    def _check_group(self, group: dict[str, Any]) -> None:
        check_moment_group(group)

    def _update(self, param: Tensor, group: dict[str, Any]) -> None:
        (beta1, beta2), grad = group["betas"], decayed_gradient(param, group)
        state = self._state_for(param)
        step = count_step(state)
        if "exp_avg" not in state:
            state["exp_avg"], state["exp_inf"] = zeros_like(param), zeros_like(param)
        exp_avg, exp_inf = state["exp_avg"].array, state["exp_inf"].array
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_inf *= beta2
        param.xp.maximum(exp_inf, param.xp.abs(grad) + group["eps"], out=exp_inf)
        subtract_(param, group["lr"] / (1 - beta1**step) * (exp_avg / exp_inf))


class NAdam(Optimizer):
    """PyTorch's NAdam: Adam with Nesterov momentum whose coefficient warms up,
    ``mu_t = b1 (1 - 0.96**(t * momentum_decay) / 2)``::

    p = p - lr (1 - mu_t) / (1 - prod mu) * g / d - lr mu_{t+1} / (1 - prod mu * mu_{t+1}) * m / d
    d = sqrt(v / (1 - b2**t)) + eps
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = _moment_defaults(
            lr,
            betas,
            eps,
            weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_moment_group(group)
        check_hyperparameter(group["momentum_decay"], "momentum_decay", "Invalid momentum_decay value")

    def _update(self, param: Tensor, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), decay = group["lr"], group["betas"], group["momentum_decay"]
        grad = decayed_gradient(param, group)
        state = self._state_for(param)
        step = count_step(state)
        if "mu_product" not in state:
            state["mu_product"] = host_scalar(1.0)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * decay))
        product = state["mu_product"].array
        product *= mu
        mu_product = float(product)
        exp_avg, exp_avg_sq = update_moments(param, state, grad, beta1, beta2)
        denom = param.xp.sqrt(exp_avg_sq / (1 - beta2**step)) + group["eps"]
        subtract_(param, lr * (1.0 - mu) / (1.0 - mu_product) * (grad / denom))
        subtract_(param, lr * mu_next / (1.0 - mu_product * mu_next) * (exp_avg / denom))


class RAdam(Optimizer):
    """PyTorch's RAdam: Adam whose adaptive step is switched on, and scaled by the rectification
    ``r_t``, once the variance estimate is tractable (``rho_t > 5``); before that, momentum SGD."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = _moment_defaults(
            lr, betas, eps, weight_decay, decoupled_weight_decay=decoupled_weight_decay, maximize=maximize
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_moment_group(group)

    def _update(self, param: Tensor, group: dict[str, Any]) -> None:
        lr, (beta1, beta2) = group["lr"], group["betas"]
        grad = decayed_gradient(param, group)
        state = self._state_for(param)
        step = count_step(state)
        exp_avg, exp_avg_sq = update_moments(param, state, grad, beta1, beta2)
        corrected = exp_avg / (1 - beta1**step)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2**step / (1 - beta2**step)
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            adaptive = math.sqrt(1 - beta2**step) / (param.xp.sqrt(exp_avg_sq) + group["eps"])
            subtract_(param, corrected * lr * adaptive * rect)
        else:
            subtract_(param, corrected * lr)
