"""Ops with bool results or bool/integer operands: comparisons, closeness, NaN and inf tests, the
logical ops and the bitwise ones (``& | ^ ~``). None has a gradient.

Comparisons promote their operands as arithmetic does (``int_tensor < 2.5`` compares in float).
Their in-place forms (``x.lt_(y)``) write 1 and 0 in ``x``'s own dtype, as PyTorch's do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.ops.elementwise import expect_tensor, promote, two_tensors
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


def _operand(x: Any) -> bool:
    return isinstance(x, (Tensor, bool, int, float, np.generic, np.ndarray))


def _comparison(name: str, ufunc: str) -> Any:
    def comparison(input: Tensor, other: Any) -> Tensor:
        expect_tensor(name, "input", 1, input)
        x, y = promote(input, other)
        return Tensor(getattr(x.xp, ufunc)(x.array, y.array))

    comparison.__name__ = comparison.__qualname__ = name
    comparison.__doc__ = f"``input {ufunc.replace('_', ' ')} other`` elementwise, as a bool tensor."
    return comparison


def _operator(comparison: Any) -> Any:
    """The Python operator: ``NotImplemented`` for operands that are not tensors or numbers, so
    ``t == None`` is False and ``t < None`` a TypeError, as in PyTorch."""

    def operator(self: Tensor, other: Any) -> Any:
        return comparison(self, other) if _operand(other) else NotImplemented

    return operator


for _name, _alias, _ufunc, _dunder in (
    ("eq", None, "equal", "__eq__"),
    ("ne", "not_equal", "not_equal", "__ne__"),
    ("lt", "less", "less", "__lt__"),
    ("le", "less_equal", "less_equal", "__le__"),
    ("gt", "greater", "greater", "__gt__"),
    ("ge", "greater_equal", "greater_equal", "__ge__"),
):
    _names = (_name,) if _alias is None else (_name, _alias)
    _fn = op(method=_names, function=_names, inplace=[f"{n}_" for n in _names])(_comparison(_name, _ufunc))
    op(method=_dunder)(_operator(_fn))


def _same_dtype(a: Tensor, b: Tensor) -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(f"{dtypes.torch_name(a.dtype)} did not match {dtypes.torch_name(b.dtype)}")


@op(method=True, function=True)
def isclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """``|input - other| <= atol + rtol * |other|``, or equal (infinities of one sign are close);
    NaN is close to NaN only with ``equal_nan``. Both tensors must have one dtype."""
    expect_tensor("isclose", "input", 1, input)
    expect_tensor("isclose", "other", 2, other)
    _same_dtype(input, other)
    for name, value in (("rtol", rtol), ("atol", atol)):
        if value < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {value}")
    xp, x, y = input.xp, input.array, other.array
    close = x == y
    if equal_nan and dtypes.is_floating(x.dtype):
        close |= xp.isnan(x) & xp.isnan(y)
    if rtol == 0 and atol == 0:
        return Tensor(close)
    if x.dtype.kind == "b":
        x, y = x.astype(dtypes.get_default_dtype()), y.astype(dtypes.get_default_dtype())
    scale = y if dtypes.is_floating(y.dtype) else y.astype(dtypes.get_default_dtype())
    x, y = xp.where(close, 0, x).astype(x.dtype), xp.where(close, 0, y).astype(y.dtype)  # no inf - inf
    error = xp.abs(x - y)
    with_inf = xp.isfinite(error) if dtypes.is_floating(error.dtype) else True
    return Tensor(close | (with_inf & (error <= atol + xp.abs(rtol * scale))))


@op(method=True, function=True)
def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether ``isclose`` holds everywhere."""
    return bool(isclose(input, other, rtol, atol, equal_nan).array.all())


@op(method=True, function=True)
def equal(input: Tensor, other: Tensor) -> bool:
    """Whether both have the same shape and the same values (NaN is not equal to NaN)."""
    x, y = two_tensors("equal", input, other)
    return x.shape == y.shape and bool((x.array == y.array).all())


def _test(name: str, test: Any, integers: bool) -> Any:
    """``isnan``, ``isinf``... as a bool tensor; for integer and bool tensors the answer is ``integers``."""

    def check(input: Tensor) -> Tensor:
        expect_tensor(name, "input", 1, input)
        xp = input.xp
        if not dtypes.is_floating(input.dtype):
            return Tensor(xp.full(input.shape, integers))
        return Tensor(test(xp, input.array))

    check.__name__ = check.__qualname__ = name
    check.__doc__ = f"Elementwise ``{name}``, as a bool tensor."
    return check


for _name, _check, _integers in (
    ("isnan", lambda xp, x: xp.isnan(x), False),
    ("isinf", lambda xp, x: xp.isinf(x), False),
    ("isfinite", lambda xp, x: xp.isfinite(x), True),
    ("isposinf", lambda xp, x: xp.isinf(x) & (x > 0), False),
    ("isneginf", lambda xp, x: xp.isinf(x) & (x < 0), False),
):
    op(method=_name, function=_name)(_test(_name, _check, _integers))


def _logical(name: str) -> Any:
    def logical(input: Tensor, other: Tensor) -> Tensor:
        expect_tensor(name, "input", 1, input)
        expect_tensor(name, "other", 2, other)
        return Tensor(getattr(input.xp, name)(input.array, other.array))

    logical.__name__ = logical.__qualname__ = name
    logical.__doc__ = f"Elementwise ``{name.split('_')[1]}`` of the truth values (nonzero is True)."
    return logical


for _name in ("logical_and", "logical_or", "logical_xor"):
    op(method=_name, function=_name, inplace=f"{_name}_")(_logical(_name))


@op(method=True, function=True, inplace="logical_not_")
def logical_not(input: Tensor) -> Tensor:
    """True where ``input`` is zero."""
    expect_tensor("logical_not", "input", 1, input)
    return Tensor(input.xp.logical_not(input.array))


def _integral(name: str, *operands: Tensor) -> None:
    for x in operands:
        if dtypes.is_floating(x.dtype):
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dtypes.torch_name(x.dtype)}'")


def _bitwise(name: str, ufunc: str) -> Any:
    def bitwise(input: Any, other: Any) -> Tensor:
        x, y = promote(input, other)
        _integral(name, x)
        return Tensor(getattr(x.xp, ufunc)(x.array, y.array))

    bitwise.__name__ = bitwise.__qualname__ = name
    bitwise.__doc__ = f"Elementwise bitwise ``{ufunc.split('_')[1]}`` of bool or integer tensors."
    return bitwise


for _name, _ufunc, _dunder in (
    ("bitwise_and", "bitwise_and", "and"),
    ("bitwise_or", "bitwise_or", "or"),
    ("bitwise_xor", "bitwise_xor", "xor"),
):
    op(
        method=(_name, f"__{_dunder}__"),
        function=_name,
        reflected=f"__r{_dunder}__",
        inplace=(f"{_name}_", f"__i{_dunder}__"),
    )(_bitwise(_name, _ufunc))


@op(method=True, function=True, inplace="bitwise_not_")
def bitwise_not(input: Tensor) -> Tensor:
    """Bitwise not of an integer tensor; logical not of a bool one."""
    expect_tensor("bitwise_not", "input", 1, input)
    _integral("bitwise_not", input)
    return Tensor(input.xp.invert(input.array))


@op(method="__invert__")
def invert(input: Tensor) -> Tensor:
    """``~input``: ``bitwise_not``, with PyTorch's TypeError for float tensors."""
    if dtypes.is_floating(input.dtype):
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(input)
