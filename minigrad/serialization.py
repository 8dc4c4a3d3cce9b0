"""``save`` and ``load``: state dicts as plain ``.npz`` archives, never pickle.

Each tensor becomes one ``.npy`` member of the zip, named by its key (``"0.weight"``), so NumPy
alone can read a saved model. One extra member, ``__minigrad__``, holds a JSON description of
the saved structure (nested dicts, lists, numbers, strings), which lets an optimizer's
``state_dict`` round-trip too. Saving writes a temporary file beside the target and renames it
into place, so a crash never leaves a half-written file; loading refuses pickled data.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import struct
import zipfile
import zlib
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from minigrad.backend import backend, backend_of, device
from minigrad.tensor import Tensor

META_NAME = "__minigrad__"
FORMAT = "minigrad"
VERSION = 1
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_FORMAT_ERRORS = (zipfile.BadZipFile, EOFError, KeyError, NotImplementedError, zlib.error, struct.error)

PathOrFile = str | os.PathLike | IO[bytes]


def save(obj: Any, f: PathOrFile) -> None:
    """Write ``obj`` (a ``state_dict``, or any nest of dicts, lists, tensors and numbers) to ``f``.

    Device tensors are copied to the host. Object arrays are refused (they would need pickle).
    A path is written atomically: either the complete new file or the old one stays.
    """
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(obj, (), arrays)
    arrays[META_NAME] = np.array(json.dumps({"format": FORMAT, "version": VERSION, "tree": tree}))
    if hasattr(f, "write"):
        _write_npz(f, arrays)
    else:
        _write_atomically(os.fspath(f), arrays)


def load(f: PathOrFile, map_location: str | device | None = None) -> Any:
    """Read what ``save`` wrote (or any plain ``.npz`` of numeric arrays) without unpickling.

    Tensors go to ``map_location`` when given, else to the device they were saved from. A plain
    ``.npz`` loads as an ordered dict of name -> Tensor. Missing files raise ``FileNotFoundError``;
    corrupt, truncated, non-``.npz`` or pickle-bearing files raise ``ValueError``.
    """
    if map_location is not None and not isinstance(map_location, (str, device)):
        raise TypeError(f"map_location must be a device or a device name, got {type(map_location).__name__}")
    name = getattr(f, "name", None) if hasattr(f, "read") else os.fspath(f)
    try:
        _check_zip_magic(f, name)
    except FileNotFoundError as err:
        raise FileNotFoundError(f"minigrad.load: no such file: {name!r}") from err
    try:
        with np.load(f, allow_pickle=False) as archive:
            members = {key: archive[key] for key in archive.files}
    except ValueError as err:
        if "allow_pickle" not in str(err):
            raise ValueError(f"minigrad.load: {name!r} is corrupt ({err})") from err
        raise ValueError(
            f"minigrad.load: {name!r} contains pickled (object) data, which minigrad refuses "
            "to load because unpickling can run arbitrary code"
        ) from err
    except _FORMAT_ERRORS as err:
        raise ValueError(
            f"minigrad.load: {name!r} is corrupt or truncated ({type(err).__name__}: {err})"
        ) from err
    except OSError as err:  # zipfile seeking to offsets read from a damaged directory
        raise OSError(f"minigrad.load: cannot read {name!r}, it may be corrupt or truncated ({err})") from err
    strays = [key for key, value in members.items() if not isinstance(value, np.ndarray)]
    if strays:
        raise ValueError(f"minigrad.load: {name!r} holds members that are not .npy arrays: {strays}")
    meta = members.pop(META_NAME, None)
    if meta is None:
        return OrderedDict((key, _to_tensor(array, map_location or "cpu")) for key, array in members.items())
    return _decode(_read_meta(meta, name)["tree"], members, map_location, name)


# -- encoding -------------------------------------------------------------------------------


def _encode(obj: Any, path: tuple, arrays: dict[str, np.ndarray]) -> Any:
    """A JSON-able description of ``obj``; its arrays are added to ``arrays`` under fresh names."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, Tensor):
        array = backend_of(obj.array).to_host(obj.array)
        return {"tensor": _add_array(array, path, arrays), "device": str(obj.device)}
    if isinstance(obj, (np.ndarray, np.generic)):
        kind = "ndarray" if isinstance(obj, np.ndarray) else "numpy_scalar"
        return {kind: _add_array(np.asarray(obj), path, arrays)}
    if isinstance(obj, dict):
        items = []
        for key, value in obj.items():
            if not (key is None or isinstance(key, (bool, int, float, str))):
                raise TypeError(f"minigrad.save: dict key {key!r} at {_where(path)} must be a str or number")
            items.append([key, _encode(value, path + (key,), arrays)])
        return {"ordered_dict" if isinstance(obj, OrderedDict) else "dict": items}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {kind: [_encode(value, path + (index,), arrays) for index, value in enumerate(obj)]}
    raise TypeError(
        f"minigrad.save: cannot save {type(obj).__name__} at {_where(path)}; only tensors, "
        "arrays, numbers, strings, None, and dicts/lists/tuples of them can be saved without pickle"
    )


