"""Probability distributions with PyTorch's names (``torch.distributions``): so far ``Multinomial``,
the one the book's chapter on probability draws from."""

from minigrad.distributions.multinomial import Multinomial

__all__ = ["Multinomial"]
