"""Dtypes and PyTorch's type promotion.

Python floats become the default dtype (``float32``), ints become ``int64``. Two dtypes promote
to the higher category (bool < integer < floating) and, within one, to the wider type; unlike
NumPy, an integer never widens a float (``float16`` with ``int32`` is ``float16``). In an op, a
Python scalar or a 0-d tensor only decides the result dtype when it is of a higher category
than the tensors with dimensions, as in PyTorch:

>>> import numpy as np
>>> result_type((np.dtype("float32"), 1), (float, 0))
dtype('float32')
>>> result_type((np.dtype("int64"), 1), (float, 0))
dtype('float32')
>>> result_type((np.dtype("float16"), 1), (np.dtype("int32"), 1))
dtype('float16')
"""

from __future__ import annotations

from typing import Any

import numpy as np

uint8 = np.dtype("uint8")
int8 = np.dtype("int8")
int16 = np.dtype("int16")
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


_TORCH_NAMES = {"b": "Bool", "u1": "Byte", "i1": "Char", "i2": "Short", "i4": "Int", "i8": "Long"}
_TORCH_NAMES.update({"f2": "Half", "f4": "Float", "f8": "Double"})


def torch_name(dtype: Any) -> str:
    """PyTorch's name of a dtype in its error messages (``Float``, ``Long``), else NumPy's."""
    dtype = np.dtype(dtype)
    return _TORCH_NAMES.get("b" if dtype.kind == "b" else f"{dtype.kind}{dtype.itemsize}", str(dtype))


_CATEGORIES = {"b": 0, "u": 1, "i": 1, "f": 2}


def _category(dtype: np.dtype) -> int:
    return _CATEGORIES.get(dtype.kind, 3)


def can_cast(source: Any, target: Any) -> bool:
    """Whether an in-place op may write ``source`` values into a ``target`` tensor (PyTorch's rule:
    not into a lower category, so no float into an int tensor, no int into a bool one)."""
    return _category(np.dtype(source)) <= _category(np.dtype(target))


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's ``promote_types``: the higher category wins; within one, the wider type.

    An unsigned and a signed integer give a signed type wide enough for both (uint8 with int8
    is int16).
    """
    if a == b or _category(a) > _category(b):
        return a
    if _category(b) > _category(a):
        return b
    if a.kind == b.kind:
        return a if a.itemsize >= b.itemsize else b
    signed, unsigned = (a, b) if a.kind == "i" else (b, a)
    return (
        signed if signed.itemsize > unsigned.itemsize else np.dtype(f"int{min(16 * unsigned.itemsize, 64)}")
    )


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
    groups: list[np.dtype | None] = [None, None, None]
    for dtype, ndim in operands:
        if isinstance(dtype, type) and not issubclass(dtype, np.generic):
            which, dtype = 2, _scalar_dtype(dtype)
        else:
            which, dtype = (0 if ndim > 0 else 1), np.dtype(dtype)
        seen = groups[which]
        groups[which] = dtype if seen is None else promote_types(seen, dtype)
    result: np.dtype | None = None
    for candidate in groups:
        if candidate is not None and (result is None or _category(candidate) > _category(result)):
            result = candidate
    assert result is not None, "result_type needs at least one operand"
    return result
