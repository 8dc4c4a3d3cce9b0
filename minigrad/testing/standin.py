"""A strict CPU stand-in for CuPy: NumPy does the math, CuPy's refusals stay in place.

CI has no GPU, yet the bugs that break minigrad on one show up without it: a stray ``np.`` call
on device data, a host array mixed into a device op, a hidden ``.item()`` in a training step.
This module makes such code fail (or get counted) where CuPy would make it fail (or wait for
the device):

* ``StandinArray`` holds an ``np.ndarray`` without being one. ``np.asarray(a)`` and every NumPy
  function or ufunc given one raise ``TypeError``. This is stricter than CuPy, which forwards
  some NumPy functions to itself; device code must not rely on that.
* ``standin`` is the ``cupy`` namespace: ``standin.zeros``, ``standin.add.at``,
  ``standin.lib.stride_tricks.as_strided``, ``standin.linalg.norm`` and the rest run NumPy on
  the unwrapped data and wrap the array results. Reductions give 0-d arrays, as CuPy's do.
* Reading device data on the host (``get``, ``asnumpy``, ``item``, ``tolist``, ``float(a)``,
  ``bool(a)``, pickling, boolean-mask indexing, ``nonzero``) is counted in ``host_transfers``. Copies
  from the host to the device are counted in ``device_uploads``.

>>> a = standin.arange(6.0).reshape(2, 3)
>>> a.sum(axis=1)
array([ 3., 12.])
>>> np.exp(a)
Traceback (most recent call last):
...
TypeError: operand 'StandinArray' does not support ufuncs (__array_ufunc__=None)
>>> with use_standin():
...     import minigrad.backend
...     minigrad.backend.get_array_module(a) is standin
True
"""

from __future__ import annotations

import operator
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from minigrad import backend as _backend

_IMPLICIT = (
    "Implicit conversion to a NumPy array is not allowed. "
    "Please use `.get()` to construct a NumPy array explicitly."
)


