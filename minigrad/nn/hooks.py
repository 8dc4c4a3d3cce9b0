"""Running a module's hooks around its forward, and its full backward hooks during backward.

Forward hooks are plain calls before and after ``forward``. A full backward hook needs the
gradients of the module's inputs and outputs together, so, as PyTorch does, the call wraps the
tensor inputs and outputs in two identity ops: the one on the outputs sees ``grad_output`` first
(and runs the backward pre-hooks), the one on the inputs then sees ``grad_input`` and calls
the hooks with both.
"""

from __future__ import annotations

import warnings
from typing import Any

from minigrad.autograd.function import Function
from minigrad.tensor import Tensor


class _Gradients:
    """What the two identity ops of one call share: the module, and ``grad_output`` once known."""

    def __init__(self, module: Any, arity: int, positions: list[int]) -> None:
        self.module, self.arity, self.positions = module, arity, positions
        self.grad_output: tuple | None = None

    def call_hooks(self, grads: tuple) -> tuple:
        """``grad_input`` (one entry per forward argument) through the backward hooks."""
        grad_input = [None] * self.arity
        for position, grad in zip(self.positions, grads):
            grad_input[position] = grad
        grad_input = tuple(grad_input)
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                grad_input = _checked(result, len(grad_input), "grad_input")
        return tuple(grad_input[position] for position in self.positions)


def _checked(result: Any, count: int, what: str) -> tuple:
    result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    if len(result) != count:
        raise RuntimeError(
            f"Backward hook returned an invalid number of {what}s: got {len(result)}, expected {count}"
        )
    return result


class HookedInputs(Function):
    """The identity on the module's tensor inputs; its backward calls the full backward hooks."""

    @staticmethod
    def forward(ctx, shared, *inputs):
        ctx.shared = shared
        return inputs  # each comes out as a fresh alias of its input (same storage and version)

    @staticmethod
    def backward(ctx, *grads):
        return (None, *ctx.shared.call_hooks(grads))


class HookedOutputs(Function):
    """The identity on the module's tensor outputs; its backward records ``grad_output``."""

    @staticmethod
    def forward(ctx, shared, *outputs):
        ctx.shared = shared
        return outputs

    @staticmethod
    def backward(ctx, *grads):
        shared = ctx.shared
        for hook in list((shared.module._backward_pre_hooks or {}).values()):
            result = hook(shared.module, grads)
            if result is not None:
                grads = _checked(result, len(grads), "grad_output")
        shared.grad_output = grads
        if not shared.positions and shared.module._backward_hooks:  # no input needs a gradient
            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to module outputs "
                "since no inputs require gradients.",
                UserWarning,
                stacklevel=2,
            )
            shared.call_hooks(())
        return (None, *grads)


def _wrap(shared: _Gradients, function: type, tensors: list[Tensor]) -> list[Tensor]:
    return list(function.apply(shared, *tensors)) if tensors else []


def call_with_hooks(module: Any, args: tuple, kwargs: dict) -> Any:
    """``module(*args, **kwargs)`` with its forward pre-hooks, forward hooks and backward hooks."""
    for hook, with_kwargs in list((module._forward_pre_hooks or {}).values()):
        result = hook(module, args, kwargs) if with_kwargs else hook(module, args)
        if result is not None:
            if with_kwargs:
                args, kwargs = result
            else:
                args = result if isinstance(result, tuple) else (result,)
    shared = None
    if module._backward_hooks or module._backward_pre_hooks:
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        shared = _Gradients(module, len(args), positions)
        wrapped = _wrap(shared, HookedInputs, [args[i] for i in positions])
        args = tuple(wrapped[positions.index(i)] if i in positions else a for i, a in enumerate(args))
    try:
        output = module.forward(*args, **kwargs)
    except Exception:
        for hook, with_kwargs, always_call in list((module._forward_hooks or {}).values()):
            if always_call:
                hook(module, args, kwargs, None) if with_kwargs else hook(module, args, None)
        raise
    for hook, with_kwargs, _ in list((module._forward_hooks or {}).values()):
        result = hook(module, args, kwargs, output) if with_kwargs else hook(module, args, output)
        if result is not None:
            output = result
    if shared is not None:
        output = _hook_outputs(shared, output)
    return output


def _hook_outputs(shared: _Gradients, output: Any) -> Any:
    """The output with its tensors that need a gradient passed through ``HookedOutputs``."""
    single = isinstance(output, Tensor)
    items = [output] if single else list(output) if isinstance(output, (tuple, list)) else None
    if items is None:
        return output
    picked = [i for i, item in enumerate(items) if isinstance(item, Tensor) and item.requires_grad]
    for i, wrapped in zip(picked, _wrap(shared, HookedOutputs, [items[i] for i in picked])):
        items[i] = wrapped
    return items[0] if single else type(output)(items)
