"""The Tensor: an array (NumPy or CuPy) plus what autograd needs to know about it.

This module holds data and bookkeeping only. The math lives in ``minigrad.ops``, which attaches
the operators and methods (``+``, ``sum``, ``reshape``, ...) to ``Tensor`` when it is imported;
``backward``, ``to``, ``cpu`` and ``cuda`` are methods here that call the engine and the ops.
"""

from __future__ import annotations

import math
import operator
import weakref
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad import dtypes
from minigrad._checks import is_int, is_real, normalize_dim
from minigrad._hooks import RemovableHandle
from minigrad._tensor_str import format_tensor
from minigrad.backend import backend, backend_of, device, get_array_module, is_backend_array

if TYPE_CHECKING:
    from minigrad.autograd.function import Node, ViewInfo


class Size(tuple):
    """The type of ``Tensor.shape`` and ``Tensor.size()``: a tuple of ints, printed as PyTorch prints
    ``torch.Size``; slicing, ``+`` and ``*`` give a ``Size`` again.

    >>> Size([2, 10]), Size([2, 10]) == (2, 10), Size([2, 10])[1:]
    (minigrad.Size([2, 10]), True, minigrad.Size([10]))
    """

    def __new__(cls, sizes: Iterable[Any] = ()) -> Size:
        values = tuple(sizes)
        for i, value in enumerate(values):
            if not hasattr(type(value), "__index__"):
                raise TypeError(
                    f"minigrad.Size() takes an iterable of 'int' (item {i} is '{type(value).__name__}')"
                )
        return tuple.__new__(cls, [operator.index(v) for v in values])

    def __repr__(self) -> str:
        return f"minigrad.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, index: Any) -> Any:
        item = tuple.__getitem__(self, index)
        return tuple.__new__(Size, item) if isinstance(index, slice) else item

    def __add__(self, other: Any) -> Size:
        return tuple.__new__(Size, tuple.__add__(self, other))

    def __radd__(self, other: Any) -> Size:
        return tuple.__new__(Size, tuple.__add__(other, self))

    def __mul__(self, times: Any) -> Size:
        return tuple.__new__(Size, tuple.__mul__(self, times))

    __rmul__ = __mul__

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        return math.prod(self)


