"""Optimizers with PyTorch's names, equations and state-dict format."""

from minigrad.optim.adam import Adam, AdamW
from minigrad.optim.optimizer import Optimizer
from minigrad.optim.sgd import SGD

__all__ = ["Adam", "AdamW", "Optimizer", "SGD"]