class TransferCounter:
    """Counts transfers in one direction between host and device.

    Inside ``with counter.forbidden():`` every transfer raises ``RuntimeError`` instead, so the
    traceback points at the line that made it.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self.count = 0
        self._forbidding = 0

    def record(self, why: str) -> None:
        if self._forbidding:
            raise RuntimeError(f"{self.what} by {why}, inside {self.what}.forbidden()")
        self.count += 1

    def reset(self) -> None:
        self.count = 0

    @contextmanager
    def forbidden(self) -> Iterator[None]:
        self._forbidding += 1
        try:
            yield
        finally:
            self._forbidding -= 1

    def __repr__(self) -> str:
        return f"<{self.what}: {self.count}>"


host_transfers = TransferCounter("host_transfers")
device_uploads = TransferCounter("device_uploads")

# The random classes hand out arrays from their methods, so they are wrapped like functions.
_STATEFUL = (np.random.Generator, np.random.RandomState)
# Functions and methods whose output shape depends on the data: CuPy reads a count back first.
_SYNCING = frozenset({"nonzero", "argwhere", "flatnonzero", "unique", "compress", "extract"})
# Keywords NumPy accepts and CuPy's version of the function does not.
_NOT_IN_CUPY = {"as_strided": frozenset({"writeable", "subok"})}
# The ufuncs whose methods CuPy implements; the others raise NotImplementedError there.
_UFUNC_METHODS = {
    "at": frozenset({"add", "subtract", "maximum", "minimum", "bitwise_and", "bitwise_or", "bitwise_xor"}),
    "reduce": frozenset({"add", "multiply"}),
    "accumulate": frozenset({"add", "multiply"}),
    "reduceat": frozenset({"add"}),
}
# NumPy names with no CuPy counterpart (CuPy keeps no floating-point error state).
_ABSENT = frozenset({"errstate", "seterr", "geterr", "seterrcall", "nditer"})


def _unwrap(obj: Any, where: str, originals: dict[int, StandinArray], host_ok: bool) -> Any:
    """The NumPy data inside ``obj`` (through lists and tuples); a host array is an error."""
    if isinstance(obj, StandinArray):
        originals[id(obj._a)] = obj
        return obj._a
    if isinstance(obj, np.ndarray):
        if not host_ok:
            raise TypeError(
                f"{where}: Unsupported type {np.ndarray} (a host array among device arrays); "
                "move it to the device first with xp.asarray"
            )
        return obj.copy()  # a real upload copies too: later writes on either side stay apart
    if type(obj) in (list, tuple):
        return type(obj)(_unwrap(item, where, originals, host_ok) for item in obj)
    return obj


def _wrap(obj: Any, originals: dict[int, StandinArray]) -> Any:
    """Device arrays for NumPy results: an input returned as is keeps its wrapper."""
    if isinstance(obj, np.ndarray):
        original = originals.get(id(obj))
        return original if original is not None else StandinArray(obj)
    if isinstance(obj, np.generic):
        return StandinArray(np.asarray(obj))
    if isinstance(obj, (list, tuple)):
        items = [_wrap(item, originals) for item in obj]
        return type(obj)._make(items) if hasattr(obj, "_make") else type(obj)(items)
    if isinstance(obj, _STATEFUL):
        return _Proxy(obj, type(obj).__name__)
    return obj


def _call(
    func: Any,
    where: str,
    args: tuple,
    kwargs: dict,
    *,
    host_ok: bool = False,
    owner: StandinArray | None = None,
) -> Any:
    """Run a NumPy callable on unwrapped arguments and wrap what it returns."""
    originals = {} if owner is None else {id(owner._a): owner}
    args = _unwrap(args, where, originals, host_ok)
    kwargs = {key: _unwrap(value, where, originals, host_ok) for key, value in kwargs.items()}
    return _wrap(func(*args, **kwargs), originals)


class _Proxy:
    """A NumPy function, ufunc, method or random generator seen from the device side."""

    __slots__ = ("_target", "_name", "_host_ok", "_owner")

    def __init__(
        self, target: Any, name: str, host_ok: bool = False, owner: StandinArray | None = None
    ) -> None:
        self._target, self._name, self._host_ok, self._owner = target, name, host_ok, owner

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        short = self._name.rpartition(".")[2]
        self._refuse_what_cupy_lacks(short, kwargs)
        if short in _SYNCING or (short == "where" and len(args) == 1):
            host_transfers.record(f"{self._name}()")
        if self._host_ok and not (args and isinstance(args[0], StandinArray)):
            device_uploads.record(f"{self._name}()")
        return _call(self._target, self._name, args, kwargs, host_ok=self._host_ok, owner=self._owner)

    def _refuse_what_cupy_lacks(self, short: str, kwargs: dict) -> None:
        unknown = _NOT_IN_CUPY.get(short, frozenset()).intersection(kwargs)
        if unknown:
            raise TypeError(f"{self._name}() got keywords CuPy's lacks: {sorted(unknown)}")
        ufunc = getattr(self._target, "__self__", None)  # set for ufunc.at, .reduce, ...
        if isinstance(ufunc, np.ufunc):
            name = ufunc.__name__
            if name not in _UFUNC_METHODS.get(short, {name}):
                raise NotImplementedError(f"`{name}.{short}` is not supported by CuPy")

    def __getattr__(self, name: str) -> Any:  # ufunc.at / .reduce / .outer, Generator methods
        return _adapt(getattr(self._target, name), f"{self._name}.{name}")

    def __repr__(self) -> str:
        return f"<stand-in {self._name}>"


class _Namespace(types.ModuleType):
    """A NumPy module seen from the device side; what it holds is adapted once, then cached."""

    def __init__(self, target: types.ModuleType, name: str) -> None:
        super().__init__(name, target.__doc__)
        self._target = target

    def __getattr__(self, name: str) -> Any:
        try:
            if name in _ABSENT:
                raise AttributeError(name)
            value = _adapt(getattr(self._target, name), f"{self.__name__}.{name}")
        except AttributeError:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}") from None
        setattr(self, name, value)
        return value


def _adapt(value: Any, name: str) -> Any:
    """What ``standin.<name>`` holds for NumPy's ``value``: types and constants pass through."""
    if value is np.ndarray:
        return StandinArray
    if isinstance(value, types.ModuleType):
        return _Namespace(value, name)
    if isinstance(value, type):  # dtypes, scalar types, exceptions; not the random generators
        return _Proxy(value, name) if issubclass(value, _STATEFUL) else value
    return _Proxy(value, name) if callable(value) else value


def _operand(other: Any, op: str) -> Any:
    """The NumPy operand for ``other``, ``NotImplemented`` for foreign types, or an error."""
    if isinstance(other, StandinArray):
        return other._a
    if isinstance(other, np.ndarray):
        raise TypeError(
            f"operator {op}: Unsupported type {np.ndarray} (a host array); "
            "move it to the device first with xp.asarray"
        )
    if isinstance(other, (bool, int, float, complex, np.generic)):
        return other
    return NotImplemented


