"""Time: compressed timers for the simulation, real wall-clock for timestamps."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current aware UTC time."""
    return datetime.now(UTC)


def rfc3339(moment: datetime | None = None) -> str:
    """Format as RFC 3339 with millisecond precision and a Z suffix."""
    moment = moment or utcnow()
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_rfc3339(text: str) -> datetime:
    """Parse what rfc3339() writes (and any ISO 8601 with an offset)."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def go_duration(seconds: float) -> str:
    """Render like Go's time.Duration, e.g. 45s, 29m35s, 1h0m5s, as the Pi does."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


class Clock:
    """Divides every simulated duration by the speed factor."""

    def __init__(self, speed: float) -> None:
        """Create a clock running `speed` times faster than real time."""
        self.speed = speed
        self._loop_start = asyncio.get_running_loop().time()

    def scaled(self, seconds: float) -> float:
        """Real seconds for a simulated duration."""
        return seconds / self.speed

    async def sleep(self, seconds: float) -> None:
        """Sleep for a simulated duration."""
        await asyncio.sleep(seconds / self.speed)

    def simulated_elapsed(self) -> float:
        """Simulated seconds since the clock was created."""
        return (asyncio.get_running_loop().time() - self._loop_start) * self.speed
