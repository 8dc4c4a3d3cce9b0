"""Seeded random generators for every random draw in minigrad (initialisation, dropout, sampling, shuffling).

A ``Generator`` is a NumPy generator with PyTorch's seeding methods. Draws are made on the
host and then moved to the result's device, so ``manual_seed`` gives the same numbers on every
device. As in PyTorch, a new ``Generator()`` starts from a fixed seed and the default generator
from a fresh one each run.

>>> g = Generator().manual_seed(3)
>>> first = g.random(2)
>>> bool((g.manual_seed(3).random(2) == first).all()), g.initial_seed()
(True, 3)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad._checks import is_int
from minigrad.backend import device as Device
from minigrad.tensor import Tensor

_DEFAULT_SEED = 67280421310721  # PyTorch's seed of a new Generator
_STATE_BYTES = 16 * 2 + 1 + 4 + 8  # PCG64 state and increment, the cached half-word and its flag, the seed


def _check_seed(seed: Any) -> int:
    """PyTorch's seed range; a negative seed counts from 2**64, as PyTorch reads it."""
    if isinstance(seed, bool) or not is_int(seed):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    if not -(2**63) <= seed < 2**64:
        raise ValueError(f"manual_seed: seed must be in [-2**63, 2**64), got {seed}")
    return int(seed) % 2**64


class Generator(np.random.Generator):
    """``minigrad.Generator(device="cpu")``: a random stream with PyTorch's ``manual_seed``,
    ``seed``, ``initial_seed``, ``get_state`` and ``set_state``, usable wherever a ``generator=``
    argument is taken (the draws are NumPy's, so the numbers differ from PyTorch's)."""

    def __init__(self, device: str | Device = "cpu") -> None:
        super().__init__(np.random.PCG64(_DEFAULT_SEED))
        self.device = Device(device)
        self._seed = _DEFAULT_SEED

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed``; returns the generator."""
        self._seed = _check_seed(seed)
        self.bit_generator.state = np.random.PCG64(self._seed).state
        return self

    def seed(self) -> int:
        """Restart from a fresh, nondeterministic seed and return it."""
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed the stream last started from."""
        return self._seed

    def get_state(self) -> Tensor:
        """The stream's position as a uint8 tensor, for :meth:`set_state`."""
        state = self.bit_generator.state
        words = (state["state"]["state"], state["state"]["inc"])
        raw = b"".join(w.to_bytes(16, "little") for w in words)
        raw += bytes([state["has_uint32"]]) + state["uinteger"].to_bytes(4, "little")
        raw += self._seed.to_bytes(8, "little")
        return Tensor(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state: Tensor) -> Generator:
        """Return to a position saved by :meth:`get_state`."""
        if not isinstance(new_state, Tensor) or new_state.dtype != np.uint8:
            raise TypeError(f"expected a minigrad.ByteTensor, but got {type(new_state).__name__}")
        if new_state.numel() != _STATE_BYTES:
            raise RuntimeError(
                f"Expected a generator state of size {_STATE_BYTES} but found the input RNG state "
                f"size to be {new_state.numel()}"
            )
        raw = new_state.numpy().tobytes()
        state, inc = (int.from_bytes(raw[i : i + 16], "little") for i in (0, 16))
        self.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": state, "inc": inc},
            "has_uint32": raw[32],
            "uinteger": int.from_bytes(raw[33:37], "little"),
        }
        self._seed = int.from_bytes(raw[37:], "little")
        return self


_default = Generator()
_default.seed()


def default_generator() -> Generator:
    """The generator behind ``randn``, ``rand``, initialisers, dropout and shuffling."""
    return _default


def generator_or_default(generator: Any) -> np.random.Generator:
    """The generator a ``generator=`` argument names: the default one for ``None``."""
    if generator is None:
        return _default
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"generator must be a minigrad.Generator, got {type(generator).__name__}")
    return generator


def manual_seed(seed: int) -> Generator:
    """Reseed minigrad's default generator, as ``torch.manual_seed`` does; returns it."""
    return _default.manual_seed(seed)


def seed() -> int:
    """Reseed the default generator nondeterministically; returns the seed."""
    return _default.seed()


def initial_seed() -> int:
    """The seed the default generator last started from."""
    return _default.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state as a uint8 tensor, to restore with :func:`set_rng_state`."""
    return _default.get_state()


def set_rng_state(new_state: Tensor) -> None:
    _default.set_state(new_state)
