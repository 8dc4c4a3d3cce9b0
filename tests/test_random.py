"""Randomness: ``Generator``, seeds and states, the draws' shapes, dtypes and errors (PyTorch as
the oracle), their statistics under a fixed seed, their zero gradients, and ``minigrad.cuda``."""

import sys
import types

import numpy as np
import pytest
from test_creation import both

import minigrad
from minigrad import Generator

N = 20000  # draws per statistical check: a 5-sigma band is a few percent wide


def boolean(lib):
    return getattr(lib, "bool_", None) or lib.bool  # minigrad spells NumPy's name


# ---- generators and seeds ----------------------------------------------------------------------


def test_generator_seeding_as_pytorch(torch):
    assert Generator().initial_seed() == torch.Generator().initial_seed()  # a fixed seed to start from
    g = Generator()
    assert g.manual_seed(3) is g and g.initial_seed() == 3 and g.device == "cpu"
    assert Generator().manual_seed(-1).initial_seed() == torch.Generator().manual_seed(-1).initial_seed()
    first = minigrad.rand(5, generator=g.manual_seed(7))
    assert minigrad.rand(5, generator=g.manual_seed(7)).tolist() == first.tolist()
    assert minigrad.rand(5, generator=g).tolist() != first.tolist()
    seed = g.seed()
    assert isinstance(seed, int) and 0 <= seed < 2**64 and g.initial_seed() == seed
    assert Generator(device="cuda").device == "cuda"


def test_state_round_trip():
    g = Generator().manual_seed(11)
    g.random(3)
    state = g.get_state()
    assert state.dtype == np.uint8 and state.ndim == 1
    after = minigrad.randn(4, generator=g).tolist()
    g.manual_seed(99)
    assert g.set_state(state) is g and g.initial_seed() == 11
    assert minigrad.randn(4, generator=g).tolist() == after
    minigrad.manual_seed(5)
    saved = minigrad.get_rng_state()
    values = minigrad.rand(3).tolist()
    minigrad.set_rng_state(saved)
    assert minigrad.rand(3).tolist() == values and minigrad.initial_seed() == 5
    with pytest.raises(TypeError, match="ByteTensor"):
        g.set_state([1, 2])
    with pytest.raises(RuntimeError, match="size to be 3"):
        g.set_state(minigrad.zeros(3, dtype=minigrad.uint8))


def test_bad_seeds(torch):
    for bad in (1.5, "3"):
        ours, theirs = both(torch, lambda lib, bad=bad: lib.Generator().manual_seed(bad))
        assert type(ours) is type(theirs) is RuntimeError and str(ours) == str(theirs)
    with pytest.raises(ValueError, match="2\\*\\*64"):
        Generator().manual_seed(2**64)


def test_global_seed_functions():
    seed = minigrad.seed()
    assert minigrad.initial_seed() == seed
    assert minigrad.manual_seed(4) is minigrad.random.default_generator()
    assert minigrad.initial_seed() == 4


def test_a_seed_gives_the_same_numbers_on_every_device():
    minigrad.manual_seed(0)
    on_cpu = minigrad.randn(5, device="cpu").tolist()
    minigrad.manual_seed(0)
    assert minigrad.randn(5).tolist() == on_cpu  # the default device (NumPy or the stand-in GPU)