def _operator(name: str) -> Any:
    return getattr(operator, name, None) or getattr(operator, f"{name}_")  # and_, or_


def _binary(name: str, reflected: bool = False) -> Any:
    op = _operator(name)
    dunder = f"__{'r' if reflected else ''}{name}__"

    def method(self: StandinArray, other: Any) -> Any:
        value = _operand(other, dunder)
        if value is NotImplemented:
            return NotImplemented
        return _wrap(op(value, self._a) if reflected else op(self._a, value), {})

    return method


def _inplace(name: str) -> Any:
    op = getattr(operator, f"i{name}")

    def method(self: StandinArray, other: Any) -> Any:
        value = _operand(other, f"__i{name}__")
        if value is NotImplemented:
            return NotImplemented
        op(self._a, value)  # NumPy writes into the shared buffer, so views see it
        return self

    return method


def _unary(name: str) -> Any:
    op = _operator(name)
    return lambda self: _wrap(op(self._a), {})


def _reads_host(convert: Any, why: str) -> Any:
    def method(self: StandinArray, *args: Any) -> Any:
        value = convert(self._a, *args)
        host_transfers.record(why)
        return value

    return method


def _count_index_transfers(key: Any, what: str) -> None:
    """A boolean mask makes CuPy read its count back; a host index array is uploaded."""
    for k in key if isinstance(key, tuple) else (key,):
        if isinstance(k, (StandinArray, np.ndarray)) and k.dtype == bool:
            host_transfers.record(f"boolean-mask {what}")
        if isinstance(k, (np.ndarray, list)):
            device_uploads.record(f"{what} with a host index")


_ARITHMETIC = (
    "add",
    "sub",
    "mul",
    "truediv",
    "floordiv",
    "mod",
    "pow",
    "matmul",
    "and",
    "or",
    "xor",
    "lshift",
    "rshift",
)
_COMPARISONS = ("lt", "le", "eq", "ne", "gt", "ge")
# CuPy's ndarray methods that stay on the device, and its plain attributes.
_METHODS = frozenset(
    "all any argmax argmin argpartition argsort astype choose clip compress conj conjugate "
    "copy cumprod cumsum diagonal dot fill flatten max mean min nonzero partition prod put "
    "ravel repeat reshape round sort squeeze std sum swapaxes take trace transpose var view".split()
)
_ATTRIBUTES = frozenset("T mT base dtype flags imag itemsize nbytes ndim real shape size strides".split())


