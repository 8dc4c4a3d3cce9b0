"""The argument helpers every op shares: what counts as an int or a real number, pairs of ints,
dims, and the output sizes of convolution, transposed convolution and pooling.

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


# ---- pairs and dims --------------------------------------------------------------------------

Pair = tuple[int, int]
IntOrPair = int | tuple[int, int]


def pair(value: Any, name: str, op: str, minimum: int) -> Pair:
    """``value`` (an int or two ints) as a pair, each at least ``minimum``, or a clear error."""
    values = (value, value) if is_int(value) else tuple(value) if isinstance(value, (tuple, list)) else None
    if values is None or len(values) != 2 or not all(is_int(v) for v in values):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if min(values) < minimum:
        kind = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{op}: {name} must be {kind}, got {value!r}")
    return int(values[0]), int(values[1])


def normalize_dim(dim: int, ndim: int, name: str = "dim") -> int:
    """A dimension index in ``[-ndim, ndim)`` as a non-negative int, or an IndexError."""
    if not is_int(dim):
        raise TypeError(f"{name}: expected an int, got {dim!r}")
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise IndexError(
            f"{name}: dimension out of range (expected to be in range of [{-bound}, {bound - 1}], "
            f"but got {dim})"
        )
    return int(dim) % bound


def normalize_dims(dim: Any, ndim: int) -> tuple[int, ...]:
    """``None`` means all dimensions; an int or a sequence of ints is checked and sorted."""
    if dim is None:
        return tuple(range(ndim))
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    out = tuple(sorted({normalize_dim(d, ndim) for d in dims}))
    if len(out) != len(dims):
        raise RuntimeError(f"dim: dimension {dims} appears multiple times in the list of dims")
    return out if ndim else ()  # a 0-d tensor accepts dim 0 or -1 and has nothing to reduce


# ---- output sizes ----------------------------------------------------------------------------


def out_size(size: int, kernel: int, stride: int, pad: Pair, dilation: int, ceil_mode: bool = False) -> int:
    """Output length of a window sliding over ``size`` values padded by ``pad = (before, after)``.

    PyTorch's formula; with ``ceil_mode`` a last, partial window counts if it starts inside the
    input or the leading padding.

    >>> out_size(28, 5, 1, (2, 2), 1), out_size(5, 3, 2, (1, 1), 1, ceil_mode=True)
    (28, 3)
    """
    span = size + pad[0] + pad[1] - dilation * (kernel - 1) - 1
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    return out - 1 if (out - 1) * stride >= size + pad[0] else out


def transposed_out_size(
    size: int, kernel: int, stride: int, pad: int, dilation: int, output_padding: int
) -> int:
    """Output length of a transposed convolution: the input length of the convolution it undoes.

    >>> transposed_out_size(2, 2, 1, 0, 1, 0), transposed_out_size(14, 5, 2, 2, 1, 1)
    (3, 28)
    """
    return (size - 1) * stride - 2 * pad + dilation * (kernel - 1) + output_padding + 1
