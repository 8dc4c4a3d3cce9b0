"""The functional interface (``import minigrad.nn.functional as F``): ops without parameters.

Each op here is declared ``functional`` beside its code (``minigrad.ops.registry``): ``conv2d``,
``max_pool2d``, ``cross_entropy``, ``softmax`` and the rest.
"""

import minigrad.ops  # noqa: F401  (importing the ops declares them)
from minigrad.ops.registry import FUNCTIONAL

globals().update(FUNCTIONAL)

__all__ = sorted(FUNCTIONAL)
