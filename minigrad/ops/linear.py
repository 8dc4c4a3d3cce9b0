"""The affine map of a dense layer, ``input @ weight.T + bias``, as one op."""

from __future__ import annotations

from minigrad.autograd.function import Function
from minigrad.ops.elementwise import promote
from minigrad.tensor import Tensor


class Linear(Function):
    """y = x Wᵀ + b: dx = g W, dW = gᵀ x (over all leading dimensions), db = g summed to b."""

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
        grad_input = grad @ weight if ctx.needs_input_grad[0] else None
        grad_weight = None
        if ctx.needs_input_grad[1]:
            grad_weight = grad.reshape(-1, grad.shape[-1]).T @ input.reshape(-1, input.shape[-1])
        return grad_input, grad_weight, grad if ctx.needs_input_grad[2] else None


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` with ``weight`` of shape ``(out_features, in_features)``.

    >>> import minigrad
    >>> linear(minigrad.ones(2, 3), minigrad.ones(4, 3), minigrad.zeros(4)).shape
    (2, 4)
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
