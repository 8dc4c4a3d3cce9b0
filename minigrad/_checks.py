"""What counts as an int or a real number in an argument, for every public function.

NumPy's scalars (``np.int64(2)``, what indexing a shape array or ``np.arange`` gives) count
wherever Python's do, as in PyTorch; ``True`` and ``False`` never count as numbers.

>>> import numpy as np
>>> is_int(np.int64(1)), is_int(True), is_real(np.float32(0.5)), is_real("0.1")
(True, False, True, False)
"""

from __future__ import annotations

from typing import Any

import numpy as np


def is_int(value: Any) -> bool:
    """A Python or NumPy integer, not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def is_real(value: Any) -> bool:
    """A Python or NumPy integer or float, not a bool."""
    return is_int(value) or isinstance(value, (float, np.floating))
