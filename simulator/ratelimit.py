"""Per-client request rate limiting (off unless --rate-limit is given)."""

from __future__ import annotations

from collections import deque
import math
import time

from simulator.envelope import RATE_LIMIT_RETRY_AFTER


class RateLimiter:
    """A sliding window of `limit` requests per minute per client, minute compressed by speed."""

    def __init__(self, limit: int, *, speed: float) -> None:
        """Allow `limit` requests per (scaled) minute; 0 disables."""
        self.limit = limit
        self.window = 60.0 / speed
        # At speed 1 this is the Pi's constant (30 s); faster runs advise a shorter wait.
        self.retry_after = max(1, math.ceil(RATE_LIMIT_RETRY_AFTER / speed))
        self._hits: dict[str, deque[float]] = {}

    def admit(self, client: str) -> bool:
        """Count a request; False when the client is over its limit."""
        if self.limit <= 0:
            return True
        now = time.monotonic()
        hits = self._hits.setdefault(client, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def reset(self) -> None:
        """Forget every client's history."""
        self._hits.clear()
