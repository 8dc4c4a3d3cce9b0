"""Anomaly detection: name the op whose forward or backward first made a NaN or an inf.

Inside ``detect_anomaly()`` every recorded op keeps the stack where it was created, its
outputs are checked after forward and its gradients after backward, and the first non-finite
value raises a ``RuntimeError`` naming the op and the line of user code that created it. Ops
are checked only when they are recorded, that is when some input requires grad. (PyTorch checks
the backward only, and for NaN only.)

>>> import numpy as np, minigrad
>>> x = minigrad.tensor([0.0, 4.0], requires_grad=True)
>>> with detect_anomaly(), np.errstate(divide="ignore"):  # d sqrt(x)/dx = 1 / (2 sqrt(x))
...     x.sqrt().sum().backward()
Traceback (most recent call last):
...
RuntimeError: Function 'SqrtBackward0' returned inf values in its 0th output (backward: ...
"""

from __future__ import annotations

import functools
import os
import threading
import traceback
from collections.abc import Callable
from typing import Any


class _State(threading.local):
    """Per-thread anomaly mode, off by default."""

    enabled = False
    check_nan = True


_state = _State()
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()``: new ops record where they were created."""
    return _state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """True when anomaly mode also checks every op's outputs and gradients for NaN and inf."""
    return _state.check_nan


def _set(enabled: bool, check_nan: bool) -> None:
    _state.enabled, _state.check_nan = bool(enabled), bool(check_nan)


class detect_anomaly:
    """Context manager (or decorator): raise at the first op whose forward or backward produces NaN or inf.

    With ``check_nan=False`` ops still record where they were created, but values are not checked.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> detect_anomaly:
        self.previous = (is_anomaly_enabled(), is_anomaly_check_nan_enabled())
        _set(True, self.check_nan)
        return self

    def __exit__(self, *exc: Any) -> None:
        _set(*self.previous)

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """Turn anomaly mode on or off now; used as a context manager, restore the old mode on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.previous = (is_anomaly_enabled(), is_anomaly_check_nan_enabled())
        _set(mode, check_nan)

    def __enter__(self) -> set_detect_anomaly:
        return self

    def __exit__(self, *exc: Any) -> None:
        _set(*self.previous)


def check_forward(node: Any, outputs: tuple) -> None:
    """Raise if the op recorded in ``node`` produced NaN or inf in its forward."""
    if not is_anomaly_check_nan_enabled():
        return
    for i, out in enumerate(outputs):
        problem = _non_finite(out)
        if problem:
            raise RuntimeError(
                f"Function '{node.function.__name__}' returned {problem} values in its {i}th output "
                f"(forward).{_leaf_inputs(node)}\nThe op was created at:\n{where(node)}"
            )


def check_backward(node: Any, grads: tuple) -> None:
    """Raise if ``node``'s backward produced NaN or inf, naming the op and where it was created."""
    if not is_anomaly_check_nan_enabled():
        return
    for i, g in enumerate(grads):
        problem = _non_finite(g)
        if problem:
            raise RuntimeError(
                f"Function '{node.name()}' returned {problem} values in its {i}th output "
                f"(backward: the gradient for input {i} of {node.function.__name__}).\n"
                f"The forward op was created at:\n{where(node)}"
            )


def _non_finite(t: Any) -> str:
    """``'nan'``, ``'inf'``, ``'nan and inf'`` or ``''`` for a tensor (or ``None``)."""
    if t is None or t.dtype.kind != "f":
        return ""
    xp = t.xp
    has_nan, has_inf = bool(xp.isnan(t.array).any()), bool(xp.isinf(t.array).any())
    return " and ".join(kind for kind, found in (("nan", has_nan), ("inf", has_inf)) if found)


def _leaf_inputs(node: Any) -> str:
    """A note naming inputs that were leaves already holding NaN or inf (then the op only passed them on)."""
    notes = []
    for i, edge in enumerate(node.next_functions):
        variable = getattr(edge[0], "variable", None) if edge is not None else None
        problem = _non_finite(variable)
        if problem:
            notes.append(
                f"\nNote: its input {i}, a leaf tensor of shape {tuple(variable.shape)}, already held {problem} values."
            )
    return "".join(notes)


def where(node: Any) -> str:
    """The innermost line of user code in the stack recorded when ``node`` was created.

    When the op was created by a backward rule (``create_graph=True``), the rule's line follows.
    """
    if node.stack is None:
        return "  (unknown: the op was created outside detect_anomaly(); run the forward inside it too)"
    inside = [f.filename.startswith(_PACKAGE) for f in node.stack]
    user = [i for i, internal in enumerate(inside) if not internal]
    last_user = user[-1] if user else len(node.stack) - 1
    frames = [node.stack[last_user]]
    frames += [f for f in node.stack[last_user + 1 :] if f.name == "backward"][-1:]
    text = "".join(traceback.format_list(frames)).rstrip()
    if len(frames) == 2:
        text = text.replace("\n  File", "\nwhile running the backward rule at\n  File", 1)
    return text
