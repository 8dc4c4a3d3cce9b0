"""Which saved arrays share memory, and the one storage that keeps them sharing it after a load.

Arrays overlap when they are views of one allocation (a tensor and its slices, a parameter and
``.detach()`` of it) and the element ranges they span meet. Each such group is saved as one 1-D
storage, the span of memory it covers, plus a window per array: offset, shape and strides
counted in elements, as ``torch.save`` records them. An array that reaches some element twice
(a broadcast view) is left out and saved as a copy. Works on device arrays without reading
them: it looks only at shapes, strides and addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Window:
    """Where an array lies in a 1-D storage, in elements."""

    offset: int
    shape: tuple[int, ...]
    strides: tuple[int, ...]

    def span(self) -> tuple[int, int]:
        """The first and last element the window reaches."""
        low = self.offset + sum(min(0, (n - 1) * s) for n, s in zip(self.shape, self.strides))
        high = self.offset + sum(max(0, (n - 1) * s) for n, s in zip(self.shape, self.strides))
        return low, high


@dataclass
class Shared:
    """A group of overlapping arrays (by their index in the list given) and their storage."""

    storage: Any  # a 1-D array of the arrays' module
    windows: dict[int, Window]


def shared_storages(arrays: list[Any]) -> list[Shared]:
    """The groups of two or more arrays whose memory overlaps; the others are not mentioned."""
    by_root: dict[tuple[int, str], tuple[Any, list[tuple[int, Window]]]] = {}
    for index, array in enumerate(arrays):
        found = _window_in_root(array)
        if found is not None:
            root, window = found
            by_root.setdefault((_address(root), array.dtype.str), (root, []))[1].append((index, window))
    groups = []
    for root, placed in by_root.values():
        flat = root.reshape(-1) if root.flags.c_contiguous else root.T.reshape(-1)  # memory order
        for cluster in _overlapping(placed):
            low = min(window.span()[0] for _, window in cluster)
            high = max(window.span()[1] for _, window in cluster)
            windows = {i: Window(w.offset - low, w.shape, w.strides) for i, w in cluster}
            groups.append(Shared(flat[low : high + 1], windows))
    return groups


def _window_in_root(array: Any) -> tuple[Any, Window] | None:
    """The contiguous allocation ``array`` views and its window there, when it can be described."""
    root = cursor = array
    while (cursor := getattr(cursor, "base", None)) is not None:  # through as_strided's wrapper too
        root = cursor if isinstance(cursor, type(array)) else root
    itemsize = array.dtype.itemsize
    delta = _address(array) - _address(root)
    if (
        array.size == 0
        or root.dtype != array.dtype
        or not (root.flags.c_contiguous or root.flags.f_contiguous)
        or delta % itemsize
        or any(s % itemsize for s in array.strides)
    ):
        return None
    window = Window(delta // itemsize, tuple(array.shape), tuple(s // itemsize for s in array.strides))
    low, high = window.span()
    if array.size > high - low + 1:
        return None  # it reaches some element twice (a broadcast view): saved on its own, as a copy
    return root, window


def _overlapping(placed: list[tuple[int, Window]]) -> list[list[tuple[int, Window]]]:
    """Clusters of two or more windows whose spans chain into one another."""
    clusters: list[list[tuple[int, Window]]] = []
    reach = -1
    for item in sorted(placed, key=lambda item: item[1].span()):
        low, high = item[1].span()
        if clusters and low <= reach:
            clusters[-1].append(item)
            reach = max(reach, high)
        else:
            clusters.append([item])
            reach = high
    return [cluster for cluster in clusters if len(cluster) > 1]


def _address(array: Any) -> int:
    """Where the array's first element is in memory, on the host or on the device."""
    return array.ctypes.data if isinstance(array, np.ndarray) else array.__cuda_array_interface__["data"][0]
