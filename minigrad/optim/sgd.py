"""Stochastic gradient descent with momentum, dampening, weight decay, Nesterov and maximize."""

from __future__ import annotations

from typing import Any

from minigrad.optim.optimizer import Optimizer, ParamsT, check_hyperparameter, subtract_
from minigrad.tensor import Tensor


class SGD(Optimizer):
    """PyTorch's SGD. For each parameter with a gradient, at step ``t``::

    g = -grad if maximize else grad
    g = g + weight_decay * p
    b = g if t == 1 else momentum * b + (1 - dampening) * g   # only with momentum
    g = g + momentum * b if nesterov else b
    p = p - lr * g
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_hyperparameter(group["lr"], "lr", "Invalid learning rate")
        check_hyperparameter(group["momentum"], "momentum", "Invalid momentum value")
        check_hyperparameter(group["weight_decay"], "weight_decay", "Invalid weight_decay value")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening "
                f"(got momentum={group['momentum']}, dampening={group['dampening']})"
            )

    def _update(self, param: Tensor, group: dict[str, Any]) -> None:
        grad = param.grad.array
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param.array
        momentum = group["momentum"]
        if momentum != 0:
            state = self._state_for(param)
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = Tensor(grad.copy())
            else:
                buffer = state["momentum_buffer"].array
                buffer *= momentum
                buffer += (1 - group["dampening"]) * grad
            buffer = state["momentum_buffer"].array
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        subtract_(param, group["lr"] * grad)
