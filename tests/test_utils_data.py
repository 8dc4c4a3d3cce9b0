"""minigrad.utils.data: data sets, samplers, DataLoader batching, seeded shuffling, drop_last,
collation and errors, with PyTorch as the oracle where it is installed."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.utils import data as mdata
from minigrad.utils.data import DataLoader, TensorDataset, default_collate


def features_and_labels(n=10):
    return np.arange(n * 2, dtype=np.float32).reshape(n, 2), np.arange(n)


def test_tensor_dataset():
    x, y = features_and_labels()
    data = TensorDataset(minigrad.tensor(x), y)
    assert len(data) == 10
    first_x, first_y = data[3]
    np.testing.assert_array_equal(first_x.numpy(), x[3])
    assert first_y.item() == 3 and first_y.dtype == np.int64
    with pytest.raises(ValueError, match="same first dimension"):
        TensorDataset(x, y[:5])
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(TypeError, match="Tensor or an array"):
        TensorDataset([1, 2, 3])


def test_batches_in_order_with_a_partial_last_batch():
    x, y = features_and_labels()
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [tuple(b[0].shape) for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert all(isinstance(t, minigrad.Tensor) for batch in batches for t in batch)
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in batches]), y)
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64


def test_drop_last():
    x, y = features_and_labels()
    loader = DataLoader(TensorDataset(x, y), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [len(b[1]) for b in loader] == [4, 4]
    assert len(DataLoader(x, batch_size=20, drop_last=True)) == 0


def test_seeded_shuffling_is_reproducible_and_changes_each_epoch():
    x, y = features_and_labels(50)

    def epoch_order(loader):
        return np.concatenate([labels.numpy() for _, labels in loader])

    minigrad.manual_seed(4)
    loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
    first, second = epoch_order(loader), epoch_order(loader)
    minigrad.manual_seed(4)
    assert np.array_equal(epoch_order(loader), first)
    assert not np.array_equal(first, second)
    assert sorted(first) == list(range(50)) and not np.array_equal(first, np.arange(50))
    seeded = [
        epoch_order(DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True, generator=3))
        for _ in range(2)
    ]
    np.testing.assert_array_equal(*seeded)
    rng_order = epoch_order(DataLoader(TensorDataset(x, y), 8, True, generator=np.random.default_rng(3)))
    np.testing.assert_array_equal(rng_order, seeded[0])


def test_features_stay_paired_with_labels_when_shuffled():
    x, y = features_and_labels(30)
    seen = []
    for features, labels in DataLoader(TensorDataset(x, y), batch_size=7, shuffle=True):
        np.testing.assert_array_equal(features.numpy(), x[labels.numpy()])
        seen += labels.tolist()
    assert sorted(seen) == list(range(30)) and seen != list(range(30))


def test_a_tensor_or_array_yields_tensor_batches():
    x, _ = features_and_labels()
    for data in (x, minigrad.tensor(x)):
        batches = list(DataLoader(data, batch_size=3))
        assert all(isinstance(b, minigrad.Tensor) for b in batches)
        np.testing.assert_array_equal(np.concatenate([b.numpy() for b in batches]), x)


def test_batches_are_copies_outside_the_graph():
    x = minigrad.randn(6, 2, requires_grad=True)
    batch = next(iter(DataLoader(x, batch_size=6)))
    assert not batch.requires_grad and batch.grad_fn is None
    batch.array[...] = 0
    assert x.detach().numpy().any()


def test_a_generic_dataset_is_collated():
    class Squares:
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.array([i, i * i], dtype=np.float32), i, {"name": f"item{i}", "value": float(i)}

    features, labels, extras = next(iter(DataLoader(Squares(), batch_size=3)))
    np.testing.assert_array_equal(features.numpy(), [[0, 0], [1, 1], [2, 4]])
    assert labels.dtype == np.int64 and labels.tolist() == [0, 1, 2]
    assert extras["name"] == ["item0", "item1", "item2"] and extras["value"].dtype == np.float64
    stacked = default_collate([minigrad.ones(2), minigrad.zeros(2)])
    assert stacked.shape == (2, 2)
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match="batch must contain tensors, numpy arrays, numbers, dicts or lists"):
        default_collate([object()])


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True, None])
def test_batch_size_validation(batch_size):
    with pytest.raises(ValueError, match="positive integer"):
        DataLoader(np.zeros(3), batch_size=batch_size)


def test_argument_validation():
    with pytest.raises(TypeError, match="len"):
        DataLoader(iter([1, 2, 3]))
    with pytest.raises(TypeError, match="generator"):
        DataLoader(np.zeros(3), generator="seed")


@given(
    n=st.integers(0, 40),
    batch_size=st.integers(1, 12),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_sample_appears_at_most_once(n, batch_size, shuffle, drop_last, seed):
    loader = DataLoader(np.arange(n), batch_size, shuffle, drop_last=drop_last, generator=seed)
    batches = [b.numpy() for b in loader]
    seen = np.concatenate(batches) if batches else np.array([], dtype=np.int64)
    assert len(batches) == len(loader)
    assert all(len(b) == batch_size for b in batches[:-1])
    assert len(np.unique(seen)) == len(seen)
    assert len(seen) == (n // batch_size * batch_size if drop_last else n)
    if not shuffle:
        np.testing.assert_array_equal(seen, np.arange(len(seen)))


# ---- PyTorch's data sets, samplers and loader options --------------------------------------------


def torch_batch(value):
    """A batch of PyTorch's as plain Python, to compare with minigrad's."""
    if hasattr(value, "tolist"):
        return ("tensor", str(value.dtype).replace("torch.", ""), value.tolist())
    if isinstance(value, dict):
        return {k: torch_batch(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value).__name__, [torch_batch(v) for v in value]
    return value


COLLATE_BATCHES = {
    "floats": [1.5, 2.5],
    "ints": [1, 2],
    "bools": [True, False],
    "numpy scalars": [np.float32(1), np.float32(2)],
    "0-d arrays": [np.array(1.0), np.array(2.0)],
    "int32 arrays": [np.zeros(2, dtype=np.int32), np.ones(2, dtype=np.int32)],
    "tuples": [(1, 2.0), (3, 4.0)],
    "lists": [[1, 2.0], [3, 4.0]],
    "dicts": [{"a": 1, "b": [1.0, 2.0]}, {"a": 2, "b": [3.0, 4.0]}],
    "strings": ["x", "y"],
    "nested": [({"x": np.ones(2)}, "s"), ({"x": np.zeros(2)}, "t")],
}


@pytest.mark.parametrize("name", sorted(COLLATE_BATCHES))
def test_default_collate_as_pytorch(torch, name):
    batch = COLLATE_BATCHES[name]
    assert torch_batch(default_collate(batch)) == torch_batch(torch.utils.data.default_collate(batch))


def test_default_collate_of_tensors_and_named_tuples(torch):
    from collections import namedtuple

    Point = namedtuple("Point", "x y")
    ours = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert type(ours) is Point and ours.x.tolist() == [1, 3] and ours.y.dtype == np.float64
    assert default_collate([minigrad.tensor(1), minigrad.tensor(2)]).tolist() == [1, 2]
    for batch in ([np.array(["a"]), np.array(["b"])], [object()]):
        with pytest.raises(TypeError) as ours_err:
            default_collate(batch)
        with pytest.raises(TypeError) as theirs_err:
            torch.utils.data.default_collate(batch)
        assert str(ours_err.value) == str(theirs_err.value).replace("torch.", "minigrad.")
    with pytest.raises(
        RuntimeError, match=r"stack expects each tensor to be equal size, but got \[2\] at entry 0"
    ):
        default_collate([minigrad.zeros(2), minigrad.zeros(3)])


@pytest.mark.parametrize(
    "size, lengths",
    [
        (10, [3, 7]),
        (10, [0.3, 0.3, 0.4]),
        (10, [0.33, 0.33, 0.34]),
        (11, [0.5, 0.5]),
        (7, [0.1, 0.1, 0.1, 0.7]),
        (5, [1]),
    ],
)
def test_random_split_lengths_as_pytorch(torch, size, lengths):
    ours = mdata.random_split(range(size), lengths, generator=minigrad.Generator().manual_seed(0))
    theirs = torch.utils.data.random_split(range(size), lengths)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    assert all(isinstance(s, mdata.Subset) for s in ours)
    assert sorted(i for s in ours for i in s) == list(range(size))
    again = mdata.random_split(range(size), lengths, generator=minigrad.Generator().manual_seed(0))
    assert [s.indices for s in again] == [s.indices for s in ours]


@pytest.mark.parametrize("lengths", [[3, 3], [0.5, 0.6], [0.5, -0.5, 1.0]])
def test_random_split_errors_as_pytorch(torch, lengths):
    with pytest.raises(ValueError) as ours:
        mdata.random_split(range(10), lengths)
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.random_split(range(10), lengths)
    assert str(ours.value) == str(theirs.value)


def test_subset_and_concat_dataset(torch):
    x, y = features_and_labels(6)
    base = TensorDataset(x, y)
    subset = mdata.Subset(base, [4, 0, 2])
    assert len(subset) == 3 and subset[0][1].item() == 4 and subset[[1, 2]][1].tolist() == [0, 2]
    both = mdata.ConcatDataset([range(3), range(10, 14)])
    theirs = torch.utils.data.ConcatDataset([range(3), range(10, 14)])
    assert len(both) == len(theirs) == 7
    assert [both[i] for i in range(-7, 7)] == [theirs[i] for i in range(-7, 7)]
    assert both.cumulative_sizes == theirs.cumulative_sizes
    with pytest.raises(ValueError, match="should not exceed dataset length"):
        both[-8]
    with pytest.raises(ValueError, match="empty iterable"):
        mdata.ConcatDataset([])

    class Ten(mdata.Dataset):
        def __getitem__(self, i):
            return i

        def __len__(self):
            return 10

    added = Ten() + Ten()
    assert isinstance(added, mdata.ConcatDataset) and len(added) == 20 and added[15] == 5
    with pytest.raises(NotImplementedError):
        mdata.Dataset()[0]


def test_batches_of_a_subset_are_gathered_from_the_base_tensors():
    x, y = features_and_labels(10)
    train, _ = mdata.random_split(
        TensorDataset(x, y), [0.7, 0.3], generator=minigrad.Generator().manual_seed(1)
    )
    batches = list(DataLoader(train, batch_size=4))
    assert [len(b[1]) for b in batches] == [4, 3]
    labels = np.concatenate([b[1].numpy() for b in batches])
    assert labels.tolist() == list(train.indices)
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in batches]), x[labels])


def test_loader_options_as_pytorch(torch):
    x, y = features_and_labels(10)

    def run(lib, **options):
        dataset = lib.utils.data.TensorDataset(lib.tensor(x), lib.tensor(y))
        loader = lib.utils.data.DataLoader(dataset, **options)
        return len(loader), [torch_batch(b) if lib is torch else _ours(b) for b in loader]

    sampler = [9, 0, 5, 5]
    for options in (
        {"batch_size": 4},
        {"batch_size": 4, "drop_last": True},
        {"batch_size": 3, "sampler": sampler},
        {"batch_sampler": [[1, 2], [0], [7, 8, 9]]},
        {"batch_size": 3, "collate_fn": lambda samples: len(samples)},
        {"batch_size": 4, "num_workers": 0, "pin_memory": False},
    ):
        assert run(minigrad, **options) == run(torch, **options), options


def _ours(batch):
    if isinstance(batch, minigrad.Tensor):
        return ("tensor", str(batch.dtype), batch.tolist())
    if isinstance(batch, list):
        return "list", [_ours(b) for b in batch]
    return batch


@pytest.mark.parametrize(
    "options",
    [
        {"shuffle": True, "sampler": [0, 1]},
        {"batch_sampler": [[0]], "batch_size": 2},
        {"batch_sampler": [[0]], "drop_last": True},
        {"num_workers": -1},
    ],
)
def test_loader_option_errors_as_pytorch(torch, options):
    with pytest.raises(ValueError) as ours:
        DataLoader(range(4), **options)
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.DataLoader(range(4), **options)
    assert str(ours.value) == str(theirs.value)


def test_shuffling_with_a_minigrad_generator_and_samplers():
    def order(generator):
        return [
            b.tolist() for b in DataLoader(np.arange(12), batch_size=4, shuffle=True, generator=generator)
        ]

    assert order(minigrad.Generator().manual_seed(3)) == order(minigrad.Generator().manual_seed(3))
    assert order(minigrad.Generator().manual_seed(3)) != order(minigrad.Generator().manual_seed(4))
    assert list(mdata.SequentialSampler(range(3))) == [0, 1, 2]
    g = minigrad.Generator().manual_seed(0)
    assert sorted(mdata.RandomSampler(range(5), generator=g)) == [0, 1, 2, 3, 4]
    drawn = list(mdata.RandomSampler(range(3), replacement=True, num_samples=50, generator=g))
    assert len(drawn) == 50 and set(drawn) <= {0, 1, 2}
    longer = list(mdata.RandomSampler(range(3), num_samples=7, generator=g))
    assert len(longer) == 7 and sorted(longer[:3]) == [0, 1, 2]
    assert sorted(mdata.SubsetRandomSampler([5, 7, 9], generator=g)) == [5, 7, 9]
    batches = mdata.BatchSampler(range(7), 3, drop_last=False)
    assert list(batches) == [[0, 1, 2], [3, 4, 5], [6]] and len(batches) == 3
    assert len(mdata.BatchSampler(range(7), 3, drop_last=True)) == 2


def test_an_iterable_dataset_is_batched_as_it_streams():
    class Stream(mdata.IterableDataset):
        def __iter__(self):
            return iter(range(7))

    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Stream(), shuffle=True)
    with pytest.raises(TypeError):
        len(DataLoader(Stream()))


def test_reachable_as_torch_utils_data():
    assert minigrad.utils.data.DataLoader is DataLoader and minigrad.utils.data.TensorDataset is TensorDataset
