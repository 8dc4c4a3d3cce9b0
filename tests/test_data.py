"""TensorDataset and DataLoader: batching, seeded shuffling, drop_last, collation, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.data import DataLoader, TensorDataset, default_collate


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
    with pytest.raises(TypeError, match="cannot batch"):
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
    loader = DataLoader(np.arange(n), batch_size, shuffle, drop_last, generator=seed)
    batches = [b.numpy() for b in loader]
    seen = np.concatenate(batches) if batches else np.array([], dtype=np.int64)
    assert len(batches) == len(loader)
    assert all(len(b) == batch_size for b in batches[:-1])
    assert len(np.unique(seen)) == len(seen)
    assert len(seen) == (n // batch_size * batch_size if drop_last else n)
    if not shuffle:
        np.testing.assert_array_equal(seen, np.arange(len(seen)))
