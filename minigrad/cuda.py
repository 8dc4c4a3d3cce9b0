"""``minigrad.cuda``: what PyTorch's ``torch.cuda`` answers about GPUs, through CuPy.

``is_available()`` is true when CuPy is installed and sees a GPU; without CuPy, a driver or a
GPU it is false (never an error). minigrad draws every random number on the host from one
generator, so seeding "the GPUs" seeds that generator, as ``minigrad.manual_seed`` does.
"""

from __future__ import annotations

from minigrad import random
from minigrad.backend import cuda_device_count


def device_count() -> int:
    """The number of GPUs CuPy can use."""
    return cuda_device_count()


def is_available() -> bool:
    """Whether tensors can be put on ``device("cuda")``."""
    return cuda_device_count() > 0


def manual_seed(seed: int) -> None:
    """Seed the generator that draws the random numbers of GPU tensors."""
    random.manual_seed(seed)


def manual_seed_all(seed: int) -> None:
    """Seed the generator of every GPU (minigrad's one generator)."""
    random.manual_seed(seed)
