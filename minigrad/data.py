"""Mini-batches from in-memory data: ``TensorDataset`` and ``DataLoader``, as in PyTorch.

Shuffling draws one permutation per epoch from minigrad's seeded generator
(``minigrad.manual_seed``) or from the generator passed in, so runs are reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from minigrad import random
from minigrad._checks import is_int
from minigrad.backend import backend, backend_of, is_backend_array
from minigrad.tensor import Tensor


def _as_tensor(data: Any) -> Tensor:
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray) or is_backend_array(data):
        return Tensor(data)
    raise TypeError(f"expected a Tensor or an array, got {type(data).__name__}")


class TensorDataset:
    """Samples are rows of equally long tensors (or arrays): ``dataset[i] == (x[i], y[i])``.

    >>> import numpy as np
    >>> data = TensorDataset(np.zeros((5, 2)), np.arange(5))
    >>> len(data), [tuple(t.shape) for t in data[0]]
    (5, [(2,), ()])
    """

    def __init__(self, *tensors: Tensor | np.ndarray) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        self.tensors = tuple(_as_tensor(t) for t in tensors)
        sizes = [t.shape[0] if t.ndim else None for t in self.tensors]
        if None in sizes or len(set(sizes)) != 1:
            shapes = [tuple(t.shape) for t in self.tensors]
            raise ValueError(f"TensorDataset: all tensors need the same first dimension, got shapes {shapes}")

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class DataLoader:
    """Iterates over ``dataset`` in batches of ``batch_size``, optionally shuffled each epoch.

    ``dataset`` is a ``TensorDataset`` (batches are lists of tensors, one per field), a Tensor or
    array (batches are tensors of rows), or any object with ``__len__`` and ``__getitem__``
    (samples are stacked). ``generator`` is a ``numpy.random.Generator`` or an int seed; by
    default minigrad's global generator is used.

    >>> import numpy as np
    >>> [tuple(b.shape) for b in DataLoader(np.zeros((5, 3)), batch_size=2)]
    [(2, 3), (2, 3), (1, 3)]
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        *,
        generator: np.random.Generator | int | None = None,
    ) -> None:
        if not is_int(batch_size) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size!r}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last!r}")
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(
                f"DataLoader: dataset must support len() and indexing, got {type(dataset).__name__}"
            )
        if is_int(generator):
            generator = np.random.default_rng(generator)
        elif generator is not None and not isinstance(generator, np.random.Generator):
            raise TypeError(
                f"generator must be a numpy.random.Generator or an int seed, got {type(generator).__name__}"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = drop_last
        self.generator = generator

    def __len__(self) -> int:
        count = len(self.dataset) / self.batch_size
        return math.floor(count) if self.drop_last else math.ceil(count)

    def __iter__(self) -> Iterator[Any]:
        size = len(self.dataset)
        if self.shuffle:
            order = (self.generator or random.default_generator()).permutation(size)
        else:
            order = np.arange(size)
        for batch in range(len(self)):
            yield self._fetch(order[batch * self.batch_size : (batch + 1) * self.batch_size])

    def _fetch(self, indices: np.ndarray) -> Any:
        data = self.dataset
        if isinstance(data, TensorDataset):
            return [_gather(t, indices) for t in data.tensors]
        if isinstance(data, Tensor) or isinstance(data, np.ndarray) or is_backend_array(data):
            return _gather(_as_tensor(data), indices)
        return default_collate([data[int(i)] for i in indices])


def _gather(tensor: Tensor, indices: np.ndarray) -> Tensor:
    """The rows ``indices`` of ``tensor`` as a new tensor, outside any autograd graph."""
    return Tensor(tensor.array[backend(tensor.device).from_host(indices)])


def default_collate(samples: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch, field by field (tuples, lists and dicts recurse)."""
    first = samples[0]
    if isinstance(first, Tensor):
        arrays = [s.array for s in samples]
        return Tensor(first.xp.stack(arrays))
    if isinstance(first, np.ndarray) or is_backend_array(first):
        return Tensor(backend_of(first).xp.stack(samples))
    if isinstance(first, (bool, int, float, np.generic)):
        dtype = np.float64 if isinstance(first, float) else None
        return Tensor(np.asarray(samples, dtype=dtype))
    if isinstance(first, Mapping):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        if len({len(s) for s in samples}) != 1:
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(field)) for field in zip(*samples)]
    if isinstance(first, str):
        return list(samples)
    raise TypeError(f"default_collate: cannot batch samples of type {type(first).__name__}")
