"""Whether operations are recorded for backward: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

Each works as a ``with`` block and as a decorator, of generator functions too (the generator
runs in the mode each time it resumes), as in PyTorch; ``@no_grad`` needs no parentheses.

>>> import minigrad
>>> with minigrad.no_grad():
...     minigrad.is_grad_enabled()
False
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any


class _State(threading.local):
    """Per-thread grad mode; ``Function.apply`` reads ``state.enabled`` directly."""

    enabled = True


state = _State()


def is_grad_enabled() -> bool:
    """True when new operations are recorded in the autograd graph (the default)."""
    return state.enabled


def swap_grad_enabled(mode: bool) -> bool:
    """Set recording on or off and return the previous setting."""
    previous = state.enabled
    state.enabled = mode
    return previous


def _decorate(fn: Callable, context: Callable[[], Any]) -> Callable:
    """``fn`` running inside a fresh ``context()``; a generator function, inside one per resumption."""

    @functools.wraps(fn)
    def function(*args: Any, **kwargs: Any) -> Any:
        with context():
            return fn(*args, **kwargs)

    @functools.wraps(fn)
    def generator(*args: Any, **kwargs: Any) -> Any:
        gen = fn(*args, **kwargs)
        resume, value = gen.send, None
        while True:
            try:
                with context():
                    request = resume(value)
            except StopIteration as stop:
                return stop.value
            try:
                resume, value = gen.send, (yield request)
            except GeneratorExit:
                with context():
                    gen.close()
                raise
            except BaseException as err:  # thrown in by the caller: on to the generator
                resume, value = gen.throw, err

    return generator if inspect.isgeneratorfunction(fn) else function


class _GradMode:
    """Sets grad mode on entry and restores it on exit."""

    def __new__(cls, *args: Any) -> Any:
        if len(args) == 1 and callable(args[0]):  # used as ``@no_grad``, without parentheses
            return _decorate(args[0], cls)
        return super().__new__(cls)

    def __init__(self, mode: bool) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        self.previous = swap_grad_enabled(self.mode)

    def __exit__(self, *exc: Any) -> None:
        swap_grad_enabled(self.previous)

    def __call__(self, fn: Callable) -> Callable:
        mode = self.mode
        return _decorate(fn, lambda: _GradMode(mode))


class no_grad(_GradMode):
    """Do not record operations: for evaluation and for updating parameters by hand."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(_GradMode):
    """Record operations again inside a ``no_grad`` block."""

    def __init__(self) -> None:
        super().__init__(True)


class inference_mode(_GradMode):
    """PyTorch's ``inference_mode``, here with ``no_grad``'s behaviour (``inference_mode(False)``: ``enable_grad``'s)."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__(not mode)


class set_grad_enabled(_GradMode):
    """Turn recording on or off: at once (a plain call), for a ``with`` block or for a decorated function."""

    def __init__(self, mode: bool) -> None:
        super().__init__(bool(mode))
        self.previous = swap_grad_enabled(self.mode)

    def __enter__(self) -> None:
        swap_grad_enabled(self.mode)

    def __call__(self, fn: Callable) -> Callable:
        swap_grad_enabled(self.previous)  # as a decorator, it changes nothing until ``fn`` runs
        return super().__call__(fn)
