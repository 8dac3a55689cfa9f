"""A small fixed-window rate limiter, kept in memory.

Scope: one process. With several web processes each has its own counts, so the effective
limit is the configured one times the number of processes; that is enough to blunt a flood of
forged webhook requests (each costs us an HMAC and maybe a database query) without a shared
store. Put a limit at the proxy as well if the web tier is large.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._window_start = clock()
        self._counts: dict[str, int] = {}

    def hit(self, key: str) -> bool:
        """Count one request from `key`; whether it is still within the limit."""
        with self._lock:
            self._roll()
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key] <= self.limit

    def exhausted(self, key: str) -> bool:
        """Whether `key` used up this window's allowance (without counting a request)."""
        with self._lock:
            self._roll()
            return self._counts.get(key, 0) >= self.limit

    def _roll(self) -> None:
        now = self._clock()
        if now - self._window_start >= self.window:
            self._window_start = now
            self._counts.clear()  # also what keeps memory bounded
