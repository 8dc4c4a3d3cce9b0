"""distributions.Multinomial: counts that add up, in the right shape, with the right statistics."""

import numpy as np
import pytest

import minigrad
from minigrad.distributions.multinomial import Multinomial


def test_samples_count_total_count_draws_in_the_shape_asked_for():
    minigrad.manual_seed(0)
    probs = minigrad.tensor([[0.2, 0.8], [0.5, 0.5]])
    counts = Multinomial(10, probs).sample((4,))
    assert counts.shape == (4, 2, 2) and counts.dtype == minigrad.float32
    assert (counts.sum(-1) == 10).all().item()
    assert Multinomial(100, minigrad.tensor([0.5, 0.5])).sample().shape == (2,)


def test_the_frequencies_approach_the_probabilities():
    minigrad.manual_seed(0)
    counts = Multinomial(1, minigrad.tensor([1.0, 3.0])).sample((20000,))  # weights, normalised
    frequency = counts.mean(0).numpy()
    np.testing.assert_allclose(frequency, [0.25, 0.75], atol=5 * np.sqrt(0.25 * 0.75 / 20000))
    model = Multinomial(8, minigrad.tensor([1.0, 3.0]))
    assert model.mean.tolist() == [2.0, 6.0] and model.variance.tolist() == [1.5, 1.5]


def test_logits_work_like_probabilities():
    model = Multinomial(4, logits=minigrad.tensor([0.0, np.log(3.0)]))
    np.testing.assert_allclose(model.probs.numpy(), [0.25, 0.75], rtol=1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "Either `probs` or `logits` must be specified"),
        ({"probs": minigrad.tensor([0.5, -0.5])}, "non-negative"),
        ({"probs": minigrad.tensor(1.0)}, "at least one-dimensional"),
        ({"total_count": -1, "probs": minigrad.tensor([1.0])}, "total_count must be a non-negative int"),
    ],
)
def test_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Multinomial(**kwargs)
