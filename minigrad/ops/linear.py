"""The affine map of a dense layer, ``input @ weight.T + bias``, as one op."""

from __future__ import annotations

import math
from typing import Any

from minigrad.autograd.function import Function
from minigrad.autograd.grad_mode import is_grad_enabled
from minigrad.ops.elementwise import promote
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


class Linear(Function):
    """y = x Wᵀ + b; the gradients are ``_linear_grads``."""

    node_name = "AddmmBackward0"  # PyTorch's name for this backward step

    @staticmethod
    def forward(ctx, input, weight, bias):
        need_input, need_weight = ctx.needs_input_grad[:2]
        ctx.save_for_backward(input if need_weight else None, weight if need_input else None)
        out = input.array @ weight.array.T
        if bias is not None:
            out += bias.array
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        input, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        if is_grad_enabled():  # the gradient's own graph is being built: differentiable ops
            return _linear_grads(grad, input, weight, needs)
        raw = (None if t is None else t.array for t in (input, weight))
        grads = _linear_grads(grad.array, *raw, needs)
        return tuple(None if g is None else Tensor(g) for g in grads)


def _linear_grads(grad: Any, input: Any, weight: Any, needs: tuple) -> tuple[Any, Any, Any]:
    """dx = g W, dW = gᵀ x and db = g summed, over all leading dimensions: one rule for
    Tensors and raw arrays alike (each gradient only where ``needs`` says so; ``input`` and
    ``weight`` are saved only where a gradient uses them)."""
    count = math.prod(grad.shape[:-1])  # not -1 in the reshapes: a dimension may be 0
    rows = grad.reshape(count, grad.shape[-1])
    grad_input = grad @ weight if needs[0] else None
    grad_weight = rows.T @ input.reshape(count, input.shape[-1]) if needs[1] else None
    grad_bias = rows.sum(0) if needs[2] else None
    return grad_input, grad_weight, grad_bias


@op(functional=True)
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` with ``weight`` of shape ``(out_features, in_features)``.

    >>> import minigrad
    >>> linear(minigrad.ones(2, 3), minigrad.ones(4, 3), minigrad.zeros(4)).shape
    minigrad.Size([2, 4])
    """
    if weight.ndim != 2:
        raise ValueError(
            f"linear: weight must be 2-D (out_features, in_features), got shape {tuple(weight.shape)}"
        )
    if input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input's last dimension must equal in_features={weight.shape[1]}; "
            f"input {tuple(input.shape)}, weight {tuple(weight.shape)}"
        )
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise ValueError(f"linear: bias must have shape ({weight.shape[0]},), got {tuple(bias.shape)}")
    tensors = promote(input, weight) if bias is None else promote(input, weight, bias)
    return Linear.apply(*tensors, *([None] if bias is None else []))
