"""Property tests of the random draws (``minigrad.ops.sampling``): what every draw must satisfy
whatever the shape, seed and parameters. Their gradients are zero by PyTorch's convention, so
gradcheck does not apply; ``NOT_DIFFERENTIABLE`` says so for the completeness test."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad

_ZERO = "a random draw: PyTorch defines its gradient as zero, which tests/test_random.py checks"
NOT_DIFFERENTIABLE = {
    "minigrad.normal": _ZERO,
    "minigrad.bernoulli": _ZERO,
    "Tensor.bernoulli": _ZERO,
    "Tensor.bernoulli_": _ZERO,
    "Tensor.uniform_": _ZERO,
    "Tensor.normal_": _ZERO,
    "Tensor.exponential_": _ZERO,
    "Tensor.random_": _ZERO,
    "minigrad.multinomial": "returns int64 indices",
    "Tensor.multinomial": "returns int64 indices",
}

shapes = st.lists(st.integers(0, 3), max_size=3).map(tuple)
seeds = st.integers(0, 2**32 - 1)


@settings(max_examples=20)
@given(shape=shapes, seed=seeds, p=st.floats(0, 1))
def test_bernoulli_gives_zeros_and_ones_of_the_input_dtype(shape, seed, p):
    minigrad.manual_seed(seed)
    probs = minigrad.full(shape, p, dtype=minigrad.float64)
    for out in (
        minigrad.bernoulli(probs),
        probs.bernoulli(p),
        minigrad.zeros(shape, dtype=minigrad.int64).bernoulli_(p),
    ):
        values = out.numpy()
        assert out.shape == shape and np.isin(values, [0, 1]).all()
    if p in (0.0, 1.0):
        assert (minigrad.bernoulli(probs).numpy() == p).all()


@settings(max_examples=20)
@given(
    seed=seeds,
    weights=st.lists(st.sampled_from([0.0, 0.5, 1.0, 3.0]), min_size=1, max_size=5),
    rows=st.integers(1, 3),
    data=st.data(),
)
def test_multinomial_never_draws_a_zero_weight_while_others_remain(seed, weights, rows, data):
    weights[data.draw(st.integers(0, len(weights) - 1))] = 1.0  # at least one positive weight
    probs = minigrad.tensor([weights] * rows, dtype=minigrad.float64)
    positive = int(np.count_nonzero(weights))
    minigrad.manual_seed(seed)
    k = data.draw(st.integers(1, len(weights)))
    drawn = minigrad.multinomial(probs, k).numpy()
    assert drawn.shape == (rows, k) and drawn.dtype == np.int64
    for row in drawn:
        assert len(set(row.tolist())) == k  # without replacement: distinct
        assert all(weights[i] > 0 for i in row[: min(k, positive)])  # positive weights first
    with_replacement = probs.multinomial(7, replacement=True).numpy()
    assert all(weights[i] > 0 for i in with_replacement.ravel())


@settings(max_examples=20)
@given(shape=shapes, seed=seeds, low=st.integers(-5, 5), span=st.integers(1, 6))
def test_integer_draws_stay_in_their_range(shape, seed, low, span):
    minigrad.manual_seed(seed)
    drawn = minigrad.randint(low, low + span, shape).numpy()
    assert drawn.shape == shape and drawn.dtype == np.int64
    assert ((drawn >= low) & (drawn < low + span)).all()
    filled = minigrad.zeros(shape).random_(low, low + span).numpy()
    assert ((filled >= low) & (filled < low + span)).all() and (filled == np.round(filled)).all()
    n = int(np.prod(shape))
    assert sorted(minigrad.randperm(n).tolist()) == list(range(n))


@settings(max_examples=20)
@given(shape=shapes, seed=seeds, low=st.floats(-3, 3), width=st.floats(0, 3))
def test_uniform_and_exponential_fills_stay_in_their_support(shape, seed, low, width):
    minigrad.manual_seed(seed)
    uniform = minigrad.empty(shape, dtype=minigrad.float64).uniform_(low, low + width).numpy()
    assert ((uniform >= low) & (uniform <= low + width)).all()
    assert (minigrad.empty(shape).exponential_(2.0).numpy() >= 0).all()
