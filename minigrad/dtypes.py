"""Dtypes and PyTorch's type promotion.

Python floats become the default dtype (``float32``), ints become ``int64``. In a binary op a
Python scalar or a 0-d tensor only decides the result dtype when it is of a higher category
(bool < integer < floating) than the tensors with dimensions, as in PyTorch:

>>> import numpy as np
>>> result_type((np.dtype("float32"), 1), (float, 0))
dtype('float32')
>>> result_type((np.dtype("int64"), 1), (float, 0))
dtype('float32')
"""

from __future__ import annotations

from typing import Any

import numpy as np

float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
bool_ = np.dtype("bool")

_default_dtype = float32


def set_default_dtype(dtype: Any) -> None:
    """Dtype of tensors made from Python floats (``float32`` unless changed)."""
    global _default_dtype
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes are allowed, got {dtype}")
    _default_dtype = dtype


def get_default_dtype() -> np.dtype:
    return _default_dtype


def is_floating(dtype: Any) -> bool:
    return np.dtype(dtype).kind == "f"


def _category(dtype: np.dtype) -> int:
    return {"b": 0, "u": 1, "i": 1, "f": 2}.get(dtype.kind, 3)


def _scalar_dtype(kind: type) -> np.dtype:
    if kind is bool:
        return bool_
    if kind is int:
        return int64
    return _default_dtype


def result_type(*operands: tuple[Any, int]) -> np.dtype:
    """The promoted dtype of operands given as ``(dtype or Python type, ndim)`` pairs.

    Dimensioned tensors decide first, then 0-d tensors, then Python scalars, each group only
    where it is of a higher category than the groups before it.
    """
    groups: list[list[np.dtype]] = [[], [], []]
    for dtype, ndim in operands:
        if isinstance(dtype, type) and not issubclass(dtype, np.generic):
            groups[2].append(_scalar_dtype(dtype))
        else:
            groups[0 if ndim > 0 else 1].append(np.dtype(dtype))
    result: np.dtype | None = None
    for group in groups:
        if not group:
            continue
        candidate = np.result_type(*group) if group is not groups[2] else max(group, key=_category)
        if result is None:
            result = candidate
        elif _category(candidate) > _category(result):
            result = candidate if group is not groups[2] or candidate.kind != "f" else _default_dtype
    assert result is not None, "result_type needs at least one operand"
    return result
