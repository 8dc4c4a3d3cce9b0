"""Seeded random generators for every random draw in minigrad (initialisation, dropout, sampling,
shuffling), and the random factories ``rand``, ``randn``, ``randint``, ``randperm`` and their
``_like`` forms.

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

from minigrad import dtypes
from minigrad._checks import is_int
from minigrad.backend import backend
from minigrad.backend import device as Device
from minigrad.tensor import Tensor, shape_arg

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


def floating(fn: str, dtype: Any) -> np.dtype:
    """``dtype`` (the default float dtype for ``None``) when it is floating; PyTorch's error otherwise."""
    dtype = np.dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    if not dtypes.is_floating(dtype):
        raise NotImplementedError(f"\"{fn}\" not implemented for '{dtypes.torch_name(dtype)}'")
    return dtype


def placed(host: np.ndarray, dtype: Any, device: Any, requires_grad: bool = False) -> Tensor:
    """A host draw as a tensor of ``dtype`` on ``device``."""
    array = backend(device).from_host(host.astype(dtype, copy=False))
    return Tensor(array, requires_grad=requires_grad)


# ---- the random factories -------------------------------------------------------------------


def _standard(name: str, draw: str, doc: str) -> Any:
    """A factory of ``draw`` samples (a NumPy generator's method) taking PyTorch's size forms:
    ``name(2, 3)``, ``name((2, 3))`` or ``name(size=(2, 3))``."""

    def factory(
        *sizes: Any,
        size: Any = None,
        generator: Any = None,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
    ) -> Tensor:
        shape, dtype = shape_arg(name, sizes, size), floating(name, dtype)
        host = getattr(generator_or_default(generator), draw)(shape)
        return placed(host, dtype, device, requires_grad)

    factory.__name__ = factory.__qualname__ = name
    factory.__doc__ = doc
    return factory


rand = _standard("rand", "random", "Uniform samples on [0, 1).")
randn = _standard("randn", "standard_normal", "Standard normal samples.")


def rand_like(input: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(
        input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad
    )


def randn_like(input: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(
        input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad
    )


def integers(fn: str, low: Any, high: Any, shape: tuple, dtype: np.dtype, generator: Any) -> np.ndarray:
    """Integers from [low, high) to be stored as ``dtype``, after PyTorch's checks of the range."""
    for name, value in (("low", low), ("high", high)):
        if not is_int(value):
            raise TypeError(f"{fn}(): argument '{name}' must be int, not {type(value).__name__}")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if dtype.kind in "iub":
        info = np.iinfo(dtype if dtype.kind != "b" else np.uint8)
        top, name = (1 if dtype.kind == "b" else info.max), dtypes.torch_name(dtype)
        if not info.min <= low <= top:
            raise RuntimeError(f"from is out of bounds for {name}")
        if not info.min <= high - 1 <= top:
            raise RuntimeError(f"to - 1 is out of bounds for {name}")
    draws = generator_or_default(generator)
    return draws.integers(low, high - 1, size=shape, dtype=np.int64, endpoint=True)


def randint(
    low: Any = None,
    high: Any = None,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers drawn uniformly from [low, high): ``randint(high, size)`` or ``randint(low, high, size)``.

    ``dtype`` defaults to int64.
    """
    if isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if size is None or high is None:
        raise TypeError('randint() missing required arguments: "high" and "size"')
    low = 0 if low is None else low
    dtype = np.dtype(dtype) if dtype is not None else dtypes.int64
    host = integers("randint", low, high, shape_arg("randint", (size,)), dtype, generator)
    return placed(host, dtype, device, requires_grad)


def randint_like(
    input: Tensor, low: int = 0, high: int | None = None, dtype: Any = None, device: Any = None
) -> Tensor:
    """``randint`` in the shape (and by default dtype and device) of ``input``."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype, device=device or input.device)


def randperm(
    n: int, *, generator: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64 by default)."""
    if not is_int(n):
        raise TypeError(f"randperm(): argument 'n' must be int, not {type(n).__name__}")
    shape_arg("randperm", (n,))
    host = generator_or_default(generator).permutation(int(n))
    return placed(host, np.dtype(dtype) if dtype is not None else dtypes.int64, device, requires_grad)
