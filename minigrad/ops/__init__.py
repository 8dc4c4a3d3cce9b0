"""The differentiable ops, and the Tensor operators and methods that call them.

Each op declares its names beside its code (``minigrad.ops.registry``); importing this package
imports every op module and attaches ``+``, ``sum``, ``reshape`` and the rest to ``Tensor``.
"""

from __future__ import annotations

from typing import Any

from minigrad.ops import (  # noqa: F401  (importing an op module declares its ops)
    activation,
    conv,
    dropout,
    elementwise,
    indexing,
    inplace,
    linalg,
    linear,
    loss,
    norms,
    padding,
    pool,
    reduction,
    scan,
    shape,
    sorting,
)
from minigrad.ops.inplace import apply_inplace
from minigrad.ops.registry import INPLACE, METHODS, PROPERTIES
from minigrad.tensor import Tensor


def _inplace(name: str, fn: Any) -> Any:
    """``Tensor.<name>``: ``fn(self, *args)`` written into ``self``, recorded when a gradient is needed."""

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return apply_inplace(self, name, lambda old: fn(old, *args, **kwargs), *args, *kwargs.values())

    method.__name__ = name
    method.__doc__ = f"In-place version of ``{name.strip('_')}``."
    return method


# The whole list of what a tensor can do, from the declarations.
_METHODS: dict[str, Any] = {**METHODS, **{name: _inplace(name, fn) for name, fn in INPLACE.items()}}

for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)
for _name, _fn in PROPERTIES.items():
    setattr(Tensor, _name, property(_fn))
