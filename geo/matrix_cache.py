"""An in-process LRU of computed travel matrices, so planning the same day twice is free."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geo.matrix import TravelMatrices


class MatrixCache:
    """Least-recently-used store of travel matrices, bounded in entries and in bytes.

    Keys are made by :func:`geo.matrix.travel_matrices`: the network's content hash (which
    covers its mode), the speed factors in effect for the hours asked, and the places.
    Safe to share between threads.

    Parameters
    ----------
    max_entries
        Most results kept.
    max_bytes
        Most memory (bytes, as the results report it) kept; a result larger than this is
        not stored at all.
    """

    def __init__(self, max_entries: int = 32, max_bytes: int = 512 * 2**20) -> None:
        if max_entries < 1 or max_bytes < 1:
            msg = "a matrix cache needs room for at least one entry"
            raise ValueError(msg)
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[TravelMatrices, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> TravelMatrices | None:
        """The value stored under ``key`` (now the most recently used), else ``None``."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: Hashable, value: TravelMatrices, size_bytes: int) -> None:
        """Store ``value`` under ``key``, evicting the least recently used as needed."""
        if size_bytes > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size_bytes)
            self._bytes += size_bytes
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, evicted_bytes) = self._entries.popitem(last=False)
                self._bytes -= evicted_bytes

    def clear(self) -> None:
        """Forget everything stored (the hit and miss counts stay)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