def _add_array(array: np.ndarray, path: tuple, arrays: dict[str, np.ndarray]) -> str:
    if array.dtype.hasobject:
        raise TypeError(
            f"minigrad.save: the array at {_where(path)} has dtype {array.dtype}; object arrays "
            "need pickle, which minigrad never uses"
        )
    base = ".".join(str(part) for part in path) or "data"
    name, number = base, 1
    while name in arrays or name == META_NAME:
        number += 1
        name = f"{base}#{number}"
    arrays[name] = array
    return name


def _where(path: tuple) -> str:
    return "the top level" if not path else "key " + ".".join(str(part) for part in path)


# -- writing --------------------------------------------------------------------------------


def _write_npz(handle: IO[bytes], arrays: dict[str, np.ndarray]) -> None:
    """The layout ``numpy.savez`` writes: one uncompressed ``name.npy`` per array."""
    with zipfile.ZipFile(handle, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _write_atomically(path: str, arrays: dict[str, np.ndarray]) -> None:
    """Write to a fresh temporary file in the target's folder, then rename it over ``path``."""
    folder = os.path.dirname(os.path.abspath(path))
    while True:
        temporary = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
        try:  # mode 0o666 honours the umask, as a plain open() would
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as handle:
            _write_npz(handle, arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Make the rename durable where the platform allows opening a folder (POSIX)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- reading --------------------------------------------------------------------------------


def _check_zip_magic(f: PathOrFile, name: Any) -> None:
    """Refuse anything that is not a zip archive (``np.load`` would try it as ``.npy`` or pickle)."""
    if hasattr(f, "read"):
        start = f.tell()
        head = f.read(4)
        f.seek(start)
    else:
        with open(f, "rb") as handle:
            head = handle.read(4)
    if head not in _ZIP_MAGIC:
        raise ValueError(
            f"minigrad.load: {name!r} is not an .npz (zip) archive"
            + (" (it is empty)" if not head else f" (it starts with {head!r})")
        )


def _read_meta(meta: np.ndarray, name: Any) -> dict[str, Any]:
    try:
        parsed = json.loads(str(meta[()]))
    except (TypeError, ValueError) as err:
        raise ValueError(f"minigrad.load: {name!r} has an unreadable {META_NAME} entry ({err})") from err
    if not isinstance(parsed, dict) or parsed.get("format") != FORMAT or "tree" not in parsed:
        raise ValueError(f"minigrad.load: {name!r} has a {META_NAME} entry of an unknown format")
    if parsed.get("version") != VERSION:
        raise ValueError(
            f"minigrad.load: {name!r} was written by format version {parsed.get('version')}, "
            f"this minigrad reads version {VERSION}"
        )
    return parsed


def _decode(node: Any, members: dict[str, np.ndarray], map_location: Any, name: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if len(node) == 0 or not set(node) <= {
        "tensor",
        "device",
        "ndarray",
        "numpy_scalar",
        "dict",
        "ordered_dict",
        "list",
        "tuple",
    }:
        raise ValueError(f"minigrad.load: {name!r} has a malformed {META_NAME} entry ({node!r:.80})")
    kind = next(iter(node))

    def decode(child: Any) -> Any:
        return _decode(child, members, map_location, name)

    if kind in ("tensor", "ndarray", "numpy_scalar"):
        if node[kind] not in members:
            raise ValueError(f"minigrad.load: {name!r} lacks the array {node[kind]!r} it describes")
        array = members[node[kind]]
        if kind == "ndarray":
            return array
        if kind == "numpy_scalar":
            return array[()]
        return _to_tensor(array, map_location or node.get("device", "cpu"))
    if kind in ("dict", "ordered_dict"):
        pairs = ((key, decode(value)) for key, value in node[kind])
        return OrderedDict(pairs) if kind == "ordered_dict" else dict(pairs)
    values = [decode(child) for child in node[kind]]
    return values if kind == "list" else tuple(values)


def _to_tensor(array: np.ndarray, location: str | device) -> Tensor:
    try:
        target = backend(location)
    except RuntimeError as err:
        raise RuntimeError(
            f"minigrad.load: a tensor was saved from device '{location}', which is not usable "
            f"here ({err}); pass map_location='cpu' to load it on the CPU"
        ) from err
    return Tensor(target.from_host(array))