DRAWS = {  # each draw with its generator= argument: the same seed gives the same numbers
    "rand": lambda g: minigrad.rand(3, generator=g),
    "randn": lambda g: minigrad.randn(size=(3,), generator=g),
    "randint": lambda g: minigrad.randint(0, 100, (3,), generator=g),
    "randperm": lambda g: minigrad.randperm(10, generator=g),
    "normal": lambda g: minigrad.normal(0.0, 1.0, (3,), generator=g),
    "normal tensors": lambda g: minigrad.normal(minigrad.zeros(3), minigrad.ones(3), generator=g),
    "bernoulli": lambda g: minigrad.bernoulli(minigrad.full((8,), 0.5), generator=g),
    "multinomial": lambda g: minigrad.multinomial(minigrad.ones(10), 4, generator=g),
    "uniform_": lambda g: minigrad.empty(3).uniform_(generator=g),
    "normal_": lambda g: minigrad.empty(3).normal_(generator=g),
    "random_": lambda g: minigrad.empty(3).random_(100, generator=g),
    "exponential_": lambda g: minigrad.empty(3).exponential_(generator=g),
    "bernoulli_": lambda g: minigrad.empty(8).bernoulli_(0.5, generator=g),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_draws_take_a_generator_and_a_seed_repeats_them(name):
    draw = DRAWS[name]
    first = draw(Generator().manual_seed(1)).tolist()
    assert draw(Generator().manual_seed(1)).tolist() == first
    assert draw(Generator().manual_seed(2)).tolist() != first
    minigrad.manual_seed(1)
    default = draw(None).tolist()
    minigrad.manual_seed(1)
    assert draw(None).tolist() == default
    with pytest.raises(TypeError, match="generator"):
        draw(3)


# ---- shapes, dtypes and errors against PyTorch -------------------------------------------------

CALLS = {
    "rand": lambda lib: lib.rand(2, 3),
    "rand float64": lambda lib: lib.rand(2, dtype=lib.float64),
    "randn size=": lambda lib: lib.randn(size=(2, 3)),
    "randint high size": lambda lib: lib.randint(5, (3,)),
    "randint low high size": lambda lib: lib.randint(2, 5, (3, 2)),
    "randint size=": lambda lib: lib.randint(5, size=(3,)),
    "randint keywords": lambda lib: lib.randint(low=2, high=5, size=(3,)),
    "randint high=": lambda lib: lib.randint(high=5, size=(3,)),
    "randint float32": lambda lib: lib.randint(5, (3,), dtype=lib.float32),
    "randint bool": lambda lib: lib.randint(0, 2, (2,), dtype=boolean(lib)),
    "randint uint8": lambda lib: lib.randint(0, 256, (2,), dtype=lib.uint8),
    "randperm": lambda lib: lib.randperm(5),
    "randperm empty": lambda lib: lib.randperm(0),
    "randperm float32": lambda lib: lib.randperm(4, dtype=lib.float32),
    "normal tensors": lambda lib: lib.normal(lib.zeros(3), lib.ones(2, 3)),
    "normal broadcast": lambda lib: lib.normal(lib.zeros(3, 1), lib.ones(2)),
    "normal float tensor": lambda lib: lib.normal(0.0, lib.ones(2, 3)),
    "normal int tensor": lambda lib: lib.normal(0, lib.ones(2, 3)),
    "normal tensor float": lambda lib: lib.normal(lib.zeros(2, 3), 1.0),
    "normal tensor": lambda lib: lib.normal(lib.zeros(2, 3)),
    "normal float64": lambda lib: lib.normal(lib.zeros(2, dtype=lib.float64), lib.ones(2)),
    "normal float16": lambda lib: lib.normal(lib.zeros(2, dtype=lib.float16), 1.0),
    "normal size": lambda lib: lib.normal(0.0, 1.0, (2, 3)),
    "normal size=": lambda lib: lib.normal(mean=0, std=1, size=(2, 3)),
    "normal dtype": lambda lib: lib.normal(0.0, 1.0, (2,), dtype=lib.float64),
    "normal empty": lambda lib: lib.normal(lib.zeros(0), lib.ones(0)),
    "bernoulli": lambda lib: lib.bernoulli(lib.full((3,), 0.5)),
    "bernoulli float64": lambda lib: lib.bernoulli(lib.full((3,), 0.5, dtype=lib.float64)),
    "bernoulli p": lambda lib: lib.bernoulli(lib.zeros(3), 0.5),
    "bernoulli p=": lambda lib: lib.bernoulli(lib.zeros(3, dtype=lib.int64), p=0.5),
    "bernoulli bool": lambda lib: lib.bernoulli(lib.zeros(3, dtype=boolean(lib)), 0.5),
    "Tensor.bernoulli": lambda lib: lib.zeros(3).bernoulli(0.5),
    "bernoulli_ tensor p": lambda lib: lib.zeros(2, 3).bernoulli_(lib.full((3,), 0.5)),
    "bernoulli_ int": lambda lib: lib.zeros(3, dtype=lib.int64).bernoulli_(0.5),
    "multinomial": lambda lib: lib.multinomial(lib.tensor([0.2, 0.8]), 2),
    "multinomial replacement": lambda lib: lib.multinomial(lib.tensor([[0.2, 0.8], [1, 0]]), 3, True),
    "multinomial empty rows": lambda lib: lib.multinomial(lib.ones(0, 3), 1),
    "multinomial float64": lambda lib: lib.ones(3, dtype=lib.float64).multinomial(num_samples=2),
    "uniform_": lambda lib: lib.zeros(3).uniform_(2, 3),
    "normal_": lambda lib: lib.zeros(3, dtype=lib.float64).normal_(mean=2, std=0.0),
    "exponential_": lambda lib: lib.zeros(3).exponential_(lambd=2.0),
    "random_": lambda lib: lib.zeros(3).random_(),
    "random_ to": lambda lib: lib.zeros(3, dtype=lib.int32).random_(5),
    "random_ from to": lambda lib: lib.zeros(3, dtype=lib.int64).random_(2, 5),
    "random_ to=": lambda lib: lib.zeros(3).random_(to=5),
    "random_ uint8": lambda lib: lib.zeros(3, dtype=lib.uint8).random_(),
    "random_ bool": lambda lib: lib.zeros(3, dtype=boolean(lib)).random_(),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_shapes_and_dtypes_as_pytorch(torch, name):
    ours, theirs = both(torch, CALLS[name])
    assert not isinstance(theirs, Exception), theirs
    assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype).replace("torch.", "")


def test_deterministic_values_as_pytorch(torch):
    for call in (
        lambda lib: lib.normal(lib.full((3,), 2.0), 0.0),
        lambda lib: lib.zeros(3).normal_(2, 0.0),
        lambda lib: lib.zeros(2).uniform_(1.5, 1.5),
        lambda lib: lib.bernoulli(lib.tensor([0.0, 1.0, 1.0])),
        lambda lib: lib.multinomial(lib.tensor([0.0, 1.0, 0.0]), 2),
        lambda lib: lib.multinomial(lib.tensor([0.0, 0.0, 5.0]), 4, replacement=True),
    ):
        ours, theirs = both(torch, call)
        assert ours.tolist() == theirs.tolist()


ERRORS = {  # call: whether the message is PyTorch's word for word
    "randint low >= high": (lambda lib: lib.randint(5, 5, (3,)), True),
    "randint uint8 high": (lambda lib: lib.randint(0, 300, (2,), dtype=lib.uint8), False),
    "randint uint8 low": (lambda lib: lib.randint(-1, 3, (2,), dtype=lib.uint8), False),
    "randint int grad": (lambda lib: lib.randint(5, (3,), requires_grad=True), False),
    "randint float high": (lambda lib: lib.randint(2.5, (3,)), False),
    "randint size int": (lambda lib: lib.randint(5), False),
    "randperm negative": (lambda lib: lib.randperm(-1), True),
    "randperm float": (lambda lib: lib.randperm(4.0), False),
    "randperm int grad": (lambda lib: lib.randperm(4, requires_grad=True), False),
    "rand int dtype": (lambda lib: lib.rand(2, dtype=lib.int64), False),
    "normal int mean": (lambda lib: lib.normal(lib.zeros(2, dtype=lib.int64), 1.0), True),
    "normal int dtype": (lambda lib: lib.normal(0.0, 1.0, (2,), dtype=lib.int64), True),
    "normal negative std": (lambda lib: lib.normal(lib.zeros(2), -1.0), True),
    "normal nan std": (lambda lib: lib.normal(0.0, float("nan"), (2,)), True),
    "normal negative std tensor": (lambda lib: lib.normal(lib.zeros(2), -lib.ones(2)), True),
    "normal nan std tensor": (lambda lib: lib.normal(0.0, lib.tensor([1.0, float("nan")])), True),
    "normal no size": (lambda lib: lib.normal(0.0, 1.0), False),
    "normal unbroadcastable": (lambda lib: lib.normal(lib.zeros(6), lib.ones(2, 3)), False),
    "bernoulli int": (lambda lib: lib.bernoulli(lib.ones(3, dtype=lib.int64)), True),
    "bernoulli above 1": (lambda lib: lib.bernoulli(lib.full((3,), 1.5)), False),
    "bernoulli nan": (lambda lib: lib.bernoulli(lib.full((3,), float("nan"))), False),
    "bernoulli p": (lambda lib: lib.bernoulli(lib.zeros(3), 1.5), True),
    "bernoulli_ p": (lambda lib: lib.zeros(3).bernoulli_(-0.5), True),
    "bernoulli_ wider p": (lambda lib: lib.zeros(3).bernoulli_(lib.full((2, 3), 0.5)), False),
    "bernoulli_ leaf": (lambda lib: lib.ones(3, requires_grad=True).bernoulli_(0.5), True),
    "multinomial too many": (lambda lib: lib.multinomial(lib.tensor([0.2, 0.8]), 3), True),
    "multinomial zero sum": (lambda lib: lib.multinomial(lib.zeros(2), 1), True),
    "multinomial negative": (lambda lib: lib.multinomial(lib.tensor([-0.1, 0.8]), 1), True),
    "multinomial inf": (lambda lib: lib.multinomial(lib.tensor([float("inf"), 0.8]), 1), True),
    "multinomial 3-d": (lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1), True),
    "multinomial 0-d": (lambda lib: lib.multinomial(lib.ones(()), 1), True),
    "multinomial none": (lambda lib: lib.multinomial(lib.ones(3), 0), True),
    "multinomial int": (lambda lib: lib.multinomial(lib.ones(3, dtype=lib.int64), 1), True),
    "multinomial float count": (lambda lib: lib.multinomial(lib.ones(3), 2.0), False),
    "uniform_ reversed": (lambda lib: lib.zeros(3).uniform_(3, 2), True),
    "uniform_ int": (lambda lib: lib.zeros(3, dtype=lib.int64).uniform_(), True),
    "normal_ negative std": (lambda lib: lib.zeros(3).normal_(2, -1.0), True),
    "exponential_ zero": (lambda lib: lib.zeros(3).exponential_(0), True),
    "exponential_ int": (lambda lib: lib.zeros(3, dtype=lib.int64).exponential_(), True),
    "random_ reversed": (lambda lib: lib.zeros(3).random_(5, 2), True),
    "random_ int8 range": (lambda lib: lib.zeros(3, dtype=lib.int8).random_(300), False),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_pytorch(torch, name):
    call, same_message = ERRORS[name]
    ours, theirs = both(torch, call)
    assert isinstance(ours, Exception) and isinstance(theirs, Exception), (ours, theirs)
    assert type(ours) is type(theirs), (ours, theirs)
    if same_message:
        assert str(ours) == str(theirs).split("  (Could this")[0]


# ---- statistics under a fixed seed -------------------------------------------------------------


def close(value, expected, sigma, n=N):
    assert abs(value - expected) < 5 * sigma / np.sqrt(n), (value, expected)


def test_uniform_and_normal_moments():
    minigrad.manual_seed(0)
    u = minigrad.rand(N, dtype=minigrad.float64).numpy()
    assert u.min() >= 0 and u.max() < 1
    close(u.mean(), 0.5, np.sqrt(1 / 12))
    z = minigrad.randn(N, dtype=minigrad.float64).numpy()
    close(z.mean(), 0.0, 1.0)
    close(z.var(), 1.0, np.sqrt(2))
    x = minigrad.normal(2.0, 3.0, size=(N,), dtype=minigrad.float64).numpy()
    close(x.mean(), 2.0, 3.0)
    close(x.std(), 3.0, 3.0 / np.sqrt(2))
    filled = minigrad.empty(N, dtype=minigrad.float64).uniform_(-2, 4).numpy()
    assert filled.min() >= -2 and filled.max() < 4
    close(filled.mean(), 1.0, 6 / np.sqrt(12))
    e = minigrad.empty(N, dtype=minigrad.float64).exponential_(4.0).numpy()
    close(e.mean(), 0.25, 0.25)


def test_normal_with_tensor_parameters_draws_each_element_from_its_own():
    minigrad.manual_seed(1)
    mean = minigrad.tensor([-5.0, 0.0, 10.0], dtype=minigrad.float64)
    std = minigrad.tensor([[0.5], [2.0]], dtype=minigrad.float64)
    draws = np.stack([minigrad.normal(mean, std).numpy() for _ in range(2000)])
    assert draws.shape == (2000, 2, 3)
    np.testing.assert_allclose(
        draws.mean(0), np.broadcast_to(mean.numpy(), (2, 3)), atol=5 * 2 / np.sqrt(2000)
    )
    np.testing.assert_allclose(draws.std(0), np.broadcast_to(std.numpy(), (2, 3)), rtol=0.1)


def test_integer_draws_are_uniform():
    minigrad.manual_seed(2)
    counts = np.bincount(minigrad.randint(3, 8, (N,)).numpy(), minlength=8)
    assert counts[:3].sum() == 0
    for c in counts[3:]:
        close(c / N, 0.2, np.sqrt(0.2 * 0.8))
    firsts = np.array([minigrad.randperm(4)[0].item() for _ in range(2000)])
    for value in range(4):
        close(np.mean(firsts == value), 0.25, np.sqrt(0.25 * 0.75), n=2000)
    r = minigrad.zeros(N).random_().numpy()
    assert r.min() >= 0 and r.max() <= 2**24 and r.mean() > 2**21


def test_bernoulli_frequencies():
    minigrad.manual_seed(3)
    p = minigrad.tensor([0.1, 0.5, 0.9], dtype=minigrad.float64)
    hits = minigrad.bernoulli(p.expand(N, 3)).numpy().mean(0)
    for got, want in zip(hits, [0.1, 0.5, 0.9]):
        close(got, want, np.sqrt(want * (1 - want)))
    close(minigrad.zeros(N).bernoulli_(0.3).numpy().mean(), 0.3, np.sqrt(0.21))


def test_multinomial_frequencies():
    minigrad.manual_seed(4)
    weights = minigrad.tensor([[1.0, 0.0, 3.0], [2.0, 2.0, 0.0]])
    drawn = minigrad.multinomial(weights, N, replacement=True).numpy()
    for row, probs in zip(drawn, ([0.25, 0.0, 0.75], [0.5, 0.5, 0.0])):
        freq = np.bincount(row, minlength=3) / N
        for got, want in zip(freq, probs):
            close(got, want, np.sqrt(want * (1 - want)) + 1e-12)
    # without replacement the first draw follows the weights, the second the rest
    firsts = np.array([minigrad.multinomial(minigrad.tensor([1.0, 3.0]), 2).tolist() for _ in range(2000)])
    close(np.mean(firsts[:, 0] == 1), 0.75, np.sqrt(0.75 * 0.25), n=2000)
    assert (np.sort(firsts, axis=1) == [0, 1]).all()


# ---- gradients: zero, as PyTorch defines them ---------------------------------------------------


def test_draws_from_parameters_have_zero_gradients(torch):
    def run(lib):
        mean = lib.zeros(3, requires_grad=True)
        std = lib.ones(3, requires_grad=True)
        p = lib.full((3,), 0.5, requires_grad=True)
        y = lib.normal(mean, std).sum() + lib.normal(mean, 2.0).sum() + lib.bernoulli(p).sum()
        y.backward()
        return [t.grad.tolist() for t in (mean, std, p)]

    ours, theirs = both(torch, run)
    assert ours == theirs == [[0.0] * 3] * 3
    x = minigrad.zeros(3, requires_grad=True)
    y = x * 1
    y.uniform_()
    assert y.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [0.0] * 3
    assert not minigrad.normal(0.0, 1.0, (2,)).requires_grad
    assert minigrad.normal(0.0, 1.0, (2,), requires_grad=True).is_leaf


# ---- minigrad.cuda -----------------------------------------------------------------------------


def test_cuda_queries_answer_without_raising():
    assert isinstance(minigrad.cuda.is_available(), bool)
    assert minigrad.cuda.device_count() >= 0
    assert minigrad.cuda.is_available() == (minigrad.cuda.device_count() > 0)
    minigrad.cuda.manual_seed(3)
    assert minigrad.initial_seed() == 3
    minigrad.cuda.manual_seed_all(4)
    assert minigrad.initial_seed() == 4


def _fake_cupy(get_count):
    cupy = types.ModuleType("cupy")
    cupy.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=get_count))
    return cupy


class CUDARuntimeError(RuntimeError):
    pass


def _no_driver():
    raise CUDARuntimeError("cudaErrorInsufficientDriver: CUDA driver version is insufficient")


@pytest.mark.parametrize(
    "cupy, count",
    [(None, 0), (_fake_cupy(_no_driver), 0), (_fake_cupy(lambda: 0), 0), (_fake_cupy(lambda: 2), 2)],
    ids=["not installed", "no driver", "no GPU", "two GPUs"],
)
def test_cuda_queries_are_truthful(monkeypatch, cupy, count):
    monkeypatch.setitem(sys.modules, "cupy", cupy)  # None makes ``import cupy`` fail
    assert minigrad.cuda.device_count() == count
    assert minigrad.cuda.is_available() == (count > 0)
