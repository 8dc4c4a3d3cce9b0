"""``Parameter``, a tensor a module learns, and the uninitialized parameters and buffers of the
lazy modules (``nn.LazyLinear`` and the rest) before their first forward."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.tensor import Tensor, empty


class Parameter(Tensor):
    """A tensor that is a module's learnable state: a leaf that requires grad by default.

    It shares storage with ``data``.

    >>> import minigrad
    >>> w = Parameter(minigrad.zeros(2))
    >>> w.requires_grad, w.is_leaf
    (True, True)
    """

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            data = Tensor(np.empty(0, dtype=np.float32))
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter: data must be a Tensor, got {type(data).__name__}")
        super().__init__(data.array, requires_grad=requires_grad)
        self._version = data._version  # in-place writes through either are seen by both

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


_UNINITIALIZED = (
    "This error happens when you are using a `LazyModule` or explicitly manipulating "
    "`nn.UninitializedParameter` objects. When using LazyModules Call `forward` with a dummy batch "
    "to initialize the parameters before calling torch functions"
)


class _Uninitialized:
    """A tensor without data, a lazy module's until its first forward infers the shape.

    ``materialize(shape)`` gives it storage and turns it into ``cls_to_become`` (the same object,
    so an optimizer built before holds it). Until then any use of its data raises.
    """

    cls_to_become: type

    def _uninitialized(self, requires_grad: bool, device: Any, dtype: Any) -> None:
        self._factory = {"device": device, "dtype": dtype}
        Tensor.__init__(self, empty(0, device=device, dtype=dtype).array, requires_grad)

    @property
    def _array(self) -> Any:
        raise ValueError(f"Attempted to use an uninitialized parameter. {_UNINITIALIZED}")

    @_array.setter
    def _array(self, array: Any) -> None:
        self.__dict__["_array"] = array  # read again once materialize() changed the class

    @property
    def dtype(self) -> Any:
        return self.__dict__["_array"].dtype

    @property
    def data(self) -> Tensor:
        """An empty tensor, as in PyTorch: writing into it (``p.data.normal_()``) changes nothing."""
        return Tensor(self.__dict__["_array"])

    @property
    def shape(self) -> tuple[int, ...]:
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
            "in `load_state_dict` when trying to load an uninitialized parameter into an initialized one. "
            "Call `forward` to initialize the parameters before accessing their attributes."
        )

    def materialize(self, shape: tuple[int, ...], device: Any = None, dtype: Any = None) -> None:
        """Allocate (uninitialised) storage of ``shape``; the module's ``reset_parameters`` fills it."""
        factory = {
            **self._factory,
            **{k: v for k, v in (("device", device), ("dtype", dtype)) if v is not None},
        }
        self.__dict__["_array"] = empty(*shape, **factory).array
        del self._factory
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class UninitializedParameter(_Uninitialized, Parameter):
    """A lazy module's parameter before its first forward; a ``Parameter`` after."""

    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        self._uninitialized(requires_grad, device, dtype)


class UninitializedBuffer(_Uninitialized, Tensor):
    """A lazy module's buffer (running statistics) before its first forward; a ``Tensor`` after."""

    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None) -> None:
        self._uninitialized(requires_grad, device, dtype)
