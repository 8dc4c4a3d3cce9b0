"""Whether operations are recorded for backward: ``no_grad``, ``enable_grad``, ``set_grad_enabled``."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

_state = threading.local()


def is_grad_enabled() -> bool:
    """True when new operations are recorded in the autograd graph (the default)."""
    return getattr(_state, "enabled", True)


def swap_grad_enabled(mode: bool) -> bool:
    """Set recording on or off and return the previous setting (the fast path for ``Function.apply``)."""
    previous = getattr(_state, "enabled", True)
    _state.enabled = mode
    return previous


class set_grad_enabled:
    """Turn recording on or off inside a ``with`` block (or as a decorator), restoring it afterwards.

    >>> import minigrad
    >>> with minigrad.no_grad():
    ...     minigrad.is_grad_enabled()
    False
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)

    def __enter__(self) -> None:
        self.previous = is_grad_enabled()
        _state.enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self.previous

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(self.mode):
                return fn(*args, **kwargs)

        return wrapper


class no_grad(set_grad_enabled):
    """Do not record operations: for evaluation and for updating parameters by hand."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record operations again inside a ``no_grad`` block."""

    def __init__(self) -> None:
        super().__init__(True)
