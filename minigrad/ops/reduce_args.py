"""What reductions, sorts and scans share: PyTorch's named-tuple results (``torch.return_types``),
NumPy's ``axis=``/``keepdims=`` spellings, the dims to reduce and the errors over nothing."""

from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad._checks import normalize_dims
from minigrad.tensor import Tensor


@functools.cache
def return_type(name: str, fields: tuple[str, ...] = ("values", "indices")) -> type:
    """The named tuple ``name`` returns, as ``torch.return_types.<name>``: ``out.values``, ``out.indices``."""
    cls = namedtuple(name, fields)
    cls.__module__ = "minigrad.return_types"

    def __repr__(self: Any) -> str:
        items = ",\n".join(f"{field}={value!r}" for field, value in zip(fields, self))
        return f"minigrad.return_types.{name}(\n{items})"

    cls.__repr__ = __repr__
    return cls


def numpy_aliases(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` taking ``axis=`` for ``dim=`` and ``keepdims=`` for ``keepdim=``, as PyTorch does."""

    @functools.wraps(fn)
    def reduction(*args: Any, **kwargs: Any) -> Any:
        for alias, name in (("axis", "dim"), ("keepdims", "keepdim")):
            if alias in kwargs:
                if name in kwargs:
                    raise TypeError(f"{fn.__name__}(): got both '{name}' and its alias '{alias}'")
                kwargs[name] = kwargs.pop(alias)
        return fn(*args, **kwargs)

    return reduction


def reduced_dims(dim: Any, ndim: int) -> tuple[int, ...]:
    """The sorted dims to reduce; ``None`` and an empty list (``dim=()``) mean all of them."""
    return normalize_dims(None if isinstance(dim, (tuple, list)) and not dim else dim, ndim)


def check_nonempty(name: str, a: Tensor, dims: tuple[int, ...], whole: bool) -> None:
    """PyTorch's errors for a reduction without an identity (amax, argmax, ...) over nothing."""
    if whole and a.numel() == 0:
        hint = "" if name.startswith("arg") else " Specify the reduction dim with the 'dim' argument."
        error = IndexError if name.startswith("arg") else RuntimeError
        raise error(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.{hint}")
    for d in dims:
        if a.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def quiet() -> np.errstate:
    """No NumPy warning where inf - inf or 0 * inf makes NaN, or a product overflows: PyTorch gives none."""
    return np.errstate(invalid="ignore", over="ignore")
