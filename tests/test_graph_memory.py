"""The graph holds no reference cycle: reference counting alone frees it, with the cyclic GC off."""

import gc
import tracemalloc
import weakref

import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F


@pytest.fixture
def no_cyclic_gc():
    """The cyclic collector off; the test calls ``gc.collect()`` first, to start from no garbage."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def small_cnn():
    minigrad.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 14 * 14, 10)
    )
    return net, minigrad.randn(8, 1, 28, 28), minigrad.tensor([0, 1, 2, 3, 4, 5, 6, 7])


def test_forward_passes_without_backward_leave_memory_flat(no_cyclic_gc):
    net, x, y = small_cnn()
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(5):  # warm up NumPy's and Python's caches
            F.cross_entropy(net(x), y)
        gc.collect()  # a full collection also empties Python's free lists
        start = tracemalloc.get_traced_memory()[0]
        held = F.cross_entropy(net(x), y)
        one_graph = tracemalloc.get_traced_memory()[0] - start
        del held
        tracemalloc.reset_peak()
        for _ in range(50):
            loss = F.cross_entropy(net(x), y)
            del loss
        peak = tracemalloc.get_traced_memory()[1] - start
        unreachable = gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert one_graph > 100_000  # a graph holds its saved activations, some hundred kB
    assert peak < 4 * one_graph  # 50 forward passes never held more than about one graph at a time,
    assert unreachable == 0  # freed by reference counting alone: nothing was left for the collector,
    assert growth < one_graph / 10  # and memory is back where it started


def test_intermediates_are_freed_when_the_loss_is_deleted(no_cyclic_gc):
    net, x, y = small_cnn()
    gc.collect()
    features = net[:4](x)  # saved by the linear layer for its weight's gradient
    activation = net[0](x).relu()  # saved by relu as its own output (without pointing at its node)
    loss = F.cross_entropy(net[4](features), y) + activation.sum()
    refs = [weakref.ref(features), weakref.ref(activation.grad_fn), weakref.ref(loss.grad_fn)]
    del features, activation
    assert all(ref() is not None for ref in refs)
    del loss
    assert all(ref() is None for ref in refs)
    assert gc.collect() == 0


def test_a_node_and_the_output_it_saved_do_not_point_at_each_other(no_cyclic_gc):
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    gc.collect()
    y = x.exp()  # Exp saves its output
    node = weakref.ref(y.grad_fn)
    assert all(ref is not y for saved in [y.grad_fn._saved] for ref in gc.get_referents(*saved))
    (gradient,) = minigrad.autograd.grad(y.sum(), x, retain_graph=True)
    assert gradient.tolist() == y.tolist()
    del y
    assert node() is None and gc.collect() == 0
