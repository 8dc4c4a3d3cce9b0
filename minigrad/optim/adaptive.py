"""RMSprop, Adagrad and Adadelta: per-coordinate step sizes from running averages of squared
gradients, with PyTorch's update equations, defaults, state names and error messages."""

from __future__ import annotations

from typing import Any

from minigrad.optim.optimizer import (
    Optimizer,
    ParamsT,
    check_hyperparameter,
    count_step,
    host_scalar,
    subtract_,
)
from minigrad.tensor import Tensor, full_like, zeros_like


def _gradient(param: Tensor, group: dict[str, Any]) -> Any:
    """The gradient array the rule uses: negated to maximize, plus L2 weight decay."""
    grad = param.grad.array
    if group["maximize"]:
        grad = -grad
    if group["weight_decay"] != 0:
        grad = grad + group["weight_decay"] * param.array
    return grad


class RMSprop(Optimizer):
    """PyTorch's RMSprop. For each parameter with a gradient::

    v = alpha * v + (1 - alpha) * g * g
    d = sqrt(v - m * m) + eps, with m = alpha * m + (1 - alpha) * g if centered, else sqrt(v) + eps
    b = momentum * b + g / d;  p = p - lr * b      (p = p - lr * g / d without momentum)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_hyperparameter(group["lr"], "lr", "Invalid learning rate")
        check_hyperparameter(group["eps"], "eps", "Invalid epsilon value")
        check_hyperparameter(group["momentum"], "momentum", "Invalid momentum value")
        check_hyperparameter(group["weight_decay"], "weight_decay", "Invalid weight_decay value")
        check_hyperparameter(group["alpha"], "alpha", "Invalid alpha value")

    def _update(self, param: Tensor, group: dict[str, Any]) -> None:
        grad, alpha = _gradient(param, group), group["alpha"]
        state = self._state_for(param)
        count_step(state)
        if "square_avg" not in state:
            state["square_avg"] = zeros_like(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = zeros_like(param)
        square_avg = state["square_avg"].array
        square_avg *= alpha
        square_avg += (1 - alpha) * (grad * grad)
        if group["centered"]:
            grad_avg = state["grad_avg"].array
            grad_avg *= alpha
            grad_avg += (1 - alpha) * grad
            avg = param.xp.sqrt(square_avg - grad_avg * grad_avg) + group["eps"]
        else:
            avg = param.xp.sqrt(square_avg) + group["eps"]
        if group["momentum"] > 0:
            buffer = state["momentum_buffer"].array
            buffer *= group["momentum"]
            buffer += grad / avg
            subtract_(param, group["lr"] * buffer)
        else:
            subtract_(param, group["lr"] * (grad / avg))


class Adagrad(Optimizer):
    """PyTorch's Adagrad. At step ``t``: ``s = s + g * g``, then
    ``p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)``. Its state exists from the start."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_hyperparameter(group["lr"], "lr", "Invalid learning rate")
        check_hyperparameter(group["lr_decay"], "lr_decay", "Invalid lr_decay value")
        check_hyperparameter(group["weight_decay"], "weight_decay", "Invalid weight_decay value")
        check_hyperparameter(
            group["initial_accumulator_value"],
            "initial_accumulator_value",
            "Invalid initial_accumulator_value value",
        )
        check_hyperparameter(group["eps"], "eps", "Invalid epsilon value")

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """As ``Optimizer.add_param_group``; each new parameter gets its step and sum at once."""
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for param in group["params"]:
            self.state[param] = {
                "step": host_scalar(),
                "sum": full_like(param, group["initial_accumulator_value"]),
            }

    def _update(self, param: Tensor, group: dict[str, Any]) -> None:
        grad = _gradient(param, group)
        state = self._state_for(param)
        step = count_step(state)
        rate = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        total = state["sum"].array
        total += grad * grad
        subtract_(param, rate * (grad / (param.xp.sqrt(total) + group["eps"])))


class Adadelta(Optimizer):
    """PyTorch's Adadelta::

    v = rho * v + (1 - rho) * g * g
    d = sqrt(u + eps) / sqrt(v + eps) * g
    u = rho * u + (1 - rho) * d * d
    p = p - lr * d
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_hyperparameter(group["lr"], "lr", "Invalid learning rate")
        check_hyperparameter(group["rho"], "rho", "Invalid rho value")
        if group["rho"] > 1:
            raise ValueError(f"Invalid rho value: {group['rho']}")
        check_hyperparameter(group["eps"], "eps", "Invalid epsilon value")
        check_hyperparameter(group["weight_decay"], "weight_decay", "Invalid weight_decay value")

    def _update(self, param: Tensor, group: dict[str, Any]) -> None:
        grad, rho, eps = _gradient(param, group), group["rho"], group["eps"]
        state = self._state_for(param)
        count_step(state)
        if "square_avg" not in state:
            state["square_avg"], state["acc_delta"] = zeros_like(param), zeros_like(param)
        square_avg, acc_delta = state["square_avg"].array, state["acc_delta"].array
        square_avg *= rho
        square_avg += (1 - rho) * (grad * grad)
        delta = param.xp.sqrt(acc_delta + eps) / param.xp.sqrt(square_avg + eps) * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * (delta * delta)
        subtract_(param, group["lr"] * delta)
