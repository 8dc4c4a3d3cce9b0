"""The differentiable ops, and the Tensor operators and methods that call them.

Importing this package attaches ``+``, ``sum``, ``reshape`` and the rest to ``Tensor``: the
method table below is the whole list of what a tensor can do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.ops import elementwise as ew
from minigrad.ops import indexing, linalg, reduction, shape
from minigrad.ops.device import to_device
from minigrad.ops.inplace import apply_inplace, setitem
from minigrad.tensor import Tensor


def _inplace(name: str, fn: Any) -> Any:
    def method(self: Tensor, other: Any = None, *args: Any, **kwargs: Any) -> Tensor:
        return apply_inplace(self, name, lambda old: fn(old, other, *args, **kwargs), other)

    method.__name__ = name
    method.__doc__ = f"In-place version of ``{name.strip('_')}``."
    return method


def _fill(old: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        value = to_device(value, old.device)
    return indexing.setitem(old, Ellipsis, value)


_METHODS: dict[str, Any] = {
    # arithmetic
    "__add__": ew.add,
    "__radd__": lambda a, b: ew.add(b, a),
    "__sub__": ew.sub,
    "__rsub__": lambda a, b: ew.sub(b, a),
    "__mul__": ew.mul,
    "__rmul__": lambda a, b: ew.mul(b, a),
    "__truediv__": ew.div,
    "__rtruediv__": lambda a, b: ew.div(b, a),
    "__pow__": ew.pow,
    "__rpow__": lambda a, b: ew.pow(b, a),
    "__matmul__": linalg.matmul,
    "__rmatmul__": lambda a, b: linalg.matmul(b, a),
    "__neg__": ew.neg,
    "__pos__": lambda a: a,
    "__abs__": ew.abs,
    "add": ew.add,
    "sub": ew.sub,
    "mul": ew.mul,
    "div": ew.div,
    "pow": ew.pow,
    "neg": ew.neg,
    "matmul": linalg.matmul,
    "mm": linalg.matmul,
    # comparisons (no gradient)
    "__eq__": lambda a, b: ew.compare("equal", a, b),
    "__ne__": lambda a, b: ew.compare("not_equal", a, b),
    "__lt__": lambda a, b: ew.compare("less", a, b),
    "__le__": lambda a, b: ew.compare("less_equal", a, b),
    "__gt__": lambda a, b: ew.compare("greater", a, b),
    "__ge__": lambda a, b: ew.compare("greater_equal", a, b),
    "eq": lambda a, b: ew.compare("equal", a, b),
    # unary math
    "exp": ew.exp,
    "log": ew.log,
    "sqrt": ew.sqrt,
    "sin": ew.sin,
    "cos": ew.cos,
    "abs": ew.abs,
    "tanh": ew.tanh,
    "sigmoid": ew.sigmoid,
    "relu": ew.relu,
    "clamp": ew.clamp,
    "clip": ew.clamp,
    "sign": ew.sign,
    "maximum": ew.maximum,
    "minimum": ew.minimum,
    # reductions
    "sum": reduction.sum,
    "mean": reduction.mean,
    "amax": reduction.amax,
    "amin": reduction.amin,
    "max": reduction.max,
    "min": reduction.min,
    "argmax": reduction.argmax,
    "argmin": reduction.argmin,
    "var": reduction.var,
    "std": reduction.std,
    "logsumexp": reduction.logsumexp,
    # shapes and indexing
    "reshape": shape.reshape,
    "view": shape.reshape,
    "permute": shape.permute,
    "transpose": shape.transpose,
    "t": shape.t,
    "flatten": shape.flatten,
    "squeeze": shape.squeeze,
    "unsqueeze": shape.unsqueeze,
    "expand": shape.expand,
    "flip": shape.flip,
    "expand_as": lambda a, other: shape.expand(a, *other.shape),
    "sum_to_size": shape.sum_to_size,
    "clone": shape.clone,
    "contiguous": shape.contiguous,
    "__getitem__": indexing.getitem,
    "__setitem__": setitem,
    "gather": indexing.gather,
    # dtypes
    "float": lambda a: ew.cast(a, np.float32),
    "double": lambda a: ew.cast(a, np.float64),
    "long": lambda a: ew.cast(a, np.int64),
    "bool": lambda a: ew.cast(a, np.bool_),
    "type_as": lambda a, other: ew.cast(a, other.dtype),
    # in place
    "add_": _inplace("add_", ew.add),
    "sub_": _inplace("sub_", ew.sub),
    "mul_": _inplace("mul_", ew.mul),
    "div_": _inplace("div_", ew.div),
    "__iadd__": _inplace("__iadd__", ew.add),
    "__isub__": _inplace("__isub__", ew.sub),
    "__imul__": _inplace("__imul__", ew.mul),
    "__itruediv__": _inplace("__itruediv__", ew.div),
    "fill_": _inplace("fill_", _fill),
    "copy_": _inplace("copy_", _fill),
    "zero_": lambda a: apply_inplace(a, "zero_", lambda old: _fill(old, 0)),
    "clamp_": lambda a, min=None, max=None: apply_inplace(
        a, "clamp_", lambda old: ew.clamp(old, min, max), min, max
    ),
    "relu_": lambda a: apply_inplace(a, "relu_", ew.relu),
}

for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)

Tensor.T = property(lambda a: shape.permute(a, *reversed(range(a.ndim))), doc="All dimensions reversed.")
Tensor.mT = property(lambda a: shape.transpose(a, -2, -1), doc="The last two dimensions swapped.")
