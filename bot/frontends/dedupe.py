"""Remembering which platform events were already handled.

Slack retries an event it thinks was not acknowledged, and a Discord gateway resume can
replay messages; either way a trainee's line must be applied once. A bounded, time-limited
memory is enough: redeliveries come within minutes, and a process restart starts clean.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Hashable


class SeenIds:
    """Keys seen in the last `ttl` seconds, at most `max_size` of them (oldest forgotten first)."""

    def __init__(self, ttl: float = 3600.0, max_size: int = 50_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self.clock = clock
        self._seen: OrderedDict[Hashable, float] = OrderedDict()

    def first_time(self, key: Hashable) -> bool:
        """True the first time `key` is offered, False on every repeat within the window."""
        now = self.clock()
        self._forget(now)
        if key in self._seen:
            return False
        self._seen[key] = now
        if len(self._seen) > self.max_size:
            self._seen.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._seen)

    def _forget(self, now: float) -> None:
        cutoff = now - self.ttl
        while self._seen:
            key, at = next(iter(self._seen.items()))
            if at >= cutoff:
                break
            del self._seen[key]
