"""``repr(tensor)`` as PyTorch prints it: the same number format, line breaks and suffixes.

PyTorch picks one format for all the elements it shows: whole numbers as ``2.``, otherwise four
decimals, or scientific notation when the magnitudes span more than three decades, exceed 1e8 or
fall below 1e-4. Every element is padded to the widest one, lines wrap at 80 characters, and
tensors with more than 1000 elements show only three items at each end of every dimension.

>>> import minigrad
>>> minigrad.tensor([[1.0, 2.5], [-3.0, 1e-5]])
tensor([[ 1.0000e+00,  2.5000e+00],
        [-3.0000e+00,  1.0000e-05]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.backend import backend_of

PRECISION = 4
LINEWIDTH = 80
THRESHOLD = 1000  # more elements than this are summarized with "..."
EDGEITEMS = 3


class _Formatter:
    """One fixed-width format for every element shown (PyTorch's ``_Formatter``)."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        if not self.floating:
            self.width = max((len(str(v)) for v in values.ravel().tolist()), default=1)
            return
        shown = values.astype(np.float64).ravel()  # float64: float16 would overflow at 1e8
        shown = shown[np.isfinite(shown) & (shown != 0)]
        if shown.size == 0:
            return
        magnitudes = np.abs(shown)
        smallest, largest = magnitudes.min(), magnitudes.max()
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        self.sci_mode = (
            largest / smallest > 1000.0 or largest > 1.0e8 or (not self.int_mode and smallest < 1.0e-4)
        )
        extra = 1 if self.int_mode and not self.sci_mode else 0  # the "." after whole numbers
        self.width = max(len(self._plain(v)) + extra for v in shown.tolist())

    def _plain(self, value: float) -> str:
        if self.sci_mode:
            return f"{value:.{PRECISION}e}"
        return f"{value:.0f}" if self.int_mode else f"{value:.{PRECISION}f}"

    def format(self, value: Any) -> str:
        if not self.floating:
            text = str(value)
        else:
            text = self._plain(value)
            if self.int_mode and not self.sci_mode and np.isfinite(value):
                text += "."
        return text.rjust(self.width)


def _edges(values: np.ndarray) -> np.ndarray:
    """The elements a summarized print shows: the first and last few along every long axis."""
    for axis, size in enumerate(values.shape):
        if size > 2 * EDGEITEMS:
            keep = [*range(EDGEITEMS), *range(size - EDGEITEMS, size)]
            values = np.take(values, keep, axis=axis)
    return values


def _vector(values: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, (LINEWIDTH - indent) // (fmt.width + 2))
    if summarize and values.shape[0] > 2 * EDGEITEMS:
        items = [fmt.format(v) for v in values[:EDGEITEMS].tolist()] + [" ..."]
        items += [fmt.format(v) for v in values[-EDGEITEMS:].tolist()]
    else:
        items = [fmt.format(v) for v in values.tolist()]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(values: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if values.ndim == 0:
        return fmt.format(values.item())
    if values.ndim == 1:
        return _vector(values, indent, summarize, fmt)
    rows = range(values.shape[0])
    if summarize and values.shape[0] > 2 * EDGEITEMS:
        rows = [*range(EDGEITEMS), None, *range(values.shape[0] - EDGEITEMS, values.shape[0])]
    parts = ["..." if i is None else _nested(values[i], indent + 1, summarize, fmt) for i in rows]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _with_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, suffix`` items, starting a new line where the line would pass 80 characters."""
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > LINEWIDTH:
            text += ",\n" + " " * indent + suffix
            last_line = indent + len(suffix)
        else:
            text += ", " + suffix
            last_line += len(suffix) + 2
    return text + ")"


def format_tensor(t: Any) -> str:
    """PyTorch-style text: values, then dtype when not the default, then grad_fn or requires_grad."""
    values = backend_of(t.array).to_host(t.array)
    prefix = "tensor("
    suffixes = []
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    default = values.dtype in (dtypes.get_default_dtype(), np.dtype(np.int64), np.dtype(np.bool_))
    if values.size == 0:
        body = "[]"
        if values.ndim != 1:
            suffixes.append(f"size={values.shape}")
        default = values.dtype == dtypes.get_default_dtype()
    else:
        summarize = values.size > THRESHOLD
        body = _nested(values, len(prefix), summarize, _Formatter(_edges(values) if summarize else values))
    if not default:
        suffixes.append(f"dtype=minigrad.{values.dtype}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + body, suffixes, len(prefix))
