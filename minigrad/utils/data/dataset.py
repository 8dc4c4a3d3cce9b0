"""Data sets: ``Dataset``, ``IterableDataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset`` and
``random_split``, as in PyTorch."""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from minigrad.backend import is_backend_array
from minigrad.random import generator_or_default
from minigrad.tensor import Tensor


class Dataset:
    """A map-style data set: ``dataset[i]`` is sample ``i``; subclasses give ``__getitem__``
    (and ``__len__``, which the default sampler needs). ``a + b`` concatenates two data sets."""

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A data set read as a stream: subclasses give ``__iter__``; the loader batches what it yields."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")


def as_tensor_data(data: Any) -> Tensor:
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray) or is_backend_array(data):
        return Tensor(data)
    raise TypeError(f"expected a Tensor or an array, got {type(data).__name__}")


class TensorDataset(Dataset):
    """Samples are rows of equally long tensors (or arrays): ``dataset[i] == (x[i], y[i])``.

    >>> import numpy as np
    >>> data = TensorDataset(np.zeros((5, 2)), np.arange(5))
    >>> len(data), [tuple(t.shape) for t in data[0]]
    (5, [(2,), ()])
    """

    def __init__(self, *tensors: Tensor | np.ndarray) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        self.tensors = tuple(as_tensor_data(t) for t in tensors)
        sizes = [t.shape[0] if t.ndim else None for t in self.tensors]
        if None in sizes or len(set(sizes)) != 1:
            shapes = [tuple(t.shape) for t in self.tensors]
            raise ValueError(f"TensorDataset: all tensors need the same first dimension, got shapes {shapes}")

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """The samples of several map-style data sets, one after the other."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


def _split_lengths(size: int, lengths: Sequence[float]) -> list[int]:
    """Fractions summing to 1 as lengths: floors, the remainder given out one by one from the first."""
    counts = []
    for i, fraction in enumerate(lengths):
        if not 0 <= fraction <= 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        counts.append(math.floor(size * fraction))
    for i in range(size - sum(counts)):
        counts[i % len(counts)] += 1
    for i, count in enumerate(counts):
        if count == 0:
            warnings.warn(
                f"Length of split at index {i} is 0. This might result in an empty dataset.", stacklevel=3
            )
    return counts


def random_split(dataset: Any, lengths: Sequence[float], generator: Any = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given lengths (ints, or
    fractions summing to 1), drawn from ``generator`` (the default generator if ``None``).

    >>> [len(s) for s in random_split(range(10), [0.3, 0.3, 0.4])]
    [3, 3, 4]
    """
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:  # PyTorch's reading: even [1] or [0, 1] are fractions
        lengths = _split_lengths(len(dataset), lengths)
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = generator_or_default(generator).permutation(len(dataset)).tolist()
    ends = itertools.accumulate(lengths)
    return [Subset(dataset, order[end - n : end]) for end, n in zip(ends, lengths)]
