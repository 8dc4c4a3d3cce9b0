"""Which array module holds a tensor's data: NumPy on the CPU, CuPy on a GPU.

Every op asks ``xp = get_array_module(array)`` and does its math with ``xp``, so one piece of
code runs on both. CuPy is imported lazily: minigrad works without it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Backend:
    """An array module (``numpy``, ``cupy`` or a stand-in) and how to move arrays to and from the host."""

    type: str
    xp: ModuleType
    array_type: type
    to_host: Callable[[Any], np.ndarray]
    from_host: Callable[[np.ndarray], Any]


class device:
    """A device name as in PyTorch: ``device("cpu")``, ``device("cuda")`` or ``device("cuda:0")``.

    >>> device("cuda:0").type
    'cuda'
    >>> device("cpu") == "cpu"
    True
    """

    def __init__(self, spec: str | device) -> None:
        text = str(spec)
        kind, _, index = text.partition(":")
        if kind not in ("cpu", "cuda") or (index and not index.isdigit()):
            raise RuntimeError(f"device: expected 'cpu', 'cuda' or 'cuda:N', got {text!r}")
        self.type = kind
        self.index = int(index) if index else None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        return (
            f"device(type={self.type!r})"
            if self.index is None
            else (f"device(type={self.type!r}, index={self.index})")
        )


_CPU = Backend("cpu", np, np.ndarray, lambda a: a, lambda a: a)
_BACKENDS: dict[str, Backend] = {"cpu": _CPU}
_default_device = "cpu"


def _load_cupy() -> Backend:
    try:
        import cupy
    except ImportError as err:
        raise RuntimeError(
            "device 'cuda' needs CuPy and an NVIDIA GPU: install the gpu extra, pip install 'minigrad[gpu]'"
        ) from err
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:  # CuPy raises its own CUDARuntimeError when no driver is present
        raise RuntimeError(f"device 'cuda': CuPy is installed but no GPU is usable ({err})") from err
    if count == 0:
        raise RuntimeError("device 'cuda': CuPy is installed but no GPU is present")
    return Backend("cuda", cupy, cupy.ndarray, cupy.asnumpy, cupy.asarray)


def cuda_device_count() -> int:
    """How many GPUs CuPy can use: 0 without CuPy, a driver or a GPU (it never raises)."""
    try:
        import cupy

        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # ImportError, or CuPy's CUDARuntimeError when no driver is present
        return 0


def backend(spec: str | device | None = None) -> Backend:
    """The backend for a device (the default device when ``None``)."""
    kind = device(spec if spec is not None else _default_device).type
    if kind not in _BACKENDS:
        _BACKENDS[kind] = _load_cupy()
    return _BACKENDS[kind]


def register_backend(new: Backend) -> Backend | None:
    """Install ``new`` for its device type and return the one it replaces (tests use a stand-in)."""
    old = _BACKENDS.get(new.type)
    _BACKENDS[new.type] = new
    return old


def unregister_backend(kind: str) -> None:
    """Forget the backend of a device type, so the next use loads it afresh (CPU stays)."""
    if kind != "cpu":
        _BACKENDS.pop(kind, None)


def set_default_device(spec: str | device) -> None:
    """Where factories such as ``zeros`` and ``tensor`` put new tensors, as ``torch.set_default_device``."""
    global _default_device
    _default_device = str(device(spec))


def get_default_device() -> device:
    return device(_default_device)


def backend_of(array: Any) -> Backend:
    """The backend whose array type ``array`` is; NumPy arrays and scalars belong to the CPU."""
    if type(array) is np.ndarray:
        return _CPU
    for candidate in _BACKENDS.values():
        if candidate.type != "cpu" and isinstance(array, candidate.array_type):
            return candidate
    return _CPU


def get_array_module(array: Any) -> ModuleType:
    """``numpy`` for NumPy data, ``cupy`` (or the registered stand-in) for device data."""
    return backend_of(array).xp


def is_backend_array(array: Any) -> bool:
    """True for an array of any registered backend: NumPy, CuPy or the stand-in."""
    return any(isinstance(array, b.array_type) for b in _BACKENDS.values())
