"""``.npz`` archives as ``numpy.savez`` writes them, read with every check made before any data.

Reading never calls ``np.load``: it lists the zip directory, refuses duplicate or non-``.npy``
members and sizes over the limit, then per member parses the ``.npy`` header, refuses dtypes
minigrad lacks and shapes that disagree with the member's size, and only then inflates exactly
the declared bytes into an array allocated once.
"""

from __future__ import annotations

import contextlib
import math
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from typing import IO, Any

import numpy as np

from minigrad.serialization.checks import check_declared, corrupt, dtype_problem, native, read_into

_FORMAT_ERRORS = (
    zipfile.BadZipFile,
    EOFError,
    KeyError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
    struct.error,
    ValueError,
    OverflowError,
)
_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


def write(handle: IO[bytes], arrays: dict[str, np.ndarray]) -> None:
    """One uncompressed ``name.npy`` member per array, as ``numpy.savez`` lays them out."""
    with zipfile.ZipFile(handle, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def read(
    handle: IO[bytes], name: Any, size: int, limit: int, max_bytes: Any, text_member: str
) -> dict[str, Any]:
    """Every member's array by name (``.npy`` dropped); only ``text_member`` may hold a string."""
    with _foreign_errors(name):
        archive = zipfile.ZipFile(handle)
    with archive:
        infos = archive.infolist()
        _check_directory(infos, name, size, limit, max_bytes)
        return {info.filename[:-4]: _read_member(archive, info, name, text_member) for info in infos}


def _check_directory(infos: list[zipfile.ZipInfo], name: Any, size: int, limit: int, max_bytes: Any) -> None:
    """Names, methods and declared sizes, from the zip directory alone."""
    twice = sorted(member for member, count in Counter(i.filename for i in infos).items() if count > 1)
    if twice:
        raise ValueError(f"minigrad.load: {name!r} holds members named twice: {twice[:10]}")
    strays = [i.filename for i in infos if not i.filename.endswith(".npy")]
    if strays:
        raise ValueError(f"minigrad.load: {name!r} holds members that are not .npy arrays: {strays[:10]}")
    for info in infos:
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValueError(
                f"minigrad.load: {name!r} member {info.filename!r} is encrypted or compressed with "
                f"method {info.compress_type}; only stored and deflated members are read"
            )
        stored_wrong = info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size
        if stored_wrong or info.header_offset + info.compress_size > size:
            raise corrupt(name, f"member {info.filename!r} does not fit in the file")
    if infos:
        largest = max(infos, key=lambda i: i.file_size)
        check_declared(name, sum(i.file_size for i in infos), largest.filename[:-4], limit, max_bytes)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: Any, text_member: str) -> np.ndarray:
    member = info.filename[:-4]
    with _foreign_errors(name):
        stream = archive.open(info)
    with stream:
        with _foreign_errors(name):
            read_header = _HEADER_READERS.get(np.lib.format.read_magic(stream), _unknown)
            shape, fortran_order, dtype = read_header(stream)
            header_size = stream.tell()
        problem = _problem(member, dtype, shape, text_member)
        if problem:
            raise ValueError(f"minigrad.load: {name!r} member {member!r} has {problem}")
        count = math.prod(shape)
        if header_size + count * dtype.itemsize != info.file_size:
            raise corrupt(
                name,
                f"member {member!r} declares {count} elements of {dtype} but holds "
                f"{info.file_size - header_size} bytes",
            )
        flat = np.empty(count, dtype)
        with _foreign_errors(name):
            read_into(stream, flat)
            extra = stream.read(1)  # also makes zipfile check the CRC
        if extra:
            raise corrupt(name, f"member {member!r} holds more bytes than it declares")
    return native(flat).reshape(shape, order="F" if fortran_order else "C")


@contextlib.contextmanager
def _foreign_errors(name: Any) -> Iterator[None]:
    """Turn what zipfile, zlib and NumPy raise on damaged bytes into one clear ``ValueError``."""
    try:
        yield
    except _FORMAT_ERRORS as err:
        raise corrupt(name, err) from err


def _unknown(stream: IO[bytes]) -> Any:
    raise ValueError("an unsupported .npy format version")


def _problem(member: str, dtype: np.dtype, shape: Any, text_member: str) -> str | None:
    if member == text_member:
        return None if dtype.kind == "U" and shape == () else f"dtype {dtype} and shape {shape}, not text"
    if dtype.hasobject:
        return (
            "pickled (object) data, which minigrad refuses to load because unpickling can run arbitrary code"
        )
    if any(n < 0 for n in shape):
        return f"a negative dimension in its shape {shape}"
    return dtype_problem(dtype)
