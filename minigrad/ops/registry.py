"""The op registry: each op declares, beside its code, the names it is reached by.

``@op(method=..., function=..., functional=...)`` records the plain function object under each
name and returns it unchanged, so a call costs what a call of the function costs. The tables
below are read once, at import: ``minigrad.ops`` attaches the Tensor methods and properties,
``minigrad`` and ``minigrad.nn.functional`` export the functions, and the property tests check
that every entry has a test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

Op = TypeVar("Op", bound=Callable[..., Any])

METHODS: dict[str, Callable[..., Any]] = {}  # Tensor.<name>, called with the tensor first
INPLACE: dict[str, Callable[..., Any]] = {}  # Tensor.<name>_: the op whose result overwrites the tensor
PROPERTIES: dict[str, Callable[..., Any]] = {}  # Tensor.<name>, read without a call
FUNCTIONS: dict[str, Callable[..., Any]] = {}  # minigrad.<name>
FUNCTIONAL: dict[str, Callable[..., Any]] = {}  # minigrad.nn.functional.<name>
LINALG: dict[str, Callable[..., Any]] = {}  # minigrad.linalg.<name>
# op -> (number of tensor operands, keyword arguments of ``minigrad.testing.strategies.tensors``
# that keep them in the op's domain): inputs the property tests can draw from the declaration alone
DRAWN: dict[Callable[..., Any], tuple[int, dict[str, Any]]] = {}

Names = bool | str | Iterable[str]


def _names(names: Names, fn: Callable[..., Any]) -> tuple[str, ...]:
    """``True`` is the function's own name; a string is one name; otherwise several."""
    if names is True:
        return (fn.__name__,)
    if not names:
        return ()
    return (names,) if isinstance(names, str) else tuple(names)


def _swapped(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with its two operands swapped, for the reflected operators (``2 - t``)."""

    def reflected(a: Any, b: Any) -> Any:
        return fn(b, a)

    return reflected


def op(
    *,
    method: Names = (),
    function: Names = (),
    functional: Names = (),
    linalg: Names = (),
    inplace: Names = (),
    reflected: Names = (),
    property: Names = (),
    inputs: int = 0,
    domain: dict[str, Any] | None = None,
) -> Callable[[Op], Op]:
    """Declare the names of the op below: Tensor methods, ``minigrad`` functions,
    ``nn.functional`` and ``linalg`` functions, in-place Tensor methods, reflected operators and
    properties.

    ``inputs=n`` says the op takes ``n`` float64 tensors of broadcastable shapes and nothing else
    (their values within ``domain``), so the property tests gradcheck it with no table line."""

    def declare(fn: Op) -> Op:
        if inputs:
            DRAWN[fn] = (inputs, dict(domain or {}))
        for table, names, value in (
            (METHODS, method, fn),
            (METHODS, reflected, _swapped(fn) if reflected else fn),
            (FUNCTIONS, function, fn),
            (FUNCTIONAL, functional, fn),
            (LINALG, linalg, fn),
            (INPLACE, inplace, fn),
            (PROPERTIES, property, fn),
        ):
            for name in _names(names, fn):
                if name in table:
                    raise RuntimeError(f"op name {name!r} is declared twice")
                table[name] = value
        return fn

    return declare
