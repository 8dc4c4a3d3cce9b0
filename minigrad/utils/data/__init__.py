"""``minigrad.utils.data``: data sets, samplers and the ``DataLoader``, as in ``torch.utils.data``.

>>> import minigrad
>>> from minigrad.utils.data import DataLoader, TensorDataset
>>> data = TensorDataset(minigrad.arange(10.0).reshape(5, 2), minigrad.arange(5))
>>> [tuple(x.shape) for x, y in DataLoader(data, batch_size=2)]
[(2, 2), (2, 2), (1, 2)]
"""

from minigrad.utils.data.dataloader import DataLoader, default_collate
from minigrad.utils.data.dataset import (
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from minigrad.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "default_collate",
    "random_split",
]
