"""``save`` and ``load``: state dicts as plain ``.npz`` or ``.safetensors`` files, never pickle.

An ``.npz`` holds each tensor as one ``.npy`` member, named by its key where the key is a
harmless file name (``"0.weight"``), so NumPy alone can read a saved model; one more member,
``__minigrad__``, holds a JSON description of the saved structure (``tree``), which lets nested
dicts, lists, numbers, strings, Parameters, tensors sharing memory and an optimizer's
``state_dict`` round-trip too. A path ending in ``.safetensors`` gets that format instead, the
one PyTorch users exchange weights in: a flat dict of tensors (``safetensors``).

Saving writes a temporary file and renames it into place (``files``). Loading never runs code,
and checks sizes, dtypes and structure before it reads data (``npz``, ``safetensors``,
``checks``): a damaged, malicious or oversized file is a ``ValueError`` naming it.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from functools import partial
from typing import IO, Any

import numpy as np

from minigrad.backend import device
from minigrad.serialization import checks, files, npz, safetensors, tree
from minigrad.serialization.tree import FORMAT, META_NAME, VERSION
from minigrad.tensor import Tensor

__all__ = ["FORMAT", "META_NAME", "VERSION", "load", "save"]

PathOrFile = str | os.PathLike | IO[bytes]
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_SAFETENSORS = ".safetensors"


def save(obj: Any, f: PathOrFile) -> None:
    """Write ``obj`` (a ``state_dict``, or any nest of dicts, lists, tensors and numbers) to ``f``.

    Device tensors are copied to the host; what cannot be saved without pickle is refused
    before anything is written. A path is written atomically: the complete new file or the
    old one, with the old one's permission bits; a symlink's target is replaced.
    """
    if _name(f).lower().endswith(_SAFETENSORS):
        write = partial(safetensors.write, arrays=safetensors.host_arrays(obj))
    else:
        meta, arrays = tree.encode(obj)
        write = partial(npz.write, arrays={**arrays, META_NAME: np.array(meta)})
    if hasattr(f, "write"):
        write(f)
    else:
        files.write_atomically(os.fspath(f), write)


def load(f: PathOrFile, map_location: str | device | None = None, *, max_bytes: int | None = None) -> Any:
    """Read what ``save`` wrote (or any plain ``.npz`` or ``.safetensors`` of numbers), no unpickling.

    Tensors go to ``map_location`` when given, else to the device they were saved from. A
    plain ``.npz`` or a ``.safetensors`` file loads as an ordered dict of name -> Tensor. The
    arrays may take at most ``max_bytes`` bytes (default: 64 times the file's size). Missing
    files raise ``FileNotFoundError``; corrupt, truncated, oversized, non-numeric or
    pickle-bearing files raise ``ValueError``.
    """
    if map_location is not None and not isinstance(map_location, (str, device)):
        raise TypeError(f"map_location must be a device or a device name, got {type(map_location).__name__}")
    name = _name(f) or "<file object>"
    if not hasattr(f, "read"):
        if files.is_temporary(name):
            raise ValueError(f"minigrad.load: {name!r} is the temporary file of a save that did not finish")
        try:
            handle = open(f, "rb")
        except FileNotFoundError as err:
            raise FileNotFoundError(f"minigrad.load: no such file: {name!r}") from err
        with handle:
            return _load(handle, name, map_location, max_bytes)
    return _load(f, name, map_location, max_bytes)


def _load(handle: IO[bytes], name: str, map_location: Any, max_bytes: Any) -> Any:
    start = handle.tell()
    size = handle.seek(0, os.SEEK_END) - start
    handle.seek(start)
    head = handle.read(9)
    handle.seek(start)
    limit = checks.byte_limit(size, max_bytes)
    try:
        if head[:4] in _ZIP_MAGIC:
            members = npz.read(handle, name, size, limit, max_bytes, text_member=META_NAME)
        elif name.lower().endswith(_SAFETENSORS) or head[8:9] == b"{":
            return _tensors(safetensors.read(handle, name, size, limit, max_bytes), map_location)
        else:
            raise ValueError(
                f"minigrad.load: {name!r} is not an .npz (zip) archive or a .safetensors file"
                + (" (it is empty)" if not head else f" (it starts with {head[:4]!r})")
            )
    except OSError as err:  # zipfile seeking to offsets read from a damaged directory
        raise OSError(f"minigrad.load: cannot read {name!r}, it may be corrupt or truncated ({err})") from err
    meta = members.pop(META_NAME, None)
    if meta is None:
        return _tensors(members, map_location)
    return tree.decode(str(meta[()]), members, map_location, name)


def _name(f: PathOrFile) -> str:
    """The path, or a file object's ``name`` (``""`` when it has none)."""
    name = getattr(f, "name", "") if hasattr(f, "read") or hasattr(f, "write") else os.fsdecode(f)
    return name if isinstance(name, str) else ""


def _tensors(arrays: dict[str, Any], map_location: Any) -> OrderedDict[str, Tensor]:
    return OrderedDict(
        (key, Tensor(tree.place(array, map_location or "cpu"))) for key, array in arrays.items()
    )
