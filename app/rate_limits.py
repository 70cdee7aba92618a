"""Rate limits per token, per sign-in name and per client address (the `limits` library;
counters in memory or in Redis)."""

from __future__ import annotations

import math
import time

import limits
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.config import Settings


class RateLimits:
    """The service's limits; ``retry_after`` answers whether one more request may pass."""

    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(
            storage_from_string(settings.rate_limit_storage_url)
        )
        self._items = {
            "token": limits.parse(settings.rate_limit),
            "sign_in": limits.parse(settings.sign_in_rate_limit),
            "failed_access": limits.parse(settings.failed_access_rate_limit),
        }

    def retry_after(self, kind: str, key: str) -> int | None:
        """Count a request of ``kind`` by ``key``: None if within the limit, else the seconds
        until the next one may pass."""
        item = self._items[kind]
        if self._limiter.hit(item, kind, key):
            return None
        reset_at = self._limiter.get_window_stats(item, kind, key).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def storage_answers(self) -> bool:
        """Whether the counters' storage answers (in memory: always)."""
        return self._limiter.storage.check()