class _Version:
    """How many times a storage was modified in place; shared by a tensor and its views."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    ``Tensor(array)`` wraps an existing NumPy or CuPy array without copying (ops use this);
    users make tensors with :func:`tensor` and the factories below.
    """

    __module__ = "minigrad"  # its public home, shown by ``type(t)`` as PyTorch's ``torch.Tensor``
    __array_ufunc__ = None  # so ``ndarray * Tensor`` calls Tensor.__rmul__ instead of converting

    # Bookkeeping defaults live on the class, so a new tensor stores only its array; an
    # instance attribute replaces one when it is set.
    _grad: Tensor | None = None
    _grad_fn: Node | None = None  # with _output_nr: where this tensor's gradient goes
    _output_nr: int = 0
    _requires_grad: bool = False  # a leaf's flag; a tensor with a grad_fn always requires grad
    _accumulator: Any = None  # a weak reference to a leaf's AccumulateGrad node
    _view: ViewInfo | None = None  # for a view: its base and the ops that made it
    _hooks: dict[int, Any] | None = None  # a leaf's gradient hooks (a non-leaf's live on its grad_fn)
    _version: _Version  # made on first use (see __getattr__): most tensors are never written

    def __init__(self, array: Any, requires_grad: bool = False) -> None:
        if type(array) is not np.ndarray:  # the common case needs no further checks
            if isinstance(array, Tensor):
                array = array.array
            elif not is_backend_array(array):
                array = np.asarray(array)
        self._array = array
        if requires_grad:
            self.requires_grad_(True)

    def __getattr__(self, name: str) -> Any:
        """Called only for attributes not set: gives a tensor its version counter on first use."""
        if name != "_version":
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        version = self._version = _Version()
        return version

    # ---- data and metadata ---------------------------------------------------------------
    @property
    def array(self) -> Any:
        """The backing NumPy or CuPy array itself (no copy)."""
        return self._array

    @property
    def xp(self) -> Any:
        """The array module of this tensor's data: ``numpy`` or ``cupy``."""
        return get_array_module(self._array)

    @property
    def shape(self) -> Size:
        return tuple.__new__(Size, self._array.shape)

    def size(self, dim: int | None = None) -> Size | int:
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return self.shape
        if self._array.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._array.shape[normalize_dim(dim, self._array.ndim)]

    @property
    def ndim(self) -> int:
        return self._array.ndim

    def dim(self) -> int:
        return self.ndim

    def numel(self) -> int:
        return int(self._array.size)

    @property
    def dtype(self) -> np.dtype:
        return self._array.dtype

    @property
    def device(self) -> device:
        return device(backend_of(self._array).type)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    __hash__ = object.__hash__

    # ---- autograd bookkeeping ------------------------------------------------------------
    @property
    def grad_fn(self) -> Node | None:
        """The graph node that made this tensor (``None`` for a leaf).

        A view's history follows its base: after an in-place write to either, it is rebuilt
        from the base's new history (PyTorch's rule for views).
        """
        view = self._view
        if view is not None and view.version != self._version.value:
            view.refresh(self)
        return self._grad_fn

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad or self.grad_fn is not None

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Mark a leaf as needing a gradient (only floating tensors can)."""
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "requires_grad_: you can only change requires_grad flags of leaf tensors; "
                "use .detach() to get a tensor outside the graph"
            )
        if requires_grad and not dtypes.is_floating(self.dtype):
            raise RuntimeError(
                f"requires_grad: only tensors of floating point dtype can require gradients, "
                f"got dtype {self.dtype}"
            )
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        """Leaves are tensors not made by a recorded op; only leaves get ``.grad`` by default."""
        return self.grad_fn is None

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward, as PyTorch does."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn.retained[self._output_nr] = weakref.ref(self)

    def register_hook(self, hook: Any) -> RemovableHandle:
        """Call ``hook(grad)`` whenever a gradient for this tensor is computed; a returned tensor
        replaces the gradient. ``handle.remove()`` takes the hook away again."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self.grad_fn
        if node is None:
            if self._hooks is None:
                self._hooks = {}
            return RemovableHandle(self._hooks, hook)
        if node.hooks is None:
            node.hooks = {}
        return RemovableHandle(node.hooks.setdefault(self._output_nr, {}), hook)

    @property
    def retains_grad(self) -> bool:
        node = self.grad_fn
        ref = node.retained.get(self._output_nr) if node is not None else None
        return ref is not None and ref() is self

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient: ``None`` until a backward pass reaches this tensor."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        """Assigning checks the value as PyTorch does: a tensor of this one's shape, dtype and device."""
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}"
                )
            for what, got, want, fix in (
                ("of size", list(value.shape), list(self.shape), "are the same size"),
                ("with dtype", value.dtype, self.dtype, "have the same dtype"),
                ("with device type", value.device.type, self.device.type, "are on the same device"),
            ):
                if got != want:
                    raise RuntimeError(
                        f"attempting to assign a gradient {what} '{got}' to a tensor {what} '{want}'. "
                        f"Please ensure that the gradient and the tensor {fix}"
                    )
        self._grad = value

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (``gradient`` for non-scalars)."""
        from minigrad.autograd import engine  # the engine sits above the ops, which build on Tensor

        engine.backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self) -> Tensor:
        """A tensor sharing this storage (and its version counter) with no history."""
        out = Tensor(self._array)
        out._version = self._version
        return out

    def detach_(self) -> Tensor:
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        """The same storage, detached and untracked: ``w.data -= lr * w.grad`` updates ``w``."""
        return Tensor(self._array)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if self.requires_grad and not dtypes.is_floating(value.dtype):
            raise RuntimeError(
                "data set to a tensor that requires gradients must be floating point or complex dtype"
            )
        self._array = value.array

    # ---- devices and dtypes ----------------------------------------------------------------
    def to(self, *args: Any, non_blocking: bool = False, copy: bool = False, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other_tensor)``; differentiable.

        ``copy=True`` returns a new tensor even when nothing changes; ``non_blocking`` is
        accepted (copies here are synchronous). As in PyTorch, both may follow positionally.
        """
        from minigrad.ops.device import parse_to_args, to_device  # the ops build on this module
        from minigrad.ops.elementwise import cast

        positional = tuple(a for a in args if not isinstance(a, bool))
        if len(positional) < len(args):  # to(dtype, non_blocking, copy)
            non_blocking, copy = (*args[len(positional) :], copy)[:2]
            args = positional
        target, dtype = parse_to_args(args, kwargs)
        out = self if target is None else to_device(self, target)
        out = out if dtype is None else cast(out, dtype)
        return out.clone() if copy and out is self else out

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self) -> Tensor:
        return self.to("cuda")

    # ---- new tensors with this one's dtype and device ----------------------------------------
    def _new(self, factory: Any, args: tuple, kwargs: dict) -> Tensor:
        kwargs["dtype"] = kwargs.get("dtype") or self.dtype
        kwargs["device"] = kwargs.get("device") or self.device
        return factory(*args, **kwargs)

    def new_tensor(self, data: Any, **kwargs: Any) -> Tensor:
        """A copy of ``data`` with this tensor's dtype and device unless ``dtype=``/``device=`` say otherwise."""
        return self._new(tensor, (data,), kwargs)

    def new_zeros(self, *size: Any, **kwargs: Any) -> Tensor:
        """``zeros`` of ``size`` (ints, a tuple or ``size=``) with this tensor's dtype and device."""
        return self._new(zeros, size, kwargs)

    def new_ones(self, *size: Any, **kwargs: Any) -> Tensor:
        return self._new(ones, size, kwargs)

    def new_empty(self, *size: Any, **kwargs: Any) -> Tensor:
        return self._new(empty, size, kwargs)

    def new_full(self, size: Any, fill_value: Any, **kwargs: Any) -> Tensor:
        return self._new(full, (size, fill_value), kwargs)

    # ---- leaving minigrad ------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The data as a NumPy array (the same memory on the CPU)."""
        if self.requires_grad:
            raise RuntimeError(
                "numpy: can't call numpy() on a tensor that requires grad; use t.detach().numpy()"
            )
        return backend_of(self._array).to_host(self._array)

    def item(self) -> Any:
        if self.numel() != 1:
            raise ValueError(
                f"item: only one-element tensors can be converted to Python scalars, got shape {self.shape}"
            )
        return self._array.item()

    def tolist(self) -> Any:
        return self._array.tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """``np.asarray(t)`` for CPU tensors (device tensors refuse, as CuPy arrays do)."""
        if self.device.type != "cpu":
            raise TypeError(
                f"can't convert a {self.device} tensor to NumPy implicitly; use .cpu() or .numpy()"
            )
        array = self.detach().numpy()
        return array if dtype is None else array.astype(dtype, copy=False)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(f"bool: the truth value of a tensor with {self.numel()} elements is ambiguous")
        return bool(self.item())

    def __index__(self) -> int:
        if self.numel() != 1 or dtypes.is_floating(self.dtype):
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __repr__(self) -> str:
        return format_tensor(self)

    def __format__(self, spec: str) -> str:
        """``f"{loss:.3f}"`` formats a one-element tensor's value, as in PyTorch."""
        return format(self.item(), spec) if self.ndim == 0 else format(repr(self), spec)


