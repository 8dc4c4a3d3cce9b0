"""In-place ops (``x += y``, ``x[i] = v``, ``zero_``...): compute the new value, write it back.

When the op must be recorded, the tensor's old value becomes a separate node in the graph and
the tensor itself takes the op's output position, so gradients flow through the assignment.
Writing bumps the storage's version counter: any backward that saved the old values and runs
later raises instead of returning a wrong gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minigrad import dtypes
from minigrad.autograd.grad_mode import is_grad_enabled, no_grad
from minigrad.tensor import Tensor


def _records(target: Tensor, operands: tuple[Any, ...]) -> bool:
    tensors = (target, *[x for x in operands if isinstance(x, Tensor)])
    return is_grad_enabled() and any(t.requires_grad for t in tensors)


def _check(target: Tensor, result: Tensor, name: str) -> None:
    if result.shape != target.shape:
        raise RuntimeError(
            f"{name}: output with shape {target.shape} doesn't match the broadcast shape {result.shape}"
        )
    if dtypes.is_floating(result.dtype) and not dtypes.is_floating(target.dtype):
        raise RuntimeError(
            f"{name}: result type {result.dtype} can't be cast to the desired output type {target.dtype}"
        )


def apply_inplace(target: Tensor, name: str, op: Callable[[Tensor], Tensor], *operands: Any) -> Tensor:
    """Overwrite ``target`` with ``op(target)``; ``operands`` are the other inputs of ``op``."""
    if not _records(target, operands):
        with no_grad():
            result = op(target)
        _check(target, result, name)
        target.array[...] = result.array
        target._version.value += 1
        return target
    if target.is_leaf and target.requires_grad:
        raise RuntimeError(
            f"{name}: a leaf Variable that requires grad (shape {target.shape}) is being used in an "
            "in-place operation; wrap it in `with minigrad.no_grad():` or update `.data`"
        )
    if target._base is not None:
        raise RuntimeError(
            f"{name}: in-place operations on a view of another tensor are not recorded by autograd; "
            f"write into the base tensor instead (e.g. base[index] = value)"
        )
    old = Tensor(target.array.copy())
    old.grad_fn, old._output_nr, old._requires_grad = target.grad_fn, target._output_nr, target.requires_grad
    result = op(old)
    _check(target, result, name)
    target.array[...] = result.array
    target._version.value += 1
    target.grad_fn, target._output_nr = result.grad_fn, result._output_nr
    target._requires_grad = result.requires_grad
    return target
