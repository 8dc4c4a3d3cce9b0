"""One seeded random generator for every random draw in minigrad (initialisation, dropout, shuffling).

Draws are made on the host with NumPy and then moved to the tensor's device, so
``manual_seed`` gives the same numbers on every device.
"""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed minigrad's generator, as ``torch.manual_seed`` does; returns it."""
    global _generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative int, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def default_generator() -> np.random.Generator:
    """The NumPy generator behind ``randn``, ``rand``, initialisers, dropout and shuffling."""
    return _generator


def get_rng_state() -> dict:
    """A copy of the generator's state, to restore with :func:`set_rng_state`."""
    return _generator.bit_generator.state


def set_rng_state(state: dict) -> None:
    _generator.bit_generator.state = state
