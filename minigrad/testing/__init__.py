"""Testing helpers: ``assert_close`` (as ``torch.testing.assert_close``) and hypothesis strategies.

The strategies (listed once, in ``_STRATEGIES`` below) are imported on first use, so
``import minigrad.testing`` works without hypothesis installed; using one of them then asks for
it (``pip install 'minigrad[test]'``).

>>> import minigrad
>>> assert_close(minigrad.tensor([1.0, 2.0]), [1.0, 2.0 + 1e-7])
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.backend import backend_of

# The hypothesis strategies, by the module that defines them: the one list of them (each module's
# ``__all__`` is its entry). They are imported on first use, since hypothesis is optional.
_STRATEGIES = {
    "strategies": (
        "BOUND",
        "MIN_GAP",
        "ReductionArgs",
        "arrays",
        "basic_indices",
        "broadcastable_shapes",
        "broadcasting_to",
        "elements",
        "expand_shapes",
        "graphs",
        "integer_array_indices",
        "matmul_shapes",
        "mutually_broadcastable_shapes",
        "reduction_args",
        "reshape_shapes",
        "shapes",
        "tensors",
    ),
    "conv_strategies": ("conv2d_configs",),
}
_STRATEGY_MODULE = {name: module for module, names in _STRATEGIES.items() for name in names}

# torch.testing.assert_close's default (rtol, atol) by dtype; other dtypes compare exactly.
_DEFAULT_TOLERANCES = {
    np.dtype(np.float16): (1e-3, 1e-5),
    np.dtype(np.float32): (1.3e-6, 1e-5),
    np.dtype(np.float64): (1e-7, 1e-7),
}


def assert_close(
    actual: Any,
    expected: Any,
    rtol: float | None = None,
    atol: float | None = None,
    msg: str | Callable[[str], str] | None = None,
    *,
    equal_nan: bool = False,
    check_dtype: bool = True,
    check_device: bool = True,
) -> None:
    """Raise ``AssertionError`` unless ``|actual - expected| <= atol + rtol * |expected|`` everywhere.

    ``actual`` and ``expected`` are Tensors, NumPy/CuPy arrays, scalars or nested lists, with
    equal shapes (no broadcasting); tuples or lists of Tensors compare item by item. Without
    ``rtol`` and ``atol`` the tolerances come from the dtypes, as in PyTorch (float32: 1.3e-6 and
    1e-5, float64: 1e-7 and 1e-7, the looser of the two dtypes); give both or neither. Dtypes
    (and devices) must match when both sides are Tensors, or both arrays; a scalar or list is
    just a value. ``msg`` replaces the message, or maps it when callable.

    >>> import numpy as np
    >>> assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.5]))
    Traceback (most recent call last):
    ...
    AssertionError: Tensor-likes are not close!
    <BLANKLINE>
    Mismatched elements: 1 / 2 (50.0%)
    Greatest absolute difference: 0.5 at index (1,) (up to 1e-07 allowed)
    Greatest relative difference: 0.2 at index (1,) (up to 1e-07 allowed)
    """
    if (rtol is None) != (atol is None):
        raise ValueError(f"assert_close: give both rtol and atol or neither, got rtol={rtol}, atol={atol}")
    failure = _compare(actual, expected, rtol, atol, equal_nan, check_dtype, check_device)
    if failure is not None:
        if callable(msg):
            failure = msg(failure)
        elif msg is not None:
            failure = msg
        raise AssertionError(failure)


def _compare(actual, expected, rtol, atol, equal_nan, check_dtype, check_device) -> str | None:
    """The failure message, or None when close."""
    if _is_sequence_of_tensors(actual) or _is_sequence_of_tensors(expected):
        if not isinstance(actual, (list, tuple)) or not isinstance(expected, (list, tuple)):
            return f"Cannot compare a {type(actual).__name__} with a {type(expected).__name__}"
        if len(actual) != len(expected):
            return f"The lengths of the sequences do not match: {len(actual)} != {len(expected)}"
        for k, (a, e) in enumerate(zip(actual, expected)):
            failure = _compare(a, e, rtol, atol, equal_nan, check_dtype, check_device)
            if failure is not None:
                return f"The failure occurred for item [{k}]:\n\n{failure}"
        return None

    kind_a, kind_e = _kind(actual), _kind(expected)
    a, e = _to_numpy(actual), _to_numpy(expected)
    if a.shape != e.shape:
        return f"The values for attribute 'shape' do not match: {a.shape} != {e.shape}."
    if kind_a == kind_e != "value":
        if check_dtype and a.dtype != e.dtype:
            return f"The values for attribute 'dtype' do not match: {a.dtype} != {e.dtype}."
        if check_device and kind_a == "tensor" and actual.device != expected.device:
            return f"The values for attribute 'device' do not match: {actual.device} != {expected.device}."
    if rtol is None:
        rtol, atol = (max(pair) for pair in zip(_default_tolerance(a.dtype), _default_tolerance(e.dtype)))
    return _mismatch(a, e, rtol, atol, equal_nan)


def _mismatch(a: np.ndarray, e: np.ndarray, rtol: float, atol: float, equal_nan: bool) -> str | None:
    if a.dtype.kind in "biu" and e.dtype.kind in "biu":
        close = a == e
    else:
        close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if close.all():
        return None
    a, e = a.astype(np.float64), e.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        abs_diff = np.where(a == e, 0.0, np.abs(a - e))  # equal infinities differ by nothing
        abs_diff = np.where(np.isnan(abs_diff), np.where(close, 0.0, np.inf), abs_diff)
        rel_diff = np.where(abs_diff == 0, 0.0, abs_diff / np.abs(e))
        rel_diff = np.where(np.isnan(rel_diff), np.inf, rel_diff)
    bad = int((~close).sum())
    lines = [
        "Tensor-likes are not close!" if a.ndim else "Scalars are not close!",
        "",
        f"Mismatched elements: {bad} / {close.size} ({100 * bad / close.size:.1f}%)",
        f"Greatest absolute difference: {_max_at(abs_diff)} (up to {atol} allowed)",
        f"Greatest relative difference: {_max_at(rel_diff)} (up to {rtol} allowed)",
    ]
    if not a.ndim:
        lines[2:3] = [f"Expected {e.item()} but got {a.item()}."]
    return "\n".join(lines)


def _max_at(diff: np.ndarray) -> str:
    flat = int(np.argmax(diff))
    value = diff.reshape(-1)[flat]
    if not diff.ndim:
        return f"{value:.6g}"
    index = tuple(int(k) for k in np.unravel_index(flat, diff.shape))
    return f"{value:.6g} at index {index}"


def _default_tolerance(dtype: np.dtype) -> tuple[float, float]:
    return _DEFAULT_TOLERANCES.get(np.dtype(dtype), (0.0, 0.0))


def _is_tensor(value: Any) -> bool:
    from minigrad.tensor import Tensor

    return isinstance(value, Tensor)


def _is_sequence_of_tensors(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and any(_is_tensor(v) for v in value)


def _kind(value: Any) -> str:
    if _is_tensor(value):
        return "tensor"
    return "array" if hasattr(value, "dtype") and hasattr(value, "shape") else "value"


def _to_numpy(value: Any) -> np.ndarray:
    """A host NumPy array for a Tensor, a NumPy/CuPy array, a scalar or a nested list."""
    if _is_tensor(value):
        value = value.array
    if hasattr(value, "dtype") and hasattr(value, "shape"):
        return np.asarray(backend_of(value).to_host(value))
    try:
        array = np.asarray(value)
    except ValueError as err:  # ragged nested lists
        raise TypeError(f"assert_close: cannot compare {value!r}: {err}") from err
    if array.dtype == object:
        raise TypeError(f"assert_close: cannot compare values of type {type(value).__name__}: {value!r}")
    return array


def __getattr__(name: str) -> Any:
    """Import the hypothesis strategies on first use (hypothesis is an optional dependency)."""
    if name not in _STRATEGY_MODULE:
        raise AttributeError(f"module 'minigrad.testing' has no attribute {name!r}")
    module = importlib.import_module(f"minigrad.testing.{_STRATEGY_MODULE[name]}")
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_STRATEGY_MODULE])


__all__ = ["assert_close"]
