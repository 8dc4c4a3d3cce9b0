"""``RemovableHandle``: what registering a hook returns; ``handle.remove()`` unregisters it."""

from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count()


class RemovableHandle:
    """Adds ``hook`` to the ordered dict ``hooks`` (first, with ``prepend``); ``remove()`` takes it out.

    >>> hooks = {}
    >>> with RemovableHandle(hooks, print):
    ...     len(hooks)
    1
    >>> len(hooks)
    0
    """

    def __init__(self, hooks: dict[int, Any], hook: Any, prepend: bool = False) -> None:
        self.hooks, self.id = hooks, next(_ids)
        hooks[self.id] = hook
        if prepend:
            for key in [k for k in hooks if k != self.id]:
                hooks[key] = hooks.pop(key)  # move every other hook behind the new one

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()
