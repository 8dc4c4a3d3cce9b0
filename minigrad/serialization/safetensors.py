"""``.safetensors`` files, which PyTorch users share weights in: a JSON header, then raw bytes.

The layout: an 8-byte little-endian length N; N bytes of JSON, padded with spaces,
``{name: {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}`` with an
optional ``"__metadata__"`` of str -> str; then the tensors' bytes, little-endian and C-ordered,
back to back. Parsed and written here, with no dependency. The reader checks the whole header
(dtypes, shapes, byte ranges that tile the data exactly) before it reads a byte of data.
"""

from __future__ import annotations

import json
import math
import struct
from collections import OrderedDict
from collections.abc import Mapping
from typing import IO, Any

import numpy as np

from minigrad.backend import backend_of
from minigrad.serialization.checks import check_declared, corrupt, native, parse_json, read_into
from minigrad.serialization.storage import shared_storages
from minigrad.tensor import Tensor

DTYPES = {
    "BOOL": np.dtype("|b1"),
    "U8": np.dtype("|u1"),
    "I8": np.dtype("|i1"),
    "U16": np.dtype("<u2"),
    "I16": np.dtype("<i2"),
    "U32": np.dtype("<u4"),
    "I32": np.dtype("<i4"),
    "U64": np.dtype("<u8"),
    "I64": np.dtype("<i8"),
    "F16": np.dtype("<f2"),
    "F32": np.dtype("<f4"),
    "F64": np.dtype("<f8"),
}
_CODES = {dtype: code for code, dtype in DTYPES.items()}
METADATA = "__metadata__"
MAX_HEADER = 100_000_000  # the safetensors library's own limit


def host_arrays(obj: Any) -> dict[str, np.ndarray]:
    """The little-endian host arrays of a flat ``{name: Tensor}`` dict; errors name the key."""
    if not isinstance(obj, Mapping):
        raise TypeError(
            f"minigrad.save: a .safetensors file holds a dict of name -> Tensor, got {type(obj).__name__}"
        )
    for key, value in obj.items():
        if not isinstance(key, str) or key == METADATA:
            raise TypeError(
                f"minigrad.save: a .safetensors name must be a str other than {METADATA!r}, got {key!r}"
            )
        if not isinstance(value, Tensor):
            raise TypeError(
                f"minigrad.save: a .safetensors file holds only tensors, but key {key} holds "
                f"{type(value).__name__}; save nested state to an .npz file"
            )
        if value.dtype.newbyteorder("<") not in _CODES:
            raise TypeError(f"minigrad.save: .safetensors has no dtype for {value.dtype} (key {key})")
    names = list(obj)
    shared = [
        [names[i] for i in sorted(group.windows)]
        for group in shared_storages([t.array for t in obj.values()])
    ]
    if shared:
        raise RuntimeError(
            f"minigrad.save: some tensors share memory ({shared}), which a .safetensors file cannot "
            "record: they would load as separate copies. Save .clone()s of them, or an .npz file, "
            "which keeps the sharing"
        )
    return {
        key: np.asarray(backend_of(t.array).to_host(t.array), dtype=t.dtype.newbyteorder("<"), order="C")
        for key, t in obj.items()
    }


