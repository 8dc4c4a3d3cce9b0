"""``minigrad.linalg``: norms, inverses, solves and decompositions, as ``torch.linalg`` names them.

Each op here is declared ``linalg`` beside its code (``minigrad.ops.registry``).
"""

import minigrad.ops  # noqa: F401  (importing the ops declares them)
from minigrad.ops.registry import LINALG

globals().update(LINALG)

__all__ = sorted(LINALG)
