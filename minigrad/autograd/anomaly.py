"""Anomaly detection: name the op whose forward or backward first made a NaN or an inf.

Inside ``detect_anomaly()`` every recorded op keeps the stack where it was created, its
outputs are checked after forward and its gradients after backward, as in PyTorch.
"""

from __future__ import annotations

import threading
import traceback
from typing import Any

_state = threading.local()


def is_anomaly_enabled() -> bool:
    return getattr(_state, "enabled", False)


class detect_anomaly:
    """Context manager: raise at the first op whose forward or backward produces NaN or inf."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> detect_anomaly:
        self.previous = is_anomaly_enabled()
        _state.enabled = self.check_nan
        return self

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self.previous


def _where(node: Any) -> str:
    frames = [f for f in node.stack if "/minigrad/" not in f.filename.replace("\\", "/")]
    frame = (frames or node.stack)[-1:]
    return "".join(traceback.format_list(frame)).rstrip()


def _bad(t: Any) -> bool:
    return t is not None and t.dtype.kind == "f" and not bool(t.xp.isfinite(t.array).all())


def check_forward(node: Any, outputs: tuple) -> None:
    """Raise if the op recorded in ``node`` produced NaN or inf in its forward."""
    for i, out in enumerate(outputs):
        if _bad(out):
            raise RuntimeError(
                f"Function '{node.function.__name__}' returned nan or inf values in its output {i} "
                f"(forward).\nThe op was created at:\n{_where(node)}"
            )


def check_backward(node: Any, grads: tuple) -> None:
    """Raise if ``node``'s backward produced NaN or inf, naming the op and where it was created."""
    for i, g in enumerate(grads):
        if _bad(g):
            where = _where(node) if node.stack else "(created outside detect_anomaly)"
            raise RuntimeError(
                f"Function '{node.name()}' returned nan or inf values in its {i}th output "
                f"(backward).\nThe forward op was created at:\n{where}"
            )
