"""In-place ops (``x += y``, ``x[i] = v``, ``zero_``...): compute the new value, write it back.

When the op must be recorded, the tensor's old value becomes a separate node in the graph and
the tensor takes the op's output position, so gradients flow through the assignment. A write
into a view becomes, for its base, a ``CopySlices`` of the new values into the old base; views
of the storage rebuild their history from the base's when next used (PyTorch's rules). Writing
bumps the storage's version counter: a backward that saved the old values raises instead of
returning a wrong gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd.function import Function, replay, set_history
from minigrad.autograd.grad_mode import is_grad_enabled, no_grad
from minigrad.ops import indexing
from minigrad.ops.device import to_device
from minigrad.ops.elementwise import cast
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


class CopySlices(Function):
    """``base`` with the part that the view ops ``steps`` select replaced by ``value``."""

    @staticmethod
    def forward(ctx, base, value, steps):
        ctx.steps = steps
        out = Tensor(base.array.copy())
        replay(out, steps).array[...] = value.array
        return out

    @staticmethod
    def backward(ctx, grad):
        zero = Tensor(grad.xp.zeros((), dtype=grad.dtype))
        need_base, need_value = ctx.needs_input_grad[:2]
        grad_base = CopySlices.apply(grad, zero, ctx.steps) if need_base else None
        return grad_base, replay(grad, ctx.steps) if need_value else None, None


def records(target: Tensor, operands: tuple[Any, ...]) -> bool:
    """Whether an in-place op on ``target`` with ``operands`` is recorded for backward."""
    return is_grad_enabled() and any(isinstance(t, Tensor) and t.requires_grad for t in (target, *operands))


def _check_overlap(target: Tensor) -> None:
    array = target.array
    # an empty array holds no element at all (NumPy gives it zero strides)
    if array.size and any(stride == 0 and size > 1 for stride, size in zip(array.strides, array.shape)):
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a single "
            "memory location. Please clone() the tensor before performing the operation."
        )


def _write(target: Tensor, result: Tensor, name: str) -> None:
    """Copy ``result`` into ``target``'s storage, once it fits, and bump the version."""
    if result.shape != target.shape:
        raise RuntimeError(
            f"{name}: output with shape {target.shape} doesn't match the broadcast shape {result.shape}"
        )
    if not dtypes.can_cast(result.dtype, target.dtype):
        raise RuntimeError(
            f"{name}: result type {dtypes.torch_name(result.dtype)} can't be cast to the desired output "
            f"type {dtypes.torch_name(target.dtype)}"
        )
    target.array[...] = result.array
    target._version.value += 1


def apply_inplace(target: Tensor, name: str, op: Callable[[Tensor], Tensor], *operands: Any) -> Tensor:
    """Overwrite ``target`` with ``op(target)``; ``operands`` are the other inputs of ``op``."""
    _check_overlap(target)
    if not records(target, operands):
        with no_grad():
            result = op(target)
        _write(target, result, name)
        return target
    return _recorded(target, name, op)


def _recorded(target: Tensor, name: str, op: Callable[[Tensor], Tensor]) -> Tensor:
    """The recorded in-place op: ``target`` (or, for a view, its base) takes the new history."""
    view = target._view
    base = target if view is None else view.base
    if base.is_leaf and base.requires_grad:
        raise RuntimeError(
            f"{'a leaf Variable' if view is None else 'a view of a leaf Variable'} that requires grad "
            "is being used in an in-place operation."
        )
    old = Tensor(base.array.copy())  # the base's value before the write, with its history
    set_history(old, base.grad_fn, base._output_nr)
    steps = () if view is None else view.steps
    result = op(replay(old, steps))
    _write(target, result, name)
    result = cast(result, target.dtype)
    new = result if view is None else CopySlices.apply(old, result, steps)
    set_history(base, new.grad_fn, new._output_nr)
    return target


@op(method="__setitem__")
def setitem(target: Tensor, index: Any, value: Any) -> None:
    """``target[index] = value``: recorded (and differentiable) when a gradient is needed."""
    _check_overlap(target)
    if records(target, (value,)):
        _recorded(target, "setitem", lambda old: indexing.setitem(old, index, value))
        return
    if isinstance(value, Tensor):
        value = to_device(value, target.device).array
    elif isinstance(value, (list, tuple, np.ndarray)):
        value = target.xp.asarray(value)
    target.array[indexing.as_arrays(indexing.normalize_index(index, target))] = value
    target._version.value += 1


@op(inplace=("fill_", "copy_"))
def _fill(old: Tensor, value: Any) -> Tensor:
    """Every element of ``old`` set to ``value`` (a number or a tensor that broadcasts)."""
    if isinstance(value, Tensor):
        value = to_device(value, old.device)
    return indexing.setitem(old, Ellipsis, value)


@op(inplace="zero_")
def _zero(old: Tensor) -> Tensor:
    return _fill(old, 0)