# ---- making tensors -----------------------------------------------------------------------
def _beyond_int64(data: Any, array: np.ndarray) -> bool:
    """Whether ``data`` holds Python ints beyond int64 (NumPy turns them into uint64, float64 or object)."""
    kind = array.dtype.kind
    if kind not in "uOf" or (kind == "f" and not (array.size and np.abs(array).max() >= 2.0**63)):
        return False
    return any(type(v) is int and not -(2**63) <= v < 2**63 for v in np.array(data, dtype=object).flat)


def _host_array(data: Any, dtype: Any) -> np.ndarray:
    """Turn scalars and nested lists into a NumPy array with PyTorch's dtype and range rules."""
    try:
        array = np.array(data)
    except ValueError as err:
        raise ValueError(f"tensor: data must be a rectangular nested list of numbers ({err})") from None
    python = not isinstance(data, np.generic)
    if python and _beyond_int64(data, array):
        if dtype is None or not dtypes.is_floating(dtype):
            raise ValueError("Overflow when unpacking long long")
        array = np.array(data, dtype=dtype)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"tensor: data must be numbers, got {type(data).__name__} holding dtype {array.dtype}"
        )
    if (
        python
        and dtype is not None
        and np.dtype(dtype).kind in "iu"
        and array.dtype.kind in "biu"
        and array.size
    ):
        info = np.iinfo(dtype)
        if array.min() < info.min or array.max() > info.max:
            raise RuntimeError(f"value cannot be converted to type {np.dtype(dtype)} without overflow")
    if dtype is None and array.dtype.kind == "f" and python:
        array = array.astype(dtypes.get_default_dtype())
    if dtype is None and array.dtype.kind in "iu" and python:
        array = array.astype(dtypes.int64)
    return array


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A new tensor holding a copy of ``data`` (scalar, nested list, NumPy/CuPy array or Tensor).

    >>> tensor([[1.0, 2.0]]).dtype
    dtype('float32')
    >>> tensor([1, 2]).dtype
    dtype('int64')
    """
    if isinstance(data, Tensor):
        data = data.array
    source = backend_of(data)
    if source.type == "cpu" and not isinstance(data, np.ndarray):
        data = _host_array(data, dtype)
    target = backend(device if device is not None else (None if source.type == "cpu" else source.type))
    if target is source:
        array = target.xp.array(data, dtype=dtype, copy=True)
    else:
        host = source.to_host(data)
        array = target.from_host(np.array(host, dtype=dtype, copy=True))
    return Tensor(array, requires_grad=requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like :func:`tensor` but shares memory when ``data`` already has the right dtype and device."""
    if is_backend_array(data):
        data = Tensor(data)
    if (
        isinstance(data, Tensor)
        and (dtype is None or data.dtype == np.dtype(dtype))
        and (device is None or data.device.type == str(device).split(":")[0])
    ):
        return data
    return tensor(data, dtype=dtype, device=device)


