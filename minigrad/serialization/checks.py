"""What both file formats check: dtypes minigrad can hold, how many bytes a file may ask for, JSON.

A file's header declares how much memory its arrays need before any of it is read; ``load``
refuses a declaration larger than ``LIMIT_RATIO`` times the file's size (plus ``LIMIT_SLACK``),
which no honest checkpoint needs and every zip bomb does, unless ``max_bytes=`` allows more.
"""

from __future__ import annotations

import json
from typing import IO, Any

import numpy as np

from minigrad._checks import is_int

LIMIT_RATIO = 64
LIMIT_SLACK = 1 << 20
CHUNK = 1 << 22  # bytes read at a time, so reading adds at most this much to the arrays' memory


def dtype_problem(dtype: np.dtype) -> str | None:
    """Why arrays of ``dtype`` are not plain numbers minigrad can hold, or ``None`` if they are."""
    if dtype.hasobject:
        return "object dtype, which is pickled data"
    if dtype.kind not in "biuf" or dtype.fields is not None or dtype.subdtype is not None:
        return f"dtype {dtype}, which is not a plain number type"
    if dtype.kind == "f" and dtype.itemsize > 8:
        return f"dtype {dtype}, an extended precision float minigrad has no counterpart for"
    return None


def native(array: np.ndarray) -> np.ndarray:
    """``array`` in the machine's byte order, converted in place when it is not."""
    if array.dtype.isnative:
        return array
    return array.byteswap(inplace=True).view(array.dtype.newbyteorder("="))


def byte_limit(file_size: int, max_bytes: Any) -> int:
    """How many bytes of arrays a file of ``file_size`` bytes may declare."""
    if max_bytes is None:
        return LIMIT_RATIO * file_size + LIMIT_SLACK
    if not is_int(max_bytes):
        raise TypeError(f"minigrad.load: max_bytes must be an int or None, got {max_bytes!r}")
    if max_bytes < 0:
        raise ValueError(f"minigrad.load: max_bytes must be non-negative, got {max_bytes}")
    return int(max_bytes)


def check_declared(name: Any, declared: int, largest: str, limit: int, max_bytes: Any) -> None:
    """Refuse a file whose arrays declare more than ``limit`` bytes, before reading any of them."""
    if declared <= limit:
        return
    allowed = f"max_bytes={max_bytes}" if max_bytes is not None else f"{LIMIT_RATIO} times the file's size"
    raise ValueError(
        f"minigrad.load: {name!r} declares {declared} bytes of arrays (the largest is {largest!r}), "
        f"more than the {limit} allowed ({allowed}); pass a larger max_bytes= if you trust the file"
    )


def corrupt(name: Any, detail: Any) -> ValueError:
    """The error for a file whose bytes are damaged or cut short; ``detail`` says where or what."""
    if isinstance(detail, BaseException):
        detail = f"{type(detail).__name__}: {detail}"
    return ValueError(f"minigrad.load: {name!r} is corrupt or truncated ({detail})")


def read_into(stream: IO[bytes], array: np.ndarray) -> None:
    """Fill ``array`` (C-contiguous) with the next bytes of ``stream``; ``EOFError`` if they run out."""
    view = memoryview(array.reshape(-1).view(np.uint8))
    done = 0
    while done < len(view):
        chunk = stream.read(min(CHUNK, len(view) - done))
        if not chunk:
            raise EOFError(f"the data ends after {done} of {len(view)} bytes")
        view[done : done + len(chunk)] = chunk
        done += len(chunk)


def parse_json(text: str | bytes, what: str, name: Any) -> Any:
    """JSON with no key repeated in any object, or a ``ValueError`` naming ``what`` and the file."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        if len(set(keys)) != len(keys):
            raise ValueError(f"a key appears twice in {sorted(keys)[:10]}")
        return dict(pairs)

    try:
        return json.loads(text, object_pairs_hook=unique)
    except (ValueError, RecursionError) as err:
        raise ValueError(
            f"minigrad.load: {name!r} has an unreadable {what} ({type(err).__name__}: {err})"
        ) from None