def write(handle: IO[bytes], arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` with the header in their order, the data widest dtype first (aligned)."""
    order = sorted(arrays, key=lambda key: (-arrays[key].dtype.itemsize, key))
    entries, begin = {}, 0
    for key in order:
        array = arrays[key]
        entries[key] = {
            "dtype": _CODES[array.dtype],
            "shape": list(array.shape),
            "data_offsets": [begin, begin + array.nbytes],
        }
        begin += array.nbytes
    # "pt": the layout is PyTorch's state dict, which loaders such as transformers' check for
    header = {METADATA: {"format": "pt"}, **{key: entries[key] for key in arrays}}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    handle.write(struct.pack("<Q", len(text)))
    handle.write(text)
    for key in order:
        handle.write(arrays[key].reshape(-1).view(np.uint8))


def read(handle: IO[bytes], name: Any, size: int, limit: int, max_bytes: Any) -> OrderedDict[str, np.ndarray]:
    """The arrays by name in the header's order, after checking the header completely."""
    head = handle.read(8)
    if len(head) < 8:
        raise corrupt(name, f"{len(head)} bytes where the 8-byte header length belongs")
    (length,) = struct.unpack("<Q", head)
    if length > min(size - 8, MAX_HEADER):
        raise _invalid(name, f"it declares a header of {length} bytes, in a file of {size} bytes")
    raw = handle.read(length)
    if len(raw) < length:
        raise corrupt(name, f"the header ends after {len(raw)} of {length} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _invalid(name, f"its header is not UTF-8 ({err})") from None
    header = parse_json(text, "safetensors header", name)
    if not isinstance(header, dict):
        raise _invalid(name, f"its header is a JSON {type(header).__name__}, not an object")
    metadata = header.pop(METADATA, {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise _invalid(name, f"its {METADATA} must map str to str, got {metadata!r:.80}")
    entries = {key: _entry(key, entry, name) for key, entry in header.items()}
    data_size = size - 8 - length
    _check_tiling(entries, data_size, name)
    if entries:
        largest = max(entries, key=lambda key: entries[key][3] - entries[key][2])
        check_declared(name, data_size, largest, limit, max_bytes)
    arrays = {}
    for key, (dtype, shape, _, _) in sorted(entries.items(), key=lambda item: item[1][2:]):
        flat = np.empty(math.prod(shape), dtype)
        try:
            read_into(handle, flat)
        except EOFError as err:
            raise corrupt(name, f"tensor {key!r}: {err}") from None
        arrays[key] = native(flat).reshape(shape)
    return OrderedDict((key, arrays[key]) for key in entries)


def _entry(key: str, entry: Any, name: Any) -> tuple[np.dtype, tuple[int, ...], int, int]:
    """One header entry as (dtype, shape, begin, end), checked."""
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise _invalid(name, f"tensor {key!r} needs exactly dtype, shape and data_offsets, got {entry!r:.80}")
    code, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if code not in DTYPES:
        raise _invalid(name, f"tensor {key!r} has dtype {code!r:.20}, which minigrad has no counterpart for")
    if not (isinstance(shape, list) and len(shape) <= 32 and all(type(n) is int and n >= 0 for n in shape)):
        raise _invalid(name, f"tensor {key!r} has shape {shape!r:.80}, not a list of non-negative ints")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(n) is int for n in offsets)):
        raise _invalid(name, f"tensor {key!r} has data_offsets {offsets!r:.80}, not [begin, end]")
    begin, end = offsets
    nbytes = math.prod(shape) * DTYPES[code].itemsize
    if not 0 <= begin <= end or end - begin != nbytes:
        raise _invalid(name, f"tensor {key!r} of shape {shape} and dtype {code} spans bytes {offsets}")
    return DTYPES[code], tuple(shape), begin, end


def _check_tiling(entries: dict[str, tuple], data_size: int, name: Any) -> None:
    """The byte ranges must follow one another from 0 to the end of the file: no overlap, no gap."""
    position = 0
    for key, (_, _, begin, end) in sorted(entries.items(), key=lambda item: item[1][2:]):
        if begin != position:
            problem = "overlaps the one before it" if begin < position else "leaves a gap before it"
            raise _invalid(name, f"tensor {key!r} starts at data byte {begin}, which {problem}")
        position = end
    if position != data_size:
        raise _invalid(
            name, f"its tensors span {position} bytes, but {data_size} bytes of data follow the header"
        )


def _invalid(name: Any, detail: str) -> ValueError:
    return ValueError(f"minigrad.load: {name!r} is not a valid .safetensors file: {detail}")