def shape_arg(fn: str, sizes: tuple, size: Any = None) -> tuple[int, ...]:
    """A factory's shape, as PyTorch takes it: ints as separate arguments, one tuple, list or
    ``Size``, or the keyword ``size=``."""
    if size is not None:
        if sizes:
            raise TypeError(f"{fn}() got multiple values for argument 'size'")
        sizes = (size,)
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    for i, s in enumerate(sizes):
        if not is_int(s):
            raise TypeError(
                f"{fn}(): argument 'size' must be a tuple of ints, but found element of type "
                f"{type(s).__name__} at pos {i}"
            )
    negative = [s for s in sizes if s < 0]
    if negative:
        raise RuntimeError(f"Trying to create tensor with negative dimension {negative[0]}: {list(sizes)}")
    return tuple(int(s) for s in sizes)


def _filled(fill: str, shape: tuple[int, ...], dtype: Any, requires_grad: bool, device: Any) -> Tensor:
    xp = backend(device).xp
    dtype = np.dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    array = getattr(xp, fill)(shape, dtype=dtype)
    return Tensor(array, requires_grad=requires_grad)


def zeros(
    *sizes: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``."""
    return _filled("zeros", shape_arg("zeros", sizes, size), dtype, requires_grad, device)


def ones(
    *sizes: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    return _filled("ones", shape_arg("ones", sizes, size), dtype, requires_grad, device)


def empty(
    *sizes: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """A tensor whose values are whatever the memory held (faster than ``zeros`` when all are overwritten)."""
    return _filled("empty", shape_arg("empty", sizes, size), dtype, requires_grad, device)


def full(
    size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    if not (is_real(fill_value) or isinstance(fill_value, (bool, np.bool_))):
        raise TypeError(
            f"full(): argument 'fill_value' must be a number, not {type(fill_value).__name__} "
            f"({fill_value!r:.60})"
        )
    if dtype is None:
        dtype = (
            dtypes.result_type((type(fill_value), 0))
            if not isinstance(fill_value, np.generic)
            else fill_value.dtype
        )
    out = _filled("empty", shape_arg("full", (size,)), dtype, False, device)
    out.array.fill(fill_value)
    return out.requires_grad_(requires_grad) if requires_grad else out


def _like(fill: str, t: Tensor, dtype: Any, requires_grad: bool, device: Any) -> Tensor:
    return _filled(fill, t.shape, dtype or t.dtype, requires_grad, device or t.device)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _like("zeros", t, dtype, requires_grad, device)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _like("ones", t, dtype, requires_grad, device)


def empty_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _like("empty", t, dtype, requires_grad, device)


def full_like(
    t: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    return full(
        t.shape, fill_value, dtype=dtype or t.dtype, requires_grad=requires_grad, device=device or t.device
    )


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive); int64 for int arguments, float32 otherwise."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be non-zero")
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if is_int else dtypes.get_default_dtype()
    array = backend(device).xp.arange(start, end, step, dtype=dtype)
    return Tensor(array, requires_grad=requires_grad)


def _check_steps(steps: Any) -> None:
    if not is_int(steps):
        raise TypeError(f"argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")


def linspace(
    start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    _check_steps(steps)
    array = backend(device).xp.linspace(start, end, steps, dtype=dtype or dtypes.get_default_dtype())
    return Tensor(array, requires_grad=requires_grad)


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """``steps`` values from ``base ** start`` to ``base ** end``, evenly spaced in the exponent.

    >>> logspace(0, 2, 3)
    tensor([  1.,  10., 100.])
    """
    _check_steps(steps)
    xp = backend(device).xp
    powers = xp.power(float(base), xp.linspace(start, end, steps, dtype=np.float64))
    return Tensor(powers.astype(dtype or dtypes.get_default_dtype()), requires_grad=requires_grad)


def eye(
    n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    array = backend(device).xp.eye(n, m, dtype=dtype or dtypes.get_default_dtype())
    return Tensor(array, requires_grad=requires_grad)


def _triangle_indices(which: str, row: int, col: int, offset: int, dtype: Any, device: Any) -> Tensor:
    for name, value in (("row", row), ("col", col)):
        if value < 0:
            raise RuntimeError(f"{name} must be non-negative, got{value}")
    dtype = np.dtype(dtype)
    if dtype.kind not in "iu":
        raise NotImplementedError(f"\"{which}_indices\" not implemented for '{dtypes.torch_name(dtype)}'")
    xp = backend(device).xp
    rows, cols = getattr(xp, f"{which}_indices")(row, offset, col)
    return Tensor(xp.stack([rows, cols]).astype(dtype).reshape(2, -1))


def tril_indices(
    row: int, col: int, offset: int = 0, dtype: Any = dtypes.int64, device: Any = None
) -> Tensor:
    """The (row, column) indices, row by row, of the lower triangle of a ``row x col`` matrix:
    on and below the diagonal ``offset``.

    >>> tril_indices(3, 3)
    tensor([[0, 1, 1, 2, 2, 2],
            [0, 0, 1, 0, 1, 2]])
    """
    return _triangle_indices("tril", row, col, offset, dtype, device)


def triu_indices(
    row: int, col: int, offset: int = 0, dtype: Any = dtypes.int64, device: Any = None
) -> Tensor:
    """The (row, column) indices, row by row, of the upper triangle: on and above the diagonal ``offset``."""
    return _triangle_indices("triu", row, col, offset, dtype, device)


_NUMPY_TYPES = "float64, float32, float16, int64, int32, int16, int8, uint64, uint32, uint16, uint8, and bool"


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing ``ndarray``'s memory: writes to either show in the other.

    >>> a = np.zeros(2)
    >>> t = from_numpy(a)
    >>> a[0] = 5.0
    >>> t
    tensor([5., 0.], dtype=minigrad.float64)
    """
    if not isinstance(ndarray, np.ndarray):
        kind = type(ndarray)
        name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
        raise TypeError(f"expected np.ndarray (got {name})")
    if ndarray.dtype.kind not in "biuf":
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{ndarray.dtype.type.__name__}. "
            f"The only supported types are: {_NUMPY_TYPES}."
        )
    if not ndarray.dtype.isnative:
        raise ValueError(
            "given numpy array has byte order different from the native byte order. "
            "Conversion between byte orders is currently not supported."
        )
    return Tensor(ndarray)