class StandinArray:
    """A device array on the CPU: an ``np.ndarray`` inside, CuPy's ``ndarray`` surface outside.

    ``StandinArray(np_array)`` wraps without copying; tests normally get arrays from
    ``standin`` functions instead. Basic indexing gives views sharing memory, and in-place
    operators write into that memory.
    """

    __slots__ = ("_a",)
    __array_ufunc__ = None  # NumPy ufuncs refuse us; NumPy scalars' operators defer to ours
    __hash__ = None  # type: ignore[assignment]  # arrays are unhashable, as in NumPy and CuPy

    def __init__(self, array: np.ndarray) -> None:
        if not isinstance(array, np.ndarray):
            raise TypeError(f"StandinArray wraps an np.ndarray, got {type(array).__name__}")
        self._a = array

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError(_IMPLICIT)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        raise TypeError(
            f"numpy.{func.__name__}() got a device array: call it through the data's array "
            "module (xp = minigrad.backend.get_array_module(array)), not numpy"
        )

    def __getattr__(self, name: str) -> Any:
        if name in _METHODS:
            return _Proxy(getattr(self._a, name), f"ndarray.{name}", owner=self)
        if name in _ATTRIBUTES:
            return _wrap(getattr(self._a, name), {id(self._a): self})
        raise AttributeError(
            f"'StandinArray' object has no attribute {name!r}: CuPy's ndarray lacks it, or it "
            "reads device data on the host (use .get() for a NumPy copy)"
        )

    @property
    def __cuda_array_interface__(self) -> dict[str, Any]:
        """Where the data lies and how it is laid out, as CuPy describes its device memory."""
        host = self._a.__array_interface__
        return {
            "shape": host["shape"],
            "typestr": host["typestr"],
            "data": host["data"],
            "strides": self._a.strides,
            "version": 3,
        }

    # Reading device data on the host: each call is counted.
    def get(self, stream: Any = None) -> np.ndarray:
        """A NumPy copy of the data (as ``cupy.ndarray.get``)."""
        host_transfers.record("get()")
        return self._a.copy()

    def set(self, array: np.ndarray) -> None:
        """Copy host data into this array (as ``cupy.ndarray.set``)."""
        device_uploads.record("set()")
        self._a[...] = array

    item = _reads_host(np.ndarray.item, "item()")
    tolist = _reads_host(np.ndarray.tolist, "tolist()")
    __float__ = _reads_host(np.ndarray.__float__, "float()")
    __int__ = _reads_host(np.ndarray.__int__, "int()")
    __complex__ = _reads_host(np.ndarray.__complex__, "complex()")
    __bool__ = _reads_host(np.ndarray.__bool__, "bool()")
    __format__ = _reads_host(np.ndarray.__format__, "format()")

    def __repr__(self) -> str:  # not counted: printing is for people, not for training steps
        return repr(self._a)

    def __str__(self) -> str:
        return str(self._a)

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Iterator[StandinArray]:
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(len(self._a)))

    def __getitem__(self, key: Any) -> StandinArray:
        _count_index_transfers(key, "indexing")
        key = _unwrap(key, "indexing", {}, host_ok=True)
        result = self._a[key]
        if isinstance(result, np.generic):  # CuPy gives a 0-d view where NumPy gives a scalar
            result = self._a[(*key, ...) if isinstance(key, tuple) else (key, ...)]
        return StandinArray(result)

    def __setitem__(self, key: Any, value: Any) -> None:
        _count_index_transfers(key, "assignment")
        key = _unwrap(key, "indexing", {}, host_ok=True)
        self._a[key] = _unwrap(value, "assignment", {}, host_ok=False)

    def __copy__(self) -> StandinArray:
        return StandinArray(self._a.copy())

    def __deepcopy__(self, memo: dict) -> StandinArray:
        return StandinArray(self._a.copy())

    def __reduce__(self) -> tuple:
        """Pickling reads the data back to the host, as CuPy's does: ``(cupy.array, (a.get(),))``."""
        host_transfers.record("pickling")
        return _unpickle, (self._a.copy(),)


for _name in _ARITHMETIC:
    setattr(StandinArray, f"__{_name}__", _binary(_name))
    setattr(StandinArray, f"__r{_name}__", _binary(_name, reflected=True))
    setattr(StandinArray, f"__i{_name}__", _inplace(_name))
for _name in _COMPARISONS:
    setattr(StandinArray, f"__{_name}__", _binary(_name))
for _name in ("neg", "pos", "abs", "invert"):
    setattr(StandinArray, f"__{_name}__", _unary(_name))


def _unpickle(data: np.ndarray) -> StandinArray:
    """A pickled device array comes back through the door from host memory (an upload)."""
    return standin.array(data)


def asnumpy(a: Any) -> np.ndarray:
    """A NumPy copy of a device array; NumPy data passes through (as ``cupy.asnumpy``)."""
    return a.get() if isinstance(a, StandinArray) else np.asarray(a)


def get_array_module(*arrays: Any) -> types.ModuleType:
    """``standin`` when any argument is a device array, else ``numpy`` (as CuPy's)."""
    return standin if any(isinstance(a, StandinArray) for a in arrays) else np


standin = _Namespace(np, "standin")
standin.ndarray = StandinArray
standin.asnumpy = asnumpy
standin.get_array_module = get_array_module
for _name in ("array", "asarray", "asanyarray"):  # the only doors from host memory
    setattr(standin, _name, _Proxy(getattr(np, _name), f"standin.{_name}", host_ok=True))

BACKEND = _backend.Backend("cuda", standin, StandinArray, asnumpy, standin.asarray)


@contextmanager
def use_standin(default: bool = False) -> Iterator[_backend.Backend]:
    """Serve device ``"cuda"`` from the stand-in; ``default=True`` also makes it the default.

    The previous "cuda" backend and default device come back on exit.
    """
    old = _backend.register_backend(BACKEND)
    old_default = _backend.get_default_device()
    if default:
        _backend.set_default_device("cuda")
    try:
        yield BACKEND
    finally:
        _backend.set_default_device(old_default)
        if old is None:
            _backend.unregister_backend("cuda")  # nothing to restore: forget the stand-in
        else:
            _backend.register_backend(old)
