"""The ``DataLoader``: batches from a data set, in order or shuffled, collated as PyTorch collates.

Shuffling draws one permutation per epoch from ``generator`` (by default minigrad's seeded
generator, ``minigrad.manual_seed``), so runs are reproducible. Batches of a ``TensorDataset``
(or of a tensor or array, or a ``Subset`` of one) are gathered with one indexing per tensor
rather than sample by sample.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from minigrad._checks import is_int
from minigrad.backend import backend, backend_of, is_backend_array
from minigrad.random import generator_or_default
from minigrad.tensor import Tensor
from minigrad.utils.data.dataset import IterableDataset, Subset, TensorDataset, as_tensor_data
from minigrad.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler

_COLLATABLE = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch, field by field, as PyTorch's ``default_collate``:
    tensors and arrays are stacked, Python floats become float64 and ints int64 tensors, strings
    stay as they are, and tuples, lists, named tuples and dicts recurse."""
    first = batch[0]
    if isinstance(first, Tensor) or isinstance(first, np.ndarray) or is_backend_array(first):
        arrays = [s.array if isinstance(s, Tensor) else s for s in batch]
        if getattr(arrays[0].dtype, "kind", "O") not in "biuf":
            raise TypeError(_COLLATABLE.format(arrays[0].dtype))
        for i, a in enumerate(arrays):
            if a.shape != arrays[0].shape:
                raise RuntimeError(
                    "stack expects each tensor to be equal size, but got "
                    f"{list(arrays[0].shape)} at entry 0 and {list(a.shape)} at entry {i}"
                )
        return Tensor(backend_of(arrays[0]).xp.stack(arrays))
    if isinstance(first, (bool, int, float, np.generic)):
        if isinstance(first, np.generic) and first.dtype.kind not in "biuf":
            raise TypeError(_COLLATABLE.format(first.dtype))
        return Tensor(np.asarray(batch, dtype=np.float64 if type(first) is float else None))
    if isinstance(first, str):
        return batch
    if isinstance(first, Mapping):
        return type(first)({key: default_collate([s[key] for s in batch]) for key in first})
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # a named tuple
        return type(first)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(first, Sequence):
        if len({len(s) for s in batch}) != 1:
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(field) for field in zip(*batch)]
    raise TypeError(_COLLATABLE.format(type(first)))


class DataLoader:
    """Iterates over ``dataset`` in batches of ``batch_size``, optionally shuffled each epoch.

    ``dataset`` is a map-style data set (``__len__`` and ``__getitem__``: a ``TensorDataset``,
    any ``Dataset``, a tensor or an array), or an ``IterableDataset``. ``sampler`` or
    ``batch_sampler`` choose the order as in PyTorch; ``collate_fn`` turns a list of samples
    into a batch (``default_collate`` unless given). ``generator`` is a ``minigrad.Generator``
    (or a NumPy generator, or an int seed); by default the global generator is used.
    ``num_workers`` and ``pin_memory`` are accepted: loading runs in this process.

    >>> import numpy as np
    >>> [tuple(b.shape) for b in DataLoader(np.zeros((5, 3)), batch_size=2)]
    [(2, 3), (2, 3), (1, 3)]
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool | None = None,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        *,
        generator: Any = None,
    ) -> None:
        if not is_int(num_workers) or num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."
            )
        if is_int(generator):
            generator = np.random.default_rng(generator)
        generator_or_default(generator)
        iterable = isinstance(dataset, IterableDataset)
        if iterable and shuffle:
            raise ValueError(
                f"DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle={shuffle}"
            )
        if iterable and sampler is not None:
            raise ValueError(
                f"DataLoader with IterableDataset: expected unspecified sampler option, but got sampler={sampler}"
            )
        if not iterable and not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"DataLoader: dataset must support len() and indexing, got {type(dataset).__name__}"
            )
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        else:
            if sampler is None and not iterable:
                sampler = (
                    RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
                )
            batch_sampler = BatchSampler(range(0) if iterable else sampler, batch_size, drop_last)
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.sampler, self.batch_sampler, self.generator = sampler, batch_sampler, generator
        self.num_workers, self.pin_memory = num_workers, pin_memory
        self.collate_fn = default_collate if collate_fn is None else collate_fn

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            count = len(self.dataset) / self.batch_size
            return math.floor(count) if self.drop_last else math.ceil(count)
        return len(self.batch_sampler)

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            batches = BatchSampler(iter(self.dataset), self.batch_size, self.drop_last)
            return (self.collate_fn(batch) for batch in batches)
        return (self._fetch(indices) for indices in self.batch_sampler)

    def _fetch(self, indices: list[int]) -> Any:
        if self.collate_fn is default_collate:
            rows = _gathered(self.dataset, np.asarray(indices, dtype=np.int64))
            if rows is not None:
                return rows
        return self.collate_fn([self.dataset[i] for i in indices])


def _gathered(dataset: Any, indices: np.ndarray) -> Any:
    """The batch ``default_collate`` would make of a data set of tensors, gathered in one indexing
    per tensor (outside any autograd graph); ``None`` for other data sets."""
    while type(dataset) is Subset:
        indices, dataset = np.asarray(dataset.indices, dtype=np.int64)[indices], dataset.dataset
    if type(dataset) is TensorDataset:
        return [_rows(t, indices) for t in dataset.tensors]
    if isinstance(dataset, Tensor) or isinstance(dataset, np.ndarray) or is_backend_array(dataset):
        return _rows(as_tensor_data(dataset), indices)
    return None


def _rows(tensor: Tensor, indices: np.ndarray) -> Tensor:
    return Tensor(tensor.array[backend(tensor.device).from_host(indices)])
