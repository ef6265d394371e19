"""Reconnect back-off shared by the event stream and the monitor WebSocket.

Delays double from `initial` (1, 2, 4, 8 … s) up to `maximum` (30 s), as API.md §6
asks. Each delay is multiplied by a random factor in `1 ± jitter` so that many
clients restarted together (a Pi reboot) do not reconnect in lock-step; the cap is
applied after the jitter, so jitter never pushes a delay above `maximum`. A server-provided
minimum raises a delay to at least that value, even above `maximum`, because the
server knows its own load: the SSE `retry:` field as a floor for every later
delay, an error's `retry_after` for the next one. Both are bounded by `max_floor`
so a wrong value cannot silence a stream for hours.
"""

from __future__ import annotations

import random


class Backoff:
    """Exponential back-off with jitter, a cap, a reset and a server floor."""

    def __init__(
        self,
        *,
        initial: float = 1.0,
        factor: float = 2.0,
        maximum: float = 30.0,
        jitter: float = 0.2,
        max_floor: float = 300.0,
        rng: random.Random | None = None,
    ) -> None:
        """Configure the sequence; pass a seeded `rng` for repeatable delays."""
        if initial <= 0 or factor < 1 or maximum < initial or not 0 <= jitter < 1:
            raise ValueError("Back-off needs 0 < initial <= maximum, factor >= 1, 0 <= jitter < 1")
        self._initial = initial
        self._factor = factor
        self._maximum = maximum
        self._jitter = jitter
        self._max_floor = max_floor
        # Jitter only spreads reconnects; it needs no cryptographic randomness.
        self._rng = rng or random.Random()  # noqa: S311
        self._base = initial
        self._floor = 0.0
        self.attempts = 0
        """Delays handed out since the last reset."""

    @property
    def floor(self) -> float:
        """The server-provided minimum delay in seconds (0 when none)."""
        return self._floor

    def set_floor(self, seconds: float) -> None:
        """Make every later delay at least `seconds` (bounded by `max_floor`)."""
        self._floor = min(max(seconds, 0.0), self._max_floor)

    def next_delay(self, minimum: float | None = None) -> float:
        """Return the delay to wait before the next attempt, and advance.

        `minimum` is a wait the server asked for this once (an error's
        `retry_after`); like the floor, it is bounded by `max_floor`.
        """
        spread = self._rng.uniform(1 - self._jitter, 1 + self._jitter)
        delay = min(self._base * spread, self._maximum)
        self._base = min(self._base * self._factor, self._maximum)
        self.attempts += 1
        return max(delay, self._floor, min(minimum or 0.0, self._max_floor))

    def reset(self) -> None:
        """Start again from `initial`, after a connection that worked.

        The server floor stays: like an EventSource's reconnection time, it holds
        until the server sends another.
        """
        self._base = self._initial
        self.attempts = 0
