"""``minigrad.utils``: helpers beside the tensor library, as ``torch.utils``."""

from minigrad.utils import data

__all__ = ["data"]
