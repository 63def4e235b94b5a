"""The last results of the pages' pure models, kept while their inputs stay the same.

The reader hands out the same row lists until a view is republished or the warehouse
changes, so a model's result over them stays right as long as its inputs are the same
objects, or equal ones (models never change their rows). Over 100,000 conversations that turns a
filter-and-sort per request into one per publication.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

R = TypeVar("R")
ENTRIES = 32


class Memo:
    """Thread-safe (pages run in Starlette's thread pool); the oldest entry goes first."""

    def __init__(self, entries: int = ENTRIES) -> None:
        self._entries: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = OrderedDict()
        self._size = entries
        self._lock = threading.Lock()

    def __call__(self, model: Callable[..., R], *objects: Any, **values: Hashable) -> R:
        """``model(*objects, **values)``, kept while ``objects`` are the same (or equal: a re-read
        after the reader's cache aged out gives equal rows, and comparing them is cheaper than
        the model) and ``values`` equal."""
        key = (model, len(objects), *sorted(values.items()))
        with self._lock:
            kept = self._entries.get(key)
            if kept is not None and all(a is b or a == b for a, b in zip(kept[0], objects, strict=True)):
                self._entries.move_to_end(key)
                result: R = kept[1]
                return result
        result = model(*objects, **values)
        with self._lock:
            self._entries[key] = (objects, result)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return result
